/**
 * Io: reading \BootModules files (io/bootmodules.ts) before the I/O
 * manager exists. NtReadFile reads the host file at the given byte offset,
 * synchronously; NtQueryInformationFile answers FileStandardInformation.
 * Boot module handles share one File object without a file pointer, so a
 * read must say where (NT asks the same of a file opened for asynchronous
 * I/O). Asynchronous completion (an event or APC) and every other
 * information class need the I/O manager: STATUS_NOT_IMPLEMENTED.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { FILE_READ_DATA, FileObject, FileType } from './bootmodules.js';

/** The most one NtReadFile moves (the executive reads it into host memory first). */
const READ_MAX = 16 << 20;
const FILE_USE_FILE_POINTER_POSITION = -2n;
const FileStandardInformation = 5;
/** FILE_STANDARD_INFORMATION: AllocationSize, EndOfFile (LARGE_INTEGER), NumberOfLinks, DeletePending, Directory (+ padding). */
const FILE_STANDARD_INFORMATION_SIZE = 24;

function hostSize(f: FileObject): number {
  try { return statSync(f.hostPath).size; } catch (e) {
    throw new NtStatusError(NTSTATUS.STATUS_NO_SUCH_FILE, `boot module ${f.hostPath} cannot be read: ${(e as Error).message}`);
  }
}

export const ioReadServices: Record<string, ServiceHandler> = {
  NtReadFile(ex, t, a) {
    const [h, event, apc, , pIosb, buf, len, pOffset] = a;
    const f = obReferenceObjectByHandle<FileObject>(t, h!, FILE_READ_DATA, FileType).object;
    if (event !== 0 || apc !== 0) {
      ex.trace('NtReadFile: completion through an event or APC needs the I/O manager (asynchronous I/O); not built');
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    const mem = t.process.space;
    const offset = pOffset === 0 ? FILE_USE_FILE_POINTER_POSITION : mem.readI64(pOffset!);
    if (offset < 0n) {
      ex.trace('NtReadFile: boot module handles have no file pointer: give ByteOffset');
      return NTSTATUS.STATUS_INVALID_PARAMETER;
    }
    if (len! > READ_MAX) return NTSTATUS.STATUS_INVALID_PARAMETER;
    mem.probe(buf!, len!, true);
    const size = hostSize(f);
    if (offset >= BigInt(size) && len! > 0) {
      mem.writeU32(pIosb!, NTSTATUS.STATUS_END_OF_FILE);
      mem.writeU32(pIosb! + 4, 0);
      return NTSTATUS.STATUS_END_OF_FILE;
    }
    const n = Math.min(len!, size - Number(offset));
    const data = new Uint8Array(n);
    const fd = openSync(f.hostPath, 'r');
    try { readSync(fd, data, 0, n, Number(offset)); } finally { closeSync(fd); }
    mem.writeBytes(buf!, data);
    mem.writeU32(pIosb!, NTSTATUS.STATUS_SUCCESS);
    mem.writeU32(pIosb! + 4, n);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQueryInformationFile(ex, t, a) {
    const [h, pIosb, buf, len, cls] = a;
    const f = obReferenceObjectByHandle<FileObject>(t, h!, 0, FileType).object;
    const mem = t.process.space;
    if (cls !== FileStandardInformation) {
      ex.trace(`NtQueryInformationFile: class ${cls} needs the I/O manager (boot modules answer FileStandardInformation only)`);
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    if (len! < FILE_STANDARD_INFORMATION_SIZE) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
    const size = hostSize(f);
    const b = new Uint8Array(FILE_STANDARD_INFORMATION_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(Math.ceil(size / 4096) * 4096), true);
    dv.setBigUint64(8, BigInt(size), true);
    dv.setUint32(16, 1, true);
    mem.writeBytes(buf!, b);
    mem.writeU32(pIosb!, NTSTATUS.STATUS_SUCCESS);
    mem.writeU32(pIosb! + 4, FILE_STANDARD_INFORMATION_SIZE);
    return NTSTATUS.STATUS_SUCCESS;
  },
};
