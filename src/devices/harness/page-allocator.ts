/**
 * A physical page allocator over guest RAM, as a driver's DMA layer would
 * have: contiguous runs of 4 KiB pages (first fit over a bitmap), so queue
 * memory, PRP lists, command tables and data buffers get real physical
 * addresses. Page 0 is never handed out, so 0 can mean "no address".
 */
import { PAGE_SIZE, type GuestRam } from '../../machine/ram.js';

export class PageAllocator {
  private readonly used: Uint8Array;
  private hint = 1;

  constructor(readonly ram: GuestRam) {
    this.used = new Uint8Array(ram.size / PAGE_SIZE);
    this.used[0] = 1;
  }

  /** Allocates `pages` physically contiguous pages, zeroed; returns the physical address. */
  alloc(pages = 1): number {
    const n = this.used.length;
    for (let pass = 0; pass < 2; pass++) {
      let run = 0;
      for (let p = pass === 0 ? this.hint : 1; p < n; p++) {
        run = this.used[p] ? 0 : run + 1;
        if (run === pages) {
          const first = p - pages + 1;
          this.used.fill(1, first, p + 1);
          this.hint = p + 1;
          const addr = first * PAGE_SIZE;
          this.ram.u8.fill(0, addr, addr + pages * PAGE_SIZE);
          return addr;
        }
      }
    }
    throw new RangeError(`out of guest RAM: no run of ${pages} free pages`);
  }

  /** Allocates `bytes` rounded up to whole pages. */
  allocBytes(bytes: number): number {
    return this.alloc(Math.max(1, Math.ceil(bytes / PAGE_SIZE)));
  }

  free(addr: number, pages = 1): void {
    const first = addr / PAGE_SIZE;
    this.used.fill(0, first, first + pages);
    if (first < this.hint) this.hint = first;
  }

  /** Pages still free. */
  get freePages(): number {
    let n = 0;
    for (let i = 0; i < this.used.length; i++) if (!this.used[i]) n++;
    return n;
  }
}
