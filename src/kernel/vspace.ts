/**
 * VSpaces on ia32 (seL4's src/arch/x86/kernel/vspace.c, 32-bit paging):
 * a page directory (1024 PDEs) whose entries point to page tables (1024
 * PTEs) or map 4 MiB large pages. Entries use the i386 hardware format, in
 * object memory, so that the MMU walks exactly what the kernel wrote:
 *   bit 0 present, bit 1 writable, bit 2 user, bit 3 PWT, bit 4 PCD,
 *   bit 7 (PDE) 4 MiB page, bits 12-31 physical frame.
 *
 * Caps: a page table cap's word 2 is the virtual base it maps, word 3 the
 * page directory it is in (0: unmapped). A frame cap likewise (word 2 the
 * virtual address, word 3 the page directory). A page directory cap's
 * word 3 is its ASID (0: none assigned; asid.ts). As in seL4, a page
 * directory must have an ASID before anything is mapped into it.
 *
 * The invoke* functions are the whole method, checks included, in the
 * order seL4's decodeX86*Invocation makes them (the reference manual's
 * errors); invocation.ts only unpacks the message into them, and the host
 * (space-builder.ts, the executive) calls them directly.
 *
 * Every path that removes or weakens a mapping ends in
 * invalidateTranslations (shootdown.ts): this core's TLB entries go at
 * once, other cores' before the operation returns.
 */
import type { Kernel } from './state.js';
import {
  CTE_DATA, CTE_DATA2, frameIsLarge, frameVMRights, slotData2, slotPtr, slotType, slotW0, RIGHT_READ, RIGHT_WRITE,
  VM_READ_ONLY, VM_READ_WRITE,
} from './cap.js';
import { cap_frame_cap, cap_page_directory_cap, cap_page_table_cap, seL4_PageTableBits } from './objecttype.js';
import {
  seL4_AlignmentError, seL4_DeleteFirst, seL4_FailedLookup, seL4_IllegalOperation, seL4_InvalidRoot, seL4_MissingCapability, seL4_NoError, seL4_RevokeFirst,
} from './errors.js';
import { deleteASID, findPDForASID } from './asid.js';
import { isFinalCapability } from './cdt.js';
import { invalidateTranslations } from './shootdown.js';

export const PTE_PRESENT = 1;
export const PTE_WRITE = 2;
export const PTE_USER = 4;
export const PTE_PWT = 8;
export const PTE_PCD = 0x10;
export const PDE_LARGE = 0x80;
/** User addresses end here (seL4 ia32's kernel window starts at 0xe0000000). */
export const USER_TOP = 0xe0000000;

/** seL4_X86_VMAttributes (seL4_X86_Default_VMAttributes = WriteBack = 0). */
export const seL4_X86_WriteThrough = 1;
export const seL4_X86_CacheDisabled = 2;

export function initPageDirectory(_k: Kernel, _pd: number): void {
  // A fresh page directory is all zeroes (not present); the kernel window is
  // not mapped into user page directories here (the engine is the kernel).
}

/** A FailedLookup of a paging structure (not of a cap slot: failedLookupWasSource false). */
function failedLookup(k: Kernel, type: number, bitsLeft: number): number {
  k.err.type = seL4_FailedLookup;
  k.err.failedLookupWasSource = false;
  k.err.lookupFailureType = type;
  k.err.bitsLeft = bitsLeft;
  k.err.bitsFound = 0;
  k.err.guardFound = 0;
  return seL4_FailedLookup;
}

/** The PTE/PDE cache bits of seL4_X86_VMAttributes (the others have no meaning without a cache model). */
function attrBits(attr: number): number {
  return ((attr & seL4_X86_WriteThrough) !== 0 ? PTE_PWT : 0) | ((attr & seL4_X86_CacheDisabled) !== 0 ? PTE_PCD : 0);
}

/**
 * The VSpace argument of a Map (the cap in `pdSlot`, cap argument 1):
 * a page directory cap with an ASID (else InvalidCapability 1) whose ASID
 * still names it (no pool or entry: FailedLookup, InvalidRoot; another
 * page directory: InvalidCapability 1). Its address, or 0 with k.err set.
 */
function vspaceOfCap(k: Kernel, pdSlot: number): number {
  const w0 = slotW0(k, pdSlot);
  const asid = slotData2(k, pdSlot);
  if ((w0 & 31) !== cap_page_directory_cap || asid === 0) { k.err.invalidCapability(1); return 0; }
  const pd = slotPtr(k, pdSlot);
  const found = findPDForASID(k, asid);
  if (found === 0) { failedLookup(k, seL4_InvalidRoot, 0); return 0; }
  if (found !== pd) { k.err.invalidCapability(1); return 0; }
  return pd;
}

/**
 * seL4's maskVMRights: the rights of a mapping from the frame cap's VM
 * rights and the rights asked for. No Read: kernel-only (present, not user).
 */
export function maskVMRights(vmRights: number, rights: number): number {
  if ((rights & RIGHT_READ) === 0) return 0;
  if (vmRights === VM_READ_ONLY) return VM_READ_ONLY;
  if (vmRights === VM_READ_WRITE) return (rights & RIGHT_WRITE) !== 0 ? VM_READ_WRITE : VM_READ_ONLY;
  return 0;
}

/** X86_PageTable_Map: maps the page table into the page directory at the 4 MiB region of `vaddr`. */
export function invokePageTable_Map(k: Kernel, ptSlot: number, pdSlot: number, vaddr: number, attr = 0): number {
  if (slotType(k, ptSlot) !== cap_page_table_cap) return k.err.invalidCapability(0);
  if (slotData2(k, ptSlot) !== 0) return k.err.invalidCapability(0);
  vaddr = (vaddr & ~0x3fffff) >>> 0;
  const w0 = slotW0(k, pdSlot);
  if ((w0 & 31) !== cap_page_directory_cap || slotData2(k, pdSlot) === 0) return k.err.invalidCapability(1);
  if (vaddr >= USER_TOP) return k.err.invalidArgument(0);
  const pd = vspaceOfCap(k, pdSlot);
  if (pd === 0) return k.err.type;
  const pdi = (pd >> 2) + (vaddr >>> 22);
  if ((k.m[pdi]! & PTE_PRESENT) !== 0) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  const pt = slotPtr(k, ptSlot);
  k.m[pdi] = pt | PTE_PRESENT | PTE_WRITE | PTE_USER | attrBits(attr);
  k.m[(ptSlot >> 2) + CTE_DATA] = vaddr | 0;
  k.m[(ptSlot >> 2) + CTE_DATA2] = pd;
  return seL4_NoError;
}

/**
 * X86_PageTable_Unmap: only the last cap to the page table may (else
 * RevokeFirst); a mapped table leaves its page directory and is zeroed
 * (the frames it mapped are gone from the VSpace).
 */
export function invokePageTable_Unmap(k: Kernel, ptSlot: number): number {
  if (slotType(k, ptSlot) !== cap_page_table_cap) return k.err.invalidCapability(0);
  if (!isFinalCapability(k, ptSlot)) {
    k.err.type = seL4_RevokeFirst;
    return seL4_RevokeFirst;
  }
  if (slotData2(k, ptSlot) !== 0) {
    finalisePageTable(k, ptSlot);
    k.zero(slotPtr(k, ptSlot), 1 << seL4_PageTableBits);
  }
  return seL4_NoError;
}

/**
 * X86_Page_Map: maps the frame at `vaddr` of the VSpace in `pdSlot` with
 * the rights maskVMRights gives (a read-only frame cap never maps
 * writable) and `attr`. A frame already mapped at `vaddr` of that VSpace
 * gets the new rights and attributes (seL4 folded Remap into Map); mapped
 * elsewhere: InvalidCapability (another VSpace) or InvalidArgument.
 */
export function invokePage_Map(k: Kernel, frameSlot: number, pdSlot: number, vaddr: number, rights: number, attr = 0): number {
  const w0 = slotW0(k, frameSlot);
  if ((w0 & 31) !== cap_frame_cap) return k.err.invalidCapability(0);
  const pd = vspaceOfCap(k, pdSlot);
  if (pd === 0) return k.err.type;
  vaddr >>>= 0;
  const large = frameIsLarge(w0);
  const size = large ? 0x400000 : 0x1000;
  const vm = maskVMRights(frameVMRights(w0), rights);
  if ((vaddr & (size - 1)) !== 0) {
    k.err.type = seL4_AlignmentError;
    return seL4_AlignmentError;
  }
  const mappedIn = slotData2(k, frameSlot);
  const remap = mappedIn !== 0;
  if (remap) {
    if (mappedIn !== pd) return k.err.invalidCapability(0);
    if ((k.m[(frameSlot >> 2) + CTE_DATA]! >>> 0) !== vaddr) return k.err.invalidArgument(0);
  } else if (vaddr + size - 1 >= USER_TOP) {
    return k.err.invalidArgument(0);
  }
  const frame = slotPtr(k, frameSlot);
  const bits = PTE_PRESENT | (vm !== 0 ? PTE_USER : 0) | (vm === VM_READ_WRITE ? PTE_WRITE : 0) | attrBits(attr);
  const pdi = (pd >> 2) + (vaddr >>> 22);
  const pde = k.m[pdi]!;
  let at: number;
  if (large) {
    at = pdi;
    const cur = pde;
    // A remap finds its own entry; anything else there is in the way.
    if ((cur & PTE_PRESENT) !== 0 && !(remap && (cur & PDE_LARGE) !== 0 && (cur & ~0xfff) === frame)) {
      k.err.type = seL4_DeleteFirst;
      return seL4_DeleteFirst;
    }
    k.m[at] = frame | bits | PDE_LARGE;
  } else {
    if ((pde & PTE_PRESENT) === 0 || (pde & PDE_LARGE) !== 0) return failedLookup(k, seL4_MissingCapability, 22);
    at = ((pde & ~0xfff) >> 2) + ((vaddr >>> 12) & 1023);
    const cur = k.m[at]!;
    if ((cur & PTE_PRESENT) !== 0 && !(remap && (cur & ~0xfff) === frame)) {
      k.err.type = seL4_DeleteFirst;
      return seL4_DeleteFirst;
    }
    k.m[at] = frame | bits;
  }
  k.m[(frameSlot >> 2) + CTE_DATA] = vaddr | 0;
  k.m[(frameSlot >> 2) + CTE_DATA2] = pd;
  // New rights may be fewer than those cached.
  if (remap) invalidateTranslations(k, pd, vaddr, size);
  return seL4_NoError;
}

/** X86_Page_Unmap: removes the frame cap's mapping, if it has one. */
export function invokePage_Unmap(k: Kernel, frameSlot: number): number {
  if (slotType(k, frameSlot) !== cap_frame_cap) return k.err.invalidCapability(0);
  finaliseFrameCap(k, frameSlot);
  return seL4_NoError;
}

/** X86_Page_GetAddress: the frame's physical address (-1: not a frame cap, with k.err set). */
export function invokePage_GetAddress(k: Kernel, frameSlot: number): number {
  if (slotType(k, frameSlot) !== cap_frame_cap) {
    k.err.invalidCapability(0);
    return -1;
  }
  return slotPtr(k, frameSlot) >>> 0;
}

/** Unmaps a frame cap's mapping if it has one (every frame cap, final or not). */
export function finaliseFrameCap(k: Kernel, slot: number): void {
  const pd = slotData2(k, slot);
  if (pd === 0) return;
  const w0 = slotW0(k, slot);
  const vaddr = k.m[(slot >> 2) + CTE_DATA]! >>> 0;
  const frame = slotPtr(k, slot);
  const pdi = (pd >> 2) + (vaddr >>> 22);
  const pde = k.m[pdi]!;
  let cleared = false;
  if (frameIsLarge(w0)) {
    if ((pde & PDE_LARGE) !== 0 && (pde & ~0xfff) === frame) { k.m[pdi] = 0; cleared = true; }
  } else if ((pde & PTE_PRESENT) !== 0 && (pde & PDE_LARGE) === 0) {
    const pti = ((pde & ~0xfff) >> 2) + ((vaddr >>> 12) & 1023);
    if ((k.m[pti]! & ~0xfff) === frame && (k.m[pti]! & PTE_PRESENT) !== 0) { k.m[pti] = 0; cleared = true; }
  }
  k.m[(slot >> 2) + CTE_DATA] = 0;
  k.m[(slot >> 2) + CTE_DATA2] = 0;
  if (cleared) invalidateTranslations(k, pd, vaddr, frameIsLarge(w0) ? 0x400000 : 0x1000);
}

export function finalisePageTable(k: Kernel, slot: number): void {
  const pd = slotData2(k, slot);
  if (pd === 0) return;
  const vaddr = k.m[(slot >> 2) + CTE_DATA]! >>> 0;
  const pdi = (pd >> 2) + (vaddr >>> 22);
  let cleared = false;
  if ((k.m[pdi]! & PTE_PRESENT) !== 0 && (k.m[pdi]! & PDE_LARGE) === 0 && (k.m[pdi]! & ~0xfff) === slotPtr(k, slot)) {
    k.m[pdi] = 0;
    cleared = true;
  }
  k.m[(slot >> 2) + CTE_DATA] = 0;
  k.m[(slot >> 2) + CTE_DATA2] = 0;
  if (cleared) invalidateTranslations(k, pd, vaddr, 0x400000);
}

/** The last cap to a page directory: its ASID is freed and no core may keep translations through it. */
export function finalisePageDirectory(k: Kernel, slot: number): void {
  const asid = slotData2(k, slot);
  if (asid !== 0) deleteASID(k, asid, slotPtr(k, slot));
  invalidateTranslations(k, slotPtr(k, slot), 0, 0);
}

/** Walks a page directory as the MMU would: the physical address of `vaddr`, or -1 (tests, debugging). */
export function translate(k: Kernel, pd: number, vaddr: number): number {
  vaddr >>>= 0;
  const pde = k.m[(pd >> 2) + (vaddr >>> 22)]!;
  if ((pde & PTE_PRESENT) === 0) return -1;
  if ((pde & PDE_LARGE) !== 0) return (pde & ~0x3fffff) + (vaddr & 0x3fffff);
  const pte = k.m[((pde & ~0xfff) >> 2) + ((vaddr >>> 12) & 1023)]!;
  if ((pte & PTE_PRESENT) === 0) return -1;
  return (pte & ~0xfff) + (vaddr & 0xfff);
}
