/**
 * An ImageTarget over plain host memory, for tests: reservations are ranges,
 * written bytes live in a sparse map of 4 KiB pages, protections per page.
 */
import type { ImageTarget } from '../../src/pe/loader.js';

const PAGE = 0x1000;

export class MemoryTarget implements ImageTarget {
  readonly reservations: { base: number; size: number }[] = [];
  readonly pages = new Map<number, Uint8Array>();
  readonly prot = new Map<number, number>();
  released: { base: number; size: number }[] = [];

  reserve(base: number, size: number): boolean {
    if (this.reservations.some((r) => base < r.base + r.size && r.base < base + size)) return false;
    this.reservations.push({ base, size });
    return true;
  }

  release(base: number, size: number): void {
    const i = this.reservations.findIndex((r) => r.base === base && r.size === size);
    if (i >= 0) this.reservations.splice(i, 1);
    this.released.push({ base, size });
  }

  private reserved(vaddr: number, size: number): boolean {
    return this.reservations.some((r) => vaddr >= r.base && vaddr + size <= r.base + r.size);
  }

  write(vaddr: number, bytes: Uint8Array): void {
    if (!this.reserved(vaddr, bytes.length)) throw new Error(`write outside a reservation at 0x${vaddr.toString(16)}`);
    for (let i = 0; i < bytes.length; i++) {
      const a = vaddr + i;
      let page = this.pages.get(Math.floor(a / PAGE));
      if (page === undefined) {
        page = new Uint8Array(PAGE);
        this.pages.set(Math.floor(a / PAGE), page);
      }
      page[a % PAGE] = bytes[i]!;
    }
  }

  protect(vaddr: number, size: number, prot: number): void {
    if (vaddr % PAGE !== 0 || size % PAGE !== 0) throw new Error('unaligned protect');
    if (!this.reserved(vaddr, size)) throw new Error(`protect outside a reservation at 0x${vaddr.toString(16)}`);
    for (let a = vaddr; a < vaddr + size; a += PAGE) this.prot.set(a / PAGE, prot);
  }

  u8(vaddr: number): number {
    return this.pages.get(Math.floor(vaddr / PAGE))?.[vaddr % PAGE] ?? 0;
  }

  u32(vaddr: number): number {
    return (this.u8(vaddr) | (this.u8(vaddr + 1) << 8) | (this.u8(vaddr + 2) << 16) | (this.u8(vaddr + 3) << 24)) >>> 0;
  }

  protectionAt(vaddr: number): number | undefined {
    return this.prot.get(Math.floor(vaddr / PAGE));
  }

  /** A free-range finder handing out 64 KiB-aligned bases from `start` upward. */
  freeRangeFinder(start = 0x20000000): (size: number) => number | undefined {
    return (size) => {
      for (let base = start; base + size <= 0x80000000; base += 0x10000) {
        if (!this.reservations.some((r) => base < r.base + r.size && r.base < base + size)) return base;
      }
      return undefined;
    };
  }
}
