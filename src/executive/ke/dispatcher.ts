/**
 * Ke: dispatcher objects and waits. Events, processes and threads carry a
 * signal state; a thread that waits on objects that are not signalled gets
 * a WaitBlock, its reply capability is kept by the executive (the caller
 * stays blocked on reply in the kernel), and the block is satisfied when an
 * object is signalled or its timer fires: then the executive answers.
 *
 *   NtWaitFor*  ──not signalled──> WaitBlock ──(signal | timeout)──> reply
 *
 * Wait-any is satisfied by the first signalled object (STATUS_WAIT_0 + i),
 * wait-all by all of them at once; a synchronization event is consumed by
 * the wait it satisfies.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { ObObject, type ObjectType } from '../ob/object.js';

export class DispatcherObject extends ObObject {
  signalState = 0;
  readonly waiters = new Set<WaitBlock>();
  constructor(type: ObjectType) { super(type); }

  /** True when a wait by `waiter` (a thread) on it would be satisfied now. */
  isSignalled(_waiter?: unknown): boolean {
    return this.signalState > 0;
  }
  /** What satisfying a wait by `waiter` does to it (a synchronization event resets); true when the wait gets an "abandoned" status. */
  consume(_waiter?: unknown): boolean {
    return false;
  }
}

export interface Timer {
  deadline: bigint;
  fire(): void;
  cancelled: boolean;
}

export class WaitBlock {
  done = false;
  timer: Timer | null = null;
  constructor(
    readonly objects: readonly DispatcherObject[],
    readonly waitAll: boolean,
    private readonly complete: (status: number) => void,
    /** The waiting thread (mutants are signalled for their owner). */
    readonly thread: unknown = null,
  ) {}

  /** Satisfies the wait if it can; true when it did. */
  trySatisfy(): boolean {
    if (this.done) return true;
    const t = this.thread;
    if (this.waitAll) {
      if (!this.objects.every((o) => o.isSignalled(t))) return false;
      let abandoned = false;
      for (const o of this.objects) abandoned = o.consume(t) || abandoned;
      this.finish(abandoned ? NTSTATUS.STATUS_ABANDONED_WAIT_0 : NTSTATUS.STATUS_WAIT_0);
      return true;
    }
    for (let i = 0; i < this.objects.length; i++) {
      const o = this.objects[i]!;
      if (o.isSignalled(t)) {
        const abandoned = o.consume(t);
        this.finish((abandoned ? NTSTATUS.STATUS_ABANDONED_WAIT_0 : NTSTATUS.STATUS_WAIT_0) + i);
        return true;
      }
    }
    return false;
  }

  /** Ends the wait with `status` (timeout, satisfaction, cancellation). */
  finish(status: number): void {
    if (this.done) return;
    this.done = true;
    for (const o of this.objects) o.waiters.delete(this);
    if (this.timer !== null) this.timer.cancelled = true;
    this.complete(status);
  }

  /** Drops the wait without answering (the waiting thread is gone). */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    for (const o of this.objects) o.waiters.delete(this);
    if (this.timer !== null) this.timer.cancelled = true;
  }
}

/** Wakes what waits on `o` (in arrival order) while it stays signalled. */
export function keSignal(o: DispatcherObject): void {
  for (const w of [...o.waiters]) {
    if (!o.isSignalled(w.thread)) continue;
    w.trySatisfy();
  }
}

export const EVENT_QUERY_STATE = 1;
export const EVENT_MODIFY_STATE = 2;
export const EventType: ObjectType = {
  name: 'Event',
  generic: { read: 0x20001, write: 0x20002, execute: 0x120000, all: 0x1f0003 },
};

export class KEvent extends DispatcherObject {
  constructor(readonly synchronization: boolean, initial: boolean) {
    super(EventType);
    this.signalState = initial ? 1 : 0;
  }
  override consume(): boolean {
    if (this.synchronization) this.signalState = 0;
    return false;
  }
}

export const MUTANT_QUERY_STATE = 1;
export const MutantType: ObjectType = {
  name: 'Mutant',
  generic: { read: 0x20001, write: 0x20000, execute: 0x120000, all: 0x1f0001 },
};

/** A mutant: signalled when unowned; its owner may acquire it again (recursion). */
export class KMutant extends DispatcherObject {
  owner: { mutants: Set<DispatcherObject> } | null = null;
  recursion = 0;
  abandoned = false;
  constructor() { super(MutantType); this.signalState = 1; }
  override isSignalled(waiter?: unknown): boolean {
    return this.owner === null || (waiter !== null && waiter !== undefined && this.owner === waiter);
  }
  override consume(waiter?: unknown): boolean {
    const t = waiter as { mutants: Set<DispatcherObject> } | null | undefined;
    const wasAbandoned = this.abandoned;
    this.abandoned = false;
    if (t === null || t === undefined) return wasAbandoned;
    this.owner = t;
    this.recursion++;
    this.signalState = 0;
    t.mutants.add(this);
    return wasAbandoned;
  }
  /** One level of ownership released; at zero it is free and waiters may take it. */
  release(): void {
    if (--this.recursion > 0) return;
    this.owner?.mutants.delete(this);
    this.owner = null;
    this.signalState = 1;
    keSignal(this);
  }
  /** Its owner ended: the next acquirer is told it was abandoned. */
  abandon(): void {
    this.owner = null;
    this.recursion = 0;
    this.abandoned = true;
    this.signalState = 1;
    keSignal(this);
  }
}

export const SEMAPHORE_MODIFY_STATE = 2;
export const SemaphoreType: ObjectType = {
  name: 'Semaphore',
  generic: { read: 0x20001, write: 0x20002, execute: 0x120000, all: 0x1f0003 },
};

export class KSemaphore extends DispatcherObject {
  constructor(count: number, readonly maximum: number) { super(SemaphoreType); this.signalState = count; }
  override consume(): boolean {
    this.signalState--;
    return false;
  }
}

/** NT time (100 ns units) → a deadline on the host's monotonic clock (ns), from a Timeout argument. */
export function timeoutDeadline(timeout: bigint, nowNs: bigint, systemTime100ns: bigint): bigint {
  if (timeout < 0n) return nowNs + -timeout * 100n;
  const rel = timeout - systemTime100ns;
  return nowNs + (rel > 0n ? rel * 100n : 0n);
}

export const TIMER_MODIFY_STATE = 2;
export const TimerType: ObjectType = {
  name: 'Timer',
  generic: { read: 0x20001, write: 0x20002, execute: 0x120000, all: 0x1f0003 },
  delete(o) { const t = o as KTimer; if (t.armed !== null) t.armed.cancelled = true; },
};

/** A waitable timer: signalled when due; a synchronization timer is consumed by the wait it satisfies. */
export class KTimer extends DispatcherObject {
  armed: Timer | null = null;
  constructor(readonly synchronization: boolean) { super(TimerType); }
  override consume(): boolean {
    if (this.synchronization) this.signalState = 0;
    return false;
  }
}
