/**
 * Host-side access to a guest address space, for the parts of the system
 * that read and write user memory on a thread's behalf (service arguments,
 * UNICODE_STRINGs, OUT parameters). Every access walks the page tables and
 * checks user/writable rights, so an unmapped or read-only guest pointer
 * becomes STATUS_ACCESS_VIOLATION for the caller, never an engine error.
 * (Separate from the CPU's TLB on purpose: the executive runs in another
 * worker and must not depend on a core's TLB state.)
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import type { GuestRam } from '../machine/ram.js';
import { PTE_FRAME, PTE_P, PTE_RW, PTE_US } from './paging.js';

export class GuestMemory {
  constructor(readonly ram: GuestRam, readonly directory: number) {}

  /** Physical address of `va` for a user access, or throws STATUS_ACCESS_VIOLATION. */
  translate(va: number, write: boolean): number {
    va >>>= 0;
    const i32 = this.ram.i32;
    const pde = i32[(this.directory >> 2) + (va >>> 22)]!;
    if ((pde & (PTE_P | PTE_US)) === (PTE_P | PTE_US)) {
      const pte = i32[((pde & PTE_FRAME) >> 2) + ((va >>> 12) & 0x3ff)]!;
      const need = PTE_P | PTE_US | (write ? PTE_RW : 0);
      if ((pte & need) === need && (pde & need) === need) {
        const pa = (pte & PTE_FRAME) | (va & 0xfff);
        if (pa >= 0 && pa < this.ram.size) return pa;
      }
    }
    throw new NtStatusError(
      NTSTATUS.STATUS_ACCESS_VIOLATION,
      `guest ${write ? 'write to' : 'read of'} 0x${va.toString(16).padStart(8, '0')} is not allowed (not mapped${write ? ' or read-only' : ''})`,
    );
  }

  /** Checks that [va, va+len) is accessible, without copying. */
  probe(va: number, len: number, write: boolean): void {
    if (len <= 0) return;
    const end = va + len - 1;
    if (end > 0xffffffff) throw new NtStatusError(NTSTATUS.STATUS_ACCESS_VIOLATION, `guest range 0x${(va >>> 0).toString(16)}+${len} wraps past 4 GiB`);
    for (let p = va & ~0xfff; p <= end; p += 0x1000) this.translate(Math.max(p, va), write);
  }

  readBytes(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.copyOut(va, out);
    return out;
  }

  /** Copies guest memory at `va` into `dst`. */
  copyOut(va: number, dst: Uint8Array): void {
    this.probe(va, dst.length, false);
    let done = 0;
    while (done < dst.length) {
      const pa = this.translate(va + done, false);
      const n = Math.min(dst.length - done, 0x1000 - ((va + done) & 0xfff));
      dst.set(this.ram.u8.subarray(pa, pa + n), done);
      done += n;
    }
  }

  /** Copies `src` into guest memory at `va` (all pages are checked before anything is written). */
  writeBytes(va: number, src: Uint8Array): void {
    this.probe(va, src.length, true);
    let done = 0;
    while (done < src.length) {
      const pa = this.translate(va + done, true);
      const n = Math.min(src.length - done, 0x1000 - ((va + done) & 0xfff));
      this.ram.u8.set(src.subarray(done, done + n), pa);
      done += n;
    }
  }

  readU8(va: number): number {
    return this.ram.u8[this.translate(va, false)]!;
  }

  readU16(va: number): number {
    if ((va & 0xfff) <= 0xffe) return this.ram.view.getUint16(this.translate(va, false), true);
    return this.readU8(va) | (this.readU8(va + 1) << 8);
  }

  readU32(va: number): number {
    if ((va & 0xfff) <= 0xffc) return this.ram.view.getUint32(this.translate(va, false), true);
    return (this.readU16(va) | (this.readU16(va + 2) << 16)) >>> 0;
  }

  writeU32(va: number, v: number): void {
    if ((va & 0xfff) <= 0xffc) { this.ram.view.setUint32(this.translate(va, true), v >>> 0, true); return; }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.writeBytes(va, b);
  }

  writeU16(va: number, v: number): void {
    const b = new Uint8Array(2);
    b[0] = v & 0xff;
    b[1] = (v >>> 8) & 0xff;
    this.writeBytes(va, b);
  }

  /** A 64-bit value (LARGE_INTEGER) as a BigInt write, both halves checked first. */
  writeU64(va: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.writeBytes(va, b);
  }

  /** Reads a UNICODE_STRING structure at `va` and returns its text. */
  readUnicodeString(va: number, maxBytes = 0xfffe): string {
    const length = this.readU16(va);
    const buffer = this.readU32(va + 4);
    if (length % 2 !== 0) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `UNICODE_STRING at 0x${(va >>> 0).toString(16)} has an odd length (${length})`);
    if (length > maxBytes) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `UNICODE_STRING at 0x${(va >>> 0).toString(16)} is too long (${length} bytes)`);
    const bytes = this.readBytes(buffer, length);
    return new TextDecoder('utf-16le').decode(bytes);
  }
}
