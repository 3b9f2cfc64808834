/**
 * The opcode table: integer, SSE/SSE2 and x87 rows, concatenated. Row index
 * = handler id stored in DecodedSlots.op.
 */
import type { Exec, OpRow } from './types.js';
import { intRows } from './int.js';
import { sseRows } from './sse.js';
import { x87Rows } from './x87.js';

export const opTable: readonly OpRow[] = [...intRows, ...sseRows, ...x87Rows];

/** Handlers by row index: what the run loop calls. */
export const execs: readonly Exec[] = opTable.map((r) => r.exec);
