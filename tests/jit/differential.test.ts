/**
 * Interpreter vs JIT on random programs (random-program.ts), in lockstep:
 * the same program runs in three CPUs (interpreter, JIT, JIT translating at
 * the first execution) with the same random budgets; after every run call
 * the stop, EIP, registers, EFLAGS, retired count, fault record and the
 * data they wrote must be identical. A fault is stepped over (EIP set to
 * the next instruction in all three) so the program continues.
 *
 * CI runs a fixed seed range; NEPTUNE_JIT_DIFF_PROGRAMS=N (and
 * NEPTUNE_JIT_DIFF_SEED=S) runs more by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { GuestRam } from '../../src/machine/ram.js';
import { jitOf } from '../../src/jit/index.js';
import { CODE, CODE_DATA, DATA, STACK, randomProgram, rng, type Program } from './random-program.js';

const PROGRAMS = Number(process.env['NEPTUNE_JIT_DIFF_PROGRAMS'] ?? 120);
const SEED = Number(process.env['NEPTUNE_JIT_DIFF_SEED'] ?? 1);
const MAX_INSTRUCTIONS = 200_000;

function machine(p: Program, seed: number): Cpu {
  const cpu = new Cpu(new GuestRam(1 << 20), 1 << 12);
  const r = rng(seed ^ 0x5eed);
  for (let a = DATA; a < DATA + 0x1000; a += 4) cpu.ram.i32[a >> 2] = (r() * 0x100000000) | 0;
  for (let a = CODE_DATA; a < CODE_DATA + 0x400; a += 4) cpu.ram.i32[a >> 2] = (r() * 0x100000000) | 0;
  cpu.ram.u8.set(p.bytes, CODE);
  cpu.eip = CODE;
  cpu.reg.set([0x11, 0x22, 0x33, 0x44, STACK, 0, DATA, CODE_DATA]);
  return cpu;
}

type Runner = (cpu: Cpu, budget: number) => Stop;

function snapshot(cpu: Cpu, stop: Stop): string {
  const f = cpu.fault;
  const mem = (a: number, n: number) => Array.from(cpu.ram.i32.subarray(a >> 2, (a + n) >> 2), (x) => (x >>> 0).toString(16)).join(',');
  return JSON.stringify({
    stop, eip: cpu.eip >>> 0, reg: Array.from(cpu.reg, (x) => x >>> 0), eflags: cpu.getEflags(), retired: cpu.retired,
    fault: stop === Stop.FAULT ? [f.vector, f.errorCode, f.address >>> 0] : stop === Stop.SYSCALL ? [f.trapNumber] : [],
    data: mem(DATA, 0x100), codeData: mem(CODE_DATA, 0x80), stack: mem(STACK - 0x40, 0x40),
  });
}

interface Outcome { instructions: number; faults: number; regions: number; dataOnCodePage: number }

function lockstep(p: Program, seed: number): Outcome {
  const runners: [string, Runner, Cpu][] = [
    ['interp', run, machine(p, seed)],
    ['jit', (c, b) => jitOf(c, { threshold: 3 }).run(b), machine(p, seed)],
    ['jit-eager', (c, b) => jitOf(c, { threshold: 0 }).run(b), machine(p, seed)],
  ];
  const r = rng(seed * 7 + 1);
  let faults = 0;
  const outcome = (): Outcome => {
    const st = jitOf(runners[2]![2]).stats;
    return { instructions: runners[0]![2].retired, faults, regions: st.regionsCompiled, dataOnCodePage: st.dataWritesOnCodePages };
  };
  for (let call = 0; ; call++) {
    const budget = r() < 0.3 ? 1 + Math.floor(r() * 8) : r() < 0.6 ? 1 + Math.floor(r() * 300) : 100_000;
    const results = runners.map(([, fn, cpu]) => { const stop = fn(cpu, budget); return { stop, snap: snapshot(cpu, stop) }; });
    for (let i = 1; i < runners.length; i++) {
      if (results[i]!.snap !== results[0]!.snap) {
        assert.fail(`seed ${seed}, run call ${call} (budget ${budget}): ${runners[i]![0]} differs from the interpreter\n interp: ${results[0]!.snap}\n ${runners[i]![0]}: ${results[i]!.snap}`);
      }
    }
    const cpu0 = runners[0]![2];
    const stop = results[0]!.stop;
    if (stop === Stop.SYSCALL || cpu0.retired > MAX_INSTRUCTIONS) return outcome();
    if (stop === Stop.FAULT) {
      faults++;
      // Step over the faulting instruction in all three (a fault, not a trap: EIP is at it).
      const next = p.next.get(cpu0.eip >>> 0);
      if (next === undefined) return outcome(); // ran into overwritten code
      for (const [, , cpu] of runners) cpu.eip = next;
    }
  }
}

test(`random programs: interpreter, JIT and eager JIT agree (${PROGRAMS} programs from seed ${SEED})`, () => {
  const sum: Outcome = { instructions: 0, faults: 0, regions: 0, dataOnCodePage: 0 };
  for (let i = 0; i < PROGRAMS; i++) {
    const o = lockstep(randomProgram(SEED + i), SEED + i);
    sum.instructions += o.instructions;
    sum.faults += o.faults;
    sum.regions += o.regions;
    sum.dataOnCodePage += o.dataOnCodePage;
  }
  // The programs must exercise what they are for: translation, faults inside regions, data beside code.
  assert.ok(sum.instructions > PROGRAMS * 20, `instructions: ${sum.instructions}`);
  assert.ok(sum.regions >= PROGRAMS, `regions translated: ${sum.regions}`);
  assert.ok(sum.faults > 0, 'some programs fault');
  assert.ok(sum.dataOnCodePage > 0, 'some programs write data on their code page');
});
