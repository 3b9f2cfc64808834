/**
 * Notifications (seL4's src/object/notification.c): a word of binary
 * semaphores. Signal ORs the sender's badge into the word and wakes a
 * waiter; Wait returns the word and clears it, or blocks; Poll is a Wait
 * that never blocks. A notification bound to a TCB (TCB_BindNotification)
 * also wakes that thread out of an endpoint Recv.
 *
 * Record (16 bytes, seL4_NotificationBits = 4):
 *   word 0  queue head (TCB, 1 KiB aligned) | state (bits 0-1: Idle, Waiting, Active)
 *   word 1  queue tail
 *   word 2  the notification word (msgIdentifier; 28-bit badges ORed)
 *   word 3  bound TCB
 */
import type { Kernel } from './state.js';
import {
  REG_BADGE, TCB_BLOCKING_OBJECT, TCB_BOUND_NTFN, TCB_EP_NEXT, TCB_EP_PREV, ThreadState_BlockedOnNotification,
  ThreadState_BlockedOnReceive, ThreadState_Inactive, ThreadState_Restart, ThreadState_Running, setReg,
  setThreadState, threadState,
} from './tcb.js';
import { possibleSwitchTo, rescheduleRequired, tcbSchedEnqueue } from './scheduler.js';
import { cancelIPC } from './endpoint.js';

export const NTFN_HEAD = 0;
export const NTFN_TAIL = 1;
export const NTFN_MSG = 2;
export const NTFN_BOUND_TCB = 3;

export const NtfnState_Idle = 0;
export const NtfnState_Waiting = 1;
export const NtfnState_Active = 2;

export function ntfnState(k: Kernel, n: number): number {
  return k.m[n >> 2]! & 3;
}
function setState(k: Kernel, n: number, s: number): void {
  const i = n >> 2;
  k.m[i] = (k.m[i]! & ~3) | s;
}
function queueHead(k: Kernel, n: number): number {
  return k.m[n >> 2]! & ~1023;
}
function setHead(k: Kernel, n: number, t: number): void {
  const i = n >> 2;
  k.m[i] = t | (k.m[i]! & 3);
}

function append(k: Kernel, n: number, t: number): void {
  const ni = n >> 2;
  const tail = k.m[ni + NTFN_TAIL]!;
  k.m[(t >> 2) + TCB_EP_PREV] = tail;
  k.m[(t >> 2) + TCB_EP_NEXT] = 0;
  if (tail === 0) setHead(k, n, t);
  else k.m[(tail >> 2) + TCB_EP_NEXT] = t;
  k.m[ni + NTFN_TAIL] = t;
}
function remove(k: Kernel, n: number, t: number): void {
  const ti = t >> 2;
  const prev = k.m[ti + TCB_EP_PREV]!;
  const next = k.m[ti + TCB_EP_NEXT]!;
  if (prev === 0) setHead(k, n, next);
  else k.m[(prev >> 2) + TCB_EP_NEXT] = next;
  if (next === 0) k.m[(n >> 2) + NTFN_TAIL] = prev;
  else k.m[(next >> 2) + TCB_EP_PREV] = prev;
  k.m[ti + TCB_EP_PREV] = 0;
  k.m[ti + TCB_EP_NEXT] = 0;
}

/** seL4_Signal on a notification cap with badge `badge`. */
export function sendSignal(k: Kernel, n: number, badge: number): void {
  const ni = n >> 2;
  switch (ntfnState(k, n)) {
    case NtfnState_Idle: {
      const t = k.m[ni + NTFN_BOUND_TCB]!;
      if (t !== 0 && threadState(k, t) === ThreadState_BlockedOnReceive) {
        cancelIPC(k, t);
        setThreadState(k, t, ThreadState_Running);
        setReg(k, t, REG_BADGE, badge);
        possibleSwitchTo(k, t);
      } else {
        k.m[ni + NTFN_MSG] = badge;
        setState(k, n, NtfnState_Active);
      }
      break;
    }
    case NtfnState_Waiting: {
      const dest = queueHead(k, n);
      remove(k, n, dest);
      if (queueHead(k, n) === 0) setState(k, n, NtfnState_Idle);
      setThreadState(k, dest, ThreadState_Running);
      setReg(k, dest, REG_BADGE, badge);
      possibleSwitchTo(k, dest);
      break;
    }
    case NtfnState_Active:
      k.m[ni + NTFN_MSG]! |= badge;
      break;
  }
}

/** seL4_Wait (blocking) / seL4_Poll (non-blocking) on a notification. */
export function receiveSignal(k: Kernel, t: number, n: number, isBlocking: boolean): void {
  const ni = n >> 2;
  if (ntfnState(k, n) === NtfnState_Active) {
    setReg(k, t, REG_BADGE, k.m[ni + NTFN_MSG]!);
    k.m[ni + NTFN_MSG] = 0;
    setState(k, n, NtfnState_Idle);
    return;
  }
  if (isBlocking) {
    k.m[(t >> 2) + TCB_BLOCKING_OBJECT] = n;
    setThreadState(k, t, ThreadState_BlockedOnNotification);
    append(k, n, t);
    setState(k, n, NtfnState_Waiting);
  } else {
    setReg(k, t, REG_BADGE, 0);
  }
}

/** Delivers an active bound notification to a thread entering Recv (seL4's completeSignal). */
export function completeSignal(k: Kernel, n: number, t: number): void {
  const ni = n >> 2;
  setReg(k, t, REG_BADGE, k.m[ni + NTFN_MSG]!);
  k.m[ni + NTFN_MSG] = 0;
  setState(k, n, NtfnState_Idle);
}

/** Removes a thread blocked on a notification (Suspend, cancelIPC). */
export function cancelSignal(k: Kernel, t: number, n: number): void {
  remove(k, n, t);
  if (queueHead(k, n) === 0) setState(k, n, NtfnState_Idle);
  setThreadState(k, t, ThreadState_Inactive);
}

/** The notification is being destroyed: every waiter restarts its Wait. */
export function cancelAllSignals(k: Kernel, n: number): void {
  if (ntfnState(k, n) !== NtfnState_Waiting) return;
  let t = queueHead(k, n);
  setHead(k, n, 0);
  k.m[(n >> 2) + NTFN_TAIL] = 0;
  setState(k, n, NtfnState_Idle);
  while (t !== 0) {
    const next = k.m[(t >> 2) + TCB_EP_NEXT]!;
    k.m[(t >> 2) + TCB_EP_NEXT] = 0;
    k.m[(t >> 2) + TCB_EP_PREV] = 0;
    setThreadState(k, t, ThreadState_Restart);
    tcbSchedEnqueue(k, t);
    t = next;
  }
  rescheduleRequired(k);
}

/** Unbinds the notification from its TCB, if bound. */
export function unbindMaybeNotification(k: Kernel, n: number): void {
  const t = k.m[(n >> 2) + NTFN_BOUND_TCB]!;
  if (t !== 0) {
    k.m[(t >> 2) + TCB_BOUND_NTFN] = 0;
    k.m[(n >> 2) + NTFN_BOUND_TCB] = 0;
  }
}

/** The threads waiting on a notification, in order (for tests). */
export function ntfnQueue(k: Kernel, n: number): number[] {
  const out: number[] = [];
  for (let t = queueHead(k, n); t !== 0; t = k.m[(t >> 2) + TCB_EP_NEXT]!) out.push(t);
  return out;
}
export function ntfnWord(k: Kernel, n: number): number {
  return k.m[(n >> 2) + NTFN_MSG]! >>> 0;
}
