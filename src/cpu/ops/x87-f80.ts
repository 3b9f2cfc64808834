/**
 * Conversions between the x87 register model (IEEE double) and the memory
 * formats: 80-bit extended (m80), and single precision where NaN payloads
 * must not be lost to the host's canonical NaN.
 *
 * Extended format (SDM vol. 1, 4.2.2): bits 0..63 significand with an
 * explicit integer bit (63), bits 64..78 exponent (bias 16383), bit 79 sign.
 * Loading rounds the 64-bit significand to the double's 53 bits (nearest
 * even, denormal doubles rounded once at their own precision, values
 * beyond the double range become infinities or zeros); storing is exact.
 */
import type { Cpu } from '../cpu.js';
import { INDEFINITE, SF32, SF64, SI32, fromBits64 } from './x87-core.js';
import { isNaN32 } from './sse-util.js';

const TWO32 = 4294967296;

/** 2^n as a double for -1074 <= n <= 1023 (built from bits: exact). */
function pow2(n: number): number {
  if (n >= -1022) return fromBits64(0, (n + 1023) << 20);
  const k = n + 1074; // denormal: a single fraction bit
  return k >= 32 ? fromBits64(0, 1 << (k - 32)) : fromBits64(1 << k, 0);
}

/**
 * Significand (hi:lo, unsigned halves) shifted right by sh with
 * round-half-even; the result fits in 54 bits and is returned as a number.
 */
function shiftRound(hi: number, lo: number, sh: number): number {
  hi >>>= 0; lo >>>= 0;
  if (sh > 64) return 0;
  let q: number, remHi: number, remLo: number, halfHi: number, halfLo: number;
  if (sh === 0) return hi * TWO32 + lo;
  if (sh < 32) {
    q = hi * 2 ** (32 - sh) + (lo >>> sh);
    remHi = 0; remLo = (lo & ((1 << sh) - 1)) >>> 0;
    halfHi = 0; halfLo = 2 ** (sh - 1);
  } else if (sh < 64) {
    q = sh === 32 ? hi : hi >>> (sh - 32);
    remHi = sh === 32 ? 0 : (hi & ((1 << (sh - 32)) - 1)) >>> 0; remLo = lo;
    if (sh === 32) { halfHi = 0; halfLo = 0x80000000; } else { halfHi = 2 ** (sh - 33); halfLo = 0; }
  } else {
    q = 0; remHi = hi; remLo = lo; halfHi = 0x80000000; halfLo = 0;
  }
  const cmp = remHi !== halfHi ? remHi - halfHi : remLo - halfLo;
  if (cmp > 0 || (cmp === 0 && q % 2 === 1)) q++;
  return q;
}

/** Reads an m80 at `a` and returns it as a double (NaN payload: top 52 fraction bits). */
export function readF80(cpu: Cpu, a: number): number {
  const lo = cpu.read32(a), hi = cpu.read32((a + 4) | 0), se = cpu.read16((a + 8) | 0);
  return f80ToDouble(lo, hi, se);
}

export function f80ToDouble(lo: number, hi: number, se: number): number {
  const sign = (se & 0x8000) !== 0 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0x7fff) {
    if ((hi & 0x7fffffff) === 0 && lo === 0) return (hi & 0x80000000) !== 0 ? sign * Infinity : INDEFINITE;
    if ((hi & 0x80000000) === 0) return INDEFINITE; // pseudo-NaN: invalid operand
    // NaN: fraction bits 62..11 become the double's 51..0 (bit 62 = quiet bit).
    const dhi = (se & 0x8000 ? 0x80000000 : 0) | 0x7ff00000 | ((hi >>> 11) & 0xfffff);
    const dlo = ((hi << 21) | (lo >>> 11)) | 0;
    return fromBits64(dlo, (dhi | ((((hi >>> 11) & 0xfffff) | dlo) === 0 ? 1 : 0)) | 0);
  }
  if (hi === 0 && lo === 0) return sign === 1 ? 0 : -0;
  if ((hi & 0x80000000) === 0 && exp !== 0) return INDEFINITE; // unnormal: invalid operand
  // value = significand * 2^(e - 63), e = unbiased exponent of the integer bit.
  let e = (exp === 0 ? 1 : exp) - 16383;
  // Normalize denormal/pseudo-denormal significands so bit 63 is set.
  let h = hi >>> 0, l = lo >>> 0;
  while (h < 0x80000000) { h = ((h << 1) | (l >>> 31)) >>> 0; l = (l << 1) >>> 0; e--; }
  if (e > 1023) return sign * Infinity;
  if (e >= -1022) {
    let q = shiftRound(h, l, 11); // 53 bits, or 2^53 after a carry
    if (q === 2 ** 53) { q = 2 ** 52; e++; if (e > 1023) return sign * Infinity; }
    return sign * q * pow2(e - 52);
  }
  // Denormal double: keep the bits at or above 2^-1074.
  const q = shiftRound(h, l, 11 + (-1022 - e));
  return sign * q * pow2(-1074);
}

/** Writes the double v as an m80 at `a` (exact); the 10 bytes are probed first. */
export function writeF80(cpu: Cpu, a: number, v: number): void {
  cpu.probeWrite(a, 10);
  doubleToF80(v);
  cpu.write32(a, F80[0]!);
  cpu.write32((a + 4) | 0, F80[1]!);
  cpu.write16((a + 8) | 0, F80[2]!);
}

/** Result of doubleToF80: significand lo, hi, sign+exponent. */
export const F80 = new Int32Array(3);

export function doubleToF80(v: number): void {
  SF64[0] = v;
  const dlo = SI32[0]!, dhi = SI32[1]!;
  const sign = dhi & 0x80000000 ? 0x8000 : 0;
  const dexp = (dhi >>> 20) & 0x7ff;
  const frHi = dhi & 0xfffff;
  if (dexp === 0x7ff) {
    // Inf or NaN: integer bit set, fraction shifted up by 11.
    F80[1] = (0x80000000 | (frHi << 11) | (dlo >>> 21)) | 0;
    F80[0] = dlo << 11;
    F80[2] = sign | 0x7fff;
    return;
  }
  if (dexp === 0) {
    if (frHi === 0 && dlo === 0) { F80[0] = 0; F80[1] = 0; F80[2] = sign; return; }
    // Double denormal: normal in extended. Shift the fraction up until bit 63.
    let h = ((frHi << 11) | (dlo >>> 21)) >>> 0, l = (dlo << 11) >>> 0, e = -1022;
    while (h < 0x80000000) { h = ((h << 1) | (l >>> 31)) >>> 0; l = (l << 1) >>> 0; e--; }
    // value = (h:l / 2^63) * 2^e: the fraction << 11 starts at e = -1022, one less per shift.
    F80[0] = l | 0; F80[1] = h | 0; F80[2] = sign | (e + 16383);
    return;
  }
  F80[1] = (0x80000000 | (frHi << 11) | (dlo >>> 21)) | 0;
  F80[0] = dlo << 11;
  F80[2] = sign | (dexp - 1023 + 16383);
}

// ---- single precision, payload-preserving ----

/** The number an m32 holds; an SNaN is quieted (the caller raises IE). */
export function f32BitsToNumber(b: number): number {
  if (isNaN32(b)) {
    return fromBits64((b & 7) << 29, ((b & 0x80000000) | 0x7ff80000 | ((b & 0x7fffff) >>> 3)) | 0);
  }
  SI32[0] = b;
  return SF32[0]!;
}

/** Bits of a NaN double narrowed to single (quieted, top 23 fraction bits kept). */
export function nanToF32Bits(v: number): number {
  SF64[0] = v;
  const hi = SI32[1]!, lo = SI32[0]!;
  return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
}

/** Bits of a float32 number (not NaN). */
export function f32Bits(f: number): number {
  SF32[0] = f;
  return SI32[0]!;
}
