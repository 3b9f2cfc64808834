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
import { ImageSection, mmMapImageView } from './image-section.js';
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

const SEC_COMMIT = 0x8000000;

export const mmSectionServices: Record<string, ServiceHandler> = {
  NtCreateSection(ex, t, a) {
    const [pHandle, access, pOa, pSize, protect, attributes, file] = a;
    if (file !== 0) {
      ex.trace('NtCreateSection: file-backed and image sections need the I/O manager');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    if (attributes !== SEC_COMMIT) return NTSTATUS.STATUS_INVALID_PARAMETER_6;
    if (protect !== PAGE_READWRITE && protect !== PAGE_READONLY) return NTSTATUS.STATUS_INVALID_PAGE_PROTECTION;
    const size = t.process.space.readI64(pSize!);
    if (size <= 0n) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    if (size > BigInt(SECTION_MAX)) return NTSTATUS.STATUS_SECTION_TOO_BIG;
    const section = new Section(ex.ko, Math.ceil(Number(size) / 4096) * 4096, protect!);
    const r = obInsertObject(ex, t, section, readObjectAttributes(t, pOa!), access!);
    t.process.space.writeU32(pHandle!, r.handle);
    return r.status;
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
