/**
 * Ob: from handles and names to objects. obReferenceObjectByHandle checks
 * the handle, the type and the access the caller asks for; the pseudo
 * handles NtCurrentProcess() (-1) and NtCurrentThread() (-2) name the
 * caller's own process and thread with full access. Object attributes
 * (OBJECT_ATTRIBUTES) are read from the caller's memory, probed.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { NT_CURRENT_PROCESS, NT_CURRENT_THREAD } from '../../abi/layouts.js';
import type { Executive } from '../executive.js';
import type { EThread } from '../ps/process.js';
import { ProcessType, ThreadType } from '../ps/process.js';
import type { ObObject, ObjectType } from './object.js';
import { mapGenericAccess } from './object.js';
import { ObDirectory } from './namespace.js';

export const OBJ_INHERIT = 0x2;
export const OBJ_PERMANENT = 0x10;
export const OBJ_EXCLUSIVE = 0x20;
export const OBJ_CASE_INSENSITIVE = 0x40;
export const OBJ_OPENIF = 0x80;
export const OBJ_OPENLINK = 0x100;
const VALID_ATTRIBUTES = 0x1f2;

export function obReferenceObjectByHandle<T extends ObObject>(t: EThread, handle: number, access: number, type: ObjectType | null): { object: T; granted: number } {
  handle >>>= 0;
  let object: ObObject;
  let granted: number;
  if (handle === NT_CURRENT_PROCESS) { object = t.process; granted = ProcessType.generic.all; }
  else if (handle === NT_CURRENT_THREAD) { object = t; granted = ThreadType.generic.all; }
  else {
    const e = t.process.handles.lookup(handle);
    if (e === undefined) throw new NtStatusError(NTSTATUS.STATUS_INVALID_HANDLE, `handle 0x${handle.toString(16)} is not open in this process`);
    object = e.object;
    granted = e.access;
  }
  if (type !== null && object.type !== type) {
    throw new NtStatusError(NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH, `handle 0x${handle.toString(16)} is a ${object.type.name}, not a ${type.name}`);
  }
  const want = mapGenericAccess(access, object.type);
  if ((want & ~granted) !== 0) {
    throw new NtStatusError(NTSTATUS.STATUS_ACCESS_DENIED, `handle 0x${handle.toString(16)} lacks access 0x${(want & ~granted).toString(16)}`);
  }
  return { object: object as T, granted };
}

export interface ObjectAttributes {
  root: ObObject | null;
  /** null: no name given. */
  name: string | null;
  attributes: number;
}

/** Reads OBJECT_ATTRIBUTES at `ptr` (0: none). */
export function readObjectAttributes(t: EThread, ptr: number): ObjectAttributes {
  if (ptr === 0) return { root: null, name: null, attributes: 0 };
  const mem = t.process.space;
  const length = mem.readU32(ptr);
  if (length !== 24) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `OBJECT_ATTRIBUTES.Length is ${length}, not 24`);
  const rootHandle = mem.readU32(ptr + 4);
  const namePtr = mem.readU32(ptr + 8);
  const attributes = mem.readU32(ptr + 12);
  if ((attributes & ~VALID_ATTRIBUTES) !== 0) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `OBJECT_ATTRIBUTES.Attributes 0x${attributes.toString(16)} has unknown bits`);
  const root = rootHandle === 0 ? null : obReferenceObjectByHandle(t, rootHandle, 0, null).object;
  if (root !== null && !(root instanceof ObDirectory)) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH, 'RootDirectory is not a directory');
  const name = namePtr === 0 ? null : mem.readUnicodeString(namePtr);
  return { root, name, attributes };
}

/**
 * Gives `object` a name (if the attributes carry one) and a handle in the
 * caller's table. An existing object of that name: STATUS_OBJECT_NAME_COLLISION,
 * or (OBJ_OPENIF, same type) a handle to it with STATUS_OBJECT_NAME_EXISTS.
 */
export function obInsertObject(ex: Executive, t: EThread, object: ObObject, oa: ObjectAttributes, access: number): { handle: number; status: number } {
  let target = object;
  let status: number = NTSTATUS.STATUS_SUCCESS;
  if (oa.name !== null && oa.name !== '') {
    const r = ex.namespace.lookup(oa.name, oa.root, (oa.attributes & OBJ_CASE_INSENSITIVE) !== 0, true);
    if (r.object !== undefined) {
      if ((oa.attributes & OBJ_OPENIF) === 0 || r.object.type !== object.type) {
        throw new NtStatusError(NTSTATUS.STATUS_OBJECT_NAME_COLLISION, `"${oa.name}" already exists`);
      }
      target = r.object;
      status = NTSTATUS.STATUS_OBJECT_NAME_EXISTS;
    } else {
      ex.namespace.insert(r.parent, r.name, object);
      if ((oa.attributes & OBJ_PERMANENT) !== 0) object.permanent = true;
    }
  }
  const granted = mapGenericAccess(access, target.type);
  return { handle: t.process.handles.insert(target, granted, oa.attributes & OBJ_INHERIT), status };
}

/** Opens a named object of `type` (any type when null): a handle in the caller's table. */
export function obOpenObjectByName(ex: Executive, t: EThread, oa: ObjectAttributes, type: ObjectType | null, access: number, openLink = false): number {
  if (oa.name === null) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_NAME_INVALID, 'no object name given');
  const r = ex.namespace.lookup(oa.name, oa.root, (oa.attributes & OBJ_CASE_INSENSITIVE) !== 0, openLink || (oa.attributes & OBJ_OPENLINK) !== 0);
  if (r.object === undefined) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND, `"${oa.name}" does not exist`);
  if (type !== null && r.object.type !== type) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH, `"${oa.name}" is a ${r.object.type.name}, not a ${type.name}`);
  return t.process.handles.insert(r.object, mapGenericAccess(access, r.object.type), oa.attributes & OBJ_INHERIT);
}
