/**
 * The x87 register stack and status word, as the handlers use them.
 *
 * Model (docs/cpu-fpu.md): each register holds an IEEE double, not an
 * 80-bit extended value; X87State.exact keeps the int64 a register was
 * loaded with by FILD m64, so FILD m64 -> FISTP m64 round-trips exactly.
 * Exceptions always get the masked response (IE/ZE/... set in the status
 * word, the default result produced); #MF is never raised.
 *
 * Tags: the tag array only distinguishes empty (3) from non-empty (0) on
 * the hot path; the architectural tag word (valid/zero/special) is derived
 * from the values when it is stored (fnstenv, fnsave, fxsave).
 *
 * Stack faults (SDM vol. 1, 8.5.1.1): reading an empty register is a stack
 * underflow, pushing onto a non-empty one a stack overflow; both set IE and
 * SF (C1 = 1 for overflow, 0 for underflow) and produce the QNaN
 * indefinite, which then flows through the operation like any NaN.
 */
import type { Cpu } from '../cpu.js';
import { Vector } from '../fault.js';
import type { X87State } from '../state.js';
import { FP, F_DE, F_IE, F_ZE, MIN_NORMAL32, MIN_NORMAL64 } from './fp-round.js';

export const SW_IE = 1 << 0;
export const SW_DE = 1 << 1;
export const SW_ZE = 1 << 2;
export const SW_OE = 1 << 3;
export const SW_UE = 1 << 4;
export const SW_PE = 1 << 5;
export const SW_SF = 1 << 6;
export const SW_ES = 1 << 7;
export const SW_C0 = 1 << 8;
export const SW_C1 = 1 << 9;
export const SW_C2 = 1 << 10;
export const SW_C3 = 1 << 14;
export const SW_B = 1 << 15;
export const SW_TOP_SHIFT = 11;
/** The condition-code bits. */
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

/** Control word: precision control (bits 8..9; 0 = 24-bit) and rounding control (bits 10..11). */
export const CW_PC_MASK = 0x300;
export const CW_RC_SHIFT = 10;

// Bit-level reinterpretation scratch.
const buf = new ArrayBuffer(8);
export const SF64 = new Float64Array(buf);
export const SI32 = new Int32Array(buf);
export const SF32 = new Float32Array(buf);

/** A double from its bits (NaN payloads preserved). */
export function fromBits64(lo: number, hi: number): number {
  SI32[0] = lo;
  SI32[1] = hi;
  return SF64[0]!;
}

/** The QNaN "real indefinite" (0xFFF8000000000000), what masked invalid operations produce. */
export const INDEFINITE = fromBits64(0, 0xfff80000 | 0);

/** Physical register of ST(i). */
export function phys(x: X87State, i: number): number {
  return (x.top + i) & 7;
}

/** ST(i), or the indefinite with a stack-underflow fault when it is empty. */
export function getST(x: X87State, i: number): number {
  const p = (x.top + i) & 7;
  if (x.tag[p] !== TAG_EMPTY) return x.r[p]!;
  stackUnderflow(x);
  return INDEFINITE;
}

export function stackUnderflow(x: X87State): void {
  x.sw = (x.sw | SW_IE | SW_SF) & ~SW_C1;
  FP.flags |= F_IE;
}

/** Writes ST(i) (marking it valid and dropping its exact-int64 shadow). */
export function setST(x: X87State, i: number, v: number): void {
  const p = (x.top + i) & 7;
  x.r[p] = v;
  x.tag[p] = TAG_VALID;
  x.exactValid &= ~(1 << p);
}

/** Pushes v; onto a full register it pushes the indefinite and flags a stack overflow. */
export function push(x: X87State, v: number): void {
  const p = (x.top - 1) & 7;
  x.top = p;
  if (x.tag[p] !== TAG_EMPTY) {
    x.sw |= SW_IE | SW_SF | SW_C1;
    FP.flags |= F_IE;
    v = INDEFINITE;
  } else {
    x.sw &= ~SW_C1;
  }
  x.r[p] = v;
  x.tag[p] = TAG_VALID;
  x.exactValid &= ~(1 << p);
}

/** Pops ST(0) (marks it empty). */
export function pop(x: X87State): void {
  const p = x.top;
  x.tag[p] = TAG_EMPTY;
  x.exactValid &= ~(1 << p);
  x.top = (p + 1) & 7;
}

/** Rounding control of the control word. */
export function cwRc(x: X87State): number {
  return (x.cw >>> CW_RC_SHIFT) & 3;
}

/**
 * The NaN an arithmetic operation on a and b returns when one of them is a
 * NaN (x87 column of SDM vol. 1, table 4-7): an SNaN is quieted and sets IE;
 * of two NaNs the one with the larger significand wins (a QNaN over an SNaN
 * when they tie); with no NaN operand the operation was invalid: the
 * indefinite, and IE.
 */
export function nanResult(x: X87State, a: number, b: number): number {
  const aN = a !== a, bN = b !== b;
  if (!aN && !bN) {
    x.sw |= SW_IE;
    return INDEFINITE;
  }
  SF64[0] = a;
  const ahi = SI32[1]!, alo = SI32[0]!;
  SF64[0] = b;
  const bhi = SI32[1]!, blo = SI32[0]!;
  if ((aN && (ahi & 0x80000) === 0) || (bN && (bhi & 0x80000) === 0)) x.sw |= SW_IE;
  let hi: number, lo: number;
  if (aN && bN) {
    const am = (ahi & 0x7ffff) * 4294967296 + (alo >>> 0), bm = (bhi & 0x7ffff) * 4294967296 + (blo >>> 0);
    if (am > bm || (am === bm && (ahi & 0x80000) !== 0)) { hi = ahi; lo = alo; } else { hi = bhi; lo = blo; }
  } else if (aN) { hi = ahi; lo = alo; } else { hi = bhi; lo = blo; }
  return fromBits64(lo, hi | 0x80000);
}

/** Architectural tag of a physical register, derived from its value. */
export function tagOf(x: X87State, p: number): number {
  if (x.tag[p] === TAG_EMPTY) return TAG_EMPTY;
  const v = x.r[p]!;
  if (v === 0) return TAG_ZERO;
  return v - v === 0 ? TAG_VALID : TAG_SPECIAL;
}

/** The 16-bit tag word (2 bits per physical register). */
export function tagWord(x: X87State): number {
  let w = 0;
  for (let p = 0; p < 8; p++) w |= tagOf(x, p) << (2 * p);
  return w;
}

/** Loads a tag word: only "empty" matters to this model. */
export function setTagWord(x: X87State, w: number): void {
  for (let p = 0; p < 8; p++) x.tag[p] = ((w >>> (2 * p)) & 3) === TAG_EMPTY ? TAG_EMPTY : TAG_VALID;
  x.exactValid = 0;
}

/** The status word with TOP (and B mirroring ES). */
export function statusWord(x: X87State): number {
  const sw = (x.sw & ~(7 << SW_TOP_SHIFT) & ~SW_B) | (x.top << SW_TOP_SHIFT);
  return (sw & SW_ES) !== 0 ? sw | SW_B : sw;
}

/** Loads a status word (fldenv, frstor, fxrstor): TOP goes to x.top. */
export function setStatusWord(x: X87State, w: number): void {
  x.top = (w >>> SW_TOP_SHIFT) & 7;
  x.sw = w & ~(7 << SW_TOP_SHIFT) & 0xffff;
}

/** FNINIT state. */
export function resetX87(x: X87State): void {
  x.cw = 0x037f;
  x.sw = 0;
  x.top = 0;
  x.tag.fill(TAG_EMPTY);
  x.exactValid = 0;
}

/**
 * Merges the exception flags of the current instruction (FP.flags) into
 * the status word. An unmasked exception sets ES (and B): the next waiting
 * x87 instruction raises #MF (checkPending). Returns true when an unmasked
 * pre-computation exception (invalid, denormal, zero divide) happened: the
 * instruction must then leave its destination and the stack unchanged.
 */
export function commitX87(x: X87State): boolean {
  const f = FP.flags & 0x3f;
  if (f === 0) return false;
  x.sw |= f;
  const unmasked = f & ~x.cw & 0x3f;
  if (unmasked === 0) return false;
  x.sw |= SW_ES | SW_B;
  return (unmasked & (F_IE | F_DE | F_ZE)) !== 0;
}

/** Waiting x87 instructions first deliver a pending unmasked exception as #MF. */
export function checkPending(cpu: Cpu): void {
  if ((cpu.x87.sw & SW_ES) !== 0) cpu.raise(Vector.MF);
}

/** C1 after a rounded result: 1 when the magnitude was rounded up (FP.e is the sign of exact - result). */
export function setC1Rounded(x: X87State, r: number): void {
  const up = (r > 0 && FP.e < 0) || (r < 0 && FP.e > 0);
  x.sw = up ? x.sw | SW_C1 : x.sw & ~SW_C1;
}

/** A double memory operand that is denormal raises DE (it is a normal number once in a register). */
export function denormOperand(v: number, single: boolean): void {
  if (v !== 0 && Math.abs(v) < (single ? MIN_NORMAL32 : MIN_NORMAL64)) FP.flags |= F_DE;
}
