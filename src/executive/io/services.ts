/**
 * Io services over boot modules (io/bootmodules.ts): NtOpenFile and
 * NtCreateFile open an existing file of \BootModules for reading or
 * executing. Every other path answers STATUS_NOT_IMPLEMENTED with a trace
 * line saying why: the I/O manager, drivers and file systems are not built.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import type { Executive } from '../executive.js';
import type { EThread } from '../ps/process.js';
import { ObDirectory } from '../ob/namespace.js';
import { mapGenericAccess } from '../ob/object.js';
import { OBJ_INHERIT, readObjectAttributes } from '../ob/reference.js';
import { FILE_MODIFY_RIGHTS, FileObject, FileType, ioBootModulesDirectory } from './bootmodules.js';

const FILE_OPEN = 1;
const FILE_OPEN_IF = 3;
const FILE_DIRECTORY_FILE = 0x1;
const FILE_NON_DIRECTORY_FILE = 0x40;
/** IO_STATUS_BLOCK.Information of a successful open. */
const FILE_OPENED = 1;

function notBuilt(ex: Executive, service: string, why: string): number {
  ex.trace(`${service}: ${why}: the I/O manager and file systems are not built (only \\BootModules\\<name> opens)`);
  return NTSTATUS.STATUS_NOT_IMPLEMENTED;
}

/** The open of NtOpenFile/NtCreateFile: a handle to a boot module, or the reason it is refused. */
function ioOpenBootModule(ex: Executive, t: EThread, service: string, pHandle: number, access: number, pOa: number, pIosb: number, disposition: number, options: number): number {
  const mem = t.process.space;
  mem.probe(pIosb, 8, true);
  const oa = readObjectAttributes(t, pOa);
  if (oa.name === null || oa.name === '') return NTSTATUS.STATUS_OBJECT_NAME_INVALID;
  const modules = ioBootModulesDirectory(ex.namespace);
  const inModules = oa.root === modules || (oa.root === null && oa.name.toLowerCase().startsWith('\\bootmodules\\'));
  let r;
  try {
    r = ex.namespace.lookup(oa.name, oa.root, true, false);
  } catch (e) {
    if (!(e instanceof NtStatusError) || inModules) throw e;
    return notBuilt(ex, service, `"${oa.name}" is not a boot module`);
  }
  if (r.object === modules) {
    if ((options & FILE_NON_DIRECTORY_FILE) !== 0) return NTSTATUS.STATUS_FILE_IS_A_DIRECTORY;
    return notBuilt(ex, service, 'directory files');
  }
  if (r.object === undefined) {
    if (r.parent !== modules) return notBuilt(ex, service, `"${oa.name}" is not a boot module`);
    if (disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) return NTSTATUS.STATUS_INVALID_PARAMETER;
    ex.trace(`${service}: "${oa.name}" is not in \\BootModules`);
    return NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND;
  }
  if (!(r.object instanceof FileObject)) {
    if (r.object instanceof ObDirectory || r.parent !== modules) return notBuilt(ex, service, `"${oa.name}" is a ${r.object.type.name} object, not a file`);
    return NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH;
  }
  if (disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF) {
    ex.trace(`${service}: boot modules are read-only (CreateDisposition ${disposition} would create or overwrite)`);
    return NTSTATUS.STATUS_ACCESS_DENIED;
  }
  if ((options & FILE_DIRECTORY_FILE) !== 0) return NTSTATUS.STATUS_NOT_A_DIRECTORY;
  const granted = mapGenericAccess(access, FileType);
  if ((granted & FILE_MODIFY_RIGHTS) !== 0) {
    ex.trace(`${service}: boot modules are read-only (access 0x${access.toString(16)} asks to modify)`);
    return NTSTATUS.STATUS_ACCESS_DENIED;
  }
  const handle = t.process.handles.insert(r.object, granted, oa.attributes & OBJ_INHERIT);
  mem.writeU32(pHandle, handle);
  mem.writeU32(pIosb, NTSTATUS.STATUS_SUCCESS);
  mem.writeU32(pIosb + 4, FILE_OPENED);
  return NTSTATUS.STATUS_SUCCESS;
}

export const ioServices: Record<string, ServiceHandler> = {
  NtOpenFile(ex, t, a) {
    const [pHandle, access, pOa, pIosb, , options] = a;
    return ioOpenBootModule(ex, t, 'NtOpenFile', pHandle!, access!, pOa!, pIosb!, FILE_OPEN, options!);
  },
  NtCreateFile(ex, t, a) {
    const [pHandle, access, pOa, pIosb, , , , disposition, options] = a;
    return ioOpenBootModule(ex, t, 'NtCreateFile', pHandle!, access!, pOa!, pIosb!, disposition!, options!);
  },
};
