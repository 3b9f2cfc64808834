/**
 * A process's VSpace as seL4 objects: a page directory with an ASID, page
 * tables made on demand, and frame caps mapped at user addresses. Mm decides
 * what is mapped (address-space.ts); this file only talks to the kernel.
 * The kernel's unmap paths drop stale TLB entries themselves, on every core
 * that may hold one (src/kernel/shootdown.ts).
 */
import {
  invokeASIDPool_Assign, invokePage_Map, invokePageTable_Map, seL4_CapInitThreadASIDPool, seL4_NoError,
  seL4_X86_PageDirectoryObject, seL4_X86_PageTableObject, finaliseFrameCap, slotPtr, ERROR_NAMES,
  RIGHT_READ, RIGHT_WRITE, PTE_PRESENT, PTE_WRITE, PDE_LARGE,
} from '../../kernel/index.js';
import type { KernelObjects } from '../ke/objects.js';

function check(e: number, what: string): void {
  if (e !== seL4_NoError) throw new Error(`${what} failed: ${ERROR_NAMES[e]}`);
}

export class ProcessVSpace {
  readonly pdSlot: number;
  /** Physical address of the page directory. */
  readonly pd: number;
  private readonly pageTables = new Map<number, number>();

  constructor(private readonly ko: KernelObjects) {
    this.pdSlot = ko.retypeReclaimable(seL4_X86_PageDirectoryObject);
    check(invokeASIDPool_Assign(ko.k, ko.slot(seL4_CapInitThreadASIDPool), ko.slot(this.pdSlot)), 'ASIDPool_Assign');
    this.pd = slotPtr(ko.k, ko.slot(this.pdSlot));
  }

  /** Maps frame cap `frame` at `va` (read-only unless `writable`). */
  map(va: number, frame: number, writable: boolean): void {
    const ko = this.ko;
    const pdi = va >>> 22;
    if (!this.pageTables.has(pdi)) {
      const pt = ko.retypeReclaimable(seL4_X86_PageTableObject);
      check(invokePageTable_Map(ko.k, ko.slot(pt), ko.slot(this.pdSlot), va), 'PageTable_Map');
      this.pageTables.set(pdi, pt);
    }
    check(invokePage_Map(ko.k, ko.slot(frame), ko.slot(this.pdSlot), va & ~0xfff, writable ? RIGHT_READ | RIGHT_WRITE : RIGHT_READ), 'Page_Map');
  }

  /** Removes the mapping of frame cap `frame` (the frame itself is kept). */
  unmap(frame: number): void {
    finaliseFrameCap(this.ko.k, this.ko.slot(frame));
  }

  /** The PTE for `va` (0 when not present): bit 0 present, bit 1 writable. */
  pte(va: number): number {
    const m = this.ko.k.m;
    const pde = m[(this.pd >> 2) + (va >>> 22)]!;
    if ((pde & PTE_PRESENT) === 0) return 0;
    if ((pde & PDE_LARGE) !== 0) return pde;
    return m[((pde & ~0xfff) >> 2) + ((va >>> 12) & 1023)]!;
  }

  isWritable(va: number): boolean {
    return (this.pte(va) & (PTE_PRESENT | PTE_WRITE)) === (PTE_PRESENT | PTE_WRITE);
  }

  /** Deletes the page tables and the page directory (frames are released by the caller first). */
  destroy(): void {
    for (const pt of this.pageTables.values()) this.ko.deleteCap(pt);
    this.pageTables.clear();
    this.ko.deleteCap(this.pdSlot);
  }
}
