/**
 * Mm: image sections. As NT does for \KnownDlls, the executive makes one
 * section per DLL of the DLL search directories when the first process is
 * created there; NtCreateSection(SEC_IMAGE) makes one of a boot module
 * (io/bootmodules.ts), and process creation maps one for the program
 * (ps/create.ts). Its frames hold the image laid out
 * at its preferred base (headers, then each section at its RVA, zero
 * filled; no relocations, no imports bound: that is ntdll's loader's job,
 * guest/ntdll/ldr.c). Each is named \KnownDlls\<lower-case name>.
 *
 * A view of an image section maps the section's own frames, as NT does:
 * every view, in every process, reads and runs the same physical pages
 * (so the CPU's decoded and translated code, keyed by physical address, is
 * reused). Each view gets read-only copies of the frames' caps, so no view
 * can write them; writable pages are copy-on-write (PAGE_WRITECOPY /
 * PAGE_EXECUTE_WRITECOPY until written, address-space.ts): the first
 * write, by the guest (a VMFault fixed silently) or by a service, gives
 * the view a private copy of that page. The loader in the guest makes the
 * whole image writable while it relocates and binds imports, so only the
 * pages it writes are copied. The view goes at the preferred base when it
 * is free (STATUS_SUCCESS), elsewhere otherwise (STATUS_IMAGE_NOT_AT_BASE:
 * the guest applies the base relocations), with the sections' protections.
 * The section's frames live while a handle or a view holds the section.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../../abi/layouts.js';
import { invokeCNode_Copy, RIGHT_READ, seL4_CapInitThreadCNode, seL4_NoError, ERROR_NAMES } from '../../kernel/index.js';
import {
  byName, computeProtections, lookupExport, mapImage, parseExports, parsePeImage, readImageFile, PROT_EXECUTE, PROT_READ, PROT_WRITE,
  type ExportTable, type PeImage, type ProtectionRange,
} from '../../pe/index.js';
import { obDereferenceObject, obReferenceObject } from '../ob/object.js';
import type { ObNamespace, ObDirectory } from '../ob/namespace.js';
import type { KernelObjects } from '../ke/objects.js';
import { PAGE, type AddressSpace } from './address-space.js';
import { Section } from './section.js';

/** What NtQuerySection(SectionImageInformation) reports, from the image's headers. */
export interface ImageInformation {
  readonly entryRva: number;
  readonly stackReserve: number;
  readonly stackCommit: number;
  readonly subsystem: number;
  readonly subsystemMajor: number;
  readonly subsystemMinor: number;
  readonly characteristics: number;
  readonly dllCharacteristics: number;
  readonly machine: number;
  readonly containsCode: boolean;
  readonly loaderFlags: number;
  readonly fileSize: number;
  readonly checkSum: number;
  readonly isDll: boolean;
}

export class ImageSection extends Section {
  /** The host file it was made of ('' when not known). */
  source = '';
  /** Each page's protection in a new view (from the section headers; writable ones become WRITECOPY when mapped). */
  readonly pageProtect: Uint16Array;
  constructor(ko: KernelObjects, readonly imageName: string, readonly imageBase: number, sizeOfImage: number, readonly protections: readonly ProtectionRange[],
    readonly info: ImageInformation, private readonly exports: ExportTable) {
    super(ko, Math.ceil(sizeOfImage / PAGE) * PAGE, PAGE_EXECUTE_READWRITE);
    this.pageProtect = new Uint16Array(this.frames.length).fill(PAGE_NOACCESS);
    for (const r of protections) this.pageProtect.fill(protectionFor(r.prot), r.rva / PAGE, Math.min(this.frames.length, (r.rva + r.size) / PAGE));
  }

  /** RVA of an export by name (not a forwarder), or undefined. */
  exportRva(name: string): number | undefined {
    const e = lookupExport(this.exports, byName(name));
    return e?.kind === 'rva' ? e.rva : undefined;
  }
}

function imageInformation(pe: PeImage): ImageInformation {
  const f = pe.file;
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  // LoaderFlags: optional header + 0x70 (PE32), past the PE signature and the 20-byte COFF header.
  const lfanew = dv.getUint32(0x3c, true);
  return {
    entryRva: pe.addressOfEntryPoint, stackReserve: pe.sizeOfStackReserve, stackCommit: pe.sizeOfStackCommit,
    subsystem: pe.subsystem, subsystemMajor: pe.majorSubsystemVersion, subsystemMinor: pe.minorSubsystemVersion,
    characteristics: pe.characteristics, dllCharacteristics: pe.dllCharacteristics, machine: pe.machine,
    containsCode: pe.sections.some((s) => (s.characteristics & 0x20000020) !== 0), // CNT_CODE or MEM_EXECUTE
    loaderFlags: dv.getUint32(lfanew + 24 + 0x70, true), fileSize: f.length, checkSum: pe.checkSum, isDll: pe.isDll,
  };
}

function protectionFor(prot: number): number {
  if ((prot & PROT_EXECUTE) !== 0) return (prot & PROT_WRITE) !== 0 ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ;
  if ((prot & PROT_WRITE) !== 0) return PAGE_READWRITE;
  if ((prot & PROT_READ) !== 0) return PAGE_READONLY;
  return PAGE_NOACCESS;
}

/** An image section holding `file` (a PE image) laid out at its preferred base. Throws NtStatusError for a bad image. */
export function mmCreateImageSection(ko: KernelObjects, file: Uint8Array, name: string): ImageSection {
  const pe = parsePeImage(file, name);
  const mapped = mapImage(pe);
  const s = new ImageSection(ko, name, pe.imageBase, pe.sizeOfImage, computeProtections(pe), imageInformation(pe), parseExports(mapped));
  const ram = new Uint8Array(ko.k.memory);
  for (let i = 0; i < s.frames.length; i++) {
    const page = mapped.bytes.subarray(i * PAGE, Math.min((i + 1) * PAGE, mapped.bytes.length));
    const pa = ko.physOf(s.frames[i]!);
    ram.set(page, pa);
    if (ko.k.physicalWritten !== null) ko.k.physicalWritten(pa, page.length);
  }
  return s;
}

/** Maps a view of `s` (sharing its frames, copy-on-write) into `space`; returns the base and whether it is the preferred one. */
export function mmMapImageView(ko: KernelObjects, s: ImageSection, space: AddressSpace, base: number): { base: number; atBase: boolean } {
  if (base === 0) base = space.isFree(s.imageBase, s.size) ? s.imageBase : space.freeRange(s.size);
  else if (base % 0x10000 !== 0 || !space.isFree(base, s.size)) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `0x${base.toString(16)} is not a free 64 KiB-aligned range`);
  const root = ko.slot(seL4_CapInitThreadCNode);
  const caps: number[] = [];
  try {
    for (const frame of s.frames) {
      const c = ko.allocSlot();
      caps.push(c);
      // Read-only: the kernel will not map the section's frame writable through this cap.
      const e = invokeCNode_Copy(ko.k, root, c, 32, root, frame, 32, RIGHT_READ);
      if (e !== seL4_NoError) throw new Error(`CNode_Copy(image section frame) failed: ${ERROR_NAMES[e]}`);
    }
  } catch (e) {
    for (const c of caps) ko.deleteCap(c);
    throw e;
  }
  try {
    space.mapImageView(base, caps, s.pageProtect, { release: () => obDereferenceObject(s) });
  } catch (e) {
    for (const c of caps) ko.deleteCap(c);
    throw e;
  }
  obReferenceObject(s);
  return { base, atBase: base === s.imageBase };
}

/**
 * \KnownDlls: an image section per *.dll of `dirs` not yet there (the first
 * directory wins, as in a search path). A file that is not a valid image is
 * skipped with a trace line.
 */
export function mmCreateKnownDlls(ko: KernelObjects, ns: ObNamespace, dirs: readonly string[], trace: (line: string) => void): void {
  const known = ns.lookup('\\KnownDlls', null, true, false).object as ObDirectory;
  for (const dir of dirs) {
    let names: string[];
    try { names = readdirSync(dir).filter((f) => /\.dll$/i.test(f)).sort(); } catch { continue; }
    for (const f of names) {
      const name = f.toLowerCase();
      if (known.find(name, true) !== undefined) continue;
      try {
        const s = mmCreateImageSection(ko, readImageFile(join(dir, f)).bytes, name);
        s.source = join(dir, f);
        s.permanent = true;
        ns.insert(known, name, s);
      } catch (e) {
        if (!(e instanceof NtStatusError)) throw e;
        trace(`KnownDlls: ${f} skipped: ${(e as Error).message}`);
      }
    }
  }
}
