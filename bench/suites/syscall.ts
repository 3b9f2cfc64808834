/**
 * NT system calls on kernel + executive: `syscall.trivial.roundtrip` is one
 * NtClose on an invalid handle from guest/bin/sysbench.exe's loop (stub →
 * sysenter Call → executive dispatch → ReplyRecv → stub), per call, in ns:
 * the run of N calls minus the run of 0 calls (process start and exit),
 * divided by N. Samples alternate with and without the kernel's fastpath.
 */
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
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

export const syscallSuite: BenchSuite = {
  name: 'syscall',
  summary: 'NT system call round trip from a guest loop (NtClose on an invalid handle), fastpath on and off',
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
    return results;
  },
};
