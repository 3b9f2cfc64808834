/**
 * The basic-block JIT (docs/jit.md): hot guest code translated to
 * JavaScript functions from the opcode table's templates.
 *
 *   runJit(cpu, budget) has exactly the contract of run(cpu, budget) in
 *   src/cpu/interpreter.ts (Stop.BUDGET / SYSCALL / FAULT, cpu.retired, EIP
 *   rules), so the kernel and the early layer switch with one option.
 */
import type { Cpu } from '../cpu/cpu.js';
import type { Stop } from '../cpu/fault.js';
import { run } from '../cpu/interpreter.js';
import { jitOf } from './runtime.js';

export { jitOf, jitTotals, JitState, DEFAULT_THRESHOLD, type JitOptions, type JitStats } from './runtime.js';
export { CodeMap } from './code-map.js';
export { emitterCoverage } from './emitters.js';

/** Runs with the JIT: translates hot code, interprets the rest. */
export function runJit(cpu: Cpu, budget: number): Stop {
  return jitOf(cpu).run(budget);
}

/** Runs with every block translated at its first execution (the tests' third mode). */
export function runJitEager(cpu: Cpu, budget: number): Stop {
  return jitOf(cpu, { threshold: 0 }).run(budget);
}

export type CpuEngine = 'interp' | 'jit' | 'jit-eager';
/** The engine `neptune run`, the early layer and KernelCore use unless told otherwise. */
export const DEFAULT_ENGINE: CpuEngine = 'jit';
export type Runner = (cpu: Cpu, budget: number) => Stop;

/** The run loop for an engine name. */
export function runnerFor(engine: CpuEngine): Runner {
  return engine === 'interp' ? run : engine === 'jit' ? runJit : runJitEager;
}

/**
 * The engine chosen by the environment: NEPTUNE_CPU_ENGINE = interp | jit |
 * jit-eager (the tests run every CPU test under each), else `fallback`.
 */
export function engineFromEnv(fallback: CpuEngine): CpuEngine {
  const v = typeof process !== 'undefined' ? process.env['NEPTUNE_CPU_ENGINE'] : undefined;
  if (v === 'interp' || v === 'jit' || v === 'jit-eager') return v;
  if (v !== undefined && v !== '') throw new Error(`NEPTUNE_CPU_ENGINE=${v}: expected interp, jit or jit-eager`);
  return fallback;
}
