/**
 * The JIT against the interpreter (docs/jit.md), in guest MIPS:
 *
 *   alu-loop, load-store-loop, call-loop   REFERENCE.md's loops (bench/suites/cpu.ts)
 *   code-page-data                         a loop that stores data on its own code page
 *   compute                                guest/bin/compute.exe (checksums, sort, matrix
 *                                          multiply in C) as an NT process (kernel + executive)
 *
 * each as `<name>.jit` and `<name>.interp`, measured alternately in one
 * process (the machine is shared: compare the pair, not absolute values).
 * Also: translation cost (blocks translated per second of translation
 * time), time from a cold start to steady speed, and the code cache's size
 * (generated JavaScript source per translated guest instruction).
 */
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { cacheOf } from '../../src/cpu/decode-cache.js';
import { GuestRam } from '../../src/machine/ram.js';
import { guestBinDir } from '../../src/machine/paths.js';
import { runNtProgram } from '../../src/executive/boot.js';
import { jitTotals, runJit, type Runner } from '../../src/jit/index.js';
import { join } from 'node:path';
import { LOOPS } from './cpu.js';
import { summarize, type BenchResult, type BenchSuite } from '../lib/results.js';

const CODE = 0x10000;
const STACK = 0x80000;
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/**
 * `mov edi, OUTER; top: mov ecx, 4096; L: <5 instructions>; dec ecx; jne L;
 * dec edi; jne top; int 0x80`; the body stores to and loads from CODE+0x800,
 * the code's own page (v86 drops the page's translations on every such store).
 */
function codePageData(): Uint8Array {
  const D = CODE + 0x800;
  const head = [0xbf, ...le32(0), 0xb9, ...le32(4096)];
  const body = [0x89, 0x0d, ...le32(D), 0x03, 0x05, ...le32(D), 0x01, 0xc3, 0x89, 0x1d, ...le32(D + 4), 0x31, 0xda];
  const lAt = head.length, topAt = 5;
  const tail = [0x49, 0x75, (lAt - (lAt + body.length + 3)) & 0xff, 0x4f, 0x75, (topAt - (lAt + body.length + 6)) & 0xff, 0xcd, 0x80];
  return Uint8Array.from([...head, ...body, ...tail]);
}

const PROGRAMS: Record<string, Uint8Array> = {
  'alu-loop': LOOPS['alu-loop']!.code,
  'load-store-loop': LOOPS['load-store-loop']!.code,
  'call-loop': LOOPS['call-loop']!.code,
  'code-page-data': codePageData(),
};

/**
 * Runs the loop program from `top` with EDI = outer (the `mov edi, OUTER` is
 * skipped), so the code is written once per CPU and samples after the first
 * measure translated code in its steady state; the cold start is measured
 * separately (time-to-steady).
 */
function runLoop(cpu: Cpu, runner: Runner, code: Uint8Array, outer: number): [number, number] {
  if (cpu.ram.u8[CODE] !== code[0] || cpu.ram.u8[CODE + 5] !== code[5]) {
    cpu.ram.u8.set(code, CODE);
    cacheOf(cpu).invalidateRange(CODE, code.length); // the host wrote guest code
  }
  cpu.eip = CODE + 5;
  cpu.reg[7] = outer;
  cpu.reg[4] = STACK;
  cpu.reg[6] = 0x40000;
  const before = cpu.retired;
  const t0 = performance.now();
  for (;;) {
    const stop = runner(cpu, 1 << 24);
    if (stop === Stop.SYSCALL) break;
    if (stop !== Stop.BUDGET) throw new Error(`bench loop stopped with ${stop} (vector ${cpu.fault.vector}) at 0x${(cpu.eip >>> 0).toString(16)}`);
  }
  return [cpu.retired - before, performance.now() - t0];
}

/** Wall time from a cold start until 1M-instruction slices run at >= 80% of the final speed. */
function timeToSteady(code: Uint8Array): number {
  const cpu = new Cpu(new GuestRam(1 << 20), 1 << 12);
  cpu.ram.u8.set(code, CODE);
  cpu.ram.u8.set(le32(100000), CODE + 1);
  cpu.eip = CODE;
  cpu.reg[4] = STACK;
  cpu.reg[6] = 0x40000;
  const slices: [number, number][] = [];
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) {
    const a = performance.now();
    runJit(cpu, 1 << 20);
    const b = performance.now();
    slices.push([b - t0, (1 << 20) / (b - a)]);
  }
  const steady = summarize(slices.slice(-50).map(([, r]) => r)).median;
  const at = slices.find(([, r]) => r >= 0.8 * steady);
  return at === undefined ? NaN : at[0];
}

export const jitSuite: BenchSuite = {
  name: 'jit',
  summary: 'JIT vs interpreter on guest loops and a compute program (guest MIPS)',
  async run({ quick }) {
    const results: BenchResult[] = [];
    const samples = quick ? 3 : 7;
    const outer = quick ? 300 : 1500;
    const targets: Record<string, string> = { 'alu-loop': 'target >= 1500 (v86: 1190)', 'call-loop': 'target >= 1000 (v86: 720)', 'code-page-data': 'target >= 500 (v86: 86)', 'load-store-loop': '' };
    for (const [name, code] of Object.entries(PROGRAMS)) {
      const engines: [string, Runner, Cpu][] = [
        ['jit', runJit, new Cpu(new GuestRam(1 << 20), 1 << 12)],
        ['interp', run, new Cpu(new GuestRam(1 << 20), 1 << 12)],
      ];
      for (const [, r, cpu] of engines) runLoop(cpu, r, code, 50); // warm-up
      const mips = new Map<string, number[]>(engines.map(([e]) => [e, []]));
      for (let i = 0; i < samples; i++) {
        for (const [e, r, cpu] of engines) {
          const [n, ms] = runLoop(cpu, r, code, outer);
          mips.get(e)!.push(n / ms / 1000);
        }
      }
      for (const [e] of engines) {
        const { median, rme } = summarize(mips.get(e)!);
        results.push({ name: `${name}.${e}`, value: median, unit: 'MIPS', samples, rme, note: e === 'jit' ? targets[name] ?? '' : '' });
      }
    }

    // A real program: compute.exe as an NT process (kernel + executive), whole-process MIPS (loading included).
    const before = { ...jitTotals };
    const rounds = quick ? 10 : 40;
    const cmips = new Map<string, number[]>([['jit', []], ['interp', []]]);
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      for (const engine of ['jit', 'interp'] as const) {
        const t0 = performance.now();
        const r = runNtProgram({
          image: join(guestBinDir(), 'compute.exe'), args: [String(rounds)], dllPath: [guestBinDir()],
          memory: 64 << 20, console: () => {}, engine,
        });
        const ms = performance.now() - t0;
        if (r.exitStatus !== 0) throw new Error(`compute.exe failed: ${r.exception ?? r.exitStatus}`);
        cmips.get(engine)!.push(r.instructions / ms / 1000);
      }
    }
    for (const [e, xs] of cmips) {
      const { median, rme } = summarize(xs);
      results.push({ name: `compute.${e}`, value: median, unit: 'MIPS', samples: xs.length, rme, note: e === 'jit' ? 'compute.exe (checksums, sort, matmul)' : '' });
    }
    const blocks = jitTotals.blocksCompiled - before.blocksCompiled;
    const ms = jitTotals.compileMs - before.compileMs;
    const insns = jitTotals.instructionsCompiled - before.instructionsCompiled;
    const src = jitTotals.sourceBytes - before.sourceBytes;
    results.push({ name: 'compute.jit.blocks-translated-per-s', value: blocks / (ms / 1000), unit: 'blocks/s', samples: 1, rme: 0, note: `${blocks} blocks in ${ms.toFixed(0)} ms` });
    results.push({ name: 'compute.jit.code-cache-bytes-per-instruction', value: src / insns, unit: 'B', samples: 1, rme: 0, note: `${(src / 1024 / (quick ? 2 : 3)).toFixed(0)} KiB of JS source per run` });
    results.push({ name: 'alu-loop.jit.time-to-steady', value: timeToSteady(PROGRAMS['alu-loop']!), unit: 'ms', samples: 1, rme: 0, note: 'cold start to >= 80% of steady MIPS' });
    results.push({ name: 'call-loop.jit.time-to-steady', value: timeToSteady(PROGRAMS['call-loop']!), unit: 'ms', samples: 1, rme: 0, note: '' });
    return results;
  },
};
