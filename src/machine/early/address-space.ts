/**
 * A process's user address space for the early service layer: reservations
 * and committed pages over one set of i386 page tables, with NT's rules for
 * NtAllocateVirtualMemory / NtFreeVirtualMemory / NtProtectVirtualMemory.
 *
 * Temporary by design: the executive's Mm (a later issue) replaces it with
 * VADs, demand commit, sections and guard pages, on top of the kernel's
 * VSpace objects. Until then pages are committed eagerly and PAGE_GUARD is
 * refused with STATUS_NOT_IMPLEMENTED rather than silently ignored.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import {
  ALLOCATION_GRANULARITY, MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, MEM_TOP_DOWN,
  MM_HIGHEST_USER_ADDRESS, MM_LOWEST_USER_ADDRESS, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
} from '../../abi/layouts.js';
import { PageTables, type FrameSource } from '../../mmu/page-tables.js';
import type { GuestRam } from '../ram.js';

const PAGE = 0x1000;

interface Reservation {
  base: number;
  size: number;
  /** 'private' for NtAllocateVirtualMemory, 'image' for a mapped PE image. */
  kind: 'private' | 'image';
  allocationProtect: number;
  /** Per page: 0 = reserved only, else the PAGE_* protection. */
  protect: Uint16Array;
  /** Per page: the physical frame backing a committed page (kept while PAGE_NOACCESS unmaps it). */
  frame: Int32Array;
}

const VALID_PROTECTIONS = new Set([
  PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
  PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY,
]);

function isWritable(protect: number): boolean {
  return protect === PAGE_READWRITE || protect === PAGE_WRITECOPY || protect === PAGE_EXECUTE_READWRITE || protect === PAGE_EXECUTE_WRITECOPY;
}

export class EarlyAddressSpace {
  readonly tables: PageTables;
  private readonly reservations: Reservation[] = [];
  /** Called after a mapping changes so that the CPU drops stale TLB entries. */
  onUnmap: (va: number) => void = () => {};

  constructor(readonly ram: GuestRam, private readonly frames: FrameSource) {
    this.tables = new PageTables(ram, frames);
  }

  private checkProtect(protect: number): void {
    if ((protect & PAGE_GUARD) !== 0) {
      throw new NtStatusError(NTSTATUS.STATUS_NOT_IMPLEMENTED, 'PAGE_GUARD is not implemented yet (guard pages come with the executive\'s memory manager)');
    }
    if (!VALID_PROTECTIONS.has(protect)) {
      throw new NtStatusError(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION, `0x${protect.toString(16)} is not a valid page protection`);
    }
  }

  private find(va: number): Reservation | undefined {
    return this.reservations.find((r) => va >= r.base && va < r.base + r.size);
  }

  private overlaps(base: number, size: number): boolean {
    return this.reservations.some((r) => base < r.base + r.size && r.base < base + size);
  }

  /** Finds a free, granularity-aligned range of `size` bytes. */
  private findFree(size: number, topDown: boolean): number {
    const sorted = [...this.reservations].sort((a, b) => a.base - b.base);
    const align = (x: number) => Math.ceil(x / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
    if (!topDown) {
      let cand = MM_LOWEST_USER_ADDRESS;
      for (const r of sorted) {
        if (cand + size <= r.base) return cand;
        cand = Math.max(cand, align(r.base + r.size));
      }
      if (cand + size - 1 <= MM_HIGHEST_USER_ADDRESS) return cand;
    } else {
      let limit = MM_HIGHEST_USER_ADDRESS + 1;
      for (let i = sorted.length - 1; i >= -1; i--) {
        const lo = i >= 0 ? align(sorted[i]!.base + sorted[i]!.size) : MM_LOWEST_USER_ADDRESS;
        const cand = Math.floor((limit - size) / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
        if (cand >= lo && cand >= MM_LOWEST_USER_ADDRESS) return cand;
        if (i >= 0) limit = Math.min(limit, sorted[i]!.base);
      }
    }
    throw new NtStatusError(NTSTATUS.STATUS_NO_MEMORY, `no free range of ${size} bytes in the address space`);
  }

  /** True when [base, base+size) is free. */
  isFree(base: number, size: number): boolean {
    return base >= MM_LOWEST_USER_ADDRESS && base + size - 1 <= MM_HIGHEST_USER_ADDRESS && !this.overlaps(base, size);
  }

  /** A free range for a relocated image or a stack. */
  freeRange(size: number, topDown = false): number {
    return this.findFree(Math.ceil(size / PAGE) * PAGE, topDown);
  }

  /**
   * NtAllocateVirtualMemory: returns the [base, size] actually reserved or committed.
   * `base` 0 lets the system choose.
   */
  allocate(base: number, size: number, type: number, protect: number, kind: Reservation['kind'] = 'private'): [number, number] {
    if ((type & ~(MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN)) !== 0 || (type & (MEM_COMMIT | MEM_RESERVE)) === 0) {
      throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `allocation type 0x${type.toString(16)} is not supported (MEM_COMMIT and/or MEM_RESERVE, optionally MEM_TOP_DOWN)`);
    }
    this.checkProtect(protect);
    if (size <= 0 || size > MM_HIGHEST_USER_ADDRESS) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `region size ${size} is not valid`);
    base >>>= 0;
    if ((type & MEM_RESERVE) !== 0) {
      let start: number;
      let end: number;
      if (base === 0) {
        end = Math.ceil(size / PAGE) * PAGE;
        start = this.findFree(end, (type & MEM_TOP_DOWN) !== 0);
        end += start;
      } else {
        start = Math.floor(base / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
        end = Math.ceil((base + size) / PAGE) * PAGE;
        if (start < MM_LOWEST_USER_ADDRESS || end - 1 > MM_HIGHEST_USER_ADDRESS) {
          throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `address 0x${base.toString(16)} is outside the user address space`);
        }
        if (this.overlaps(start, end - start)) {
          throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `range 0x${start.toString(16)}-0x${end.toString(16)} is already in use`);
        }
      }
      const pages = (end - start) / PAGE;
      const r: Reservation = { base: start, size: end - start, kind, allocationProtect: protect, protect: new Uint16Array(pages), frame: new Int32Array(pages) };
      this.reservations.push(r);
      if ((type & MEM_COMMIT) !== 0) this.commitRange(r, start, end, protect);
      return [start, end - start];
    }
    // MEM_COMMIT inside an existing reservation.
    const start = Math.floor(base / PAGE) * PAGE;
    const end = Math.ceil((base + size) / PAGE) * PAGE;
    const r = base === 0 ? undefined : this.find(start);
    if (!r || end > r.base + r.size) {
      throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `MEM_COMMIT of 0x${start.toString(16)}-0x${end.toString(16)} is not inside one reservation`);
    }
    this.commitRange(r, start, end, protect);
    return [start, end - start];
  }

  private commitRange(r: Reservation, start: number, end: number, protect: number): void {
    for (let va = start; va < end; va += PAGE) {
      const i = (va - r.base) / PAGE;
      if (r.protect[i] === 0) r.frame[i] = this.frames.allocFrame();
      this.applyProtect(r, i, protect);
    }
  }

  private applyProtect(r: Reservation, i: number, protect: number): void {
    const va = r.base + i * PAGE;
    r.protect[i] = protect;
    if (protect === PAGE_NOACCESS) this.tables.unmap(va);
    else this.tables.map(va, r.frame[i]!, isWritable(protect));
    this.onUnmap(va);
  }

  /** NtFreeVirtualMemory. */
  free(base: number, size: number, type: number): [number, number] {
    base >>>= 0;
    const r = this.find(base);
    if (!r) throw new NtStatusError(NTSTATUS.STATUS_MEMORY_NOT_ALLOCATED, `0x${base.toString(16)} is not allocated`);
    if (r.kind !== 'private') throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `0x${base.toString(16)} belongs to a mapped image, not private memory`);
    if (type === MEM_RELEASE) {
      if (size !== 0 && !(base === r.base && size === r.size)) {
        if (base !== r.base) throw new NtStatusError(NTSTATUS.STATUS_FREE_VM_NOT_AT_BASE, `MEM_RELEASE must name the base of the allocation (0x${r.base.toString(16)})`);
        throw new NtStatusError(NTSTATUS.STATUS_UNABLE_TO_FREE_VM, 'MEM_RELEASE of part of an allocation is not allowed');
      }
      if (base !== r.base) throw new NtStatusError(NTSTATUS.STATUS_FREE_VM_NOT_AT_BASE, `MEM_RELEASE must name the base of the allocation (0x${r.base.toString(16)})`);
      this.decommit(r, r.base, r.base + r.size);
      this.reservations.splice(this.reservations.indexOf(r), 1);
      return [r.base, r.size];
    }
    if (type === MEM_DECOMMIT) {
      const start = Math.floor(base / PAGE) * PAGE;
      const end = size === 0 ? r.base + r.size : Math.ceil((base + size) / PAGE) * PAGE;
      if (end > r.base + r.size) throw new NtStatusError(NTSTATUS.STATUS_UNABLE_TO_FREE_VM, 'MEM_DECOMMIT range extends past the allocation');
      this.decommit(r, start, end);
      return [start, end - start];
    }
    throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `free type 0x${type.toString(16)} is not MEM_RELEASE or MEM_DECOMMIT`);
  }

  private decommit(r: Reservation, start: number, end: number): void {
    for (let va = start; va < end; va += PAGE) {
      const i = (va - r.base) / PAGE;
      if (r.protect[i] === 0) continue;
      this.tables.unmap(va);
      this.onUnmap(va);
      this.frames.freeFrame(r.frame[i]!);
      r.frame[i] = 0;
      r.protect[i] = 0;
    }
  }

  /** NtProtectVirtualMemory: returns [base, size, old protection of the first page]. */
  protect(base: number, size: number, protect: number): [number, number, number] {
    this.checkProtect(protect);
    base >>>= 0;
    const start = Math.floor(base / PAGE) * PAGE;
    const end = Math.ceil((base + Math.max(size, 1)) / PAGE) * PAGE;
    const r = this.find(start);
    if (!r || end > r.base + r.size) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `0x${start.toString(16)}-0x${end.toString(16)} is not inside one allocation`);
    for (let va = start; va < end; va += PAGE) {
      if (r.protect[(va - r.base) / PAGE] === 0) throw new NtStatusError(NTSTATUS.STATUS_NOT_COMMITTED, `0x${va.toString(16)} is not committed`);
    }
    const old = r.protect[(start - r.base) / PAGE]!;
    for (let va = start; va < end; va += PAGE) this.applyProtect(r, (va - r.base) / PAGE, protect);
    return [start, end - start, old];
  }

  /** Protection of a committed page, or 0 when reserved/free. */
  protectionOf(va: number): number {
    const r = this.find(va >>> 0);
    return r ? r.protect[((va >>> 0) - r.base) >>> 12]! : 0;
  }

  /** Releases every page and table (process exit). */
  destroy(): void {
    for (const r of this.reservations) for (let i = 0; i < r.frame.length; i++) if (r.protect[i] !== 0) this.frames.freeFrame(r.frame[i]!);
    this.reservations.length = 0;
    this.tables.destroy();
  }
}
