/**
 * The one-shot reply capability of non-MCS seL4.
 *
 * Each TCB holds a master reply cap in its tcbReply slot. When a thread is
 * Called (sendIPC with doCall, or receiveIPC taking a queued caller), the
 * caller blocks in BlockedOnReply and a reply cap derived from the caller's
 * master is put in the receiver's tcbCaller slot. Reply (or the Reply half of
 * ReplyRecv) sends through that cap once and deletes it; a new Recv also
 * deletes any reply cap still there (the caller then stays blocked, as in
 * seL4). Deleting the caller's master or suspending the caller deletes the
 * reply cap (cancelIPC of BlockedOnReply).
 */
import type { Kernel } from './state.js';
import { CTE_NEXT, CTE_PREV, capWord0, replyCanGrant, replyExtra, replyIsMaster, slotPtr, slotType, slotW0, RIGHTS_ALL } from './cap.js';
import { cap_null_cap, cap_reply_cap } from './objecttype.js';
import { cteDeleteOne } from './cdt.js';
import {
  TCB_FAULT_TYPE, ThreadState_BlockedOnReply, ThreadState_Inactive, ThreadState_Restart, ThreadState_Running,
  getReg, REG_MSGINFO, setThreadState, tcbCaller, tcbReply, tcbSlot, threadState,
} from './tcb.js';
import { possibleSwitchTo, tcbSchedEnqueue } from './scheduler.js';
import { doIPCTransfer } from './message.js';

// A derived reply cap's word 0 (never revocable: seL4's isCapRevocable says so for reply caps).
const REPLY_W0 = capWord0(cap_reply_cap, RIGHTS_ALL, replyExtra(false, false));
const REPLY_W0_GRANT = capWord0(cap_reply_cap, RIGHTS_ALL, replyExtra(false, true));

/**
 * The caller blocks on reply; the receiver's caller slot gets a reply cap
 * naming it, a CDT child of the caller's master reply cap. This is every
 * Call's path (slow and fast), so cteInsert is written out for this one
 * case: the new slot goes right after the master, as seL4's fastpath does.
 */
export function setupCallerCap(k: Kernel, sender: number, receiver: number, canGrant: boolean): void {
  setThreadState(k, sender, ThreadState_BlockedOnReply);
  insertReplyCap(k, sender, receiver, canGrant);
}

/** setupCallerCap's CDT half: the reply cap naming `sender` into `receiver`'s caller slot (the fastpath sets the state itself). */
export function insertReplyCap(k: Kernel, sender: number, receiver: number, canGrant: boolean): void {
  const m = k.m;
  const replySlot = tcbSlot(sender, tcbReply);
  const callerSlot = tcbSlot(receiver, tcbCaller);
  const d = callerSlot >> 2;
  if ((m[d]! & 31) !== cap_null_cap) cteDeleteOne(k, callerSlot);
  const r = replySlot >> 2;
  const next = m[r + CTE_NEXT]!;
  m[d] = canGrant ? REPLY_W0_GRANT : REPLY_W0;
  m[d + 1] = sender;
  m[d + 2] = 0;
  m[d + 3] = 0;
  m[d + CTE_PREV] = replySlot;
  m[d + CTE_NEXT] = next;
  m[r + CTE_NEXT] = callerSlot;
  if (next !== 0) m[(next >> 2) + CTE_PREV] = callerSlot;
}

/** Drops any reply cap left in a thread's caller slot (start of every Recv). */
export function deleteCallerCap(k: Kernel, receiver: number): void {
  const callerSlot = tcbSlot(receiver, tcbCaller);
  if (slotType(k, callerSlot) !== cap_null_cap) cteDeleteOne(k, callerSlot);
}

/**
 * Replies to `receiver` (blocked on reply) through the reply cap in `slot`.
 * A receiver that had faulted gets a fault reply instead: label 0 restarts
 * it, anything else leaves it inactive (the register-setting fault replies
 * arrive with the CPU wiring).
 */
export function doReplyTransfer(k: Kernel, sender: number, receiver: number, slot: number, grant: boolean): void {
  if (threadState(k, receiver) !== ThreadState_BlockedOnReply) return;
  const ri = receiver >> 2;
  if (k.m[ri + TCB_FAULT_TYPE] === 0) {
    doIPCTransfer(k, sender, 0, 0, grant, receiver);
    cteDeleteOne(k, slot);
    setThreadState(k, receiver, ThreadState_Running);
    possibleSwitchTo(k, receiver);
  } else {
    cteDeleteOne(k, slot);
    k.m[ri + TCB_FAULT_TYPE] = 0;
    const label = getReg(k, sender, REG_MSGINFO) >>> 12;
    if (label === 0) {
      setThreadState(k, receiver, ThreadState_Restart);
      tcbSchedEnqueue(k, receiver);
      possibleSwitchTo(k, receiver);
    } else {
      setThreadState(k, receiver, ThreadState_Inactive);
    }
  }
}

/** seL4_Reply: answers through the reply cap in the current thread's caller slot; no cap, no effect. */
export function handleReply(k: Kernel, t: number): void {
  const callerSlot = tcbSlot(t, tcbCaller);
  const w0 = slotW0(k, callerSlot);
  if ((w0 & 31) !== cap_reply_cap || replyIsMaster(w0)) return;
  doReplyTransfer(k, t, slotPtr(k, callerSlot), callerSlot, replyCanGrant(w0));
}
