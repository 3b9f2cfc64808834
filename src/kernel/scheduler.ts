/**
 * The scheduler (seL4's kernel/thread.c scheduling half, non-MCS):
 * 256 priorities, round robin within a priority, time slices counted in
 * timer ticks, one set of ready queues per core, thread affinity.
 *
 * Per core, in the globals SAB:
 *
 *   L1  one word: bit i set <=> L2[i] != 0
 *   L2  8 words: bit b of L2[i] set <=> ready queue 32*i+b is non-empty
 *   HEADS/TAILS  256 queue ends (TCB pointers, 0 = empty)
 *
 * so the highest runnable priority is two count-leading-zeros away. Queues
 * are intrusive: a TCB's schedNext/schedPrev fields link it.
 *
 * As in seL4, the running thread is not in a ready queue; a kernel entry
 * ends with `schedule`, which acts on the core's scheduler action:
 * ResumeCurrentThread, ChooseNewThread, or SwitchToThread(candidate) (set
 * by possibleSwitchTo when an IPC wakes a thread). Enqueue puts a thread at
 * the head of its queue (it keeps its remaining slice), Append at the tail
 * (its slice ran out, or it yielded).
 */
import {
  CORE_ACTION, CORE_ATTENTION, CORE_CUR, CORE_DOORBELL, CORE_SLEEPING, CORE_HEADS, CORE_IDLE, CORE_L1, CORE_L2, CORE_TAILS,
  G_TIME_SLICE, type Kernel, SchedulerAction_ChooseNewThread, SchedulerAction_ResumeCurrentThread,
} from './state.js';
import {
  TCB_AFFINITY, TCB_PRIO, TCB_QUEUED, TCB_SCHED_NEXT, TCB_SCHED_PREV, TCB_STATE, TCB_TIMESLICE, isRunnableState,
} from './tcb.js';

export const seL4_MaxPrio = 255;
export const CONFIG_TIME_SLICE = 5;

function prioBit(k: Kernel, base: number, prio: number, set: boolean): void {
  const g = k.g;
  const l1i = prio >>> 5;
  const bit = 1 << (prio & 31);
  if (set) {
    g[base + CORE_L2 + l1i]! |= bit;
    g[base + CORE_L1]! |= 1 << l1i;
  } else {
    const w = g[base + CORE_L2 + l1i]! & ~bit;
    g[base + CORE_L2 + l1i] = w;
    if (w === 0) g[base + CORE_L1]! &= ~(1 << l1i);
  }
}

/** Highest priority with a ready thread on `core`, or -1. O(1). */
export function getHighestPrio(k: Kernel, core: number): number {
  const base = k.coreBase(core);
  const l1 = k.g[base + CORE_L1]!;
  if (l1 === 0) return -1;
  const top = 31 - Math.clz32(l1);
  return (top << 5) | (31 - Math.clz32(k.g[base + CORE_L2 + top]!));
}

export function isHighestPrio(k: Kernel, core: number, prio: number): boolean {
  return prio >= getHighestPrio(k, core);
}

/** Puts a runnable thread at the head of its ready queue (no-op if queued). */
export function tcbSchedEnqueue(k: Kernel, t: number): void {
  insertReady(k, t, true);
}

/** Puts a runnable thread at the tail of its ready queue (no-op if queued). */
export function tcbSchedAppend(k: Kernel, t: number): void {
  insertReady(k, t, false);
}

/** The two above: links `t` in at one end of its core's queue for its priority, then kicks that core if it is another. */
function insertReady(k: Kernel, t: number, atHead: boolean): void {
  const m = k.m;
  const i = t >> 2;
  if (m[i + TCB_QUEUED] !== 0 || !isRunnableState(m[i + TCB_STATE]!)) return;
  const core = m[i + TCB_AFFINITY]!;
  const prio = m[i + TCB_PRIO]!;
  const base = k.coreBase(core);
  const g = k.g;
  // The end we insert at, and the link from the old end-thread towards `t`.
  const endAt = base + (atHead ? CORE_HEADS : CORE_TAILS) + prio;
  const old = g[endAt]!;
  if (old === 0) {
    g[base + (atHead ? CORE_TAILS : CORE_HEADS) + prio] = t;
    prioBit(k, base, prio, true);
  } else {
    m[(old >> 2) + (atHead ? TCB_SCHED_PREV : TCB_SCHED_NEXT)] = t;
  }
  m[i + (atHead ? TCB_SCHED_NEXT : TCB_SCHED_PREV)] = old;
  m[i + (atHead ? TCB_SCHED_PREV : TCB_SCHED_NEXT)] = 0;
  g[endAt] = t;
  m[i + TCB_QUEUED] = core + 1;
  // seL4's remote enqueue interrupts the core only for a thread above its current one.
  if (core !== k.core) {
    const cur = g[base + CORE_CUR]!;
    remoteWake(k, core, cur === 0 || prio > m[(cur >> 2) + TCB_PRIO]!);
  }
}

/** Removes a thread from its ready queue (no-op if not queued). */
export function tcbSchedDequeue(k: Kernel, t: number): void {
  const m = k.m;
  const i = t >> 2;
  const q = m[i + TCB_QUEUED]!;
  if (q === 0) return;
  const base = k.coreBase(q - 1);
  const prio = m[i + TCB_PRIO]!;
  const g = k.g;
  const prev = m[i + TCB_SCHED_PREV]!;
  const next = m[i + TCB_SCHED_NEXT]!;
  if (prev === 0) g[base + CORE_HEADS + prio] = next;
  else m[(prev >> 2) + TCB_SCHED_NEXT] = next;
  if (next === 0) g[base + CORE_TAILS + prio] = prev;
  else m[(next >> 2) + TCB_SCHED_PREV] = prev;
  if (g[base + CORE_HEADS + prio] === 0) prioBit(k, base, prio, false);
  m[i + TCB_SCHED_NEXT] = 0;
  m[i + TCB_SCHED_PREV] = 0;
  m[i + TCB_QUEUED] = 0;
}

export function curThread(k: Kernel, core = k.core): number {
  return k.g[k.coreBase(core) + CORE_CUR]!;
}
export function idleThread(k: Kernel, core = k.core): number {
  return k.g[k.coreBase(core) + CORE_IDLE]!;
}
export function schedulerAction(k: Kernel, core = k.core): number {
  return k.g[k.coreBase(core) + CORE_ACTION]!;
}

/** The current thread can no longer run, or a better one may exist: choose again at the end of this entry. */
export function rescheduleRequired(k: Kernel, core = k.core): void {
  const base = k.coreBase(core);
  const action = k.g[base + CORE_ACTION]!;
  if (action !== SchedulerAction_ResumeCurrentThread && action !== SchedulerAction_ChooseNewThread) {
    tcbSchedEnqueue(k, action);
  }
  k.g[base + CORE_ACTION] = SchedulerAction_ChooseNewThread;
}

/**
 * Rings core `core`'s doorbell: work was queued for it (the IPI of SMP
 * seL4; every enqueue on another core's queue rings it). Inside a core
 * worker's kernel entry (deferWakes) the ring waits for the lock's
 * release (flushWakes): rung at once, the woken core would spin on the
 * lock still held by this entry. The notify, a system call on the host, is
 * paid only when that core's worker said it sleeps (CORE_SLEEPING, set
 * before it re-checks the doorbell and waits: sequentially consistent on
 * both sides, so no wake-up is lost). `interrupt`: the core must leave the
 * guest code it runs now (its current thread is to be preempted or taken
 * away), not at its next kernel entry.
 */
export function remoteWake(k: Kernel, core: number, interrupt: boolean): void {
  const base = k.coreBase(core);
  if (k.deferWakes && k.pendingWakeCount < k.pendingWakes.length) {
    // Rung after the lock is released: a core woken now would only wait for the lock.
    k.pendingWakes[k.pendingWakeCount++] = interrupt ? core | PENDING_INTERRUPT : core;
  } else {
    ringDoorbell(k.g, base, interrupt);
  }
  if (k.onRemoteWake !== null) k.onRemoteWake(core);
}

/** A deferred wake that also interrupts (remoteWake). */
const PENDING_INTERRUPT = 0x100;

/** Rings the doorbells remoteWake deferred (after the kernel lock is released). */
export function flushWakes(k: Kernel): void {
  const n = k.pendingWakeCount;
  k.pendingWakeCount = 0;
  for (let i = 0; i < n; i++) {
    const w = k.pendingWakes[i]!;
    ringDoorbell(k.g, k.coreBase(w & 0xff), (w & PENDING_INTERRUPT) !== 0);
  }
}

/**
 * A remote wake: the core at `base` looks at its doorbell at its next
 * kernel entry; with `interrupt` (the IPI) a core running guest code
 * leaves it for that entry now (CORE_ATTENTION, set after the doorbell);
 * asleep, it is notified once.
 */
function ringDoorbell(g: Int32Array, base: number, interrupt: boolean): void {
  Atomics.add(g, base + CORE_DOORBELL, 1);
  if (interrupt) Atomics.store(g, base + CORE_ATTENTION, 1);
  if (takeSleeper(g, base)) Atomics.notify(g, base + CORE_DOORBELL);
}

/**
 * Did the core at `base` say it sleeps? Taking its flag (exchange to 0)
 * makes this the one notify of that sleep: other wakers before it runs pay
 * nothing. Its worker sets the flag again before each wait.
 */
function takeSleeper(g: Int32Array, base: number): boolean {
  return Atomics.load(g, base + CORE_SLEEPING) !== 0 && Atomics.exchange(g, base + CORE_SLEEPING, 0) !== 0;
}

/**
 * A thread was woken by an operation of the current core: run it now if it
 * is worth it, else queue it (seL4's possibleSwitchTo, non-MCS).
 */
export function possibleSwitchTo(k: Kernel, t: number): void {
  const core = k.m[(t >> 2) + TCB_AFFINITY]!;
  if (core !== k.core) {
    if (k.remoteSwitch !== null && k.remoteSwitch(t, core)) return; // handed to that idle core (SMP)
    tcbSchedEnqueue(k, t); // rings that core's doorbell
    return;
  }
  const base = k.coreBase(core);
  if (k.g[base + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) {
    rescheduleRequired(k, core);
    tcbSchedEnqueue(k, t);
  } else {
    k.g[base + CORE_ACTION] = t;
  }
}

/**
 * `t`'s state changed (seL4's scheduleTCB): if it is a core's current thread
 * and can no longer run, that core chooses again.
 */
export function scheduleTCB(k: Kernel, t: number): void {
  const core = k.m[(t >> 2) + TCB_AFFINITY]!;
  const base = k.coreBase(core);
  if (t === k.g[base + CORE_CUR] && k.g[base + CORE_ACTION] === SchedulerAction_ResumeCurrentThread && !isRunnableState(k.m[(t >> 2) + TCB_STATE]!)) {
    k.g[base + CORE_ACTION] = SchedulerAction_ChooseNewThread;
    // Another core runs it (a root-task Suspend, say): that core stops it now, not at its slice's end.
    if (core !== k.core) remoteWake(k, core, true);
  }
}

function switchToThread(k: Kernel, core: number, t: number): void {
  tcbSchedDequeue(k, t);
  k.g[k.coreBase(core) + CORE_CUR] = t;
}

function chooseThread(k: Kernel, core: number): void {
  const prio = getHighestPrio(k, core);
  const base = k.coreBase(core);
  if (prio < 0) {
    k.g[base + CORE_CUR] = k.g[base + CORE_IDLE]!;
    return;
  }
  switchToThread(k, core, k.g[base + CORE_HEADS + prio]!);
}

/** Ends a kernel entry on `core`: acts on the scheduler action. Returns the thread to run. */
export function schedule(k: Kernel, core = k.core): number {
  const g = k.g;
  const m = k.m;
  const base = k.coreBase(core);
  const action = g[base + CORE_ACTION]!;
  if (action !== SchedulerAction_ResumeCurrentThread) {
    const cur = g[base + CORE_CUR]!;
    const idle = g[base + CORE_IDLE]!;
    const curRunnable = cur !== idle && isRunnableState(m[(cur >> 2) + TCB_STATE]!);
    const wasRunnable = curRunnable && m[(cur >> 2) + TCB_AFFINITY] === core;
    if (wasRunnable) tcbSchedEnqueue(k, cur);
    // SetAffinity moved the running thread: it leaves this core now and queues on its new one.
    else if (curRunnable) tcbSchedEnqueue(k, cur);
    if (action === SchedulerAction_ChooseNewThread || !isRunnableState(m[(action >> 2) + TCB_STATE]!)) {
      chooseThread(k, core);
    } else {
      const candidate = action;
      const candPrio = m[(candidate >> 2) + TCB_PRIO]!;
      const fastfail = cur === idle || candPrio < m[(cur >> 2) + TCB_PRIO]!;
      if (fastfail && !isHighestPrio(k, core, candPrio)) {
        tcbSchedEnqueue(k, candidate);
        chooseThread(k, core);
      } else if (wasRunnable && candPrio === m[(cur >> 2) + TCB_PRIO]) {
        tcbSchedAppend(k, candidate);
        chooseThread(k, core);
      } else {
        switchToThread(k, core, candidate);
      }
    }
    g[base + CORE_ACTION] = SchedulerAction_ResumeCurrentThread;
  }
  return g[base + CORE_CUR]!;
}

/** One timer tick on this core: the current thread's slice shrinks; when spent it goes to the back of its queue. */
export function timerTick(k: Kernel, core = k.core): void {
  const cur = curThread(k, core);
  if (cur === idleThread(k, core)) {
    if (getHighestPrio(k, core) >= 0) rescheduleRequired(k, core);
    return;
  }
  const i = (cur >> 2) + TCB_TIMESLICE;
  if (!isRunnableState(k.m[(cur >> 2) + TCB_STATE]!)) return;
  const left = k.m[i]! - 1;
  if (left > 0) {
    k.m[i] = left;
    return;
  }
  k.m[i] = k.g[G_TIME_SLICE]!;
  tcbSchedAppend(k, cur);
  rescheduleRequired(k, core);
}

/** seL4_Yield (non-MCS): the current thread goes to the back of its priority's queue. */
export function handleYield(k: Kernel, core = k.core): void {
  const cur = curThread(k, core);
  if (cur === idleThread(k, core)) return;
  tcbSchedDequeue(k, cur);
  tcbSchedAppend(k, cur);
  rescheduleRequired(k, core);
}

/** Lists the ready queue of `prio` on `core` (for tests and debugging). */
export function readyQueue(k: Kernel, core: number, prio: number): number[] {
  const out: number[] = [];
  for (let t = k.g[k.coreBase(core) + CORE_HEADS + prio]!; t !== 0; t = k.m[(t >> 2) + TCB_SCHED_NEXT]!) out.push(t);
  return out;
}
