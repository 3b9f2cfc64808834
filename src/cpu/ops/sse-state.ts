/**
 * SSE state and ordering instructions: ldmxcsr/stmxcsr, fxsave/fxrstor
 * (the 512-byte image, SDM vol. 1, table 10-2, 32-bit format), the fences,
 * prefetches and clflush (no-ops: one core sees its own memory in order,
 * and cross-core ordering of plain typed-array accesses on the host is at
 * least as strong as x86's TSO for the patterns these fences guard), and
 * emms (MMX is not implemented: #UD).
 */
import type { Cpu } from '../cpu.js';
import { Vector } from '../fault.js';
import { MXCSR_MASK, checkAlign16 } from './sse-util.js';
import { TAG_EMPTY, TAG_VALID, setStatusWord, statusWord } from './x87-core.js';
import { f80ToDouble, writeF80 } from './x87-f80.js';

/** ldmxcsr m32 (0F AE /2): reserved bits set -> #GP(0). */
export function ldmxcsr(cpu: Cpu, s: number): void {
  const v = cpu.read32(cpu.ea(s));
  if ((v & ~MXCSR_MASK) !== 0) cpu.raise(Vector.GP, 0);
  cpu.sse.mxcsr = v;
}

/** stmxcsr m32 (0F AE /3). */
export function stmxcsr(cpu: Cpu, s: number): void {
  cpu.write32(cpu.ea(s), cpu.sse.mxcsr);
}

/** lfence/mfence/sfence (0F AE /5 /6 /7, register forms), prefetch* (0F 18, 0F 0D), clflush (0F AE /7, memory). */
export function fence(_cpu: Cpu, _s: number): void {}

/** A mandatory-prefix form the SSE opcode does not define: #UD. */
export function undefinedForm(cpu: Cpu): void {
  cpu.raise(Vector.UD);
}

/** emms (0F 77): MMX registers are not implemented, so neither is the instruction that leaves MMX state. */
export function emms(cpu: Cpu): void {
  cpu.raise(Vector.UD);
}

/**
 * fxsave m512 (0F AE /0): FCW, FSW, abridged FTW (1 bit per physical
 * register: not empty), FOP/FIP/FCS/FDP/FDS (not tracked: 0), MXCSR,
 * MXCSR_MASK, ST0..ST7 as m80 in 16-byte slots, XMM0..7. Bytes 288..511
 * are left untouched (reserved / available to software).
 */
export function fxsave(cpu: Cpu, s: number): void {
  const a = cpu.ea(s);
  checkAlign16(cpu, a);
  cpu.probeWrite(a, 512);
  const x = cpu.x87;
  let ftw = 0;
  for (let p = 0; p < 8; p++) if (x.tag[p] !== TAG_EMPTY) ftw |= 1 << p;
  cpu.write16(a, x.cw);
  cpu.write16((a + 2) | 0, statusWord(x));
  cpu.write16((a + 4) | 0, ftw);
  cpu.write16((a + 6) | 0, 0);
  for (let o = 8; o < 24; o += 4) cpu.write32((a + o) | 0, 0);
  cpu.write32((a + 24) | 0, cpu.sse.mxcsr);
  cpu.write32((a + 28) | 0, MXCSR_MASK);
  for (let i = 0; i < 8; i++) {
    const o = (a + 32 + 16 * i) | 0;
    writeF80(cpu, o, x.r[(x.top + i) & 7]!);
    cpu.write16((o + 10) | 0, 0);
    cpu.write32((o + 12) | 0, 0);
  }
  const v = cpu.sse.i32;
  for (let i = 0; i < 32; i++) cpu.write32((a + 160 + 4 * i) | 0, v[i]!);
}

/** Staging for fxrstor so that a fault while reading changes nothing. */
const stR = new Float64Array(8);
const stX = new Int32Array(32);

/** fxrstor m512 (0F AE /1): #GP when unaligned or when MXCSR has reserved bits set. */
export function fxrstor(cpu: Cpu, s: number): void {
  const a = cpu.ea(s);
  checkAlign16(cpu, a);
  const cw = cpu.read16(a), sw = cpu.read16((a + 2) | 0), ftw = cpu.read8((a + 4) | 0);
  const mxcsr = cpu.read32((a + 24) | 0);
  if ((mxcsr & ~MXCSR_MASK) !== 0) cpu.raise(Vector.GP, 0);
  for (let i = 0; i < 8; i++) {
    const o = (a + 32 + 16 * i) | 0;
    stR[i] = f80ToDouble(cpu.read32(o), cpu.read32((o + 4) | 0), cpu.read16((o + 8) | 0));
  }
  for (let i = 0; i < 32; i++) stX[i] = cpu.read32((a + 160 + 4 * i) | 0);
  const x = cpu.x87;
  x.cw = (cw & 0x1f3f) | 0x40;
  setStatusWord(x, sw);
  for (let p = 0; p < 8; p++) x.tag[p] = (ftw >> p) & 1 ? TAG_VALID : TAG_EMPTY;
  x.exactValid = 0;
  for (let i = 0; i < 8; i++) x.r[(x.top + i) & 7] = stR[i]!;
  cpu.sse.mxcsr = mxcsr;
  cpu.sse.i32.set(stX);
}

