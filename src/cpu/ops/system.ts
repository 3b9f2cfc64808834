/**
 * cpuid and rdtsc.
 *
 * cpuid describes an honest i686: "GenuineIntel", family 6, and only the
 * features this engine implements: FPU, TSC, CX8, CMOV, SSE, SSE2 (no MMX,
 * no FXSR until fxsave exists, no SSE3). As on Intel hardware, a leaf above
 * the maximum returns the highest basic leaf.
 *
 * rdtsc counts at a nominal 1 GHz from the host's monotonic clock, never
 * going backwards and strictly increasing between two reads on one core.
 */
import type { Cpu } from '../cpu.js';

const MAX_BASIC = 1;
const MAX_EXT = 0x80000000 | 0;
/** Family 6, model 13, stepping 8 (a Pentium M-class part with SSE2). */
const SIGNATURE = 0x6d8;
const FEATURES_EDX = (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 25) | (1 << 26);
const VENDOR = [0x756e6547, 0x6c65746e, 0x49656e69]; // "Genu" "ntel" "ineI" (ebx, ecx, edx)

export function cpuid_0fa2(cpu: Cpu, _s: number): void {
  const r = cpu.reg;
  let leaf = r[0]!;
  if (leaf < 0 ? leaf > MAX_EXT : leaf > MAX_BASIC) leaf = MAX_BASIC;
  switch (leaf) {
    case 0:
      r[0] = MAX_BASIC; r[3] = VENDOR[0]!; r[1] = VENDOR[1]!; r[2] = VENDOR[2]!;
      break;
    case 1:
      // EBX: APIC id in 31..24, one logical processor, clflush line 8*8 bytes.
      r[0] = SIGNATURE; r[3] = (cpu.coreId << 24) | (1 << 16) | (8 << 8); r[1] = 0; r[2] = FEATURES_EDX;
      break;
    default: // 0x80000000: no extended leaves beyond it
      r[0] = MAX_EXT; r[3] = 0; r[1] = 0; r[2] = 0;
      break;
  }
}

let lastTsc = 0;
export function rdtsc_0f31(cpu: Cpu, _s: number): void {
  let t = Math.floor(performance.now() * 1e6);
  if (t <= lastTsc) t = lastTsc + 1;
  lastTsc = t;
  cpu.reg[0] = t % 4294967296;
  cpu.reg[2] = Math.floor(t / 4294967296);
}
