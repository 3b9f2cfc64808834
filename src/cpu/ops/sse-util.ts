/**
 * Shared pieces of the SSE/SSE2 handlers: the scratch operand register,
 * operand loads/stores, MXCSR bits, rounding and NaN rules (SDM vol. 1,
 * 4.8.3 and 11.5; vol. 2 per instruction).
 *
 * Every handler first copies its source operand (register or memory) into
 * the scratch `T`, then works on T and the destination register. One copy
 * path serves both operand kinds, and a source that is also the destination
 * (shufps xmm1, xmm1) cannot be overwritten half-way.
 *
 * Nothing here allocates: the scratch views live at module level and the
 * engine runs one CPU per worker.
 */
import type { Cpu } from '../cpu.js';
import { Vector } from '../fault.js';
import type { SseState } from '../state.js';
import { FP, F_DE, F_IE, F_PE, MIN_NORMAL32, MIN_NORMAL64 } from './fp-round.js';

// ---- MXCSR (SDM vol. 1, 10.2.3) ----
export const MX_IE = 1 << 0; // invalid operation
export const MX_DE = 1 << 1; // denormal operand
export const MX_ZE = 1 << 2; // divide by zero
export const MX_OE = 1 << 3;
export const MX_UE = 1 << 4;
export const MX_PE = 1 << 5; // precision (inexact)
export const MX_RC_SHIFT = 13;
/** Bits a program may set (ldmxcsr/fxrstor): everything but bits 16..31. DAZ (bit 6) is supported since the Pentium 4 steppings with SSE3. */
export const MXCSR_MASK = 0xffff;

/** Rounding control values (MXCSR.RC and the x87 CW.RC share the encoding). */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** The "integer indefinite" stored by failed float->int32 conversions. */
export const INT32_INDEFINITE = 0x80000000 | 0;
/** High dword of the default double QNaN ("real indefinite", 0xFFF8000000000000). */
export const QNAN64_HI = 0xfff80000 | 0;
/** The default single QNaN, 0xFFC00000. */
export const QNAN32 = 0xffc00000 | 0;

/**
 * The scratch operand, seen through every lane type: dwords 0..3 hold the
 * loaded source operand, 4..7 a second xmm-sized temporary, 8..11 a
 * reinterpretation area for bit-level conversions, 12..15 staged results
 * (written to the destination only once no unmasked exception occurred).
 */
const tBuf = new ArrayBuffer(64);
export const T = {
  i32: new Int32Array(tBuf),
  u32: new Uint32Array(tBuf),
  f32: new Float32Array(tBuf),
  f64: new Float64Array(tBuf),
  u8: new Uint8Array(tBuf),
  i8: new Int8Array(tBuf),
  u16: new Uint16Array(tBuf),
  i16: new Int16Array(tBuf),
};

/** Legacy-SSE m128 operands of aligned forms (movaps, addps m128, ...) must be 16-byte aligned: #GP(0). */
export function checkAlign16(cpu: Cpu, a: number): void {
  if ((a & 15) !== 0) cpu.raise(Vector.GP, 0);
}

/** Reads 16 bytes at `a` into T.i32[0..3] (every dword is read before anything else changes). */
export function readM128(cpu: Cpu, a: number): void {
  const t = T.i32;
  t[0] = cpu.read32(a);
  t[1] = cpu.read32((a + 4) | 0);
  t[2] = cpu.read32((a + 8) | 0);
  t[3] = cpu.read32((a + 12) | 0);
}

/** Writes 16 bytes from `src` at dword index `i`; the range is probed first so a fault writes nothing. */
export function writeM128(cpu: Cpu, a: number, src: Int32Array, i: number): void {
  cpu.probeWrite(a, 16);
  cpu.write32(a, src[i]!);
  cpu.write32((a + 4) | 0, src[i + 1]!);
  cpu.write32((a + 8) | 0, src[i + 2]!);
  cpu.write32((a + 12) | 0, src[i + 3]!);
}

/** Source xmm/m128 into T.i32[0..3]; `aligned` enforces the 16-byte alignment of the legacy forms. */
export function loadW128(cpu: Cpu, s: number, aligned: boolean): void {
  const r = cpu.d.rm[s]!;
  if (r >= 0) {
    const x = cpu.sse.i32, t = T.i32, o = r << 2;
    t[0] = x[o]!; t[1] = x[o + 1]!; t[2] = x[o + 2]!; t[3] = x[o + 3]!;
    return;
  }
  const a = cpu.ea(s);
  if (aligned) checkAlign16(cpu, a);
  readM128(cpu, a);
}

/** Source xmm/m64 (low qword) into T.i32[0..1]. */
export function loadW64(cpu: Cpu, s: number): void {
  const r = cpu.d.rm[s]!;
  const t = T.i32;
  if (r >= 0) {
    const x = cpu.sse.i32, o = r << 2;
    t[0] = x[o]!; t[1] = x[o + 1]!;
    return;
  }
  cpu.read64(cpu.ea(s), t, 0);
}

/** Source xmm/m32 (low dword) into T.i32[0]. */
export function loadW32(cpu: Cpu, s: number): void {
  const r = cpu.d.rm[s]!;
  T.i32[0] = r >= 0 ? cpu.sse.i32[r << 2]! : cpu.read32(cpu.ea(s));
}

// ---- NaNs (SDM vol. 1, 4.8.3.5 and table 4-7, SSE column) ----

export function isNaN64(hi: number, lo: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
}

export function isNaN32(b: number): boolean {
  return (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0;
}

/**
 * The result of a binary double op with a NaN operand or an invalid
 * operation, as bits into out[o..o+1]: the first operand's NaN wins,
 * quieted; else the second's; else (0/0, inf-inf, sqrt(-1), ...) the
 * default QNaN. SNaN operands and invalid operations set IE in FP.flags.
 * First operand bits at a[ai..ai+1], second at b[bi..bi+1].
 */
export function nanResult64(a: Int32Array, ai: number, b: Int32Array, bi: number, out: Int32Array, o: number): void {
  const ahi = a[ai + 1]!, alo = a[ai]!, bhi = b[bi + 1]!, blo = b[bi]!;
  if (isNaN64(ahi, alo)) {
    if ((ahi & 0x80000) === 0 || (isNaN64(bhi, blo) && (bhi & 0x80000) === 0)) FP.flags |= F_IE;
    out[o] = alo; out[o + 1] = ahi | 0x80000;
  } else if (isNaN64(bhi, blo)) {
    if ((bhi & 0x80000) === 0) FP.flags |= F_IE;
    out[o] = blo; out[o + 1] = bhi | 0x80000;
  } else {
    FP.flags |= F_IE;
    out[o] = 0; out[o + 1] = QNAN64_HI;
  }
}

/** As nanResult64 for single lanes. */
export function nanResult32(a: number, b: number, out: Int32Array, o: number): void {
  if (isNaN32(a)) {
    if ((a & 0x400000) === 0 || (isNaN32(b) && (b & 0x400000) === 0)) FP.flags |= F_IE;
    out[o] = a | 0x400000;
  } else if (isNaN32(b)) {
    if ((b & 0x400000) === 0) FP.flags |= F_IE;
    out[o] = b | 0x400000;
  } else {
    FP.flags |= F_IE;
    out[o] = QNAN32;
  }
}

/**
 * Ends the computing half of an SSE FP instruction: merges FP.flags into
 * MXCSR and raises #XM when one of them is unmasked (the destination is
 * then left unchanged: callers write results only after this returns).
 */
export function commitFlags(cpu: Cpu): void {
  const x = cpu.sse, f = FP.flags;
  if (f === 0) return;
  x.mxcsr |= f;
  if ((f & ~(x.mxcsr >>> 7) & 0x3f) !== 0) cpu.raise(Vector.XM);
}

/** MXCSR.DAZ: denormal inputs read as zero. */
export const MX_DAZ = 1 << 6;
/** MXCSR.FTZ: tiny results flushed to zero (with underflow masked). */
export const MX_FTZ = 1 << 15;

/** Flush-to-zero is in effect: FTZ set and underflow masked. */
export function ftzOn(x: SseState): boolean {
  return (x.mxcsr & (MX_FTZ | (MX_UE << 7))) === (MX_FTZ | (MX_UE << 7));
}

/** An input operand: denormal -> DE, or zero (keeping the sign) under DAZ. */
export function denormIn(v: number, single: boolean, daz: boolean): number {
  if (v !== 0 && Math.abs(v) < (single ? MIN_NORMAL32 : MIN_NORMAL64)) {
    if (daz) return v > 0 ? 0 : -0;
    FP.flags |= F_DE;
  }
  return v;
}

// ---- Rounding ----

/** Rounds to an integer-valued double, ties to even. */
export function roundEven(v: number): number {
  const r = Math.round(v); // ties toward +inf
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rounds to an integer-valued double with rounding control `rc`. */
export function roundRc(v: number, rc: number): number {
  switch (rc) {
    case RC_NEAREST: return roundEven(v);
    case RC_DOWN: return Math.floor(v);
    case RC_UP: return Math.ceil(v);
    default: return Math.trunc(v);
  }
}

/**
 * Float -> int32 with rounding control: out of range or NaN gives the
 * integer indefinite and sets IE; an inexact result sets PE (in FP.flags).
 */
export function toInt32(v: number, rc: number): number {
  const r = roundRc(v, rc);
  if (r >= -2147483648 && r <= 2147483647) {
    if (r !== v) FP.flags |= F_PE;
    return r | 0;
  }
  FP.flags |= F_IE;
  return INT32_INDEFINITE;
}

/** Rounding control of MXCSR. */
export function mxRc(x: SseState): number {
  return (x.mxcsr >>> MX_RC_SHIFT) & 3;
}
