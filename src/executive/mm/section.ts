/**
 * Mm: pagefile-backed sections. A section owns zeroed frames (allocated
 * when it is created); each view maps copies of their caps into a process
 * (one cap per page per view, as seL4 maps a cap once), so every view of a
 * section, in any process, reads and writes the same physical pages. The
 * frames go back to the pool when the last handle and the last view are
 * gone. Image sections and file-backed sections need the I/O manager.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { PAGE_READONLY, PAGE_READWRITE } from '../../abi/layouts.js';
import { invokeCNode_Copy, RIGHT_READ, RIGHT_WRITE, seL4_CapInitThreadCNode, seL4_NoError, ERROR_NAMES } from '../../kernel/index.js';
import { ObObject, obDereferenceObject, obReferenceObject, type ObjectType } from '../ob/object.js';
import type { KernelObjects } from '../ke/objects.js';
import { PAGE, type AddressSpace } from './address-space.js';

export const SECTION_MAP_WRITE = 2;
export const SECTION_MAP_READ = 4;
/** The largest section made here (frames are allocated up front). */
export const SECTION_MAX = 64 << 20;

let koOfSections: KernelObjects | null = null;

export const SectionType: ObjectType = {
  name: 'Section',
  generic: { read: 0x20005, write: 0x20002, execute: 0x20008, all: 0xf001f },
  delete(o) {
    const s = o as Section;
    for (const f of s.frames) koOfSections?.releaseFrame(f);
    s.frames.length = 0;
  },
};

export class Section extends ObObject {
  readonly frames: number[] = [];
  constructor(ko: KernelObjects, readonly size: number, readonly protect: number) {
    super(SectionType);
    koOfSections = ko;
    try {
      for (let i = 0; i < size / PAGE; i++) this.frames.push(ko.frame());
    } catch (e) {
      for (const f of this.frames) ko.releaseFrame(f);
      throw e;
    }
  }
}

/** Maps pages [offset, offset + size) of `s` into `space` at `base` (0: chosen); returns the base. */
export function mmMapViewOfSection(ko: KernelObjects, s: Section, space: AddressSpace, base: number, offset: number, size: number, protect: number): number {
  if (protect !== PAGE_READWRITE && protect !== PAGE_READONLY) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION, 'views are PAGE_READWRITE or PAGE_READONLY here');
  if (protect === PAGE_READWRITE && s.protect === PAGE_READONLY) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION, 'a read-only section cannot be mapped writable');
  if (offset % PAGE !== 0 || offset >= s.size) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `section offset ${offset} is not a page inside the section`);
  if (size === 0) size = s.size - offset;
  size = Math.ceil(size / PAGE) * PAGE;
  if (offset + size > s.size) throw new NtStatusError(NTSTATUS.STATUS_INVALID_VIEW_SIZE, `view of ${size} bytes at ${offset} is past the section's end (${s.size})`);
  if (base === 0) base = space.freeRange(size);
  else if (base % 0x10000 !== 0 || !space.isFree(base, size)) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `0x${base.toString(16)} is not a free 64 KiB-aligned range`);
  const root = ko.slot(seL4_CapInitThreadCNode);
  const caps: number[] = [];
  const rights = protect === PAGE_READWRITE ? RIGHT_READ | RIGHT_WRITE : RIGHT_READ;
  for (let i = offset / PAGE; i < (offset + size) / PAGE; i++) {
    const c = ko.allocSlot();
    const e = invokeCNode_Copy(ko.k, root, c, 32, root, s.frames[i]!, 32, rights);
    if (e !== seL4_NoError) throw new Error(`CNode_Copy(section frame) failed: ${ERROR_NAMES[e]}`);
    caps.push(c);
  }
  obReferenceObject(s);
  space.mapShared(base, caps, protect, 'view', { release: () => obDereferenceObject(s) });
  return base;
}
