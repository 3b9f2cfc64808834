/**
 * Test helpers: a small machine with paging off (identity map over RAM),
 * code loaded at CODE, a stack below STACK, and a runner that stops at the
 * program's final `int 0x80` (or a fault).
 */
import { Cpu } from '../../src/cpu/cpu.js';
import { engineFromEnv, runnerFor } from '../../src/jit/index.js';
import { Stop } from '../../src/cpu/fault.js';
import { GuestRam } from '../../src/machine/ram.js';

export const CODE = 0x1000;
export const DATA = 0x8000;
export const STACK = 0x20000;

export function machine(code: number[] | Uint8Array, ramBytes = 1 << 20): Cpu {
  const cpu = new Cpu(new GuestRam(ramBytes), 1 << 12);
  cpu.ram.u8.set(code, CODE);
  cpu.eip = CODE;
  cpu.reg[4] = STACK;
  return cpu;
}

/**
 * The run loop under test: the interpreter, or the JIT (NEPTUNE_CPU_ENGINE =
 * jit | jit-eager; tests/jit/modes.test.ts runs every CPU test under each).
 */
export const engine = engineFromEnv('interp');
export const runEngine = runnerFor(engine);

/** Runs until a stop other than BUDGET; returns it. */
export function runToStop(cpu: Cpu, budget = 1_000_000): Stop {
  return runEngine(cpu, budget);
}

/** `int 0x80`: the end marker of test programs. */
export const END = [0xcd, 0x80];

export function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}
