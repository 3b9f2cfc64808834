/**
 * Ob: object headers and object types. Every executive object (directory,
 * symbolic link, process, thread, event ...) is an ObObject: a type, an
 * optional name in the namespace (its parent directory), a handle count and
 * a pointer count. An object goes away when both reach zero; a named
 * object leaves the namespace when its last handle closes, unless it is
 * permanent (OBJ_PERMANENT / NtMakePermanentObject).
 *
 * A type carries its methods (NeptuneOS's and NT's: parse, open, close,
 * delete, query name); `parse` is what directories and symbolic links use
 * to walk the namespace (namespace.ts).
 */
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const SYNCHRONIZE = 0x00100000;
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;

export interface GenericMapping { read: number; write: number; execute: number; all: number }

export interface ObjectType {
  readonly name: string;
  readonly generic: GenericMapping;
  /** Called when the last handle of an object closes (process/thread: nothing; events: nothing). */
  close?(obj: ObObject): void;
  /** Called when the object goes away (last handle and last pointer). */
  delete?(obj: ObObject): void;
}

let nextObjectId = 1;

export class ObObject {
  readonly id = nextObjectId++;
  /** Name within its parent directory ('' when unnamed). */
  name = '';
  parent: ObObject | null = null;
  handleCount = 0;
  /** References held by the executive itself (a thread's process, a wait block ...). */
  pointerCount = 0;
  permanent = false;
  deleted = false;

  constructor(readonly type: ObjectType) {}

  /** The full path in the namespace ('' when unnamed). */
  fullName(): string {
    if (this.parent === null) return this.name === '\\' ? '\\' : this.name;
    const up = this.parent.fullName();
    return (up === '\\' ? '' : up) + '\\' + this.name;
  }
}

/** Maps GENERIC_* bits of `access` to the type's specific rights. */
export function mapGenericAccess(access: number, type: ObjectType): number {
  let a = access & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
  if ((access & GENERIC_READ) !== 0) a |= type.generic.read;
  if ((access & GENERIC_WRITE) !== 0) a |= type.generic.write;
  if ((access & GENERIC_EXECUTE) !== 0) a |= type.generic.execute;
  if ((access & (GENERIC_ALL | MAXIMUM_ALLOWED)) !== 0) a |= type.generic.all;
  return a >>> 0;
}

export function obReferenceObject(o: ObObject): void {
  o.pointerCount++;
}

/** Drops a pointer reference; the object is deleted when nothing refers to it. */
export function obDereferenceObject(o: ObObject): void {
  o.pointerCount--;
  obCheckDelete(o);
}

/** Deletes an object nobody refers to (temporary names leave the namespace with the last handle). */
export function obCheckDelete(o: ObObject): void {
  if (o.handleCount === 0 && !o.permanent && o.parent !== null) obRemoveName(o);
  if (o.handleCount === 0 && o.pointerCount <= 0 && !o.deleted && (o.parent === null)) {
    o.deleted = true;
    o.type.delete?.(o);
  }
}

/** Hook set by namespace.ts (the directory owns its entries). */
let removeName: (o: ObObject) => void = () => {};
export function setRemoveName(fn: (o: ObObject) => void): void {
  removeName = fn;
}
export function obRemoveName(o: ObObject): void {
  removeName(o);
}
