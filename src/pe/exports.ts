/**
 * The export directory: names → ordinals → RVAs.
 *
 * Layout (PE/COFF spec, .edata): a 40-byte directory, the export address
 * table (one RVA per ordinal, starting at OrdinalBase), the name pointer
 * table (RVAs of names, sorted for binary search) and the ordinal table
 * (for each name, its index into the address table). An address inside the
 * export directory's own range is a forwarder string ("NTDLL.RtlAllocateHeap")
 * instead of code. lld writes OrdinalBase 0 with an empty (zero) slot 0; a
 * zero RVA is simply "no export at this ordinal".
 */
import { DIR_EXPORT } from './constants.js';
import { failImage, hex } from './errors.js';
import { directory } from './mapped.js';
import type { MappedImage } from './mapped.js';
import type { ImportSymbol } from './symbol.js';

export const EXPORT_DIRECTORY_SIZE = 40;
/** Ordinals are 16-bit, so an address table never needs more entries. */
const MAX_EXPORT_FUNCTIONS = 0x10000;

/** What a lookup finds: code/data at an RVA, or a forwarder to resolve elsewhere. */
export type ExportTarget =
  | { readonly kind: 'rva'; readonly rva: number; readonly ordinal: number }
  | { readonly kind: 'forwarder'; readonly forwarder: string; readonly dll: string; readonly symbol: ImportSymbol; readonly ordinal: number };

export interface ExportTable {
  /** The Name field of the directory (the DLL's own idea of its name), or "" when absent. */
  readonly dllName: string;
  readonly ordinalBase: number;
  /** Export address table: RVA per (ordinal - OrdinalBase); 0 = empty slot. */
  readonly addresses: Uint32Array;
  /** Names in name-table order (sorted by the linker; re-sorted here if not). */
  readonly names: readonly string[];
  /** For each entry of `names`, its index into `addresses`. */
  readonly nameIndices: Uint16Array;
  /** Directory range, to tell forwarders from code. */
  readonly directoryRva: number;
  readonly directorySize: number;
  /** Forwarder strings by address-table index. */
  readonly forwarders: ReadonlyMap<number, string>;
}

export const EMPTY_EXPORTS: ExportTable = {
  dllName: '', ordinalBase: 0, addresses: new Uint32Array(0), names: [], nameIndices: new Uint16Array(0),
  directoryRva: 0, directorySize: 0, forwarders: new Map(),
};

/** Ordinal comparison of ASCII names, as the loader's binary search expects (not locale order). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function parseExports(img: MappedImage): ExportTable {
  const dir = directory(img.pe, DIR_EXPORT);
  if (dir === undefined) return EMPTY_EXPORTS;
  const name = img.pe.name;
  const r = img.reader;
  if (dir.size < EXPORT_DIRECTORY_SIZE) failImage(name, `export directory size ${hex(dir.size)} is smaller than the ${EXPORT_DIRECTORY_SIZE}-byte header`);
  const at = dir.rva;
  const nameRva = r.u32(at + 12, 'export directory Name');
  const ordinalBase = r.u32(at + 16, 'export OrdinalBase');
  const functionCount = r.u32(at + 20, 'export AddressTableEntries');
  const nameCount = r.u32(at + 24, 'export NumberOfNamePointers');
  const addressTableRva = r.u32(at + 28, 'export ExportAddressTableRVA');
  const namePointerRva = r.u32(at + 32, 'export NamePointerRVA');
  const ordinalTableRva = r.u32(at + 36, 'export OrdinalTableRVA');

  if (functionCount > MAX_EXPORT_FUNCTIONS) failImage(name, `export address table has ${functionCount} entries (more than 65536 ordinals)`);
  if (nameCount > functionCount) failImage(name, `export name table has ${nameCount} names for only ${functionCount} addresses`);
  if (ordinalBase + functionCount > MAX_EXPORT_FUNCTIONS + 1) {
    failImage(name, `export OrdinalBase ${ordinalBase} + ${functionCount} entries exceeds the 16-bit ordinal range`);
  }
  r.check(addressTableRva, functionCount * 4, 'export address table');
  r.check(namePointerRva, nameCount * 4, 'export name pointer table');
  r.check(ordinalTableRva, nameCount * 2, 'export ordinal table');

  const dllName = nameRva === 0 ? '' : r.asciiz(nameRva, 'export directory Name');
  const addresses = new Uint32Array(functionCount);
  const forwarders = new Map<number, string>();
  const dirEnd = dir.rva + dir.size;
  for (let i = 0; i < functionCount; i++) {
    const rva = r.u32(addressTableRva + 4 * i, 'export address table entry');
    addresses[i] = rva;
    if (rva === 0) continue;
    if (rva >= dir.rva && rva < dirEnd) {
      forwarders.set(i, r.asciiz(rva, `forwarder string of export ordinal ${ordinalBase + i}`, 512));
    } else if (rva >= img.pe.sizeOfImage) {
      failImage(name, `export ordinal ${ordinalBase + i} has RVA ${hex(rva)} outside the image (SizeOfImage ${hex(img.pe.sizeOfImage)})`);
    }
  }

  let names: string[] = [];
  let nameIndices = new Uint16Array(nameCount);
  let sorted = true;
  for (let i = 0; i < nameCount; i++) {
    const pointer = r.u32(namePointerRva + 4 * i, 'export name pointer');
    if (!r.has(pointer, 1)) {
      failImage(name, `export name pointer #${i} (RVA ${hex(pointer)}) lies outside the image (SizeOfImage ${hex(img.pe.sizeOfImage)})`);
    }
    const exportName = r.asciiz(pointer, `export name #${i}`, 4096);
    const index = r.u16(ordinalTableRva + 2 * i, 'export ordinal table entry');
    if (index >= functionCount) {
      failImage(name, `export "${exportName}" has ordinal index ${index} beyond the ${functionCount}-entry address table`);
    }
    if (i > 0 && compareNames(names[i - 1]!, exportName) > 0) sorted = false;
    names.push(exportName);
    nameIndices[i] = index;
  }
  // The spec requires a sorted name table; tolerate a linker that did not
  // sort it rather than silently failing lookups.
  if (!sorted) {
    const order = names.map((_, i) => i).sort((a, b) => compareNames(names[a]!, names[b]!));
    const oldIndices = nameIndices;
    names = order.map((i) => names[i]!);
    nameIndices = Uint16Array.from(order, (i) => oldIndices[i]!);
  }

  return { dllName, ordinalBase, addresses, names, nameIndices, directoryRva: dir.rva, directorySize: dir.size, forwarders };
}

/** Splits "NTDLL.RtlAllocateHeap" / "NTDLL.#12" into a DLL file name and a symbol. */
export function parseForwarder(text: string): { dll: string; symbol: ImportSymbol } | undefined {
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return undefined;
  const dll = `${text.slice(0, dot)}.dll`;
  const sym = text.slice(dot + 1);
  if (sym.startsWith('#')) {
    const ordinal = Number(sym.slice(1));
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal > 0xffff) return undefined;
    return { dll, symbol: { kind: 'ordinal', ordinal } };
  }
  return { dll, symbol: { kind: 'name', name: sym, hint: 0 } };
}

/** Index into `names` of `wanted`, trying the hint first, then binary search; -1 if absent. */
export function findNameIndex(table: ExportTable, wanted: string, hint = 0): number {
  const names = table.names;
  if (hint < names.length && names[hint] === wanted) return hint;
  let lo = 0;
  let hi = names.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareNames(names[mid]!, wanted);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Looks a symbol up in one module's exports; undefined when it is not exported. */
export function lookupExport(table: ExportTable, symbol: ImportSymbol): ExportTarget | undefined {
  let index: number;
  if (symbol.kind === 'name') {
    const n = findNameIndex(table, symbol.name, symbol.hint);
    if (n < 0) return undefined;
    index = table.nameIndices[n]!;
  } else {
    index = symbol.ordinal - table.ordinalBase;
    if (index < 0 || index >= table.addresses.length) return undefined;
  }
  const rva = table.addresses[index]!;
  if (rva === 0) return undefined;
  const ordinal = table.ordinalBase + index;
  const forwarder = table.forwarders.get(index);
  if (forwarder === undefined) return { kind: 'rva', rva, ordinal };
  const parsed = parseForwarder(forwarder);
  // A forwarder string that says nothing usable resolves to nothing.
  if (parsed === undefined) return undefined;
  return { kind: 'forwarder', forwarder, dll: parsed.dll, symbol: parsed.symbol, ordinal };
}
