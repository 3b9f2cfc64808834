/** Ob services: handles, directories, symbolic links, temporary/permanent objects, queries. */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { ProcessType, type EProcess } from '../ps/process.js';
import { DirectoryType, ObDirectory, ObSymbolicLink, SymbolicLinkType, SYMBOLIC_LINK_QUERY } from './namespace.js';
import { obCheckDelete, type ObObject } from './object.js';
import { obInsertObject, obOpenObjectByName, obReferenceObjectByHandle, readObjectAttributes } from './reference.js';

const DUPLICATE_CLOSE_SOURCE = 1;
const DUPLICATE_SAME_ACCESS = 2;
const PROCESS_DUP_HANDLE = 0x40;
const ObjectNameInformation = 1;
const ObjectTypeInformation = 2;

/** Writes a UNICODE_STRING header + characters into a caller's buffer (the *_INFORMATION layout). */
function writeNameInfo(mem: EProcess['space'], buf: number, len: number, pRet: number, text: string): number {
  const chars = Buffer.from(text, 'utf16le');
  const need = 8 + chars.length + 2;
  if (pRet !== 0) mem.writeU32(pRet, need);
  if (len < need) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
  const out = new Uint8Array(need);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, chars.length, true);
  dv.setUint16(2, chars.length + 2, true);
  dv.setUint32(4, (buf + 8) >>> 0, true);
  out.set(chars, 8);
  mem.writeBytes(buf, out);
  return NTSTATUS.STATUS_SUCCESS;
}

export const obServices: Record<string, ServiceHandler> = {
  NtClose(ex, t, a) {
    const h = a[0]!;
    if (t.process.handles.close(h)) return NTSTATUS.STATUS_SUCCESS;
    // The common error of a hot call: answered without building an exception.
    if (ex.tracing) ex.trace(`NtClose: handle 0x${h.toString(16)} is not open in this process`);
    return NTSTATUS.STATUS_INVALID_HANDLE;
  },

  NtDuplicateObject(_ex, t, a) {
    const [srcProc, srcHandle, dstProc, pDst, access, attributes, options] = a;
    const sp = obReferenceObjectByHandle<EProcess>(t, srcProc!, PROCESS_DUP_HANDLE, ProcessType).object;
    const src = sp === t.process ? obReferenceObjectByHandle<ObObject>(t, srcHandle!, 0, null) : sp.handles.lookup(srcHandle!);
    if (src === undefined) throw new NtStatusError(NTSTATUS.STATUS_INVALID_HANDLE, `handle 0x${srcHandle!.toString(16)} is not open in the source process`);
    const entry = 'granted' in src ? src : { object: src.object, granted: src.access };
    const dp = dstProc === 0 ? null : obReferenceObjectByHandle<EProcess>(t, dstProc!, PROCESS_DUP_HANDLE, ProcessType).object;
    if ((options! & ~(DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS)) !== 0) return NTSTATUS.STATUS_INVALID_PARAMETER;
    let granted = entry.granted;
    if ((options! & DUPLICATE_SAME_ACCESS) === 0) {
      const want = access! >>> 0;
      if ((want & ~granted) !== 0) throw new NtStatusError(NTSTATUS.STATUS_ACCESS_DENIED, `access 0x${want.toString(16)} is more than the source handle grants`);
      granted = want;
    }
    let status: number = NTSTATUS.STATUS_SUCCESS;
    if (dp !== null) {
      if (dp.terminated) return NTSTATUS.STATUS_PROCESS_IS_TERMINATING;
      const h = dp.handles.insert(entry.object, granted, attributes! & 2);
      if (pDst !== 0) t.process.space.writeU32(pDst!, h);
    } else if ((options! & DUPLICATE_CLOSE_SOURCE) === 0) {
      status = NTSTATUS.STATUS_INVALID_PARAMETER;
    }
    if ((options! & DUPLICATE_CLOSE_SOURCE) !== 0) sp.handles.close(srcHandle!);
    return status;
  },

  NtQueryObject(_ex, t, a) {
    const [h, cls, buf, len, pRet] = a;
    const { object } = obReferenceObjectByHandle<ObObject>(t, h!, 0, null);
    const mem = t.process.space;
    if (buf !== 0) mem.probe(buf!, len!, true);
    if (cls === ObjectNameInformation) return writeNameInfo(mem, buf!, buf === 0 ? 0 : len!, pRet!, object.fullName());
    if (cls === ObjectTypeInformation) return writeNameInfo(mem, buf!, buf === 0 ? 0 : len!, pRet!, object.type.name);
    return NTSTATUS.STATUS_INVALID_INFO_CLASS;
  },

  NtCreateDirectoryObject(ex, t, a) {
    const oa = readObjectAttributes(t, a[2]!);
    const r = obInsertObject(ex, t, new ObDirectory(), oa, a[1]!);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },

  NtOpenDirectoryObject(ex, t, a) {
    const h = obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), DirectoryType, a[1]!);
    t.process.space.writeU32(a[0]!, h);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtCreateSymbolicLinkObject(ex, t, a) {
    const oa = readObjectAttributes(t, a[2]!);
    const target = t.process.space.readUnicodeString(a[3]!);
    const r = obInsertObject(ex, t, new ObSymbolicLink(target), oa, a[1]!);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },

  NtOpenSymbolicLinkObject(ex, t, a) {
    const h = obOpenObjectByName(ex, t, readObjectAttributes(t, a[2]!), SymbolicLinkType, a[1]!, true);
    t.process.space.writeU32(a[0]!, h);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtQuerySymbolicLinkObject(_ex, t, a) {
    const [h, pTarget, pRet] = a;
    const link = obReferenceObjectByHandle<ObSymbolicLink>(t, h!, SYMBOLIC_LINK_QUERY, SymbolicLinkType).object;
    const mem = t.process.space;
    const max = mem.readU16(pTarget! + 2);
    const buf = mem.readU32(pTarget! + 4);
    const chars = Buffer.from(link.target, 'utf16le');
    if (pRet !== 0) mem.writeU32(pRet!, chars.length + 2);
    if (chars.length > max) return NTSTATUS.STATUS_BUFFER_TOO_SMALL;
    mem.writeBytes(buf, chars);
    if (chars.length + 2 <= max) mem.writeBytes(buf + chars.length, new Uint8Array(2));
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, chars.length, true);
    mem.writeBytes(pTarget!, len);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtMakeTemporaryObject(_ex, t, a) {
    const { object } = obReferenceObjectByHandle<ObObject>(t, a[0]!, 0x10000 /* DELETE */, null);
    object.permanent = false;
    obCheckDelete(object);
    return NTSTATUS.STATUS_SUCCESS;
  },

  NtMakePermanentObject(_ex, t, a) {
    const { object } = obReferenceObjectByHandle<ObObject>(t, a[0]!, 0, null);
    object.permanent = true;
    return NTSTATUS.STATUS_SUCCESS;
  },
};
