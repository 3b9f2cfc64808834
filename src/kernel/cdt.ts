/**
 * The Capability Derivation Tree (seL4's mapping database, "MDB", in
 * src/object/cnode.c and objecttype.c).
 *
 * Every non-empty slot is in one doubly linked list (the MDB links of
 * cap.ts) in depth-first order of derivation: a derived cap is inserted
 * right after its source, a retyped object's cap right after its untyped.
 * Whether the slot after A is A's child is decided by isMDBParentOf:
 *   - A must be revocable (an original cap: made by Retype, by Mint with a
 *     new badge, the master reply cap, an IRQ handler or untyped copy);
 *   - A's region must contain B's (sameRegionAs);
 *   - for endpoints and notifications, an unbadged A is parent of every cap
 *     to the object; a badged A only of caps with its badge that are not
 *     themselves "first badged" (the original of another badge).
 * Revoke deletes children until the next slot is not a child; Delete
 * finalises the object when the slot holds its last cap (isFinalCapability:
 * no MDB neighbour refers to the same object, since caps to an object are
 * contiguous in the list).
 *
 * seL4 makes deletion preemptible with Zombie caps; here an operation runs
 * to completion, and a cycle of CNodes holding caps to each other is cut by
 * remembering which objects are being finalised.
 */
import type { Kernel } from './state.js';
import {
  CTE_NEXT, CTE_PREV, MASKS, W0_FIRST_BADGED, W0_MDB_BITS, W0_REVOCABLE, capRightsOf, capTypeOf, cnodeGuardSize,
  cnodeRadix, frameIsDevice, frameIsLarge, frameVMRights, isFirstBadged, isRevocable, mdbNext, mdbPrev, slotPtr,
  slotType, slotW0, untypedSizeBits, RIGHT_GRANT, RIGHT_READ, RIGHT_WRITE, VM_READ_ONLY, VM_READ_WRITE,
} from './cap.js';
import {
  BADGE_MASK, cap_asid_control_cap, cap_asid_pool_cap, cap_cnode_cap, cap_domain_cap, cap_endpoint_cap, cap_frame_cap,
  cap_irq_control_cap, cap_irq_handler_cap, cap_notification_cap, cap_null_cap, cap_page_directory_cap,
  cap_page_table_cap, cap_reply_cap, cap_thread_cap, cap_untyped_cap, seL4_ASIDPoolBits, seL4_EndpointBits,
  seL4_LargePageBits, seL4_NotificationBits, seL4_PageBits, seL4_PageDirBits, seL4_PageTableBits, seL4_SlotBits,
  seL4_TCBBits, seL4_WordBits,
} from './objecttype.js';
import { seL4_IllegalOperation, seL4_NoError, seL4_RevokeFirst } from './errors.js';
import { cancelAllIPC } from './endpoint.js';
import { cancelAllSignals, unbindMaybeNotification } from './notification.js';
import { finaliseTCB } from './tcb.js';
import { deletingIRQHandler } from './irq.js';
import { finaliseFrameCap, finalisePageDirectory, finalisePageTable } from './vspace.js';
import { deleteASIDPool } from './asid.js';

/** log2 size of the object a physical cap names, or -1 for caps with no memory. */
function capSizeBits(w0: number): number {
  switch (w0 & 31) {
    case cap_untyped_cap: return untypedSizeBits(w0);
    case cap_endpoint_cap: return seL4_EndpointBits;
    case cap_notification_cap: return seL4_NotificationBits;
    case cap_cnode_cap: return cnodeRadix(w0) + seL4_SlotBits;
    case cap_thread_cap: return seL4_TCBBits;
    case cap_frame_cap: return frameIsLarge(w0) ? seL4_LargePageBits : seL4_PageBits;
    case cap_page_table_cap: return seL4_PageTableBits;
    case cap_page_directory_cap: return seL4_PageDirBits;
    case cap_asid_pool_cap: return seL4_ASIDPoolBits;
    default: return -1;
  }
}

/** seL4's sameRegionAs: does cap A's region (or authority) cover cap B's? */
export function sameRegionAs(aw0: number, aptr: number, bw0: number, bptr: number): boolean {
  const at = aw0 & 31;
  const bt = bw0 & 31;
  switch (at) {
    case cap_untyped_cap: {
      const bs = capSizeBits(bw0);
      if (bs < 0) return false;
      const aBase = aptr >>> 0;
      const aTop = aBase + 2 ** untypedSizeBits(aw0) - 1;
      const bBase = bptr >>> 0;
      const bTop = bBase + 2 ** bs - 1;
      return aBase <= bBase && bTop <= aTop && bBase <= bTop;
    }
    case cap_frame_cap: {
      if (bt !== cap_frame_cap) return false;
      const aTop = aptr + 2 ** capSizeBits(aw0) - 1;
      const bTop = bptr + 2 ** capSizeBits(bw0) - 1;
      return aptr <= bptr && bTop <= aTop;
    }
    case cap_cnode_cap:
      return bt === cap_cnode_cap && aptr === bptr && cnodeRadix(aw0) === cnodeRadix(bw0);
    case cap_endpoint_cap:
    case cap_notification_cap:
    case cap_thread_cap:
    case cap_reply_cap:
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_asid_pool_cap:
    case cap_irq_handler_cap:
      return bt === at && aptr === bptr;
    case cap_irq_control_cap:
      return bt === cap_irq_control_cap || bt === cap_irq_handler_cap;
    case cap_domain_cap:
    case cap_asid_control_cap:
      return bt === at;
    default:
      return false;
  }
}

/** seL4's sameObjectAs: do both caps name the same object? */
export function sameObjectAs(aw0: number, aptr: number, bw0: number, bptr: number): boolean {
  const at = aw0 & 31;
  if (at === cap_untyped_cap) return false;
  if (at === cap_irq_control_cap && (bw0 & 31) === cap_irq_handler_cap) return false;
  if (at === cap_frame_cap) {
    return (bw0 & 31) === cap_frame_cap && aptr === bptr && frameIsLarge(aw0) === frameIsLarge(bw0) && frameIsDevice(aw0) === frameIsDevice(bw0);
  }
  return sameRegionAs(aw0, aptr, bw0, bptr);
}

export function isMDBParentOf(k: Kernel, a: number, b: number): boolean {
  if (!isRevocable(k, a)) return false;
  const aw0 = slotW0(k, a);
  const bw0 = slotW0(k, b);
  if (!sameRegionAs(aw0, slotPtr(k, a), bw0, slotPtr(k, b))) return false;
  const t = aw0 & 31;
  if (t === cap_endpoint_cap || t === cap_notification_cap) {
    const badge = k.m[(a >> 2) + 2]!;
    if (badge === 0) return true;
    return badge === k.m[(b >> 2) + 2] && !isFirstBadged(k, b);
  }
  return true;
}

/** Is a cap derived from the cap in `src` an original (revocable) cap? */
function isCapRevocable(k: Kernel, cap: Int32Array, src: number): boolean {
  switch (cap[0]! & 31) {
    case cap_endpoint_cap:
    case cap_notification_cap:
      return cap[2] !== k.m[(src >> 2) + 2];
    case cap_irq_handler_cap:
    case cap_untyped_cap:
      return true;
    default:
      return false;
  }
}

/** RevokeFirst if the slot has children in the CDT. */
export function ensureNoChildren(k: Kernel, slot: number): number {
  const next = mdbNext(k, slot);
  if (next !== 0 && isMDBParentOf(k, slot, next)) {
    k.err.type = seL4_RevokeFirst;
    return seL4_RevokeFirst;
  }
  return seL4_NoError;
}

/** Places `cap` in empty `dest` as a derivation of the cap in `src` (seL4's cteInsert). */
export function cteInsert(k: Kernel, cap: Int32Array, src: number, dest: number): void {
  const m = k.m;
  const next = mdbNext(k, src);
  const revocable = isCapRevocable(k, cap, src);
  const d = dest >> 2;
  m[d] = (cap[0]! & ~W0_MDB_BITS) | (revocable ? W0_REVOCABLE | W0_FIRST_BADGED : 0);
  m[d + 1] = cap[1]!;
  m[d + 2] = cap[2]!;
  m[d + 3] = cap[3]!;
  m[d + CTE_PREV] = src;
  m[d + CTE_NEXT] = next;
  m[(src >> 2) + CTE_NEXT] = dest;
  if (next !== 0) m[(next >> 2) + CTE_PREV] = dest;
}

/** Places the cap of a newly created object after its parent untyped (seL4's insertNewCap). */
export function insertNewCap(k: Kernel, parent: number, slot: number, w0: number, ptr: number, data: number, data2: number): void {
  const m = k.m;
  const next = mdbNext(k, parent);
  const s = slot >> 2;
  m[s] = (w0 & ~W0_MDB_BITS) | W0_REVOCABLE | W0_FIRST_BADGED;
  m[s + 1] = ptr;
  m[s + 2] = data;
  m[s + 3] = data2;
  m[s + CTE_PREV] = parent;
  m[s + CTE_NEXT] = next;
  if (next !== 0) m[(next >> 2) + CTE_PREV] = slot;
  m[(parent >> 2) + CTE_NEXT] = slot;
}

/** Places a root cap (boot time: no parent) in `slot`, revocable, linked after `after` (0: alone). */
export function insertRootCap(k: Kernel, slot: number, after: number, w0: number, ptr: number, data: number, data2: number): void {
  if (after !== 0) { insertNewCap(k, after, slot, w0, ptr, data, data2); return; }
  const m = k.m;
  const s = slot >> 2;
  m[s] = (w0 & ~W0_MDB_BITS) | W0_REVOCABLE | W0_FIRST_BADGED;
  m[s + 1] = ptr; m[s + 2] = data; m[s + 3] = data2; m[s + CTE_PREV] = 0; m[s + CTE_NEXT] = 0;
}

/** Moves the cap in `src` to empty `dest` as `cap`, keeping its place in the CDT. */
export function cteMove(k: Kernel, cap: Int32Array, src: number, dest: number): void {
  const m = k.m;
  const s = src >> 2;
  const d = dest >> 2;
  const prev = m[s + CTE_PREV]!;
  const next = m[s + CTE_NEXT]!;
  m[d] = (cap[0]! & ~W0_MDB_BITS) | (m[s]! & W0_MDB_BITS);
  m[d + 1] = cap[1]!;
  m[d + 2] = cap[2]!;
  m[d + 3] = cap[3]!;
  m[d + CTE_PREV] = prev;
  m[d + CTE_NEXT] = next;
  m.fill(0, s, s + 8);
  if (prev !== 0) m[(prev >> 2) + CTE_NEXT] = dest;
  if (next !== 0) m[(next >> 2) + CTE_PREV] = dest;
}

/** Exchanges the caps of two slots, giving them the values cap1 (into slot2) and cap2 (into slot1): seL4's cteSwap. */
export function cteSwap(k: Kernel, cap1: Int32Array, slot1: number, cap2: Int32Array, slot2: number): void {
  const m = k.m;
  const a = slot1 >> 2;
  const b = slot2 >> 2;
  const aPrev = m[a + CTE_PREV]!, aNext = m[a + CTE_NEXT]!, aBits = m[a]! & W0_MDB_BITS;
  const bPrev = m[b + CTE_PREV]!, bNext = m[b + CTE_NEXT]!, bBits = m[b]! & W0_MDB_BITS;
  // slot2 takes slot1's place in the list with cap1; slot1 takes slot2's with cap2.
  m[b] = (cap1[0]! & ~W0_MDB_BITS) | aBits; m[b + 1] = cap1[1]!; m[b + 2] = cap1[2]!; m[b + 3] = cap1[3]!;
  m[a] = (cap2[0]! & ~W0_MDB_BITS) | bBits; m[a + 1] = cap2[1]!; m[a + 2] = cap2[2]!; m[a + 3] = cap2[3]!;
  // slot2 takes slot1's links (a reference to slot2 itself means slot1 now), and vice versa.
  m[b + CTE_PREV] = aPrev === slot2 ? slot1 : aPrev;
  m[b + CTE_NEXT] = aNext === slot2 ? slot1 : aNext;
  m[a + CTE_PREV] = bPrev === slot1 ? slot2 : bPrev;
  m[a + CTE_NEXT] = bNext === slot1 ? slot2 : bNext;
  relink(k, slot2);
  relink(k, slot1);
}

function relink(k: Kernel, slot: number): void {
  const s = slot >> 2;
  const p = k.m[s + CTE_PREV]!;
  const n = k.m[s + CTE_NEXT]!;
  if (p !== 0) k.m[(p >> 2) + CTE_NEXT] = slot;
  if (n !== 0) k.m[(n >> 2) + CTE_PREV] = slot;
}

/** Removes the cap in `slot` from the CDT and empties the slot (seL4's emptySlot). */
export function emptySlot(k: Kernel, slot: number): void {
  const m = k.m;
  const s = slot >> 2;
  const w0 = m[s]!;
  if ((w0 & 31) === cap_null_cap) return;
  const prev = m[s + CTE_PREV]!;
  const next = m[s + CTE_NEXT]!;
  if (prev !== 0) m[(prev >> 2) + CTE_NEXT] = next;
  if (next !== 0) {
    m[(next >> 2) + CTE_PREV] = prev;
    if ((w0 & W0_FIRST_BADGED) !== 0) m[next >> 2]! |= W0_FIRST_BADGED;
  }
  // Eight stores, not fill(): every reply (slow path and fastpath) empties a slot.
  m[s] = 0; m[s + 1] = 0; m[s + 2] = 0; m[s + 3] = 0; m[s + 4] = 0; m[s + 5] = 0; m[s + 6] = 0; m[s + 7] = 0;
}

export function isFinalCapability(k: Kernel, slot: number): boolean {
  const w0 = slotW0(k, slot);
  const ptr = slotPtr(k, slot);
  const prev = mdbPrev(k, slot);
  if (prev !== 0 && sameObjectAs(slotW0(k, prev), slotPtr(k, prev), w0, ptr)) return false;
  const next = mdbNext(k, slot);
  return !(next !== 0 && sameObjectAs(w0, ptr, slotW0(k, next), slotPtr(k, next)));
}

/** Releases what the object of the cap in `slot` holds, if this is its last cap (or per-cap state, such as a frame's mapping). */
function finaliseCap(k: Kernel, slot: number, final: boolean): void {
  const w0 = slotW0(k, slot);
  const ptr = slotPtr(k, slot);
  switch (w0 & 31) {
    case cap_endpoint_cap:
      if (final) cancelAllIPC(k, ptr);
      break;
    case cap_notification_cap:
      if (final) { unbindMaybeNotification(k, ptr); cancelAllSignals(k, ptr); }
      break;
    case cap_cnode_cap:
      if (final) {
        const n = 1 << cnodeRadix(w0);
        for (let i = 0; i < n; i++) {
          const s = ptr + i * 32;
          if (s !== slot && slotType(k, s) !== cap_null_cap) cteDelete(k, s, true);
        }
      }
      break;
    case cap_thread_cap:
      if (final) finaliseTCB(k, ptr);
      break;
    case cap_irq_handler_cap:
      if (final) deletingIRQHandler(k, ptr);
      break;
    case cap_frame_cap:
      finaliseFrameCap(k, slot);
      break;
    case cap_page_table_cap:
      if (final) finalisePageTable(k, slot);
      break;
    case cap_page_directory_cap:
      if (final) finalisePageDirectory(k, slot);
      break;
    case cap_asid_pool_cap:
      if (final) deleteASIDPool(k, slot);
      break;
  }
}

/** Deletes the cap in `slot`; the last cap to an object destroys it (seL4's cteDelete). */
export function cteDelete(k: Kernel, slot: number, _exposed: boolean): number {
  const w0 = slotW0(k, slot);
  const type = w0 & 31;
  if (type === cap_null_cap) return seL4_NoError;
  if (type === cap_reply_cap) {
    // Nothing to finalise (non-MCS), final or not: every reply and every Recv deletes one.
    emptySlot(k, slot);
    return seL4_NoError;
  }
  const ptr = slotPtr(k, slot);
  const final = isFinalCapability(k, slot);
  const recursive = type === cap_cnode_cap || type === cap_thread_cap;
  if (recursive && final) {
    if (k.finalising.has(ptr)) { emptySlot(k, slot); return seL4_NoError; }
    k.finalising.add(ptr);
    try { finaliseCap(k, slot, true); } finally { k.finalising.delete(ptr); }
  } else {
    finaliseCap(k, slot, final);
  }
  emptySlot(k, slot);
  return seL4_NoError;
}

/** Deletes a cap whose finalisation cannot recurse (reply, IRQ, endpoint caps in kernel slots). */
export function cteDeleteOne(k: Kernel, slot: number): void {
  cteDelete(k, slot, true);
}

/** Deletes every cap derived from the cap in `slot` (seL4's cteRevoke). */
export function cteRevoke(k: Kernel, slot: number): number {
  for (;;) {
    if (slotType(k, slot) === cap_null_cap) return seL4_NoError;
    const next = mdbNext(k, slot);
    if (next === 0 || !isMDBParentOf(k, slot, next)) return seL4_NoError;
    cteDelete(k, next, true);
  }
}

/**
 * seL4's deriveCap: the cap as it may be copied from `slot`, in `cap`
 * (in/out). Reply and IRQControl caps become null (they cannot be copied);
 * an untyped with children gives RevokeFirst; a frame loses its mapping; an
 * unmapped page table or directory cannot be derived (IllegalOperation).
 */
export function deriveCap(k: Kernel, slot: number, cap: Int32Array): number {
  switch (cap[0]! & 31) {
    case cap_reply_cap:
    case cap_irq_control_cap:
      cap[0] = 0; cap[1] = 0; cap[2] = 0; cap[3] = 0;
      return seL4_NoError;
    case cap_untyped_cap:
      return ensureNoChildren(k, slot);
    case cap_frame_cap:
      cap[2] = 0; cap[3] = 0;
      return seL4_NoError;
    case cap_page_table_cap:
    case cap_page_directory_cap:
      if (cap[3] === 0) { k.err.type = seL4_IllegalOperation; return seL4_IllegalOperation; }
      return seL4_NoError;
    default:
      return seL4_NoError;
  }
}

/** Loads the cap in `slot` into `out` and derives it. */
export function deriveCapInto(k: Kernel, slot: number, out: Int32Array): number {
  const i = slot >> 2;
  out[0] = k.m[i]! & ~W0_MDB_BITS; out[1] = k.m[i + 1]!; out[2] = k.m[i + 2]!; out[3] = k.m[i + 3]!;
  return deriveCap(k, slot, out);
}

/** seL4's maskCapRights: rights of endpoint, notification, reply and frame caps are diminished by `rights`. */
export function maskCapRights(rights: number, cap: Int32Array): void {
  const w0 = cap[0]!;
  const t = w0 & 31;
  if (t === cap_endpoint_cap || t === cap_notification_cap) {
    const r = capRightsOf(w0) & rights & (t === cap_notification_cap ? RIGHT_READ | RIGHT_WRITE : 15);
    cap[0] = (w0 & ~(15 << 5)) | (r << 5);
  } else if (t === cap_reply_cap) {
    if ((rights & RIGHT_GRANT) === 0) cap[0] = w0 & ~(2 << 16);
  } else if (t === cap_frame_cap) {
    const vm = frameVMRights(w0);
    let nvm = 0;
    if (vm === VM_READ_ONLY && (rights & RIGHT_READ) !== 0) nvm = VM_READ_ONLY;
    else if (vm === VM_READ_WRITE && (rights & RIGHT_READ) !== 0) nvm = (rights & RIGHT_WRITE) !== 0 ? VM_READ_WRITE : VM_READ_ONLY;
    cap[0] = (w0 & ~(3 << 17)) | (nvm << 17);
  }
}

/** seL4_CNode_CapData: guard (18 bits) and guard size (5 bits) as Mint's data word for a CNode cap. */
export function cnodeCapData(guard: number, guardSize: number): number {
  return (((guard & 0x3ffff) << 8) | ((guardSize & 31) << 3)) >>> 0;
}

/**
 * seL4's updateCapData: Mint's badge (endpoint, notification: only if not
 * badged yet, and not when `preserve`, as Mutate) or guard (CNode). A cap
 * that cannot take the data becomes null.
 */
export function updateCapData(preserve: boolean, data: number, cap: Int32Array): void {
  const w0 = cap[0]!;
  switch (w0 & 31) {
    case cap_endpoint_cap:
    case cap_notification_cap:
      if (!preserve && cap[2] === 0) cap[2] = data & BADGE_MASK;
      else { cap[0] = 0; cap[1] = 0; cap[2] = 0; cap[3] = 0; }
      return;
    case cap_cnode_cap: {
      const guard = (data >>> 8) & 0x3ffff;
      const guardSize = (data >>> 3) & 31;
      if (guardSize + cnodeRadix(w0) > seL4_WordBits) { cap[0] = 0; cap[1] = 0; cap[2] = 0; cap[3] = 0; return; }
      cap[0] = (w0 & ~(63 << 21)) | (guardSize << 21);
      cap[2] = (guard & MASKS[guardSize]!) | 0;
      return;
    }
    default:
      return;
  }
}

export { capTypeOf, cnodeGuardSize };
