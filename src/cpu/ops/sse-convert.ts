/**
 * SSE/SSE2 conversions between int32, single and double.
 *
 * Rounding: conversions that can be inexact follow MXCSR.RC (cvtsi2ss,
 * cvtsd2ss, cvtss2si, cvtsd2si, cvtdq2ps, cvtps2dq, cvtpd2ps, cvtpd2dq);
 * the cvtt* forms always truncate. A float->int32 conversion that is out of
 * range, or of a NaN, gives 0x80000000 (the "integer indefinite") and sets
 * MXCSR.IE. Flags go through FP.flags and commitFlags (#XM when unmasked).
 * NaN payloads survive single<->double conversion as the SDM
 * describes: quieted, the significand's top bits kept.
 */
import type { Cpu } from '../cpu.js';
import type { SseState } from '../state.js';
import {
  MX_DAZ, RC_ZERO, T, commitFlags, denormIn, ftzOn, isNaN32, isNaN64, loadW128, loadW32, loadW64, mxRc, toInt32,
} from './sse-util.js';
import { FP, F_IE, MIN_NORMAL32, finish, toSingle } from './fp-round.js';

/** Double (bits in src[i..i+1]) -> single bits into out[o], with RC, FTZ, DAZ. */
function d2s(x: SseState, src: Int32Array, i: number, out: Int32Array, o: number): void {
  const hi = src[i + 1]!, lo = src[i]!;
  if (isNaN64(hi, lo)) {
    if ((hi & 0x80000) === 0) FP.flags |= F_IE;
    out[o] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
    return;
  }
  // Reinterpret through T's conversion area (dwords 8..9), not touched by operand loads.
  T.i32[8] = lo; T.i32[9] = hi;
  const v = denormIn(T.f64[4]!, false, (x.mxcsr & MX_DAZ) !== 0);
  let f = toSingle(v, 0);
  if (f - f === 0 ? FP.e !== 0 || (f !== 0 && Math.abs(f) < MIN_NORMAL32) : v - v === 0) f = finish(f, FP.e, true, mxRc(x), ftzOn(x));
  T.f32[10] = f;
  out[o] = T.i32[10]!;
}

/** Single bits b -> double bits into out[o..o+1]: exact. */
function s2d(x: SseState, b: number, out: Int32Array, o: number): void {
  if (isNaN32(b)) {
    if ((b & 0x400000) === 0) FP.flags |= F_IE;
    out[o + 1] = (b & 0x80000000) | 0x7ff80000 | ((b & 0x7fffff) >>> 3);
    out[o] = (b & 7) << 29;
    return;
  }
  T.i32[10] = b;
  T.f64[4] = denormIn(T.f32[10]!, true, (x.mxcsr & MX_DAZ) !== 0);
  out[o] = T.i32[8]!; out[o + 1] = T.i32[9]!;
}

/** int32 -> single with RC. */
function i2s(x: SseState, n: number): number {
  const f = toSingle(n, 0);
  return FP.e !== 0 ? finish(f, FP.e, true, mxRc(x), false) : f;
}

const R = 12; // staged results in T

// ---- int32 -> float ----

/** cvtsi2ss V,Ed (F3 0F 2A). */
export function cvtsi2ss(cpu: Cpu, s: number): void {
  const n = cpu.readE32(s), x = cpu.sse;
  FP.flags = 0;
  const f = i2s(x, n);
  commitFlags(cpu);
  x.f32[cpu.d.reg[s]! << 2] = f;
}

/** cvtsi2sd V,Ed (F2 0F 2A): exact. */
export function cvtsi2sd(cpu: Cpu, s: number): void {
  cpu.sse.f64[cpu.d.reg[s]! << 1] = cpu.readE32(s);
}

/** cvtdq2ps V,W (0F 5B). */
export function cvtdq2ps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  for (let i = 0; i < 4; i++) T.f32[R + i] = i2s(x, T.i32[i]!);
  commitFlags(cpu);
  for (let i = 0; i < 4; i++) x.i32[o + i] = T.i32[R + i]!;
}

/** cvtpi2ps V,M64 (0F 2A, memory form): two int32 to singles in the low qword, RC rounding; the high qword is kept. */
export function cvtpi2ps(cpu: Cpu, s: number): void {
  cpu.read64(cpu.ea(s), T.i32, 0);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  T.f32[R] = i2s(x, T.i32[0]!);
  T.f32[R + 1] = i2s(x, T.i32[1]!);
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!; x.i32[o + 1] = T.i32[R + 1]!;
}

/** cvtdq2pd V,W (F3 0F E6): two int32 from xmm/m64, exact. */
export function cvtdq2pd(cpu: Cpu, s: number): void {
  loadW64(cpu, s);
  const x = cpu.sse, q = cpu.d.reg[s]! << 1;
  const a = T.i32[0]!, b = T.i32[1]!;
  x.f64[q] = a; x.f64[q + 1] = b;
}

// ---- float -> int32 ----

function toGd(cpu: Cpu, s: number, v: number, rc: number): void {
  FP.flags = 0;
  const r = toInt32(v, rc);
  commitFlags(cpu);
  cpu.reg[cpu.d.reg[s]!] = r;
}

/** cvttss2si Gd,W (F3 0F 2C). */
export function cvttss2si(cpu: Cpu, s: number): void { loadW32(cpu, s); toGd(cpu, s, T.f32[0]!, RC_ZERO); }
/** cvtss2si Gd,W (F3 0F 2D). */
export function cvtss2si(cpu: Cpu, s: number): void { loadW32(cpu, s); toGd(cpu, s, T.f32[0]!, mxRc(cpu.sse)); }
/** cvttsd2si Gd,W (F2 0F 2C). */
export function cvttsd2si(cpu: Cpu, s: number): void { loadW64(cpu, s); toGd(cpu, s, T.f64[0]!, RC_ZERO); }
/** cvtsd2si Gd,W (F2 0F 2D). */
export function cvtsd2si(cpu: Cpu, s: number): void { loadW64(cpu, s); toGd(cpu, s, T.f64[0]!, mxRc(cpu.sse)); }

function ps2dq(cpu: Cpu, s: number, rc: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  for (let i = 0; i < 4; i++) T.i32[R + i] = toInt32(T.f32[i]!, rc);
  commitFlags(cpu);
  for (let i = 0; i < 4; i++) x.i32[o + i] = T.i32[R + i]!;
}

/** cvtps2dq V,W (66 0F 5B). */
export function cvtps2dq(cpu: Cpu, s: number): void { ps2dq(cpu, s, mxRc(cpu.sse)); }
/** cvttps2dq V,W (F3 0F 5B). */
export function cvttps2dq(cpu: Cpu, s: number): void { ps2dq(cpu, s, RC_ZERO); }

function pd2dq(cpu: Cpu, s: number, rc: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  const a = toInt32(T.f64[0]!, rc), b = toInt32(T.f64[1]!, rc);
  commitFlags(cpu);
  x.i32[o] = a; x.i32[o + 1] = b; x.i32[o + 2] = 0; x.i32[o + 3] = 0;
}

/** cvtpd2dq V,W (F2 0F E6): high qword zeroed. */
export function cvtpd2dq(cpu: Cpu, s: number): void { pd2dq(cpu, s, mxRc(cpu.sse)); }
/** cvttpd2dq V,W (66 0F E6). */
export function cvttpd2dq(cpu: Cpu, s: number): void { pd2dq(cpu, s, RC_ZERO); }

// ---- single <-> double ----

/** cvtss2sd V,W (F3 0F 5A): exact. */
export function cvtss2sd(cpu: Cpu, s: number): void {
  loadW32(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  s2d(x, T.i32[0]!, T.i32, R);
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!; x.i32[o + 1] = T.i32[R + 1]!;
}

/** cvtsd2ss V,W (F2 0F 5A). */
export function cvtsd2ss(cpu: Cpu, s: number): void {
  loadW64(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  d2s(x, T.i32, 0, T.i32, R);
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!;
}

/** cvtps2pd V,W (0F 5A): two singles from xmm/m64. */
export function cvtps2pd(cpu: Cpu, s: number): void {
  loadW64(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  const a = T.i32[0]!, b = T.i32[1]!;
  s2d(x, a, T.i32, R);
  s2d(x, b, T.i32, R + 2);
  commitFlags(cpu);
  for (let i = 0; i < 4; i++) x.i32[o + i] = T.i32[R + i]!;
}

/** cvtpd2ps V,W (66 0F 5A): two singles in the low qword, high qword zeroed. */
export function cvtpd2ps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  d2s(x, T.i32, 0, T.i32, R);
  d2s(x, T.i32, 2, T.i32, R + 1);
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!; x.i32[o + 1] = T.i32[R + 1]!; x.i32[o + 2] = 0; x.i32[o + 3] = 0;
}
