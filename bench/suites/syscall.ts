/**
 * NT system calls on kernel + executive: `syscall.trivial.roundtrip` is one
 * NtClose on an invalid handle from guest/bin/sysbench.exe's loop (stub →
 * sysenter Call → executive dispatch → ReplyRecv → stub), per call, in ns:
 * the run of N calls minus the run of 0 calls (process start and exit),
 * divided by N. Samples alternate with and without the kernel's fastpath.
 * Also: a round trip of two processes over named events, and process
 * create + run to exit.
 */
import { join } from 'node:path';
import { bootNt, runNtProgram, runUntil } from '../../src/executive/boot.js';
import { runNtProgramSmp } from '../../src/executive/smp-boot.js';
import { guestBinDir } from '../../src/machine/paths.js';
import { summarize, type BenchResult, type BenchSuite } from '../lib/results.js';

function runOnce(calls: number, fastpath: boolean): number {
  const bin = guestBinDir();
  const t0 = process.hrtime.bigint();
  const r = runNtProgram({ image: join(bin, 'sysbench.exe'), args: [String(calls)], dllPath: [bin], memory: 32 << 20, console: () => {}, fastpath });
  const ns = Number(process.hrtime.bigint() - t0);
  if (r.exitStatus !== 0) throw new Error(`sysbench.exe failed: ${r.exception ?? r.exitStatus}`);
  return ns;
}

/** ns per round trip of two processes over named synchronization events (ntpingpong.exe), N round trips minus 0. */
/**
 * ns per call of sysbench.exe's loop of `calls` NtClose calls on the SMP machine (2 core
 * workers, the executive on the host's thread), as the guest timed its loop with
 * NtQueryPerformanceCounter: starting the workers and the process varies by tens of ms
 * between runs, too much to subtract a run of 0 calls as the one-core figure does.
 */
async function smpCallNs(calls: number): Promise<number> {
  const bin = guestBinDir();
  let out = '';
  const r = await runNtProgramSmp({ image: join(bin, 'sysbench.exe'), args: [String(calls), 'time'], dllPath: [bin], memory: 32 << 20, console: (s) => { out += s; }, cores: 2 });
  if (r.exitStatus !== 0) throw new Error(`sysbench.exe on 2 cores failed: ${r.exception ?? r.exitStatus}`);
  const m = /^ticks (\d+) per (\d+)$/m.exec(out);
  if (m === null) throw new Error(`sysbench.exe on 2 cores printed no timing: ${JSON.stringify(out)}`);
  return (Number(m[1]) * 1e9) / Number(m[2]) / calls;
}

function eventPingPong(n: number): number {
  const bin = guestBinDir();
  const once = (count: number): number => {
    const m = bootNt({ memory: 64 << 20, console: () => {} });
    const t0 = process.hrtime.bigint();
    const a = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['ping', String(count)], dllPath: [bin] });
    const b = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['pong', String(count)], dllPath: [bin] });
    if (runUntil(m, () => a.terminated && b.terminated) !== 'done' || a.exitStatus !== 0 || b.exitStatus !== 0) throw new Error('ntpingpong failed');
    return Number(process.hrtime.bigint() - t0);
  };
  return (once(n) - once(0)) / n;
}

/**
 * ns per LPC request/reply round trip between two processes (ntlpc.exe
 * bclient/bserver): `direct` over the connection port's seL4 endpoint from
 * ntdll, `copied` through the executive's copy (ntdll's Ki* stubs on both
 * sides). N round trips minus 0 (connect and process start cancel out).
 */
function lpcRoundTrip(n: number, mode: 'direct' | 'copied'): number {
  const bin = guestBinDir();
  const once = (count: number): number => {
    const m = bootNt({ memory: 64 << 20, console: () => {} });
    const t0 = process.hrtime.bigint();
    const c = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['bclient', String(count), mode], dllPath: [bin] });
    const s = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['bserver', mode], dllPath: [bin] });
    if (runUntil(m, () => c.terminated && s.terminated) !== 'done' || c.exitStatus !== 0 || s.exitStatus !== 0) throw new Error(`ntlpc ${mode} failed`);
    return Number(process.hrtime.bigint() - t0);
  };
  return (once(n) - once(0)) / n;
}

/** ns to create a process (exitcode.exe: images, PEB, thread) and run it to its exit, on a booted system. */
function processCreateExit(count: number): number {
  const bin = guestBinDir();
  const m = bootNt({ memory: 64 << 20, console: () => {} });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const p = m.executive.createProcess({ image: join(bin, 'exitcode.exe'), args: ['3'], dllPath: [bin] });
    if (runUntil(m, () => p.terminated) !== 'done' || p.exitStatus !== 3) throw new Error('exitcode.exe failed');
  }
  return Number(process.hrtime.bigint() - t0) / count;
}

export const syscallSuite: BenchSuite = {
  name: 'syscall',
  summary: 'NT system call round trip from a guest loop (NtClose on an invalid handle), fastpath on and off; event ping-pong and LPC request/reply (direct and executive-copied) between two processes; process create + exit',
  async run({ quick }) {
    const calls = quick ? 20_000 : 200_000;
    const samples = quick ? 5 : 15;
    const fast: number[] = [];
    const slow: number[] = [];
    runOnce(1000, true); // warm up the interpreter and V8
    for (let i = 0; i < samples; i++) {
      const base = runOnce(0, true);
      fast.push((runOnce(calls, true) - base) / calls);
      const base2 = runOnce(0, false);
      slow.push((runOnce(calls, false) - base2) / calls);
    }
    const f = summarize(fast);
    const s = summarize(slow);
    const results: BenchResult[] = [
      { name: 'syscall.trivial.roundtrip', value: f.median, unit: 'ns', samples, rme: f.rme, note: 'NtClose(invalid) from a guest loop, kernel fastpath on; target <= 1000 ns' },
      { name: 'syscall.trivial.roundtrip.slowpath', value: s.median, unit: 'ns', samples, rme: s.rme, note: 'same, every syscall on the kernel slow path' },
    ];
    const pp: number[] = [];
    const pc: number[] = [];
    for (let i = 0; i < samples; i++) {
      pp.push(eventPingPong(quick ? 2000 : 20_000));
      pc.push(processCreateExit(quick ? 5 : 20));
    }
    // LPC: direct and copied interleaved, so machine noise hits both alike.
    const ld: number[] = [];
    const lc: number[] = [];
    const lpcN = quick ? 2000 : 20_000;
    for (let i = 0; i < samples; i++) {
      ld.push(lpcRoundTrip(lpcN, 'direct'));
      lc.push(lpcRoundTrip(lpcN, 'copied'));
    }
    // The same call from a core worker to the executive on the host's thread (--cores 2):
    // handed over the (core → host) ring and answered over (host → core) when the host core
    // is idle (kernel/smp/host-handoff.ts), else a cross-core slow path with two doorbells.
    const smp: number[] = [];
    const smpCalls = quick ? 20_000 : 100_000;
    for (let i = 0; i < (quick ? 3 : 7); i++) smp.push(await smpCallNs(smpCalls));
    const sm = summarize(smp);
    results.push({ name: 'syscall.trivial.roundtrip.smp', value: sm.median, unit: 'ns', samples: smp.length, rme: sm.rme, note: 'NtClose(invalid) from a thread on core worker 0 to the executive on the host thread (neptune run --cores 2), the loop timed by the guest' });
    const e = summarize(pp);
    const c = summarize(pc);
    const l = summarize(ld);
    const lcs = summarize(lc);
    results.push(
      { name: 'syscall.event.pingpong', value: e.median, unit: 'ns', samples, rme: e.rme, note: 'two processes, named sync events: SetEvent+Wait each side per round trip' },
      { name: 'syscall.lpc.roundtrip', value: l.median, unit: 'ns', samples, rme: l.rme, note: 'two processes, NtRequestWaitReplyPort / NtReplyWaitReceivePort(reply) over the port\'s seL4 endpoint from ntdll' },
      { name: 'syscall.lpc.roundtrip.copied', value: lcs.median, unit: 'ns', samples, rme: lcs.rme, note: 'same through the executive\'s copy (ntdll\'s Ki* system call stubs)' },
      { name: 'syscall.process.create-exit', value: c.median / 1000, unit: 'us', samples, rme: c.rme, note: 'exitcode.exe: map images, PEB, thread, run to NtTerminateProcess' },
    );
    return results;
  },
};
