/**
 * x87 partial remainders, scaling, and the transcendental instructions:
 * fprem, fprem1, fscale, fxtract (exact in double), and f2xm1, fyl2x,
 * fyl2xp1, fptan, fpatan, fsin, fcos, fsincos (computed with the host's
 * Math functions in double precision: approximate, typically within 1 ulp
 * of the double result, not bit-identical to the hardware's 64-bit ones).
 */
import type { Cpu } from '../cpu.js';
import {
  SF64, SI32, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, SW_ZE, checkPending, getST, nanResult, pop, push, setST,
} from './x87-core.js';

/** Operands beyond 2^63 are out of range for fsin/fcos/fptan/fsincos: C2 = 1, ST0 unchanged. */
const TRIG_LIMIT = 9223372036854775808;

/** The NaN result of a unary operation: the operand quieted, or the indefinite (invalid). */
function unaryNaN(cpu: Cpu, v: number): number {
  return v !== v ? nanResult(cpu.x87, v, v) : nanResult(cpu.x87, 0, 0);
}

function setCC(cpu: Cpu, cc: number): void {
  const x = cpu.x87;
  x.sw = (x.sw & ~SW_CC) | cc;
}

/**
 * fprem (D9 F8) / fprem1 (D9 F5): ST0 = remainder of ST0 / ST1, with the
 * quotient truncated (fprem) or rounded to nearest even (fprem1). The JS %
 * operator is the exact IEEE fmod, so the reduction always completes (C2 =
 * 0; the hardware may report a partial result with C2 = 1 for exponent
 * differences above 63 and finish on the next iteration: same final value).
 * C0 C3 C1 = quotient bits 2, 0, 1.
 */
function prem(cpu: Cpu, nearest: boolean): void {
  const x = cpu.x87, a = getST(x, 0), b = getST(x, 1);
  if (a !== a || b !== b || b === 0 || a - a !== 0) {
    // NaN operand: that NaN; x % 0 or inf % y: invalid (nanResult(0, 0) is the indefinite).
    setST(x, 0, a !== a || b !== b ? nanResult(x, a, b) : nanResult(x, 0, 0));
    setCC(cpu, 0);
    return;
  }
  if (b - b !== 0) { // finite / infinity: remainder is a, quotient 0
    setCC(cpu, 0);
    return;
  }
  const ab = Math.abs(b);
  let r = a % b; // sign of a, |r| < |b|
  // Low three bits of the truncated quotient |a| / |b|: reduce modulo 8|b| first.
  const b8 = ab * 8;
  let q = 0;
  if (b8 - b8 === 0) {
    const r8 = Math.abs(a) % b8;
    q = Math.round((r8 - Math.abs(r)) / ab) & 7;
  }
  if (nearest) {
    const ar = Math.abs(r), half = ab / 2;
    if (ar > half || (ar === half && (q & 1) === 1)) {
      r = r > 0 || (r === 0 && !Object.is(r, -0)) ? r - ab : r + ab;
      q = (q + 1) & 7;
    }
  }
  setST(x, 0, r === 0 ? (a < 0 || Object.is(a, -0) ? -0 : 0) : r);
  setCC(cpu, ((q & 4) !== 0 ? SW_C0 : 0) | ((q & 1) !== 0 ? SW_C3 : 0) | ((q & 2) !== 0 ? SW_C1 : 0));
}

export function fprem(cpu: Cpu): void { checkPending(cpu); prem(cpu, false); }
export function fprem1(cpu: Cpu): void { checkPending(cpu); prem(cpu, true); }

/** v * 2^n without intermediate overflow (n integer). */
function scale(v: number, n: number): number {
  if (n > 2200) n = 2200;
  if (n < -2200) n = -2200;
  while (n > 1023) { v *= 8.98846567431158e307; n -= 1023; } // 2^1023
  while (n < -1022) { v *= 2.2250738585072014e-308; n += 1022; } // 2^-1022
  SI32[0] = 0;
  SI32[1] = (n + 1023) << 20;
  return v * SF64[0]!;
}

/** fscale (D9 FD): ST0 = ST0 * 2^trunc(ST1). */
export function fscale(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, a = getST(x, 0), b = getST(x, 1);
  let r: number;
  if (b !== b || a !== a) r = nanResult(x, a, b);
  else if (b - b !== 0) {
    r = b > 0 ? a * Infinity : a * 0; // 0 * 2^+inf and inf * 2^-inf are invalid
    if (r !== r) r = nanResult(x, 0, 0);
  } else r = a === 0 || a - a !== 0 ? a : scale(a, Math.trunc(b));
  setST(x, 0, r);
  x.sw &= ~SW_C1;
}

/**
 * fxtract (D9 F4): ST0 = unbiased exponent, then push the significand
 * (1 <= |s| < 2). Zero: exponent -inf with ZE, significand the zero.
 */
export function fxtract(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (v !== v) { const n = unaryNaN(cpu, v); setST(x, 0, n); push(x, n); return; }
  if (v === 0) { x.sw |= SW_ZE; setST(x, 0, -Infinity); push(x, v); return; }
  if (v - v !== 0) { setST(x, 0, Infinity); push(x, v); return; }
  SF64[0] = v;
  let e = ((SI32[1]! >>> 20) & 0x7ff) - 1023;
  let m = v;
  if (e === -1023) { m = v * 18014398509481984; SF64[0] = m; e = ((SI32[1]! >>> 20) & 0x7ff) - 1023 - 54; } // denormal: scale by 2^54
  SF64[0] = m;
  SI32[1] = (SI32[1]! & 0x800fffff) | (1023 << 20);
  const sig = SF64[0]!;
  setST(x, 0, e);
  push(x, sig);
}

/** f2xm1 (D9 F0): 2^ST0 - 1 (defined for -1 <= ST0 <= 1). */
export function f2xm1(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  setST(x, 0, v !== v ? unaryNaN(cpu, v) : Math.expm1(v * Math.LN2));
}

/** fyl2x (D9 F1): ST1 = ST1 * log2(ST0), pop. */
export function fyl2x(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, a = getST(x, 0), b = getST(x, 1);
  let r: number;
  if (a !== a || b !== b || a < 0) r = nanResult(x, a !== a || b !== b ? a : 0, a !== a || b !== b ? b : 0);
  else {
    if (a === 0 && b !== 0 && b - b === 0) x.sw |= SW_ZE;
    r = b * Math.log2(a);
    if (r !== r) r = nanResult(x, 0, 0);
  }
  setST(x, 1, r);
  pop(x);
}

/** fyl2xp1 (D9 F9): ST1 = ST1 * log2(ST0 + 1), pop. */
export function fyl2xp1(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, a = getST(x, 0), b = getST(x, 1);
  let r = b * (Math.log1p(a) / Math.LN2);
  if (r !== r) r = nanResult(x, a, b);
  setST(x, 1, r);
  pop(x);
}

function trig(cpu: Cpu, v: number): boolean {
  if (v === v && Math.abs(v) >= TRIG_LIMIT && v - v === 0) {
    setCC(cpu, SW_C2);
    return false;
  }
  setCC(cpu, 0);
  return true;
}

/** fsin (D9 FE). */
export function fsin(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (!trig(cpu, v)) return;
  const r = Math.sin(v);
  setST(x, 0, r === r ? r : unaryNaN(cpu, v));
}

/** fcos (D9 FF). */
export function fcos(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (!trig(cpu, v)) return;
  const r = Math.cos(v);
  setST(x, 0, r === r ? r : unaryNaN(cpu, v));
}

/** fptan (D9 F2): ST0 = tan(ST0), then push 1.0. */
export function fptan(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (!trig(cpu, v)) return;
  const r = Math.tan(v);
  setST(x, 0, r === r ? r : unaryNaN(cpu, v));
  push(x, 1);
}

/** fsincos (D9 FB): ST0 = sin, then push cos. */
export function fsincos(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (!trig(cpu, v)) return;
  if (v !== v || v - v !== 0) {
    const n = unaryNaN(cpu, v);
    setST(x, 0, n);
    push(x, n);
    return;
  }
  setST(x, 0, Math.sin(v));
  push(x, Math.cos(v));
}

/** fpatan (D9 F3): ST1 = atan2(ST1, ST0), pop. */
export function fpatan(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, a = getST(x, 0), b = getST(x, 1);
  const r = Math.atan2(b, a);
  setST(x, 1, r === r ? r : nanResult(x, a, b));
  pop(x);
  x.sw &= ~SW_C1;
}
