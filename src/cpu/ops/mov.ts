/**
 * Data movement: mov (all forms, incl. moffs and segment registers),
 * movzx/movsx, lea, xchg, xlat, cmovcc, setcc, and the nops.
 * None of these touch flags.
 */
import type { Cpu } from '../cpu.js';
import { PFX_ADDRSIZE } from '../decoded.js';
import { Vector } from '../fault.js';
import type { Cond } from '../flags.js';
import type { Exec } from '../table/types.js';

// ---- mov, 32-bit ---------------------------------------------------------------
export function mov_89_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; cpu.reg[d.rm[s]!] = cpu.reg[d.reg[s]!]!; }
export function mov_89_32_mem(cpu: Cpu, s: number): void { cpu.write32(cpu.ea(s), cpu.reg[cpu.d.reg[s]!]!); }
export function mov_8b_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; cpu.reg[d.reg[s]!] = cpu.reg[d.rm[s]!]!; }
export function mov_8b_32_mem(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = cpu.read32(cpu.ea(s)); }
export function mov_b8_32(cpu: Cpu, s: number): void { const d = cpu.d; cpu.reg[d.reg[s]!] = d.imm[s]!; }
export function mov_c7_32_reg(cpu: Cpu, s: number): void { const d = cpu.d; cpu.reg[d.rm[s]!] = d.imm[s]!; }
export function mov_c7_32_mem(cpu: Cpu, s: number): void { cpu.write32(cpu.ea(s), cpu.d.imm[s]!); }
export function mov_a1_32(cpu: Cpu, s: number): void { cpu.reg[0] = cpu.read32(cpu.ea(s)); }
export function mov_a3_32(cpu: Cpu, s: number): void { cpu.write32(cpu.ea(s), cpu.reg[0]!); }

// ---- mov, 16-bit -------------------------------------------------------------------
export function mov_89_16(cpu: Cpu, s: number): void { cpu.writeE16(s, cpu.reg[cpu.d.reg[s]!]! & 0xffff); }
export function mov_8b_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, cpu.readE16(s)); }
export function mov_b8_16(cpu: Cpu, s: number): void { const d = cpu.d; cpu.setReg16(d.reg[s]!, d.imm[s]!); }
export function mov_c7_16(cpu: Cpu, s: number): void { cpu.writeE16(s, cpu.d.imm[s]! & 0xffff); }
export function mov_a1_16(cpu: Cpu, s: number): void { cpu.setReg16(0, cpu.read16(cpu.ea(s))); }
export function mov_a3_16(cpu: Cpu, s: number): void { cpu.write16(cpu.ea(s), cpu.reg[0]! & 0xffff); }

// ---- mov, 8-bit ----------------------------------------------------------------------
export function mov_88(cpu: Cpu, s: number): void { cpu.writeE8(s, cpu.getReg8(cpu.d.reg[s]!)); }
export function mov_8a(cpu: Cpu, s: number): void { cpu.setReg8(cpu.d.reg[s]!, cpu.readE8(s)); }
export function mov_b0(cpu: Cpu, s: number): void { const d = cpu.d; cpu.setReg8(d.reg[s]!, d.imm[s]!); }
export function mov_c6(cpu: Cpu, s: number): void { cpu.writeE8(s, cpu.d.imm[s]! & 0xff); }
export function mov_a0(cpu: Cpu, s: number): void { cpu.setReg8(0, cpu.read8(cpu.ea(s))); }
export function mov_a2(cpu: Cpu, s: number): void { cpu.write8(cpu.ea(s), cpu.reg[0]! & 0xff); }

// ---- segment registers (8C, 8E) -----------------------------------------------------------
// Flat model: a loaded selector is only recorded (FS/GS bases are the kernel's).
// A register destination with 32-bit operand size gets the selector zero-extended.
export function mov_8c_32(cpu: Cpu, s: number): void {
  const d = cpu.d, v = cpu.sel[d.reg[s]!]!;
  if (d.rm[s]! >= 0) cpu.reg[d.rm[s]!] = v; else cpu.write16(cpu.ea(s), v);
}
export function mov_8c_16(cpu: Cpu, s: number): void { cpu.writeE16(s, cpu.sel[cpu.d.reg[s]!]!); }
export function mov_8e(cpu: Cpu, s: number): void { cpu.sel[cpu.d.reg[s]!] = cpu.readE16(s); }

// ---- movzx / movsx (0F B6/B7/BE/BF) --------------------------------------------------------
export function movzx_b6_32(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = cpu.readE8(s); }
export function movzx_b7_32(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = cpu.readE16(s); }
export function movsx_be_32(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = (cpu.readE8(s) << 24) >> 24; }
export function movsx_bf_32(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = (cpu.readE16(s) << 16) >> 16; }
export function movzx_b6_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, cpu.readE8(s)); }
export function movzx_b7_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, cpu.readE16(s)); }
export function movsx_be_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, (cpu.readE8(s) << 24) >> 24); }
export function movsx_bf_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, cpu.readE16(s)); }

// ---- lea (8D, memory form only): the offset, without any segment base ----------------------
export function offsetOf(cpu: Cpu, s: number): number {
  const d = cpu.d;
  let a = d.disp[s]!;
  const b = d.base[s]!, x = d.index[s]!;
  if (b >= 0) a += cpu.reg[b]!;
  if (x >= 0) a += cpu.reg[x]! << d.scale[s]!;
  return (d.pfx[s]! & PFX_ADDRSIZE) !== 0 ? a & 0xffff : a | 0;
}
export function lea_8d_32(cpu: Cpu, s: number): void { cpu.reg[cpu.d.reg[s]!] = offsetOf(cpu, s); }
export function lea_8d_16(cpu: Cpu, s: number): void { cpu.setReg16(cpu.d.reg[s]!, offsetOf(cpu, s)); }

// ---- xchg (86, 87, 90+r): memory forms are implicitly locked -------------------------------
export function xchg_90_32(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, t = cpu.reg[r]!; cpu.reg[r] = cpu.reg[0]!; cpu.reg[0] = t; }
export function xchg_90_16(cpu: Cpu, s: number): void { const r = cpu.d.reg[s]!, t = cpu.reg[r]! & 0xffff; cpu.setReg16(r, cpu.reg[0]!); cpu.setReg16(0, t); }
export function xchg_87_32(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, r = d.rm[s]!;
  if (r >= 0) { const t = cpu.reg[r]!; cpu.reg[r] = cpu.reg[g]!; cpu.reg[g] = t; return; }
  const a = cpu.ea(s);
  cpu.probeWrite(a, 4);
  const t = cpu.read32(a);
  cpu.write32(a, cpu.reg[g]!);
  cpu.reg[g] = t;
}
export function xchg_87_16(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, t = cpu.readE16(s);
  cpu.writeE16(s, cpu.reg[g]! & 0xffff);
  cpu.setReg16(g, t);
}
export function xchg_86(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, t = cpu.readE8(s);
  cpu.writeE8(s, cpu.getReg8(g));
  cpu.setReg8(g, t);
}

// ---- xlat (D7): AL = [EBX + AL] ------------------------------------------------------
export function xlat_d7(cpu: Cpu, s: number): void {
  const d = cpu.d, sg = d.seg[s]!;
  let a = (cpu.reg[3]! + (cpu.reg[0]! & 0xff)) | 0;
  if ((d.pfx[s]! & PFX_ADDRSIZE) !== 0) a &= 0xffff;
  if (sg !== 0) a = (a + (sg === 4 ? cpu.fsBase : cpu.gsBase)) | 0;
  cpu.setReg8(0, cpu.read8(a));
}

// ---- setcc / cmovcc (0F 90..9F, 0F 40..4F) ---------------------------------------------
export function makeSetcc(cc: Cond): Exec { return (cpu, s) => { cpu.writeE8(s, cpu.cond(cc) ? 1 : 0); }; }
/** The source is read (and may fault) whether or not the condition holds, as on hardware. */
export function makeCmov32(cc: Cond): Exec { return (cpu, s) => { const v = cpu.readE32(s); if (cpu.cond(cc)) cpu.reg[cpu.d.reg[s]!] = v; }; }
export function makeCmov16(cc: Cond): Exec { return (cpu, s) => { const v = cpu.readE16(s); if (cpu.cond(cc)) cpu.setReg16(cpu.d.reg[s]!, v); }; }

// ---- nops ------------------------------------------------------------------------------
export function nop(_cpu: Cpu, _s: number): void {}

/** mov Sreg with CS or a reserved register number: #UD. */
export function ud_sreg(cpu: Cpu, _s: number): void { cpu.raise(Vector.UD); }

// ---- bound (62, memory only): #BR when the signed index is outside [lower, upper] ----
export function bound_62_32(cpu: Cpu, s: number): void {
  const a = cpu.ea(s), lo = cpu.read32(a), hi = cpu.read32((a + 4) | 0), v = cpu.reg[cpu.d.reg[s]!]!;
  if (v < lo || v > hi) cpu.raise(Vector.BR);
}
export function bound_62_16(cpu: Cpu, s: number): void {
  const a = cpu.ea(s), lo = (cpu.read16(a) << 16) >> 16, hi = (cpu.read16((a + 2) | 0) << 16) >> 16;
  const v = (cpu.reg[cpu.d.reg[s]!]! << 16) >> 16;
  if (v < lo || v > hi) cpu.raise(Vector.BR);
}
