/**
 * The system calls as pure kernel operations (seL4's src/api/syscall.c):
 * Send, NBSend, Call, Recv, NBRecv, Reply, ReplyRecv, Yield, and the
 * notification forms Signal (Send on a notification cap), Wait (Recv) and
 * Poll (NBRecv).
 *
 * Each takes the calling thread `t` and its arguments as seL4's ia32 ABI
 * carries them (cap pointer, message info); message registers and extra
 * cap pointers are in the thread's IPC buffer (setMR/getMR). The results
 * land where the ABI puts them: badge in EBX, message info in ESI, the
 * registers in the IPC buffer. Every entry ends with `schedule`, which
 * settles which thread runs next on this core.
 *
 * Where seL4 would raise a cap fault to the thread's fault handler (a
 * Recv on a CPtr that names nothing, a Send on a cap without Write), these
 * return the error code instead and leave the thread's state unchanged:
 * fault delivery comes with the CPU wiring. Invoking an object cap
 * (CNode, Untyped, TCB, IRQ ...) through Send/Call goes to the invocation
 * decoder (invocation.ts), which calls the typed invoke* functions.
 */
import type { Kernel } from './state.js';
import {
  RIGHT_GRANT, RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, replyCanGrant, replyIsMaster, slotData, slotPtr, slotW0,
} from './cap.js';
import { cap_endpoint_cap, cap_notification_cap, cap_null_cap, cap_reply_cap } from './objecttype.js';
import { seL4_InvalidCapability, seL4_NoError } from './errors.js';
import { decodeInvocation } from './invocation.js';
import { lookupCapSlot } from './cnode.js';
import { receiveIPC, sendIPC } from './endpoint.js';
import { receiveSignal, sendSignal, NTFN_BOUND_TCB } from './notification.js';
import { doReplyTransfer, handleReply } from './reply.js';
import { handleYield, schedule } from './scheduler.js';
import { TCB_STATE, ThreadState_Restart, ThreadState_Running, IPCBUF_CAPS, IPCBUF_MSG, IPCBUF_RECV_CNODE, IPCBUF_RECV_DEPTH, IPCBUF_RECV_INDEX, REG_BADGE, REG_MSGINFO, TCB_REGS, ipcBufferIndex } from './tcb.js';

/**
 * The calling thread is executing, so it has been activated: a thread in
 * Restart becomes Running (seL4's activateThread, run on the way back to
 * user mode, which the CPU wiring will call).
 */
export function activateThread(k: Kernel, t: number): void {
  const i = (t >> 2) + TCB_STATE;
  if (k.m[i] === ThreadState_Restart) k.m[i] = ThreadState_Running;
}

function invalidCap(k: Kernel): number {
  k.err.type = seL4_InvalidCapability;
  k.err.invalidCapNumber = 0;
  return seL4_InvalidCapability;
}

/** Send, NBSend and Call on the cap `cptr` (seL4's handleInvocation). */
function handleInvocation(k: Kernel, t: number, cptr: number, info: number, isCall: boolean, isBlocking: boolean): number {
  activateThread(k, t);
  k.m[(t >> 2) + TCB_REGS + REG_MSGINFO] = info;
  const slot = lookupCapSlot(k, t, cptr);
  if (slot === 0) return k.err.type;
  const w0 = slotW0(k, slot);
  const rights = (w0 >>> 5) & 15;
  switch (w0 & 31) {
    case cap_endpoint_cap:
      if ((rights & RIGHT_WRITE) === 0) return invalidCap(k);
      sendIPC(k, isBlocking, isCall, slotData(k, slot), (rights & RIGHT_GRANT) !== 0, (rights & RIGHT_GRANT_REPLY) !== 0, t, slotPtr(k, slot));
      return seL4_NoError;
    case cap_notification_cap:
      if ((rights & RIGHT_WRITE) === 0) return invalidCap(k);
      sendSignal(k, slotPtr(k, slot), slotData(k, slot));
      return seL4_NoError;
    case cap_reply_cap:
      if (replyIsMaster(w0)) return invalidCap(k);
      doReplyTransfer(k, t, slotPtr(k, slot), slot, replyCanGrant(w0));
      return seL4_NoError;
    case cap_null_cap:
      return invalidCap(k);
    default:
      return decodeInvocation(k, t, slot, info, isCall);
  }
}

/** Recv and NBRecv (seL4's handleRecv). */
function handleRecv(k: Kernel, t: number, cptr: number, isBlocking: boolean): number {
  activateThread(k, t);
  const slot = lookupCapSlot(k, t, cptr);
  if (slot === 0) return k.err.type;
  const w0 = slotW0(k, slot);
  const rights = (w0 >>> 5) & 15;
  switch (w0 & 31) {
    case cap_endpoint_cap:
      if ((rights & RIGHT_READ) === 0) return invalidCap(k);
      receiveIPC(k, t, slotPtr(k, slot), (rights & RIGHT_GRANT) !== 0, isBlocking);
      return seL4_NoError;
    case cap_notification_cap: {
      const n = slotPtr(k, slot);
      const bound = k.m[(n >> 2) + NTFN_BOUND_TCB]!;
      if ((rights & RIGHT_READ) === 0 || (bound !== 0 && bound !== t)) return invalidCap(k);
      receiveSignal(k, t, n, isBlocking);
      return seL4_NoError;
    }
    default:
      return invalidCap(k);
  }
}

export function seL4_Send(k: Kernel, t: number, cptr: number, info: number): number {
  const e = handleInvocation(k, t, cptr, info, false, true);
  schedule(k);
  return e;
}
export function seL4_NBSend(k: Kernel, t: number, cptr: number, info: number): number {
  const e = handleInvocation(k, t, cptr, info, false, false);
  schedule(k);
  return e;
}
export function seL4_Call(k: Kernel, t: number, cptr: number, info: number): number {
  const e = handleInvocation(k, t, cptr, info, true, true);
  schedule(k);
  return e;
}
export function seL4_Recv(k: Kernel, t: number, cptr: number): number {
  const e = handleRecv(k, t, cptr, true);
  schedule(k);
  return e;
}
export function seL4_NBRecv(k: Kernel, t: number, cptr: number): number {
  const e = handleRecv(k, t, cptr, false);
  schedule(k);
  return e;
}
export function seL4_Reply(k: Kernel, t: number, info: number): number {
  activateThread(k, t);
  k.m[(t >> 2) + TCB_REGS + REG_MSGINFO] = info;
  handleReply(k, t);
  schedule(k);
  return seL4_NoError;
}
export function seL4_ReplyRecv(k: Kernel, t: number, cptr: number, info: number): number {
  activateThread(k, t);
  k.m[(t >> 2) + TCB_REGS + REG_MSGINFO] = info;
  handleReply(k, t);
  const e = handleRecv(k, t, cptr, true);
  schedule(k);
  return e;
}
/** seL4_Signal: Send on a notification cap (no message). */
export function seL4_Signal(k: Kernel, t: number, cptr: number): number {
  return seL4_Send(k, t, cptr, 0);
}
/** seL4_Wait: blocking Recv on a notification cap; the word arrives in the badge register. */
export function seL4_Wait(k: Kernel, t: number, cptr: number): number {
  return seL4_Recv(k, t, cptr);
}
/** seL4_Poll: non-blocking Wait; badge 0 when nothing was signalled. */
export function seL4_Poll(k: Kernel, t: number, cptr: number): number {
  return seL4_NBRecv(k, t, cptr);
}
export function seL4_Yield(k: Kernel): number {
  handleYield(k);
  schedule(k);
  return seL4_NoError;
}

// ---- the user side of the IPC buffer and ABI registers ---------------------

export function setMR(k: Kernel, t: number, i: number, v: number): void {
  k.m[ipcBufferIndex(k, t) + IPCBUF_MSG + i] = v;
}
export function getMR(k: Kernel, t: number, i: number): number {
  return k.m[ipcBufferIndex(k, t) + IPCBUF_MSG + i]!;
}
/** caps_or_badges[i]: a CPtr to send, or (received) an unwrapped badge. */
export function setCapOrBadge(k: Kernel, t: number, i: number, v: number): void {
  k.m[ipcBufferIndex(k, t) + IPCBUF_CAPS + i] = v;
}
export function getCapOrBadge(k: Kernel, t: number, i: number): number {
  return k.m[ipcBufferIndex(k, t) + IPCBUF_CAPS + i]! >>> 0;
}
/** seL4_SetCapReceivePath. */
export function setCapReceivePath(k: Kernel, t: number, cnode: number, index: number, depth: number): void {
  const b = ipcBufferIndex(k, t);
  k.m[b + IPCBUF_RECV_CNODE] = cnode;
  k.m[b + IPCBUF_RECV_INDEX] = index;
  k.m[b + IPCBUF_RECV_DEPTH] = depth;
}
/** The badge delivered by the last receive (EBX). */
export function getBadge(k: Kernel, t: number): number {
  return k.m[(t >> 2) + TCB_REGS + REG_BADGE]! >>> 0;
}
/** The message info delivered by the last receive (ESI). */
export function getMsgInfo(k: Kernel, t: number): number {
  return k.m[(t >> 2) + TCB_REGS + REG_MSGINFO]! >>> 0;
}
