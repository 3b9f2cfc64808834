/**
 * Page protections of a mapped image, from section characteristics.
 *
 * Headers are read-only; each section gets R/W/X from its MEM_READ /
 * MEM_WRITE / MEM_EXECUTE flags (CNT_CODE also implies execute, and write
 * implies read, as on i386 page tables). Protections are computed per 4 KiB
 * page: with a section alignment below the page size several sections share
 * a page, which then gets the union of their rights.
 */
import { PAGE_SIZE, SCN_CNT_CODE, SCN_MEM_EXECUTE, SCN_MEM_READ, SCN_MEM_WRITE } from './constants.js';
import { alignUp } from './image.js';
import type { PeImage } from './image.js';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXECUTE = 4;

/** A run of pages with one protection; `rva` and `size` are page-aligned. */
export interface ProtectionRange {
  readonly rva: number;
  readonly size: number;
  /** PROT_* bits. */
  readonly prot: number;
}

export function sectionProtection(characteristics: number): number {
  let prot = PROT_NONE;
  if ((characteristics & SCN_MEM_READ) !== 0) prot |= PROT_READ;
  if ((characteristics & SCN_MEM_WRITE) !== 0) prot |= PROT_WRITE | PROT_READ;
  if ((characteristics & (SCN_MEM_EXECUTE | SCN_CNT_CODE)) !== 0) prot |= PROT_EXECUTE | PROT_READ;
  return prot;
}

/** "r-x", "rw-", ... for listings. */
export function protectionString(prot: number): string {
  return `${prot & PROT_READ ? 'r' : '-'}${prot & PROT_WRITE ? 'w' : '-'}${prot & PROT_EXECUTE ? 'x' : '-'}`;
}

export function computeProtections(pe: PeImage): ProtectionRange[] {
  const pageCount = Math.ceil(pe.sizeOfImage / PAGE_SIZE);
  const pages = new Uint8Array(pageCount);
  const mark = (start: number, end: number, prot: number): void => {
    const last = Math.min(pageCount, Math.ceil(end / PAGE_SIZE));
    for (let p = Math.floor(start / PAGE_SIZE); p < last; p++) pages[p]! |= prot;
  };
  mark(0, pe.sizeOfHeaders, PROT_READ);
  for (const s of pe.sections) {
    mark(s.virtualAddress, s.virtualAddress + alignUp(s.mappedSize, pe.sectionAlignment), sectionProtection(s.characteristics));
  }
  const ranges: ProtectionRange[] = [];
  let runStart = 0;
  for (let p = 1; p <= pageCount; p++) {
    if (p === pageCount || pages[p] !== pages[runStart]) {
      ranges.push({ rva: runStart * PAGE_SIZE, size: (p - runStart) * PAGE_SIZE, prot: pages[runStart]! });
      runStart = p;
    }
  }
  return ranges;
}
