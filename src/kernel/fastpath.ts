/**
 * The same-core IPC fastpath (seL4's fastpath.c): Call and ReplyRecv with
 * a message that fits in the two register MRs, no caps, and a thread
 * waiting on the other side switch straight to that thread.
 *
 * Each function checks every condition first and returns false (nothing
 * changed) when one fails; the slow path then runs the general kernel
 * operations. When a fastpath commits, every word of kernel state it
 * writes is what the slow path would have written (same TCB fields,
 * endpoint queue, reply cap, IPC buffer words, scheduler state): the
 * tests run the same guest program both ways and compare. What it skips
 * is the generality: no message-info decoding beyond length, no cap
 * transfer, no bound-notification checks, no scheduler decision beyond
 * "the woken thread runs now".
 */
import type { Cpu } from '../cpu/cpu.js';
import type { Kernel } from './state.js';
import { CORE_ACTION, CORE_CUR, SchedulerAction_ResumeCurrentThread } from './state.js';
import { switchFpu } from './fpu.js';
import { RIGHT_GRANT, RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, replyIsMaster } from './cap.js';
import { cap_endpoint_cap, cap_reply_cap, seL4_MsgMaxLength } from './objecttype.js';
import { NtfnState_Active } from './notification.js';
import { lookupCapSlotFast } from './cnode.js';
import { EP_HEAD, EP_STATE, EP_TAIL, EPState_Idle, EPState_Recv, EPState_Send } from './endpoint.js';
import { isHighestPrio, tcbSchedDequeue } from './scheduler.js';
import { insertReplyCap } from './reply.js';
import { emptySlot } from './cdt.js';
import {
  BLOCK_CAN_GRANT, IPCBUF_MSG, REG_BADGE, REG_EFLAGS, REG_EIP, REG_FS_BASE, REG_GS_BASE, REG_MSGINFO, REG_NEXT_EIP,
  TCB_AFFINITY, TCB_BLOCKING_FLAGS, TCB_BLOCKING_OBJECT, TCB_BOUND_NTFN, TCB_EP_NEXT, TCB_EP_PREV, TCB_FAULT_TYPE,
  TCB_IPCBUF, TCB_PRIO, TCB_QUEUED, TCB_REGS, TCB_STATE,
  ThreadState_BlockedOnReceive, ThreadState_BlockedOnReply, ThreadState_Running, tcbCaller, tcbSlot,
} from './tcb.js';
import {
  ENTRY_FAULT_SAVED, ENTRY_MRS, ENTRY_SYSRET, TCB_ENTRY_FLAGS, TCB_HOST_RUN, TCB_SYSRESULT,
  SYSENTER_BYTES, loadGeneralRegs, restoreFaultSaved, threadPageDirectory,
} from './abi.js';

/**
 * No extra caps, and a length within seL4_MsgMaxLength (120): MR0/MR1 travel
 * in EDI/EBP, the rest from the sender's IPC buffer to the receiver's, as the
 * slow path's copy does (seL4 itself takes only what fits in registers; a
 * longer copy here keeps the slow path's result, and long messages such as
 * LPC's are common in this system).
 */
const fitsFastpath = (info: number): boolean => (info & 0x7f) <= seL4_MsgMaxLength && (info & 0x180) === 0;
/** The message info the receiver sees: no caps were sent or unwrapped. */
const receivedInfo = (info: number): number => info & ~0xf80;

/** The caller's entry bookkeeping, shared by both fastpaths (as the slow path's entry does it). */
function enter(k: Kernel, cpu: Cpu, t: number): void {
  const m = k.m;
  const ti = t >> 2;
  const b = ti + TCB_REGS;
  const r = cpu.reg;
  // saveSyscallEntry written out. On one core Cpu.reg is `t`'s save area itself (reg-views.ts)
  // and there is nothing to copy (checked: skipping the check measured the same).
  const views = k.regViews;
  if (views === null || !views.isViewOf(r, t)) {
    m[b] = r[0]!; m[b + 1] = r[1]!; m[b + 2] = r[2]!; m[b + 3] = r[3]!;
    m[b + 4] = r[4]!; m[b + 5] = r[5]!; m[b + 6] = r[6]!; m[b + 7] = r[7]!;
  }
  m[b + REG_EFLAGS] = cpu.getEflags();
  const eip = cpu.eip;
  m[b + REG_EIP] = eip - SYSENTER_BYTES;
  m[b + REG_NEXT_EIP] = eip;
  m[ti + TCB_ENTRY_FLAGS] = ENTRY_SYSRET | ENTRY_MRS;
  m[ti + TCB_SYSRESULT] = 0;
}

/**
 * Copies the register message of `from` (EDI/EBP, `len` words) into the
 * IPC buffers of both threads (the sender's mirrors its registers; the
 * receiver's is where the slow path's transfer puts it). Returns the
 * receiver's buffer index (msg[0]), which `switchTo` loads its EDI/EBP from.
 */
function copyRegisterMRs(k: Kernel, cpu: Cpu, from: number, to: number, len: number): number {
  const m = k.m;
  const sb = (m[(from >> 2) + TCB_IPCBUF]! >> 2) + IPCBUF_MSG;
  const rb = (m[(to >> 2) + TCB_IPCBUF]! >> 2) + IPCBUF_MSG;
  const mr0 = cpu.reg[7]!;
  const mr1 = cpu.reg[5]!;
  m[sb] = mr0;
  m[sb + 1] = mr1;
  if (len > 0) m[rb] = mr0;
  if (len > 1) m[rb + 1] = mr1;
  if (len > 2) {
    if (len <= 16) for (let i = 2; i < len; i++) m[rb + i] = m[sb + i]!;
    else m.copyWithin(rb + 2, sb + 2, sb + len);
  }
  return rb;
}

/**
 * Switches the core to `to` (page directory `pd`, checked non-zero; IPC
 * buffer msg[0] at index `rb`) and loads it into the CPU: loadRegsWithPd
 * for a thread the fastpath has just made Running from a blocked state
 * (so never Restart), with the buffer index it already has. The core's
 * scheduler action was checked to be "resume the current thread" on entry
 * and nothing since changes it, so it is not written again.
 *
 * A thread blocked in a system call returns with EAX = its result and
 * EDI/EBP = msg[0]/msg[1] (ENTRY_SYSRET | ENTRY_MRS, what every IPC
 * system call leaves): those three registers come from there, not from the
 * save area first. Any other entry state takes the general order.
 */
function switchTo(k: Kernel, cpu: Cpu, to: number, pd: number, rb: number): void {
  const m = k.m;
  k.g[k.coreBase(k.core) + CORE_CUR] = to;
  const ti = to >> 2;
  if (m[ti + TCB_HOST_RUN] !== 0) return; // a host-run thread never takes the CPU
  const b = ti + TCB_REGS;
  const flags = m[ti + TCB_ENTRY_FLAGS]!;
  const views = k.regViews;
  if (views !== null && flags === (ENTRY_SYSRET | ENTRY_MRS)) {
    // One core: the CPU takes the save area itself (reg-views.ts); only EAX, EDI, EBP change.
    const r = (cpu.reg = views.of(to));
    r[0] = m[ti + TCB_SYSRESULT]!;
    r[5] = m[rb + 1]!;
    r[7] = m[rb]!;
    m[ti + TCB_ENTRY_FLAGS] = 0;
  } else if (flags === (ENTRY_SYSRET | ENTRY_MRS)) {
    const r = cpu.reg;
    r[0] = m[ti + TCB_SYSRESULT]!; r[1] = m[b + 1]!; r[2] = m[b + 2]!; r[3] = m[b + 3]!;
    r[4] = m[b + 4]!; r[5] = m[rb + 1]!; r[6] = m[b + 6]!; r[7] = m[rb]!;
    m[ti + TCB_ENTRY_FLAGS] = 0;
  } else loadEntryRegs(k, cpu, to, rb, flags);
  cpu.setEflags(m[b + REG_EFLAGS]!);
  cpu.fsBase = m[b + REG_FS_BASE]!;
  cpu.gsBase = m[b + REG_GS_BASE]!;
  cpu.eip = m[b + REG_NEXT_EIP]! >>> 0;
  if (cpu.mmu.cr3 !== pd) cpu.mmu.setCr3(pd);
  switchFpu(k, cpu, to);
}

/** switchTo's general case: the save area's registers, then what `flags` says replaces. */
function loadEntryRegs(k: Kernel, cpu: Cpu, to: number, rb: number, flags: number): void {
  const m = k.m;
  const ti = to >> 2;
  const r = loadGeneralRegs(k, cpu, to);
  if (flags === 0) return;
  if ((flags & ENTRY_SYSRET) !== 0) r[0] = m[ti + TCB_SYSRESULT]!;
  if ((flags & ENTRY_MRS) !== 0) {
    r[7] = m[rb]!;
    r[5] = m[rb + 1]!;
  }
  if ((flags & ENTRY_FAULT_SAVED) !== 0) restoreFaultSaved(k, cpu, to);
  m[ti + TCB_ENTRY_FLAGS] = 0;
}

/**
 * seL4_Call fastpath for the current thread `t` (registers live in `cpu`).
 * Returns the thread it switched to (now the core's current one), or 0 when
 * it declined (nothing changed).
 */
export function fastpathCall(k: Kernel, cpu: Cpu, t: number): number {
  const m = k.m;
  const r = cpu.reg;
  const info = r[6]!;
  if (!fitsFastpath(info)) return 0;
  if (k.g[k.coreBase(k.core) + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return 0;
  const slot = lookupCapSlotFast(k, t, r[3]! >>> 0);
  if (slot === 0) return 0;
  const si = slot >> 2;
  const w0 = m[si]!;
  const rights = (w0 >>> 5) & 15;
  if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_WRITE) === 0 || (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY)) === 0) return 0;
  const ep = m[si + 1]!;
  const ei = ep >> 2;
  if (m[ei + EP_STATE] !== EPState_Recv) return 0;
  const dest = m[ei + EP_HEAD]!;
  const di = dest >> 2;
  if (m[di + TCB_AFFINITY] !== k.core) return 0;
  const destPrio = m[di + TCB_PRIO]!;
  if (destPrio < m[(t >> 2) + TCB_PRIO]! && !isHighestPrio(k, k.core, destPrio)) return 0;
  const pd = threadPageDirectory(k, dest);
  if (pd === 0) return 0;

  // Commit: everything below is what sendIPC + schedule would do.
  enter(k, cpu, t);
  const next = m[di + TCB_EP_NEXT]!;
  m[ei + EP_HEAD] = next;
  if (next === 0) {
    m[ei + EP_TAIL] = 0;
    m[ei + EP_STATE] = EPState_Idle;
  } else {
    m[(next >> 2) + TCB_EP_PREV] = 0;
  }
  m[di + TCB_EP_NEXT] = 0;
  m[di + TCB_EP_PREV] = 0;
  const rb = copyRegisterMRs(k, cpu, t, dest, info & 0x7f);
  m[di + TCB_REGS + REG_MSGINFO] = receivedInfo(info);
  m[di + TCB_REGS + REG_BADGE] = m[si + 2]!;
  const replyCanGrant = (m[di + TCB_BLOCKING_FLAGS]! & BLOCK_CAN_GRANT) !== 0;
  m[di + TCB_STATE] = ThreadState_Running;
  // setupCallerCap with setThreadState written out: the caller (the current thread) is seldom
  // queued, and scheduleTCB's "choose a new thread" is replaced by switchTo's action.
  m[(t >> 2) + TCB_STATE] = ThreadState_BlockedOnReply;
  if (m[(t >> 2) + TCB_QUEUED] !== 0) tcbSchedDequeue(k, t);
  insertReplyCap(k, t, dest, replyCanGrant);
  switchTo(k, cpu, dest, pd, rb);
  return dest;
}

/** seL4_ReplyRecv fastpath for the current thread `t`: the thread it switched to, or 0 (declined). */
export function fastpathReplyRecv(k: Kernel, cpu: Cpu, t: number): number {
  const m = k.m;
  const r = cpu.reg;
  const ti = t >> 2;
  const info = r[6]!;
  if (!fitsFastpath(info)) return 0;
  if (k.g[k.coreBase(k.core) + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return 0;
  // A bound notification with a pending signal makes the receive complete it (receiveIPC):
  // the slow path's business. An idle or waiting one changes nothing here (seL4's check).
  const bound = m[ti + TCB_BOUND_NTFN]!;
  if (bound !== 0 && (m[bound >> 2]! & 3) === NtfnState_Active) return 0;
  const caller = replyRecvCaller(k, t, r[3]! >>> 0);
  if (caller === 0) return 0;
  const ci = caller >> 2;
  const callerSlot = tcbSlot(t, tcbCaller);
  const ep = replyRecvFound[0]!, rights = replyRecvFound[1]!, pd = replyRecvFound[2]!;

  // Commit: doReplyTransfer, then receiveIPC blocking, then schedule.
  enter(k, cpu, t);
  const rb = copyRegisterMRs(k, cpu, t, caller, info & 0x7f);
  m[ci + TCB_REGS + REG_MSGINFO] = receivedInfo(info);
  m[ci + TCB_REGS + REG_BADGE] = 0;
  emptySlot(k, callerSlot); // cteDeleteOne of a reply cap: nothing to finalise (non-MCS)
  m[ci + TCB_STATE] = ThreadState_Running;
  blockOnReceive(k, t, ep, rights);
  switchTo(k, cpu, caller, pd, rb);
  return caller;
}

/**
 * The receive half of a ReplyRecv fastpath: `t` blocks on endpoint `ep`
 * (appended to its queue, which is then in the Recv state), as the slow
 * path's receiveIPC leaves it. `rights` are those of `t`'s endpoint cap.
 */
export function blockOnReceive(k: Kernel, t: number, ep: number, rights: number): void {
  const m = k.m;
  const ti = t >> 2;
  const ei = ep >> 2;
  m[ti + TCB_BLOCKING_OBJECT] = ep;
  m[ti + TCB_BLOCKING_FLAGS] = (rights & RIGHT_GRANT) !== 0 ? BLOCK_CAN_GRANT : 0;
  m[ti + TCB_STATE] = ThreadState_BlockedOnReceive;
  const tail = m[ei + EP_TAIL]!;
  m[ti + TCB_EP_PREV] = tail;
  m[ti + TCB_EP_NEXT] = 0;
  if (tail === 0) m[ei + EP_HEAD] = t;
  else m[(tail >> 2) + TCB_EP_NEXT] = t;
  m[ei + EP_TAIL] = t;
  m[ei + EP_STATE] = EPState_Recv;
}

/** What `replyRecvCaller` found besides the caller: the endpoint, the rights of its cap, the caller's page directory (no allocation per call). */
export const replyRecvFound = new Int32Array(3);

/**
 * The conditions every ReplyRecv fastpath checks (seL4's fastpath_reply_recv):
 * a one-shot reply cap naming a caller blocked on reply without a pending
 * fault, on this core; an endpoint cap with Read at `cptr` whose endpoint
 * has no sender queued; a caller of at least the highest ready priority
 * with an address space. Returns the caller (endpoint and rights in
 * `replyRecvFound`), or 0 when the slow path must run.
 */
export function replyRecvCaller(k: Kernel, t: number, cptr: number): number {
  const m = k.m;
  const ti = t >> 2;
  const callerSlot = tcbSlot(t, tcbCaller);
  const cw0 = m[callerSlot >> 2]!;
  if ((cw0 & 31) !== cap_reply_cap || replyIsMaster(cw0)) return 0;
  const caller = m[(callerSlot >> 2) + 1]!;
  const ci = caller >> 2;
  if (m[ci + TCB_STATE] !== ThreadState_BlockedOnReply || m[ci + TCB_FAULT_TYPE] !== 0) return 0;
  if (m[ci + TCB_AFFINITY] !== k.core) return 0;
  const slot = lookupCapSlotFast(k, t, cptr);
  if (slot === 0) return 0;
  const w0 = m[slot >> 2]!;
  const rights = (w0 >>> 5) & 15;
  if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_READ) === 0) return 0;
  const ep = m[(slot >> 2) + 1]!;
  if (m[(ep >> 2) + EP_STATE] === EPState_Send) return 0;
  const callerPrio = m[ci + TCB_PRIO]!;
  if (callerPrio < m[ti + TCB_PRIO]! && !isHighestPrio(k, k.core, callerPrio)) return 0;
  const pd = threadPageDirectory(k, caller);
  if (pd === 0) return 0;
  replyRecvFound[0] = ep;
  replyRecvFound[1] = rights;
  replyRecvFound[2] = pd;
  return caller;
}
