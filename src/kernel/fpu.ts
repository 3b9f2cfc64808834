/**
 * Per-thread x87/SSE state (seL4's lazy FPU switching, arch/x86 fpu.c, in
 * the form this engine allows).
 *
 * The CPU has one x87 unit and one set of XMM registers (cpu.x87, cpu.sse);
 * each core remembers in its globals record which thread's state they hold
 * (CORE_FPU_OWNER). As in seL4, the switch is lazy: switching a thread in
 * moves nothing and only sets CR0.TS (Cpu.fpuTrap) when it is not the
 * owner; its first x87/SSE instruction then raises #NM, and the kernel
 * (handleFpuFault) saves the owner's state into its TCB, loads the new
 * thread's, makes it the owner and clears TS. Saving is skipped when the
 * CPU's FPU is still in its reset state (about 50 register reads; only the
 * mark "reset" is stored), and loading a thread without saved state is a
 * reset (or nothing, when the FPU is in that state already). Threads that
 * never use the FPU never pay anything (before, every switch scanned the
 * registers, and every switch between two FPU users moved ~70 words each
 * way even when neither used the FPU again).
 *
 * With more than one core the switch stays eager: a thread may move to
 * another core (SetAffinity) while its registers are live in this core's
 * CPU, which seL4 fetches with an IPI and a core worker here cannot reach.
 * So every switch-in of another thread saves the owner's state (unless
 * reset) and loads the new thread's, and a core going idle saves its owner:
 * whichever core runs a thread next finds its state in the TCB.
 *
 * Save area, words from TCB_FPU (TCB words 256-327):
 *   0-31 xmm0..7 · 32 MXCSR · 33 x87 TOP · 34 control word · 35 status word
 *   36 exactValid · 37 1 when the area holds a saved state (0: a fresh
 *   thread, which gets FNINIT/reset defaults) · 38-39 the 8 tags, a byte each ·
 *   40-55 ST registers R0..R7 as doubles · 56-71 the FILD m64 shadows
 */
import type { Cpu } from '../cpu/cpu.js';
import { FPU_CW_DEFAULT, MXCSR_DEFAULT } from '../cpu/state.js';
import { CORE_FPU_OWNER, type Kernel } from './state.js';

export const TCB_FPU = 256;
export const TCB_FPU_WORDS = 72;
const F_MXCSR = 32, F_TOP = 33, F_CW = 34, F_SW = 35, F_EXACT_VALID = 36, F_VALID = 37, F_TAG = 38, F_R = 40, F_EXACT = 56;

/** Copies the CPU's FPU state into `t`'s save area. */
export function saveFpu(k: Kernel, cpu: Cpu, t: number): void {
  // Plain loops: subarray views would allocate on every thread switch.
  const m = k.m;
  const b = (t >> 2) + TCB_FPU;
  const x = cpu.x87;
  const xmm = cpu.sse.i32;
  for (let i = 0; i < 32; i++) m[b + i] = xmm[i]!;
  m[b + F_MXCSR] = cpu.sse.mxcsr;
  m[b + F_TOP] = x.top;
  m[b + F_CW] = x.cw;
  m[b + F_SW] = x.sw;
  m[b + F_EXACT_VALID] = x.exactValid;
  m[b + F_VALID] = 1;
  const tag = x.tag;
  m[b + F_TAG] = tag[0]! | (tag[1]! << 8) | (tag[2]! << 16) | (tag[3]! << 24);
  m[b + F_TAG + 1] = tag[4]! | (tag[5]! << 8) | (tag[6]! << 16) | (tag[7]! << 24);
  const f = k.f64;
  const rb = (b + F_R) >> 1;
  for (let i = 0; i < 8; i++) f[rb + i] = x.r[i]!;
  if (x.exactValid !== 0) for (let i = 0; i < 16; i++) m[b + F_EXACT + i] = x.exact[i]!;
}

/** The CPU's FPU in its reset state (FNINIT + MXCSR default, XMM zero): nothing worth saving. */
export function fpuIsReset(cpu: Cpu): boolean {
  const x = cpu.x87;
  const sse = cpu.sse;
  if (sse.mxcsr !== MXCSR_DEFAULT || x.top !== 0 || x.cw !== FPU_CW_DEFAULT || x.sw !== 0 || x.exactValid !== 0) return false;
  const tag = x.tag;
  if ((tag[0]! & tag[1]! & tag[2]! & tag[3]! & tag[4]! & tag[5]! & tag[6]! & tag[7]!) !== 3) return false;
  const r = x.r;
  if (r[0] !== 0 || r[1] !== 0 || r[2] !== 0 || r[3] !== 0 || r[4] !== 0 || r[5] !== 0 || r[6] !== 0 || r[7] !== 0) return false;
  // Unrolled: about twice as fast as the loop (measured), and this runs on every switch.
  const v = sse.i32;
  return (v[0]! | v[1]! | v[2]! | v[3]! | v[4]! | v[5]! | v[6]! | v[7]! | v[8]! | v[9]! | v[10]! | v[11]! | v[12]! | v[13]! | v[14]! | v[15]!
    | v[16]! | v[17]! | v[18]! | v[19]! | v[20]! | v[21]! | v[22]! | v[23]! | v[24]! | v[25]! | v[26]! | v[27]! | v[28]! | v[29]! | v[30]! | v[31]!) === 0;
}

/** Puts the CPU's FPU in the reset state. */
function resetFpu(cpu: Cpu): void {
  const x = cpu.x87;
  cpu.sse.i32.fill(0);
  cpu.sse.mxcsr = MXCSR_DEFAULT;
  x.r.fill(0);
  x.tag.fill(3);
  x.exact.fill(0);
  x.exactValid = 0;
  x.top = 0;
  x.cw = FPU_CW_DEFAULT;
  x.sw = 0;
}

/** Loads `t`'s saved FPU state (or the reset state of a thread that has none) into the CPU. */
export function loadFpu(k: Kernel, cpu: Cpu, t: number): void {
  const m = k.m;
  const b = (t >> 2) + TCB_FPU;
  const x = cpu.x87;
  if (m[b + F_VALID] === 0) {
    resetFpu(cpu);
    return;
  }
  const xmm = cpu.sse.i32;
  for (let i = 0; i < 32; i++) xmm[i] = m[b + i]!;
  cpu.sse.mxcsr = m[b + F_MXCSR]!;
  x.top = m[b + F_TOP]!;
  x.cw = m[b + F_CW]!;
  x.sw = m[b + F_SW]!;
  x.exactValid = m[b + F_EXACT_VALID]!;
  const lo = m[b + F_TAG]!, hi = m[b + F_TAG + 1]!;
  const tag = x.tag;
  tag[0] = lo; tag[1] = lo >> 8; tag[2] = lo >> 16; tag[3] = lo >> 24;
  tag[4] = hi; tag[5] = hi >> 8; tag[6] = hi >> 16; tag[7] = hi >> 24;
  const f = k.f64;
  const rb = (b + F_R) >> 1;
  for (let i = 0; i < 8; i++) x.r[i] = f[rb + i]!;
  if (x.exactValid !== 0) for (let i = 0; i < 16; i++) x.exact[i] = m[b + F_EXACT + i]!;
}

/**
 * The owner's state goes to its TCB, or, when it is the reset state (the
 * thread never used the FPU, or FNINIT'd it), only the mark "reset".
 * Returns whether the CPU's FPU is in the reset state.
 */
function putAway(k: Kernel, cpu: Cpu, owner: number): boolean {
  const reset = fpuIsReset(cpu);
  if (owner !== 0) {
    if (reset) k.m[(owner >> 2) + TCB_FPU + F_VALID] = 0;
    else saveFpu(k, cpu, owner);
  }
  return reset;
}

/**
 * Switch-in of `t`: nothing moves. The CPU's FPU registers stay with their
 * owner; if `t` is not the owner, CR0.TS is set (Cpu.fpuTrap) so its
 * first x87/SSE instruction traps (#NM) to `handleFpuFault`. Threads that
 * never touch the FPU never pay, and a thread switching with one that does
 * not (a server answering an FPU-using client) keeps its registers live.
 */
export function switchFpu(k: Kernel, cpu: Cpu, t: number): void {
  const i = k.coreBase(k.core) + CORE_FPU_OWNER;
  const owner = k.g[i]!;
  if (owner === t) {
    cpu.fpuTrap = 0;
  } else if (k.numCores === 1) {
    cpu.fpuTrap = 1;
  } else {
    // SMP: seL4 asks the old core by IPI to save a migrating owner's state; a core worker
    // here cannot reach another's CPU, so the owner's state goes home at every switch.
    handleFpuFault(k, cpu, t);
  }
}

/**
 * #NM from the current thread `t` (seL4's handleFPUFault / switchLocalFpuOwner):
 * the owner's state goes to its TCB (or only the mark "reset", when it is
 * the reset state), `t`'s is loaded (the reset state for a thread that has
 * none saved), `t` becomes the owner and CR0.TS is cleared; the faulting
 * instruction then runs again.
 */
export function handleFpuFault(k: Kernel, cpu: Cpu, t: number): void {
  const i = k.coreBase(k.core) + CORE_FPU_OWNER;
  const owner = k.g[i]!;
  if (owner !== t) {
    const reset = putAway(k, cpu, owner);
    if (k.m[(t >> 2) + TCB_FPU + F_VALID] !== 0) loadFpu(k, cpu, t);
    else if (!reset) resetFpu(cpu);
    k.g[i] = t;
  }
  cpu.fpuTrap = 0;
}

/** Saves the owner's state and leaves this core's FPU without an owner (the core goes idle, SMP). */
export function releaseFpu(k: Kernel, cpu: Cpu): void {
  const i = k.coreBase(k.core) + CORE_FPU_OWNER;
  const owner = k.g[i]!;
  cpu.fpuTrap = 1;
  if (owner === 0) return;
  putAway(k, cpu, owner);
  k.g[i] = 0;
}

/** A thread being destroyed: no core may save into its memory afterwards (seL4's fpuThreadDelete). */
export function fpuThreadDelete(k: Kernel, t: number): void {
  for (let c = 0; c < k.numCores; c++) {
    const i = k.coreBase(c) + CORE_FPU_OWNER;
    if (k.g[i] === t) k.g[i] = 0;
  }
}
