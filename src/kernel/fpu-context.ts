/**
 * A thread's x87/SSE state for its root task (the NT executive's CONTEXT:
 * exception dispatch, NtGetContextThread/NtSetContextThread, NtContinue),
 * read and written through fpu.ts's own save/load so the save area's
 * layout stays fpu.ts's business.
 *
 * The state may be live in the CPU (the thread owns the core's FPU): it is
 * first put into the TCB and the core's FPU left without an owner, so the
 * TCB is then the one copy, and the thread's next switch-in loads it.
 * Only the calling core is looked at: the executive runs on one core and
 * the threads it serves run there. On the SMP machine the executive runs on
 * the host core, which has no CPU (`cpu` null): the cores switch the FPU
 * eagerly, so a thread the executive serves has its state in its TCB.
 */
import type { Cpu } from '../cpu/cpu.js';
import { SseState, X87State } from '../cpu/state.js';
import { loadFpu, saveFpu } from './fpu.js';
import { CORE_FPU_OWNER, type Kernel } from './state.js';

/** The x87 and SSE registers of one thread, detached from any CPU. */
export interface FpuImage {
  readonly x87: X87State;
  readonly sse: SseState;
}

export function newFpuImage(): FpuImage {
  return { x87: new X87State(), sse: new SseState() };
}

/** Makes `t`'s TCB hold its current FPU state (saving it from `cpu` if it is live there). */
function fpuFlushThread(k: Kernel, cpu: Cpu | null, t: number): void {
  const i = k.coreBase(k.core) + CORE_FPU_OWNER;
  if (k.g[i] !== t) return;
  if (cpu === null) throw new Error(`core ${k.core} has no CPU but owns the FPU state of thread 0x${t.toString(16)}`);
  saveFpu(k, cpu, t);
  k.g[i] = 0;
  // The switch is lazy (fpu.ts): with no owner, the next x87/SSE instruction on this core must
  // trap (#NM) and load its thread's state from the TCB, which fpuWriteThread may have changed,
  // even when `t` goes on running without a switch (the sysenter hook answers it in the engine).
  cpu.fpuTrap = 1;
}

/** Copies `t`'s FPU state into `out` (the reset state for a thread that never used it). */
export function fpuReadThread(k: Kernel, cpu: Cpu | null, t: number, out: FpuImage): void {
  fpuFlushThread(k, cpu, t);
  loadFpu(k, out as unknown as Cpu, t);
}

/** Replaces `t`'s FPU state with `img`; it takes effect when `t` next runs. */
export function fpuWriteThread(k: Kernel, cpu: Cpu | null, t: number, img: FpuImage): void {
  fpuFlushThread(k, cpu, t);
  saveFpu(k, img as unknown as Cpu, t);
}
