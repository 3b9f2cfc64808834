/**
 * Where the loader finds image files: by case-insensitive name, the way NT
 * file names compare. The directory source reads the host file system; tests
 * and the process builder may supply any other source (an in-memory map, a
 * guest file system).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ImageFile {
  /** Name as found ("NTDLL.dll"), used in messages and module listings. */
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ImageSource {
  /** The file called `name` (any case), or undefined. */
  find(name: string): ImageFile | undefined;
}

/** A DLL name without an extension means "name.dll", as LoadLibrary reads it. */
export function normalizeDllName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '');
  return base.includes('.') ? base : `${base}.dll`;
}

/** Looks in each directory in turn; listings are read once, on first use. */
export function directorySource(directories: readonly string[]): ImageSource {
  const listings = new Map<string, Map<string, string>>();
  const listing = (dir: string): Map<string, string> => {
    let names = listings.get(dir);
    if (names === undefined) {
      names = new Map();
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        // A missing search directory is just one with nothing in it.
      }
      for (const e of entries) if (!names.has(e.toLowerCase())) names.set(e.toLowerCase(), e);
      listings.set(dir, names);
    }
    return names;
  };
  return {
    find(name: string): ImageFile | undefined {
      const wanted = normalizeDllName(name).toLowerCase();
      for (const dir of directories) {
        const actual = listing(dir).get(wanted);
        if (actual === undefined) continue;
        const path = join(dir, actual);
        return { name: actual, path, bytes: new Uint8Array(readFileSync(path)) };
      }
      return undefined;
    },
  };
}

/** Reads one image file from a host path. */
export function readImageFile(path: string): ImageFile {
  return { name: basename(path), path, bytes: new Uint8Array(readFileSync(path)) };
}

/** An in-memory source (tests, embedded images): name → bytes. */
export function memorySource(files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array>): ImageSource {
  const byLowerName = new Map<string, ImageFile>();
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  for (const [name, bytes] of entries) byLowerName.set(name.toLowerCase(), { name, path: name, bytes });
  return { find: (name) => byLowerName.get(normalizeDllName(name).toLowerCase()) };
}
