/**
 * The read-modify-write instructions compilers use for atomics: xadd,
 * cmpxchg, cmpxchg8b (LOCK accepted; one core executes one instruction at a
 * time, so the single-core semantics are already atomic with respect to
 * this core — cross-core atomicity over the shared RAM is the SMP issue's).
 *
 * cmpxchg and cmpxchg8b write their destination even when the comparison
 * fails (hardware writes the old value back), so the write is probed first:
 * a read-only destination faults in both cases, as on hardware.
 */
import type { Cpu } from '../cpu.js';
import { ZF } from '../flags.js';
import { add16, add32, add8, sub16, sub32, sub8 } from './alu.js';

// ---- xadd (0F C0, 0F C1): TEMP = SRC + DEST; SRC = DEST; DEST = TEMP ---------------
export function xadd_c1_32(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, r = d.rm[s]!, src = cpu.reg[g]!;
  if (r >= 0) { const x = cpu.reg[r]!; cpu.reg[g] = x; cpu.reg[r] = add32(cpu, x, src); return; }
  const a = cpu.ea(s);
  cpu.probeWrite(a, 4);
  const x = cpu.read32(a);
  cpu.write32(a, (x + src) | 0);
  cpu.reg[g] = x;
  add32(cpu, x, src);
}
export function xadd_c1_16(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, src = cpu.reg[g]! & 0xffff, x = cpu.readE16(s);
  cpu.writeE16(s, (x + src) & 0xffff);
  cpu.setReg16(g, x);
  if (d.rm[s]! === g) cpu.setReg16(g, (x + src) & 0xffff);
  add16(cpu, x, src);
}
export function xadd_c0(cpu: Cpu, s: number): void {
  const d = cpu.d, g = d.reg[s]!, src = cpu.getReg8(g), x = cpu.readE8(s);
  cpu.writeE8(s, (x + src) & 0xff);
  cpu.setReg8(g, x);
  if (d.rm[s]! === g) cpu.setReg8(g, (x + src) & 0xff);
  add8(cpu, x, src);
}

// ---- cmpxchg (0F B0, 0F B1) ------------------------------------------------------------
export function cmpxchg_b1_32(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, src = cpu.reg[d.reg[s]!]!;
  let a = 0, x: number;
  if (r >= 0) x = cpu.reg[r]!;
  else { a = cpu.ea(s); cpu.probeWrite(a, 4); x = cpu.read32(a); }
  const acc = cpu.reg[0]!;
  if (acc === x) { if (r >= 0) cpu.reg[r] = src; else cpu.write32(a, src); }
  else cpu.reg[0] = x;
  sub32(cpu, acc, x);
}
export function cmpxchg_b1_16(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, src = cpu.reg[d.reg[s]!]! & 0xffff;
  let a = 0, x: number;
  if (r >= 0) x = cpu.reg[r]! & 0xffff;
  else { a = cpu.ea(s); cpu.probeWrite(a, 2); x = cpu.read16(a); }
  const acc = cpu.reg[0]! & 0xffff;
  if (acc === x) { if (r >= 0) cpu.setReg16(r, src); else cpu.write16(a, src); }
  else cpu.setReg16(0, x);
  sub16(cpu, acc, x);
}
export function cmpxchg_b0(cpu: Cpu, s: number): void {
  const d = cpu.d, r = d.rm[s]!, src = cpu.getReg8(d.reg[s]!);
  let a = 0, x: number;
  if (r >= 0) x = cpu.getReg8(r);
  else { a = cpu.ea(s); cpu.probeWrite(a, 1); x = cpu.read8(a); }
  const acc = cpu.reg[0]! & 0xff;
  if (acc === x) { if (r >= 0) cpu.setReg8(r, src); else cpu.write8(a, src); }
  else cpu.setReg8(0, x);
  sub8(cpu, acc, x);
}

// ---- cmpxchg8b m64 (0F C7 /1): only ZF changes -----------------------------------------------
export function cmpxchg8b_c7(cpu: Cpu, s: number): void {
  const a = cpu.ea(s);
  cpu.probeWrite(a, 8); // hardware checks the (always performed) write first: #PF error codes say W
  const lo = cpu.read32(a), hi = cpu.read32((a + 4) | 0);
  const r = cpu.reg;
  if (lo === r[0] && hi === r[2]) {
    cpu.write64(a, r[3]!, r[1]!);
    cpu.setFlagBits(ZF, ZF);
  } else {
    r[0] = lo; r[2] = hi;
    cpu.setFlagBits(ZF, 0);
  }
}
