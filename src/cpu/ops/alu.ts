/**
 * The eight ALU operations (add or adc sbb and sub xor cmp), test, not/neg
 * and inc/dec, for 8-, 16- and 32-bit operands.
 *
 * Each operation has a core `(cpu, a, b) => result` that records the lazy
 * flags (see flags.ts) and returns the result masked to its size. Handlers
 * for the operand forms (E,G / G,E / A,I / E,I, register or memory) come in
 * two kinds:
 *  - the 32-bit register forms, written out one function per operation so
 *    that each is monomorphic and inlines its core (these are the hot ones);
 *  - everything else, made by small form factories (`formEG32m(core)`):
 *    one closure per (form, operation), slower (the core call is
 *    polymorphic) but without copy-paste.
 * Memory read-modify-write forms probe the write before touching flags, so
 * a write fault leaves flags and registers exactly as they were.
 */
import type { Cpu } from '../cpu.js';
import { Lazy } from '../flags.js';
import type { Exec } from '../table/types.js';

export type Alu = (cpu: Cpu, a: number, b: number) => number;

// ---- cores, 32-bit -------------------------------------------------------
export function add32(cpu: Cpu, a: number, b: number): number { const r = (a + b) | 0; cpu.setLazy(Lazy.ADD, a, b, r, 4); return r; }
export function or32(cpu: Cpu, a: number, b: number): number { const r = a | b; cpu.setLazy(Lazy.LOGIC, a, b, r, 4); return r; }
export function adc32(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a + b + c) | 0; cpu.setLazyCarry(Lazy.ADC, a, b, c, r, 4); return r; }
export function sbb32(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a - b - c) | 0; cpu.setLazyCarry(Lazy.SBB, a, b, c, r, 4); return r; }
export function and32(cpu: Cpu, a: number, b: number): number { const r = a & b; cpu.setLazy(Lazy.LOGIC, a, b, r, 4); return r; }
export function sub32(cpu: Cpu, a: number, b: number): number { const r = (a - b) | 0; cpu.setLazy(Lazy.SUB, a, b, r, 4); return r; }
export function xor32(cpu: Cpu, a: number, b: number): number { const r = a ^ b; cpu.setLazy(Lazy.LOGIC, a, b, r, 4); return r; }

// ---- cores, 16-bit (operands zero-extended, result masked) --------------
export function add16(cpu: Cpu, a: number, b: number): number { const r = (a + b) & 0xffff; cpu.setLazy(Lazy.ADD, a, b, r, 2); return r; }
export function or16(cpu: Cpu, a: number, b: number): number { const r = (a | b) & 0xffff; cpu.setLazy(Lazy.LOGIC, a, b, r, 2); return r; }
export function adc16(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a + b + c) & 0xffff; cpu.setLazyCarry(Lazy.ADC, a, b, c, r, 2); return r; }
export function sbb16(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a - b - c) & 0xffff; cpu.setLazyCarry(Lazy.SBB, a, b, c, r, 2); return r; }
export function and16(cpu: Cpu, a: number, b: number): number { const r = a & b & 0xffff; cpu.setLazy(Lazy.LOGIC, a, b, r, 2); return r; }
export function sub16(cpu: Cpu, a: number, b: number): number { const r = (a - b) & 0xffff; cpu.setLazy(Lazy.SUB, a, b, r, 2); return r; }
export function xor16(cpu: Cpu, a: number, b: number): number { const r = (a ^ b) & 0xffff; cpu.setLazy(Lazy.LOGIC, a, b, r, 2); return r; }

// ---- cores, 8-bit --------------------------------------------------------
export function add8(cpu: Cpu, a: number, b: number): number { const r = (a + b) & 0xff; cpu.setLazy(Lazy.ADD, a, b, r, 1); return r; }
export function or8(cpu: Cpu, a: number, b: number): number { const r = (a | b) & 0xff; cpu.setLazy(Lazy.LOGIC, a, b, r, 1); return r; }
export function adc8(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a + b + c) & 0xff; cpu.setLazyCarry(Lazy.ADC, a, b, c, r, 1); return r; }
export function sbb8(cpu: Cpu, a: number, b: number): number { const c = cpu.getCF() ? 1 : 0; const r = (a - b - c) & 0xff; cpu.setLazyCarry(Lazy.SBB, a, b, c, r, 1); return r; }
export function and8(cpu: Cpu, a: number, b: number): number { const r = a & b & 0xff; cpu.setLazy(Lazy.LOGIC, a, b, r, 1); return r; }
export function sub8(cpu: Cpu, a: number, b: number): number { const r = (a - b) & 0xff; cpu.setLazy(Lazy.SUB, a, b, r, 1); return r; }
export function xor8(cpu: Cpu, a: number, b: number): number { const r = (a ^ b) & 0xff; cpu.setLazy(Lazy.LOGIC, a, b, r, 1); return r; }

/** Operation names in encoding order (opcode bits 5..3, or ModRM.reg of 80..83). */
export const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
/** Cores by operation; cmp uses sub's core and its forms do not write back. */
export const ALU8: readonly Alu[] = [add8, or8, adc8, sbb8, and8, sub8, xor8, sub8];
export const ALU16: readonly Alu[] = [add16, or16, adc16, sbb16, and16, sub16, xor16, sub16];
export const ALU32: readonly Alu[] = [add32, or32, adc32, sbb32, and32, sub32, xor32, sub32];

// ---- form factories (cold forms) ----------------------------------------
// Naming: E = ModRM r/m operand, G = ModRM.reg, I = immediate (d.imm), A = accumulator.
// `w` = the form writes its result (false for cmp/test).

export function formEG32r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = f(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.reg[d.rm[s]!]!, cpu.reg[d.reg[s]!]!); };
}
export function formEG32m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 4); const x = cpu.read32(a); cpu.write32(a, f(cpu, x, cpu.reg[cpu.d.reg[s]!]!)); }
    : (cpu, s) => { f(cpu, cpu.read32(cpu.ea(s)), cpu.reg[cpu.d.reg[s]!]!); };
}
export function formGE32(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const g = cpu.d.reg[s]!; cpu.reg[g] = f(cpu, cpu.reg[g]!, cpu.readE32(s)); }
    : (cpu, s) => { f(cpu, cpu.reg[cpu.d.reg[s]!]!, cpu.readE32(s)); };
}
export function formEI32r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = f(cpu, cpu.reg[r]!, d.imm[s]!); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.reg[d.rm[s]!]!, d.imm[s]!); };
}
export function formEI32m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 4); const x = cpu.read32(a); cpu.write32(a, f(cpu, x, cpu.d.imm[s]!)); }
    : (cpu, s) => { f(cpu, cpu.read32(cpu.ea(s)), cpu.d.imm[s]!); };
}
export function formAI32(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { cpu.reg[0] = f(cpu, cpu.reg[0]!, cpu.d.imm[s]!); }
    : (cpu, s) => { f(cpu, cpu.reg[0]!, cpu.d.imm[s]!); };
}

export function formEG16r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.setReg16(r, f(cpu, cpu.reg[r]! & 0xffff, cpu.reg[d.reg[s]!]! & 0xffff)); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.reg[d.rm[s]!]! & 0xffff, cpu.reg[d.reg[s]!]! & 0xffff); };
}
export function formEG16m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 2); const x = cpu.read16(a); cpu.write16(a, f(cpu, x, cpu.reg[cpu.d.reg[s]!]! & 0xffff)); }
    : (cpu, s) => { f(cpu, cpu.read16(cpu.ea(s)), cpu.reg[cpu.d.reg[s]!]! & 0xffff); };
}
export function formGE16(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const g = cpu.d.reg[s]!; cpu.setReg16(g, f(cpu, cpu.reg[g]! & 0xffff, cpu.readE16(s))); }
    : (cpu, s) => { f(cpu, cpu.reg[cpu.d.reg[s]!]! & 0xffff, cpu.readE16(s)); };
}
export function formEI16r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.setReg16(r, f(cpu, cpu.reg[r]! & 0xffff, d.imm[s]! & 0xffff)); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.reg[d.rm[s]!]! & 0xffff, d.imm[s]! & 0xffff); };
}
export function formEI16m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 2); const x = cpu.read16(a); cpu.write16(a, f(cpu, x, cpu.d.imm[s]! & 0xffff)); }
    : (cpu, s) => { f(cpu, cpu.read16(cpu.ea(s)), cpu.d.imm[s]! & 0xffff); };
}
export function formAI16(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { cpu.setReg16(0, f(cpu, cpu.reg[0]! & 0xffff, cpu.d.imm[s]! & 0xffff)); }
    : (cpu, s) => { f(cpu, cpu.reg[0]! & 0xffff, cpu.d.imm[s]! & 0xffff); };
}

export function formEG8r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.setReg8(r, f(cpu, cpu.getReg8(r), cpu.getReg8(d.reg[s]!))); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.getReg8(d.rm[s]!), cpu.getReg8(d.reg[s]!)); };
}
export function formEG8m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 1); const x = cpu.read8(a); cpu.write8(a, f(cpu, x, cpu.getReg8(cpu.d.reg[s]!))); }
    : (cpu, s) => { f(cpu, cpu.read8(cpu.ea(s)), cpu.getReg8(cpu.d.reg[s]!)); };
}
export function formGE8(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const g = cpu.d.reg[s]!; cpu.setReg8(g, f(cpu, cpu.getReg8(g), cpu.readE8(s))); }
    : (cpu, s) => { f(cpu, cpu.getReg8(cpu.d.reg[s]!), cpu.readE8(s)); };
}
export function formEI8r(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const d = cpu.d, r = d.rm[s]!; cpu.setReg8(r, f(cpu, cpu.getReg8(r), d.imm[s]! & 0xff)); }
    : (cpu, s) => { const d = cpu.d; f(cpu, cpu.getReg8(d.rm[s]!), d.imm[s]! & 0xff); };
}
export function formEI8m(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { const a = cpu.ea(s); cpu.probeWrite(a, 1); const x = cpu.read8(a); cpu.write8(a, f(cpu, x, cpu.d.imm[s]! & 0xff)); }
    : (cpu, s) => { f(cpu, cpu.read8(cpu.ea(s)), cpu.d.imm[s]! & 0xff); };
}
export function formAI8(f: Alu, w: boolean): Exec {
  return w
    ? (cpu, s) => { cpu.setReg8(0, f(cpu, cpu.reg[0]! & 0xff, cpu.d.imm[s]! & 0xff)); }
    : (cpu, s) => { f(cpu, cpu.reg[0]! & 0xff, cpu.d.imm[s]! & 0xff); };
}

// ---- hot 32-bit register forms, one monomorphic function each -----------
// 01 /r  op Ev,Gv (mod = 3)
export function add_01_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = add32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function or_09_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = or32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function adc_11_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = adc32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function sbb_19_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = sbb32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function and_21_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = and32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function sub_29_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = sub32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function xor_31_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = xor32(cpu, cpu.reg[r]!, cpu.reg[d.reg[s]!]!); }
export function cmp_39_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; sub32(cpu, cpu.reg[d.rm[s]!]!, cpu.reg[d.reg[s]!]!); }
// 03 /r  op Gv,Ev (mod = 3)
export function add_03_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = add32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function or_0b_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = or32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function adc_13_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = adc32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function sbb_1b_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = sbb32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function and_23_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = and32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function sub_2b_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = sub32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function xor_33_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, g = d.reg[s]!; cpu.reg[g] = xor32(cpu, cpu.reg[g]!, cpu.reg[d.rm[s]!]!); }
export function cmp_3b_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; sub32(cpu, cpu.reg[d.reg[s]!]!, cpu.reg[d.rm[s]!]!); }
// 81 /n and 83 /n  op Ev,imm (mod = 3); the decoder sign-extends imm8, so one handler serves both
export function add_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = add32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function or_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = or32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function adc_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = adc32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function sbb_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = sbb32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function and_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = and32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function sub_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = sub32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function xor_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d, r = d.rm[s]!; cpu.reg[r] = xor32(cpu, cpu.reg[r]!, d.imm[s]!); }
export function cmp_81_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; sub32(cpu, cpu.reg[d.rm[s]!]!, d.imm[s]!); }

/** The hot register forms by operation, for the table generator. */
export const HOT_EG32: readonly Exec[] = [add_01_32_reg, or_09_32_reg, adc_11_32_reg, sbb_19_32_reg, and_21_32_reg, sub_29_32_reg, xor_31_32_reg, cmp_39_32_reg];
export const HOT_GE32: readonly Exec[] = [add_03_32_reg, or_0b_32_reg, adc_13_32_reg, sbb_1b_32_reg, and_23_32_reg, sub_2b_32_reg, xor_33_32_reg, cmp_3b_32_reg];
export const HOT_EI32: readonly Exec[] = [add_81_32_reg, or_81_32_reg, adc_81_32_reg, sbb_81_32_reg, and_81_32_reg, sub_81_32_reg, xor_81_32_reg, cmp_81_32_reg];

// ---- test (84/85/A8/A9/F6 /0/F7 /0) ---------------------------------------
export function test_85_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; and32(cpu, cpu.reg[d.rm[s]!]!, cpu.reg[d.reg[s]!]!); }
export function test_85_32_mem(cpu: Cpu, s: number): void { and32(cpu, cpu.read32(cpu.ea(s)), cpu.reg[cpu.d.reg[s]!]!); }
export const test_85_16 = formGE16(and16, false);
export const test_84 = formGE8(and8, false);
export function test_f7_32(cpu: Cpu, s: number): void { and32(cpu, cpu.readE32(s), cpu.d.imm[s]!); }
export function test_f7_16(cpu: Cpu, s: number): void { and16(cpu, cpu.readE16(s), cpu.d.imm[s]! & 0xffff); }
export function test_f6(cpu: Cpu, s: number): void { and8(cpu, cpu.readE8(s), cpu.d.imm[s]! & 0xff); }
export const test_a9_32 = formAI32(and32, false);
export const test_a9_16 = formAI16(and16, false);
export const test_a8 = formAI8(and8, false);

// ---- not / neg (F6/F7 /2, /3) ---------------------------------------------
// not changes no flags.
export function not_f7_32_reg(cpu: Cpu, s: number): void { const r = cpu.d.rm[s]!; cpu.reg[r] = ~cpu.reg[r]!; }
export function not_f7_32_mem(cpu: Cpu, s: number): void { const a = cpu.ea(s); cpu.probeWrite(a, 4); cpu.write32(a, ~cpu.read32(a)); }
export function not_f7_16(cpu: Cpu, s: number): void { const d = cpu.d; if (d.rm[s]! >= 0) cpu.setReg16(d.rm[s]!, ~cpu.reg[d.rm[s]!]!); else { const a = cpu.ea(s); cpu.write16(a, ~cpu.read16(a) & 0xffff); } }
export function not_f6(cpu: Cpu, s: number): void { const d = cpu.d; if (d.rm[s]! >= 0) cpu.setReg8(d.rm[s]!, ~cpu.getReg8(d.rm[s]!)); else { const a = cpu.ea(s); cpu.write8(a, ~cpu.read8(a) & 0xff); } }
// neg = 0 - x (CF = x != 0 falls out of the SUB record).
export function neg_f7_32_reg(cpu: Cpu, s: number): void { const r = cpu.d.rm[s]!; cpu.reg[r] = sub32(cpu, 0, cpu.reg[r]!); }
export function neg_f7_32_mem(cpu: Cpu, s: number): void { const a = cpu.ea(s); cpu.probeWrite(a, 4); const x = cpu.read32(a); cpu.write32(a, sub32(cpu, 0, x)); }
export function neg_f7_16(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!;
  if (r >= 0) { cpu.setReg16(r, sub16(cpu, 0, cpu.reg[r]! & 0xffff)); return; }
  const a = cpu.ea(s); cpu.probeWrite(a, 2); const x = cpu.read16(a); cpu.write16(a, sub16(cpu, 0, x));
}
export function neg_f6(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!;
  if (r >= 0) { cpu.setReg8(r, sub8(cpu, 0, cpu.getReg8(r))); return; }
  const a = cpu.ea(s); cpu.probeWrite(a, 1); const x = cpu.read8(a); cpu.write8(a, sub8(cpu, 0, x));
}

// ---- inc / dec (40+r, 48+r, FE/FF /0 /1): CF untouched ----------------------
// (Read-modify-write memory forms probe the write first: a #PF then says "write", as on hardware.)
export function inc_40_32(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, a = cpu.reg[r]!, v = (a + 1) | 0; cpu.reg[r] = v; cpu.setLazyIncDec(Lazy.INC, a, v, 4); }
export function dec_48_32(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, a = cpu.reg[r]!, v = (a - 1) | 0; cpu.reg[r] = v; cpu.setLazyIncDec(Lazy.DEC, a, v, 4); }
export function inc_40_16(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, a = cpu.reg[r]! & 0xffff, v = (a + 1) & 0xffff; cpu.setReg16(r, v); cpu.setLazyIncDec(Lazy.INC, a, v, 2); }
export function dec_48_16(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, a = cpu.reg[r]! & 0xffff, v = (a - 1) & 0xffff; cpu.setReg16(r, v); cpu.setLazyIncDec(Lazy.DEC, a, v, 2); }
export function inc_ff_32_reg(cpu: Cpu, s: number): void { const r = cpu.d.rm[s]!, a = cpu.reg[r]!, v = (a + 1) | 0; cpu.reg[r] = v; cpu.setLazyIncDec(Lazy.INC, a, v, 4); }
export function dec_ff_32_reg(cpu: Cpu, s: number): void { const r = cpu.d.rm[s]!, a = cpu.reg[r]!, v = (a - 1) | 0; cpu.reg[r] = v; cpu.setLazyIncDec(Lazy.DEC, a, v, 4); }
export function inc_ff_32_mem(cpu: Cpu, s: number): void { const m = cpu.ea(s); cpu.probeWrite(m, 4); const a = cpu.read32(m), v = (a + 1) | 0; cpu.write32(m, v); cpu.setLazyIncDec(Lazy.INC, a, v, 4); }
export function dec_ff_32_mem(cpu: Cpu, s: number): void { const m = cpu.ea(s); cpu.probeWrite(m, 4); const a = cpu.read32(m), v = (a - 1) | 0; cpu.write32(m, v); cpu.setLazyIncDec(Lazy.DEC, a, v, 4); }
export function inc_ff_16(cpu: Cpu, s: number): void { const a = cpu.readE16(s), v = (a + 1) & 0xffff; cpu.writeE16(s, v); cpu.setLazyIncDec(Lazy.INC, a, v, 2); }
export function dec_ff_16(cpu: Cpu, s: number): void { const a = cpu.readE16(s), v = (a - 1) & 0xffff; cpu.writeE16(s, v); cpu.setLazyIncDec(Lazy.DEC, a, v, 2); }
export function inc_fe(cpu: Cpu, s: number): void { const a = cpu.readE8(s), v = (a + 1) & 0xff; cpu.writeE8(s, v); cpu.setLazyIncDec(Lazy.INC, a, v, 1); }
export function dec_fe(cpu: Cpu, s: number): void { const a = cpu.readE8(s), v = (a - 1) & 0xff; cpu.writeE8(s, v); cpu.setLazyIncDec(Lazy.DEC, a, v, 1); }
