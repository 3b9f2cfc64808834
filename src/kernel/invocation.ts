/**
 * Object invocations: Send/NBSend/Call on a capability that is not an
 * endpoint, notification or reply cap (seL4's decodeInvocation and the
 * decode* functions of each object file). The label of the message info
 * says which method; its arguments are message registers in seL4's order
 * and capabilities in the IPC buffer's caps_or_badges (looked up in the
 * caller's CSpace). This table is the one source of truth for the labels;
 * guest/sdk/include/sel4.h carries the same numbers (a test compares).
 *
 * The caller gets seL4_Error in EAX (this kernel's ABI) and, as seL4's
 * reply from the kernel, a message info whose label is the error (0 on
 * success) with the error's details in the MRs (InvalidArgument: the
 * argument; InvalidCapability: the cap; RangeError: min, max;
 * FailedLookup: source?, failure type, bits left, ...; NotEnoughMemory:
 * bytes left), or, for ReadRegisters, the registers. A label or a cap type
 * with no such method is IllegalOperation; a message too short for its
 * method is TruncatedMessage; missing caps are TruncatedMessage too; a cap
 * argument of the wrong type is InvalidCapability. Nothing here throws.
 */
import type { Kernel } from './state.js';
import { remoteTCBStall } from './stall.js';
import { slotPtr, slotW0 } from './cap.js';
import {
  cap_asid_control_cap, cap_asid_pool_cap, cap_cnode_cap, cap_frame_cap, cap_irq_control_cap, cap_irq_handler_cap,
  cap_notification_cap, cap_page_directory_cap, cap_page_table_cap, cap_thread_cap, cap_untyped_cap,
} from './objecttype.js';
import {
  seL4_FailedLookup, seL4_IllegalOperation, seL4_InvalidArgument, seL4_InvalidCapability, seL4_NoError,
  seL4_NotEnoughMemory, seL4_RangeError, seL4_TruncatedMessage,
} from './errors.js';
import { lookupCapSlot } from './cnode.js';
import {
  invokeCNode_CancelBadgedSends, invokeCNode_Copy, invokeCNode_Delete, invokeCNode_Mint, invokeCNode_Move,
  invokeCNode_Mutate, invokeCNode_Revoke, invokeCNode_Rotate,
} from './cnode.js';
import { invokeUntyped_Retype } from './untyped.js';
import {
  IPCBUF_CAPS, IPCBUF_MSG, REG_MSGINFO, TCB_REGS, ipcBufferIndex, invokeTCB_BindNotification, invokeTCB_Configure,
  invokeTCB_ReadRegisters, invokeTCB_Resume, invokeTCB_SetAffinity, invokeTCB_SetIPCBuffer, invokeTCB_SetMCPriority,
  invokeTCB_SetPriority, invokeTCB_SetSpace, invokeTCB_Suspend, invokeTCB_UnbindNotification, invokeTCB_WriteRegisters,
  seL4_UserContextWords,
} from './tcb.js';
import { invokeIRQControl_Get, invokeIRQHandler_Ack, invokeIRQHandler_Clear, invokeIRQHandler_SetNotification } from './irq.js';
import { seL4_MessageInfo_new } from './message.js';
import { invokePage_GetAddress, invokePage_Map, invokePage_Unmap, invokePageTable_Map, invokePageTable_Unmap } from './vspace.js';
import { invokeASIDControl_MakePool, invokeASIDPool_Assign } from './asid.js';

/**
 * Invocation labels: seL4's generic invocation.xml order (non-MCS, SMP),
 * then the x86 architecture's for ia32 (no sel4arch labels on ia32; no
 * IOMMU, no VT-x): PageDirectory Map/Unmap exist only as labels (the page
 * directory is the VSpace root on ia32), GetStatusBits is not implemented,
 * and Page_Remap is gone (Map on a mapped cap changes its rights).
 */
export const enum Label {
  UntypedRetype = 1,
  TCBReadRegisters = 2,
  TCBWriteRegisters = 3,
  TCBCopyRegisters = 4,
  TCBConfigure = 5,
  TCBSetPriority = 6,
  TCBSetMCPriority = 7,
  TCBSetSchedParams = 8,
  TCBSetIPCBuffer = 9,
  TCBSetSpace = 10,
  TCBSuspend = 11,
  TCBResume = 12,
  TCBBindNotification = 13,
  TCBUnbindNotification = 14,
  TCBSetAffinity = 15,
  TCBSetTLSBase = 16,
  CNodeRevoke = 17,
  CNodeDelete = 18,
  CNodeCancelBadgedSends = 19,
  CNodeCopy = 20,
  CNodeMint = 21,
  CNodeMove = 22,
  CNodeMutate = 23,
  CNodeRotate = 24,
  CNodeSaveCaller = 25,
  IRQIssueIRQHandler = 26,
  IRQAckIRQ = 27,
  IRQSetIRQHandler = 28,
  IRQClearIRQHandler = 29,
  DomainSetSet = 30,
  X86PageDirectoryMap = 31,
  X86PageDirectoryUnmap = 32,
  X86PageDirectoryGetStatusBits = 33,
  X86PageTableMap = 34,
  X86PageTableUnmap = 35,
  X86PageMap = 36,
  X86PageUnmap = 37,
  X86PageGetAddress = 38,
  X86ASIDControlMakePool = 39,
  X86ASIDPoolAssign = 40,
}

/** The names, for sel4.h's check and for traces. */
export const INVOCATION_LABELS: Readonly<Record<string, number>> = {
  UntypedRetype: 1, TCBReadRegisters: 2, TCBWriteRegisters: 3, TCBCopyRegisters: 4, TCBConfigure: 5,
  TCBSetPriority: 6, TCBSetMCPriority: 7, TCBSetSchedParams: 8, TCBSetIPCBuffer: 9, TCBSetSpace: 10,
  TCBSuspend: 11, TCBResume: 12, TCBBindNotification: 13, TCBUnbindNotification: 14, TCBSetAffinity: 15,
  TCBSetTLSBase: 16, CNodeRevoke: 17, CNodeDelete: 18, CNodeCancelBadgedSends: 19, CNodeCopy: 20,
  CNodeMint: 21, CNodeMove: 22, CNodeMutate: 23, CNodeRotate: 24, CNodeSaveCaller: 25,
  IRQIssueIRQHandler: 26, IRQAckIRQ: 27, IRQSetIRQHandler: 28, IRQClearIRQHandler: 29, DomainSetSet: 30,
  X86PageDirectoryMap: 31, X86PageDirectoryUnmap: 32, X86PageDirectoryGetStatusBits: 33, X86PageTableMap: 34,
  X86PageTableUnmap: 35, X86PageMap: 36, X86PageUnmap: 37, X86PageGetAddress: 38, X86ASIDControlMakePool: 39,
  X86ASIDPoolAssign: 40,
};

/** Scratch for ReadRegisters (no allocation per call). */
const regsOut = new Int32Array(seL4_UserContextWords);

function illegal(k: Kernel): number {
  k.err.type = seL4_IllegalOperation;
  return seL4_IllegalOperation;
}
function truncated(k: Kernel): number {
  k.err.type = seL4_TruncatedMessage;
  return seL4_TruncatedMessage;
}

/**
 * Decodes and performs the invocation of the cap in `slot` by thread `t`
 * (message info `info`, MRs in its IPC buffer); writes the kernel's reply
 * (message info and MRs) when `isCall`. Returns the seL4_Error.
 */
export function decodeInvocation(k: Kernel, t: number, slot: number, info: number, isCall: boolean): number {
  const m = k.m;
  const bi = ipcBufferIndex(k, t);
  const mr = bi + IPCBUF_MSG;
  const len = info & 0x7f;
  const label = info >>> 12;
  const nCaps = (info >>> 7) & 3;
  // Cap arguments: CPtrs in caps_or_badges, looked up in the caller's CSpace.
  const capArg = (i: number): number => {
    if (i >= nCaps) return -1;
    const s = lookupCapSlot(k, t, m[bi + IPCBUF_CAPS + i]! >>> 0);
    if (s === 0) {
      k.err.type = seL4_InvalidCapability;
      k.err.invalidCapNumber = i + 1;
      return 0;
    }
    return s;
  };
  const type = slotW0(k, slot) & 31;
  k.err.type = seL4_NoError;
  let replyLen = 0;
  let e: number;
  switch (type) {
    case cap_untyped_cap: {
      if (label !== Label.UntypedRetype) { e = illegal(k); break; }
      if (len < 6) { e = truncated(k); break; }
      const root = capArg(0);
      if (root < 0) { e = truncated(k); break; }
      if (root === 0) { e = seL4_InvalidCapability; break; }
      if ((slotW0(k, root) & 31) !== cap_cnode_cap) { e = k.err.invalidCapability(1); break; }
      e = invokeUntyped_Retype(k, slot, m[mr]!, m[mr + 1]!, root, m[mr + 2]! >>> 0, m[mr + 3]!, m[mr + 4]! >>> 0, m[mr + 5]!);
      break;
    }
    case cap_cnode_cap:
      e = decodeCNode(k, t, slot, label, len, mr, capArg);
      break;
    case cap_thread_cap: {
      const r = decodeTCB(k, slotPtr(k, slot), label, len, mr, capArg);
      e = r < 0 ? seL4_NoError : r;
      if (r < 0) replyLen = -r - 1;
      break;
    }
    case cap_irq_control_cap: {
      if (label !== Label.IRQIssueIRQHandler) { e = illegal(k); break; }
      if (len < 3) { e = truncated(k); break; }
      const root = capArg(0);
      if (root < 0) { e = truncated(k); break; }
      if (root === 0) { e = seL4_InvalidCapability; break; }
      e = invokeIRQControl_Get(k, slot, m[mr]!, root, m[mr + 1]! >>> 0, m[mr + 2]!);
      break;
    }
    case cap_irq_handler_cap:
      if (label === Label.IRQAckIRQ) e = invokeIRQHandler_Ack(k, slot);
      else if (label === Label.IRQClearIRQHandler) e = invokeIRQHandler_Clear(k, slot);
      else if (label === Label.IRQSetIRQHandler) {
        const n = capArg(0);
        if (n < 0) e = truncated(k);
        else if (n === 0) e = seL4_InvalidCapability;
        else if ((slotW0(k, n) & 31) !== cap_notification_cap) e = k.err.invalidCapability(1);
        else e = invokeIRQHandler_SetNotification(k, slot, n);
      } else e = illegal(k);
      break;
    case cap_frame_cap: case cap_page_table_cap: case cap_page_directory_cap: case cap_asid_control_cap: case cap_asid_pool_cap: {
      const r = decodeX86MMU(k, type, slot, label, len, mr, capArg);
      e = r < 0 ? seL4_NoError : r;
      if (r < 0) replyLen = -r - 1;
      break;
    }
    default:
      e = illegal(k);
  }
  if (isCall) {
    if (e !== seL4_NoError) replyLen = errorDetails(k, e, mr);
    m[(t >> 2) + TCB_REGS + REG_MSGINFO] = seL4_MessageInfo_new(e, 0, 0, replyLen);
  }
  return e;
}

/** seL4's error reply: the details of `e` in the MRs; returns their number. */
function errorDetails(k: Kernel, e: number, mr: number): number {
  const m = k.m;
  const err = k.err;
  switch (e) {
    case seL4_InvalidArgument: m[mr] = err.invalidArgumentNumber; return 1;
    case seL4_InvalidCapability: m[mr] = err.invalidCapNumber; return 1;
    case seL4_RangeError: m[mr] = err.rangeErrorMin; m[mr + 1] = err.rangeErrorMax; return 2;
    case seL4_NotEnoughMemory: m[mr] = err.memoryLeft; return 1;
    case seL4_FailedLookup:
      m[mr] = err.failedLookupWasSource ? 1 : 0;
      m[mr + 1] = err.lookupFailureType;
      m[mr + 2] = err.bitsLeft;
      m[mr + 3] = err.bitsFound;
      m[mr + 4] = err.guardFound;
      return 5;
    default: return 0;
  }
}

type CapArg = (i: number) => number;

function decodeCNode(k: Kernel, t: number, slot: number, label: number, len: number, mr: number, capArg: CapArg): number {
  const m = k.m;
  const a = (i: number): number => m[mr + i]!;
  const u = (i: number): number => m[mr + i]! >>> 0;
  switch (label) {
    case Label.CNodeRevoke: case Label.CNodeDelete: case Label.CNodeCancelBadgedSends: {
      if (len < 2) return truncated(k);
      if (label === Label.CNodeRevoke) return invokeCNode_Revoke(k, slot, u(0), a(1));
      if (label === Label.CNodeDelete) return invokeCNode_Delete(k, slot, u(0), a(1));
      return invokeCNode_CancelBadgedSends(k, slot, u(0), a(1));
    }
    case Label.CNodeCopy: case Label.CNodeMint: case Label.CNodeMove: case Label.CNodeMutate: {
      const need = label === Label.CNodeCopy || label === Label.CNodeMutate ? 5 : label === Label.CNodeMint ? 6 : 4;
      if (len < need) return truncated(k);
      const src = capArg(0);
      if (src < 0) return truncated(k);
      if (src === 0) return seL4_InvalidCapability;
      if ((slotW0(k, src) & 31) !== cap_cnode_cap) return k.err.invalidCapability(1);
      if (label === Label.CNodeCopy) return invokeCNode_Copy(k, slot, u(0), a(1), src, u(2), a(3), a(4));
      if (label === Label.CNodeMint) return invokeCNode_Mint(k, slot, u(0), a(1), src, u(2), a(3), a(4), a(5));
      if (label === Label.CNodeMove) return invokeCNode_Move(k, slot, u(0), a(1), src, u(2), a(3));
      return invokeCNode_Mutate(k, slot, u(0), a(1), src, u(2), a(3), a(4));
    }
    case Label.CNodeRotate: {
      if (len < 8) return truncated(k);
      const pivot = capArg(0);
      const src = capArg(1);
      if (pivot < 0 || src < 0) return truncated(k);
      if (pivot === 0 || src === 0) return seL4_InvalidCapability;
      if ((slotW0(k, pivot) & 31) !== cap_cnode_cap) return k.err.invalidCapability(1);
      if ((slotW0(k, src) & 31) !== cap_cnode_cap) return k.err.invalidCapability(2);
      return invokeCNode_Rotate(k, slot, u(0), a(1), a(7), pivot, u(2), a(3), a(4), src, u(5), a(6));
    }
    default:
      void t;
      return illegal(k);
  }
}

/**
 * TCB methods on thread `target`. Returns an seL4_Error (>= 0) or, on a
 * success that replies with MRs, -(count + 1).
 */
function decodeTCB(k: Kernel, target: number, label: number, len: number, mr: number, capArg: CapArg): number {
  const m = k.m;
  const a = (i: number): number => m[mr + i]!;
  const cap = (i: number, type: number): number => {
    const s = capArg(i);
    if (s < 0) { truncated(k); return -1; }
    if (s === 0) return 0;
    if (type >= 0 && (slotW0(k, s) & 31) !== type) { k.err.invalidCapability(i + 1); return 0; }
    return s;
  };
  // SMP: a thread another core runs is put back into its TCB first (seL4's remoteTCBStall, stall.ts).
  remoteTCBStall(k, target);
  switch (label) {
    case Label.TCBSuspend: return invokeTCB_Suspend(k, target);
    case Label.TCBResume: return invokeTCB_Resume(k, target);
    case Label.TCBUnbindNotification: return invokeTCB_UnbindNotification(k, target);
    case Label.TCBSetPriority: case Label.TCBSetMCPriority: {
      if (len < 1) return truncated(k);
      const auth = cap(0, cap_thread_cap);
      if (auth <= 0) return auth < 0 ? seL4_TruncatedMessage : k.err.type;
      return label === Label.TCBSetPriority ? invokeTCB_SetPriority(k, target, auth, a(0)) : invokeTCB_SetMCPriority(k, target, auth, a(0));
    }
    case Label.TCBSetAffinity:
      if (len < 1) return truncated(k);
      return invokeTCB_SetAffinity(k, target, a(0));
    case Label.TCBBindNotification: {
      const n = cap(0, cap_notification_cap);
      if (n <= 0) return n < 0 ? seL4_TruncatedMessage : k.err.type;
      return invokeTCB_BindNotification(k, target, n);
    }
    case Label.TCBSetIPCBuffer: {
      if (len < 1) return truncated(k);
      const f = capArg(0);
      if (f === 0) return seL4_InvalidCapability;
      return invokeTCB_SetIPCBuffer(k, target, a(0), f < 0 ? 0 : f);
    }
    case Label.TCBSetSpace: case Label.TCBConfigure: {
      const cfg = label === Label.TCBConfigure;
      if (len < (cfg ? 4 : 3)) return truncated(k);
      const c = cap(0, cap_cnode_cap);
      if (c <= 0) return c < 0 ? seL4_TruncatedMessage : k.err.type;
      const v = capArg(1);
      if (v < 0) return truncated(k);
      if (v === 0) return seL4_InvalidCapability;
      if (!cfg) return invokeTCB_SetSpace(k, target, a(0), c, v);
      const f = capArg(2);
      if (f === 0) return seL4_InvalidCapability;
      return invokeTCB_Configure(k, target, a(0), c, v, a(3), f < 0 ? 0 : f);
    }
    case Label.TCBReadRegisters: {
      if (len < 2) return truncated(k);
      const count = a(1);
      const e = invokeTCB_ReadRegisters(k, target, (a(0) & 1) !== 0, count, regsOut);
      if (e !== seL4_NoError) return e;
      for (let i = 0; i < count; i++) m[mr + i] = regsOut[i]!;
      return -(count + 1);
    }
    case Label.TCBWriteRegisters: {
      if (len < 2) return truncated(k);
      const count = a(1);
      if (len < 2 + Math.max(0, Math.min(count, seL4_UserContextWords))) return truncated(k);
      return invokeTCB_WriteRegisters(k, target, (a(0) & 1) !== 0, count, m.subarray(mr + 2, mr + 2 + Math.max(0, Math.min(count, seL4_UserContextWords))));
    }
    default:
      return illegal(k);
  }
}

/**
 * The x86 MMU objects (seL4's decodeX86MMUInvocation): frames, page tables,
 * page directories, ASID control and pools. The methods are vspace.ts's
 * and asid.ts's (the checks are theirs); here the message is unpacked.
 * Returns an seL4_Error or, on a success that replies with MRs, -(count + 1).
 */
function decodeX86MMU(k: Kernel, type: number, slot: number, label: number, len: number, mr: number, capArg: CapArg): number {
  const m = k.m;
  /** The first cap argument's slot, or 0 with k.err set (missing: TruncatedMessage; bad CPtr: InvalidCapability). */
  const cap0 = (): number => {
    const s = capArg(0);
    if (s < 0) { truncated(k); return 0; }
    return s;
  };
  switch (type) {
    case cap_frame_cap:
      switch (label) {
        case Label.X86PageMap: {
          if (len < 3) return truncated(k);
          const vs = cap0();
          if (vs === 0) return k.err.type;
          return invokePage_Map(k, slot, vs, m[mr]! >>> 0, m[mr + 1]!, m[mr + 2]!);
        }
        case Label.X86PageUnmap: return invokePage_Unmap(k, slot);
        case Label.X86PageGetAddress: {
          m[mr] = invokePage_GetAddress(k, slot);
          return -2;
        }
        default: return illegal(k);
      }
    case cap_page_table_cap:
      switch (label) {
        case Label.X86PageTableMap: {
          if (len < 2) return truncated(k);
          const vs = cap0();
          if (vs === 0) return k.err.type;
          return invokePageTable_Map(k, slot, vs, m[mr]! >>> 0, m[mr + 1]!);
        }
        case Label.X86PageTableUnmap: return invokePageTable_Unmap(k, slot);
        default: return illegal(k);
      }
    case cap_page_directory_cap:
      // The VSpace root on ia32: nothing maps it anywhere (GetStatusBits: not implemented).
      return illegal(k);
    case cap_asid_control_cap: {
      if (label !== Label.X86ASIDControlMakePool) return illegal(k);
      if (len < 2) return truncated(k);
      const untyped = cap0();
      if (untyped === 0) return k.err.type;
      const root = capArg(1);
      if (root < 0) return truncated(k);
      if (root === 0) return k.err.type;
      return invokeASIDControl_MakePool(k, slot, untyped, root, m[mr]! >>> 0, m[mr + 1]! & 0xff);
    }
    case cap_asid_pool_cap: {
      if (label !== Label.X86ASIDPoolAssign) return illegal(k);
      const vs = cap0();
      if (vs === 0) return k.err.type;
      return invokeASIDPool_Assign(k, slot, vs);
    }
    default:
      return illegal(k);
  }
}

void seL4_NotEnoughMemory;
void seL4_RangeError;
