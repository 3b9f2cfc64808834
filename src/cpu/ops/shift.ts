/**
 * Shifts and rotates (C0/C1/D0..D3 groups) and shld/shrd (0F A4/A5/AC/AD).
 *
 * The count is masked to 5 bits for every operand size; a masked count of 0
 * changes nothing (no flags, no write). Flags follow the SDM where defined
 * and, where it says "undefined", what the Intel processors we measured do
 * (docs/cpu.md):
 *  - AF is cleared by every shift with a non-zero count;
 *  - OF for counts > 1: shl/shld/rcl/rcr give the 1-bit formula applied to the
 *    first step (bits of the original operand), shr the original MSB, sar 0,
 *    rol/ror/shrd the 1-bit formula applied to the final result;
 *  - shld/shrd on 16-bit operands with counts > 16 shift the 48-bit
 *    concatenation dest:src:dest, as Intel hardware does.
 * rol/ror/rcl/rcr change only CF and OF.
 */
import type { Cpu } from '../cpu.js';
import { CF, OF } from '../flags.js';
import type { Exec } from '../table/types.js';

export const enum Sh { ROL = 0, ROR, RCL, RCR, SHL, SHR, SAL, SAR }
export const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;

/**
 * Shifts `x` (zero-extended, `bits` wide) by `c` (1..31) and sets the flags.
 * Returns the result masked to `bits`; returns x unchanged (and sets no
 * flags) when a rotate through carry has an effective count of 0.
 */
export function shiftCore(cpu: Cpu, op: number, x: number, c: number, bits: number): number {
  const top = bits - 1;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  const size = bits >>> 3;
  switch (op) {
    case Sh.ROL: {
      const n = c & top;
      const r = n === 0 ? x : ((x << n) | (x >>> (bits - n))) & mask;
      const cf = r & 1;
      cpu.setFlagBits(CF | OF, cf | ((((r >>> top) ^ cf) & 1) << 11));
      return r;
    }
    case Sh.ROR: {
      const n = c & top;
      const r = n === 0 ? x : ((x >>> n) | (x << (bits - n))) & mask;
      const cf = (r >>> top) & 1;
      cpu.setFlagBits(CF | OF, cf | ((((r >>> top) ^ (r >>> (top - 1))) & 1) << 11));
      return r;
    }
    case Sh.RCL: {
      const n = c % (bits + 1);
      if (n === 0) return x;
      const ci = cpu.getCF() ? 1 : 0;
      const r = ((x << n) | (ci << (n - 1)) | (n > 1 ? x >>> (bits + 1 - n) : 0)) & mask;
      const cf = (x >>> (bits - n)) & 1;
      cpu.setFlagBits(CF | OF, cf | ((((x >>> top) ^ (x >>> (top - 1))) & 1) << 11));
      return r;
    }
    case Sh.RCR: {
      const n = c % (bits + 1);
      if (n === 0) return x;
      const ci = cpu.getCF() ? 1 : 0;
      const r = ((x >>> n) | (ci << (bits - n)) | (n > 1 ? x << (bits + 1 - n) : 0)) & mask;
      const cf = (x >>> (n - 1)) & 1;
      cpu.setFlagBits(CF | OF, cf | ((((x >>> top) ^ ci) & 1) << 11));
      return r;
    }
    case Sh.SHL: case Sh.SAL: {
      const r = (x << c) & mask;
      const cf = c <= bits ? (x >>> (bits - c)) & 1 : 0;
      cpu.setResultFlags(r, size, cf | ((((x >>> top) ^ (x >>> (top - 1))) & 1) << 11));
      return r;
    }
    case Sh.SHR: {
      const r = x >>> c;
      cpu.setResultFlags(r, size, ((x >>> (c - 1)) & 1) | (((x >>> top) & 1) << 11));
      return r;
    }
    default: { // SAR
      const sx = (x << (32 - bits)) >> (32 - bits);
      const r = (sx >> c) & mask;
      cpu.setResultFlags(r, size, (sx >> (c - 1)) & 1);
      return r;
    }
  }
}

/** How a shift row gets its count. */
export const enum Count { IMM = 0, ONE = 1, CL = 2 }

function count(cpu: Cpu, s: number, how: Count): number {
  return (how === Count.IMM ? cpu.d.imm[s]! : how === Count.ONE ? 1 : cpu.reg[1]!) & 31;
}

export function makeShift32(op: Sh, how: Count): Exec {
  return (cpu, s) => {
    const c = count(cpu, s, how);
    if (c === 0) return;
    const r = cpu.d.rm[s]!;
    if (r >= 0) { cpu.reg[r] = shiftCore(cpu, op, cpu.reg[r]!, c, 32); return; }
    const a = cpu.ea(s);
    cpu.probeWrite(a, 4);
    const x = cpu.read32(a);
    cpu.write32(a, shiftCore(cpu, op, x, c, 32));
  };
}

export function makeShift16(op: Sh, how: Count): Exec {
  return (cpu, s) => {
    const c = count(cpu, s, how);
    if (c === 0) return;
    const r = cpu.d.rm[s]!;
    if (r >= 0) { cpu.setReg16(r, shiftCore(cpu, op, cpu.reg[r]! & 0xffff, c, 16)); return; }
    const a = cpu.ea(s);
    cpu.probeWrite(a, 2);
    const x = cpu.read16(a);
    cpu.write16(a, shiftCore(cpu, op, x, c, 16));
  };
}

export function makeShift8(op: Sh, how: Count): Exec {
  return (cpu, s) => {
    const c = count(cpu, s, how);
    if (c === 0) return;
    const r = cpu.d.rm[s]!;
    if (r >= 0) { cpu.setReg8(r, shiftCore(cpu, op, cpu.getReg8(r), c, 8)); return; }
    const a = cpu.ea(s);
    cpu.probeWrite(a, 1);
    const x = cpu.read8(a);
    cpu.write8(a, shiftCore(cpu, op, x, c, 8));
  };
}

// ---- hot forms: 32-bit register by immediate ----------------------------
export function rol_c1_32_reg(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, c = d.imm[s]! & 31;
  if (c === 0) return;
  const x = cpu.reg[r]!, v = (x << c) | (x >>> (32 - c));
  cpu.reg[r] = v;
  const cf = v & 1;
  cpu.setFlagBits(CF | OF, cf | (((v >>> 31) ^ cf) << 11));
}
export function shl_c1_32_reg(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, c = d.imm[s]! & 31;
  if (c === 0) return;
  const x = cpu.reg[r]!, v = x << c;
  cpu.reg[r] = v;
  cpu.setResultFlags(v, 4, ((x >>> (32 - c)) & 1) | ((((x >>> 31) ^ (x >>> 30)) & 1) << 11));
}
export function shr_c1_32_reg(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, c = d.imm[s]! & 31;
  if (c === 0) return;
  const x = cpu.reg[r]!, v = x >>> c;
  cpu.reg[r] = v;
  cpu.setResultFlags(v, 4, ((x >>> (c - 1)) & 1) | ((x >>> 31) << 11));
}
export function sar_c1_32_reg(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, c = d.imm[s]! & 31;
  if (c === 0) return;
  const x = cpu.reg[r]!, v = x >> c;
  cpu.reg[r] = v;
  cpu.setResultFlags(v, 4, (x >> (c - 1)) & 1);
}

// ---- shld / shrd ----------------------------------------------------------
function shld32(cpu: Cpu, x: number, y: number, c: number): number {
  const r = (x << c) | (y >>> (32 - c));
  cpu.setResultFlags(r, 4, ((x >>> (32 - c)) & 1) | ((((x >>> 31) ^ (x >>> 30)) & 1) << 11));
  return r;
}
function shrd32(cpu: Cpu, x: number, y: number, c: number): number {
  const r = (x >>> c) | (y << (32 - c));
  cpu.setResultFlags(r, 4, ((x >>> (c - 1)) & 1) | ((((r ^ x) >>> 31) & 1) << 11));
  return r;
}
/** 16-bit forms shift the 48-bit value x:y:x (exact in a double). */
function shld16(cpu: Cpu, x: number, y: number, c: number): number {
  const v = x * 4294967296 + y * 65536 + x;
  const r = Math.floor(v / 2 ** (32 - c)) % 65536;
  const cf = Math.floor(v / 2 ** (48 - c)) % 2;
  cpu.setResultFlags(r, 2, cf | ((((x >>> 15) ^ (x >>> 14)) & 1) << 11));
  return r;
}
function shrd16(cpu: Cpu, x: number, y: number, c: number): number {
  const v = x * 4294967296 + y * 65536 + x;
  const r = Math.floor(v / 2 ** c) % 65536;
  const cf = Math.floor(v / 2 ** (c - 1)) % 2;
  cpu.setResultFlags(r, 2, cf | ((((r ^ x) >>> 15) & 1) << 11));
  return r;
}

type Dbl = (cpu: Cpu, x: number, y: number, c: number) => number;
function makeDouble32(f: Dbl, how: Count): Exec {
  return (cpu, s) => {
    const d = cpu.d, c = count(cpu, s, how);
    if (c === 0) return;
    const y = cpu.reg[d.reg[s]!]!, r = d.rm[s]!;
    if (r >= 0) { cpu.reg[r] = f(cpu, cpu.reg[r]!, y, c); return; }
    const a = cpu.ea(s);
    cpu.probeWrite(a, 4);
    const x = cpu.read32(a);
    cpu.write32(a, f(cpu, x, y, c));
  };
}
function makeDouble16(f: Dbl, how: Count): Exec {
  return (cpu, s) => {
    const d = cpu.d, c = count(cpu, s, how);
    if (c === 0) return;
    const y = cpu.reg[d.reg[s]!]! & 0xffff, r = d.rm[s]!;
    if (r >= 0) { cpu.setReg16(r, f(cpu, cpu.reg[r]! & 0xffff, y, c)); return; }
    const a = cpu.ea(s);
    cpu.probeWrite(a, 2);
    const x = cpu.read16(a);
    cpu.write16(a, f(cpu, x, y, c));
  };
}
export const shld_a4_32 = makeDouble32(shld32, Count.IMM);
export const shld_a5_32 = makeDouble32(shld32, Count.CL);
export const shrd_ac_32 = makeDouble32(shrd32, Count.IMM);
export const shrd_ad_32 = makeDouble32(shrd32, Count.CL);
export const shld_a4_16 = makeDouble16(shld16, Count.IMM);
export const shld_a5_16 = makeDouble16(shld16, Count.CL);
export const shrd_ac_16 = makeDouble16(shrd16, Count.IMM);
export const shrd_ad_16 = makeDouble16(shrd16, Count.CL);
