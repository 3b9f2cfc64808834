/**
 * Lpc: port views. A client may give NtConnectPort a section (PORT_VIEW,
 * "ClientView"); the server may give NtAcceptConnectPort one of its own
 * ("ServerView"). Each section is mapped into both processes, so the two
 * sides exchange large data through shared pages and send messages that
 * refer to it (offsets or pointers into the view; the connection request
 * carries the client view's size in ClientViewSize, NT's field).
 *
 *   PORT_VIEW        { Length = 24, SectionHandle, SectionOffset, ViewSize,
 *                      ViewBase (out: the owner's mapping),
 *                      ViewRemoteBase (out: the other side's mapping) }
 *   REMOTE_PORT_VIEW { Length = 12, ViewSize, ViewBase }  (out: the other side's view as mapped here)
 *
 * Views are PAGE_READWRITE and stay mapped until the communication port of
 * that side is deleted (the last handle closed) or the process ends.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { PAGE_READWRITE } from '../../abi/layouts.js';
import type { KernelObjects } from '../ke/objects.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ImageSection } from '../mm/image-section.js';
import { SECTION_MAP_READ, SECTION_MAP_WRITE, SectionType, mmMapViewOfSection, type Section } from '../mm/section.js';
import type { EProcess, EThread } from '../ps/process.js';

export const PORT_VIEW_SIZE = 24;
export const REMOTE_PORT_VIEW_SIZE = 12;

/** One mapping of a port view in one process. */
export interface MappedView {
  readonly process: EProcess;
  readonly base: number;
  readonly size: number;
}

/** A PORT_VIEW the caller gave: its section (referenced by the caller's handle), offset and size. */
export interface PortViewRequest {
  readonly section: Section;
  readonly offset: number;
  readonly size: number;
}

/** Reads and checks the caller's PORT_VIEW at `ptr`. */
export function lpcReadPortView(t: EThread, ptr: number): PortViewRequest {
  const mem = t.process.space;
  const length = mem.readU32(ptr);
  if (length !== PORT_VIEW_SIZE) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `PORT_VIEW.Length is ${length}, not ${PORT_VIEW_SIZE}`);
  const section = obReferenceObjectByHandle<Section>(t, mem.readU32(ptr + 4), SECTION_MAP_READ | SECTION_MAP_WRITE, SectionType).object;
  if (section instanceof ImageSection) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, 'a port view must be a pagefile-backed section, not an image');
  return { section, offset: mem.readU32(ptr + 8), size: mem.readU32(ptr + 12) };
}

/** Checks an out REMOTE_PORT_VIEW's Length (the caller sets it, as on NT). */
export function lpcCheckRemoteView(t: EThread, ptr: number): void {
  const length = t.process.space.readU32(ptr);
  if (length !== REMOTE_PORT_VIEW_SIZE) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `REMOTE_PORT_VIEW.Length is ${length}, not ${REMOTE_PORT_VIEW_SIZE}`);
}

/** Maps the view into process `p` (anywhere, read/write). */
export function lpcMapView(ko: KernelObjects, v: PortViewRequest, p: EProcess): MappedView {
  const base = mmMapViewOfSection(ko, v.section, p.space, 0, v.offset, v.size, PAGE_READWRITE);
  return { process: p, base, size: p.space.find(base)!.size };
}

/** Removes a mapping (nothing when its process has ended, or the program unmapped it itself). */
export function lpcUnmapView(m: MappedView): void {
  if (m.process.terminated) return;
  try { m.process.space.unmapView(m.base); } catch (e) {
    if (!(e instanceof NtStatusError)) throw e;
  }
}

/** Fills the owner's PORT_VIEW outputs: ViewSize, ViewBase, ViewRemoteBase. */
export function lpcWritePortView(t: EThread, ptr: number, own: MappedView, remote: MappedView): void {
  const mem = t.process.space;
  mem.writeU32(ptr + 12, own.size);
  mem.writeU32(ptr + 16, own.base);
  mem.writeU32(ptr + 20, remote.base);
}

/** Fills a REMOTE_PORT_VIEW: the other side's view as mapped in this process. */
export function lpcWriteRemoteView(t: EThread, ptr: number, here: MappedView): void {
  const mem = t.process.space;
  mem.writeU32(ptr, REMOTE_PORT_VIEW_SIZE);
  mem.writeU32(ptr + 4, here.size);
  mem.writeU32(ptr + 8, here.base);
}
