/**
 * Hot forms: the instruction forms that dominate compiled code (register
 * ALU, mov, push/pop, call/ret, jcc, ...), specialised at decode time so
 * the run loop can execute them inline, without a call and without
 * branching on operand kinds.
 *
 * For every decoded slot s the decode cache stores a packed record of
 * FX_STRIDE ints at s * FX_STRIDE in `fx`:
 *
 *   [kind | A << 8 | B << 12 | count << 16,  x,  y,  unused]
 *
 * kind 0 = not hot: the loop calls execs[op](cpu, s). A and B are register
 * numbers, x and y the other operands (immediate, displacement, branch
 * target / fall-through), already resolved, so a register-register body
 * needs one load from the record and an immediate form two, instead of a
 * chain of loads from the 13 columns of DecodedSlots (each typed-array load
 * costs V8 a map check, a bounds check and the base pointer). The columns stay the
 * source of truth (every other handler, the SSE/x87 ones included, reads
 * them through the Cpu operand API); `fx` is a cache beside them, rebuilt
 * whenever a slot is decoded.
 *
 * A form is only specialised when its operands fit the fast body:
 * memory forms need a [base + disp32] operand with 32-bit addressing and no
 * FS/GS override; shifts need a non-zero count. Anything else stays kind 0
 * and runs its table handler, which is always correct.
 *
 * The kind numbers are the case labels of the run loop's switch
 * (interpreter.ts), written there as literals: esbuild does not inline
 * const enums across files, and a switch over property loads compiles to a
 * compare chain instead of a jump table. Keep both lists in step.
 */
import * as alu from './ops/alu.js';
import * as ctl from './ops/control.js';
import * as md from './ops/muldiv.js';
import * as mov from './ops/mov.js';
import * as sh from './ops/shift.js';
import * as stk from './ops/stack.js';
import { PFX_ADDRSIZE, type DecodedSlots } from './decoded.js';
import { ARITH, CF, Cond } from './flags.js';
import { opTable } from './table/index.js';
import { Flow, type Exec } from './table/types.js';

export const FX_STRIDE = 4;

/** Hot kinds (the run loop's case labels). ALU groups are in the order add, or, and, sub, xor, cmp(, test). */
export const enum K {
  GENERIC = 0,
  /** A = destination register, B = source register. */
  ADD_RR = 1, OR_RR, AND_RR, SUB_RR, XOR_RR, CMP_RR, TEST_RR,
  /** A = destination register, x = immediate. */
  ADD_RI = 8, OR_RI, AND_RI, SUB_RI, XOR_RI, CMP_RI,
  /** A = register. */
  INC_R = 14, DEC_R,
  /** MOV_RR A = dst, B = src; MOV_RI A = dst, x = imm. */
  MOV_RR = 16, MOV_RI,
  /** Memory forms: B = base register, x = displacement; A = the register (MOV_RM destination, MOV_MR source, LEA destination); MOV_MI: y = immediate. */
  MOV_RM = 18, MOV_MR, MOV_MI, LEA,
  /** PUSH_R/POP_R A = register; PUSH_I x = imm; CALL x = target, y = return address; JMP x = target. */
  PUSH_R = 22, POP_R, PUSH_I, CALL, RET, JMP,
  /** JCC + cc: x = target, y = fall-through. */
  JCC = 28,
  /** A = dst, B = src, x = imm. */
  IMUL_RRI = 44,
  /** A = register, count (1..31) in bits 16.. */
  ROL_RI = 45, SHL_RI, SHR_RI, SAR_RI,
  /** op reg, [base + disp]: A = register, B = base, x = disp. */
  ADD_RM = 49, OR_RM, AND_RM, SUB_RM, XOR_RM, CMP_RM,
  /**
   * Flags-dead variants ("NF"): the same operation without the flags update,
   * chosen by finishBlock when every flag the instruction writes is written
   * again before anything can read it (see finishBlock). Same operands as
   * the kind they come from.
   */
  ADD_RR_NF = 55, OR_RR_NF, AND_RR_NF, SUB_RR_NF, XOR_RR_NF,
  ADD_RI_NF = 60, OR_RI_NF, AND_RI_NF, SUB_RI_NF, XOR_RI_NF,
  /** cmp/test reg,reg|imm whose flags are dead: nothing to do. */
  NOP = 65,
  INC_R_NF = 66, DEC_R_NF,
  IMUL_RRI_NF = 68,
  ROL_RI_NF = 69, SHL_RI_NF, SHR_RI_NF, SAR_RI_NF,
  ADD_RM_NF = 73, OR_RM_NF, AND_RM_NF, SUB_RM_NF, XOR_RM_NF,
  /**
   * Fused flag-setter + jcc at the end of a block (the jcc's slot stays
   * decoded; the fused body runs both and skips it). Bits 16..23 of word 0
   * hold the jcc's truth table over the setter's outcome (condTable):
   * CMP_*: bit index = E | B << 1 | L << 2 (equal, unsigned below, signed
   * less); TEST/DEC/INC: bit index = Z | S << 1 of the result.
   * CMP_RR_JCC / TEST_RR_JCC: A, B, x = target, y = fall-through.
   * CMP_RI_JCC: A, x = imm, y = target, z = fall-through.
   * DEC_JCC / INC_JCC: A, x = target, y = fall-through.
   * CMP_RM_JCC: A = register, B = base, x = disp, y = target, z = fall-through.
   */
  CMP_RR_JCC = 78, CMP_RI_JCC, TEST_RR_JCC, DEC_JCC, INC_JCC, CMP_RM_JCC,
  /**
   * Only-CF-live variants ("CF"): of the flags the instruction writes only CF
   * is read (typically by the inc/dec that follows, which keeps CF), so the
   * body stores CF into cpu.flags and clears its lazy bit, and leaves the
   * other (dead) flags alone. Same operands as the kind they come from.
   */
  ADD_RR_CF = 84, SUB_RR_CF, CMP_RR_CF, ADD_RI_CF, SUB_RI_CF, CMP_RI_CF,
}
/** Highest kind (checked by the run loop at load). */
export const K_LAST = K.CMP_RI_CF;

/**
 * How the run loop finds the next EIP when a whole block ran (block info
 * word END_MODE, set by finishBlock):
 */
export const enum EndMode {
  /** The last instruction does not branch: EIP = the block's fall-through. */
  FALL = 0,
  /** A hot branch body (or a fused pair) computed it. */
  HOT_BRANCH = 1,
  /** A table handler branched: it is in cpu.eip. */
  TABLE_BRANCH = 2,
  /** int n / sysenter: stop with Stop.SYSCALL (the handler set cpu.eip). */
  TRAP = 3,
  /** popf and friends: fall through, and re-read TF. */
  SERIALIZE = 4,
}

/** ALU operation index (alu.ALU_NAMES order) -> offset in a kind group, -1 = not specialised (adc/sbb). */
const ALU_OFS = [0, 1, -1, -1, 2, 3, 4, 5];

/** Fills x/y of the record at i and returns its first word (0 = not hot). */
type Spec = (d: DecodedSlots, s: number, o: Int32Array, i: number) => number;

/** [base + disp] with 32-bit addressing, no index, no FS/GS: the only memory operand the fast bodies compute. */
function simpleMem(d: DecodedSlots, s: number): boolean {
  return d.seg[s] === 0 && (d.pfx[s]! & PFX_ADDRSIZE) === 0 && d.base[s]! >= 0 && d.index[s]! < 0;
}

/** Word 0 of a record. */
const w0 = (kind: number, a: number, b: number): number => kind | (a << 8) | (b << 12);
function put(o: Int32Array, i: number, x: number, y: number): void {
  o[i + 1] = x;
  o[i + 2] = y;
}

const specs = new Map<Exec, Spec>();
const specByRow: (Spec | undefined)[] = [];

function init(): void {
  for (let i = 0; i < 8; i++) {
    const k = ALU_OFS[i]!;
    if (k < 0) continue;
    specs.set(alu.HOT_EG32[i]!, (d, s) => w0(K.ADD_RR + k, d.rm[s]!, d.reg[s]!));
    specs.set(alu.HOT_GE32[i]!, (d, s) => w0(K.ADD_RR + k, d.reg[s]!, d.rm[s]!));
    specs.set(alu.HOT_EI32[i]!, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return w0(K.ADD_RI + k, d.rm[s]!, 0); });
  }
  specs.set(alu.test_85_32_reg, (d, s) => w0(K.TEST_RR, d.rm[s]!, d.reg[s]!));
  specs.set(alu.inc_40_32, (d, s) => w0(K.INC_R, d.reg[s]!, 0));
  specs.set(alu.dec_48_32, (d, s) => w0(K.DEC_R, d.reg[s]!, 0));
  specs.set(alu.inc_ff_32_reg, (d, s) => w0(K.INC_R, d.rm[s]!, 0));
  specs.set(alu.dec_ff_32_reg, (d, s) => w0(K.DEC_R, d.rm[s]!, 0));
  specs.set(mov.mov_89_32_reg, (d, s) => w0(K.MOV_RR, d.rm[s]!, d.reg[s]!));
  specs.set(mov.mov_8b_32_reg, (d, s) => w0(K.MOV_RR, d.reg[s]!, d.rm[s]!));
  specs.set(mov.mov_b8_32, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return w0(K.MOV_RI, d.reg[s]!, 0); });
  specs.set(mov.mov_c7_32_reg, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return w0(K.MOV_RI, d.rm[s]!, 0); });
  const mem = (kind: K, a: (d: DecodedSlots, s: number) => number, y: (d: DecodedSlots, s: number) => number): Spec => (d, s, o, x) => {
    if (!simpleMem(d, s)) return K.GENERIC;
    put(o, x, d.disp[s]!, y(d, s));
    return w0(kind, a(d, s), d.base[s]!);
  };
  const gReg = (d: DecodedSlots, s: number): number => d.reg[s]!;
  const none = (): number => 0;
  specs.set(mov.mov_8b_32_mem, mem(K.MOV_RM, gReg, none));
  specs.set(mov.mov_89_32_mem, mem(K.MOV_MR, gReg, none));
  specs.set(mov.mov_c7_32_mem, mem(K.MOV_MI, none, (d, s) => d.imm[s]!));
  specs.set(mov.lea_8d_32, mem(K.LEA, gReg, none));
  specs.set(stk.push_50_32, (d, s) => w0(K.PUSH_R, d.reg[s]!, 0));
  specs.set(stk.pop_58_32, (d, s) => w0(K.POP_R, d.reg[s]!, 0));
  specs.set(stk.push_68_32, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return K.PUSH_I; });
  specs.set(ctl.call_e8_32, (d, s, o, x) => { put(o, x, d.imm[s]!, d.next[s]!); return K.CALL; });
  specs.set(ctl.ret_c3_32, () => K.RET);
  specs.set(ctl.jmp_e9, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return K.JMP; });
  ctl.JCC.forEach((f, cc) => specs.set(f, (d, s, o, x) => { put(o, x, d.imm[s]!, d.next[s]!); return K.JCC + cc; }));
  specs.set(md.imul_69_32_reg, (d, s, o, x) => { put(o, x, d.imm[s]!, 0); return w0(K.IMUL_RRI, d.reg[s]!, d.rm[s]!); });
  const shift = (kind: K): Spec => (d, s) => {
    const c = d.imm[s]! & 31;
    // Count 0 changes nothing, not even flags: leave it to the table handler.
    return c === 0 ? K.GENERIC : w0(kind, d.rm[s]!, 0) | (c << 16);
  };
  specs.set(sh.rol_c1_32_reg, shift(K.ROL_RI));
  specs.set(sh.shl_c1_32_reg, shift(K.SHL_RI));
  specs.set(sh.shr_c1_32_reg, shift(K.SHR_RI));
  specs.set(sh.sar_c1_32_reg, shift(K.SAR_RI));

  opTable.forEach((r, i) => {
    let sp = specs.get(r.exec);
    // op Gv,[mem] (32-bit): its handler is a shared closure (formGE32), so recognise the row by name.
    const m = /^(add|or|and|sub|xor|cmp) Gv,Ev$/.exec(r.name);
    if (sp === undefined && m && r.mod === 'mem' && r.osize === 32 && r.prefix === undefined) {
      const k = ALU_OFS[alu.ALU_NAMES.indexOf(m[1] as (typeof alu.ALU_NAMES)[number])]!;
      sp = mem(K.ADD_RM + k, gReg, none);
    }
    specByRow[i] = sp;
  });
}
init();

/** Fills the hot record of slot `s` (just decoded into cpu.d). */
export function specialise(d: DecodedSlots, s: number, fx: Int32Array): void {
  const i = s * FX_STRIDE;
  const sp = specByRow[d.op[s]!];
  fx[i] = sp === undefined ? K.GENERIC : sp(d, s, fx, i);
  fx[i + 3] = 0;
}

// ---------------------------------------------------------------------------
// Block finishing: fusion and dead flags
// ---------------------------------------------------------------------------

/** Flags a kind certainly writes (0 for kinds that write none or are not modelled here). */
const KILL = new Int32Array(K_LAST + 1);
/** The flags-dead variant of a kind (0 = none). */
const NF = new Int32Array(K_LAST + 1);
/** The only-CF-live variant of a kind (0 = none). */
const CFV = new Int32Array(K_LAST + 1);
/**
 * Kinds that cannot fault or stop the block: a register-only body. Every
 * other kind (memory, stack, table handlers) is a barrier: when it faults
 * (or stops the block after a store into code), the state before it must
 * be exact, so all flags are live there.
 */
const PURE = new Uint8Array(K_LAST + 1);
/** Kinds whose body sets the run loop's EIP (hot branches and fused pairs). */
const BRANCHES = new Uint8Array(K_LAST + 1);

function initLiveness(): void {
  for (let k = 0; k < 5; k++) {
    KILL[K.ADD_RR + k] = KILL[K.ADD_RI + k] = KILL[K.ADD_RM + k] = ARITH;
    NF[K.ADD_RR + k] = K.ADD_RR_NF + k;
    NF[K.ADD_RI + k] = K.ADD_RI_NF + k;
    NF[K.ADD_RM + k] = K.ADD_RM_NF + k;
    PURE[K.ADD_RR + k] = PURE[K.ADD_RI + k] = PURE[K.ADD_RR_NF + k] = PURE[K.ADD_RI_NF + k] = 1;
  }
  KILL[K.CMP_RR] = KILL[K.TEST_RR] = KILL[K.CMP_RI] = KILL[K.CMP_RM] = ARITH;
  CFV[K.ADD_RR] = K.ADD_RR_CF;
  CFV[K.SUB_RR] = K.SUB_RR_CF;
  CFV[K.CMP_RR] = K.CMP_RR_CF;
  CFV[K.ADD_RI] = K.ADD_RI_CF;
  CFV[K.SUB_RI] = K.SUB_RI_CF;
  CFV[K.CMP_RI] = K.CMP_RI_CF;
  for (let k = K.ADD_RR_CF; k <= K.CMP_RI_CF; k++) PURE[k] = 1;
  NF[K.CMP_RR] = NF[K.TEST_RR] = NF[K.CMP_RI] = K.NOP;
  PURE[K.CMP_RR] = PURE[K.TEST_RR] = PURE[K.CMP_RI] = PURE[K.NOP] = 1;
  KILL[K.INC_R] = KILL[K.DEC_R] = ARITH & ~CF;
  NF[K.INC_R] = K.INC_R_NF;
  NF[K.DEC_R] = K.DEC_R_NF;
  KILL[K.IMUL_RRI] = ARITH;
  NF[K.IMUL_RRI] = K.IMUL_RRI_NF;
  KILL[K.ROL_RI] = CF | 0x800;
  KILL[K.SHL_RI] = KILL[K.SHR_RI] = KILL[K.SAR_RI] = ARITH;
  for (let k = 0; k < 4; k++) NF[K.ROL_RI + k] = K.ROL_RI_NF + k;
  for (const k of [K.INC_R, K.DEC_R, K.INC_R_NF, K.DEC_R_NF, K.IMUL_RRI, K.IMUL_RRI_NF, K.MOV_RR, K.MOV_RI, K.LEA, K.JMP,
    K.ROL_RI, K.SHL_RI, K.SHR_RI, K.SAR_RI, K.ROL_RI_NF, K.SHL_RI_NF, K.SHR_RI_NF, K.SAR_RI_NF]) PURE[k] = 1;
  for (let cc = 0; cc < 16; cc++) PURE[K.JCC + cc] = BRANCHES[K.JCC + cc] = 1;
  for (const k of [K.CALL, K.RET, K.JMP, K.CMP_RR_JCC, K.CMP_RI_JCC, K.TEST_RR_JCC, K.DEC_JCC, K.INC_JCC, K.CMP_RM_JCC]) BRANCHES[k] = 1;
  // Fused pairs end their block, so only their own reads/writes matter for what is before them.
  KILL[K.CMP_RR_JCC] = KILL[K.CMP_RI_JCC] = KILL[K.TEST_RR_JCC] = KILL[K.CMP_RM_JCC] = ARITH;
  KILL[K.DEC_JCC] = KILL[K.INC_JCC] = ARITH & ~CF;
  PURE[K.CMP_RR_JCC] = PURE[K.CMP_RI_JCC] = PURE[K.TEST_RR_JCC] = PURE[K.DEC_JCC] = PURE[K.INC_JCC] = 1;
}
initLiveness();

/** Outcome bits of a compare: E | B << 1 | L << 2. */
function cmpHolds(cc: Cond, bits: number): boolean {
  const e = (bits & 1) !== 0, b = (bits & 2) !== 0, l = (bits & 4) !== 0;
  switch (cc) {
    case Cond.B: return b;
    case Cond.AE: return !b;
    case Cond.E: return e;
    case Cond.NE: return !e;
    case Cond.BE: return b || e;
    case Cond.A: return !b && !e;
    case Cond.L: return l;
    case Cond.GE: return !l;
    case Cond.LE: return l || e;
    case Cond.G: return !l && !e;
    default: throw new Error('not a compare condition');
  }
}
/** Outcome bits of a result: Z | S << 1, with CF = OF = 0 (logic ops). */
function logicHolds(cc: Cond, bits: number): boolean {
  const z = (bits & 1) !== 0, sg = (bits & 2) !== 0;
  switch (cc) {
    case Cond.O: case Cond.B: return false;
    case Cond.NO: case Cond.AE: return true;
    case Cond.E: case Cond.BE: return z;
    case Cond.NE: case Cond.A: return !z;
    case Cond.S: case Cond.L: return sg;
    case Cond.NS: case Cond.GE: return !sg;
    case Cond.LE: return z || sg;
    case Cond.G: return !z && !sg;
    default: throw new Error('not a logic condition');
  }
}
/** The 8-bit truth table of jcc `cc` over the outcome bits, or -1 when the condition needs other flags. */
export function condTable(setter: K, cc: Cond): number {
  let holds: (cc: Cond, bits: number) => boolean;
  let n: number;
  if (setter === K.CMP_RR || setter === K.CMP_RI || setter === K.CMP_RM) {
    if (cc < Cond.B || (cc > Cond.A && cc < Cond.L)) return -1;
    holds = cmpHolds;
    n = 8;
  } else if (setter === K.TEST_RR) {
    if (cc === Cond.P || cc === Cond.NP) return -1;
    holds = logicHolds;
    n = 4;
  } else if (setter === K.DEC_R || setter === K.INC_R) {
    // OF and CF are not those of a logic op: only Z and S conditions.
    if (cc !== Cond.E && cc !== Cond.NE && cc !== Cond.S && cc !== Cond.NS) return -1;
    holds = logicHolds;
    n = 4;
  } else return -1;
  let t = 0;
  for (let bits = 0; bits < n; bits++) if (holds(cc, bits)) t |= 1 << bits;
  return t;
}

const FUSED: Partial<Record<number, K>> = {
  [K.CMP_RR]: K.CMP_RR_JCC, [K.CMP_RI]: K.CMP_RI_JCC, [K.CMP_RM]: K.CMP_RM_JCC,
  [K.TEST_RR]: K.TEST_RR_JCC, [K.DEC_R]: K.DEC_JCC, [K.INC_R]: K.INC_JCC,
};

/**
 * Called once a block's slots [first, first + n) are decoded and
 * specialised. Returns the block's EndMode.
 *
 * 1. Fusion: a flag-setter (cmp/test/dec/inc) directly before the block's
 *    final jcc becomes one fused kind when the condition can be read off the
 *    setter's outcome. The jcc slot is left as it is: only the fast path
 *    (which runs whole blocks) uses the fused record; a partial run (budget,
 *    single-step) uses the table handlers slot by slot, so EIP, flags and
 *    the retired count between the two are exact.
 * 2. Dead flags: a backward pass over the block with all flags live at its
 *    end; before a barrier (anything that can fault or stop the block) all
 *    flags are live too. A kind whose written flags are all dead after it
 *    becomes its NF variant; an add/sub/cmp after which only CF is live
 *    (before an inc/dec) its CF variant. Blocks only ever run whole on the fast path, so
 *    the state is exact at every point where it can be observed: block
 *    ends, faults (barriers), and partial runs (table handlers).
 */
export function finishBlock(d: DecodedSlots, first: number, n: number, fx: Int32Array, flow: Flow): EndMode {
  if (n === 0) return EndMode.FALL;
  const last = first + n - 1;
  const lastKind = fx[last * FX_STRIDE]! & 0xff;
  if (n >= 2 && lastKind >= K.JCC && lastKind < K.JCC + 16) {
    const i = (last - 1) * FX_STRIDE, j = last * FX_STRIDE;
    const w = fx[i]!, setter = w & 0xff, fused = FUSED[setter];
    const t = fused === undefined ? -1 : condTable(setter, lastKind - K.JCC);
    if (fused !== undefined && t >= 0) {
      const target = fx[j + 1]!, fall = fx[j + 2]!;
      fx[i] = fused | (w & 0xff00) | (t << 16);
      if (fused === K.CMP_RI_JCC || fused === K.CMP_RM_JCC) {
        fx[i + 2] = target; // x (imm / disp) stays
        fx[i + 3] = fall;
      } else {
        fx[i + 1] = target;
        fx[i + 2] = fall;
      }
    }
  }
  let live = ARITH;
  for (let s = last; s >= first; s--) {
    const i = s * FX_STRIDE, k = fx[i]! & 0xff;
    const kill = KILL[k]!;
    if (kill !== 0 && (kill & live) === 0 && NF[k] !== 0) fx[i] = (fx[i]! & ~0xff) | NF[k]!;
    else if ((kill & live) === CF && CFV[k] !== 0) fx[i] = (fx[i]! & ~0xff) | CFV[k]!;
    live = PURE[k] === 1 ? (live & ~kill) | (opTable[d.op[s]!]!.flagsRead & ARITH) : ARITH;
  }
  const lk = fx[last * FX_STRIDE]! & 0xff;
  const pk = n >= 2 ? fx[(last - 1) * FX_STRIDE]! & 0xff : 0;
  if (pk >= K.CMP_RR_JCC && pk <= K.CMP_RM_JCC) return EndMode.HOT_BRANCH;
  switch (flow) {
    case Flow.NONE: return EndMode.FALL;
    case Flow.SERIALIZE: return EndMode.SERIALIZE;
    case Flow.TRAP: return EndMode.TRAP;
    default: return BRANCHES[lk] === 1 ? EndMode.HOT_BRANCH : EndMode.TABLE_BRANCH;
  }
}
