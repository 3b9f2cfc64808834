/**
 * Builds and edits i386 page tables in guest RAM: the operations the
 * kernel's VSpace objects perform (map a frame at a virtual page, change its
 * rights, unmap it). The MMU only reads these tables; after a change the
 * owner invalidates the affected TLB entries (or flushes on CR3 load).
 */
import type { GuestRam } from '../machine/ram.js';
import { PTE_FRAME, PTE_P, PTE_RW, PTE_US } from './paging.js';

export interface FrameSource {
  /** A zeroed 4 KiB frame's physical address. */
  allocFrame(): number;
  freeFrame(pa: number): void;
}

export class PageTables {
  /** Physical address of the page directory (what CR3 holds). */
  readonly directory: number;

  constructor(private readonly ram: GuestRam, private readonly frames: FrameSource) {
    this.directory = frames.allocFrame();
  }

  private pdeIndex(va: number): number {
    return (this.directory >> 2) + (va >>> 22);
  }

  /** Physical address of the PTE for `va`, creating the page table when `create`. */
  private pteAddress(va: number, create: boolean): number {
    const i32 = this.ram.i32;
    const pdi = this.pdeIndex(va);
    let pde = i32[pdi]!;
    if ((pde & PTE_P) === 0) {
      if (!create) return -1;
      const pt = this.frames.allocFrame();
      // The directory entry grants everything; the PTE decides.
      pde = pt | PTE_P | PTE_RW | PTE_US;
      i32[pdi] = pde;
    }
    return (pde & PTE_FRAME) + (((va >>> 12) & 0x3ff) << 2);
  }

  /** Maps physical frame `pa` at virtual page `va` with user access, writable or not. */
  map(va: number, pa: number, writable: boolean): void {
    const at = this.pteAddress(va, true);
    this.ram.i32[at >> 2] = (pa & PTE_FRAME) | PTE_P | PTE_US | (writable ? PTE_RW : 0);
  }

  /** The PTE for `va` (0 when none). */
  lookup(va: number): number {
    const at = this.pteAddress(va, false);
    return at < 0 ? 0 : this.ram.i32[at >> 2]!;
  }

  /** Changes the writable bit of a mapped page; returns false when not mapped. */
  setWritable(va: number, writable: boolean): boolean {
    const at = this.pteAddress(va, false);
    if (at < 0) return false;
    const pte = this.ram.i32[at >> 2]!;
    if ((pte & PTE_P) === 0) return false;
    this.ram.i32[at >> 2] = writable ? pte | PTE_RW : pte & ~PTE_RW;
    return true;
  }

  /** Removes the mapping of `va`; returns the frame it mapped, or -1. */
  unmap(va: number): number {
    const at = this.pteAddress(va, false);
    if (at < 0) return -1;
    const pte = this.ram.i32[at >> 2]!;
    if ((pte & PTE_P) === 0) return -1;
    this.ram.i32[at >> 2] = 0;
    return pte & PTE_FRAME;
  }

  /** Frees every page table and the directory (not the mapped frames). */
  destroy(): void {
    const i32 = this.ram.i32;
    for (let i = 0; i < 1024; i++) {
      const pde = i32[(this.directory >> 2) + i]!;
      if ((pde & PTE_P) !== 0) this.frames.freeFrame(pde & PTE_FRAME);
    }
    this.frames.freeFrame(this.directory);
  }
}
