/**
 * The engine under test, loaded at run time: the decoder and the run loop
 * are being written concurrently, so the oracle tests import them by a
 * computed path and skip (with a message) while they do not exist yet,
 * instead of failing to compile.
 */
import type { Cpu } from '../../../src/cpu/cpu.js';
import type { OpRow } from '../../../src/cpu/table/types.js';

export interface Engine {
  decodeInstruction(cpu: Cpu, eip: number, s: number): void;
  /** Returns a Stop (src/cpu/fault.ts): 0 budget, 1 syscall, 2 fault, 3 halt. */
  run(cpu: Cpu, budget: number): number;
  opTable: readonly OpRow[];
  Cpu: typeof Cpu;
  GuestRam: typeof import('../../../src/machine/ram.js').GuestRam;
  PageTables: typeof import('../../../src/mmu/page-tables.js').PageTables;
}

export const STOP_BUDGET = 0;
export const STOP_SYSCALL = 1;
export const STOP_FAULT = 2;
export const STOP_HALT = 3;

export const VEC_DE = 0;
export const VEC_BP = 3;
export const VEC_UD = 6;
export const VEC_GP = 13;
export const VEC_PF = 14;

async function importOptional(rel: string): Promise<Record<string, unknown> | null> {
  const url = new URL(rel, import.meta.url).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(rel.split('/').pop()!)) return null;
    throw e;
  }
}

/** The engine, or a sentence saying what is missing. */
export async function loadEngine(): Promise<Engine | string> {
  const dec = await importOptional('../../../src/cpu/decoder.js');
  const interp = await importOptional('../../../src/cpu/interpreter.js');
  const missing: string[] = [];
  if (dec === null || typeof dec['decodeInstruction'] !== 'function') missing.push('src/cpu/decoder.ts (decodeInstruction)');
  if (interp === null || typeof interp['run'] !== 'function') missing.push('src/cpu/interpreter.ts (run)');
  if (missing.length > 0) return `engine not available yet: ${missing.join(', ')}`;
  const table = (await import('../../../src/cpu/table/index.js')).opTable;
  const { Cpu } = await import('../../../src/cpu/cpu.js');
  const { GuestRam } = await import('../../../src/machine/ram.js');
  const { PageTables } = await import('../../../src/mmu/page-tables.js');
  if (table.length === 0) return 'engine not available yet: the opcode table (src/cpu/table) is empty';
  // NEPTUNE_CPU_ENGINE=jit | jit-eager runs the fixtures through the JIT (tests/jit/modes.test.ts).
  const jit = await import('../../../src/jit/index.js');
  const mode = jit.engineFromEnv('interp');
  return {
    decodeInstruction: dec!['decodeInstruction'] as Engine['decodeInstruction'],
    run: mode === 'interp' ? (interp!['run'] as Engine['run']) : jit.runnerFor(mode),
    opTable: table,
    Cpu,
    GuestRam,
    PageTables,
  };
}

/**
 * Runs `f` and returns the vector of the CPU exception it raised, or -1
 * when it returned normally. Other exceptions propagate.
 */
export function vectorOf(cpu: Cpu, f: () => void): number {
  try {
    f();
    return -1;
  } catch (e) {
    if (e === cpu.exception) return cpu.fault.vector;
    throw e;
  }
}
