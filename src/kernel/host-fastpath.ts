/**
 * The ReplyRecv fastpath for a host-run thread (the NT executive, see
 * KernelCore.hostThread): the same checks and the same state changes as
 * fastpath.ts's fastpathReplyRecv, taken from the TCB instead of a CPU (a
 * host-run thread has no registers in the CPU). Answers a one-word reply
 * (MR0) to the thread in its caller slot and blocks it receiving on `cptr`;
 * returns false, having changed nothing, when a condition fails (the
 * caller then uses seL4_ReplyRecv, the reference behaviour).
 */
import type { Kernel } from './state.js';
import { CORE_ACTION, CORE_CUR, SchedulerAction_ResumeCurrentThread } from './state.js';
import { RIGHT_READ, replyIsMaster } from './cap.js';
import { cap_endpoint_cap, cap_reply_cap } from './objecttype.js';
import { lookupCapSlot } from './cnode.js';
import { EP_STATE, EPState_Send } from './endpoint.js';
import { isHighestPrio } from './scheduler.js';
import { cteDeleteOne } from './cdt.js';
import { seL4_MessageInfo_new } from './message.js';
import {
  IPCBUF_MSG, REG_BADGE, REG_MSGINFO, TCB_AFFINITY,
  TCB_BOUND_NTFN, TCB_FAULT_TYPE, TCB_IPCBUF, TCB_PRIO, TCB_REGS, TCB_STATE,
  ThreadState_BlockedOnReply, ThreadState_Running, tcbCaller, tcbSlot,
} from './tcb.js';
import { threadPageDirectory } from './abi.js';
import { blockOnReceive } from './fastpath.js';

const ONE_WORD = seL4_MessageInfo_new(0, 0, 0, 1);

export function hostFastpathReplyRecv(k: Kernel, t: number, cptr: number, mr0: number): boolean {
  const m = k.m;
  const ti = t >> 2;
  const base = k.coreBase(k.core);
  if (k.g[base + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread || k.g[base + CORE_CUR] !== t) return false;
  if (m[ti + TCB_BOUND_NTFN] !== 0) return false;
  const callerSlot = tcbSlot(t, tcbCaller);
  const cw0 = m[callerSlot >> 2]!;
  if ((cw0 & 31) !== cap_reply_cap || replyIsMaster(cw0)) return false;
  const caller = m[(callerSlot >> 2) + 1]!;
  const ci = caller >> 2;
  if (m[ci + TCB_STATE] !== ThreadState_BlockedOnReply || m[ci + TCB_FAULT_TYPE] !== 0) return false;
  if (m[ci + TCB_AFFINITY] !== k.core) return false;
  const slot = lookupCapSlot(k, t, cptr);
  if (slot === 0) return false;
  const w0 = m[slot >> 2]!;
  const rights = (w0 >>> 5) & 15;
  if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_READ) === 0) return false;
  const ep = m[(slot >> 2) + 1]!;
  const ei = ep >> 2;
  if (m[ei + EP_STATE] === EPState_Send) return false;
  const callerPrio = m[ci + TCB_PRIO]!;
  if (callerPrio < m[ti + TCB_PRIO]! && !isHighestPrio(k, k.core, callerPrio)) return false;
  if (threadPageDirectory(k, caller) === 0) return false;

  // Commit: doReplyTransfer, then receiveIPC blocking, then schedule.
  m[ti + TCB_REGS + REG_MSGINFO] = ONE_WORD;
  m[(m[ti + TCB_IPCBUF]! >> 2) + IPCBUF_MSG] = mr0;
  m[(m[ci + TCB_IPCBUF]! >> 2) + IPCBUF_MSG] = mr0;
  m[ci + TCB_REGS + REG_MSGINFO] = ONE_WORD;
  m[ci + TCB_REGS + REG_BADGE] = 0;
  cteDeleteOne(k, callerSlot);
  m[ci + TCB_STATE] = ThreadState_Running;
  blockOnReceive(k, t, ep, rights);
  k.g[base + CORE_CUR] = caller;
  k.g[base + CORE_ACTION] = SchedulerAction_ResumeCurrentThread;
  return true;
}
