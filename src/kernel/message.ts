/**
 * Message transfer between threads (seL4's doIPCTransfer/doNormalTransfer):
 * the message info word, message registers, badge and extra caps.
 *
 * seL4_MessageInfo (one word): label (bits 12-31, 20 bits) |
 * capsUnwrapped (9-11) | extraCaps (7-8) | length (0-6, at most 120).
 *
 * Message registers live in the threads' IPC buffers (tcb.ts); the message
 * info and badge in the ia32 ABI registers ESI and EBX of the register save
 * area. With the CPU wired, MR0/MR1 will travel in EDI/EBP as seL4's ia32
 * ABI has it; the kernel operations here copy all of them from the buffer.
 *
 * Extra caps: the sender's buffer names up to 3 caps (caps_or_badges) in
 * its CSpace; they are looked up only if the sender's endpoint cap has Grant.
 * A cap to the endpoint the message travels through is "unwrapped": the
 * receiver gets its badge in caps_or_badges[i] and bit i of capsUnwrapped.
 * Any other cap is derived into the receiver's receive slot (receiveCNode,
 * receiveIndex, receiveDepth in its buffer); at most one cap is transferred
 * that way, and transfer stops at the first cap that cannot be.
 */
import type { Kernel } from './state.js';
import {
  IPCBUF_CAPS, IPCBUF_MSG, IPCBUF_RECV_CNODE, IPCBUF_RECV_DEPTH, IPCBUF_RECV_INDEX, REG_BADGE, REG_MSGINFO,
  TCB_REGS, ipcBufferIndex,
} from './tcb.js';
import { cap_endpoint_cap, cap_null_cap, seL4_MsgMaxLength } from './objecttype.js';
import { loadCap, slotData, slotPtr, slotType } from './cap.js';
import { cteInsert, deriveCap } from './cdt.js';
import { lookupCapSlot, lookupSlotForCNodeOp } from './cnode.js';
import { seL4_NoError } from './errors.js';

export function seL4_MessageInfo_new(label: number, capsUnwrapped: number, extraCaps: number, length: number): number {
  return ((label & 0xfffff) << 12) | ((capsUnwrapped & 7) << 9) | ((extraCaps & 3) << 7) | (length & 0x7f);
}
export const msgLabel = (info: number): number => info >>> 12;
export const msgCapsUnwrapped = (info: number): number => (info >>> 9) & 7;
export const msgExtraCaps = (info: number): number => (info >>> 7) & 3;
export function msgLength(info: number): number {
  const n = info & 0x7f;
  return n > seL4_MsgMaxLength ? seL4_MsgMaxLength : n;
}

/** Looks up the sender's extra caps; returns how many (0 if any lookup fails, as seL4 then sends none). */
function lookupExtraCaps(k: Kernel, sender: number, sb: number, count: number): number {
  for (let i = 0; i < count; i++) {
    const slot = lookupCapSlot(k, sender, k.m[sb + IPCBUF_CAPS + i]! >>> 0);
    if (slot === 0) return 0;
    k.extraCapSlots[i] = slot;
  }
  return count;
}

/** The receiver's empty receive slot, or 0. */
function getReceiveSlot(k: Kernel, receiver: number, rb: number): number {
  const root = lookupCapSlot(k, receiver, k.m[rb + IPCBUF_RECV_CNODE]! >>> 0);
  if (root === 0) return 0;
  const dest = lookupSlotForCNodeOp(k, false, root, k.m[rb + IPCBUF_RECV_INDEX]! >>> 0, k.m[rb + IPCBUF_RECV_DEPTH]!);
  if (dest === 0 || slotType(k, dest) !== cap_null_cap) return 0;
  return dest;
}

/**
 * Transfers the message of `sender` (its info in ESI, registers in its IPC
 * buffer) to `receiver`: `ep` is the endpoint it travels through (0 for a
 * reply), `badge` the badge delivered, `canGrant` whether caps may go.
 */
export function doIPCTransfer(k: Kernel, sender: number, ep: number, badge: number, canGrant: boolean, receiver: number): void {
  const m = k.m;
  let info = m[(sender >> 2) + TCB_REGS + REG_MSGINFO]!;
  const sb = ipcBufferIndex(k, sender);
  const rb = ipcBufferIndex(k, receiver);
  const length = msgLength(info);
  // copyMRs
  if (length <= 16) {
    for (let i = 0; i < length; i++) m[rb + IPCBUF_MSG + i] = m[sb + IPCBUF_MSG + i]!;
  } else {
    m.copyWithin(rb + IPCBUF_MSG, sb + IPCBUF_MSG, sb + IPCBUF_MSG + length);
  }
  let extra = msgExtraCaps(info);
  let unwrapped = 0;
  let sent = 0;
  if (extra !== 0 && canGrant) {
    extra = lookupExtraCaps(k, sender, sb, extra);
    let dest = -1;
    for (; sent < extra; sent++) {
      const slot = k.extraCapSlots[sent]!;
      if (slotType(k, slot) === cap_endpoint_cap && slotPtr(k, slot) === ep && ep !== 0) {
        m[rb + IPCBUF_CAPS + sent] = slotData(k, slot);
        unwrapped |= 1 << sent;
        continue;
      }
      if (dest === -1) dest = getReceiveSlot(k, receiver, rb);
      if (dest === 0) break;
      loadCap(k, slot, k.capA);
      if (deriveCap(k, slot, k.capA) !== seL4_NoError || (k.capA[0]! & 31) === cap_null_cap) break;
      cteInsert(k, k.capA, slot, dest);
      dest = 0;
    }
  }
  info = seL4_MessageInfo_new(msgLabel(info), unwrapped, sent, length);
  m[(receiver >> 2) + TCB_REGS + REG_MSGINFO] = info;
  m[(receiver >> 2) + TCB_REGS + REG_BADGE] = badge;
}
