/**
 * x87 basic arithmetic and compares: fadd/fmul/fsub/fsubr/fdiv/fdivr in all
 * operand forms (m32, m64, m16int, m32int, st0<-st(i), st(i)<-st0, and the
 * popping DE forms), fcom/fcomp/fcompp/fucom*, ficom*, fcomi/fucomi(p),
 * ftst, fxam, fchs, fabs, fsqrt, frndint.
 *
 * The arithmetic group shares one encoding: ModRM.reg selects the operation
 * (0 add, 1 mul, 2 com, 3 comp, 4 sub, 5 subr, 6 div, 7 divr), except that
 * the DC/DE register forms (destination st(i)) swap sub<->subr and
 * div<->divr (SDM vol. 2, FSUB/FDIV opcode tables). Handlers read the
 * extension from the decoded slot, so one handler serves one operand shape.
 */
import type { Cpu } from '../cpu.js';
import { AF, CF, OF, PF, SF, ZF } from '../flags.js';
import type { X87State } from '../state.js';
import { RC_DOWN, roundRc } from './sse-util.js';
import {
  CW_PC_MASK, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, SW_PE, TAG_EMPTY, checkPending, commitX87, cwRc, denormOperand, getST,
  nanResult, pop, setC1Rounded, setST,
} from './x87-core.js';
import { FP, F_IE, F_PE, F_ZE, MIN_NORMAL64, exponent, inexact64, ldexp, errAdd, errDiv, errMul, errSqrt, finish, toSingle, zeroSumDown } from './fp-round.js';
import { f32BitsToNumber } from './x87-f80.js';
import { isNaN32 } from './sse-util.js';

const enum A { ADD, MUL, COM, COMP, SUB, SUBR, DIV, DIVR }

/** Operation by ModRM.reg for the D8/DC/DA/DE memory forms and D8 register forms. */
const OP_ST0: readonly A[] = [A.ADD, A.MUL, A.COM, A.COMP, A.SUB, A.SUBR, A.DIV, A.DIVR];
/** Operation by ModRM.reg for the DC/DE register forms (destination st(i)). */
const OP_STI: readonly A[] = [A.ADD, A.MUL, A.COM, A.COMP, A.SUBR, A.SUB, A.DIVR, A.DIV];

/**
 * a op b with the x87 NaN rules, rounded by CW.RC to the precision of
 * CW.PC (24 bits, else 53: the register model), flags into FP.flags, C1
 * set when rounded up. a is the destination operand.
 */
function arith(x: X87State, a: number, b: number, op: A): number {
  if (a !== a || b !== b) return nanResult(x, a, b);
  let r: number, e = 0;
  const fa = a - a === 0, fb = b - b === 0;
  switch (op) {
    case A.ADD: case A.SUB: case A.SUBR: {
      const p = op === A.SUBR ? b : a, q = op === A.ADD ? b : op === A.SUB ? -b : -a;
      r = p + q;
      if (r - r === 0 && fa && fb) e = errAdd(p, q, r);
      if (r === 0 && cwRc(x) === RC_DOWN) r = zeroSumDown(p, q);
      break;
    }
    case A.MUL:
      r = a * b;
      if (r - r === 0 && a !== 0 && b !== 0) e = errMul(a, b, r);
      break;
    default: { // DIV, DIVR
      const n = op === A.DIV ? a : b, d = op === A.DIV ? b : a;
      r = n / d;
      if (d === 0 && n !== 0 && n - n === 0) FP.flags |= F_ZE;
      else if (r - r === 0 && n !== 0 && d - d === 0) e = errDiv(n, d, r);
    }
  }
  if (r !== r) return nanResult(x, 0, 0); // invalid: the indefinite
  if ((op === A.MUL || op >= A.DIV) && fa && fb && a !== 0 && b !== 0 && !(Math.abs(r) >= MIN_NORMAL64 && r - r === 0)) {
    // Beyond the double range (tiny or huge), but a normal number in the hardware's
    // extended registers: take the flags (PE, C1) from the same operation
    // on significands scaled into range; the value stays the double r.
    const ma = ldexp(a, -exponent(a)), mb = ldexp(b, -exponent(b));
    const n = op === A.DIVR ? mb : ma, d = op === A.DIVR ? ma : mb;
    const rr = op === A.MUL ? ma * mb : n / d;
    round(x, rr, op === A.MUL ? errMul(ma, mb, rr) : errDiv(n, d, rr), true);
    return r;
  }
  return round(x, r, e, fa && fb && !((op === A.DIV && b === 0) || (op === A.DIVR && a === 0)));
}

/** Final rounding of a nearest-double result r with error sign e; `finiteOps`: an infinite r is an overflow. */
function round(x: X87State, r: number, e: number, finiteOps: boolean): number {
  const pcw = x.cw & CW_PC_MASK;
  const single = pcw === 0;
  if (single) r = toSingle(r, e), e = FP.e;
  if (pcw === CW_PC_MASK && e !== 0 && r - r === 0) {
    // 64-bit precision: the flags follow the 64-bit rounding; the value is
    // the double nearest the exact result (what this register model holds).
    const dir = inexact64(cwRc(x), e);
    if (dir === 0) { x.sw &= ~SW_C1; return r; }
    FP.flags |= F_PE;
    x.sw = (dir > 0) === (r > 0) ? x.sw | SW_C1 : x.sw & ~SW_C1;
    return finish(r, e, false, cwRc(x), false);
  }
  if (r - r === 0 ? e !== 0 : finiteOps) r = finish(r, e, single, cwRc(x), false);
  else FP.e = 0;
  setC1Rounded(x, r);
  return r;
}

/** Compare ST0 with b: C3 C2 C0 = 000 greater, 001 less, 100 equal, 111 unordered; C1 = 0. */
function compare(x: X87State, a: number, b: number, signalling: boolean): void {
  let cc: number;
  if (a > b) cc = 0;
  else if (a < b) cc = SW_C0;
  else if (a === b) cc = SW_C3;
  else {
    cc = SW_C3 | SW_C2 | SW_C0;
    if (signalling) FP.flags |= F_IE;
  }
  x.sw = (x.sw & ~SW_CC) | cc;
}

/** ST0 op value (memory operand forms). Returns false when an unmasked exception suppressed the result. */
function withValue(cpu: Cpu, s: number, v: number): void {
  const x = cpu.x87, op = OP_ST0[cpu.d.reg[s]!]!;
  const a = getST(x, 0);
  if (op === A.COM || op === A.COMP) {
    compare(x, a, v, true);
    if (commitX87(x)) return;
    if (op === A.COMP) pop(x);
    return;
  }
  const r = arith(x, a, v, op);
  if (commitX87(x)) return;
  setST(x, 0, r);
}

/** D8 /r m32real. */
export function fop_m32(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const b = cpu.read32(cpu.ea(s));
  FP.flags = 0;
  if (isNaN32(b) && (b & 0x400000) === 0) FP.flags |= F_IE;
  const v = f32BitsToNumber(b);
  denormOperand(v, true);
  withValue(cpu, s, v);
}

const f64buf = new Float64Array(1);
const f64i32 = new Int32Array(f64buf.buffer);

/** DC /r m64real. */
export function fop_m64(cpu: Cpu, s: number): void {
  checkPending(cpu);
  cpu.read64(cpu.ea(s), f64i32, 0);
  FP.flags = 0;
  const v = f64buf[0]!;
  if (v !== v && (f64i32[1]! & 0x80000) === 0) FP.flags |= F_IE;
  denormOperand(v, false);
  withValue(cpu, s, v);
}

/** DA /r m32int (fiadd, fimul, ficom, ficomp, fisub, fisubr, fidiv, fidivr). */
export function fop_m32int(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const v = cpu.read32(cpu.ea(s));
  FP.flags = 0;
  withValue(cpu, s, v);
}

/** DE /r m16int. */
export function fop_m16int(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const v = (cpu.read16(cpu.ea(s)) << 16) >> 16;
  FP.flags = 0;
  withValue(cpu, s, v);
}

/** D8 /r register: ST0 = ST0 op ST(i); /2 fcom st(i), /3 fcomp st(i). */
export function fop_st0_sti(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  withValue(cpu, s, getST(x, cpu.d.rm[s]!));
}

/** ST(i) = ST(i) op ST0; false when an unmasked exception suppressed the result. */
function stiSt0(cpu: Cpu, s: number): boolean {
  const x = cpu.x87, i = cpu.d.rm[s]!, op = OP_STI[cpu.d.reg[s]!]!;
  FP.flags = 0;
  if (op === A.COM || op === A.COMP) { withValue(cpu, s, getST(x, i)); return true; }
  const a = getST(x, i), b = getST(x, 0);
  const r = arith(x, a, b, op);
  if (commitX87(x)) return false;
  setST(x, i, r);
  return true;
}

/** DC /r register: ST(i) = ST(i) op ST0 (sub/div reversed); /2 /3 are fcom/fcomp aliases. */
export function fop_sti_st0(cpu: Cpu, s: number): void {
  checkPending(cpu);
  stiSt0(cpu, s);
}

/** DE /r register: as DC, then pop (faddp, fmulp, fsubrp, fsubp, fdivrp, fdivp). */
export function fop_sti_st0_pop(cpu: Cpu, s: number): void {
  checkPending(cpu);
  if (stiSt0(cpu, s)) pop(cpu.x87);
}

// ---- compares ----

/** fucom st(i) (DD E0+i). Quiet compare: NaN operands do not signal (registers hold no SNaNs after loading). */
export function fucom(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  compare(x, getST(x, 0), getST(x, cpu.d.rm[s]!), false);
  commitX87(x);
}

/** fucomp st(i) (DD E8+i). */
export function fucomp(cpu: Cpu, s: number): void {
  fucom(cpu, s);
  pop(cpu.x87);
}

/** DE D0+i: an undocumented alias of fcomp st(i) (compare, pop). */
export function fcomp_sti(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  compare(x, getST(x, 0), getST(x, cpu.d.rm[s]!), true);
  if (!commitX87(x)) pop(x);
}

/** fucompp (DA E9): compare ST0 with ST1, pop twice. */
export function fucompp(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  compare(x, getST(x, 0), getST(x, 1), false);
  if (commitX87(x)) return;
  pop(x);
  pop(x);
}

/** fcompp (DE D9). */
export function fcompp(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  compare(x, getST(x, 0), getST(x, 1), true);
  if (commitX87(x)) return;
  pop(x);
  pop(x);
}

const COMI_MASK = OF | SF | AF | ZF | PF | CF;

function comi(cpu: Cpu, s: number, signalling: boolean): boolean {
  checkPending(cpu);
  FP.flags = 0;
  const x = cpu.x87, a = getST(x, 0), b = getST(x, cpu.d.rm[s]!);
  let f: number;
  if (a > b) f = 0;
  else if (a < b) f = CF;
  else if (a === b) f = ZF;
  else {
    f = ZF | PF | CF;
    if (signalling) FP.flags |= F_IE;
  }
  x.sw &= ~SW_C1;
  if (commitX87(x)) return false;
  cpu.setFlagBits(COMI_MASK, f);
  return true;
}

/** fcomi st0,st(i) (DB F0+i): EFLAGS ZF PF CF as ucomisd; OF SF AF cleared. */
export function fcomi(cpu: Cpu, s: number): void { comi(cpu, s, true); }
/** fcomip (DF F0+i). */
export function fcomip(cpu: Cpu, s: number): void { if (comi(cpu, s, true)) pop(cpu.x87); }
/** fucomi (DB E8+i). */
export function fucomi(cpu: Cpu, s: number): void { comi(cpu, s, false); }
/** fucomip (DF E8+i). */
export function fucomip(cpu: Cpu, s: number): void { if (comi(cpu, s, false)) pop(cpu.x87); }

/** ftst (D9 E4): compare ST0 with 0.0. */
export function ftst(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87;
  FP.flags = 0;
  compare(x, getST(x, 0), 0, true);
  commitX87(x);
}

/**
 * fxam (D9 E5): classify ST0 into C3 C2 C0 (empty 101, zero 100, normal
 * 010, infinity 011, NaN 001), C1 = sign. A double denormal is a normal
 * number in the extended format a real register holds, so it reports normal.
 */
export function fxam(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, p = x.top;
  let cc: number;
  const v = x.r[p]!;
  if (x.tag[p] === TAG_EMPTY) cc = SW_C3 | SW_C0;
  else if (v !== v) cc = SW_C0;
  else if (v === 0) cc = SW_C3;
  else if (v - v !== 0) cc = SW_C2 | SW_C0;
  else cc = SW_C2;
  if (v < 0 || Object.is(v, -0) || (v !== v && (f64Sign(v) !== 0))) cc |= SW_C1;
  x.sw = (x.sw & ~SW_CC) | cc;
}

function f64Sign(v: number): number {
  f64buf[0] = v;
  return f64i32[1]! >>> 31;
}

// ---- unary ----

/** fchs (D9 E0): flips the sign bit (also of a NaN). */
export function fchs(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  f64buf[0] = v;
  f64i32[1] = f64i32[1]! ^ (0x80000000 | 0);
  setST(x, 0, f64buf[0]!);
  x.sw &= ~SW_C1;
}

/** fabs (D9 E1): clears the sign bit. */
export function fabs(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  f64buf[0] = v;
  f64i32[1] = f64i32[1]! & 0x7fffffff;
  setST(x, 0, f64buf[0]!);
  x.sw &= ~SW_C1;
}

/** fsqrt (D9 FA): sqrt(-x) is invalid (indefinite); sqrt(-0) = -0. */
export function fsqrt(cpu: Cpu): void {
  checkPending(cpu);
  FP.flags = 0;
  const x = cpu.x87, v = getST(x, 0);
  let r = Math.sqrt(v);
  if (r !== r) r = v !== v ? nanResult(x, v, v) : nanResult(x, 0, 0);
  else r = round(x, r, r - r === 0 && v > 0 ? errSqrt(v, r) : 0, false);
  if (commitX87(x)) return;
  setST(x, 0, r);
}

/** frndint (D9 FC): round to an integer by CW.RC. */
export function frndint(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87, v = getST(x, 0);
  if (v !== v) { setST(x, 0, nanResult(x, v, v)); return; }
  const r = roundRc(v, cwRc(x));
  if (r !== v) x.sw |= SW_PE;
  x.sw = Math.abs(r) > Math.abs(v) ? x.sw | SW_C1 : x.sw & ~SW_C1;
  // A value rounded to zero keeps its sign: Math.ceil/trunc/round give -0 for (-1, 0).
  setST(x, 0, r);
}
