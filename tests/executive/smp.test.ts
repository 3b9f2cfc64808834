/**
 * NT programs on the SMP machine (src/executive/smp-boot.ts): the executive
 * on the host core, the programs' threads on 2 and on 3 core workers (more
 * than this machine may have). Each program's output and exit status must
 * be those of the single-core run; where a program reports the processor
 * count, that is the one line that differs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { runNtProgram } from '../../src/executive/boot.js';
import { runNtProgramSmp } from '../../src/executive/smp-boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const bin = guestBinDir();

function options(image: string, args: string[]) {
  return { image: join(bin, image), args, dllPath: [bin], memory: 64 << 20 };
}

function one(image: string, args: string[] = []) {
  let out = '';
  const r = runNtProgram({ ...options(image, args), console: (s) => { out += s; } });
  return { out, status: r.exitStatus, exception: r.exception };
}

async function smp(image: string, cores: number, args: string[] = [], fastpath = true) {
  let out = '';
  const r = await runNtProgramSmp({ ...options(image, args), cores, fastpath, console: (s) => { out += s; } });
  return { out, status: r.exitStatus, exception: r.exception, r };
}

for (const [image, args] of [
  ['ntproc.exe', []], ['ntlpc.exe', []], ['ntunwind.exe', []], ['ldrtls.exe', []], ['ldrtest.exe', []], ['ntseh.exe', []],
] as [string, string[]][]) {
  test(`${image} on 2 and 3 cores reports what it reports on one, fastpath on and off`, async () => {
    const want = one(image, args);
    for (const cores of [2, 3]) {
      for (const fastpath of [true, false]) {
        const got = await smp(image, cores, args, fastpath);
        const what = `${image} on ${cores} cores, fastpath ${fastpath ? 'on' : 'off'}`;
        assert.equal(got.out, want.out, what);
        assert.equal(got.status, want.status, what);
        assert.equal(got.exception, want.exception, what);
        if (!fastpath) assert.equal(got.r.hostHandoffsTaken + got.r.hostHandoffsSent, 0, `${what}: no hand-off to or from the host core`);
      }
    }
  });
}

test('ntconf.exe and ntsvc.exe on several cores: only the processor count and what depends on it differ', async () => {
  const conf = one('ntconf.exe');
  const conf3 = await smp('ntconf.exe', 3);
  assert.equal(conf3.status, conf.status);
  assert.equal(conf3.out, conf.out.replace('query.system-fields: page 4096 processors 1', 'query.system-fields: page 4096 processors 3'));
  const svc = one('ntsvc.exe');
  const svc2 = await smp('ntsvc.exe', 2);
  assert.equal(svc2.out, svc.out, 'mask 6 names a processor 2 cores do not have: refused as on one core');
  const svc3 = await smp('ntsvc.exe', 3);
  // With three processors the process affinity mask 6 (processors 1 and 2) is valid.
  assert.equal(svc3.out, svc.out.replace('process.affinity-bad: 0xc000000d', 'process.affinity-bad: 0x00000000'));
});

test('the threads of one process run on different cores (placed round robin), and the executive serves them from the host core', async () => {
  // ntlpc's main thread and its server thread talk over LPC; ldrtls makes threads of its own.
  for (const image of ['ntlpc.exe', 'ldrtls.exe']) {
    const { r } = await smp(image, 2);
    assert.equal(r.exitStatus, 0, image);
    const busy = r.cores.filter((c) => c.syscalls > 0 && c.retired > 0).length;
    assert.equal(busy, 2, `${image}: both cores ran its threads`);
    assert.ok(r.served > 0, `${image}: the executive served its calls`);
    for (const c of r.cores) assert.deepEqual(c.unhandled, [], `${image}: no thread stopped without a handler`);
  }
});

test('ntheap.exe on 2 and 3 cores: two threads share a heap and a critical section from different cores (locked instructions atomic across cores)', async () => {
  // The time.* lines print the clock; everything else must be the single-core run's.
  const steady = (out: string) => out.split('\n').filter((l) => !l.startsWith('time.')).join('\n');
  const want = one('ntheap.exe');
  assert.equal(want.status, 0, want.out);
  for (const cores of [2, 3]) {
    const got = await smp('ntheap.exe', cores);
    assert.equal(got.exception, undefined, got.out);
    assert.equal(got.status, 0, got.out);
    assert.equal(steady(got.out), steady(want.out), `ntheap on ${cores} cores`);
    assert.match(got.out, /threads\.lock: counter 4000 overlap 0 contended yes/);
    assert.ok(got.r.cores.filter((c) => c.syscalls > 0).length >= 2, 'its threads ran on more than one core');
  }
});

test('a program that waits for ever on several cores ends as a deadlock, never a hang', async () => {
  // ntpingpong's pong half alone waits for a ping that never comes.
  const want = one('ntpingpong.exe', ['pong']);
  for (const fastpath of [true, false]) {
    const got = await smp('ntpingpong.exe', 2, ['pong'], fastpath);
    assert.equal(got.status, want.status);
    assert.equal(got.exception, want.exception);
  }
});

test('NT system calls from a core reach the executive over the host hand-off rings (fastpath on), with the slow path\'s results', async () => {
  // sysbench.exe: one thread, NtClose(invalid) in a loop, each a Call on the executive's endpoint.
  const calls = 300;
  const want = one('sysbench.exe', [String(calls)]);
  const fast = await smp('sysbench.exe', 2, [String(calls)], true);
  const slow = await smp('sysbench.exe', 2, [String(calls)], false);
  for (const got of [fast, slow]) {
    assert.equal(got.out, want.out);
    assert.equal(got.status, want.status);
    assert.equal(got.exception, want.exception);
  }
  // The same messages served either way; with the fastpath most of them came over the ring
  // (a call finding the host core busy takes the slow path) and their replies went back over one.
  assert.equal(fast.r.served, slow.r.served);
  assert.ok(fast.r.hostHandoffsTaken > 0 && fast.r.hostHandoffsTaken <= fast.r.served, `calls handed to the host: ${fast.r.hostHandoffsTaken}`);
  assert.ok(fast.r.hostHandoffsSent > 0, `replies handed back to a core: ${fast.r.hostHandoffsSent}`);
  const sent = fast.r.cores.reduce((a, c) => a + c.handoffsSent, 0);
  const taken = fast.r.cores.reduce((a, c) => a + c.handoffsTaken, 0);
  assert.ok(sent >= fast.r.hostHandoffsTaken, 'every call the host took was sent by a core');
  assert.ok(taken <= fast.r.hostHandoffsSent + sent, 'the cores took only what was handed to them');
  assert.equal(slow.r.hostHandoffsTaken + slow.r.hostHandoffsSent, 0);
  // The executive's answers: its cross-core ReplyRecv fastpath (one word to an idle caller core)
  // took them, and they are among the hand-offs the host sent; none with the fastpath off.
  assert.ok(fast.r.hostFastReplies > 0 && fast.r.hostFastReplies <= fast.r.hostHandoffsSent, `fast replies: ${fast.r.hostFastReplies}`);
  assert.equal(slow.r.hostFastReplies, 0);
});

test('sysbench.exe times its loop with NtQueryPerformanceCounter on 2 cores (the bench\'s .smp row reads it)', async () => {
  const got = await smp('sysbench.exe', 2, ['500', 'time']);
  assert.equal(got.status, 0);
  const m = /^500\nticks (\d+) per (\d+)\n$/.exec(got.out);
  assert.ok(m !== null, `output: ${JSON.stringify(got.out)}`);
  assert.equal(Number(m[2]), 10_000_000);
  assert.ok(Number(m[1]) > 0, 'the loop took time');
});

/** ntspin.exe on `cores` cores under `--max-instructions limit`. */
async function limited(cores: number, limit: number, args: string[], fastpath = true) {
  let out = '';
  const r = await runNtProgramSmp({ ...options('ntspin.exe', args), cores, fastpath, maxInstructions: limit, console: (s) => { out += s; } });
  return { out, r };
}

function assertStoppedAt(r: Awaited<ReturnType<typeof limited>>['r'], limit: number, what: string): void {
  assert.equal(r.exitStatus, NTSTATUS.STATUS_TIMEOUT, `${what}: ${r.exception}`);
  assert.equal(r.exception, `stopped after ${limit} instructions (--max-instructions)`, what);
  assert.equal(r.instructions, limit, `${what}: the limit is exact on several cores`);
  assert.equal(r.cores.reduce((a, c) => a + c.retired, 0), limit, `${what}: counted over every core`);
  for (const c of r.cores) assert.deepEqual(c.unhandled, [], `${what}: no thread stopped without a handler`);
}

test('--max-instructions on 2 and 3 cores stops runaway threads (one per core) at exactly the limit, with or without system calls, fastpath on and off', async () => {
  // ntspin.exe 3: three threads that count for ever; "syscall": each round is also an NtClose the executive serves.
  // 1000 ends during the process's start (one thread), the others while every core spins.
  for (const cores of [2, 3]) {
    for (const [limit, args] of [[1000, ['3']], [3_000_000, ['3']], [400_000, ['3', '0', 'syscall']]] as [number, string[]][]) {
      for (const fastpath of limit === 1000 ? [true] : [true, false]) {
        const { out, r } = await limited(cores, limit, args, fastpath);
        const what = `ntspin ${args.join(' ')} on ${cores} cores, limit ${limit}, fastpath ${fastpath ? 'on' : 'off'}`;
        assertStoppedAt(r, limit, what);
        assert.equal(out, '', `${what}: stopped before it could print`);
      }
    }
  }
});

test('--max-instructions on several cores adds up every core\'s instructions; a program that ends under the limit is unaffected', async () => {
  // ntspin.exe 3 100000: three threads of 100,000 rounds (about 3.02M instructions in all), placed
  // round robin; the main thread (core 0) waits for the others when its own rounds are done. Core 0
  // runs at most two of the threads (some 2.04M instructions), so a limit of 2.5M is reached only
  // if the other cores' instructions count too.
  for (const cores of [2, 3]) {
    const { out, r } = await limited(cores, 2_500_000, ['3', '100000']);
    const what = `ntspin 3 100000 on ${cores} cores`;
    assertStoppedAt(r, 2_500_000, what);
    assert.equal(out, '', what);
    assert.ok(r.cores.slice(1).reduce((a, c) => a + c.retired, 0) >= 400_000, `${what}: cores 1.. ran part of the limit: ${r.cores.map((c) => c.retired).join(', ')}`);
    const free = await limited(cores, 1_000_000_000, ['3', '100000']);
    assert.equal(free.r.exitStatus, 0, `${what} under a limit of 10^9: ${free.r.exception}`);
    assert.equal(free.r.exception, undefined);
    assert.equal(free.out, 'ntspin: 3 threads, 300000 rounds\n');
    assert.ok(free.r.instructions > 2_500_000 && free.r.instructions < 1_000_000_000, `${what}: ${free.r.instructions} instructions`);
  }
});
