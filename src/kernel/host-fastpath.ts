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
import { cteDeleteOne } from './cdt.js';
import { seL4_MessageInfo_new } from './message.js';
import {
  IPCBUF_MSG, REG_BADGE, REG_MSGINFO,
  TCB_BOUND_NTFN, TCB_IPCBUF, TCB_REGS, TCB_STATE,
  ThreadState_Running, tcbCaller, tcbSlot,
} from './tcb.js';
import { blockOnReceive, replyRecvCaller, replyRecvFound } from './fastpath.js';

/** The message info of a one-word answer. */
export const HOST_REPLY_INFO = seL4_MessageInfo_new(0, 0, 0, 1);

export function hostFastpathReplyRecv(k: Kernel, t: number, cptr: number, mr0: number): boolean {
  const m = k.m;
  const ti = t >> 2;
  const base = k.coreBase(k.core);
  if (k.g[base + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread || k.g[base + CORE_CUR] !== t) return false;
  if (m[ti + TCB_BOUND_NTFN] !== 0) return false;
  const caller = replyRecvCaller(k, t, cptr);
  if (caller === 0) return false;
  const ci = caller >> 2;
  const callerSlot = tcbSlot(t, tcbCaller);
  const ep = replyRecvFound[0]!, rights = replyRecvFound[1]!;

  // Commit: doReplyTransfer, then receiveIPC blocking, then schedule.
  commitHostReply(k, t, caller, callerSlot, ep, rights, mr0);
  k.g[base + CORE_CUR] = caller;
  k.g[base + CORE_ACTION] = SchedulerAction_ResumeCurrentThread;
  return true;
}

/**
 * The state a host-run thread `t`'s one-word answer (`mr0`) to `caller`
 * leaves, as doReplyTransfer and then receiveIPC blocking on `ep` leave it
 * (the word also in `t`'s own IPC buffer, as storeRegisterMRs would put
 * it). Who runs the caller next is the caller's business: the same core
 * here, another core's ring in smp/cross-fastpath.ts.
 */
export function commitHostReply(k: Kernel, t: number, caller: number, callerSlot: number, ep: number, rights: number, mr0: number): void {
  const m = k.m;
  const ti = t >> 2;
  const ci = caller >> 2;
  m[ti + TCB_REGS + REG_MSGINFO] = HOST_REPLY_INFO;
  m[(m[ti + TCB_IPCBUF]! >> 2) + IPCBUF_MSG] = mr0;
  m[(m[ci + TCB_IPCBUF]! >> 2) + IPCBUF_MSG] = mr0;
  m[ci + TCB_REGS + REG_MSGINFO] = HOST_REPLY_INFO;
  m[ci + TCB_REGS + REG_BADGE] = 0;
  cteDeleteOne(k, callerSlot);
  m[ci + TCB_STATE] = ThreadState_Running;
  blockOnReceive(k, t, ep, rights);
}

