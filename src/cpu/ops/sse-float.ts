/**
 * SSE/SSE2 floating-point arithmetic, scalar and packed: add, sub, mul, div,
 * sqrt, min, max, compares (cmpXX, comis/ucomis), shuffles and unpacks of
 * float lanes, movmskps/pd, rcp/rsqrt.
 *
 * Precision: a double op is one JS double op (IEEE, round to nearest even).
 * A single op is done in double and rounded once with Math.fround; for
 * + - * / and sqrt that is the correctly rounded single result (double has
 * more than 2*24+2 significand bits, so no double-rounding error). When
 * the result is inexact, fp-round.ts finds the sign of the rounding error
 * and applies MXCSR.RC, FTZ, and the PE/UE/OE flags; DAZ and DE are
 * handled on input. Results are staged in T and written only after
 * commitFlags() found no unmasked exception (#XM leaves the destination
 * unchanged, as on hardware).
 *
 * NaN rules: SDM vol. 1, table 4-7, SSE column.
 */
import type { Cpu } from '../cpu.js';
import { AF, CF, OF, PF, SF, ZF } from '../flags.js';
import type { SseState } from '../state.js';
import {
  MX_DAZ, QNAN32, RC_DOWN, T, commitFlags, denormIn, ftzOn, isNaN32, isNaN64, loadW128, loadW32, loadW64, mxRc, nanResult32, nanResult64,
} from './sse-util.js';
import { FP, F_IE, F_ZE, MIN_NORMAL32, MIN_NORMAL64, errAdd, errDiv, errMul, errSqrt, finish, toSingle, zeroSumDown } from './fp-round.js';

const enum Op { ADD, SUB, MUL, DIV, MIN, MAX, SQRT, RCP, RSQRT }

/** First staged-result dword in T (see sse-util.ts). */
const R = 12;

/**
 * Double lane: first operand in dest dword d of x.i32, second at T dword
 * si; the result bits go to T dword ri. Flags accumulate in FP.flags.
 */
function lane64(x: SseState, d: number, si: number, ri: number, op: Op, rc: number, daz: boolean, ftz: boolean): void {
  const t = T.i32;
  let a = op === Op.SQRT ? 0 : x.f64[d >> 1]!, b = T.f64[si >> 1]!;
  if (a !== a || b !== b) {
    if (op === Op.MIN || op === Op.MAX) { FP.flags |= F_IE; t[ri] = t[si]!; t[ri + 1] = t[si + 1]!; return; }
    if (op === Op.SQRT) nanResult64(t, si, t, si, t, ri);
    else nanResult64(x.i32, d, t, si, t, ri);
    return;
  }
  if (op !== Op.SQRT) a = denormIn(a, false, daz);
  b = denormIn(b, false, daz);
  let r: number, e = 0;
  switch (op) {
    case Op.MIN: case Op.MAX: {
      // The second operand whenever the first is not strictly smaller
      // (larger): that covers equal values and zeros of either sign.
      if (op === Op.MIN ? a < b : a > b) T.f64[ri >> 1] = a;
      else T.f64[ri >> 1] = b;
      return;
    }
    case Op.ADD: case Op.SUB:
      r = op === Op.ADD ? a + b : a - b;
      if (r - r === 0 && a - a === 0 && b - b === 0) e = errAdd(a, op === Op.ADD ? b : -b, r);
      if (r === 0 && rc === RC_DOWN) r = zeroSumDown(a, op === Op.ADD ? b : -b);
      break;
    case Op.MUL:
      r = a * b;
      if (r - r === 0 && a !== 0 && b !== 0) e = errMul(a, b, r);
      break;
    case Op.DIV:
      r = a / b;
      if (b === 0 && a !== 0 && a - a === 0) FP.flags |= F_ZE;
      else if (r - r === 0 && a !== 0 && b - b === 0) e = errDiv(a, b, r);
      break;
    default: // SQRT
      r = Math.sqrt(b);
      if (r - r === 0 && b > 0) e = errSqrt(b, r);
  }
  if (r !== r) { nanResult64(x.i32, d, t, si, t, ri); return; } // invalid: default NaN
  // Overflow shows as an infinite result of finite operands (not a division by zero).
  if (r - r === 0 ? e !== 0 || (r !== 0 && Math.abs(r) < MIN_NORMAL64) : a - a === 0 && b - b === 0 && b !== 0 && op !== Op.SQRT) {
    r = finish(r, e, false, rc, ftz);
  }
  T.f64[ri >> 1] = r;
}

/** Single lane: first operand at x.i32[d], second at T dword si; result bits to T dword ri. */
function lane32(x: SseState, d: number, si: number, ri: number, op: Op, rc: number, daz: boolean, ftz: boolean): void {
  const t = T.i32;
  let a = op >= Op.SQRT ? 0 : x.f32[d]!, b = T.f32[si]!;
  if (a !== a || b !== b) {
    if (op === Op.MIN || op === Op.MAX) { FP.flags |= F_IE; t[ri] = t[si]!; return; }
    if (op >= Op.SQRT) { const bb = t[si]!; nanResult32(bb, bb, t, ri); if (op !== Op.SQRT) FP.flags &= ~F_IE; return; }
    nanResult32(x.i32[d]!, t[si]!, t, ri);
    return;
  }
  if (op < Op.SQRT) a = denormIn(a, true, daz);
  b = denormIn(b, true, daz);
  let s: number, e0 = 0;
  switch (op) {
    case Op.MIN: case Op.MAX:
      T.f32[ri] = (op === Op.MIN ? a < b : a > b) ? a : b;
      return;
    case Op.RCP: case Op.RSQRT:
      // Hardware returns a 12-bit approximation; this is the correctly
      // rounded value (a documented difference). No flags, as on hardware.
      if (op === Op.RSQRT && b < 0) { t[ri] = QNAN32; return; }
      T.f32[ri] = Math.fround(op === Op.RCP ? 1 / b : 1 / Math.sqrt(b));
      return;
    case Op.ADD: case Op.SUB:
      s = op === Op.ADD ? a + b : a - b; // double: the exact sum, or its nearest with a known error
      if (s - s === 0) e0 = errAdd(a, op === Op.ADD ? b : -b, s);
      if (s === 0 && rc === RC_DOWN) s = zeroSumDown(a, op === Op.ADD ? b : -b);
      break;
    case Op.MUL:
      s = a * b; // exact in double (24 + 24 bits)
      break;
    case Op.DIV:
      s = a / b;
      if (b === 0 && a !== 0 && a - a === 0) FP.flags |= F_ZE;
      else if (s - s === 0 && a !== 0 && b - b === 0) e0 = errDiv(a, b, s);
      break;
    default: // SQRT
      s = Math.sqrt(b);
      if (s - s === 0 && b > 0) e0 = errSqrt(b, s);
  }
  if (s !== s) { nanResult32(x.i32[d]!, t[si]!, t, ri); return; }
  let f = toSingle(s, e0);
  if (f - f === 0 ? FP.e !== 0 || (f !== 0 && Math.abs(f) < MIN_NORMAL32) : s - s === 0) {
    f = finish(f, FP.e, true, rc, ftz);
  }
  T.f32[ri] = f;
}

// ---- operand shapes: compute into T's staging area, check #XM, then commit ----

function sd(cpu: Cpu, s: number, op: Op): void {
  loadW64(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  lane64(x, o, 0, R, op, mxRc(x), (x.mxcsr & MX_DAZ) !== 0, ftzOn(x));
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!; x.i32[o + 1] = T.i32[R + 1]!;
}

function ss(cpu: Cpu, s: number, op: Op): void {
  loadW32(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  lane32(x, o, 0, R, op, mxRc(x), (x.mxcsr & MX_DAZ) !== 0, ftzOn(x));
  commitFlags(cpu);
  x.i32[o] = T.i32[R]!;
}

function pd(cpu: Cpu, s: number, op: Op): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, rc = mxRc(x), daz = (x.mxcsr & MX_DAZ) !== 0, ftz = ftzOn(x);
  FP.flags = 0;
  lane64(x, o, 0, R, op, rc, daz, ftz);
  lane64(x, o + 2, 2, R + 2, op, rc, daz, ftz);
  commitFlags(cpu);
  commit4(x.i32, o);
}

function ps(cpu: Cpu, s: number, op: Op): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, rc = mxRc(x), daz = (x.mxcsr & MX_DAZ) !== 0, ftz = ftzOn(x);
  FP.flags = 0;
  for (let i = 0; i < 4; i++) lane32(x, o + i, i, R + i, op, rc, daz, ftz);
  commitFlags(cpu);
  commit4(x.i32, o);
}

function commit4(v: Int32Array, o: number): void {
  const t = T.i32;
  v[o] = t[R]!; v[o + 1] = t[R + 1]!; v[o + 2] = t[R + 2]!; v[o + 3] = t[R + 3]!;
}

export function addss(cpu: Cpu, s: number): void { ss(cpu, s, Op.ADD); }
export function subss(cpu: Cpu, s: number): void { ss(cpu, s, Op.SUB); }
export function mulss(cpu: Cpu, s: number): void { ss(cpu, s, Op.MUL); }
export function divss(cpu: Cpu, s: number): void { ss(cpu, s, Op.DIV); }
export function minss(cpu: Cpu, s: number): void { ss(cpu, s, Op.MIN); }
export function maxss(cpu: Cpu, s: number): void { ss(cpu, s, Op.MAX); }
export function sqrtss(cpu: Cpu, s: number): void { ss(cpu, s, Op.SQRT); }
export function rcpss(cpu: Cpu, s: number): void { ss(cpu, s, Op.RCP); }
export function rsqrtss(cpu: Cpu, s: number): void { ss(cpu, s, Op.RSQRT); }

export function addsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.ADD); }
export function subsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.SUB); }
export function mulsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.MUL); }
export function divsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.DIV); }
export function minsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.MIN); }
export function maxsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.MAX); }
export function sqrtsd(cpu: Cpu, s: number): void { sd(cpu, s, Op.SQRT); }

export function addps(cpu: Cpu, s: number): void { ps(cpu, s, Op.ADD); }
export function subps(cpu: Cpu, s: number): void { ps(cpu, s, Op.SUB); }
export function mulps(cpu: Cpu, s: number): void { ps(cpu, s, Op.MUL); }
export function divps(cpu: Cpu, s: number): void { ps(cpu, s, Op.DIV); }
export function minps(cpu: Cpu, s: number): void { ps(cpu, s, Op.MIN); }
export function maxps(cpu: Cpu, s: number): void { ps(cpu, s, Op.MAX); }
export function sqrtps(cpu: Cpu, s: number): void { ps(cpu, s, Op.SQRT); }
export function rcpps(cpu: Cpu, s: number): void { ps(cpu, s, Op.RCP); }
export function rsqrtps(cpu: Cpu, s: number): void { ps(cpu, s, Op.RSQRT); }

export function addpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.ADD); }
export function subpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.SUB); }
export function mulpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.MUL); }
export function divpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.DIV); }
export function minpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.MIN); }
export function maxpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.MAX); }
export function sqrtpd(cpu: Cpu, s: number): void { pd(cpu, s, Op.SQRT); }

// ---- compares ----

/**
 * cmpXX predicate imm8[2:0]: EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD. The
 * ordered-signalling predicates (LT, LE, NLT, NLE) set IE on any NaN, the
 * others on SNaN only (`snan`).
 */
function pred(a: number, b: number, p: number, snan: boolean): number {
  const unord = a !== a || b !== b;
  if (unord && (snan || ((p & 3) !== 0 && (p & 3) !== 3))) FP.flags |= F_IE;
  let r: boolean;
  switch (p & 7) {
    case 0: r = a === b; break;
    case 1: r = a < b; break;
    case 2: r = a <= b; break;
    case 3: r = unord; break;
    case 4: r = a !== b; break;
    case 5: r = !(a < b); break;
    case 6: r = !(a <= b); break;
    default: r = !unord;
  }
  return r ? -1 : 0;
}

function snan32(b: number): boolean { return isNaN32(b) && (b & 0x400000) === 0; }
function snan64(v: Int32Array, i: number): boolean { return isNaN64(v[i + 1]!, v[i]!) && (v[i + 1]! & 0x80000) === 0; }

function cmp32(x: SseState, d: number, si: number, p: number, daz: boolean): number {
  const sn = snan32(x.i32[d]!) || snan32(T.i32[si]!);
  return pred(denormIn(x.f32[d]!, true, daz), denormIn(T.f32[si]!, true, daz), p, sn);
}

function cmp64(x: SseState, d: number, si: number, p: number, daz: boolean): number {
  const sn = snan64(x.i32, d) || snan64(T.i32, si);
  return pred(denormIn(x.f64[d >> 1]!, false, daz), denormIn(T.f64[si >> 1]!, false, daz), p, sn);
}

export function cmpss(cpu: Cpu, s: number): void {
  loadW32(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  const m = cmp32(x, o, 0, cpu.d.imm[s]!, (x.mxcsr & MX_DAZ) !== 0);
  commitFlags(cpu);
  x.i32[o] = m;
}

export function cmpsd(cpu: Cpu, s: number): void {
  loadW64(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2;
  FP.flags = 0;
  const m = cmp64(x, o, 0, cpu.d.imm[s]!, (x.mxcsr & MX_DAZ) !== 0);
  commitFlags(cpu);
  x.i32[o] = m; x.i32[o + 1] = m;
}

export function cmpps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, p = cpu.d.imm[s]!, daz = (x.mxcsr & MX_DAZ) !== 0;
  FP.flags = 0;
  for (let i = 0; i < 4; i++) T.i32[R + i] = cmp32(x, o + i, i, p, daz);
  commitFlags(cpu);
  commit4(x.i32, o);
}

export function cmppd(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, p = cpu.d.imm[s]!, daz = (x.mxcsr & MX_DAZ) !== 0;
  FP.flags = 0;
  for (let i = 0; i < 2; i++) {
    const m = cmp64(x, o + 2 * i, 2 * i, p, daz);
    T.i32[R + 2 * i] = m; T.i32[R + 2 * i + 1] = m;
  }
  commitFlags(cpu);
  commit4(x.i32, o);
}

const COMI_MASK = OF | SF | AF | ZF | PF | CF;

/** EFLAGS from an ordered compare: unordered ZF PF CF = 111, less CF, equal ZF, greater none; OF SF AF cleared. */
function comiFlags(cpu: Cpu, a: number, b: number): void {
  commitFlags(cpu);
  const f = a > b ? 0 : a < b ? CF : a === b ? ZF : ZF | PF | CF;
  cpu.setFlagBits(COMI_MASK, f);
}

/** ucomiss (0F 2E): IE only for SNaN. comiss (0F 2F): IE for any NaN. */
function comis32(cpu: Cpu, s: number, quiet: boolean): void {
  loadW32(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, daz = (x.mxcsr & MX_DAZ) !== 0;
  FP.flags = 0;
  const a = denormIn(x.f32[o]!, true, daz), b = denormIn(T.f32[0]!, true, daz);
  if ((a !== a || b !== b) && (!quiet || snan32(x.i32[o]!) || snan32(T.i32[0]!))) FP.flags |= F_IE;
  comiFlags(cpu, a, b);
}

function comis64(cpu: Cpu, s: number, quiet: boolean): void {
  loadW64(cpu, s);
  const x = cpu.sse, o = cpu.d.reg[s]! << 2, daz = (x.mxcsr & MX_DAZ) !== 0;
  FP.flags = 0;
  const a = denormIn(x.f64[o >> 1]!, false, daz), b = denormIn(T.f64[0]!, false, daz);
  if ((a !== a || b !== b) && (!quiet || snan64(x.i32, o) || snan64(T.i32, 0))) FP.flags |= F_IE;
  comiFlags(cpu, a, b);
}

export function ucomiss(cpu: Cpu, s: number): void { comis32(cpu, s, true); }
export function comiss(cpu: Cpu, s: number): void { comis32(cpu, s, false); }
export function ucomisd(cpu: Cpu, s: number): void { comis64(cpu, s, true); }
export function comisd(cpu: Cpu, s: number): void { comis64(cpu, s, false); }

// ---- shuffles and unpacks of float lanes (bit moves: no FP semantics) ----

/** shufps V,W,ib: dwords 0,1 from V by imm[1:0], imm[3:2]; dwords 2,3 from W by imm[5:4], imm[7:6]. */
export function shufps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, m = cpu.d.imm[s]!, t = T.i32;
  // Save V's dwords in T's second half first: the result overwrites V.
  t[4] = v[o]!; t[5] = v[o + 1]!; t[6] = v[o + 2]!; t[7] = v[o + 3]!;
  v[o] = t[4 + (m & 3)]!;
  v[o + 1] = t[4 + ((m >> 2) & 3)]!;
  v[o + 2] = t[(m >> 4) & 3]!;
  v[o + 3] = t[(m >> 6) & 3]!;
}

/** shufpd V,W,ib: qword 0 = V[imm0], qword 1 = W[imm1]. */
export function shufpd(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, m = cpu.d.imm[s]!, t = T.i32;
  const lo = o + ((m & 1) << 1);
  const l0 = v[lo]!, l1 = v[lo + 1]!;
  const hi = (m & 2) << 0; // dword index in T of the chosen W qword
  v[o] = l0; v[o + 1] = l1;
  v[o + 2] = t[hi]!; v[o + 3] = t[hi + 1]!;
}

/** unpcklps V,W: V0 W0 V1 W1. */
export function unpcklps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, t = T.i32;
  const v1 = v[o + 1]!;
  v[o + 1] = t[0]!; v[o + 2] = v1; v[o + 3] = t[1]!;
}

/** unpckhps V,W: V2 W2 V3 W3. */
export function unpckhps(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, t = T.i32;
  const v2 = v[o + 2]!, v3 = v[o + 3]!;
  v[o] = v2; v[o + 1] = t[2]!; v[o + 2] = v3; v[o + 3] = t[3]!;
}

/** unpcklpd / punpcklqdq V,W: V.low, W.low. */
export function unpcklpd(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, t = T.i32;
  v[o + 2] = t[0]!; v[o + 3] = t[1]!;
}

/** unpckhpd / punpckhqdq V,W: V.high, W.high. */
export function unpckhpd(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, t = T.i32;
  v[o] = v[o + 2]!; v[o + 1] = v[o + 3]!;
  v[o + 2] = t[2]!; v[o + 3] = t[3]!;
}

/** movmskps Gd,U: sign bits of the four dwords. */
export function movmskps(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, p = cpu.d.rm[s]! << 2;
  cpu.reg[cpu.d.reg[s]!] = (v[p]! >>> 31) | ((v[p + 1]! >>> 31) << 1) | ((v[p + 2]! >>> 31) << 2) | ((v[p + 3]! >>> 31) << 3);
}

/** movmskpd Gd,U: sign bits of the two qwords. */
export function movmskpd(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, p = cpu.d.rm[s]! << 2;
  cpu.reg[cpu.d.reg[s]!] = (v[p + 1]! >>> 31) | ((v[p + 3]! >>> 31) << 1);
}
