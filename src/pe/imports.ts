/**
 * The import directory, and IAT patching.
 *
 * Layout (PE/COFF spec, .idata): an array of 20-byte import descriptors
 * ending in an all-zero one; each names a DLL and points at its import
 * lookup table (ILT, OriginalFirstThunk) and import address table (IAT,
 * FirstThunk). ILT entries are 32-bit: bit 31 set means import by ordinal
 * (low 16 bits), otherwise an RVA of a hint/name entry (16-bit hint, then
 * the ASCIIZ name). The loader overwrites each IAT slot with the address.
 *
 * Bound imports (pre-resolved addresses) are ignored: we always resolve from
 * the ILT. Delay-load imports need a runtime helper this system does not
 * provide yet, so an image that has them is refused with a clear message.
 */
import { NtStatusError } from '../abi/ntstatus.js';
import { DIR_DELAY_IMPORT, DIR_IMPORT, IMPORT_ORDINAL_FLAG32 } from './constants.js';
import { failImage, hex, notSupported } from './errors.js';
import { directory } from './mapped.js';
import type { MappedImage } from './mapped.js';
import type { ImportSymbol } from './symbol.js';

const IMPORT_DESCRIPTOR_SIZE = 20;
const DELAY_DESCRIPTOR_SIZE = 32;

export interface ImportEntry {
  readonly symbol: ImportSymbol;
  /** RVA of the IAT slot that receives the address. */
  readonly iatRva: number;
}

export interface ImportedDll {
  /** DLL name as the importer spells it ("NTDLL.dll"). */
  readonly dll: string;
  readonly entries: readonly ImportEntry[];
}

/**
 * Resolves one import to an absolute address; returns (or throws) an
 * NtStatusError when it cannot. The loader's resolver produces the
 * STATUS_DLL_NOT_FOUND / ENTRYPOINT / ORDINAL errors of resolve.ts.
 */
export type ImportResolver = (dll: string, symbol: ImportSymbol) => number | NtStatusError;

export function parseImports(img: MappedImage): ImportedDll[] {
  const dir = directory(img.pe, DIR_IMPORT);
  if (dir === undefined) return [];
  const name = img.pe.name;
  const r = img.reader;
  const result: ImportedDll[] = [];
  for (let i = 0; ; i++) {
    const at = dir.rva + i * IMPORT_DESCRIPTOR_SIZE;
    const label = `import descriptor #${i}`;
    r.check(at, IMPORT_DESCRIPTOR_SIZE, `${label} (no terminating null descriptor?)`);
    const lookupRva = r.u32(at, `${label} OriginalFirstThunk`);
    const timeDateStamp = r.u32(at + 4, `${label} TimeDateStamp`);
    const nameRva = r.u32(at + 12, `${label} Name`);
    const iatRva = r.u32(at + 16, `${label} FirstThunk`);
    if (nameRva === 0 && iatRva === 0 && lookupRva === 0) break;
    if (nameRva === 0 || iatRva === 0) {
      failImage(name, `${label} has Name ${hex(nameRva)} and FirstThunk ${hex(iatRva)}: both must be set`);
    }
    if (!r.has(nameRva, 1)) failImage(name, `${label} Name RVA ${hex(nameRva)} lies outside the image (SizeOfImage ${hex(img.pe.sizeOfImage)})`);
    const dll = r.asciiz(nameRva, `${label} DLL name`, 256);
    if (dll.length === 0) failImage(name, `${label} has an empty DLL name`);
    // Without an ILT the IAT is the only list of names; if the image was
    // bound, those slots hold addresses we cannot trust or reverse.
    if (lookupRva === 0 && timeDateStamp !== 0) {
      failImage(name, `imports from ${dll} are bound but have no import lookup table to re-resolve them from`);
    }
    const tableRva = lookupRva !== 0 ? lookupRva : iatRva;
    const entries: ImportEntry[] = [];
    for (let j = 0; ; j++) {
      const thunk = r.u32(tableRva + 4 * j, `import lookup entry #${j} for ${dll}`);
      if (thunk === 0) break;
      r.check(iatRva + 4 * j, 4, `IAT slot #${j} for ${dll}`);
      let symbol: ImportSymbol;
      if ((thunk & IMPORT_ORDINAL_FLAG32) !== 0) {
        if ((thunk & 0x7fff0000) !== 0) failImage(name, `import lookup entry #${j} for ${dll} (${hex(thunk)}): ordinal import with bits 16-30 set`);
        symbol = { kind: 'ordinal', ordinal: thunk & 0xffff };
      } else {
        const hint = r.u16(thunk, `hint/name entry #${j} for ${dll}`);
        const symbolName = r.asciiz(thunk + 2, `imported name #${j} from ${dll}`, 4096);
        if (symbolName.length === 0) failImage(name, `import #${j} from ${dll} has an empty name`);
        symbol = { kind: 'name', name: symbolName, hint };
      }
      entries.push({ symbol, iatRva: iatRva + 4 * j });
    }
    result.push({ dll, entries });
  }
  return result;
}

/** Writes each resolved address into its IAT slot; the first failure is thrown as is. */
export function bindImports(img: MappedImage, imports: readonly ImportedDll[], resolve: ImportResolver): void {
  // Resolve everything first, so a failure leaves the image untouched.
  const slots: number[] = [];
  const values: number[] = [];
  for (const d of imports) {
    for (const e of d.entries) {
      const address = resolve(d.dll, e.symbol);
      if (address instanceof NtStatusError) throw address;
      slots.push(e.iatRva);
      values.push(address >>> 0);
    }
  }
  const b = img.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < slots.length; i++) view.setUint32(slots[i]!, values[i]!, true);
}

/** DLL names listed in the delay-load import directory. */
export function parseDelayImports(img: MappedImage): string[] {
  const dir = directory(img.pe, DIR_DELAY_IMPORT);
  if (dir === undefined) return [];
  const r = img.reader;
  const dlls: string[] = [];
  for (let i = 0; ; i++) {
    const at = dir.rva + i * DELAY_DESCRIPTOR_SIZE;
    const label = `delay-load descriptor #${i}`;
    const attributes = r.u32(at, `${label} Attributes`);
    const nameField = r.u32(at + 4, `${label} Name`);
    if (nameField === 0) break;
    // Version-2 descriptors (attribute bit 0) hold RVAs; old ones hold VAs.
    const nameRva = (attributes & 1) !== 0 ? nameField : (nameField - img.pe.imageBase) >>> 0;
    dlls.push(r.asciiz(nameRva, `${label} DLL name`, 256));
  }
  return dlls;
}

/** Refuses images with delay-load imports (no helper for them yet), naming the DLLs. */
export function refuseDelayImports(img: MappedImage): void {
  const dlls = parseDelayImports(img);
  if (dlls.length > 0) {
    throw notSupported(img.pe.name, `delay-load imports (from ${dlls.join(', ')}) are not supported yet`);
  }
}
