/**
 * x87 data transfer: fld/fst/fstp (m32, m64, m80, st(i)), fild/fist/fistp/
 * fisttp (m16, m32, m64), fbld/fbstp, fxch, constants, ffree, fcmovcc.
 *
 * Stores probe their destination before touching the FPU state, so a #PF
 * leaves both memory and the stack as they were.
 */
import type { Cpu } from '../cpu.js';
import { Cond } from '../flags.js';
import { RC_ZERO, roundRc } from './sse-util.js';
import { FP, F_IE, MIN_NORMAL32, finish, toSingle } from './fp-round.js';
import {
  INDEFINITE, SF64, SI32, SW_C1, SW_IE, SW_PE, TAG_EMPTY, checkPending, commitX87, cwRc, denormOperand, getST, phys, pop,
  push, setC1Rounded, setST, stackUnderflow,
} from './x87-core.js';
import { f32BitsToNumber, f32Bits, nanToF32Bits, readF80, writeF80 } from './x87-f80.js';
import { isNaN32 } from './sse-util.js';
import type { X87State } from '../state.js';

const TWO32 = 4294967296;
const TWO63 = 9223372036854775808;

// ---- loads ----

/** fld m32 (D9 /0): an SNaN is quieted and sets IE. */
export function fld_m32(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const b = cpu.read32(cpu.ea(s));
  const x = cpu.x87;
  FP.flags = 0;
  if (isNaN32(b) && (b & 0x400000) === 0) FP.flags |= F_IE;
  const v = f32BitsToNumber(b);
  denormOperand(v, true);
  if (!commitX87(x)) push(x, v);
}

/** fld m64 (DD /0). */
export function fld_m64(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  const lo = cpu.read32(a), hi = cpu.read32((a + 4) | 0);
  const x = cpu.x87;
  SI32[0] = lo;
  SI32[1] = hi;
  let v = SF64[0]!;
  FP.flags = 0;
  if (v !== v && (hi & 0x80000) === 0) {
    FP.flags |= F_IE;
    SI32[1] = hi | 0x80000;
    v = SF64[0]!;
  }
  denormOperand(v, false);
  if (!commitX87(x)) push(x, v);
}

/** fld m80 (DB /5): rounded to double (the register model); no exception for SNaN, as the SDM says. */
export function fld_m80(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const v = readF80(cpu, cpu.ea(s));
  push(cpu.x87, v);
}

/** fld st(i) (D9 C0+i): copies the int64 shadow too. */
export function fld_st(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87, i = cpu.d.rm[s]!;
  const src = phys(x, i);
  const v = getST(x, i);
  const exact = (x.exactValid >> src) & 1 && x.tag[src] !== TAG_EMPTY;
  push(x, v);
  if (exact) copyExact(x, src, x.top);
}

function copyExact(x: X87State, from: number, to: number): void {
  x.exact[2 * to] = x.exact[2 * from]!;
  x.exact[2 * to + 1] = x.exact[2 * from + 1]!;
  x.exactValid |= 1 << to;
}

// ---- float stores ----

/**
 * Stores ST0 as m32 with CW.RC rounding (PE, UE, OE, C1 = rounded up);
 * NaNs keep their payload's top bits. False when an unmasked exception
 * suppressed the store.
 */
function storeM32(cpu: Cpu, a: number): boolean {
  cpu.probeWrite(a, 4);
  const x = cpu.x87;
  FP.flags = 0;
  const v = getST(x, 0);
  let b: number;
  x.sw &= ~SW_C1;
  if (v !== v) {
    b = nanToF32Bits(v);
  } else {
    let f = toSingle(v, 0);
    if (f - f === 0 ? FP.e !== 0 || (f !== 0 && Math.abs(f) < MIN_NORMAL32) : v - v === 0) f = finish(f, FP.e, true, cwRc(x), false);
    else FP.e = 0;
    setC1Rounded(x, f);
    b = f32Bits(f);
  }
  if (commitX87(x)) return false;
  cpu.write32(a, b);
  return true;
}

function storeM64(cpu: Cpu, a: number): boolean {
  cpu.probeWrite(a, 8);
  const x = cpu.x87;
  FP.flags = 0;
  SF64[0] = getST(x, 0);
  x.sw &= ~SW_C1;
  if (commitX87(x)) return false;
  cpu.write64(a, SI32[0]!, SI32[1]!);
  return true;
}

export function fst_m32(cpu: Cpu, s: number): void { checkPending(cpu); storeM32(cpu, cpu.ea(s)); }
export function fstp_m32(cpu: Cpu, s: number): void { checkPending(cpu); if (storeM32(cpu, cpu.ea(s))) pop(cpu.x87); }
export function fst_m64(cpu: Cpu, s: number): void { checkPending(cpu); storeM64(cpu, cpu.ea(s)); }
export function fstp_m64(cpu: Cpu, s: number): void { checkPending(cpu); if (storeM64(cpu, cpu.ea(s))) pop(cpu.x87); }

/** fstp m80 (DB /7): exact. */
export function fstp_m80(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  cpu.probeWrite(a, 10);
  writeF80(cpu, a, getST(cpu.x87, 0));
  pop(cpu.x87);
}

/** fst st(i) (DD D0+i). */
export function fst_st(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87, i = cpu.d.rm[s]!;
  const src = x.top, exact = (x.exactValid >> src) & 1 && x.tag[src] !== TAG_EMPTY;
  setST(x, i, getST(x, 0));
  if (exact) copyExact(x, src, phys(x, i));
}

/** fstp st(i) (DD D8+i, and the D9 D8+i / DF D0+i / DF D8+i aliases). */
export function fstp_st(cpu: Cpu, s: number): void {
  checkPending(cpu);
  fst_st(cpu, s);
  pop(cpu.x87);
}

// ---- integer loads ----

export function fild_m16(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const v = (cpu.read16(cpu.ea(s)) << 16) >> 16;
  push(cpu.x87, v);
}

export function fild_m32(cpu: Cpu, s: number): void {
  checkPending(cpu);
  push(cpu.x87, cpu.read32(cpu.ea(s)));
}

/** fild m64 (DF /5): the double is rounded to nearest; the exact int64 is kept beside it. */
export function fild_m64(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  const lo = cpu.read32(a), hi = cpu.read32((a + 4) | 0);
  const x = cpu.x87;
  const overflow = x.tag[(x.top - 1) & 7] !== TAG_EMPTY;
  push(x, hi * TWO32 + (lo >>> 0));
  if (!overflow) {
    const p = x.top;
    x.exact[2 * p] = lo;
    x.exact[2 * p + 1] = hi;
    x.exactValid |= 1 << p;
  }
}

// ---- integer stores ----
// Out of range or NaN: the integer indefinite (0x8000, 0x80000000,
// 0x8000000000000000) and IE. Inexact: PE.

function toInt(cpu: Cpu, rc: number, min: number, max: number): number | null {
  const x = cpu.x87, v = getST(x, 0);
  const r = roundRc(v, rc);
  if (r >= min && r <= max) {
    if (r !== v) x.sw |= SW_PE;
    x.sw = Math.abs(r) > Math.abs(v) ? x.sw | SW_C1 : x.sw & ~SW_C1;
    return r;
  }
  x.sw = (x.sw | SW_IE) & ~SW_C1;
  return null;
}

function storeI16(cpu: Cpu, s: number, rc: number, popAfter: boolean): void {
  const a = cpu.ea(s);
  cpu.probeWrite(a, 2);
  const r = toInt(cpu, rc, -32768, 32767);
  cpu.write16(a, r === null ? 0x8000 : r & 0xffff);
  if (popAfter) pop(cpu.x87);
}

function storeI32(cpu: Cpu, s: number, rc: number, popAfter: boolean): void {
  const a = cpu.ea(s);
  cpu.probeWrite(a, 4);
  const r = toInt(cpu, rc, -2147483648, 2147483647);
  cpu.write32(a, r === null ? 0x80000000 | 0 : r | 0);
  if (popAfter) pop(cpu.x87);
}

function storeI64(cpu: Cpu, s: number, rc: number): void {
  const a = cpu.ea(s);
  cpu.probeWrite(a, 8);
  const x = cpu.x87, p = x.top;
  if (((x.exactValid >> p) & 1) !== 0 && x.tag[p] !== TAG_EMPTY) {
    // Loaded by FILD m64 and not changed since: store the integer itself.
    cpu.write64(a, x.exact[2 * p]!, x.exact[2 * p + 1]!);
  } else {
    const r = toInt(cpu, rc, -TWO63, TWO63 - 1024); // largest double below 2^63
    if (r === null) {
      cpu.write64(a, 0, 0x80000000 | 0);
    } else {
      const hi = Math.floor(r / TWO32);
      cpu.write64(a, (r - hi * TWO32) | 0, hi | 0);
    }
  }
  pop(x);
}

export function fist_m16(cpu: Cpu, s: number): void { checkPending(cpu); storeI16(cpu, s, cwRc(cpu.x87), false); }
export function fistp_m16(cpu: Cpu, s: number): void { checkPending(cpu); storeI16(cpu, s, cwRc(cpu.x87), true); }
export function fisttp_m16(cpu: Cpu, s: number): void { checkPending(cpu); storeI16(cpu, s, RC_ZERO, true); }
export function fist_m32(cpu: Cpu, s: number): void { checkPending(cpu); storeI32(cpu, s, cwRc(cpu.x87), false); }
export function fistp_m32(cpu: Cpu, s: number): void { checkPending(cpu); storeI32(cpu, s, cwRc(cpu.x87), true); }
export function fisttp_m32(cpu: Cpu, s: number): void { checkPending(cpu); storeI32(cpu, s, RC_ZERO, true); }
export function fistp_m64(cpu: Cpu, s: number): void { checkPending(cpu); storeI64(cpu, s, cwRc(cpu.x87)); }
export function fisttp_m64(cpu: Cpu, s: number): void { checkPending(cpu); storeI64(cpu, s, RC_ZERO); }

// ---- packed BCD (18 digits + sign byte) ----

/** fbld m80 (DF /4): invalid digits give an undefined result on hardware; here they are taken at face value. */
export function fbld(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  let v = 0;
  const sign = cpu.read8((a + 9) | 0);
  for (let i = 8; i >= 0; i--) {
    const b = cpu.read8((a + i) | 0);
    v = v * 100 + (b >> 4) * 10 + (b & 15);
  }
  push(cpu.x87, (sign & 0x80) !== 0 ? -v : v);
}

/** fbstp m80 (DF /6): rounds by CW.RC; |value| >= 10^18 or NaN stores the BCD indefinite and sets IE. */
export function fbstp(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  cpu.probeWrite(a, 10);
  const x = cpu.x87, v = getST(x, 0);
  const r = roundRc(v, cwRc(x));
  if (!(Math.abs(r) < 1e18)) {
    x.sw |= SW_IE;
    for (let i = 0; i < 7; i++) cpu.write8((a + i) | 0, 0);
    cpu.write8((a + 7) | 0, 0xc0);
    cpu.write16((a + 8) | 0, 0xffff);
  } else {
    if (r !== v) x.sw |= SW_PE;
    let m = Math.abs(r);
    for (let i = 0; i < 9; i++) {
      const two = m % 100;
      m = (m - two) / 100;
      cpu.write8((a + i) | 0, ((Math.floor(two / 10)) << 4) | (two % 10));
    }
    cpu.write8((a + 9) | 0, r < 0 || Object.is(r, -0) ? 0x80 : 0);
  }
  pop(x);
}

// ---- register moves ----

/** fxch st(i) (D9 C8+i): an empty operand reads as the indefinite (stack underflow). */
export function fxch(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87, i = cpu.d.rm[s]!;
  const p0 = x.top, pi = phys(x, i);
  if (x.tag[p0] === TAG_EMPTY || x.tag[pi] === TAG_EMPTY) {
    const a = getST(x, 0), b = getST(x, i);
    setST(x, 0, b);
    setST(x, i, a);
    return;
  }
  const v = x.r[p0]!;
  x.r[p0] = x.r[pi]!;
  x.r[pi] = v;
  // Swap the int64 shadows with their valid bits.
  const e0 = (x.exactValid >> p0) & 1, ei = (x.exactValid >> pi) & 1;
  const lo = x.exact[2 * p0]!, hi = x.exact[2 * p0 + 1]!;
  x.exact[2 * p0] = x.exact[2 * pi]!; x.exact[2 * p0 + 1] = x.exact[2 * pi + 1]!;
  x.exact[2 * pi] = lo; x.exact[2 * pi + 1] = hi;
  x.exactValid = (x.exactValid & ~((1 << p0) | (1 << pi))) | (ei << p0) | (e0 << pi);
  x.sw &= ~SW_C1;
}

/** ffree st(i) (DD C0+i): marks the register empty. */
export function ffree(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87;
  x.tag[phys(x, cpu.d.rm[s]!)] = TAG_EMPTY;
}

/** ffreep st(i) (DF C0+i, undocumented but decoded by every processor since the 387): ffree, then pop. */
export function ffreep(cpu: Cpu, s: number): void {
  checkPending(cpu);
  ffree(cpu, s);
  pop(cpu.x87);
}

// ---- constants (D9 E8..EE): the double nearest to each ----

const LOG2_10 = 3.321928094887362347870319429489;
const LOG10_2 = 0.301029995663981195213738894724493;

export function fld1(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, 1); }
export function fldl2t(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, LOG2_10); }
export function fldl2e(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, Math.LOG2E); }
export function fldpi(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, Math.PI); }
export function fldlg2(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, LOG10_2); }
export function fldln2(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, Math.LN2); }
export function fldz(cpu: Cpu): void { checkPending(cpu); push(cpu.x87, 0); }

// ---- fcmovcc (DA C0..DF / DB C0..DF): ST0 = ST(i) when the EFLAGS condition holds ----

function fcmov(cpu: Cpu, s: number, cond: boolean): void {
  if (!cond) return;
  const x = cpu.x87, i = cpu.d.rm[s]!;
  const src = phys(x, i);
  if (x.tag[src] === TAG_EMPTY) { stackUnderflow(x); setST(x, 0, INDEFINITE); return; }
  setST(x, 0, x.r[src]!);
}

export function fcmovb(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.B)); }
export function fcmove(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.E)); }
export function fcmovbe(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.BE)); }
export function fcmovu(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.P)); }
export function fcmovnb(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.AE)); }
export function fcmovne(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.NE)); }
export function fcmovnbe(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.A)); }
export function fcmovnu(cpu: Cpu, s: number): void { checkPending(cpu); fcmov(cpu, s, cpu.cond(Cond.NP)); }
