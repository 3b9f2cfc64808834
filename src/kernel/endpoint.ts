/**
 * Endpoints (seL4's src/object/endpoint.c): rendezvous IPC.
 *
 * Record (16 bytes, seL4_EndpointBits = 4):
 *   word 0  queue head (TCB)     word 1  queue tail     word 2  state
 * State Idle: no queue; Send: the queue holds blocked senders; Recv: it
 * holds blocked receivers. Queues are intrusive through the TCBs'
 * epNext/epPrev words, so a blocked thread costs no allocation.
 *
 *   sendIPC    a receiver waits: transfer, wake it (possibleSwitchTo); if
 *              this was a Call, the caller blocks on reply and the receiver
 *              gets a one-shot reply cap (reply.ts). Nobody waits: block
 *              (Send, Call) or drop the message (NBSend).
 *   receiveIPC first a pending bound notification; then a queued sender;
 *              else block (Recv) or return badge 0 (NBRecv).
 */
import type { Kernel } from './state.js';
import {
  BLOCK_CAN_GRANT, BLOCK_CAN_GRANT_REPLY, BLOCK_IS_CALL, REG_BADGE, TCB_BLOCKING_BADGE, TCB_BLOCKING_FLAGS,
  TCB_BLOCKING_OBJECT, TCB_BOUND_NTFN, TCB_EP_NEXT, TCB_EP_PREV, ThreadState_BlockedOnNotification,
  ThreadState_BlockedOnReceive, ThreadState_BlockedOnReply, ThreadState_BlockedOnSend, ThreadState_Inactive,
  ThreadState_Restart, ThreadState_Running, setReg, setThreadState, tcbReply, tcbSlot, threadState,
} from './tcb.js';
import { possibleSwitchTo, rescheduleRequired, tcbSchedEnqueue } from './scheduler.js';
import { doIPCTransfer } from './message.js';
import { deleteCallerCap, setupCallerCap } from './reply.js';
import { NtfnState_Active, cancelSignal, completeSignal, ntfnState } from './notification.js';
import { mdbNext, slotType } from './cap.js';
import { cteDeleteOne } from './cdt.js';
import { cap_reply_cap } from './objecttype.js';

export const EP_HEAD = 0;
export const EP_TAIL = 1;
export const EP_STATE = 2;
export const EPState_Idle = 0;
export const EPState_Send = 1;
export const EPState_Recv = 2;

function epAppend(k: Kernel, ep: number, t: number): void {
  const ei = ep >> 2;
  const tail = k.m[ei + EP_TAIL]!;
  k.m[(t >> 2) + TCB_EP_PREV] = tail;
  k.m[(t >> 2) + TCB_EP_NEXT] = 0;
  if (tail === 0) k.m[ei + EP_HEAD] = t;
  else k.m[(tail >> 2) + TCB_EP_NEXT] = t;
  k.m[ei + EP_TAIL] = t;
}
function epRemove(k: Kernel, ep: number, t: number): void {
  const ei = ep >> 2;
  const ti = t >> 2;
  const prev = k.m[ti + TCB_EP_PREV]!;
  const next = k.m[ti + TCB_EP_NEXT]!;
  if (prev === 0) k.m[ei + EP_HEAD] = next;
  else k.m[(prev >> 2) + TCB_EP_NEXT] = next;
  if (next === 0) k.m[ei + EP_TAIL] = prev;
  else k.m[(next >> 2) + TCB_EP_PREV] = prev;
  k.m[ti + TCB_EP_PREV] = 0;
  k.m[ti + TCB_EP_NEXT] = 0;
  if (k.m[ei + EP_HEAD] === 0) k.m[ei + EP_STATE] = EPState_Idle;
}

/** seL4's sendIPC: Send/NBSend/Call through an endpoint cap. */
export function sendIPC(k: Kernel, blocking: boolean, doCall: boolean, badge: number, canGrant: boolean, canGrantReply: boolean, t: number, ep: number): void {
  const ei = ep >> 2;
  const state = k.m[ei + EP_STATE]!;
  if (state !== EPState_Recv) {
    if (!blocking) return;
    const ti = t >> 2;
    k.m[ti + TCB_BLOCKING_OBJECT] = ep;
    k.m[ti + TCB_BLOCKING_BADGE] = badge;
    k.m[ti + TCB_BLOCKING_FLAGS] = (canGrant ? BLOCK_CAN_GRANT : 0) | (canGrantReply ? BLOCK_CAN_GRANT_REPLY : 0) | (doCall ? BLOCK_IS_CALL : 0);
    setThreadState(k, t, ThreadState_BlockedOnSend);
    epAppend(k, ep, t);
    k.m[ei + EP_STATE] = EPState_Send;
    return;
  }
  const dest = k.m[ei + EP_HEAD]!;
  epRemove(k, ep, dest);
  doIPCTransfer(k, t, ep, badge, canGrant, dest);
  const replyCanGrant = (k.m[(dest >> 2) + TCB_BLOCKING_FLAGS]! & BLOCK_CAN_GRANT) !== 0;
  setThreadState(k, dest, ThreadState_Running);
  possibleSwitchTo(k, dest);
  if (doCall) {
    if (canGrant || canGrantReply) setupCallerCap(k, t, dest, replyCanGrant);
    else setThreadState(k, t, ThreadState_Inactive);
  }
}

/** seL4's receiveIPC: Recv/NBRecv on an endpoint cap (`canGrant`: the receiver's cap has Grant). */
export function receiveIPC(k: Kernel, t: number, ep: number, canGrant: boolean, isBlocking: boolean): void {
  deleteCallerCap(k, t);
  const ti = t >> 2;
  const n = k.m[ti + TCB_BOUND_NTFN]!;
  if (n !== 0 && ntfnState(k, n) === NtfnState_Active) {
    completeSignal(k, n, t);
    return;
  }
  const ei = ep >> 2;
  if (k.m[ei + EP_STATE] !== EPState_Send) {
    if (isBlocking) {
      k.m[ti + TCB_BLOCKING_OBJECT] = ep;
      k.m[ti + TCB_BLOCKING_FLAGS] = canGrant ? BLOCK_CAN_GRANT : 0;
      setThreadState(k, t, ThreadState_BlockedOnReceive);
      epAppend(k, ep, t);
      k.m[ei + EP_STATE] = EPState_Recv;
    } else {
      setReg(k, t, REG_BADGE, 0); // doNBRecvFailedTransfer
    }
    return;
  }
  const sender = k.m[ei + EP_HEAD]!;
  epRemove(k, ep, sender);
  const si = sender >> 2;
  const badge = k.m[si + TCB_BLOCKING_BADGE]!;
  const flags = k.m[si + TCB_BLOCKING_FLAGS]!;
  const senderCanGrant = (flags & BLOCK_CAN_GRANT) !== 0;
  doIPCTransfer(k, sender, ep, badge, senderCanGrant, t);
  if ((flags & BLOCK_IS_CALL) !== 0) {
    if ((flags & (BLOCK_CAN_GRANT | BLOCK_CAN_GRANT_REPLY)) !== 0) setupCallerCap(k, sender, t, canGrant);
    else setThreadState(k, sender, ThreadState_Inactive);
  } else {
    setThreadState(k, sender, ThreadState_Running);
    possibleSwitchTo(k, sender);
  }
}

/** Aborts whatever IPC a thread is blocked in (Suspend, Restart, deletion). */
export function cancelIPC(k: Kernel, t: number): void {
  const s = threadState(k, t);
  switch (s) {
    case ThreadState_BlockedOnSend:
    case ThreadState_BlockedOnReceive:
      epRemove(k, k.m[(t >> 2) + TCB_BLOCKING_OBJECT]!, t);
      setThreadState(k, t, ThreadState_Inactive);
      break;
    case ThreadState_BlockedOnNotification:
      cancelSignal(k, t, k.m[(t >> 2) + TCB_BLOCKING_OBJECT]!);
      break;
    case ThreadState_BlockedOnReply: {
      // The reply cap that would have woken it goes (seL4: the MDB child of its master reply cap).
      const callerCap = mdbNext(k, tcbSlot(t, tcbReply));
      if (callerCap !== 0 && slotType(k, callerCap) === cap_reply_cap) cteDeleteOne(k, callerCap);
      break;
    }
  }
}

/** The endpoint is being destroyed: every queued thread restarts its system call. */
export function cancelAllIPC(k: Kernel, ep: number): void {
  const ei = ep >> 2;
  if (k.m[ei + EP_STATE] === EPState_Idle) return;
  let t = k.m[ei + EP_HEAD]!;
  k.m[ei + EP_HEAD] = 0;
  k.m[ei + EP_TAIL] = 0;
  k.m[ei + EP_STATE] = EPState_Idle;
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

/** CNode_CancelBadgedSends: senders queued with `badge` restart (their sends are aborted). */
export function cancelBadgedSends(k: Kernel, ep: number, badge: number): void {
  const ei = ep >> 2;
  if (k.m[ei + EP_STATE] !== EPState_Send) return;
  let t = k.m[ei + EP_HEAD]!;
  while (t !== 0) {
    const next = k.m[(t >> 2) + TCB_EP_NEXT]!;
    if (k.m[(t >> 2) + TCB_BLOCKING_BADGE] === badge) {
      epRemove(k, ep, t);
      setThreadState(k, t, ThreadState_Restart);
      tcbSchedEnqueue(k, t);
    }
    t = next;
  }
  rescheduleRequired(k);
}

/** The threads queued on an endpoint, in order, and the endpoint's state (for tests). */
export function epQueue(k: Kernel, ep: number): number[] {
  const out: number[] = [];
  for (let t = k.m[(ep >> 2) + EP_HEAD]!; t !== 0; t = k.m[(t >> 2) + TCB_EP_NEXT]!) out.push(t);
  return out;
}
export function epState(k: Kernel, ep: number): number {
  return k.m[(ep >> 2) + EP_STATE]!;
}
