/**
 * Io: boot modules, the only files there are before an I/O manager exists.
 * As NeptuneOS does before any file system is mounted, the executive
 * exposes the files of the run's guest image directories (the DLL search
 * directories `neptune run` uses for \KnownDlls) as read-only File objects
 * in the object directory \BootModules (\BootModules\ntproc.exe ...), so
 * that a process can make an image section of a program and create a
 * process from it. The first directory that holds a name wins, as in a
 * search path; names are looked up case-insensitively (as NT's file
 * systems do).
 *
 * A File object here names a host file; its contents are read when a
 * section is made of it. Every open of a module hands out a handle to the
 * same object (there is no per-open state: NtReadFile and byte offsets
 * need the I/O manager). Opening anything outside \BootModules answers
 * STATUS_NOT_IMPLEMENTED: the I/O manager, drivers and file systems are
 * not built.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { ObObject, STANDARD_RIGHTS_REQUIRED, type ObjectType } from '../ob/object.js';
import type { ObDirectory, ObNamespace } from '../ob/namespace.js';
import type { ImageSection } from '../mm/image-section.js';

export const FILE_READ_DATA = 0x1;
export const FILE_WRITE_DATA = 0x2;
export const FILE_APPEND_DATA = 0x4;
export const FILE_READ_EA = 0x8;
export const FILE_WRITE_EA = 0x10;
export const FILE_EXECUTE = 0x20;
export const FILE_READ_ATTRIBUTES = 0x80;
export const FILE_WRITE_ATTRIBUTES = 0x100;
const DELETE = 0x10000;
const WRITE_DAC = 0x40000;
const WRITE_OWNER = 0x80000;
/** Every right that would change the file: refused on a read-only boot module. */
export const FILE_MODIFY_RIGHTS = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | WRITE_DAC | WRITE_OWNER;
/** The largest module a section is made of (the whole file is read into the executive). */
export const BOOT_MODULE_MAX = 64 << 20;

export const FileType: ObjectType = {
  name: 'File',
  // NT's FILE_GENERIC_READ / WRITE / EXECUTE and FILE_ALL_ACCESS.
  generic: { read: 0x120089, write: 0x120116, execute: 0x1200a0, all: STANDARD_RIGHTS_REQUIRED | 0x1001ff },
};

export class FileObject extends ObObject {
  /** The image section made of it by the first NtCreateSection(SEC_IMAGE), shared by later ones (NT's image section per file). */
  imageSection: ImageSection | undefined;
  constructor(readonly hostPath: string) {
    super(FileType);
  }
}

/** The \BootModules directory of `ns`. */
export function ioBootModulesDirectory(ns: ObNamespace): ObDirectory {
  return ns.lookup('\\BootModules', null, true, false).object as ObDirectory;
}

/**
 * Adds the files of `dirs` to \BootModules (names already there stay: the
 * first directory wins). Only the directory listings are read here (no
 * stat per file: a program's directory may be large); subdirectories are
 * skipped, unreadable directories skipped with a trace line.
 */
export function ioCreateBootModules(ns: ObNamespace, dirs: readonly string[], trace: (line: string) => void): void {
  const dir = ioBootModulesDirectory(ns);
  for (const d of dirs) {
    let entries: Dirent[];
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { trace(`BootModules: ${d} cannot be read, skipped`); continue; }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!(e.isFile() || e.isSymbolicLink()) || dir.find(e.name, true) !== undefined) continue;
      const o = new FileObject(join(d, e.name));
      o.permanent = true;
      ns.insert(dir, e.name, o);
    }
  }
}
