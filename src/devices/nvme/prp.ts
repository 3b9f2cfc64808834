/**
 * Physical Region Page walking (NVMe 1.4 §4.3): turns PRP1/PRP2 of a command
 * into a list of (guest physical address, length) segments.
 *
 * Rules enforced: PRP1 may have a dword-aligned offset into its page; every
 * later data entry (PRP2 as data pointer, list entries) must be page aligned;
 * a PRP list pointer must be qword aligned and may start mid-page; when a list
 * needs more entries than fit in its page, the page's last entry points to
 * the next list page. Violations give PRP Offset Invalid; addresses outside
 * guest RAM give Data Transfer Error (on real hardware the PCIe read would be
 * aborted). Physically contiguous segments are merged so that one host read
 * or write covers them. Allocation-free: the segment arrays are preallocated.
 */
import type { GuestRam } from '../../machine/ram.js';
import { SC_DATA_TRANSFER_ERROR, SC_INVALID_FIELD, SC_PRP_OFFSET_INVALID } from './regs.js';

export class PrpWalker {
  readonly addr: Float64Array;
  readonly len: Int32Array;
  count = 0;

  constructor(
    private readonly ram: GuestRam,
    readonly maxSegments: number,
  ) {
    this.addr = new Float64Array(maxSegments);
    this.len = new Int32Array(maxSegments);
  }

  /** Walks a transfer of `bytes` bytes; returns 0 or an NVMe status code. */
  walk(prp1Lo: number, prp1Hi: number, prp2Lo: number, prp2Hi: number, bytes: number, pageSize: number): number {
    this.count = 0;
    const pageMask = pageSize - 1;
    if (prp1Hi !== 0) return SC_DATA_TRANSFER_ERROR;
    const p1 = prp1Lo >>> 0;
    if ((p1 & 3) !== 0) return SC_PRP_OFFSET_INVALID;
    const first = Math.min(bytes, pageSize - (p1 & pageMask));
    let st = this.add(p1, first);
    if (st !== 0) return st;
    let rem = bytes - first;
    if (rem === 0) return 0;
    if (prp2Hi !== 0) return SC_DATA_TRANSFER_ERROR;
    const p2 = prp2Lo >>> 0;
    if (rem <= pageSize) {
      // PRP2 is the second (last) data pointer.
      if ((p2 & pageMask) !== 0) return SC_PRP_OFFSET_INVALID;
      return this.add(p2, rem);
    }
    // PRP2 points to a PRP list. The run of physically adjacent pages being
    // built is kept in locals (runStart..runEnd) and stored as a segment only
    // when a page does not continue it: a 1 MiB transfer has 255 entries,
    // and a call, a RAM check and four typed-array accesses per entry cost
    // microseconds. RAM bounds are checked per stored run, which covers every
    // page in it.
    if ((p2 & 7) !== 0) return SC_PRP_OFFSET_INVALID;
    const u32 = this.ram.u32;
    // Continue the run PRP1 started (it is the last segment: pop it).
    this.count--;
    let runStart = this.addr[this.count]!;
    let runEnd = runStart + this.len[this.count]!;
    let list = p2;
    for (;;) {
      const n = (pageSize - (list & pageMask)) >>> 3;
      if (!this.ram.contains(list, n * 8)) return SC_DATA_TRANSFER_ERROR;
      let chained = false;
      const base = list >>> 2;
      for (let i = 0; i < n; i++) {
        const lo = u32[base + i * 2]!;
        if (u32[base + i * 2 + 1] !== 0) return SC_DATA_TRANSFER_ERROR;
        if (i === n - 1 && rem > pageSize) {
          // Last slot of a full list page: pointer to the next list page.
          if ((lo & 7) !== 0) return SC_PRP_OFFSET_INVALID;
          list = lo;
          chained = true;
          break;
        }
        if ((lo & pageMask) !== 0) return SC_PRP_OFFSET_INVALID;
        const l = rem < pageSize ? rem : pageSize;
        if (lo === runEnd) {
          runEnd += l;
        } else {
          st = this.add(runStart, runEnd - runStart);
          if (st !== 0) return st;
          runStart = lo;
          runEnd = lo + l;
        }
        rem -= l;
        if (rem === 0) return this.add(runStart, runEnd - runStart);
      }
      if (!chained) return SC_INVALID_FIELD; // unreachable: a page always ends in a chain when more is needed
    }
  }

  private add(a: number, l: number): number {
    if (!this.ram.contains(a, l)) return SC_DATA_TRANSFER_ERROR;
    const c = this.count;
    if (c > 0 && this.addr[c - 1]! + this.len[c - 1]! === a) {
      this.len[c - 1]! += l;
      return 0;
    }
    if (c === this.maxSegments) return SC_INVALID_FIELD;
    this.addr[c] = a;
    this.len[c] = l;
    this.count = c + 1;
    return 0;
  }
}
