/**
 * Ob: the object namespace. Directories map names to objects; symbolic
 * links hold a target path, and a lookup that meets one reparses: the rest
 * of the path is appended to the target and the walk starts again at the
 * root (at most MAX_REPARSE times, then STATUS_REPARSE_POINT_NOT_RESOLVED's
 * stand-in STATUS_OBJECT_PATH_NOT_FOUND). The last component of a path is
 * not followed when the caller asks for the link itself (OBJ_OPENLINK or
 * NtOpenSymbolicLinkObject).
 *
 *   \ ─┬─ Device  Driver  FileSystem  BaseNamedObjects  KnownDlls  BootModules
 *      ├─ ObjectTypes ── Directory SymbolicLink Process Thread Event Type
 *      ├─ ??          (DOS device names)
 *      └─ DosDevices  → \??   (symbolic link)
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { ObObject, STANDARD_RIGHTS_REQUIRED, setRemoveName, type ObjectType } from './object.js';

export const DIRECTORY_QUERY = 1;
export const DIRECTORY_TRAVERSE = 2;
export const DIRECTORY_CREATE_OBJECT = 4;
export const DIRECTORY_CREATE_SUBDIRECTORY = 8;
export const SYMBOLIC_LINK_QUERY = 1;
const MAX_REPARSE = 32;

export const DirectoryType: ObjectType = {
  name: 'Directory',
  generic: { read: 0x20003, write: 0x2000c, execute: 0x20003, all: STANDARD_RIGHTS_REQUIRED | 0xf },
};
export const SymbolicLinkType: ObjectType = {
  name: 'SymbolicLink',
  generic: { read: 0x20001, write: 0x20000, execute: 0x20001, all: STANDARD_RIGHTS_REQUIRED | 1 },
};
export const TypeType: ObjectType = {
  name: 'Type',
  generic: { read: 0x20000, write: 0x20000, execute: 0x20000, all: STANDARD_RIGHTS_REQUIRED | 1 },
};

export class ObDirectory extends ObObject {
  readonly entries = new Map<string, ObObject>();
  constructor() { super(DirectoryType); }

  find(name: string, caseInsensitive: boolean): ObObject | undefined {
    const hit = this.entries.get(name);
    if (hit !== undefined || !caseInsensitive) return hit;
    const lower = name.toLowerCase();
    for (const [n, o] of this.entries) if (n.toLowerCase() === lower) return o;
    return undefined;
  }
}

export class ObSymbolicLink extends ObObject {
  constructor(readonly target: string) { super(SymbolicLinkType); }
}

setRemoveName((o) => {
  if (o.parent instanceof ObDirectory) o.parent.entries.delete(o.name);
  o.parent = null;
});

export interface LookupResult {
  /** The object found, or undefined when only the parent exists (then `parent` and `name` say where it would go). */
  object?: ObObject;
  parent: ObDirectory;
  name: string;
}

export class ObNamespace {
  readonly root = new ObDirectory();
  readonly types = new ObDirectory();

  constructor(types: readonly ObjectType[]) {
    this.root.name = '\\';
    this.root.permanent = true;
    for (const d of ['Device', 'Driver', 'FileSystem', 'BaseNamedObjects', 'KnownDlls', 'BootModules', '??']) this.insertPermanent(this.root, d, new ObDirectory());
    this.insertPermanent(this.root, 'ObjectTypes', this.types);
    this.insertPermanent(this.root, 'DosDevices', new ObSymbolicLink('\\??'));
    for (const t of [DirectoryType, SymbolicLinkType, TypeType, ...types]) this.insertPermanent(this.types, t.name, new ObObject(TypeType));
  }

  private insertPermanent(dir: ObDirectory, name: string, o: ObObject): void {
    o.permanent = true;
    this.insert(dir, name, o);
  }

  insert(dir: ObDirectory, name: string, o: ObObject): void {
    o.name = name;
    o.parent = dir;
    dir.entries.set(name, o);
  }

  /**
   * Walks `path` (absolute, or relative to `rootDir`). `openLink`: do not
   * follow a symbolic link named by the last component.
   */
  lookup(path: string, rootDir: ObObject | null, caseInsensitive: boolean, openLink: boolean): LookupResult {
    let dir: ObObject = rootDir ?? this.root;
    if (rootDir === null && !path.startsWith('\\')) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_SYNTAX_BAD, `"${path}" is not an absolute object name`);
    if (rootDir !== null && path.startsWith('\\')) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_SYNTAX_BAD, `"${path}" is absolute but a root directory was given`);
    if (!(dir instanceof ObDirectory)) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH, 'the root directory handle is not a directory');
    let parts = path.split('\\').filter((p, i) => !(i === 0 && p === ''));
    if (path === '\\') return { object: this.root, parent: this.root, name: '' };
    let reparses = 0;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      if (name === '') throw new NtStatusError(NTSTATUS.STATUS_OBJECT_NAME_INVALID, `"${path}" has an empty name component`);
      const d = dir as ObDirectory;
      const found = d.find(name, caseInsensitive);
      const last = i === parts.length - 1;
      if (found === undefined) {
        if (last) return { parent: d, name };
        throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `"${name}" of "${path}" does not exist`);
      }
      if (found instanceof ObSymbolicLink && !(last && openLink)) {
        if (++reparses > MAX_REPARSE) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `"${path}": too many symbolic links`);
        const rest = parts.slice(i + 1);
        path = found.target + (rest.length ? '\\' + rest.join('\\') : '');
        if (!path.startsWith('\\')) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_SYNTAX_BAD, `symbolic link target "${found.target}" is not absolute`);
        parts = path.split('\\').slice(1);
        dir = this.root;
        i = -1;
        if (path === '\\') return { object: this.root, parent: this.root, name: '' };
        continue;
      }
      if (last) return { object: found, parent: d, name };
      if (!(found instanceof ObDirectory)) throw new NtStatusError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `"${name}" of "${path}" is not a directory`);
      dir = found;
    }
    return { object: dir, parent: (dir.parent as ObDirectory) ?? this.root, name: dir.name };
  }
}
