/**
 * The MMU of one core: walks the i386 page tables in guest RAM on a TLB miss,
 * sets accessed/dirty bits as the hardware does, fills the TLB, and reports
 * page faults with the SDM's error code.
 *
 * Only user-mode (CPL 3) accesses exist in the guest, so a page is usable
 * only when the U/S bit is set at both levels; writes need R/W at both
 * levels (CR0.WP is irrelevant at CPL 3). Accessed/dirty bits are set with
 * Atomics.or so that two cores walking the same tables never lose a bit.
 */
import { PAGE_SHIFT, type GuestRam } from '../machine/ram.js';
import { PDE_PS, PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US } from './paging.js';
import { Tlb } from './tlb.js';

export const enum Access {
  READ = 0,
  WRITE = 1,
  FETCH = 2,
}

/** Result of a failed translation (the error code is in Mmu.faultCode: bit 0 P, bit 1 W/R, bit 2 U/S). */
export const TRANSLATE_FAULT = -1;

/**
 * Who else cares about a translation: the decode cache marks physical pages
 * that hold decoded code, and writes to them must stay on the slow path.
 */
export interface CodePageMap {
  /** True when physical page `pfn` holds decoded or translated code. */
  hasCode(pfn: number): boolean;
}

export class Mmu {
  readonly tlb = new Tlb();
  /** Physical address of the page directory (CR3), or -1 when paging is off (identity map, for tests). */
  cr3 = -1;
  /** Error code of the last failed translate(). */
  faultCode = 0;
  /** Access kind of the last failed translate() (read, write or instruction fetch). */
  faultAccess: Access = Access.READ;
  /** Set by the decode cache: pages whose writes must take the slow path. */
  codePages: CodePageMap | null = null;
  /** Profiler counters. */
  walks = 0;
  /**
   * SMP: where setCr3 publishes the page directory it loads (a word of the
   * kernel globals), so that a core unmapping from that address space knows
   * this TLB may hold its translations (src/kernel/shootdown.ts).
   */
  cr3Out: Int32Array | null = null;
  cr3OutIndex = 0;

  constructor(readonly ram: GuestRam) {}

  /** Loads CR3 (address-space switch): flushes the TLB. */
  setCr3(paddr: number): void {
    this.cr3 = paddr;
    this.tlb.flush();
    if (this.cr3Out !== null) Atomics.store(this.cr3Out, this.cr3OutIndex, paddr);
  }

  /**
   * Translates a linear address for a user-mode access and fills the TLB.
   * Returns the physical address, or TRANSLATE_FAULT with `faultCode` set.
   */
  translate(vaddr: number, access: Access): number {
    this.walks++;
    const vpn = vaddr >>> PAGE_SHIFT;
    const write = access === Access.WRITE;
    let pfn: number;
    if (this.cr3 < 0) {
      // Paging disabled: identity, RAM only.
      pfn = vpn;
      if ((pfn << PAGE_SHIFT) >>> 0 >= this.ram.size) return this.fail(0, access);
    } else {
      const i32 = this.ram.i32;
      const pdeAddr = this.cr3 + ((vaddr >>> 22) << 2);
      const pde = i32[pdeAddr >> 2]!;
      if ((pde & PTE_P) === 0) return this.fail(0, access);
      if ((pde & PDE_PS) !== 0) {
        // 4 MiB page: bits 31..22 of the PDE are the frame.
        if ((pde & PTE_US) === 0 || (write && (pde & PTE_RW) === 0)) return this.fail(1, access);
        const want = PTE_A | (write ? PTE_D : 0);
        if ((pde & want) !== want) Atomics.or(i32, pdeAddr >> 2, want);
        pfn = ((pde >>> 22) << 10) | ((vaddr >>> 12) & 0x3ff);
      } else {
        const ptAddr = (pde & 0xfffff000) + (((vaddr >>> 12) & 0x3ff) << 2);
        if (ptAddr < 0 || ptAddr >= this.ram.size) return this.fail(0, access);
        const pte = i32[ptAddr >> 2]!;
        if ((pte & PTE_P) === 0) return this.fail(0, access);
        const eff = pde & pte;
        if ((eff & PTE_US) === 0 || (write && (eff & PTE_RW) === 0)) return this.fail(1, access);
        if ((pde & PTE_A) === 0) Atomics.or(i32, pdeAddr >> 2, PTE_A);
        const want = PTE_A | (write ? PTE_D : 0);
        if ((pte & want) !== want) Atomics.or(i32, ptAddr >> 2, want);
        pfn = pte >>> 12;
      }
      if ((pfn << PAGE_SHIFT) >>> 0 >= this.ram.size) {
        // Not RAM (a device BAR): no TLB entry, the caller dispatches MMIO.
        return ((pfn << PAGE_SHIFT) | (vaddr & 0xfff)) >>> 0;
      }
    }
    // Fill: reads always; writes only when the page was written through a
    // dirty-marked walk and holds no decoded code.
    this.tlb.setRead(vpn, pfn);
    if (write && !(this.codePages !== null && this.codePages.hasCode(pfn))) this.tlb.setWrite(vpn, pfn);
    return (pfn << PAGE_SHIFT) | (vaddr & 0xfff);
  }

  private fail(present: number, access: Access): number {
    // 32-bit paging has no NX, so the SDM leaves the I/D bit clear even for
    // fetches; the kind of access is kept in faultAccess for the kernel.
    this.faultCode = present | (access === Access.WRITE ? 2 : 0) | 4;
    this.faultAccess = access;
    return TRANSLATE_FAULT;
  }

  /** INVLPG. */
  invalidatePage(vaddr: number): void {
    this.tlb.invalidatePage(vaddr >>> PAGE_SHIFT);
  }
}
