/**
 * The semantics fixtures: memory layout shared by the native harness
 * (native/harness.c) and the engine runner, and the JSON shape of a case.
 *
 * Every case runs in two layouts, both measured natively:
 *   A  code at CODE_BASE+0x400, 64-byte buffer at DATA_BASE+0x800 (aligned), ESP = STACK_BASE+0x1000;
 *   B  code at CODE_BASE+0xffd (its first instruction crosses a page),
 *      buffer at DATA_BASE+0xfff (word/dword/qword operands at [buf] cross a page),
 *      ESP = STACK_BASE+0x1002 (pushes and pops cross a page).
 * Register values in a case may be symbolic ("b+N": buffer + N, "s+N": initial
 * stack pointer + N), resolved per layout; code must address memory only
 * through registers or through the fixed tail window (TAIL), so that the same
 * bytes run in both layouts.
 */
export const CODE_BASE = 0x10000000;
export const DATA_BASE = 0x10100000;
export const STACK_BASE = 0x10200000;
export const REGION = 0x2000;
/** First unmapped page after the data region (#PF cases). */
export const GUARD = DATA_BASE + REGION;
/** 16-byte window at a fixed address (moffs and absolute-address forms). */
export const TAIL = DATA_BASE + 0x1ff0;
/** 64-byte window of the stack that is initialized and compared. */
export const STACK_WINDOW = STACK_BASE + 0xfe0;

export interface Layout {
  readonly name: 'A' | 'B';
  readonly code: number;
  readonly buf: number;
  readonly esp: number;
}

export const LAYOUTS: readonly Layout[] = [
  { name: 'A', code: CODE_BASE + 0x400, buf: DATA_BASE + 0x800, esp: STACK_BASE + 0x1000 },
  { name: 'B', code: CODE_BASE + 0x1000 - 3, buf: DATA_BASE + 0x1000 - 1, esp: STACK_BASE + 0x1000 + 2 },
];

/** The EFLAGS bits compared (before the per-case undefined mask): CF PF AF ZF SF DF OF. */
export const COMPARED_FLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;

export const DEFAULT_MXCSR = 0x1f80;
/** x87 control word of the cases: Windows' default (53-bit precision, all exceptions masked). */
export const DEFAULT_FCW = 0x027f;

/** Sizes of the harness records (must match native/harness.c). */
export const IN_RECORD = 64 + 128 + 64 + 16 + 64 + 128;
export const OUT_RECORD = 64 + 64 + 16 + 64 + 512;

/** What the CPU left behind after one case in one layout. */
export interface Result {
  /** eax..edi, 8 hex digits each, concatenated. */
  r: string;
  /** EFLAGS (all bits as the CPU reported them; compare with COMPARED_FLAGS & ~u). */
  f: number;
  /** EIP minus the layout's code address. */
  e: number;
  /** Exception vector that stopped the case: 3 (the final int3) when it completed. */
  v: number;
  /** #PF/#GP error code (low 16 bits); CR2 for #PF. */
  err?: number;
  cr2?: number;
  /** Buffer, tail window, stack window after the case (omitted when unchanged). */
  m?: string;
  t?: string;
  k?: string;
  /** SSE cases: xmm0..7 (128 bytes hex) and MXCSR. */
  x?: string;
  mx?: number;
  /** x87 cases: FSW, abridged tag byte (FXSAVE), control word, ST(0)..ST(7) as 80-bit hex ("" when empty). */
  sw?: number;
  tw?: number;
  cw?: number;
  st?: string[];
}

export interface Case {
  /** Group (opcode / mnemonic), for reporting. */
  g: string;
  /** Code bytes (hex), without the final int3 the runners append. */
  c: string;
  /** Initial eax..edi: 8 hex digits, or "b+N" / "s+N". */
  r: string[];
  /** Initial EFLAGS. */
  f: number;
  /** Initial buffer / tail / stack window (hex), zero when absent. */
  m?: string;
  t?: string;
  k?: string;
  /** Initial xmm0..7 (hex), MXCSR, x87 control word. */
  x?: string;
  mx?: number;
  cw?: number;
  /** EFLAGS bits the SDM leaves undefined after this sequence (not compared). */
  u: number;
  /** Registers (bit n = register n) whose value is architecturally undefined (not compared). */
  ur?: number;
  /** Compare SSE state (1) and/or x87 state (2). */
  fp?: number;
  /** Results in layout A; in layout B only the fields that differ from A (null: absent in B). */
  A: Result;
  B: { [K in keyof Result]?: Result[K] | null };
}

export function resolveReg(v: string, layout: Layout): number {
  if (v.startsWith('b+')) return (layout.buf + parseInt(v.slice(2), 10)) | 0;
  if (v.startsWith('b-')) return (layout.buf - parseInt(v.slice(2), 10)) | 0;
  if (v.startsWith('s+')) return (layout.esp + parseInt(v.slice(2), 10)) | 0;
  if (v.startsWith('s-')) return (layout.esp - parseInt(v.slice(2), 10)) | 0;
  return parseInt(v, 16) | 0;
}

/** The result of a case in a layout: A merged with the B differences. */
export function resultFor(c: Case, layout: Layout): Result {
  if (layout.name === 'A') return c.A;
  const out: Record<string, unknown> = { ...c.A };
  for (const [k, v] of Object.entries(c.B)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out as unknown as Result;
}
