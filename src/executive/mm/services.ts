/**
 * Mm services. ProcessHandle may name another process (PROCESS_VM_*
 * access); the region arguments are probed by the dispatcher, the memory
 * they describe by the address space.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ProcessType, type EProcess, type EThread } from '../ps/process.js';
import { PAGE_READONLY, PAGE_READWRITE } from '../../abi/layouts.js';
import { obInsertObject, obOpenObjectByName, readObjectAttributes } from '../ob/reference.js';
import { ImageSection, mmCreateImageSection, mmMapImageView } from './image-section.js';
import { BOOT_MODULE_MAX, FILE_EXECUTE, FileObject, FileType } from '../io/bootmodules.js';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Executive } from '../executive.js';
import type { KernelObjects } from '../ke/objects.js';
import { SECTION_MAP_READ, SECTION_MAP_WRITE, SECTION_MAX, Section, SectionType, mmMapViewOfSection } from './section.js';

const PROCESS_VM_OPERATION = 0x8;
const PROCESS_VM_READ = 0x10;
const PROCESS_VM_WRITE = 0x20;
const MBI_SIZE = 28;
/** Largest NtRead/WriteVirtualMemory copy served in one call. */
const COPY_MAX = 64 << 20;

function processOf(t: EThread, handle: number, access: number): EProcess {
  const p = obReferenceObjectByHandle<EProcess>(t, handle, access, ProcessType).object;
  if (p.terminated) throw new NtStatusError(NTSTATUS.STATUS_PROCESS_IS_TERMINATING, 'the process has ended');
  return p;
}

export const mmServices: Record<string, ServiceHandler> = {
  NtAllocateVirtualMemory(_ex, t, a) {
    const [h, pBase, zeroBits, pSize, type, protect] = a;
    const p = processOf(t, h!, PROCESS_VM_OPERATION);
    if (zeroBits! > 21) return NTSTATUS.STATUS_INVALID_PARAMETER_3;
    const mem = t.process.space;
    const [b, s] = p.space.allocate(mem.readU32(pBase!), mem.readU32(pSize!), type!, protect!);
    mem.writeU32(pBase!, b);
    mem.writeU32(pSize!, s);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtFreeVirtualMemory(_ex, t, a) {
    const [h, pBase, pSize, type] = a;
    const p = processOf(t, h!, PROCESS_VM_OPERATION);
    const mem = t.process.space;
    const [b, s] = p.space.free(mem.readU32(pBase!), mem.readU32(pSize!), type!);
    mem.writeU32(pBase!, b);
    mem.writeU32(pSize!, s);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtProtectVirtualMemory(_ex, t, a) {
    const [h, pBase, pSize, newProtect, pOld] = a;
    const p = processOf(t, h!, PROCESS_VM_OPERATION);
    const mem = t.process.space;
    const [b, s, old] = p.space.protect(mem.readU32(pBase!), mem.readU32(pSize!), newProtect!);
    mem.writeU32(pBase!, b);
    mem.writeU32(pSize!, s);
    mem.writeU32(pOld!, old);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQueryVirtualMemory(_ex, t, a) {
    const [h, base, cls, buf, len, pRet] = a;
    const p = processOf(t, h!, PROCESS_VM_OPERATION);
    if (cls !== 0) return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    if (len! < MBI_SIZE) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
    const mem = t.process.space;
    mem.probe(buf!, MBI_SIZE, true);
    const info = p.space.query(base!);
    const out = new Uint8Array(MBI_SIZE);
    const dv = new DataView(out.buffer);
    info.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
    mem.writeBytes(buf!, out);
    if (pRet !== 0) mem.writeU32(pRet!, MBI_SIZE);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtReadVirtualMemory(_ex, t, a) {
    const [h, base, buf, n, pDone] = a;
    const p = processOf(t, h!, PROCESS_VM_READ);
    if (n! > COPY_MAX) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const mem = t.process.space;
    mem.probe(buf!, n!, true);
    let bytes: Uint8Array;
    try { bytes = p.space.readBytes(base!, n!); } catch (e) {
      if (e instanceof NtStatusError) throw new NtStatusError(NTSTATUS.STATUS_ACCESS_VIOLATION, `source: ${e.message}`);
      throw e;
    }
    mem.writeBytes(buf!, bytes);
    if (pDone !== 0) mem.writeU32(pDone!, n!);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtWriteVirtualMemory(_ex, t, a) {
    const [h, base, buf, n, pDone] = a;
    const p = processOf(t, h!, PROCESS_VM_WRITE);
    if (n! > COPY_MAX) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const mem = t.process.space;
    const bytes = mem.readBytes(buf!, n!);
    p.space.writeBytes(base!, bytes);
    if (pDone !== 0) mem.writeU32(pDone!, n!);
    return NTSTATUS.STATUS_SUCCESS;
  },
};

const SEC_FILE = 0x800000;
const SEC_IMAGE = 0x1000000;
const SEC_COMMIT = 0x8000000;
const SECTION_QUERY = 1;
const SECTION_BASIC_INFORMATION_SIZE = 16;
const SECTION_IMAGE_INFORMATION_SIZE = 0x30;

/**
 * The image section of a boot module: made on the first SEC_IMAGE request
 * (the file is read and checked then) and kept with the file, as NT keeps
 * one image section per file.
 */
export function mmImageSectionOfFile(ko: KernelObjects, f: FileObject): ImageSection {
  if (f.imageSection !== undefined && !f.imageSection.deleted) return f.imageSection;
  let bytes: Uint8Array;
  try {
    const size = statSync(f.hostPath).size;
    if (size > BOOT_MODULE_MAX) throw new NtStatusError(NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, `${f.name} is ${size} bytes: larger than any image made here (${BOOT_MODULE_MAX})`);
    bytes = readFileSync(f.hostPath);
  } catch (e) {
    if (e instanceof NtStatusError) throw e;
    throw new NtStatusError(NTSTATUS.STATUS_INVALID_FILE_FOR_SECTION, `${f.name} cannot be read: ${(e as Error).message}`);
  }
  const s = mmCreateImageSection(ko, bytes, basename(f.hostPath));
  s.pointerCount++; // the file's reference
  f.imageSection = s;
  return s;
}

export const mmSectionServices: Record<string, ServiceHandler> = {
  NtCreateSection(ex, t, a) {
    const [pHandle, access, pOa, pSize, protect, attributes, file] = a;
    if (attributes === SEC_IMAGE) {
      // An image section of a file: the size and protection come from the image (MaximumSize and the protection are not used).
      if (file === 0) return NTSTATUS.STATUS_INVALID_FILE_FOR_SECTION;
      const f = obReferenceObjectByHandle<FileObject>(t, file!, FILE_EXECUTE, FileType).object;
      const section = mmImageSectionOfFile(ex.ko, f);
      const r = obInsertObject(ex, t, section, readObjectAttributes(t, pOa!), access!);
      t.process.space.writeU32(pHandle!, r.handle);
      return r.status;
    }
    if (file !== 0) {
      ex.trace('NtCreateSection: data sections backed by a file need the I/O manager (only SEC_IMAGE of a boot module is served)');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    if (attributes !== SEC_COMMIT) return NTSTATUS.STATUS_INVALID_PARAMETER_6;
    if (protect !== PAGE_READWRITE && protect !== PAGE_READONLY) return NTSTATUS.STATUS_INVALID_PAGE_PROTECTION;
    if (pSize === 0) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const size = t.process.space.readI64(pSize!);
    if (size <= 0n) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    if (size > BigInt(SECTION_MAX)) return NTSTATUS.STATUS_SECTION_TOO_BIG;
    const section = new Section(ex.ko, Math.ceil(Number(size) / 4096) * 4096, protect!);
    const r = obInsertObject(ex, t, section, readObjectAttributes(t, pOa!), access!);
    t.process.space.writeU32(pHandle!, r.handle);
    return r.status;
  },
  NtQuerySection(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    const section = obReferenceObjectByHandle<Section>(t, h!, SECTION_QUERY, SectionType).object;
    const out = new Uint8Array(cls === 0 ? SECTION_BASIC_INFORMATION_SIZE : SECTION_IMAGE_INFORMATION_SIZE);
    const dv = new DataView(out.buffer);
    if (cls === 0) {
      // SECTION_BASIC_INFORMATION: BaseAddress (0: not a based section), AllocationAttributes, MaximumSize.
      dv.setUint32(4, section instanceof ImageSection ? SEC_IMAGE | SEC_FILE : SEC_COMMIT, true);
      dv.setBigUint64(8, BigInt(section.size), true);
    } else if (cls === 1) {
      if (!(section instanceof ImageSection)) return NTSTATUS.STATUS_SECTION_NOT_IMAGE;
      const i = section.info;
      // SECTION_IMAGE_INFORMATION (x86): TransferAddress at the preferred base, ZeroBits, stack reserve/commit,
      // subsystem, its version (minor, major), GpValue, characteristics, DLL characteristics, machine,
      // ImageContainsCode, ImageFlags, LoaderFlags, ImageFileSize, CheckSum.
      dv.setUint32(0x00, (section.imageBase + i.entryRva) >>> 0, true);
      dv.setUint32(0x08, i.stackReserve, true);
      dv.setUint32(0x0c, i.stackCommit, true);
      dv.setUint32(0x10, i.subsystem, true);
      dv.setUint16(0x14, i.subsystemMinor, true);
      dv.setUint16(0x16, i.subsystemMajor, true);
      dv.setUint16(0x1c, i.characteristics, true);
      dv.setUint16(0x1e, i.dllCharacteristics, true);
      dv.setUint16(0x20, i.machine, true);
      dv.setUint8(0x22, i.containsCode ? 1 : 0);
      dv.setUint32(0x24, i.loaderFlags, true);
      dv.setUint32(0x28, i.fileSize, true);
      dv.setUint32(0x2c, i.checkSum, true);
    } else {
      return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    }
    const mem = t.process.space;
    if (len! < out.length) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
    mem.writeBytes(buf!, out);
    if (pRet !== 0) mem.writeU32(pRet!, out.length);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtOpenSection(ex, t, a) {
    t.process.space.writeU32(a[0]!, obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), SectionType, a[1]!));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtMapViewOfSection(ex, t, a) {
    const [hSection, hProcess, pBase, , , pOffset, pSize, , , protect] = a;
    const section = obReferenceObjectByHandle<Section>(t, hSection!, protect === PAGE_READWRITE ? SECTION_MAP_READ | SECTION_MAP_WRITE : SECTION_MAP_READ, SectionType).object;
    const p = processOf(t, hProcess!, PROCESS_VM_OPERATION);
    const mem = t.process.space;
    if (section instanceof ImageSection) {
      // The whole image, a private copy (image-section.ts); offset and size are ignored as NT does.
      const r = mmMapImageView(ex.ko, section, p.space, mem.readU32(pBase!));
      mem.writeU32(pBase!, r.base);
      mem.writeU32(pSize!, section.size);
      return r.atBase ? NTSTATUS.STATUS_SUCCESS : NTSTATUS.STATUS_IMAGE_NOT_AT_BASE;
    }
    const offset = pOffset === 0 ? 0 : Number(mem.readU64(pOffset!));
    const base = mmMapViewOfSection(ex.ko, section, p.space, mem.readU32(pBase!), offset, mem.readU32(pSize!), protect!);
    const v = p.space.find(base)!;
    mem.writeU32(pBase!, base);
    mem.writeU32(pSize!, v.size);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtUnmapViewOfSection(_ex, t, a) {
    processOf(t, a[0]!, PROCESS_VM_OPERATION).space.unmapView(a[1]!);
    return NTSTATUS.STATUS_SUCCESS;
  },
};
