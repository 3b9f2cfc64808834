/**
 * remoteTCBStall (seL4's, SMP): before a TCB invocation operates on a
 * thread that is the current thread of another core, that core must stop
 * running it and put its registers back into its TCB. Otherwise
 * ReadRegisters reads what the TCB held when the thread was last loaded,
 * WriteRegisters is overwritten when that core next saves the thread, and
 * a Suspend returns while the thread still runs.
 *
 *   initiator (holds the big kernel lock)    core c (the thread's)
 *   CORE_STALL_TCB[c] = t                    where it waits for the lock
 *   CORE_STALL_REQ[c] = gen                  (lock.onWait), its idle spin,
 *   CORE_ATTENTION[c] = 1 (the IPI)          its out-of-budget wait:
 *   wait until CORE_STALL_ACK[c] = gen       if t is loaded in its CPU, save
 *     or c sleeps idle                       it to its TCB and unload it;
 *                                            ACK = REQ, notify
 *
 * A core interrupted in guest code (CORE_ATTENTION) comes to the lock and
 * answers in its wait; one stopped on a trap it has not yet handled (a
 * system call or a fault, waiting for the lock to handle it) undoes the
 * trap as seL4's stall does (ThreadState_Restart): the instruction runs
 * again when the thread next runs, so the operation sees the registers
 * before it and may change them. A single-step trap (#DB) pending at that
 * moment is lost, as in seL4. After the answer, the core's run loop
 * schedules again and loads the thread from its TCB if it still runs.
 *
 * Only a core whose CPU has run a thread (CORE_CR3 published) is asked: the
 * host's core runs its thread without a CPU (its registers are always in
 * its TCB).
 */
import type { Kernel } from './state.js';
import { CORE_ATTENTION, CORE_CR3, CORE_CUR, CORE_STALL_ACK, CORE_STALL_REQ, CORE_STALL_TCB, G_STALL_GEN } from './state.js';
import { TCB_AFFINITY } from './tcb.js';
import { nextGeneration, waitForCore } from './shootdown.js';

/** Stalls this process asked for (tests, counters). */
export const stallStats = { stalls: 0 };

/** Makes the core running `t` (if another CPU core) put it back into its TCB; returns once it has. Under the lock. */
export function remoteTCBStall(k: Kernel, t: number): void {
  if (k.numCores <= 1) return;
  const c = k.m[(t >> 2) + TCB_AFFINITY]!;
  if (c === k.core || c < 0 || c >= k.numCores) return;
  const g = k.g;
  const base = k.coreBase(c);
  if (g[base + CORE_CUR] !== t || Atomics.load(g, base + CORE_CR3) === 0) return;
  const gen = nextGeneration(g, G_STALL_GEN);
  g[base + CORE_STALL_TCB] = t;
  Atomics.store(g, base + CORE_STALL_REQ, gen);
  Atomics.store(g, base + CORE_ATTENTION, 1);
  stallStats.stalls++;
  waitForCore(g, base, base + CORE_STALL_ACK, gen);
}
