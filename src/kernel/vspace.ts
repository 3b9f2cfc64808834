/**
 * VSpaces on ia32 (seL4's src/arch/x86/kernel/vspace.c, 32-bit paging):
 * a page directory (1024 PDEs) whose entries point to page tables (1024
 * PTEs) or map 4 MiB large pages. Entries use the i386 hardware format, in
 * object memory, so that the MMU walks exactly what the kernel wrote:
 *   bit 0 present, bit 1 writable, bit 2 user, bit 7 (PDE) 4 MiB page,
 *   bits 12-31 physical frame.
 *
 * Caps: a page table cap's word 2 is the virtual base it maps, word 3 the
 * page directory it is in (0: unmapped). A frame cap likewise (word 2 the
 * virtual address, word 3 the page directory). A page directory cap's
 * word 3 is its ASID (0: none assigned; asid.ts). As in seL4, a page
 * directory must have an ASID before anything is mapped into it.
 *
 * TLB shootdown on unmap is the CPU wiring's job (not yet wired).
 */
import type { Kernel } from './state.js';
import { CTE_DATA, CTE_DATA2, frameIsLarge, frameVMRights, slotData2, slotPtr, slotType, slotW0, RIGHT_WRITE, VM_READ_WRITE } from './cap.js';
import { cap_frame_cap, cap_page_directory_cap, cap_page_table_cap } from './objecttype.js';
import {
  seL4_AlignmentError, seL4_DeleteFirst, seL4_FailedLookup, seL4_IllegalOperation, seL4_InvalidArgument,
  seL4_InvalidCapability, seL4_MissingCapability, seL4_NoError,
} from './errors.js';
import { deleteASID } from './asid.js';

export const PTE_PRESENT = 1;
export const PTE_WRITE = 2;
export const PTE_USER = 4;
export const PDE_LARGE = 0x80;
/** User addresses end here (seL4 ia32's kernel window starts at 0xe0000000). */
export const USER_TOP = 0xe0000000;

export function initPageDirectory(_k: Kernel, _pd: number): void {
  // A fresh page directory is all zeroes (not present); the kernel window is
  // not mapped into user page directories here (the engine is the kernel).
}

function pdOfCap(k: Kernel, pdSlot: number): number {
  const w0 = slotW0(k, pdSlot);
  if ((w0 & 31) !== cap_page_directory_cap || slotData2(k, pdSlot) === 0) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 1;
    return 0;
  }
  return slotPtr(k, pdSlot);
}

/** X86_PageTable_Map: maps the page table into the page directory at the 4 MiB region of `vaddr`. */
export function invokePageTable_Map(k: Kernel, ptSlot: number, pdSlot: number, vaddr: number): number {
  if (slotType(k, ptSlot) !== cap_page_table_cap || slotData2(k, ptSlot) !== 0) {
    k.err.type = seL4_InvalidCapability;
    k.err.invalidCapNumber = 0;
    return seL4_InvalidCapability;
  }
  const pd = pdOfCap(k, pdSlot);
  if (pd === 0) return seL4_InvalidCapability;
  vaddr >>>= 0;
  if (vaddr >= USER_TOP) {
    k.err.type = seL4_InvalidArgument;
    k.err.invalidArgumentNumber = 0;
    return seL4_InvalidArgument;
  }
  const pdi = (pd >> 2) + (vaddr >>> 22);
  if ((k.m[pdi]! & PTE_PRESENT) !== 0) {
    k.err.type = seL4_DeleteFirst;
    return seL4_DeleteFirst;
  }
  const pt = slotPtr(k, ptSlot);
  k.m[pdi] = pt | PTE_PRESENT | PTE_WRITE | PTE_USER;
  k.m[(ptSlot >> 2) + CTE_DATA] = (vaddr & ~0x3fffff) | 0;
  k.m[(ptSlot >> 2) + CTE_DATA2] = pd;
  return seL4_NoError;
}

export function invokePageTable_Unmap(k: Kernel, ptSlot: number): number {
  if (slotType(k, ptSlot) !== cap_page_table_cap) {
    k.err.type = seL4_InvalidCapability;
    return seL4_InvalidCapability;
  }
  finalisePageTable(k, ptSlot);
  return seL4_NoError;
}

/** X86_Page_Map: maps the frame at `vaddr` with `rights` (seL4_CapRights; Write makes it writable). */
export function invokePage_Map(k: Kernel, frameSlot: number, pdSlot: number, vaddr: number, rights: number): number {
  const w0 = slotW0(k, frameSlot);
  if ((w0 & 31) !== cap_frame_cap) {
    k.err.type = seL4_InvalidCapability;
    return seL4_InvalidCapability;
  }
  if (slotData2(k, frameSlot) !== 0) {
    k.err.type = seL4_IllegalOperation;
    return seL4_IllegalOperation;
  }
  const pd = pdOfCap(k, pdSlot);
  if (pd === 0) return seL4_InvalidCapability;
  vaddr >>>= 0;
  const large = frameIsLarge(w0);
  if ((vaddr & (large ? 0x3fffff : 0xfff)) !== 0) {
    k.err.type = seL4_AlignmentError;
    return seL4_AlignmentError;
  }
  if (vaddr >= USER_TOP) {
    k.err.type = seL4_InvalidArgument;
    k.err.invalidArgumentNumber = 0;
    return seL4_InvalidArgument;
  }
  const writable = (rights & RIGHT_WRITE) !== 0 && frameVMRights(w0) === VM_READ_WRITE;
  const frame = slotPtr(k, frameSlot);
  const pdi = (pd >> 2) + (vaddr >>> 22);
  const pde = k.m[pdi]!;
  if (large) {
    if ((pde & PTE_PRESENT) !== 0) { k.err.type = seL4_DeleteFirst; return seL4_DeleteFirst; }
    k.m[pdi] = frame | PTE_PRESENT | PTE_USER | PDE_LARGE | (writable ? PTE_WRITE : 0);
  } else {
    if ((pde & PTE_PRESENT) === 0 || (pde & PDE_LARGE) !== 0) {
      k.err.type = seL4_FailedLookup;
      k.err.lookupFailureType = seL4_MissingCapability;
      k.err.bitsLeft = 22;
      return seL4_FailedLookup;
    }
    const pti = ((pde & ~0xfff) >> 2) + ((vaddr >>> 12) & 1023);
    if ((k.m[pti]! & PTE_PRESENT) !== 0) { k.err.type = seL4_DeleteFirst; return seL4_DeleteFirst; }
    k.m[pti] = frame | PTE_PRESENT | PTE_USER | (writable ? PTE_WRITE : 0);
  }
  k.m[(frameSlot >> 2) + CTE_DATA] = vaddr | 0;
  k.m[(frameSlot >> 2) + CTE_DATA2] = pd;
  return seL4_NoError;
}

export function invokePage_Unmap(k: Kernel, frameSlot: number): number {
  if (slotType(k, frameSlot) !== cap_frame_cap) {
    k.err.type = seL4_InvalidCapability;
    return seL4_InvalidCapability;
  }
  finaliseFrameCap(k, frameSlot);
  return seL4_NoError;
}

/** X86_Page_GetAddress: the frame's physical address. */
export function invokePage_GetAddress(k: Kernel, frameSlot: number): number {
  return slotType(k, frameSlot) === cap_frame_cap ? slotPtr(k, frameSlot) : -1;
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
  if (frameIsLarge(w0)) {
    if ((pde & PDE_LARGE) !== 0 && (pde & ~0xfff) === frame) k.m[pdi] = 0;
  } else if ((pde & PTE_PRESENT) !== 0 && (pde & PDE_LARGE) === 0) {
    const pti = ((pde & ~0xfff) >> 2) + ((vaddr >>> 12) & 1023);
    if ((k.m[pti]! & ~0xfff) === frame) k.m[pti] = 0;
  }
  k.m[(slot >> 2) + CTE_DATA] = 0;
  k.m[(slot >> 2) + CTE_DATA2] = 0;
}

export function finalisePageTable(k: Kernel, slot: number): void {
  const pd = slotData2(k, slot);
  if (pd === 0) return;
  const vaddr = k.m[(slot >> 2) + CTE_DATA]! >>> 0;
  const pdi = (pd >> 2) + (vaddr >>> 22);
  if ((k.m[pdi]! & ~0xfff) === slotPtr(k, slot)) k.m[pdi] = 0;
  k.m[(slot >> 2) + CTE_DATA] = 0;
  k.m[(slot >> 2) + CTE_DATA2] = 0;
}

export function finalisePageDirectory(k: Kernel, slot: number): void {
  const asid = slotData2(k, slot);
  if (asid !== 0) deleteASID(k, asid, slotPtr(k, slot));
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
