/**
 * The host-side image loader: maps an EXE and the DLLs it needs into a target
 * address space.
 *
 * For each image: parse and validate, build the mapped image on the host,
 * refuse what is not supported (static TLS, delay-load imports), pick a base
 * (the preferred one, else a free range if the image can be relocated),
 * apply relocations, load its DLLs (dependencies first, each once; an import
 * cycle is tolerated because a module's exports are known as soon as it is
 * mapped), patch the IAT, then copy it into the target and set page
 * protections. The target is an interface so that the engine's process
 * builder can implement it over guest page tables and tests over a Map.
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import { failImage, hex } from './errors.js';
import { lookupExport, parseExports } from './exports.js';
import type { ExportTable } from './exports.js';
import { PAGE_SIZE } from './constants.js';
import { alignUp, parsePeImage } from './image.js';
import type { PeImage } from './image.js';
import { bindImports, parseImports, refuseDelayImports } from './imports.js';
import type { ImportedDll } from './imports.js';
import { mapImage } from './mapped.js';
import type { MappedImage } from './mapped.js';
import { computeProtections } from './protections.js';
import type { ProtectionRange } from './protections.js';
import { applyRelocations, canRelocate, cannotRelocateError, parseRelocations } from './relocate.js';
import { dllNotFound, resolveSymbol } from './resolve.js';
import { normalizeDllName, readImageFile } from './source.js';
import type { ImageFile, ImageSource } from './source.js';
import { byName, byOrdinal } from './symbol.js';
import type { ImportSymbol } from './symbol.js';
import { refuseUnsupportedTls } from './tls.js';

/** The address space images are loaded into. */
export interface ImageTarget {
  /** Claims [base, base+size); false when any of it is already taken. */
  reserve(base: number, size: number): boolean;
  /** Copies bytes to a reserved address. */
  write(vaddr: number, bytes: Uint8Array): void;
  /** Sets PROT_* bits on a page-aligned reserved range. */
  protect(vaddr: number, size: number, prot: number): void;
  /** Gives back a reservation when a load fails part way (optional). */
  release?(base: number, size: number): void;
}

export interface LoaderOptions {
  readonly target: ImageTarget;
  /** Where DLLs are found by name. */
  readonly source: ImageSource;
  /**
   * A free, 64 KiB-aligned base for `size` bytes, for an image whose
   * preferred base is taken; undefined when there is none.
   */
  readonly findFreeRange: (size: number) => number | undefined;
}

export interface LoadedModule {
  readonly name: string;
  readonly path: string;
  readonly base: number;
  readonly size: number;
  /** Absolute entry point, or 0 when the image has none (a DLL with /noentry). */
  readonly entry: number;
  readonly isDll: boolean;
  /** True when loaded away from its preferred base. */
  readonly relocated: boolean;
  readonly image: PeImage;
  readonly exports: ExportTable;
  /** Absolute page ranges with their PROT_* bits, as applied to the target. */
  readonly protections: readonly ProtectionRange[];
}

/** Address space an image occupies: SizeOfImage rounded up to whole pages. */
function reservationSize(pe: PeImage): number {
  return alignUp(pe.sizeOfImage, PAGE_SIZE);
}

/** A module mid-load: mapped and based, exports known, imports not yet bound. */
interface ModuleRecord {
  module: LoadedModule;
  img: MappedImage;
  imports: ImportedDll[];
}

export class ImageLoader {
  /** Loaded modules in load order: every DLL before the modules that import it. */
  readonly modules: LoadedModule[] = [];
  private readonly byName = new Map<string, ModuleRecord>();

  constructor(private readonly options: LoaderOptions) {}

  /** The loaded module called `name` (case-insensitive; ".dll" implied), if any. */
  find(name: string): LoadedModule | undefined {
    return this.byName.get(normalizeDllName(name).toLowerCase())?.module;
  }

  /**
   * Loads an image (a host path, or a file already read) and everything it
   * imports. Loading a module twice returns the first one. On failure every
   * module this call reserved is released and forgotten.
   */
  load(file: ImageFile | string): LoadedModule {
    const f = typeof file === 'string' ? readImageFile(file) : file;
    const existing = this.byName.get(normalizeDllName(f.name).toLowerCase());
    if (existing !== undefined) return existing.module;
    const before = new Set(this.byName.keys());
    try {
      return this.loadRecord(f).module;
    } catch (e) {
      for (const [key, rec] of this.byName) {
        if (before.has(key)) continue;
        this.options.target.release?.(rec.module.base, reservationSize(rec.module.image));
        this.byName.delete(key);
        const at = this.modules.indexOf(rec.module);
        if (at >= 0) this.modules.splice(at, 1);
      }
      throw e;
    }
  }

  /** Loads a DLL by name from the source (for LdrLoadDll-style callers). */
  loadDll(name: string, importer = 'loader'): LoadedModule {
    const found = this.find(name);
    if (found !== undefined) return found;
    const file = this.options.source.find(name);
    if (file === undefined) throw dllNotFound(importer, name);
    return this.load(file);
  }

  /** Absolute address of `dll!symbol` among loaded modules, following forwarders (loading their DLLs). */
  resolve(dll: string, symbol: ImportSymbol | string | number, importer = 'loader'): number {
    const sym = typeof symbol === 'string' ? byName(symbol) : typeof symbol === 'number' ? byOrdinal(symbol) : symbol;
    return resolveSymbol(importer, dll, sym, (name) => this.findOrLoad(name));
  }

  /** Exported address of a symbol in one module without following forwarders; undefined if absent or forwarded. */
  exportAddress(module: LoadedModule, symbol: string | number): number | undefined {
    const t = lookupExport(module.exports, typeof symbol === 'string' ? byName(symbol) : byOrdinal(symbol));
    return t?.kind === 'rva' ? (module.base + t.rva) >>> 0 : undefined;
  }

  private findOrLoad(name: string): LoadedModule | undefined {
    const key = normalizeDllName(name).toLowerCase();
    const rec = this.byName.get(key);
    if (rec !== undefined) return rec.module;
    const file = this.options.source.find(name);
    return file === undefined ? undefined : this.loadRecord(file).module;
  }

  private loadRecord(file: ImageFile): ModuleRecord {
    const pe = parsePeImage(file.bytes, file.name);
    const img = mapImage(pe);
    // Refuse what is unsupported or corrupt before claiming any address space.
    refuseUnsupportedTls(img);
    refuseDelayImports(img);
    const imports = parseImports(img);
    const fixups = parseRelocations(img);
    const exports = parseExports(img);

    const base = this.chooseBase(pe);
    if (base !== pe.imageBase) applyRelocations(img, fixups, base);
    const protections = computeProtections(pe).map((r) => ({ rva: (base + r.rva) >>> 0, size: r.size, prot: r.prot }));
    const module: LoadedModule = {
      name: file.name,
      path: file.path,
      base,
      size: pe.sizeOfImage,
      entry: pe.addressOfEntryPoint === 0 ? 0 : (base + pe.addressOfEntryPoint) >>> 0,
      isDll: pe.isDll,
      relocated: base !== pe.imageBase,
      image: pe,
      exports,
      protections,
    };
    const rec: ModuleRecord = { module, img, imports };
    // Registered before its dependencies load, so an import cycle finds it.
    this.byName.set(normalizeDllName(file.name).toLowerCase(), rec);

    for (const d of imports) {
      if (this.findOrLoad(d.dll) === undefined) throw dllNotFound(pe.name, d.dll, d.entries[0]?.symbol);
    }
    bindImports(img, imports, (dll, symbol) => resolveSymbol(pe.name, dll, symbol, (n) => this.findOrLoad(n)));

    const target = this.options.target;
    target.write(base, img.bytes);
    for (const r of protections) target.protect(r.rva, r.size, r.prot);
    this.modules.push(module);
    return rec;
  }

  private chooseBase(pe: PeImage): number {
    const { target, findFreeRange } = this.options;
    const size = reservationSize(pe);
    if (target.reserve(pe.imageBase, size)) return pe.imageBase;
    if (!canRelocate(pe)) throw cannotRelocateError(pe, pe.imageBase);
    const base = findFreeRange(size);
    if (base === undefined) {
      throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `${pe.name}: preferred base ${hex(pe.imageBase)} is taken and no free range of ${hex(pe.sizeOfImage)} bytes was found`);
    }
    if (base % 0x10000 !== 0 || base + size > 0x100000000 || !target.reserve(base, size)) {
      throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `${pe.name}: the free range offered at ${hex(base)} (size ${hex(pe.sizeOfImage)}) could not be reserved`);
    }
    return base;
  }
}

/**
 * Loads a program and its DLLs: the modules in load order (main last unless
 * an import cycle leads back to it) and the main module. The main image
 * must be an EXE.
 */
export function loadProgram(main: ImageFile | string, options: LoaderOptions): { main: LoadedModule; modules: LoadedModule[]; loader: ImageLoader } {
  const loader = new ImageLoader(options);
  const f = typeof main === 'string' ? readImageFile(main) : main;
  const pe = parsePeImage(f.bytes, f.name);
  if (pe.isDll) failImage(f.name, 'is a DLL, not a program');
  if (pe.addressOfEntryPoint === 0) failImage(f.name, 'has no entry point (AddressOfEntryPoint is 0)');
  const module = loader.load(f);
  return { main: module, modules: loader.modules, loader };
}
