/**
 * x87 control: fnstcw/fldcw, fnstsw (m16, ax), fninit, fnclex, fwait,
 * fnop, fincstp/fdecstp, fnstenv/fldenv (28-byte protected-mode format),
 * fnsave/frstor (108 bytes), and the 8087/287 leftovers the 387 and later
 * decode as no-ops (feni, fdisi, fsetpm).
 *
 * The last-instruction pointers (FIP, FCS, FOP, FDP, FDS) are not tracked:
 * they are stored as zero. See docs/cpu-fpu.md.
 */
import type { Cpu } from '../cpu.js';
import { EAX } from '../state.js';
import {
  SW_B, SW_C1, SW_ES, SW_SF, checkPending, resetX87, setStatusWord, setTagWord, statusWord, tagWord,
} from './x87-core.js';
import { readF80, writeF80 } from './x87-f80.js';

/** fnstcw m16 (D9 /7). */
export function fnstcw(cpu: Cpu, s: number): void {
  cpu.write16(cpu.ea(s), cpu.x87.cw);
}

/** fldcw m16 (D9 /5). Bit 6 reads as 1 on every processor since the 387; bits 13..15 are reserved (0). */
export function fldcw(cpu: Cpu, s: number): void {
  checkPending(cpu);
  cpu.x87.cw = (cpu.read16(cpu.ea(s)) & 0x1f3f) | 0x40;
}

/** fnstsw m16 (DD /7). */
export function fnstsw_m16(cpu: Cpu, s: number): void {
  cpu.write16(cpu.ea(s), statusWord(cpu.x87));
}

/** fnstsw ax (DF E0). */
export function fnstsw_ax(cpu: Cpu): void {
  cpu.setReg16(EAX, statusWord(cpu.x87));
}

/** fninit (DB E3). */
export function fninit(cpu: Cpu): void {
  resetX87(cpu.x87);
}

/** fnclex (DB E2): clears the exception flags, SF, ES and B (C0..C3 are left as they are). */
export function fnclex(cpu: Cpu): void {
  cpu.x87.sw &= ~(0x3f | SW_SF | SW_ES | SW_B);
}

/** fwait (9B), fnop (D9 D0): deliver a pending unmasked x87 exception (#MF), else nothing. */
export function fwait(cpu: Cpu): void {
  checkPending(cpu);
}

/** feni/fdisi/fsetpm (DB E0, E1, E4): 8087/287 leftovers, non-waiting no-ops on the 387 and later. */
export function fnop_legacy(_cpu: Cpu): void {}

/** fincstp (D9 F7): TOP + 1; tags unchanged. */
export function fincstp(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87;
  x.top = (x.top + 1) & 7;
  x.sw &= ~SW_C1;
}

/** fdecstp (D9 F6). */
export function fdecstp(cpu: Cpu): void {
  checkPending(cpu);
  const x = cpu.x87;
  x.top = (x.top - 1) & 7;
  x.sw &= ~SW_C1;
}

// ---- environment: 7 dwords (SDM vol. 1, figure 8-9, 32-bit protected mode) ----
//  0 FCW   4 FSW   8 FTW   12 FIP   16 FCS | FOP<<16   20 FDP   24 FDS
// The upper halves of the word fields are reserved; processors write 0xFFFF there.

const ENV_BYTES = 28;

function storeEnv(cpu: Cpu, a: number): void {
  const x = cpu.x87;
  cpu.write32(a, x.cw | 0xffff0000);
  cpu.write32((a + 4) | 0, statusWord(x) | 0xffff0000);
  cpu.write32((a + 8) | 0, tagWord(x) | 0xffff0000);
  cpu.write32((a + 12) | 0, 0);
  cpu.write32((a + 16) | 0, 0);
  cpu.write32((a + 20) | 0, 0);
  cpu.write32((a + 24) | 0, 0xffff0000 | 0);
}

/** Reads the environment fields (all reads first: a fault changes nothing). */
function loadEnv(cpu: Cpu, a: number): void {
  const cw = cpu.read16(a), sw = cpu.read16((a + 4) | 0), tw = cpu.read16((a + 8) | 0);
  cpu.read32((a + 24) | 0); // the last byte must be readable too
  applyEnv(cpu, cw, sw, tw);
}

function applyEnv(cpu: Cpu, cw: number, sw: number, tw: number): void {
  const x = cpu.x87;
  x.cw = (cw & 0x1f3f) | 0x40;
  setStatusWord(x, sw);
  setTagWord(x, tw);
}

/** fnstenv m28 (D9 /6): stores the environment, then masks all exceptions (as the hardware does). */
export function fnstenv(cpu: Cpu, s: number): void {
  const a = cpu.ea(s);
  cpu.probeWrite(a, ENV_BYTES);
  storeEnv(cpu, a);
  cpu.x87.cw |= 0x3f;
}

/** fldenv m28 (D9 /4). */
export function fldenv(cpu: Cpu, s: number): void {
  checkPending(cpu);
  loadEnv(cpu, cpu.ea(s));
}

/** fnsave m108 (DD /6): environment, then ST0..ST7 as m80 in stack order; then fninit. */
export function fnsave(cpu: Cpu, s: number): void {
  const a = cpu.ea(s), x = cpu.x87;
  cpu.probeWrite(a, 108);
  storeEnv(cpu, a);
  for (let i = 0; i < 8; i++) writeF80(cpu, (a + ENV_BYTES + 10 * i) | 0, x.r[(x.top + i) & 7]!);
  resetX87(x);
}

/**
 * frstor m108 (DD /4). Registers are read before any state changes: the
 * values go to a module scratch first so a #PF half-way leaves the FPU as it was.
 */
const saved = new Float64Array(8);
export function frstor(cpu: Cpu, s: number): void {
  checkPending(cpu);
  const a = cpu.ea(s);
  const cw = cpu.read16(a), sw = cpu.read16((a + 4) | 0), tw = cpu.read16((a + 8) | 0);
  for (let i = 0; i < 8; i++) saved[i] = readF80(cpu, (a + ENV_BYTES + 10 * i) | 0);
  applyEnv(cpu, cw, sw, tw);
  const x = cpu.x87;
  for (let i = 0; i < 8; i++) x.r[(x.top + i) & 7] = saved[i]!;
}
