/**
 * The image as it looks in memory, built on the host: SizeOfImage bytes,
 * headers at RVA 0, each section at its VirtualAddress, zero-filled beyond
 * its raw data. Directories (exports, imports, relocations, TLS) are parsed
 * from this view by RVA, and relocations and IAT patches are applied to it
 * before the loader copies it into the target address space.
 */
import { DIRECTORY_NAMES } from './constants.js';
import type { DataDirectory, PeImage } from './image.js';
import { ByteReader } from './reader.js';

export interface MappedImage {
  readonly pe: PeImage;
  /** SizeOfImage bytes, indexed by RVA. */
  readonly bytes: Uint8Array;
  /** Bounds-checked reads by RVA. */
  readonly reader: ByteReader;
}

export function mapImage(pe: PeImage): MappedImage {
  const bytes = new Uint8Array(pe.sizeOfImage);
  bytes.set(pe.file.subarray(0, Math.min(pe.sizeOfHeaders, pe.sizeOfImage)), 0);
  for (const s of pe.sections) {
    if (s.copySize > 0) bytes.set(pe.file.subarray(s.rawDataOffset, s.rawDataOffset + s.copySize), s.virtualAddress);
  }
  return { pe, bytes, reader: new ByteReader(bytes, pe.name, 'image') };
}

/** Name of directory `index` for messages ("import directory"). */
export function directoryLabel(index: number): string {
  return `${DIRECTORY_NAMES[index] ?? `#${index}`} directory`;
}

/** The directory at `index`, or undefined when it is absent (size 0). */
export function directory(pe: PeImage, index: number): DataDirectory | undefined {
  const d = pe.directories[index];
  return d !== undefined && d.size !== 0 && d.rva !== 0 ? d : undefined;
}
