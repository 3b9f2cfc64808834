/**
 * The per-core TLB: one entry per virtual page (1M entries), separate arrays
 * for reads/fetches and for writes, so that the fast path is one load, one
 * xor and one compare (v86's trick):
 *
 *   entry = ((pfn ^ vpn) << 12) | TLB_VALID      (0 = not cached)
 *   paddr = (entry & ~0xfff) ^ vaddr             (pfn << 12 | offset)
 *   fast  = ((entry & 0xfff) | (vaddr & (size-1))) === TLB_VALID
 *
 * The alignment test folds into the same compare because TLB_VALID sits
 * above bit 1. Entries are filled by the page walker only for user-
 * accessible RAM pages; MMIO, protection violations and pages holding
 * decoded code (for writes) are left empty so they always take the slow
 * path. To make a flush cheap, filled indices are remembered in a list and
 * only those are cleared; past its capacity, the whole array is cleared.
 */
export const TLB_VALID = 4;
const TRACK_CAPACITY = 4096;

export class Tlb {
  readonly read = new Int32Array(1 << 20);
  readonly write = new Int32Array(1 << 20);
  private readonly filled = new Int32Array(TRACK_CAPACITY);
  private filledCount = 0;
  private overflowed = false;
  /** Counters for the profiler: how often the walker ran and how often we flushed. */
  fills = 0;
  flushes = 0;

  private track(vpn: number): void {
    if (this.filledCount < TRACK_CAPACITY) this.filled[this.filledCount++] = vpn;
    else this.overflowed = true;
  }

  setRead(vpn: number, pfn: number): void {
    if (this.read[vpn] === 0 && this.write[vpn] === 0) this.track(vpn);
    this.read[vpn] = ((pfn ^ vpn) << 12) | TLB_VALID;
    this.fills++;
  }

  setWrite(vpn: number, pfn: number): void {
    if (this.read[vpn] === 0 && this.write[vpn] === 0) this.track(vpn);
    this.write[vpn] = ((pfn ^ vpn) << 12) | TLB_VALID;
  }

  /** INVLPG: forget one virtual page. */
  invalidatePage(vpn: number): void {
    this.read[vpn] = 0;
    this.write[vpn] = 0;
  }

  /** Drops write entries of every virtual page that maps physical page `pfn` (code was decoded there). */
  dropWritesTo(pfn: number): void {
    if (this.overflowed) {
      const w = this.write;
      for (let i = 0; i < w.length; i++) if (w[i] !== 0 && (((w[i]! >>> 12) ^ i) & 0xfffff) === pfn) w[i] = 0;
      return;
    }
    for (let k = 0; k < this.filledCount; k++) {
      const vpn = this.filled[k]!;
      const e = this.write[vpn]!;
      if (e !== 0 && (((e >>> 12) ^ vpn) & 0xfffff) === pfn) this.write[vpn] = 0;
    }
  }

  /** Flush everything (address-space switch, CR3 load). */
  flush(): void {
    this.flushes++;
    if (this.overflowed) {
      this.read.fill(0);
      this.write.fill(0);
    } else {
      for (let k = 0; k < this.filledCount; k++) {
        const vpn = this.filled[k]!;
        this.read[vpn] = 0;
        this.write[vpn] = 0;
      }
    }
    this.filledCount = 0;
    this.overflowed = false;
  }
}
