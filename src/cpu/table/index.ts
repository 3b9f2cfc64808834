/**
 * The opcode table: integer, SSE/SSE2 and x87 rows, concatenated. Row index
 * = handler id stored in DecodedSlots.op.
 */
import type { Exec, OpRow } from './types.js';
import { Vector } from '../fault.js';
import { intRows } from './int.js';
import { sseRows } from './sse.js';
import { x87Rows } from './x87.js';
import { lockedCmpxchg32, lockedExec, lockedXadd32, lockedXchg32 } from '../ops/locked.js';

/**
 * Each lockable row's locked twin (ops/locked.ts), which an SMP core's decoder
 * uses for LOCK-prefixed (and xchg) memory forms. Opcode -1: the decoder's
 * tables never match them directly; their names ('lock ...') match no JIT
 * template and no hot kind.
 */
function lockedTwin(r: OpRow): OpRow {
  const n = r.name;
  const exec = n === 'xchg Ev,Gv' && r.osize === 32 ? lockedXchg32(r.exec)
    : n === 'xadd Ev,Gv' && r.osize === 32 ? lockedXadd32(r.exec)
      : n === 'cmpxchg Ev,Gv' && r.osize === 32 ? lockedCmpxchg32(r.exec)
        : lockedExec(r.exec);
  return { ...r, name: `lock ${n}`, opcode: -1, exec };
}
const lockable = intRows.filter((r) => r.lockable === true && r.mod !== 'reg');
const baseRows: readonly OpRow[] = [...intRows, ...sseRows, ...x87Rows];
export const opTable: readonly OpRow[] = [...baseRows, ...lockable.map(lockedTwin)];

/** Row index -> its locked twin's row index (-1: not lockable). */
export const lockedRow: Int32Array = (() => {
  const t = new Int32Array(opTable.length).fill(-1);
  lockable.forEach((r, i) => { t[baseRows.indexOf(r)] = baseRows.length + i; });
  return t;
})();

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
