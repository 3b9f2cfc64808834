/**
 * mul/imul (one-, two- and three-operand forms) and div/idiv with #DE.
 *
 * Flags of multiplies: CF = OF = "the high half is significant", as the SDM
 * defines; for the undefined ones we give what Intel hardware gives:
 * SF = sign of the low half, PF = parity of its low byte, ZF = 0, AF = 0.
 * Divides leave all flags unchanged (the measured Intel behaviour).
 *
 * 32x32 -> 64 products are built from 16-bit pieces (no BigInt, no
 * allocation); 64/32 divides run as two 48/32 steps, exact in doubles.
 */
import type { Cpu } from '../cpu.js';
import { ARITH, CF, OF, PARITY, SF } from '../flags.js';
import { Vector } from '../fault.js';

/** High 32 bits of the unsigned product a*b. */
export function umulHigh(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed product a*b. */
export function smulHigh(a: number, b: number): number {
  return (umulHigh(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** Flags of a multiply: `ovf` = high half significant; `lo` the low half, `signBit` its sign position. */
function mulFlags(cpu: Cpu, ovf: boolean, lo: number, signBit: number): void {
  cpu.setFlagBits(ARITH, (ovf ? CF | OF : 0) | ((lo >>> signBit) & 1 ? SF : 0) | PARITY[lo & 0xff]!);
}

// ---- two- and three-operand imul (0F AF, 69, 6B) ---------------------------
// The double product a*b equals the int32 result exactly when no overflow
// happened (|a*b| < 2^31 is exact; larger products can't round into range).
export function imul_af_32(cpu: Cpu, s: number): void {
  const g = cpu.d.reg[s]!, a = cpu.reg[g]!, b = cpu.readE32(s), r = Math.imul(a, b);
  cpu.reg[g] = r;
  mulFlags(cpu, a * b !== r, r, 31);
}
export function imul_69_32_reg(cpu: Cpu, s: number): void {
  const d = cpu.d, a = cpu.reg[d.rm[s]!]!, b = d.imm[s]!, r = Math.imul(a, b);
  cpu.reg[d.reg[s]!] = r;
  mulFlags(cpu, a * b !== r, r, 31);
}
export function imul_69_32_mem(cpu: Cpu, s: number): void {
  const d = cpu.d, a = cpu.read32(cpu.ea(s)), b = d.imm[s]!, r = Math.imul(a, b);
  cpu.reg[d.reg[s]!] = r;
  mulFlags(cpu, a * b !== r, r, 31);
}
export function imul_af_16(cpu: Cpu, s: number): void {
  const g = cpu.d.reg[s]!, p = ((cpu.reg[g]! << 16) >> 16) * ((cpu.readE16(s) << 16) >> 16);
  cpu.setReg16(g, p);
  mulFlags(cpu, p !== (p << 16) >> 16, p & 0xffff, 15);
}
export function imul_69_16(cpu: Cpu, s: number): void {
  const d = cpu.d, p = ((cpu.readE16(s) << 16) >> 16) * ((d.imm[s]! << 16) >> 16);
  cpu.setReg16(d.reg[s]!, p);
  mulFlags(cpu, p !== (p << 16) >> 16, p & 0xffff, 15);
}

// ---- one-operand mul/imul (F6/F7 /4 /5) ------------------------------------
export function mul_f7_32(cpu: Cpu, s: number): void {
  const b = cpu.readE32(s), a = cpu.reg[0]!, lo = Math.imul(a, b), hi = umulHigh(a, b);
  cpu.reg[0] = lo; cpu.reg[2] = hi;
  mulFlags(cpu, hi !== 0, lo, 31);
}
export function imul_f7_32(cpu: Cpu, s: number): void {
  const b = cpu.readE32(s), a = cpu.reg[0]!, lo = Math.imul(a, b), hi = smulHigh(a, b);
  cpu.reg[0] = lo; cpu.reg[2] = hi;
  mulFlags(cpu, hi !== lo >> 31, lo, 31);
}
export function mul_f7_16(cpu: Cpu, s: number): void {
  const p = (cpu.reg[0]! & 0xffff) * cpu.readE16(s);
  cpu.setReg16(0, p); cpu.setReg16(2, p >>> 16);
  mulFlags(cpu, p >>> 16 !== 0, p & 0xffff, 15);
}
export function imul_f7_16(cpu: Cpu, s: number): void {
  const p = ((cpu.reg[0]! << 16) >> 16) * ((cpu.readE16(s) << 16) >> 16);
  cpu.setReg16(0, p); cpu.setReg16(2, p >> 16);
  mulFlags(cpu, p !== (p << 16) >> 16, p & 0xffff, 15);
}
export function mul_f6(cpu: Cpu, s: number): void {
  const p = (cpu.reg[0]! & 0xff) * cpu.readE8(s);
  cpu.setReg16(0, p);
  mulFlags(cpu, p >>> 8 !== 0, p & 0xff, 7);
}
export function imul_f6(cpu: Cpu, s: number): void {
  const p = ((cpu.reg[0]! << 24) >> 24) * ((cpu.readE8(s) << 24) >> 24);
  cpu.setReg16(0, p);
  mulFlags(cpu, p !== (p << 24) >> 24, p & 0xff, 7);
}

// ---- div / idiv (F6/F7 /6 /7) ----------------------------------------------
/** Quotient/remainder of the unsigned 64/32 divide hi:lo / d (requires hi < d); results in divOut. */
const divOut = new Float64Array(2);
function udiv64(hi: number, lo: number, d: number): void {
  // hi, lo, d unsigned (as doubles), hi < d: two steps of 16 bits, each exact.
  let x = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(x / d);
  x = (x - q1 * d) * 65536 + (lo & 0xffff);
  const q0 = Math.floor(x / d);
  divOut[0] = q1 * 65536 + q0;
  divOut[1] = x - q0 * d;
}

export function div_f7_32(cpu: Cpu, s: number): void {
  const d = cpu.readE32(s) >>> 0, hi = cpu.reg[2]! >>> 0, lo = cpu.reg[0]! >>> 0;
  if (d === 0 || hi >= d) cpu.raise(Vector.DE);
  udiv64(hi, lo, d);
  cpu.reg[0] = divOut[0]!; cpu.reg[2] = divOut[1]!;
}
export function idiv_f7_32(cpu: Cpu, s: number): void {
  const dv = cpu.readE32(s);
  if (dv === 0) cpu.raise(Vector.DE);
  let hi = cpu.reg[2]!, lo = cpu.reg[0]!;
  const neg = hi < 0;
  if (neg) { lo = -lo | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; } // |dividend|, two's complement
  const ad = Math.abs(dv), uhi = hi >>> 0;
  if (uhi >= ad) cpu.raise(Vector.DE);
  udiv64(uhi, lo >>> 0, ad);
  let q = divOut[0]!, r = divOut[1]!;
  if (neg !== dv < 0) q = -q;
  if (neg) r = -r;
  if (q > 0x7fffffff || q < -0x80000000) cpu.raise(Vector.DE);
  cpu.reg[0] = q; cpu.reg[2] = r;
}
export function div_f7_16(cpu: Cpu, s: number): void {
  const d = cpu.readE16(s);
  if (d === 0) cpu.raise(Vector.DE);
  const n = (((cpu.reg[2]! & 0xffff) << 16) | (cpu.reg[0]! & 0xffff)) >>> 0, q = Math.floor(n / d);
  if (q > 0xffff) cpu.raise(Vector.DE);
  cpu.setReg16(0, q); cpu.setReg16(2, n - q * d);
}
export function idiv_f7_16(cpu: Cpu, s: number): void {
  const d = (cpu.readE16(s) << 16) >> 16;
  if (d === 0) cpu.raise(Vector.DE);
  const n = ((cpu.reg[2]! & 0xffff) << 16) | (cpu.reg[0]! & 0xffff), q = Math.trunc(n / d);
  if (q > 0x7fff || q < -0x8000) cpu.raise(Vector.DE);
  cpu.setReg16(0, q); cpu.setReg16(2, n - q * d);
}
export function div_f6(cpu: Cpu, s: number): void {
  const d = cpu.readE8(s);
  if (d === 0) cpu.raise(Vector.DE);
  const n = cpu.reg[0]! & 0xffff, q = Math.floor(n / d);
  if (q > 0xff) cpu.raise(Vector.DE);
  cpu.setReg16(0, q | ((n - q * d) << 8));
}
export function idiv_f6(cpu: Cpu, s: number): void {
  const d = (cpu.readE8(s) << 24) >> 24;
  if (d === 0) cpu.raise(Vector.DE);
  const n = (cpu.reg[0]! << 16) >> 16, q = Math.trunc(n / d);
  if (q > 0x7f || q < -0x80) cpu.raise(Vector.DE);
  cpu.setReg16(0, (q & 0xff) | (((n - q * d) & 0xff) << 8));
}
