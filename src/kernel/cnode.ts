/**
 * CNodes (seL4's src/object/cnode.c and kernel/cspace.c): capability
 * addressing and the CNode invocations.
 *
 * A CNode of radix r is 2^r slots of 32 bytes. A CPtr is resolved against a
 * root CNode cap, most significant bits first: at each level the cap's
 * guard (guardSize bits, which must equal the guard stored in the cap) is
 * skipped, then `radix` bits index a slot; if bits remain and the slot holds
 * a CNode cap, resolution continues there. `depth` says how many bits of the
 * CPtr to use. Failures are seL4's lookup failures: InvalidRoot (the root is
 * not a CNode), GuardMismatch, DepthMismatch, MissingCapability.
 *
 *   lookupCapSlot          a thread's CPtr, 32 bits, from its CSpace root:
 *                          stops early at a non-CNode cap (system calls).
 *   lookupSlotForCNodeOp   (root, index, depth) must resolve exactly
 *                          `depth` bits (CNode invocations, retype targets).
 */
import type { Kernel } from './state.js';
import {
  MASKS, cnodeGuardSize, cnodeRadix, loadCap, shr, slotData, slotPtr, slotType, slotW0, RIGHTS_ALL,
} from './cap.js';
import { cap_cnode_cap, cap_endpoint_cap, cap_null_cap, seL4_WordBits } from './objecttype.js';
import {
  seL4_DeleteFirst, seL4_DepthMismatch, seL4_FailedLookup, seL4_GuardMismatch, seL4_IllegalOperation, seL4_InvalidRoot,
  seL4_MissingCapability, seL4_NoError, seL4_RangeError,
} from './errors.js';
import { cteDelete, cteInsert, cteMove, cteRevoke, cteSwap, deriveCap, maskCapRights, updateCapData } from './cdt.js';
import { cancelBadgedSends } from './endpoint.js';
import { tcbCTable, tcbSlot } from './tcb.js';

/**
 * Resolves `nBits` bits of `capptr` from the CNode cap in `rootSlot`.
 * Returns the slot reached (k.bitsRemaining: bits not yet used) or 0 with
 * the lookup failure in k.err.
 */
export function resolveAddressBits(k: Kernel, rootSlot: number, capptr: number, nBits: number): number {
  let node = rootSlot;
  let w0 = slotW0(k, node);
  if ((w0 & 31) !== cap_cnode_cap) {
    k.err.lookupFailureType = seL4_InvalidRoot;
    return 0;
  }
  capptr >>>= 0;
  for (;;) {
    const radix = cnodeRadix(w0);
    const guardSize = cnodeGuardSize(w0);
    const levelBits = radix + guardSize;
    const capGuard = slotData(k, node);
    if (guardSize > nBits || ((shr(capptr, nBits - guardSize) & MASKS[guardSize]!) >>> 0) !== capGuard) {
      k.err.lookupFailureType = seL4_GuardMismatch;
      k.err.bitsLeft = nBits;
      k.err.guardFound = capGuard;
      k.err.bitsFound = guardSize;
      return 0;
    }
    if (levelBits > nBits || levelBits === 0) {
      k.err.lookupFailureType = seL4_DepthMismatch;
      k.err.bitsLeft = nBits;
      k.err.bitsFound = levelBits;
      return 0;
    }
    const offset = (shr(capptr, nBits - levelBits) & MASKS[radix]!) >>> 0;
    const slot = slotPtr(k, node) + offset * 32;
    if (nBits === levelBits) {
      k.bitsRemaining = 0;
      return slot;
    }
    nBits -= levelBits;
    w0 = slotW0(k, slot);
    if ((w0 & 31) !== cap_cnode_cap) {
      k.bitsRemaining = nBits;
      return slot;
    }
    node = slot;
  }
}

/** The slot a thread's CPtr names in its CSpace (all 32 bits), or 0 (FailedLookup, lookup failure in k.err). */
export function lookupCapSlot(k: Kernel, t: number, cptr: number): number {
  const slot = resolveAddressBits(k, tcbSlot(t, tcbCTable), cptr, seL4_WordBits);
  if (slot === 0) k.err.type = seL4_FailedLookup;
  return slot;
}

/**
 * lookupCapSlot for the fastpaths: a CSpace whose root CNode resolves all
 * 32 bits in one level (guard + radix = 32, as the root task and the NT
 * executive build them) needs one guard compare and one index; any other
 * shape, or a guard that does not match, takes the general lookup (same
 * result, same lookup failure recorded).
 */
export function lookupCapSlotFast(k: Kernel, t: number, cptr: number): number {
  const m = k.m;
  const ri = tcbSlot(t, tcbCTable) >> 2;
  const w0 = m[ri]!;
  const radix = cnodeRadix(w0);
  if ((w0 & 31) === cap_cnode_cap && radix + cnodeGuardSize(w0) === seL4_WordBits && (cptr >>> radix) === (m[ri + 2]! >>> 0)) {
    return m[ri + 1]! + (cptr & ((1 << radix) - 1)) * 32;
  }
  return lookupCapSlot(k, t, cptr);
}

/** A slot for a CNode operation: `depth` bits of `capptr` from the CNode cap in `rootSlot`, exactly; 0 on error. */
export function lookupSlotForCNodeOp(k: Kernel, isSource: boolean, rootSlot: number, capptr: number, depth: number): number {
  const e = k.err;
  if (slotType(k, rootSlot) !== cap_cnode_cap) {
    e.type = seL4_FailedLookup;
    e.failedLookupWasSource = isSource;
    e.lookupFailureType = seL4_InvalidRoot;
    return 0;
  }
  if (!(depth >= 1 && depth <= seL4_WordBits)) {
    e.type = seL4_RangeError;
    e.rangeErrorMin = 1;
    e.rangeErrorMax = seL4_WordBits;
    return 0;
  }
  const slot = resolveAddressBits(k, rootSlot, capptr, depth);
  if (slot === 0) {
    e.type = seL4_FailedLookup;
    e.failedLookupWasSource = isSource;
    return 0;
  }
  if (k.bitsRemaining !== 0) {
    e.type = seL4_FailedLookup;
    e.failedLookupWasSource = isSource;
    e.lookupFailureType = seL4_DepthMismatch;
    e.bitsLeft = k.bitsRemaining;
    e.bitsFound = 0;
    return 0;
  }
  return slot;
}

function ensureEmptySlot(k: Kernel, slot: number): number {
  if (slotType(k, slot) !== cap_null_cap) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  return seL4_NoError;
}

function sourceSlot(k: Kernel, srcRoot: number, srcIndex: number, srcDepth: number): number {
  const src = lookupSlotForCNodeOp(k, true, srcRoot, srcIndex, srcDepth);
  if (src === 0) return 0;
  if (slotType(k, src) === cap_null_cap) {
    k.err.type = seL4_FailedLookup;
    k.err.failedLookupWasSource = true;
    k.err.lookupFailureType = seL4_MissingCapability;
    k.err.bitsLeft = srcDepth;
    return 0;
  }
  return src;
}

/** Copy (mint = false) or Mint: derive the source cap into the empty destination, rights diminished, badge/guard set. */
function copyOrMint(k: Kernel, mint: boolean, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number, rights: number, data: number): number {
  const dest = lookupSlotForCNodeOp(k, false, destRoot, destIndex, destDepth);
  if (dest === 0) return k.err.type;
  let e = ensureEmptySlot(k, dest);
  if (e !== seL4_NoError) return e;
  const src = sourceSlot(k, srcRoot, srcIndex, srcDepth);
  if (src === 0) return k.err.type;
  const cap = k.capA;
  loadCap(k, src, cap);
  maskCapRights(rights & RIGHTS_ALL, cap);
  if (mint) updateCapData(false, data, cap);
  e = deriveCap(k, src, cap);
  if (e !== seL4_NoError) return e;
  if ((cap[0]! & 31) === cap_null_cap) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  cteInsert(k, cap, src, dest);
  return seL4_NoError;
}

/** CNode_Copy: `destRoot` is the invoked CNode cap's slot; `srcRoot` a CNode cap's slot. */
export function invokeCNode_Copy(k: Kernel, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number, rights: number): number {
  return copyOrMint(k, false, destRoot, destIndex, destDepth, srcRoot, srcIndex, srcDepth, rights, 0);
}

/** CNode_Mint: Copy that also sets a badge (endpoint, notification) or guard (CNode, see cnodeCapData). */
export function invokeCNode_Mint(k: Kernel, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number, rights: number, badge: number): number {
  return copyOrMint(k, true, destRoot, destIndex, destDepth, srcRoot, srcIndex, srcDepth, rights, badge);
}

/** CNode_Move / CNode_Mutate (Move that applies cap data, preserving badges: a badge cannot be changed). */
function moveOrMutate(k: Kernel, mutate: boolean, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number, data: number): number {
  const dest = lookupSlotForCNodeOp(k, false, destRoot, destIndex, destDepth);
  if (dest === 0) return k.err.type;
  const e = ensureEmptySlot(k, dest);
  if (e !== seL4_NoError) return e;
  const src = sourceSlot(k, srcRoot, srcIndex, srcDepth);
  if (src === 0) return k.err.type;
  const cap = k.capA;
  loadCap(k, src, cap);
  if (mutate) {
    updateCapData(true, data, cap);
    if ((cap[0]! & 31) === cap_null_cap) {
      k.err.type = seL4_IllegalOperation;
      return seL4_IllegalOperation;
    }
  }
  cteMove(k, cap, src, dest);
  return seL4_NoError;
}

export function invokeCNode_Move(k: Kernel, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number): number {
  return moveOrMutate(k, false, destRoot, destIndex, destDepth, srcRoot, srcIndex, srcDepth, 0);
}
export function invokeCNode_Mutate(k: Kernel, destRoot: number, destIndex: number, destDepth: number, srcRoot: number, srcIndex: number, srcDepth: number, data: number): number {
  return moveOrMutate(k, true, destRoot, destIndex, destDepth, srcRoot, srcIndex, srcDepth, data);
}

/** CNode_Delete. */
export function invokeCNode_Delete(k: Kernel, root: number, index: number, depth: number): number {
  const slot = lookupSlotForCNodeOp(k, false, root, index, depth);
  if (slot === 0) return k.err.type;
  return cteDelete(k, slot, true);
}

/** CNode_Revoke: deletes every cap derived from the cap in the slot, which stays. */
export function invokeCNode_Revoke(k: Kernel, root: number, index: number, depth: number): number {
  const slot = lookupSlotForCNodeOp(k, false, root, index, depth);
  if (slot === 0) return k.err.type;
  return cteRevoke(k, slot);
}

/** CNode_CancelBadgedSends: needs an endpoint cap with all rights; aborts queued sends with its badge. */
export function invokeCNode_CancelBadgedSends(k: Kernel, root: number, index: number, depth: number): number {
  const slot = lookupSlotForCNodeOp(k, false, root, index, depth);
  if (slot === 0) return k.err.type;
  const w0 = slotW0(k, slot);
  if ((w0 & 31) !== cap_endpoint_cap || ((w0 >>> 5) & 15) !== RIGHTS_ALL) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const badge = slotData(k, slot);
  if (badge !== 0) cancelBadgedSends(k, slotPtr(k, slot), badge);
  return seL4_NoError;
}

/**
 * CNode_Rotate: pivot -> destination (with destBadge), source -> pivot (with
 * srcBadge). The destination must be empty unless it is the source (then the
 * two caps are swapped); the pivot must differ from both.
 */
export function invokeCNode_Rotate(
  k: Kernel, destRoot: number, destIndex: number, destDepth: number, destBadge: number,
  pivotRoot: number, pivotIndex: number, pivotDepth: number, pivotBadge: number,
  srcRoot: number, srcIndex: number, srcDepth: number,
): number {
  const dest = lookupSlotForCNodeOp(k, false, destRoot, destIndex, destDepth);
  if (dest === 0) return k.err.type;
  const pivot = lookupSlotForCNodeOp(k, true, pivotRoot, pivotIndex, pivotDepth);
  if (pivot === 0) return k.err.type;
  const src = lookupSlotForCNodeOp(k, true, srcRoot, srcIndex, srcDepth);
  if (src === 0) return k.err.type;
  if (pivot === src || pivot === dest) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  if (src !== dest && slotType(k, dest) !== cap_null_cap) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  for (const s of [src, pivot]) {
    if (slotType(k, s) === cap_null_cap) {
      k.err.type = seL4_FailedLookup;
      k.err.failedLookupWasSource = true;
      k.err.lookupFailureType = seL4_MissingCapability;
      return seL4_FailedLookup;
    }
  }
  const newSrc = k.capA; // source cap, to land in the pivot
  const newPivot = k.capB; // pivot cap, to land in the destination
  loadCap(k, src, newSrc);
  updateCapData(true, pivotBadge, newSrc);
  loadCap(k, pivot, newPivot);
  updateCapData(true, destBadge, newPivot);
  if ((newSrc[0]! & 31) === cap_null_cap || (newPivot[0]! & 31) === cap_null_cap) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  if (src === dest) {
    cteSwap(k, newSrc, src, newPivot, pivot);
  } else {
    cteMove(k, newPivot, pivot, dest);
    cteMove(k, newSrc, src, pivot);
  }
  return seL4_NoError;
}
