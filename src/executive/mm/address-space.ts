/**
 * Mm: a process's user address space. Virtual address descriptors (VADs:
 * one per reservation, kept sorted by base and found by binary search)
 * carry NT's state per page (free / reserved / committed with a PAGE_*
 * protection); the VSpace (vspace.ts) holds what is actually mapped.
 *
 *   committed page ──first touch (VMFault, or a service probing it)──> frame
 *   PAGE_NOACCESS / PAGE_GUARD ──> frame kept (if any) but unmapped
 *   guard page of a thread stack ──touched──> committed, guard moves down
 *
 * Services reach user memory only through the probed accessors at the end
 * (read*, write*): an address that is not committed and accessible for the
 * access gives STATUS_ACCESS_VIOLATION, never an engine error.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import {
  ALLOCATION_GRANULARITY, MEM_COMMIT, MEM_DECOMMIT, MEM_FREE, MEM_PRIVATE, MEM_RELEASE, MEM_RESERVE, MEM_TOP_DOWN,
  MM_HIGHEST_USER_ADDRESS, MM_LOWEST_USER_ADDRESS, PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE,
  PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
} from '../../abi/layouts.js';
import type { KernelObjects } from '../ke/objects.js';
import { ProcessVSpace } from './vspace.js';
import { PTE_PRESENT } from '../../kernel/index.js';

export const PAGE = 0x1000;
export const MEM_IMAGE = 0x1000000;
export const MEM_MAPPED = 0x40000;

export type VadKind = 'private' | 'image' | 'stack' | 'system' | 'view';

export interface Vad {
  base: number;
  size: number;
  kind: VadKind;
  allocationProtect: number;
  /** Per page: 0 = reserved only, else the PAGE_* protection (with PAGE_GUARD). */
  protect: Uint16Array;
  /** Per page: the frame cap slot backing it (0: none yet). */
  frame: Int32Array;
  /** Its frames are copies of caps of frames shared with other address spaces: deleted, not pooled, on decommit. */
  shared?: boolean;
  /** A section view: what it maps (released on unmap). */
  view?: { release(): void };
  /**
   * An image view: per page, 1 while `frame` is a read-only copy of the cap
   * of the section's own frame (shared by every view); the first write to a
   * writable page copies it into a private frame (copy-on-write).
   */
  cow?: Uint8Array;
}

const BASE_PROTECTIONS = new Set([
  PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
  PAGE_EXECUTE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY,
]);

export function isWritableProtect(p: number): boolean {
  const b = p & 0xff;
  return b === PAGE_READWRITE || b === PAGE_WRITECOPY || b === PAGE_EXECUTE_READWRITE || b === PAGE_EXECUTE_WRITECOPY;
}
/** What a shared image page's writable protection reads as until it is written (NT's PAGE_*WRITECOPY), and back. */
function asWriteCopy(p: number): number {
  const b = p & 0xff;
  if (b === PAGE_READWRITE) return (p & ~0xff) | PAGE_WRITECOPY;
  if (b === PAGE_EXECUTE_READWRITE) return (p & ~0xff) | PAGE_EXECUTE_WRITECOPY;
  return p;
}
function asCopied(p: number): number {
  const b = p & 0xff;
  if (b === PAGE_WRITECOPY) return (p & ~0xff) | PAGE_READWRITE;
  if (b === PAGE_EXECUTE_WRITECOPY) return (p & ~0xff) | PAGE_EXECUTE_READWRITE;
  return p;
}
function isAccessible(p: number): boolean {
  return p !== 0 && (p & PAGE_GUARD) === 0 && (p & 0xff) !== PAGE_NOACCESS;
}
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** What a fault at an address means to Mm. */
export const enum FaultResolution {
  /** The page is now mapped: restart the instruction. */
  RESOLVED,
  /** A guard page was touched (its guard is now gone): STATUS_GUARD_PAGE_VIOLATION. */
  GUARD,
  /** Not committed, or the access is not allowed: STATUS_ACCESS_VIOLATION. */
  VIOLATION,
  /** The last page of a stack was committed but no guard fits below: STATUS_STACK_OVERFLOW. */
  STACK_OVERFLOW,
}

export class AddressSpace {
  readonly vspace: ProcessVSpace;
  private readonly vads: Vad[] = [];
  private readonly u8: Uint8Array;
  private readonly dv: DataView;
  /** Counters: pages committed by demand faults, by probes, guard pages hit. */
  demandFaults = 0;
  guardHits = 0;
  /** Pages of image views copied on write (by a fault or a service's write). */
  copyOnWrites = 0;
  /** Set when a stack guard page was consumed: the new lowest committed page of that stack (TEB.StackLimit). */
  stackLimit = 0;

  constructor(private readonly ko: KernelObjects) {
    this.vspace = new ProcessVSpace(ko);
    this.u8 = new Uint8Array(ko.k.memory);
    this.dv = new DataView(ko.k.memory);
  }

  // ---- VADs -------------------------------------------------------------------
  /** The VAD holding `va`, or undefined. */
  find(va: number): Vad | undefined {
    va >>>= 0;
    let lo = 0;
    let hi = this.vads.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.vads[mid]!;
      if (va < v.base) hi = mid - 1;
      else if (va >= v.base + v.size) lo = mid + 1;
      else return v;
    }
    return undefined;
  }

  private insert(v: Vad): void {
    let i = 0;
    while (i < this.vads.length && this.vads[i]!.base < v.base) i++;
    this.vads.splice(i, 0, v);
  }

  private overlaps(base: number, size: number): boolean {
    return this.vads.some((r) => base < r.base + r.size && r.base < base + size);
  }

  isFree(base: number, size: number): boolean {
    return base >= MM_LOWEST_USER_ADDRESS && base + size - 1 <= MM_HIGHEST_USER_ADDRESS && !this.overlaps(base, size);
  }

  /** A free, 64 KiB-aligned range of `size` bytes (lowest first, or highest with topDown). */
  freeRange(size: number, topDown = false): number {
    size = Math.ceil(size / PAGE) * PAGE;
    const align = (x: number) => Math.ceil(x / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
    if (!topDown) {
      let cand = MM_LOWEST_USER_ADDRESS;
      for (const r of this.vads) {
        if (cand + size <= r.base) return cand;
        cand = Math.max(cand, align(r.base + r.size));
      }
      if (cand + size - 1 <= MM_HIGHEST_USER_ADDRESS) return cand;
    } else {
      let limit = MM_HIGHEST_USER_ADDRESS + 1;
      for (let i = this.vads.length - 1; i >= -1; i--) {
        const lo = i >= 0 ? align(this.vads[i]!.base + this.vads[i]!.size) : MM_LOWEST_USER_ADDRESS;
        const cand = Math.floor((limit - size) / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
        if (cand >= lo && cand >= MM_LOWEST_USER_ADDRESS) return cand;
        if (i >= 0) limit = Math.min(limit, this.vads[i]!.base);
      }
    }
    throw new NtStatusError(NTSTATUS.STATUS_NO_MEMORY, `no free range of ${size} bytes in the address space`);
  }

  private checkProtect(protect: number): void {
    if ((protect & ~(0xff | PAGE_GUARD)) !== 0 || !BASE_PROTECTIONS.has(protect & 0xff) || protect === (PAGE_NOACCESS | PAGE_GUARD)) {
      throw new NtStatusError(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION, `${hex(protect)} is not a valid page protection`);
    }
  }

  // ---- NtAllocateVirtualMemory / NtFreeVirtualMemory / NtProtectVirtualMemory ----
  /** Returns the [base, size] actually reserved or committed; `base` 0 lets the system choose. */
  allocate(base: number, size: number, type: number, protect: number, kind: VadKind = 'private'): [number, number] {
    if ((type & ~(MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN)) !== 0 || (type & (MEM_COMMIT | MEM_RESERVE)) === 0) {
      throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `allocation type ${hex(type)} is not supported (MEM_COMMIT and/or MEM_RESERVE, optionally MEM_TOP_DOWN)`);
    }
    this.checkProtect(protect);
    if (size <= 0 || size > MM_HIGHEST_USER_ADDRESS) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `region size ${size} is not valid`);
    base >>>= 0;
    if ((type & MEM_RESERVE) !== 0) {
      let start: number;
      let end: number;
      if (base === 0) {
        end = Math.ceil(size / PAGE) * PAGE;
        start = this.freeRange(end, (type & MEM_TOP_DOWN) !== 0);
        end += start;
      } else {
        start = Math.floor(base / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
        end = Math.ceil((base + size) / PAGE) * PAGE;
        if (start < MM_LOWEST_USER_ADDRESS || end - 1 > MM_HIGHEST_USER_ADDRESS) {
          throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `address ${hex(base)} is outside the user address space`);
        }
        if (this.overlaps(start, end - start)) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `range ${hex(start)}-${hex(end)} is already in use`);
      }
      const pages = (end - start) / PAGE;
      const v: Vad = { base: start, size: end - start, kind, allocationProtect: protect, protect: new Uint16Array(pages), frame: new Int32Array(pages) };
      this.insert(v);
      if ((type & MEM_COMMIT) !== 0) this.commitRange(v, start, end, protect);
      return [start, end - start];
    }
    const start = Math.floor(base / PAGE) * PAGE;
    const end = Math.ceil((base + size) / PAGE) * PAGE;
    const v = base === 0 ? undefined : this.find(start);
    if (!v || end > v.base + v.size) {
      throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `MEM_COMMIT of ${hex(start)}-${hex(end)} is not inside one reservation`);
    }
    this.commitRange(v, start, end, protect);
    return [start, end - start];
  }

  /** Marks pages committed; frames come on first touch (demand commit). */
  private commitRange(v: Vad, start: number, end: number, protect: number): void {
    for (let va = start; va < end; va += PAGE) this.setProtect(v, (va - v.base) / PAGE, protect);
  }

  /**
   * Applies a protection to page `i` of `v`: the mapping follows (mapped only
   * if it has a frame and is accessible). On an image page still shared, a
   * writable protection is its WRITECOPY form and the page stays mapped
   * read-only (the first write copies it); on a page already copied,
   * WRITECOPY is plain read/write (as NT reports them).
   */
  private setProtect(v: Vad, i: number, protect: number): void {
    const va = v.base + i * PAGE;
    const old = v.protect[i]!;
    const shared = v.cow !== undefined && v.cow[i] !== 0;
    if (v.cow !== undefined) protect = shared ? asWriteCopy(protect) : asCopied(protect);
    v.protect[i] = protect;
    const f = v.frame[i]!;
    if (f === 0) return;
    const wasMapped = isAccessible(old);
    if (wasMapped) this.vspace.unmap(f);
    if (isAccessible(protect)) this.vspace.map(va, f, !shared && isWritableProtect(protect));
  }

  free(base: number, size: number, type: number): [number, number] {
    base >>>= 0;
    const v = this.find(base);
    if (!v) throw new NtStatusError(NTSTATUS.STATUS_MEMORY_NOT_ALLOCATED, `${hex(base)} is not allocated`);
    if (v.kind !== 'private' && v.kind !== 'stack') throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `${hex(base)} belongs to ${v.kind === 'image' ? 'a mapped image' : 'the system'}, not private memory`);
    if (type === MEM_RELEASE) {
      if (base !== v.base) throw new NtStatusError(NTSTATUS.STATUS_FREE_VM_NOT_AT_BASE, `MEM_RELEASE must name the base of the allocation (${hex(v.base)})`);
      if (size !== 0 && size !== v.size) throw new NtStatusError(NTSTATUS.STATUS_UNABLE_TO_FREE_VM, 'MEM_RELEASE of part of an allocation is not allowed');
      this.decommit(v, v.base, v.base + v.size);
      this.vads.splice(this.vads.indexOf(v), 1);
      return [v.base, v.size];
    }
    if (type === MEM_DECOMMIT) {
      const start = Math.floor(base / PAGE) * PAGE;
      const end = size === 0 ? v.base + v.size : Math.ceil((base + size) / PAGE) * PAGE;
      if (end > v.base + v.size) throw new NtStatusError(NTSTATUS.STATUS_UNABLE_TO_FREE_VM, 'MEM_DECOMMIT range extends past the allocation');
      this.decommit(v, start, end);
      return [start, end - start];
    }
    throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `free type ${hex(type)} is not MEM_RELEASE or MEM_DECOMMIT`);
  }

  private decommit(v: Vad, start: number, end: number): void {
    for (let va = start; va < end; va += PAGE) {
      const i = (va - v.base) / PAGE;
      const f = v.frame[i]!;
      if (f !== 0) {
        if (isAccessible(v.protect[i]!)) this.vspace.unmap(f);
        // A copy of a shared frame's cap goes; the frame stays with its owner (the section).
        if (v.shared || (v.cow !== undefined && v.cow[i] !== 0)) this.ko.deleteCap(f);
        else this.ko.releaseFrame(f);
        v.frame[i] = 0;
      }
      v.protect[i] = 0;
    }
  }

  /** Returns [base, size, old protection of the first page]. */
  protect(base: number, size: number, protect: number): [number, number, number] {
    this.checkProtect(protect);
    base >>>= 0;
    const start = Math.floor(base / PAGE) * PAGE;
    const end = Math.ceil((base + Math.max(size, 1)) / PAGE) * PAGE;
    const v = this.find(start);
    if (!v || end > v.base + v.size) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `${hex(start)}-${hex(end)} is not inside one allocation`);
    for (let va = start; va < end; va += PAGE) {
      if (v.protect[(va - v.base) / PAGE] === 0) throw new NtStatusError(NTSTATUS.STATUS_NOT_COMMITTED, `${hex(va)} is not committed`);
    }
    const old = v.protect[(start - v.base) / PAGE]!;
    for (let va = start; va < end; va += PAGE) this.setProtect(v, (va - v.base) / PAGE, protect);
    return [start, end - start, old];
  }

  /** MEMORY_BASIC_INFORMATION of the region holding `va`: [base, allocBase, allocProtect, size, state, protect, type]. */
  query(va: number): [number, number, number, number, number, number, number] {
    va >>>= 0;
    if (va > MM_HIGHEST_USER_ADDRESS) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `${hex(va)} is not a user address`);
    const page = Math.floor(va / PAGE) * PAGE;
    const v = this.find(page);
    if (!v) {
      const next = this.vads.find((r) => r.base > page);
      const end = next ? next.base : MM_HIGHEST_USER_ADDRESS + 1;
      return [page, 0, 0, end - page, MEM_FREE, PAGE_NOACCESS, 0];
    }
    const i0 = (page - v.base) / PAGE;
    const p = v.protect[i0]!;
    let n = i0;
    while (n < v.protect.length && v.protect[n] === p) n++;
    const type = v.kind === 'image' ? MEM_IMAGE : v.kind === 'view' ? MEM_MAPPED : MEM_PRIVATE;
    return [page, v.base, v.allocationProtect, (n - i0) * PAGE, p === 0 ? MEM_RESERVE : MEM_COMMIT, p, type];
  }

  // ---- faults -----------------------------------------------------------------
  /**
   * A VMFault at `va` (write or not): maps a committed page that has no frame
   * yet, turns a stack's guard page into a committed page (the guard moves
   * one page down, as NT grows stacks), or says why it cannot.
   */
  resolveFault(va: number, write: boolean): FaultResolution {
    const v = this.find(va);
    if (!v) return FaultResolution.VIOLATION;
    const i = Math.floor((va - v.base) / PAGE);
    const p = v.protect[i]!;
    if (p === 0) return FaultResolution.VIOLATION;
    if ((p & PAGE_GUARD) !== 0) {
      this.guardHits++;
      this.setProtect(v, i, p & ~PAGE_GUARD);
      if (v.kind === 'stack') {
        this.stackLimit = v.base + i * PAGE;
        const r = this.resolveFault(va, write);
        if (i > 1 && v.protect[i - 1] === 0) {
          this.setProtect(v, i - 1, (p & ~PAGE_GUARD) | PAGE_GUARD);
          return r;
        }
        return r === FaultResolution.RESOLVED ? FaultResolution.STACK_OVERFLOW : r;
      }
      return FaultResolution.GUARD;
    }
    if ((p & 0xff) === PAGE_NOACCESS) return FaultResolution.VIOLATION;
    if (write && !isWritableProtect(p)) return FaultResolution.VIOLATION;
    if (v.frame[i] !== 0) {
      // A write to a shared image page with a writable (WRITECOPY) protection: copy it, as demand commit, silently.
      if (write && v.cow !== undefined && v.cow[i] !== 0) {
        this.copyOnWrite(v, i);
        return FaultResolution.RESOLVED;
      }
      // On several cores the fault may come from another core's TLB entry made before this
      // mapping changed (a copy-on-write another thread's fault made): allowed now, it restarts.
      // (One core: its TLB is kept exact, so such a fault is a real one.)
      if (this.ko.k.numCores > 1 && (this.vspace.pte(va) & PTE_PRESENT) !== 0 && (!write || this.vspace.isWritable(va))) return FaultResolution.RESOLVED;
      return FaultResolution.VIOLATION; // mapped already: a real protection fault
    }
    this.demandFaults++;
    this.materialize(v, i);
    return FaultResolution.RESOLVED;
  }

  /**
   * Page `i` of image view `v` stops sharing the section's frame: its bytes
   * go to a private frame, mapped per its protection (WRITECOPY becomes
   * read/write), and the copy of the section's cap is deleted.
   */
  private copyOnWrite(v: Vad, i: number): number {
    const va = v.base + i * PAGE;
    const shared = v.frame[i]!;
    const f = this.ko.frame();
    const from = this.ko.physOf(shared);
    const to = this.ko.physOf(f);
    this.u8.copyWithin(to, from, from + PAGE);
    // The pooled frame may hold code the CPU decoded under an earlier owner.
    const k = this.ko.k;
    if (k.physicalWritten !== null) k.physicalWritten(to, PAGE);
    const p = v.protect[i]!;
    if (isAccessible(p)) this.vspace.unmap(shared);
    this.ko.deleteCap(shared);
    v.frame[i] = f;
    v.cow![i] = 0;
    this.copyOnWrites++;
    const q = asCopied(p);
    v.protect[i] = q;
    if (isAccessible(q)) this.vspace.map(va, f, isWritableProtect(q));
    return f;
  }

  /** Gives page `i` of `v` a frame and maps it per its protection. */
  private materialize(v: Vad, i: number): number {
    const f = this.ko.frame();
    v.frame[i] = f;
    const p = v.protect[i]!;
    if (isAccessible(p)) this.vspace.map(v.base + i * PAGE, f, isWritableProtect(p));
    return f;
  }

  // ---- probed access to user memory (for services) ----------------------------------
  /**
   * The physical address of `va` for an access by a service on behalf of
   * the process: it must be committed and accessible (writable for a write);
   * a committed page without a frame gets one. `system` accesses (the
   * executive building a process) skip the protection check.
   */
  private phys(va: number, write: boolean, system: boolean): number {
    va >>>= 0;
    const v = this.find(va);
    const i = v ? Math.floor((va - v.base) / PAGE) : 0;
    const p = v ? v.protect[i]! : 0;
    if (!v || p === 0 || (!system && (!isAccessible(p) || (write && !isWritableProtect(p))))) {
      throw new NtStatusError(NTSTATUS.STATUS_ACCESS_VIOLATION, `${write ? 'write to' : 'read of'} ${hex(va)}: ${!v || p === 0 ? 'not committed' : 'protection'}`);
    }
    // A write to a shared image page (a service's output, NtWriteVirtualMemory, the executive) copies it first.
    const f = v.frame[i] === 0 ? this.materialize(v, i) : write && v.cow !== undefined && v.cow[i] !== 0 ? this.copyOnWrite(v, i) : v.frame[i]!;
    const pa = this.ko.physOf(f) + (va & 0xfff);
    // A service writing user memory may overwrite code the CPU decoded (NtWriteVirtualMemory, image loading).
    if (write) { const k = this.ko.k; if (k.physicalWritten !== null) k.physicalWritten(pa, 1); }
    return pa;
  }

  /** Throws STATUS_ACCESS_VIOLATION unless [va, va+len) is accessible (writable for `write`). */
  probe(va: number, len: number, write: boolean): void {
    if (len === 0) return;
    va >>>= 0;
    if (va + len - 1 > 0xffffffff) throw new NtStatusError(NTSTATUS.STATUS_ACCESS_VIOLATION, `buffer at ${hex(va)} wraps around`);
    for (let p = va & ~0xfff; p < va + len; p += PAGE) this.phys(Math.max(p, va), write, false);
  }

  /** `n` little-endian words at `va` into `out` (the argument block of a call): one translation per page. */
  readWords(va: number, out: Uint32Array, n: number): void {
    va >>>= 0;
    if (n === 0) return;
    if ((va & 3) === 0 && (va & 0xfff) + n * 4 <= PAGE) {
      const w = this.phys(va, false, false) >> 2;
      const m = this.ko.k.m;
      for (let i = 0; i < n; i++) out[i] = m[w + i]! >>> 0;
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.readU32(va + i * 4);
  }

  readU8(va: number): number { return this.u8[this.phys(va, false, false)]!; }
  readU16(va: number): number {
    if ((va & 0xfff) <= 0xffe) return this.dv.getUint16(this.phys(va, false, false), true);
    return this.readU8(va) | (this.readU8(va + 1) << 8);
  }
  readU32(va: number): number {
    if ((va & 0xfff) <= 0xffc) return this.dv.getUint32(this.phys(va, false, false), true);
    return (this.readU16(va) | (this.readU16(va + 2) << 16)) >>> 0;
  }
  readU64(va: number): bigint {
    return BigInt(this.readU32(va)) | (BigInt(this.readU32(va + 4)) << 32n);
  }
  readI64(va: number): bigint {
    return BigInt.asIntN(64, this.readU64(va));
  }
  readBytes(va: number, len: number): Uint8Array {
    this.probe(va, len, false);
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const pa = this.phys(va + done, false, false);
      const n = Math.min(len - done, PAGE - ((va + done) & 0xfff));
      out.set(this.u8.subarray(pa, pa + n), done);
      done += n;
    }
    return out;
  }
  writeU32(va: number, value: number): void {
    if ((va & 0xfff) <= 0xffc) { this.dv.setUint32(this.phys(va, true, false), value >>> 0, true); return; }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.writeBytes(va, b);
  }
  writeU64(va: number, value: bigint): void {
    this.probe(va, 8, true);
    this.writeU32(va, Number(value & 0xffffffffn));
    this.writeU32(va + 4, Number((value >> 32n) & 0xffffffffn));
  }
  writeBytes(va: number, bytes: Uint8Array, system = false): void {
    if (!system) this.probe(va, bytes.length, true);
    for (let done = 0; done < bytes.length;) {
      const pa = this.phys(va + done, true, system);
      const n = Math.min(bytes.length - done, PAGE - ((va + done) & 0xfff));
      this.u8.set(bytes.subarray(done, done + n), pa);
      done += n;
    }
  }
  /** A UNICODE_STRING at `va` as a JS string (Length bytes, at most `max`). */
  readUnicodeString(va: number, max = 0xfffe): string {
    const len = this.readU16(va);
    const buf = this.readU32(va + 4);
    if ((len & 1) !== 0 || len > max) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `UNICODE_STRING length ${len} is not valid`);
    const b = this.readBytes(buf, len);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf16le');
  }

  /**
   * Maps `frameCaps` (one cap per page, each a copy made for this address
   * space) at `base` as a system region with protection `protect`.
   */
  mapShared(base: number, frameCaps: readonly number[], protect: number, kind: VadKind = 'system', view?: Vad['view']): void {
    const size = frameCaps.length * PAGE;
    if (this.overlaps(base, size)) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `shared region at ${hex(base)} overlaps`);
    const v: Vad = { base, size, kind, allocationProtect: protect, protect: new Uint16Array(frameCaps.length), frame: new Int32Array(frameCaps), shared: true };
    if (view !== undefined) v.view = view;
    this.insert(v);
    for (let i = 0; i < frameCaps.length; i++) {
      v.protect[i] = protect;
      this.vspace.map(base + i * PAGE, frameCaps[i]!, isWritableProtect(protect));
    }
  }

  /**
   * Maps an image view at `base`: `frameCaps` are read-only copies (made for
   * this address space) of the caps of the section's frames, `protect` the
   * protection of each page (writable ones become WRITECOPY). Every page is
   * committed and mapped read-only or read/execute, sharing the section's
   * frames; a page is copied on its first write.
   */
  mapImageView(base: number, frameCaps: readonly number[], protect: Uint16Array, view: NonNullable<Vad['view']>): void {
    const size = frameCaps.length * PAGE;
    if (!this.isFree(base, size)) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `image view at ${hex(base)} overlaps`);
    const n = frameCaps.length;
    const v: Vad = {
      base, size, kind: 'image', allocationProtect: PAGE_EXECUTE_WRITECOPY, protect: new Uint16Array(n), frame: new Int32Array(frameCaps),
      view, cow: new Uint8Array(n).fill(1),
    };
    for (let i = 0; i < n; i++) v.protect[i] = asWriteCopy(protect[i]!);
    let i = 0;
    try {
      for (; i < n; i++) if (isAccessible(v.protect[i]!)) this.vspace.map(base + i * PAGE, frameCaps[i]!, false);
    } catch (e) {
      // No page table could be made: undo the mappings; the caller still owns the caps.
      for (let j = 0; j < i; j++) if (isAccessible(v.protect[j]!)) this.vspace.unmap(frameCaps[j]!);
      throw e;
    }
    this.insert(v);
  }

  /** NtUnmapViewOfSection: removes the view starting at `base`. */
  unmapView(base: number): void {
    const v = this.find(base);
    if (v === undefined || (v.kind !== 'view' && v.view === undefined) || v.base !== (base >>> 0) - ((base >>> 0) % PAGE)) {
      throw new NtStatusError(NTSTATUS.STATUS_NOT_MAPPED_VIEW, `no section view at ${hex(base)}`);
    }
    this.decommit(v, v.base, v.base + v.size);
    this.vads.splice(this.vads.indexOf(v), 1);
    v.view?.release();
  }

  /** The frame cap slot backing committed page `va`, giving it one now if needed (kernel objects such as IPC buffers). */
  frameOf(va: number): number {
    this.phys(va, true, true);
    const v = this.find(va)!;
    return v.frame[Math.floor((va - v.base) / PAGE)]!;
  }

  /** Releases every frame, page table and the page directory (process exit). */
  destroy(): void {
    for (const v of this.vads) { this.decommit(v, v.base, v.base + v.size); v.view?.release(); }
    this.vads.length = 0;
    this.vspace.destroy();
  }

  /** Every VAD (debugging and tests). */
  regions(): readonly Vad[] {
    return this.vads;
  }
}
