/**
 * The opcode table: integer, SSE/SSE2 and x87 rows, concatenated. Row index
 * = handler id stored in DecodedSlots.op.
 */
import type { Exec, OpRow } from './types.js';
import { Vector } from '../fault.js';
import { intRows } from './int.js';
import { sseRows } from './sse.js';
import { x87Rows } from './x87.js';

export const opTable: readonly OpRow[] = [...intRows, ...sseRows, ...x87Rows];

/** Rows of the SSE and x87 tables that are no FPU instructions: CR0.TS does not stop them. */
const NOT_FPU = /^(lfence|mfence|sfence|clflush|clflushopt|prefetch\w*) /;

/**
 * An x87/SSE handler behind the CR0.TS check (Cpu.fpuTrap): #NM before
 * the instruction reads or writes anything, so the kernel can hand the FPU
 * registers over and run it again.
 */
function fpuGuarded(exec: Exec): Exec {
  return (cpu, s) => {
    if (cpu.fpuTrap !== 0) cpu.raise(Vector.NM);
    exec(cpu, s);
  };
}

const fpuRows = new Set<OpRow>([...sseRows, ...x87Rows].filter((r) => !NOT_FPU.test(r.name + ' ')));

/** Handlers by row index: what the run loop calls (the JIT calls them for rows it has no template for). */
export const execs: readonly Exec[] = opTable.map((r) => (fpuRows.has(r) ? fpuGuarded(r.exec) : r.exec));
