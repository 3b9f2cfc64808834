/**
 * Which CPU core runs an NT thread (the SMP machine, `neptune run --cores
 * N`): the thread's TCB affinity, seL4's one core per thread.
 *
 *   new thread        the next core of its affinity mask, round robin over
 *                     every thread the executive places (so a process's
 *                     threads spread over the cores and run at once);
 *   affinity changed  (NtSetInformationThread ThreadAffinityMask,
 *                     NtSetInformationProcess ProcessAffinityMask) a
 *                     thread whose core left its mask moves to the next
 *                     core of the new mask; one still in the mask stays.
 *
 * NT's processor i is CPU core i (the host's core, where the executive
 * runs, is no processor of NT's). With one core nothing is placed: every
 * TCB is on core 0 already.
 */
import { invokeTCB_SetAffinity, seL4_NoError, TCB_AFFINITY, type Kernel } from '../../kernel/index.js';
import type { EThread } from './process.js';

export class ThreadPlacement {
  private next = 0;

  constructor(readonly k: Kernel, readonly cpuCores: number) {}

  /** The mask of every processor (NT's KeActiveProcessors). */
  get systemAffinity(): number {
    return this.cpuCores >= 32 ? 0xffffffff : ((1 << this.cpuCores) - 1) >>> 0;
  }

  /** Puts a new thread (not yet resumed) on the next core of its mask. */
  place(t: EThread): void {
    if (this.k.numCores <= 1) return;
    this.moveTo(t, this.choose(t.affinity));
  }

  /** After `t.affinity` changed: moves it when its core is no longer in the mask. */
  follow(t: EThread): void {
    if (this.k.numCores <= 1 || t.terminated || t.tcb === 0) return;
    const core = this.k.m[(t.tcb >> 2) + TCB_AFFINITY]!;
    if (core < 32 && ((t.affinity >>> core) & 1) !== 0) return;
    this.moveTo(t, this.choose(t.affinity));
  }

  /** The core a thread runs on (its TCB's affinity). */
  coreOf(t: EThread): number {
    return this.k.numCores <= 1 ? 0 : this.k.m[(t.tcb >> 2) + TCB_AFFINITY]!;
  }

  private choose(mask: number): number {
    const n = this.cpuCores;
    for (let i = 0; i < n; i++) {
      const c = (this.next + i) % n;
      if (c < 32 && ((mask >>> c) & 1) !== 0) {
        this.next = (c + 1) % n;
        return c;
      }
    }
    return 0; // masks are checked against the processors when set: not reached
  }

  private moveTo(t: EThread, core: number): void {
    const e = invokeTCB_SetAffinity(this.k, t.tcb, core);
    if (e !== seL4_NoError) throw new Error(`TCB_SetAffinity(${core}) for thread ${t.tid} failed: seL4 error ${e}`);
  }
}
