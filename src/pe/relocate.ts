/**
 * Base relocations: moving a mapped image from its preferred ImageBase to
 * another base.
 *
 * The .reloc directory is a sequence of blocks, each a 4 KiB page RVA, a
 * block size, and 16-bit entries (type in the high 4 bits, page offset in
 * the low 12). Parsing validates every block and target first, so a corrupt
 * directory is refused before a single byte of the image changes.
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import {
  DIR_BASERELOC, REL_BASED_ABSOLUTE, REL_BASED_HIGH, REL_BASED_HIGHADJ, REL_BASED_HIGHLOW, REL_BASED_LOW, REL_BASED_NAMES,
} from './constants.js';
import { failImage, hex } from './errors.js';
import type { PeImage } from './image.js';
import { directory } from './mapped.js';
import type { MappedImage } from './mapped.js';

/** Validated fixups, in directory order. */
export interface RelocationFixups {
  /** RVA of each fixup target. */
  readonly targets: Uint32Array;
  /** REL_BASED_* type of each fixup (never ABSOLUTE: padding is dropped). */
  readonly types: Uint8Array;
  /** For HIGHADJ: the low 16 bits carried by the following entry; else 0. */
  readonly lowParts: Uint16Array;
}

/** Bytes each fixup type patches at its target. */
function patchSize(type: number): number {
  return type === REL_BASED_HIGHLOW ? 4 : 2;
}

/**
 * Whether the image can be loaded away from its preferred base. Not when it
 * says RELOCS_STRIPPED. Without a relocation directory it can still move if
 * it says DYNAMIC_BASE: lld leaves .reloc out when an image has no absolute
 * addresses to fix, and such an image runs anywhere. An image with neither
 * relocations nor DYNAMIC_BASE is assumed to depend on its base.
 */
export function canRelocate(pe: PeImage): boolean {
  if (pe.relocsStripped) return false;
  return directory(pe, DIR_BASERELOC) !== undefined || pe.dynamicBase;
}

/** The refusal for an image that must move but cannot; the caller decides what to do with it. */
export function cannotRelocateError(pe: PeImage, base: number): NtStatusError {
  const why = pe.relocsStripped ? 'its relocations were stripped' : 'it has no base relocations and is not DYNAMIC_BASE';
  return new NtStatusError(
    NTSTATUS.STATUS_CONFLICTING_ADDRESSES,
    `${pe.name}: preferred base ${hex(base)} (size ${hex(pe.sizeOfImage)}) is taken and the image cannot be moved: ${why}`,
  );
}

export function parseRelocations(img: MappedImage): RelocationFixups {
  const dir = directory(img.pe, DIR_BASERELOC);
  const empty = { targets: new Uint32Array(0), types: new Uint8Array(0), lowParts: new Uint16Array(0) };
  if (dir === undefined) return empty;
  const name = img.pe.name;
  const r = img.reader;
  const end = dir.rva + dir.size;
  // At most one fixup per 16-bit entry: size the arrays once, trim at the end.
  const capacity = dir.size >>> 1;
  const targets = new Uint32Array(capacity);
  const types = new Uint8Array(capacity);
  const lowParts = new Uint16Array(capacity);
  let count = 0;

  let block = dir.rva;
  while (block < end) {
    if (end - block < 8) {
      failImage(name, `relocation block at RVA ${hex(block)} has only ${end - block} bytes left in the directory (a block header needs 8)`);
    }
    const pageRva = r.u32(block, 'relocation block page RVA');
    const blockSize = r.u32(block + 4, 'relocation block size');
    if (blockSize < 8 || blockSize % 2 !== 0 || block + blockSize > end) {
      failImage(
        name,
        `relocation block at RVA ${hex(block)} (page ${hex(pageRva)}) has a bad size ${hex(blockSize)} (must be an even number >= 8 inside the ${hex(dir.size)}-byte directory)`,
      );
    }
    const entriesEnd = block + blockSize;
    for (let at = block + 8; at < entriesEnd; at += 2) {
      const entry = r.u16(at, 'relocation entry');
      const type = entry >>> 12;
      const target = pageRva + (entry & 0xfff);
      if (type === REL_BASED_ABSOLUTE) continue; // padding
      if (type !== REL_BASED_HIGHLOW && type !== REL_BASED_HIGH && type !== REL_BASED_LOW && type !== REL_BASED_HIGHADJ) {
        failImage(name, `relocation type ${REL_BASED_NAMES[type]} (${type}) at RVA ${hex(target)} is not supported for I386 images`);
      }
      if (target + patchSize(type) > img.pe.sizeOfImage) {
        failImage(name, `relocation ${REL_BASED_NAMES[type]} target RVA ${hex(target)} lies outside the image (SizeOfImage ${hex(img.pe.sizeOfImage)})`);
      }
      let low = 0;
      if (type === REL_BASED_HIGHADJ) {
        // HIGHADJ takes two slots: the second holds the low half of the value.
        at += 2;
        if (at >= entriesEnd) failImage(name, `relocation HIGHADJ at RVA ${hex(target)} lacks its second entry`);
        low = r.u16(at, 'relocation HIGHADJ low part');
      }
      targets[count] = target;
      types[count] = type;
      lowParts[count] = low;
      count++;
    }
    block = entriesEnd;
  }
  return { targets: targets.slice(0, count), types: types.slice(0, count), lowParts: lowParts.slice(0, count) };
}

/** Applies validated fixups for a move from the preferred ImageBase to `newBase`. */
export function applyRelocations(img: MappedImage, fixups: RelocationFixups, newBase: number): void {
  const delta = (newBase - img.pe.imageBase) >>> 0;
  if (delta === 0) return;
  const b = img.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const { targets, types, lowParts } = fixups;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    switch (types[i]) {
      case REL_BASED_HIGHLOW:
        view.setUint32(t, (view.getUint32(t, true) + delta) >>> 0, true);
        break;
      case REL_BASED_HIGH:
        view.setUint16(t, (view.getUint16(t, true) + (delta >>> 16)) & 0xffff, true);
        break;
      case REL_BASED_LOW:
        view.setUint16(t, (view.getUint16(t, true) + delta) & 0xffff, true);
        break;
      case REL_BASED_HIGHADJ: {
        // Rebuild the full 32-bit value (low half sign-extended), add the
        // delta, round to the nearest 64 KiB and keep the high half.
        const full = (view.getUint16(t, true) << 16) + ((lowParts[i]! << 16) >> 16);
        view.setUint16(t, ((full + delta + 0x8000) >>> 16) & 0xffff, true);
        break;
      }
    }
  }
}

/** Parses then applies; returns how many fixups were applied. */
export function relocateImage(img: MappedImage, newBase: number): number {
  const fixups = parseRelocations(img);
  applyRelocations(img, fixups, newBase);
  return fixups.targets.length;
}
