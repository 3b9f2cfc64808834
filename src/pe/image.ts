/**
 * Parse and validate a PE32 image file (Microsoft PE/COFF specification):
 * DOS header, PE signature, COFF file header, PE32 optional header, data
 * directories and section table.
 *
 * The result describes the image as the loader will map it; nothing here
 * touches memory outside the file. Every check that fails throws
 * STATUS_INVALID_IMAGE_FORMAT with the image name and the field at fault,
 * so that a truncated or random file is refused with a reason, never a crash.
 */
import {
  COFF_HEADER_SIZE, DIR_SECURITY, DIRECTORY_NAMES, DLLCHAR_DYNAMIC_BASE, DLLCHAR_NO_SEH, DLLCHAR_NX_COMPAT,
  DOS_HEADER_SIZE, DOS_MAGIC, FILE_DLL, FILE_EXECUTABLE_IMAGE, FILE_RELOCS_STRIPPED, MACHINE_I386, MACHINE_NAMES,
  MAX_DATA_DIRECTORIES, MAX_IMAGE_SIZE, MAX_SECTIONS, OPTIONAL_MAGIC_PE32, OPTIONAL_MAGIC_PE32_PLUS,
  OPTIONAL_MAGIC_ROM, PE32_OPTIONAL_FIXED_SIZE, PE_SIGNATURE, SECTION_HEADER_SIZE, SUBSYSTEM_NAMES,
} from './constants.js';
import { failImage, hex } from './errors.js';
import { ByteReader } from './reader.js';

export interface DataDirectory {
  readonly rva: number;
  readonly size: number;
}

export interface PeSection {
  /** Up to 8 characters, NUL padding removed. */
  readonly name: string;
  readonly virtualAddress: number;
  /** Size in memory as the header says it (0 means "use SizeOfRawData"). */
  readonly virtualSize: number;
  /** Bytes the section occupies in memory: VirtualSize, or SizeOfRawData when VirtualSize is 0. */
  readonly mappedSize: number;
  readonly rawDataOffset: number;
  readonly rawDataSize: number;
  /** Bytes copied from the file: min(SizeOfRawData, mappedSize); the rest is zero-filled. */
  readonly copySize: number;
  readonly characteristics: number;
}

export interface PeImage {
  /** Name used in messages (usually the file's base name). */
  readonly name: string;
  readonly file: Uint8Array;
  readonly machine: number;
  readonly timeDateStamp: number;
  /** COFF file header Characteristics. */
  readonly characteristics: number;
  readonly isDll: boolean;
  /** RELOCS_STRIPPED: the image can only run at its preferred base. */
  readonly relocsStripped: boolean;
  readonly majorLinkerVersion: number;
  readonly minorLinkerVersion: number;
  readonly addressOfEntryPoint: number;
  readonly imageBase: number;
  readonly sectionAlignment: number;
  readonly fileAlignment: number;
  readonly majorSubsystemVersion: number;
  readonly minorSubsystemVersion: number;
  readonly sizeOfImage: number;
  readonly sizeOfHeaders: number;
  readonly checkSum: number;
  readonly subsystem: number;
  readonly subsystemName: string;
  readonly dllCharacteristics: number;
  readonly dynamicBase: boolean;
  readonly nxCompat: boolean;
  readonly noSeh: boolean;
  readonly sizeOfStackReserve: number;
  readonly sizeOfStackCommit: number;
  readonly sizeOfHeapReserve: number;
  readonly sizeOfHeapCommit: number;
  /** Always 16 entries; those beyond NumberOfRvaAndSizes are zero. */
  readonly directories: readonly DataDirectory[];
  readonly numberOfRvaAndSizes: number;
  readonly sections: readonly PeSection[];
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
/** Rounds up to a power-of-two alignment; exact for values below 2^52. */
export const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

export function parsePeImage(file: Uint8Array, name: string): PeImage {
  const r = new ByteReader(file, name, 'file');

  // --- DOS header: only e_magic and e_lfanew matter to a PE loader.
  if (file.length < DOS_HEADER_SIZE) {
    failImage(name, `file is ${file.length} bytes, shorter than the ${DOS_HEADER_SIZE}-byte DOS header`);
  }
  const dosMagic = r.u16(0, 'DOS header e_magic');
  if (dosMagic !== DOS_MAGIC) failImage(name, `no MZ signature (e_magic is ${hex(dosMagic)}, expected 0x5a4d)`);
  const peOffset = r.u32(0x3c, 'DOS header e_lfanew');
  if (peOffset < DOS_HEADER_SIZE || peOffset + 4 + COFF_HEADER_SIZE > file.length) {
    failImage(name, `e_lfanew ${hex(peOffset)} does not point at a PE header inside the file (${hex(file.length)} bytes)`);
  }

  // --- PE signature.
  const signature = r.u32(peOffset, 'PE signature');
  if (signature !== PE_SIGNATURE) {
    const low = signature & 0xffff;
    if (low === 0x454e || low === 0x454c || low === 0x584c) {
      failImage(name, `is a 16-bit or OS/2 image (${String.fromCharCode(low & 0xff, low >> 8)} header), not PE`);
    }
    failImage(name, `no PE signature at e_lfanew ${hex(peOffset)} (found ${hex(signature)})`);
  }

  // --- COFF file header.
  const coff = peOffset + 4;
  const machine = r.u16(coff, 'COFF Machine');
  if (machine !== MACHINE_I386) {
    const machineName = MACHINE_NAMES.get(machine) ?? 'unknown';
    failImage(name, `machine ${machineName} (${hex(machine)}) is not supported: only I386 (0x14c) images run here`);
  }
  const numberOfSections = r.u16(coff + 2, 'COFF NumberOfSections');
  const timeDateStamp = r.u32(coff + 4, 'COFF TimeDateStamp');
  const sizeOfOptionalHeader = r.u16(coff + 16, 'COFF SizeOfOptionalHeader');
  const characteristics = r.u16(coff + 18, 'COFF Characteristics');
  if ((characteristics & FILE_EXECUTABLE_IMAGE) === 0) {
    failImage(name, `COFF Characteristics ${hex(characteristics)} lack EXECUTABLE_IMAGE (an object file, or a failed link?)`);
  }
  if (numberOfSections > MAX_SECTIONS) failImage(name, `NumberOfSections ${numberOfSections} exceeds ${MAX_SECTIONS}`);

  // --- Optional header (PE32 only).
  const opt = coff + COFF_HEADER_SIZE;
  const magic = r.u16(opt, 'optional header Magic');
  if (magic === OPTIONAL_MAGIC_PE32_PLUS) failImage(name, 'is a PE32+ (64-bit) image; only PE32 (32-bit) images are supported');
  if (magic === OPTIONAL_MAGIC_ROM) failImage(name, 'is a ROM image (optional header magic 0x107), not PE32');
  if (magic !== OPTIONAL_MAGIC_PE32) failImage(name, `optional header Magic ${hex(magic)} is not PE32 (0x10b)`);
  if (sizeOfOptionalHeader < PE32_OPTIONAL_FIXED_SIZE) {
    failImage(name, `SizeOfOptionalHeader ${hex(sizeOfOptionalHeader)} is smaller than the PE32 fields (${hex(PE32_OPTIONAL_FIXED_SIZE)})`);
  }
  r.check(opt, sizeOfOptionalHeader, 'optional header');

  const addressOfEntryPoint = r.u32(opt + 16, 'AddressOfEntryPoint');
  const imageBase = r.u32(opt + 28, 'ImageBase');
  const sectionAlignment = r.u32(opt + 32, 'SectionAlignment');
  const fileAlignment = r.u32(opt + 36, 'FileAlignment');
  const sizeOfImage = r.u32(opt + 56, 'SizeOfImage');
  const sizeOfHeaders = r.u32(opt + 60, 'SizeOfHeaders');
  const subsystem = r.u16(opt + 68, 'Subsystem');
  const dllCharacteristics = r.u16(opt + 70, 'DllCharacteristics');
  const numberOfRvaAndSizes = r.u32(opt + 92, 'NumberOfRvaAndSizes');

  // Alignments: powers of two; a section alignment below the page size is
  // only valid when it equals the file alignment (the file is its own image).
  if (!isPowerOfTwo(fileAlignment) || fileAlignment > 0x10000) {
    failImage(name, `FileAlignment ${hex(fileAlignment)} is not a power of two up to 0x10000`);
  }
  if (!isPowerOfTwo(sectionAlignment)) failImage(name, `SectionAlignment ${hex(sectionAlignment)} is not a power of two`);
  if (sectionAlignment < fileAlignment) {
    failImage(name, `SectionAlignment ${hex(sectionAlignment)} is smaller than FileAlignment ${hex(fileAlignment)}`);
  }
  if (sectionAlignment < 0x1000 && sectionAlignment !== fileAlignment) {
    failImage(name, `SectionAlignment ${hex(sectionAlignment)} is below the page size but differs from FileAlignment ${hex(fileAlignment)}`);
  }
  if (imageBase === 0 || imageBase % 0x10000 !== 0) failImage(name, `ImageBase ${hex(imageBase)} is not a non-zero multiple of 64 KiB`);
  if (sizeOfImage === 0 || sizeOfImage > MAX_IMAGE_SIZE) {
    failImage(name, `SizeOfImage ${hex(sizeOfImage)} is zero or larger than the ${hex(MAX_IMAGE_SIZE)}-byte limit`);
  }
  if (imageBase + sizeOfImage > 0x100000000) {
    failImage(name, `ImageBase ${hex(imageBase)} + SizeOfImage ${hex(sizeOfImage)} wraps past 4 GiB`);
  }

  // Data directories.
  if (numberOfRvaAndSizes > MAX_DATA_DIRECTORIES) {
    failImage(name, `NumberOfRvaAndSizes ${numberOfRvaAndSizes} exceeds ${MAX_DATA_DIRECTORIES}`);
  }
  if (PE32_OPTIONAL_FIXED_SIZE + 8 * numberOfRvaAndSizes > sizeOfOptionalHeader) {
    failImage(name, `SizeOfOptionalHeader ${hex(sizeOfOptionalHeader)} cannot hold ${numberOfRvaAndSizes} data directories`);
  }
  const directories: DataDirectory[] = [];
  for (let i = 0; i < MAX_DATA_DIRECTORIES; i++) {
    if (i >= numberOfRvaAndSizes) {
      directories.push({ rva: 0, size: 0 });
      continue;
    }
    const at = opt + PE32_OPTIONAL_FIXED_SIZE + 8 * i;
    const rva = r.u32(at, `${DIRECTORY_NAMES[i]} directory RVA`);
    const size = r.u32(at + 4, `${DIRECTORY_NAMES[i]} directory size`);
    directories.push({ rva, size });
    if (size === 0) continue;
    // The security directory holds a file offset, and is never mapped.
    const limit = i === DIR_SECURITY ? file.length : sizeOfImage;
    if (rva + size > limit) {
      failImage(
        name,
        `${DIRECTORY_NAMES[i]} directory (${i === DIR_SECURITY ? 'offset' : 'RVA'} ${hex(rva)}, size ${hex(size)}) lies outside the ${i === DIR_SECURITY ? 'file' : 'image'} (${hex(limit)} bytes)`,
      );
    }
  }

  // --- Section table, right after the optional header.
  const sectionTable = opt + sizeOfOptionalHeader;
  const headersEnd = sectionTable + numberOfSections * SECTION_HEADER_SIZE;
  if (headersEnd > file.length) {
    failImage(name, `section table (offset ${hex(sectionTable)}, ${numberOfSections} entries) extends past the end of the file (${hex(file.length)} bytes)`);
  }
  if (sizeOfHeaders < headersEnd) {
    failImage(name, `SizeOfHeaders ${hex(sizeOfHeaders)} does not cover the headers and section table (${hex(headersEnd)} bytes)`);
  }
  if (sizeOfHeaders > file.length) failImage(name, `SizeOfHeaders ${hex(sizeOfHeaders)} extends past the end of the file (${hex(file.length)} bytes)`);

  const sections: PeSection[] = [];
  // Where the next section may start in memory: after the headers, then after each section.
  let nextFreeRva = alignUp(sizeOfHeaders, sectionAlignment);
  let previousName = 'the headers';
  for (let i = 0; i < numberOfSections; i++) {
    const at = sectionTable + i * SECTION_HEADER_SIZE;
    let sectionName = '';
    for (let j = 0; j < 8; j++) {
      const c = r.u8(at + j, 'section name');
      if (c === 0) break;
      sectionName += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
    }
    const label = `section ${sectionName || `#${i + 1}`}`;
    const virtualSize = r.u32(at + 8, `${label} VirtualSize`);
    const virtualAddress = r.u32(at + 12, `${label} VirtualAddress`);
    const rawDataSize = r.u32(at + 16, `${label} SizeOfRawData`);
    const rawDataOffset = r.u32(at + 20, `${label} PointerToRawData`);
    const sectionCharacteristics = r.u32(at + 36, `${label} Characteristics`);

    const mappedSize = virtualSize !== 0 ? virtualSize : rawDataSize;
    const copySize = Math.min(rawDataSize, mappedSize);
    if (virtualAddress % sectionAlignment !== 0) {
      failImage(name, `${label} VirtualAddress ${hex(virtualAddress)} is not a multiple of SectionAlignment ${hex(sectionAlignment)}`);
    }
    if (virtualAddress < nextFreeRva) {
      failImage(name, `${label} (RVA ${hex(virtualAddress)}) overlaps ${previousName} (which end at RVA ${hex(nextFreeRva)} once aligned)`);
    }
    if (virtualAddress + mappedSize > sizeOfImage) {
      failImage(name, `${label} (RVA ${hex(virtualAddress)}, size ${hex(mappedSize)}) extends past SizeOfImage ${hex(sizeOfImage)}`);
    }
    if (rawDataSize > 0 && rawDataOffset + rawDataSize > file.length) {
      failImage(
        name,
        `${label} raw data (offset ${hex(rawDataOffset)}, size ${hex(rawDataSize)}) extends past the end of the file (${hex(file.length)} bytes)`,
      );
    }
    sections.push({
      name: sectionName, virtualAddress, virtualSize, mappedSize, rawDataOffset, rawDataSize, copySize,
      characteristics: sectionCharacteristics,
    });
    nextFreeRva = alignUp(virtualAddress + mappedSize, sectionAlignment);
    previousName = label;
  }

  // SizeOfImage must cover the last section, and may round it up to the
  // section alignment but no further (anything else is a corrupt header).
  const contentEnd = sections.length > 0 ? sections[sections.length - 1]!.virtualAddress + sections[sections.length - 1]!.mappedSize : sizeOfHeaders;
  if (sizeOfImage < contentEnd || sizeOfImage > alignUp(contentEnd, sectionAlignment)) {
    failImage(name, `SizeOfImage ${hex(sizeOfImage)} does not match the end of the last section (${hex(contentEnd)}, aligned ${hex(alignUp(contentEnd, sectionAlignment))})`);
  }
  if (addressOfEntryPoint >= sizeOfImage) {
    failImage(name, `AddressOfEntryPoint ${hex(addressOfEntryPoint)} lies outside the image (SizeOfImage ${hex(sizeOfImage)})`);
  }

  return {
    name,
    file,
    machine,
    timeDateStamp,
    characteristics,
    isDll: (characteristics & FILE_DLL) !== 0,
    relocsStripped: (characteristics & FILE_RELOCS_STRIPPED) !== 0,
    majorLinkerVersion: r.u8(opt + 2, 'MajorLinkerVersion'),
    minorLinkerVersion: r.u8(opt + 3, 'MinorLinkerVersion'),
    addressOfEntryPoint,
    imageBase,
    sectionAlignment,
    fileAlignment,
    majorSubsystemVersion: r.u16(opt + 48, 'MajorSubsystemVersion'),
    minorSubsystemVersion: r.u16(opt + 50, 'MinorSubsystemVersion'),
    sizeOfImage,
    sizeOfHeaders,
    checkSum: r.u32(opt + 64, 'CheckSum'),
    subsystem,
    subsystemName: SUBSYSTEM_NAMES.get(subsystem) ?? `subsystem ${subsystem}`,
    dllCharacteristics,
    dynamicBase: (dllCharacteristics & DLLCHAR_DYNAMIC_BASE) !== 0,
    nxCompat: (dllCharacteristics & DLLCHAR_NX_COMPAT) !== 0,
    noSeh: (dllCharacteristics & DLLCHAR_NO_SEH) !== 0,
    sizeOfStackReserve: r.u32(opt + 72, 'SizeOfStackReserve'),
    sizeOfStackCommit: r.u32(opt + 76, 'SizeOfStackCommit'),
    sizeOfHeapReserve: r.u32(opt + 80, 'SizeOfHeapReserve'),
    sizeOfHeapCommit: r.u32(opt + 84, 'SizeOfHeapCommit'),
    directories,
    numberOfRvaAndSizes,
    sections,
  };
}
