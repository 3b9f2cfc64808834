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

  /** True when a wait on it would be satisfied now. */
  isSignalled(): boolean {
    return this.signalState > 0;
  }
  /** What satisfying a wait does to it (a synchronization event resets). */
  consume(): void {}
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
  ) {}

  /** Satisfies the wait if it can; true when it did. */
  trySatisfy(): boolean {
    if (this.done) return true;
    if (this.waitAll) {
      if (!this.objects.every((o) => o.isSignalled())) return false;
      for (const o of this.objects) o.consume();
      this.finish(NTSTATUS.STATUS_WAIT_0);
      return true;
    }
    for (let i = 0; i < this.objects.length; i++) {
      const o = this.objects[i]!;
      if (o.isSignalled()) {
        o.consume();
        this.finish(NTSTATUS.STATUS_WAIT_0 + i);
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
    if (!o.isSignalled()) break;
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
  override consume(): void {
    if (this.synchronization) this.signalState = 0;
  }
}

/** NT time (100 ns units) → a deadline on the host's monotonic clock (ns), from a Timeout argument. */
export function timeoutDeadline(timeout: bigint, nowNs: bigint, systemTime100ns: bigint): bigint {
  if (timeout < 0n) return nowNs + -timeout * 100n;
  const rel = timeout - systemTime100ns;
  return nowNs + (rel > 0n ? rel * 100n : 0n);
}
