/**
 * Untyped memory and Retype (seL4's src/object/untyped.c).
 *
 * An untyped cap covers 2^blockSize bytes of physical memory from its
 * pointer; its free index (word 2 of the cap, in bytes) is the watermark
 * below which memory has been handed out. Retype carves `numObjects`
 * objects of one type, each aligned to its own size, from the first aligned
 * address at or above the watermark, zeroes them, and puts their caps
 * (children of the untyped in the CDT) in consecutive empty slots of a
 * destination CNode. An untyped with no children left (all revoked) starts
 * again from its base.
 *
 * Errors, in the order seL4 checks them: InvalidArgument (unknown type;
 * CNode of size 0; untyped smaller than seL4_MinUntypedBits), RangeError
 * (size too large; more than CONFIG_RETYPE_FAN_OUT_LIMIT objects; node
 * offset/window out of the destination CNode), FailedLookup (destination
 * CNode), DeleteFirst (a destination slot is occupied), NotEnoughMemory,
 * InvalidArgument (a kernel object from device memory).
 */
import type { Kernel } from './state.js';
import { G_TIME_SLICE } from './state.js';
import {
  capWord0, cnodeExtra, frameExtra, slotData, slotPtr, slotType, slotW0, untypedExtra, untypedIsDevice, untypedSizeBits,
  RIGHTS_ALL, VM_READ_WRITE, CTE_DATA,
} from './cap.js';
import {
  CONFIG_RETYPE_FAN_OUT_LIMIT, cap_cnode_cap, cap_endpoint_cap, cap_frame_cap, cap_notification_cap, cap_null_cap,
  cap_page_directory_cap, cap_page_table_cap, cap_thread_cap, cap_untyped_cap, getObjectSize, seL4_CapTableObject,
  seL4_EndpointObject, seL4_MaxUntypedBits, seL4_MinUntypedBits, seL4_NotificationObject, seL4_ObjectTypeCount,
  seL4_TCBObject, seL4_UntypedObject, seL4_WordBits, seL4_X86_4K, seL4_X86_LargePageObject,
  seL4_X86_PageDirectoryObject, seL4_X86_PageTableObject, typeAllowedFromDevice,
} from './objecttype.js';
import {
  seL4_DeleteFirst, seL4_FailedLookup, seL4_InvalidCapability, seL4_MissingCapability,
  seL4_NoError, seL4_NotEnoughMemory,
} from './errors.js';
import { ensureNoChildren, insertNewCap } from './cdt.js';
import { cnodeRadix } from './cap.js';
import { lookupSlotForCNodeOp } from './cnode.js';
import { initTCB } from './tcb.js';
import { initPageDirectory } from './vspace.js';

/**
 * Untyped_Retype on the untyped cap in `untypedSlot`. The destination is
 * the CNode found at (nodeIndex, nodeDepth) from the CNode cap in
 * `rootSlot` (depth 0: that CNode itself); objects go to slots
 * nodeOffset .. nodeOffset + numObjects - 1.
 */
export function invokeUntyped_Retype(
  k: Kernel, untypedSlot: number, type: number, userObjSize: number,
  rootSlot: number, nodeIndex: number, nodeDepth: number, nodeOffset: number, numObjects: number,
): number {
  const uw0 = slotW0(k, untypedSlot);
  if ((uw0 & 31) !== cap_untyped_cap) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 0;
    return seL4_InvalidCapability;
  }
  if (!(type >= 0 && type < seL4_ObjectTypeCount)) return k.err.invalidArgument(0);
  const objectSize = getObjectSize(type, userObjSize);
  if (!(userObjSize >= 0 && userObjSize < seL4_WordBits) || objectSize > seL4_MaxUntypedBits) return k.err.rangeError(0, seL4_MaxUntypedBits);
  if (type === seL4_CapTableObject && userObjSize === 0) return k.err.invalidArgument(1);
  if (type === seL4_UntypedObject && userObjSize < seL4_MinUntypedBits) return k.err.invalidArgument(1);

  let node = rootSlot;
  if (nodeDepth !== 0) {
    node = lookupSlotForCNodeOp(k, false, rootSlot, nodeIndex, nodeDepth);
    if (node === 0) return k.err.type;
  }
  if (slotType(k, node) !== cap_cnode_cap) {
    k.err.type = seL4_FailedLookup;
    k.err.failedLookupWasSource = false;
    k.err.lookupFailureType = seL4_MissingCapability;
    k.err.bitsLeft = nodeDepth;
    return seL4_FailedLookup;
  }
  const nodeSize = 2 ** cnodeRadix(slotW0(k, node));
  if (!(numObjects >= 1 && numObjects <= CONFIG_RETYPE_FAN_OUT_LIMIT)) return k.err.rangeError(1, CONFIG_RETYPE_FAN_OUT_LIMIT);
  if (!(nodeOffset >= 0 && nodeOffset <= nodeSize - 1)) return k.err.rangeError(0, nodeSize - 1);
  if (numObjects > nodeSize - nodeOffset) return k.err.rangeError(1, nodeSize - nodeOffset);
  const destBase = slotPtr(k, node) + nodeOffset * 32;
  for (let i = 0; i < numObjects; i++) {
    if (slotType(k, destBase + i * 32) !== cap_null_cap) {
      k.err.type = seL4_DeleteFirst;
      return seL4_DeleteFirst;
    }
  }

  // An untyped whose children were all revoked is reset to its base.
  const base = slotPtr(k, untypedSlot) >>> 0;
  const blockSize = untypedSizeBits(uw0);
  const freeIndex = ensureNoChildren(k, untypedSlot) === seL4_NoError ? 0 : slotData(k, untypedSlot);
  k.err.type = seL4_NoError;
  const freeRef = base + freeIndex;
  const end = base + 2 ** blockSize;
  const objBytes = 2 ** objectSize;
  const aligned = Math.ceil(freeRef / objBytes) * objBytes;
  const available = end - aligned;
  if (available < 0 || Math.floor(available / objBytes) < numObjects) {
    k.err.type = seL4_NotEnoughMemory;
    k.err.memoryLeft = Math.max(0, end - freeRef);
    return seL4_NotEnoughMemory;
  }
  const isDevice = untypedIsDevice(uw0);
  if (isDevice && !typeAllowedFromDevice(type)) return k.err.invalidArgument(1);

  k.m[(untypedSlot >> 2) + CTE_DATA] = aligned + numObjects * objBytes - base;
  for (let i = 0; i < numObjects; i++) {
    const obj = aligned + i * objBytes;
    createObject(k, untypedSlot, destBase + i * 32, type, userObjSize, obj, objBytes, isDevice);
  }
  return seL4_NoError;
}

/** Zeroes and initialises one object and inserts its cap (seL4's createObject + insertNewCap). */
function createObject(k: Kernel, parent: number, slot: number, type: number, userObjSize: number, obj: number, bytes: number, isDevice: boolean): void {
  if (!isDevice) k.zero(obj, bytes);
  let w0 = 0;
  switch (type) {
    case seL4_UntypedObject: w0 = capWord0(cap_untyped_cap, RIGHTS_ALL, untypedExtra(userObjSize, isDevice)); break;
    case seL4_TCBObject: initTCB(k, obj, k.g[G_TIME_SLICE]!); w0 = capWord0(cap_thread_cap, RIGHTS_ALL, 0); break;
    case seL4_EndpointObject: w0 = capWord0(cap_endpoint_cap, RIGHTS_ALL, 0); break;
    case seL4_NotificationObject: w0 = capWord0(cap_notification_cap, RIGHTS_ALL, 0); break;
    case seL4_CapTableObject: w0 = capWord0(cap_cnode_cap, RIGHTS_ALL, cnodeExtra(userObjSize, 0)); break;
    case seL4_X86_4K: w0 = capWord0(cap_frame_cap, RIGHTS_ALL, frameExtra(false, VM_READ_WRITE, isDevice)); break;
    case seL4_X86_LargePageObject: w0 = capWord0(cap_frame_cap, RIGHTS_ALL, frameExtra(true, VM_READ_WRITE, isDevice)); break;
    case seL4_X86_PageTableObject: w0 = capWord0(cap_page_table_cap, RIGHTS_ALL, 0); break;
    case seL4_X86_PageDirectoryObject: initPageDirectory(k, obj); w0 = capWord0(cap_page_directory_cap, RIGHTS_ALL, 0); break;
  }
  insertNewCap(k, parent, slot, w0, obj, 0, 0);
}

