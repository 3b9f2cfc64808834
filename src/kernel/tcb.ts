/**
 * Thread control blocks (seL4's src/object/tcb.c and the thread-state half
 * of kernel/thread.c). A TCB is 2^11 bytes of object memory (seL4's ia32
 * seL4_TCBBits with the FPU state inside):
 *
 *   words   0-39   five capability slots, as seL4's TCB CNode:
 *                  tcbCTable, tcbVTable, tcbReply (the master reply cap),
 *                  tcbCaller (the reply cap of the thread that called it),
 *                  tcbBuffer (the IPC buffer frame)
 *   words  40-63   thread state, blocking object/badge/flags, priority, MCP,
 *                  affinity, time slice, endpoint-queue and ready-queue
 *                  links, bound notification, fault endpoint CPtr, IPC
 *                  buffer address, fault record
 *   words  64-79   register save area: the i386 register file in the CPU's
 *                  order (EAX ECX EDX EBX ESP EBP ESI EDI), EIP, EFLAGS,
 *                  FS base, GS base, next EIP, fault EIP
 *   words  80-95   per-thread words of the CPU wiring (abi.ts)
 *   words 256-327  the x87/SSE state while the thread is not on a CPU (fpu.ts)
 *   words 384-511  the thread's IPC buffer until SetIPCBuffer names a
 *                  frame: seL4_IPCBuffer's layout (tag, msg[120], userData,
 *                  caps_or_badges[3], receiveCNode, receiveIndex,
 *                  receiveDepth)
 *
 * System call registers follow seL4's ia32 ABI: EBX carries the cap
 * pointer in and the badge out, ESI the message info.
 */
import {
  cap_cnode_cap, cap_frame_cap, cap_notification_cap, cap_null_cap, cap_page_directory_cap,
  cap_reply_cap, cap_thread_cap,
} from './objecttype.js';
import {
  CTE_BYTES, RIGHTS_ALL, capTypeOf, capWord0, replyExtra, slotPtr, slotType, slotW0, W0_FIRST_BADGED, W0_REVOCABLE,
} from './cap.js';
import {
  seL4_IllegalOperation, seL4_NoError, seL4_RangeError, seL4_AlignmentError,
} from './errors.js';
import type { Kernel } from './state.js';
import {
  possibleSwitchTo, rescheduleRequired, scheduleTCB, tcbSchedDequeue, tcbSchedEnqueue, curThread, seL4_MaxPrio, remoteWake,
} from './scheduler.js';
import { cancelIPC } from './endpoint.js';
import { cteDelete, cteDeleteOne, cteInsert, deriveCapInto } from './cdt.js';
import { fpuThreadDelete } from './fpu.js';
import { remoteTCBStall } from './stall.js';
import { NTFN_BOUND_TCB, NTFN_HEAD, ntfnState, NtfnState_Waiting } from './notification.js';

// ---- layout ----------------------------------------------------------------
export const TCB_SIZE_BYTES = 2048;
export const tcbCTable = 0;
export const tcbVTable = 1;
export const tcbReply = 2;
export const tcbCaller = 3;
export const tcbBuffer = 4;
/** Byte address of TCB slot `n` (tcbCTable...tcbBuffer). */
export const tcbSlot = (t: number, n: number): number => t + n * CTE_BYTES;

export const TCB_STATE = 40;
export const TCB_BLOCKING_OBJECT = 41;
export const TCB_BLOCKING_BADGE = 42;
/** bit 0 canGrant, bit 1 canGrantReply, bit 2 isCall */
export const TCB_BLOCKING_FLAGS = 43;
export const TCB_PRIO = 44;
export const TCB_MCP = 45;
export const TCB_AFFINITY = 46;
export const TCB_TIMESLICE = 47;
export const TCB_EP_NEXT = 48;
export const TCB_EP_PREV = 49;
export const TCB_SCHED_NEXT = 50;
export const TCB_SCHED_PREV = 51;
/** 0 when not in a ready queue, else core + 1. */
export const TCB_QUEUED = 52;
export const TCB_BOUND_NTFN = 53;
export const TCB_FAULT_EP = 54;
export const TCB_IPCBUF_VADDR = 55;
/** Physical byte address of the IPC buffer the kernel reads and writes. */
export const TCB_IPCBUF = 56;
export const TCB_FAULT_TYPE = 57;
export const TCB_FAULT_DATA = 58; // 4 words (62: abi.ts's TCB_HOST_RUN)
export const TCB_REGS = 64;
export const TCB_EMBEDDED_IPCBUF_BYTES = 512;

export const BLOCK_CAN_GRANT = 1;
export const BLOCK_CAN_GRANT_REPLY = 2;
export const BLOCK_IS_CALL = 4;

// Register save area (word offsets from TCB_REGS).
export const REG_EAX = 0;
export const REG_ECX = 1;
export const REG_EDX = 2;
export const REG_EBX = 3;
export const REG_ESP = 4;
export const REG_EBP = 5;
export const REG_ESI = 6;
export const REG_EDI = 7;
export const REG_EIP = 8;
export const REG_EFLAGS = 9;
export const REG_FS_BASE = 10;
export const REG_GS_BASE = 11;
export const REG_NEXT_EIP = 12;
export const REG_FAULT_EIP = 13;
export const REG_COUNT = 16;
/** The ia32 syscall ABI's registers: badge out / cptr in, message info. */
export const REG_BADGE = REG_EBX;
export const REG_MSGINFO = REG_ESI;

/**
 * seL4_UserContext for ia32, in the order ReadRegisters/WriteRegisters use:
 * eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp, fs_base, gs_base.
 */
export const USER_CONTEXT_ORDER = [REG_EIP, REG_ESP, REG_EFLAGS, REG_EAX, REG_EBX, REG_ECX, REG_EDX, REG_ESI, REG_EDI, REG_EBP, REG_FS_BASE, REG_GS_BASE] as const;
export const seL4_UserContextWords = USER_CONTEXT_ORDER.length;

// seL4_IPCBuffer layout (word offsets from the buffer's start).
export const IPCBUF_TAG = 0;
export const IPCBUF_MSG = 1;
export const IPCBUF_USERDATA = 121;
export const IPCBUF_CAPS = 122;
export const IPCBUF_RECV_CNODE = 125;
export const IPCBUF_RECV_INDEX = 126;
export const IPCBUF_RECV_DEPTH = 127;
export const IPCBUF_WORDS = 128;

// Thread states (seL4's _thread_state).
export const ThreadState_Inactive = 0;
export const ThreadState_Running = 1;
export const ThreadState_Restart = 2;
export const ThreadState_BlockedOnReceive = 3;
export const ThreadState_BlockedOnSend = 4;
export const ThreadState_BlockedOnReply = 5;
export const ThreadState_BlockedOnNotification = 6;
export const ThreadState_IdleThreadState = 7;
export const THREAD_STATE_NAMES = ['Inactive', 'Running', 'Restart', 'BlockedOnReceive', 'BlockedOnSend', 'BlockedOnReply', 'BlockedOnNotification', 'IdleThreadState'] as const;

export function isRunnableState(s: number): boolean {
  return s === ThreadState_Running || s === ThreadState_Restart;
}
export function isStoppedState(s: number): boolean {
  return s === ThreadState_Inactive || s === ThreadState_BlockedOnReceive || s === ThreadState_BlockedOnSend
    || s === ThreadState_BlockedOnNotification || s === ThreadState_BlockedOnReply;
}

// ---- field access ----------------------------------------------------------
export function threadState(k: Kernel, t: number): number {
  return k.m[(t >> 2) + TCB_STATE]!;
}
/** Sets a thread's state; a thread that can no longer run leaves its ready queue / core. */
export function setThreadState(k: Kernel, t: number, s: number): void {
  k.m[(t >> 2) + TCB_STATE] = s;
  if (!isRunnableState(s)) tcbSchedDequeue(k, t);
  scheduleTCB(k, t);
}
export function getReg(k: Kernel, t: number, r: number): number {
  return k.m[(t >> 2) + TCB_REGS + r]!;
}
export function setReg(k: Kernel, t: number, r: number, v: number): void {
  k.m[(t >> 2) + TCB_REGS + r] = v;
}
/** Word index of thread `t`'s IPC buffer in object memory. */
export function ipcBufferIndex(k: Kernel, t: number): number {
  return k.m[(t >> 2) + TCB_IPCBUF]! >> 2;
}
export function getPriority(k: Kernel, t: number): number {
  return k.m[(t >> 2) + TCB_PRIO]!;
}

/** Initialises a freshly retyped (zeroed) TCB, as seL4's createObject does. */
export function initTCB(k: Kernel, t: number, timeSlice: number): void {
  const i = t >> 2;
  k.m[i + TCB_STATE] = ThreadState_Inactive;
  k.m[i + TCB_TIMESLICE] = timeSlice;
  k.m[i + TCB_IPCBUF] = t + TCB_SIZE_BYTES - TCB_EMBEDDED_IPCBUF_BYTES;
  k.m[i + TCB_AFFINITY] = k.core;
}

/** Puts the master reply cap in the TCB's reply slot if it is empty (seL4's setupReplyMaster). */
export function setupReplyMaster(k: Kernel, t: number): void {
  const slot = tcbSlot(t, tcbReply);
  if (slotType(k, slot) !== cap_null_cap) return;
  const i = slot >> 2;
  k.m[i] = capWord0(cap_reply_cap, RIGHTS_ALL, replyExtra(true, true)) | W0_REVOCABLE | W0_FIRST_BADGED;
  k.m[i + 1] = t;
  k.m[i + 2] = 0;
  k.m[i + 3] = 0;
  k.m[i + 4] = 0;
  k.m[i + 5] = 0;
}

// ---- Resume / Suspend / Restart --------------------------------------------

export function restart(k: Kernel, t: number): void {
  if (isStoppedState(threadState(k, t))) {
    cancelIPC(k, t);
    setupReplyMaster(k, t);
    setThreadState(k, t, ThreadState_Restart);
    tcbSchedEnqueue(k, t);
    possibleSwitchTo(k, t);
  }
}

export function suspend(k: Kernel, t: number): void {
  cancelIPC(k, t);
  setThreadState(k, t, ThreadState_Inactive);
  tcbSchedDequeue(k, t);
}

// ---- TCB invocations -------------------------------------------------------
// Each takes the TCB being invoked and returns an seL4 error code.

/** TCB_Resume. */
export function invokeTCB_Resume(k: Kernel, t: number): number {
  restart(k, t);
  return seL4_NoError;
}
/** TCB_Suspend. */
export function invokeTCB_Suspend(k: Kernel, t: number): number {
  suspend(k, t);
  return seL4_NoError;
}

function checkPrio(k: Kernel, prio: number, auth: number): number {
  const mcp = k.m[(auth >> 2) + TCB_MCP]!;
  if (!(prio >= 0 && prio <= mcp && prio <= seL4_MaxPrio)) {
    k.err.type = seL4_RangeError;
    k.err.rangeErrorMin = 0;
    k.err.rangeErrorMax = Math.min(mcp, seL4_MaxPrio);
    return seL4_RangeError;
  }
  return seL4_NoError;
}

/** Changes a thread's priority, requeueing it if it is ready (seL4's setPriority). */
export function setPriority(k: Kernel, t: number, prio: number): void {
  const i = t >> 2;
  const queued = k.m[i + TCB_QUEUED] !== 0;
  if (queued) tcbSchedDequeue(k, t);
  k.m[i + TCB_PRIO] = prio;
  if (isRunnableState(k.m[i + TCB_STATE]!)) {
    if (t === curThread(k, k.m[i + TCB_AFFINITY]!)) rescheduleRequired(k, k.m[i + TCB_AFFINITY]!);
    else { tcbSchedEnqueue(k, t); possibleSwitchTo(k, t); }
  }
}

/** TCB_SetPriority: `authTcbSlot` names the TCB whose MCP bounds the new priority. */
export function invokeTCB_SetPriority(k: Kernel, t: number, authTcbSlot: number, prio: number): number {
  if (slotType(k, authTcbSlot) !== cap_thread_cap) return k.err.invalidCapability(1);
  const e = checkPrio(k, prio, slotPtr(k, authTcbSlot));
  if (e !== seL4_NoError) return e;
  setPriority(k, t, prio);
  return seL4_NoError;
}

/** TCB_SetMCPriority. */
export function invokeTCB_SetMCPriority(k: Kernel, t: number, authTcbSlot: number, mcp: number): number {
  if (slotType(k, authTcbSlot) !== cap_thread_cap) return k.err.invalidCapability(1);
  const e = checkPrio(k, mcp, slotPtr(k, authTcbSlot));
  if (e !== seL4_NoError) return e;
  k.m[(t >> 2) + TCB_MCP] = mcp;
  return seL4_NoError;
}

/** TCB_SetAffinity (SMP): moves the thread to another core's ready queues. */
export function invokeTCB_SetAffinity(k: Kernel, t: number, core: number): number {
  if (!(core >= 0 && core < k.numCores)) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const i = t >> 2;
  const old = k.m[i + TCB_AFFINITY]!;
  if (old === core) return seL4_NoError;
  const queued = k.m[i + TCB_QUEUED] !== 0;
  if (queued) tcbSchedDequeue(k, t);
  const wasCurrent = t === curThread(k, old);
  k.m[i + TCB_AFFINITY] = core;
  // A thread running on its old core is queued on the new one by that core's
  // next schedule (it must leave the old CPU first); a queued one moves now.
  if (wasCurrent) {
    rescheduleRequired(k, old);
    if (old !== k.core) remoteWake(k, old, true);
  } else if (queued && isRunnableState(k.m[i + TCB_STATE]!)) {
    tcbSchedEnqueue(k, t); // rings the new core's doorbell
  }
  return seL4_NoError;
}

/** TCB_SetIPCBuffer: `bufferAddr` is the user address; the frame cap in `frameSlot` backs it (0 and no frame: keep the embedded buffer). */
export function invokeTCB_SetIPCBuffer(k: Kernel, t: number, bufferAddr: number, frameSlot: number): number {
  if (frameSlot === 0 || slotType(k, frameSlot) === cap_null_cap) {
    k.m[(t >> 2) + TCB_IPCBUF_VADDR] = bufferAddr;
    k.m[(t >> 2) + TCB_IPCBUF] = t + TCB_SIZE_BYTES - TCB_EMBEDDED_IPCBUF_BYTES;
    cteDelete(k, tcbSlot(t, tcbBuffer), true);
    return seL4_NoError;
  }
  if (slotType(k, frameSlot) !== cap_frame_cap) return k.err.invalidCapability(1);
  if ((bufferAddr & 511) !== 0) {
    k.err.type = seL4_AlignmentError;
    return seL4_AlignmentError;
  }
  const frame = slotPtr(k, frameSlot);
  const e = deriveCapInto(k, frameSlot, k.capC);
  if (e !== seL4_NoError) return e;
  cteDelete(k, tcbSlot(t, tcbBuffer), true);
  cteInsert(k, k.capC, frameSlot, tcbSlot(t, tcbBuffer));
  k.m[(t >> 2) + TCB_IPCBUF_VADDR] = bufferAddr;
  k.m[(t >> 2) + TCB_IPCBUF] = frame + (bufferAddr & 4095);
  return seL4_NoError;
}

/**
 * TCB_SetSpace: new CSpace root (a CNode cap, optionally with guard data
 * applied as by Mint) and VSpace root (a page directory cap, or null), and
 * the fault endpoint CPtr.
 */
export function invokeTCB_SetSpace(k: Kernel, t: number, faultEP: number, cRootSlot: number, vRootSlot: number): number {
  if (slotType(k, cRootSlot) !== cap_cnode_cap) return k.err.invalidCapability(1);
  const vType = vRootSlot === 0 ? cap_null_cap : slotType(k, vRootSlot);
  if (vType !== cap_null_cap && vType !== cap_page_directory_cap) return k.err.invalidCapability(2);
  let e = deriveCapInto(k, cRootSlot, k.capB);
  if (e !== seL4_NoError) return e;
  cteDelete(k, tcbSlot(t, tcbCTable), true);
  cteInsert(k, k.capB, cRootSlot, tcbSlot(t, tcbCTable));
  cteDelete(k, tcbSlot(t, tcbVTable), true);
  if (vType !== cap_null_cap) {
    e = deriveCapInto(k, vRootSlot, k.capB);
    if (e !== seL4_NoError) return e;
    cteInsert(k, k.capB, vRootSlot, tcbSlot(t, tcbVTable));
  }
  k.m[(t >> 2) + TCB_FAULT_EP] = faultEP;
  return seL4_NoError;
}

/** TCB_Configure: fault endpoint, CSpace, VSpace and IPC buffer at once. */
export function invokeTCB_Configure(k: Kernel, t: number, faultEP: number, cRootSlot: number, vRootSlot: number, bufferAddr: number, bufferFrameSlot: number): number {
  const e = invokeTCB_SetSpace(k, t, faultEP, cRootSlot, vRootSlot);
  if (e !== seL4_NoError) return e;
  return invokeTCB_SetIPCBuffer(k, t, bufferAddr, bufferFrameSlot);
}

/** TCB_ReadRegisters: copies `count` words of seL4_UserContext into `out`; suspends the source first if asked. */
export function invokeTCB_ReadRegisters(k: Kernel, t: number, suspendSource: boolean, count: number, out: Int32Array): number {
  if (count < 0 || count > seL4_UserContextWords) {
    k.err.type = seL4_RangeError;
    k.err.rangeErrorMin = 1;
    k.err.rangeErrorMax = seL4_UserContextWords;
    return seL4_RangeError;
  }
  if (t === curThread(k)) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  if (suspendSource) suspend(k, t);
  const base = (t >> 2) + TCB_REGS;
  for (let i = 0; i < count; i++) out[i] = k.m[base + USER_CONTEXT_ORDER[i]!]!;
  return seL4_NoError;
}

/** TCB_WriteRegisters: writes `count` words of seL4_UserContext; resumes the target if asked. */
export function invokeTCB_WriteRegisters(k: Kernel, t: number, resumeTarget: boolean, count: number, regs: ArrayLike<number>): number {
  if (t === curThread(k)) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const n = Math.min(count, seL4_UserContextWords, regs.length);
  const base = (t >> 2) + TCB_REGS;
  for (let i = 0; i < n; i++) k.m[base + USER_CONTEXT_ORDER[i]!] = regs[i]! | 0;
  if (n > 2) k.m[base + REG_NEXT_EIP] = k.m[base + REG_EIP]!;
  if (resumeTarget) restart(k, t);
  return seL4_NoError;
}

/** TCB_BindNotification. */
export function invokeTCB_BindNotification(k: Kernel, t: number, ntfnSlot: number): number {
  if (k.m[(t >> 2) + TCB_BOUND_NTFN] !== 0) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const w0 = slotW0(k, ntfnSlot);
  if (capTypeOf(w0) !== cap_notification_cap) return k.err.invalidCapability(1);
  if (((w0 >>> 5) & 2) === 0) { // needs Read (the right to wait)
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const n = slotPtr(k, ntfnSlot);
  const ni = n >> 2;
  if (k.m[ni + NTFN_HEAD] !== 0 && ntfnState(k, n) === NtfnState_Waiting || k.m[ni + NTFN_BOUND_TCB] !== 0) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  k.m[ni + NTFN_BOUND_TCB] = t;
  k.m[(t >> 2) + TCB_BOUND_NTFN] = n;
  return seL4_NoError;
}

/** TCB_UnbindNotification. */
export function invokeTCB_UnbindNotification(k: Kernel, t: number): number {
  const n = k.m[(t >> 2) + TCB_BOUND_NTFN]!;
  if (n === 0) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  k.m[(n >> 2) + NTFN_BOUND_TCB] = 0;
  k.m[(t >> 2) + TCB_BOUND_NTFN] = 0;
  return seL4_NoError;
}

/** Destroys a thread whose last cap went (finaliseCap for a thread cap). */
export function finaliseTCB(k: Kernel, t: number): void {
  // Another core running it would save its registers into this memory after it was reused.
  remoteTCBStall(k, t);
  fpuThreadDelete(k, t);
  const n = k.m[(t >> 2) + TCB_BOUND_NTFN]!;
  if (n !== 0) {
    k.m[(n >> 2) + NTFN_BOUND_TCB] = 0;
    k.m[(t >> 2) + TCB_BOUND_NTFN] = 0;
  }
  suspend(k, t);
  for (let c = 0; c < 5; c++) {
    const s = tcbSlot(t, c);
    if (slotType(k, s) !== cap_null_cap) cteDeleteOne(k, s);
  }
  for (let c = 0; c < k.numCores; c++) {
    if (curThread(k, c) === t) rescheduleRequired(k, c);
  }
}


