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
import { opTable } from './table/index.js';
import type { Exec } from './table/types.js';

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
}
/** Highest kind (checked by the run loop at load). */
export const K_LAST = K.CMP_RM;

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
