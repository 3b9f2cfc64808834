/**
 * IEEE rounding beyond what JS gives: the host computes every operation
 * rounded to nearest-even in double; the x86 units also round toward
 * -inf, +inf and zero, to single precision, flush tiny results to zero,
 * and report inexact/overflow/underflow. This module recovers, for a
 * nearest-rounded result r, the sign of the rounding error (exact - r)
 * with error-free transformations (TwoSum, Dekker's TwoProduct on scaled
 * significands, the division and square-root residuals), and from it
 * produces the directed-rounding result and the exception flags.
 *
 *   op(a, b) ──JS──> r (nearest) ──err sign──> finish(r, e, fmt, rc) ──> result, FP.flags
 *
 * Flags use the MXCSR/x87 status-word bit positions, which agree for
 * IE DE ZE OE UE PE (bits 0..5). FP.flags accumulates; callers clear it.
 * `FP.e` is the sign of (exact - result) after finish: the x87 uses it for
 * C1 ("rounded up").
 */

export const F_IE = 1, F_DE = 2, F_ZE = 4, F_OE = 8, F_UE = 16, F_PE = 32;

export const FP = {
  flags: 0,
  e: 0,
  /**
   * Left by the err* functions for inexact64, in a common scale: the
   * rounded result `rs`, and the error as err1 + err2 (err1 a multiple of
   * the 53-bit ulp) for sums and products; for quotients and roots the
   * exact residual `res` and divisor `dv` (kind 1: quotient, 2: root).
   */
  kind: 0,
  rs: 0,
  err1: 0,
  err2: 0,
  res: 0,
  dv: 0,
};

const buf = new ArrayBuffer(8);
const D = new Float64Array(buf);
const I = new Int32Array(buf);
const S = new Float32Array(buf);

export const MIN_NORMAL64 = 2.2250738585072014e-308;
export const MIN_NORMAL32 = 1.1754943508222875e-38;
const MAX64 = 1.7976931348623157e308;
const MAX32 = 3.4028234663852886e38;

/** Unbiased binary exponent of a finite non-zero double (denormals included). */
export function exponent(v: number): number {
  D[0] = v;
  const e = (I[1]! >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  D[0] = v * 18446744073709551616; // 2^64
  return ((I[1]! >>> 20) & 0x7ff) - 1023 - 64;
}

/** 2^n for -1022 <= n <= 1023. */
function p2(n: number): number {
  I[0] = 0;
  I[1] = (n + 1023) << 20;
  return D[0]!;
}

/** v * 2^n, exact when the result is a normal number (steps never cross the denormal range). */
export function ldexp(v: number, n: number): number {
  while (n > 1000) { v *= p2(1000); n -= 1000; }
  while (n < -1000) { v *= p2(-1000); n += 1000; }
  return v * p2(n);
}

const SPLIT = 134217729; // 2^27 + 1

/** Exact low part of x*y for |x|, |y| < 4 (Dekker): x*y = hi + result, hi = x*y rounded. */
function twoProductLow(x: number, y: number, hi: number): number {
  let c = SPLIT * x;
  const xh = c - (c - x), xl = x - xh;
  c = SPLIT * y;
  const yh = c - (c - y), yl = y - yh;
  return ((xh * yh - hi) + xh * yl + xl * yh) + xl * yl;
}

function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** sign(exact(a + b) - s) for s = a + b finite (TwoSum). */
export function errAdd(a: number, b: number, s: number): number {
  const bb = s - a;
  const err = (a - (s - bb)) + (b - bb);
  FP.kind = 0; FP.rs = s; FP.err1 = 0; FP.err2 = err;
  return sign(err);
}

/** sign(exact(a * b) - p) for finite non-zero a, b and finite p. */
export function errMul(a: number, b: number, p: number): number {
  FP.kind = 3;
  if (p === 0) return sign(a) * sign(b);
  const ea = exponent(a), eb = exponent(b);
  const ma = ldexp(a, -ea), mb = ldexp(b, -eb);
  const t = ldexp(p, -(ea + eb));
  const hi = ma * mb;
  const lo = twoProductLow(ma, mb, hi);
  FP.kind = 0; FP.rs = t; FP.err1 = hi - t; FP.err2 = lo;
  return sign((hi - t) + lo);
}

/** sign(exact(a / b) - q) for finite non-zero a, b and finite q. */
export function errDiv(a: number, b: number, q: number): number {
  FP.kind = 3;
  if (q === 0) return sign(a) * sign(b);
  const ea = exponent(a), eb = exponent(b);
  const ma = ldexp(a, -ea), mb = ldexp(b, -eb);
  const t = ldexp(q, eb - ea); // ~ ma / mb
  const hi = t * mb;
  const r = (ma - hi) - twoProductLow(t, mb, hi); // residual ma - t*mb
  FP.kind = 1; FP.rs = t; FP.res = r; FP.dv = mb;
  return sign(r) * sign(mb);
}

/** sign(exact(sqrt(a)) - s) for finite a > 0. */
export function errSqrt(a: number, s: number): number {
  let e = exponent(a);
  if ((e & 1) !== 0) e--;
  const ma = ldexp(a, -e); // [1, 4)
  const t = ldexp(s, -(e >> 1));
  const hi = t * t;
  const r = (ma - hi) - twoProductLow(t, t, hi);
  FP.kind = 2; FP.rs = t; FP.res = r; FP.dv = t;
  return sign(r);
}

function nextAfter64(v: number, up: boolean): number {
  if (v === 0) return up ? 5e-324 : -5e-324;
  D[0] = v;
  let lo = I[0]! >>> 0, hi = I[1]!;
  if ((v > 0) === up) { lo++; if (lo > 0xffffffff) { lo = 0; hi++; } } else { if (lo === 0) { lo = 0xffffffff; hi--; } else lo--; }
  I[0] = lo | 0; I[1] = hi;
  return D[0]!;
}

function nextAfter32(v: number, up: boolean): number {
  if (v === 0) { I[0] = up ? 1 : 0x80000001 | 0; return S[0]!; }
  S[0] = v;
  I[0] = I[0]! + ((v > 0) === up ? 1 : -1);
  return S[0]!;
}

/**
 * Final rounding: r is the result rounded to nearest in the target format
 * (single when `single`), e = sign(exact - r); rc = 0 nearest, 1 down,
 * 2 up, 3 toward zero; `ftz` flushes tiny results to zero (SSE's MXCSR.FTZ
 * with underflow masked). An infinite r means the exact result overflowed.
 */
export function finish(r: number, e: number, single: boolean, rc: number, ftz: boolean): number {
  const max = single ? MAX32 : MAX64;
  if (r - r !== 0) {
    // Overflow: the exact value is finite but beyond the largest number.
    FP.flags |= F_OE | F_PE;
    const pos = r > 0;
    let v: number;
    if (rc === 0) v = r;
    else if (rc === 3) v = pos ? max : -max;
    else if (rc === 1) v = pos ? max : r;
    else v = pos ? r : -max;
    FP.e = v === r ? (pos ? -1 : 1) : (pos ? 1 : -1);
    return v;
  }
  if (e !== 0) {
    if (rc !== 0 && !(rc === 3 && r === 0)) {
      // Move one ulp when the nearest result lies on the wrong side.
      const wantBelow = rc === 1 || (rc === 3 && r > 0);
      if (wantBelow ? e < 0 : e > 0) {
        r = single ? nextAfter32(r, !wantBelow) : nextAfter64(r, !wantBelow);
        e = -e;
        if (r - r !== 0) { FP.flags |= F_OE | F_PE; FP.e = e; return r; }
      }
    }
    FP.flags |= F_PE;
  }
  const tiny = Math.abs(r) < (single ? MIN_NORMAL32 : MIN_NORMAL64) && (r !== 0 || e !== 0);
  if (tiny) {
    if (ftz) {
      FP.flags |= F_UE | F_PE;
      const neg = r < 0 || (r === 0 && e < 0) || Object.is(r, -0);
      FP.e = neg ? -1 : 1;
      return neg ? -0 : 0;
    }
    if (e !== 0) FP.flags |= F_UE;
  }
  FP.e = e;
  return r;
}

/** Nearest single result of a double value that is exact or nearest-rounded with error sign e0. */
export function toSingle(s: number, e0: number): number {
  const f = Math.fround(s);
  FP.e = f !== s ? (s > f ? 1 : -1) : e0;
  return f;
}

/**
 * An exactly-zero sum a + b is +0 except when rounding down, where it is
 * -0 unless both addends are +0 (IEEE 754, 6.3).
 */
export function zeroSumDown(a: number, b: number): number {
  return Object.is(a, 0) && Object.is(b, 0) ? 0 : -0;
}

/**
 * For the x87 at 64-bit precision: after an err* function reported an
 * inexact double result, 0 when the exact value fits a 64-bit significand,
 * else the direction (+1 up, -1 down) in which rounding it to 64 bits by
 * `rc` moved it. Directed modes fix the direction; round-to-nearest needs
 * the exact value's position between 64-bit neighbours.
 */
export function inexact64(rc: number, e53: number): number {
  const rs = FP.rs;
  if (FP.kind === 3 || rs === 0 || rs - rs !== 0) return -e53;
  let E = exponent(rs);
  D[0] = rs;
  if ((I[1]! & 0xfffff) === 0 && I[0] === 0 && (e53 > 0) !== (rs > 0)) E--; // rs is a power of two the exact value lies below
  if (FP.kind === 0) {
    const u = ldexp(FP.err2, 63 - E); // exact scaling; err1 is a whole number of 64-bit ulps
    if (Number.isInteger(u)) return 0;
    if (rc === 1) return -1;
    if (rc === 2) return 1;
    if (rc === 3) return rs > 0 ? -1 : 1;
    const n = ldexp(FP.err1, 63 - E);
    const fl = Math.floor(u), frac = u - fl;
    const up = frac > 0.5 || (frac === 0.5 && (n + fl) % 2 !== 0);
    return up ? 1 : -1;
  }
  if (rc === 1) return -1;
  if (rc === 2) return 1;
  if (rc === 3) return rs > 0 ? -1 : 1;
  // Quotient/root: the exact value is rs + res/dv (+ ...); the candidate
  // 64-bit neighbour c = rs + kk; the sign of the residual at c says on
  // which side of c the exact value lies.
  const r = FP.res, dv = FP.dv;
  const approx = FP.kind === 1 ? r / dv : r / (2 * dv);
  const kk = ldexp(Math.round(ldexp(approx, 63 - E)), E - 63);
  let res2: number;
  if (FP.kind === 1) {
    const hi = kk * dv;
    res2 = (r - hi) - twoProductLow2(kk, dv, hi); // ma - (t + kk) * mb
    res2 *= sign(dv);
  } else {
    const t2 = 2 * dv, hi = kk * t2;
    res2 = ((r - hi) - twoProductLow2(kk, t2, hi)) - kk * kk; // ma - (t + kk)^2
  }
  // exact > c when res2 > 0: rounding to c moved the value down.
  return res2 > 0 ? -1 : 1;
}

/** Exact low part of x*y (Dekker) for any finite x, y whose product does not overflow. */
function twoProductLow2(x: number, y: number, hi: number): number {
  let c = SPLIT * x;
  const xh = c - (c - x), xl = x - xh;
  c = SPLIT * y;
  const yh = c - (c - y), yl = y - yh;
  return ((xh * yh - hi) + xh * yl + xl * yh) + xl * yl;
}
