/**
 * Flag instructions (cmc/clc/stc/cld/std, lahf/sahf), sign extensions of
 * the accumulator (cbw/cwde/cwd/cdq) and the BCD adjustments
 * (aaa/aas/daa/das/aam/aad), which are valid in 32-bit mode.
 *
 * BCD flags: the SDM leaves several undefined; we give what Intel hardware
 * gives (measured): OF = 0 after daa/das/aaa/aas, SF/ZF/PF from the final AL
 * after aaa/aas (whose AL is masked to its low nibble), aam sets SF/ZF/PF
 * from AL and clears CF/OF/AF, aad sets all six as the 8-bit addition
 * AL + AH*imm does.
 */
import type { Cpu } from '../cpu.js';
import { AF, ARITH, CF, DF, Lazy, PARITY, PF, SF, ZF } from '../flags.js';
import { Vector } from '../fault.js';

export function cmc_f5(cpu: Cpu, _s: number): void { cpu.setFlagBits(CF, cpu.getCF() ? 0 : CF); }
export function clc_f8(cpu: Cpu, _s: number): void { cpu.setFlagBits(CF, 0); }
export function stc_f9(cpu: Cpu, _s: number): void { cpu.setFlagBits(CF, CF); }
export function cld_fc(cpu: Cpu, _s: number): void { cpu.flags &= ~DF; }
export function std_fd(cpu: Cpu, _s: number): void { cpu.flags |= DF; }
/** lahf: AH = SF:ZF:0:AF:0:PF:1:CF. */
export function lahf_9f(cpu: Cpu, _s: number): void {
  const f = cpu.getEflags();
  cpu.setReg8(4, (f & (SF | ZF | AF | PF | CF)) | 2);
}
export function sahf_9e(cpu: Cpu, _s: number): void { cpu.setFlagBits(SF | ZF | AF | PF | CF, cpu.getReg8(4)); }

export function cwde_98_32(cpu: Cpu, _s: number): void { cpu.reg[0] = (cpu.reg[0]! << 16) >> 16; }
export function cbw_98_16(cpu: Cpu, _s: number): void { cpu.setReg16(0, (cpu.reg[0]! << 24) >> 24); }
export function cdq_99_32(cpu: Cpu, _s: number): void { cpu.reg[2] = cpu.reg[0]! >> 31; }
export function cwd_99_16(cpu: Cpu, _s: number): void { cpu.setReg16(2, (cpu.reg[0]! << 16) >> 31); }

/** SZP of an 8-bit value, other status flags from `rest`. */
function bcdFlags(cpu: Cpu, al: number, rest: number): void {
  cpu.setFlagBits(ARITH, rest | (al === 0 ? ZF : 0) | (al & 0x80 ? SF : 0) | PARITY[al]!);
}

export function aaa_37(cpu: Cpu, _s: number): void {
  let ax = cpu.reg[0]! & 0xffff, adj = 0;
  if ((ax & 0xf) > 9 || cpu.getAF()) { ax = (ax + 0x106) & 0xffff; adj = AF | CF; }
  ax &= 0xff0f;
  cpu.setReg16(0, ax);
  bcdFlags(cpu, ax & 0xff, adj);
}
export function aas_3f(cpu: Cpu, _s: number): void {
  let ax = cpu.reg[0]! & 0xffff, adj = 0;
  if ((ax & 0xf) > 9 || cpu.getAF()) { ax = (ax - 0x106) & 0xffff; adj = AF | CF; }
  ax &= 0xff0f;
  cpu.setReg16(0, ax);
  bcdFlags(cpu, ax & 0xff, adj);
}
export function daa_27(cpu: Cpu, _s: number): void {
  const old = cpu.reg[0]! & 0xff, oldCf = cpu.getCF();
  let al = old, f = 0;
  if ((al & 0xf) > 9 || cpu.getAF()) { al += 6; f |= AF; if (oldCf || al > 0xff) f |= CF; al &= 0xff; }
  if (old > 0x99 || oldCf) { al = (al + 0x60) & 0xff; f |= CF; }
  cpu.setReg8(0, al);
  bcdFlags(cpu, al, f);
}
export function das_2f(cpu: Cpu, _s: number): void {
  const old = cpu.reg[0]! & 0xff, oldCf = cpu.getCF();
  let al = old, f = 0;
  if ((al & 0xf) > 9 || cpu.getAF()) { f |= AF; if (oldCf || al < 6) f |= CF; al = (al - 6) & 0xff; }
  if (old > 0x99 || oldCf) { al = (al - 0x60) & 0xff; f |= CF; }
  cpu.setReg8(0, al);
  bcdFlags(cpu, al, f);
}
export function aam_d4(cpu: Cpu, s: number): void {
  const base = cpu.d.imm[s]! & 0xff;
  if (base === 0) cpu.raise(Vector.DE);
  const al = cpu.reg[0]! & 0xff, lo = al % base;
  cpu.setReg16(0, (Math.floor(al / base) << 8) | lo);
  bcdFlags(cpu, lo, 0);
}
export function aad_d5(cpu: Cpu, s: number): void {
  const al = cpu.reg[0]! & 0xff, t = (((cpu.reg[0]! >>> 8) & 0xff) * (cpu.d.imm[s]! & 0xff)) & 0xff, r = (al + t) & 0xff;
  cpu.setReg16(0, r);
  cpu.setLazy(Lazy.ADD, al, t, r, 1);
}
