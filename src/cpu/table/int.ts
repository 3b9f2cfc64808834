// Placeholder while this part of the table is being written (see table/index.ts).
import type { OpRow } from './types.js';

export const intRows: OpRow[] = [];
