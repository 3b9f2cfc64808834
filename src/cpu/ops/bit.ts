/**
 * Bit tests (bt/bts/btr/btc), bit scans (bsf/bsr) and bswap.
 *
 * bt* with a register bit offset and a memory operand address the bit
 * string at [ea + (offset >> 5) * 4] (signed offset; words for 16-bit), as
 * the SDM describes; with an immediate offset or a register operand the
 * offset is taken modulo the operand size. bt* change only CF (the others
 * are undefined; Intel leaves them alone). bsf/bsr with a zero source leave
 * the destination unchanged and set ZF; the undefined flags are what Intel
 * gives: CF = OF = SF = AF = 0, PF = parity of the result (PF = 1 for a zero
 * source).
 */
import type { Cpu } from '../cpu.js';
import { ARITH, CF, PARITY, PF, ZF } from '../flags.js';
import type { Exec } from '../table/types.js';

/** 0 bt, 1 bts, 2 btr, 3 btc. */
export const enum Bt { BT = 0, BTS, BTR, BTC }

function apply(op: Bt, x: number, m: number): number {
  return op === Bt.BTS ? x | m : op === Bt.BTR ? x & ~m : x ^ m;
}

/** Register offset form (0F A3/AB/B3/BB), 32-bit operand. */
export function makeBtG32(op: Bt): Exec {
  return (cpu, s) => {
    const d = cpu.d, off = cpu.reg[d.reg[s]!]!, r = d.rm[s]!;
    if (r >= 0) {
      const x = cpu.reg[r]!, b = off & 31;
      if (op !== Bt.BT) cpu.reg[r] = apply(op, x, 1 << b);
      cpu.setFlagBits(CF, (x >>> b) & 1);
      return;
    }
    const a = (cpu.ea(s) + ((off >> 5) << 2)) | 0, b = off & 31;
    if (op !== Bt.BT) cpu.probeWrite(a, 4);
    const x = cpu.read32(a);
    if (op !== Bt.BT) cpu.write32(a, apply(op, x, 1 << b));
    cpu.setFlagBits(CF, (x >>> b) & 1);
  };
}

export function makeBtG16(op: Bt): Exec {
  return (cpu, s) => {
    const d = cpu.d, off = (cpu.reg[d.reg[s]!]! << 16) >> 16, r = d.rm[s]!;
    if (r >= 0) {
      const x = cpu.reg[r]! & 0xffff, b = off & 15;
      if (op !== Bt.BT) cpu.setReg16(r, apply(op, x, 1 << b));
      cpu.setFlagBits(CF, (x >>> b) & 1);
      return;
    }
    const a = (cpu.ea(s) + ((off >> 4) << 1)) | 0, x = cpu.read16(a), b = off & 15;
    if (op !== Bt.BT) cpu.write16(a, apply(op, x, 1 << b) & 0xffff);
    cpu.setFlagBits(CF, (x >>> b) & 1);
  };
}

/** Immediate offset form (0F BA /4../7). */
export function makeBtI32(op: Bt): Exec {
  return (cpu, s) => {
    const b = cpu.d.imm[s]! & 31, x = cpu.readE32(s);
    if (op !== Bt.BT) cpu.writeE32(s, apply(op, x, 1 << b));
    cpu.setFlagBits(CF, (x >>> b) & 1);
  };
}
export function makeBtI16(op: Bt): Exec {
  return (cpu, s) => {
    const b = cpu.d.imm[s]! & 15, x = cpu.readE16(s);
    if (op !== Bt.BT) cpu.writeE16(s, apply(op, x, 1 << b) & 0xffff);
    cpu.setFlagBits(CF, (x >>> b) & 1);
  };
}

function scanFlags(cpu: Cpu, src: number, res: number): void {
  cpu.setFlagBits(ARITH, src === 0 ? ZF | PF : PARITY[res & 0xff]!);
}
export function bsf_bc_32(cpu: Cpu, s: number): void {
  const x = cpu.readE32(s);
  if (x === 0) { scanFlags(cpu, 0, 0); return; }
  const r = 31 - Math.clz32(x & -x);
  cpu.reg[cpu.d.reg[s]!] = r;
  scanFlags(cpu, x, r);
}
export function bsr_bd_32(cpu: Cpu, s: number): void {
  const x = cpu.readE32(s);
  if (x === 0) { scanFlags(cpu, 0, 0); return; }
  const r = 31 - Math.clz32(x);
  cpu.reg[cpu.d.reg[s]!] = r;
  scanFlags(cpu, x, r);
}
export function bsf_bc_16(cpu: Cpu, s: number): void {
  const x = cpu.readE16(s);
  if (x === 0) { scanFlags(cpu, 0, 0); return; }
  const r = 31 - Math.clz32(x & -x);
  cpu.setReg16(cpu.d.reg[s]!, r);
  scanFlags(cpu, x, r);
}
export function bsr_bd_16(cpu: Cpu, s: number): void {
  const x = cpu.readE16(s);
  if (x === 0) { scanFlags(cpu, 0, 0); return; }
  const r = 31 - Math.clz32(x);
  cpu.setReg16(cpu.d.reg[s]!, r);
  scanFlags(cpu, x, r);
}

export function bswap_c8_32(cpu: Cpu, s: number): void {
  const r = cpu.d.reg[s]!, x = cpu.reg[r]!;
  cpu.reg[r] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}
/** bswap r16 is undefined in the SDM; Intel hardware clears the low word. */
export function bswap_c8_16(cpu: Cpu, s: number): void {
  cpu.setReg16(cpu.d.reg[s]!, 0);
}
