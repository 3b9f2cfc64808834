/**
 * ASIDs on ia32 (seL4's x86 ASID code): 12-bit address-space identifiers,
 * 2 high bits choosing one of 4 ASID pools in the kernel's ASID table
 * (globals), 10 low bits an entry of the pool. ASIDControl_MakePool turns a
 * 4 KiB untyped into a pool; ASIDPool_Assign gives a page directory an ASID
 * (required before mapping into it). ASID 0 is never handed out.
 *
 * A pool object is 1024 words: the page directory of each ASID (0 = free).
 */
import type { Kernel } from './state.js';
import { ASID_LOW_BITS, G_ASID_TABLE } from './state.js';
import { CTE_DATA, CTE_DATA2, capWord0, slotData2, slotPtr, slotType, slotW0, untypedSizeBits, RIGHTS_ALL } from './cap.js';
import { cap_asid_control_cap, cap_asid_pool_cap, cap_null_cap, cap_page_directory_cap, cap_untyped_cap, seL4_ASIDPoolBits } from './objecttype.js';
import { seL4_DeleteFirst, seL4_FailedLookup, seL4_InvalidCapability, seL4_InvalidRoot, seL4_NoError } from './errors.js';
import { ensureNoChildren, insertNewCap } from './cdt.js';
import { lookupSlotForCNodeOp } from './cnode.js';
import { invalidateTranslations } from './shootdown.js';

const POOLS = 4;

/** ASIDControl_MakePool: a 4 KiB untyped without children becomes a new pool, cap to (index, depth) of `destRoot`. */
export function invokeASIDControl_MakePool(k: Kernel, controlSlot: number, untypedSlot: number, destRoot: number, index: number, depth: number): number {
  if (slotType(k, controlSlot) !== cap_asid_control_cap) { k.err.type = seL4_InvalidCapability; return seL4_InvalidCapability; }
  let base = -1;
  for (let i = 0; i < POOLS; i++) if (k.g[G_ASID_TABLE + i] === 0) { base = i; break; }
  if (base < 0) { k.err.type = seL4_DeleteFirst; return seL4_DeleteFirst; }
  const uw0 = slotW0(k, untypedSlot);
  if ((uw0 & 31) !== cap_untyped_cap || untypedSizeBits(uw0) !== seL4_ASIDPoolBits || ((uw0 >>> 21) & 1) !== 0) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 1;
    return seL4_InvalidCapability;
  }
  const e = ensureNoChildren(k, untypedSlot);
  if (e !== seL4_NoError) return e;
  const dest = lookupSlotForCNodeOp(k, false, destRoot, index, depth);
  if (dest === 0) return k.err.type;
  if (slotType(k, dest) !== cap_null_cap) { k.err.type = seL4_DeleteFirst; return seL4_DeleteFirst; }
  const pool = slotPtr(k, untypedSlot);
  k.zero(pool, 1 << seL4_ASIDPoolBits);
  k.m[(untypedSlot >> 2) + CTE_DATA] = 1 << seL4_ASIDPoolBits;
  insertNewCap(k, untypedSlot, dest, capWord0(cap_asid_pool_cap, RIGHTS_ALL, 0), pool, base << ASID_LOW_BITS, 0);
  k.g[G_ASID_TABLE + base] = pool;
  return seL4_NoError;
}

/** ASIDPool_Assign: gives the page directory in `pdSlot` a free ASID of the pool. */
export function invokeASIDPool_Assign(k: Kernel, poolSlot: number, pdSlot: number): number {
  if (slotType(k, poolSlot) !== cap_asid_pool_cap) { k.err.type = seL4_InvalidCapability; return seL4_InvalidCapability; }
  if (slotType(k, pdSlot) !== cap_page_directory_cap || slotData2(k, pdSlot) !== 0) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 1;
    return seL4_InvalidCapability;
  }
  const pool = slotPtr(k, poolSlot);
  const asidBase = k.m[(poolSlot >> 2) + CTE_DATA]!;
  const current = k.g[G_ASID_TABLE + ((asidBase >>> ASID_LOW_BITS) & 3)]!;
  if (current === 0) {
    // The pool's ASID range has no pool (it was deleted): seL4's invalid-root lookup failure.
    k.err.type = seL4_FailedLookup;
    k.err.failedLookupWasSource = false;
    k.err.lookupFailureType = seL4_InvalidRoot;
    return seL4_FailedLookup;
  }
  if (current !== pool) { k.err.type = seL4_InvalidCapability; k.err.invalidCapNumber = 0; return seL4_InvalidCapability; }
  for (let i = asidBase === 0 ? 1 : 0; i < 1 << ASID_LOW_BITS; i++) {
    if (k.m[(pool >> 2) + i] === 0) {
      k.m[(pool >> 2) + i] = slotPtr(k, pdSlot);
      k.m[(pdSlot >> 2) + CTE_DATA2] = asidBase + i;
      return seL4_NoError;
    }
  }
  k.err.type = seL4_DeleteFirst;
  return seL4_DeleteFirst;
}

/** The page directory of `asid`, or 0. */
export function findPDForASID(k: Kernel, asid: number): number {
  const pool = k.g[G_ASID_TABLE + ((asid >>> ASID_LOW_BITS) & 3)]!;
  return pool === 0 ? 0 : k.m[(pool >> 2) + (asid & 1023)]!;
}

export function deleteASID(k: Kernel, asid: number, pd: number): void {
  const pool = k.g[G_ASID_TABLE + ((asid >>> ASID_LOW_BITS) & 3)]!;
  if (pool !== 0 && k.m[(pool >> 2) + (asid & 1023)] === pd) k.m[(pool >> 2) + (asid & 1023)] = 0;
}

/** The last cap to a pool: its ASIDs are gone, and so is every translation through their page directories. */
export function deleteASIDPool(k: Kernel, poolSlot: number): void {
  const base = k.m[(poolSlot >> 2) + CTE_DATA]! >>> ASID_LOW_BITS;
  const pool = slotPtr(k, poolSlot);
  if (k.g[G_ASID_TABLE + base] !== pool) return;
  k.g[G_ASID_TABLE + base] = 0;
  let used = false;
  for (let i = 0; i < 1 << ASID_LOW_BITS && !used; i++) used = k.m[(pool >> 2) + i] !== 0;
  if (used) invalidateTranslations(k, -1, 0, 0);
}
