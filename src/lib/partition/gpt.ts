/**
 * The GUID partition table (UEFI specification, chapter 5): a protective MBR
 * at LBA 0, the primary header at LBA 1 followed by its entry array, and a
 * backup entry array and header at the end of the disk. Both headers carry a
 * CRC32 of themselves and of the entry array; a reader trusts the primary and
 * falls back to the backup when the primary fails its checks.
 */
import type { BlockDevice } from '../blockdev.js';
import { crc32 } from '../crc32.js';
import { guidFromBytes, guidToBytes, randomGuid, GUID_ZERO } from '../guid.js';
import { PartitionError } from './error.js';
import { buildMbr, MBR_TYPE } from './mbr.js';
import { NTSTATUS } from '../../abi/ntstatus.js';

export const GPT_TYPE = {
  /** Microsoft basic data: FAT and NTFS volumes. */
  BASIC_DATA: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
  EFI_SYSTEM: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  LINUX_FILESYSTEM: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

const SIGNATURE = 'EFI PART';
const REVISION = 0x00010000;
const HEADER_SIZE = 92;
const DEFAULT_ENTRIES = 128;
const ENTRY_SIZE = 128;
/** Sectors of a 128 × 128-byte entry array on 512-byte sectors. */
const ARRAY_SECTORS = (DEFAULT_ENTRIES * ENTRY_SIZE) / 512;
/** Refuse absurd arrays from corrupt headers instead of allocating gigabytes. */
const MAX_ARRAY_BYTES = 1 << 20;

export interface GptPartition {
  /** Slot in the entry array. */
  readonly index: number;
  readonly typeGuid: string;
  readonly uniqueGuid: string;
  readonly firstLba: number;
  /** Inclusive, as on disk. */
  readonly lastLba: number;
  readonly attributes: bigint;
  readonly name: string;
}

export interface GptTable {
  readonly diskGuid: string;
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  readonly partitions: GptPartition[];
  /** True when the primary header or array was bad and the backup was used. */
  readonly usedBackup: boolean;
}

export interface GptPartitionSpec {
  readonly typeGuid: string;
  readonly uniqueGuid?: string;
  readonly firstLba: number;
  readonly lastLba: number;
  readonly name?: string;
  readonly attributes?: bigint;
}

/** The LBA range partitions may use on a disk of this many sectors with the default 128-entry arrays. */
export function gptUsableRange(sectorCount: number): { firstUsableLba: number; lastUsableLba: number } {
  return { firstUsableLba: 2 + ARRAY_SECTORS, lastUsableLba: sectorCount - 2 - ARRAY_SECTORS };
}

interface Header {
  myLba: number;
  alternateLba: number;
  firstUsableLba: number;
  lastUsableLba: number;
  diskGuid: string;
  entriesLba: number;
  entryCount: number;
  entrySize: number;
  entriesCrc: number;
}

function u64(dv: DataView, o: number, what: string): number {
  const v = dv.getBigUint64(o, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PartitionError(`GPT: ${what} ${v} is out of range`);
  return Number(v);
}

function parseHeader(sector: Uint8Array, expectLba: number, deviceSectors: number): Header {
  const dv = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const sig = new TextDecoder('latin1').decode(sector.subarray(0, 8));
  if (sig !== SIGNATURE) throw new PartitionError(`GPT header at LBA ${expectLba}: no "EFI PART" signature`);
  const size = dv.getUint32(12, true);
  if (size < HEADER_SIZE || size > sector.byteLength) throw new PartitionError(`GPT header at LBA ${expectLba}: bad header size ${size}`);
  const copy = sector.slice(0, size);
  new DataView(copy.buffer).setUint32(16, 0, true);
  const stored = dv.getUint32(16, true);
  const actual = crc32(copy);
  if (stored !== actual) {
    throw new PartitionError(`GPT header at LBA ${expectLba}: CRC32 mismatch (stored ${hex8(stored)}, computed ${hex8(actual)})`, NTSTATUS.STATUS_CRC_ERROR);
  }
  const h: Header = {
    myLba: u64(dv, 24, 'MyLBA'),
    alternateLba: u64(dv, 32, 'AlternateLBA'),
    firstUsableLba: u64(dv, 40, 'FirstUsableLBA'),
    lastUsableLba: u64(dv, 48, 'LastUsableLBA'),
    diskGuid: guidFromBytes(sector, 56),
    entriesLba: u64(dv, 72, 'PartitionEntryLBA'),
    entryCount: dv.getUint32(80, true),
    entrySize: dv.getUint32(84, true),
    entriesCrc: dv.getUint32(88, true),
  };
  if (h.myLba !== expectLba) throw new PartitionError(`GPT header at LBA ${expectLba}: claims to be at LBA ${h.myLba}`);
  if (h.entrySize < 128 || h.entrySize % 8 !== 0) throw new PartitionError(`GPT header at LBA ${expectLba}: bad entry size ${h.entrySize}`);
  if (h.entryCount * h.entrySize > MAX_ARRAY_BYTES) throw new PartitionError(`GPT header at LBA ${expectLba}: entry array of ${h.entryCount} × ${h.entrySize} bytes is too large`);
  if (h.firstUsableLba > h.lastUsableLba + 1 || h.lastUsableLba >= deviceSectors) {
    throw new PartitionError(`GPT header at LBA ${expectLba}: usable range ${h.firstUsableLba}..${h.lastUsableLba} does not fit a disk of ${deviceSectors} sectors`);
  }
  const arraySectors = Math.ceil((h.entryCount * h.entrySize) / 512);
  if (h.entriesLba < 2 || h.entriesLba + arraySectors > deviceSectors) {
    throw new PartitionError(`GPT header at LBA ${expectLba}: entry array at LBA ${h.entriesLba} is off the disk`);
  }
  return h;
}

async function readCopy(dev: BlockDevice, headerLba: number): Promise<{ header: Header; partitions: GptPartition[] }> {
  if (headerLba < 1 || headerLba >= dev.sectorCount) throw new PartitionError(`GPT header LBA ${headerLba} is off the disk`);
  const sector = new Uint8Array(dev.sectorSize);
  await dev.read(headerLba, 1, sector);
  const header = parseHeader(sector, headerLba, dev.sectorCount);
  const bytes = header.entryCount * header.entrySize;
  const array = new Uint8Array(Math.ceil(bytes / 512) * 512);
  await dev.read(header.entriesLba, array.length / 512, array);
  const actual = crc32(array.subarray(0, bytes));
  if (actual !== header.entriesCrc) {
    throw new PartitionError(`GPT entry array at LBA ${header.entriesLba}: CRC32 mismatch (stored ${hex8(header.entriesCrc)}, computed ${hex8(actual)})`, NTSTATUS.STATUS_CRC_ERROR);
  }
  const dv = new DataView(array.buffer);
  const partitions: GptPartition[] = [];
  for (let i = 0; i < header.entryCount; i++) {
    const o = i * header.entrySize;
    const typeGuid = guidFromBytes(array, o);
    if (typeGuid === GUID_ZERO) continue;
    const firstLba = u64(dv, o + 32, 'StartingLBA');
    const lastLba = u64(dv, o + 40, 'EndingLBA');
    if (firstLba > lastLba || firstLba < header.firstUsableLba || lastLba > header.lastUsableLba) {
      throw new PartitionError(`GPT: partition ${i + 1} (LBA ${firstLba}..${lastLba}) lies outside the usable range ${header.firstUsableLba}..${header.lastUsableLba}`);
    }
    let name = '';
    for (let k = 0; k < 36; k++) {
      const ch = dv.getUint16(o + 56 + k * 2, true);
      if (ch === 0) break;
      name += String.fromCharCode(ch);
    }
    partitions.push({ index: i, typeGuid, uniqueGuid: guidFromBytes(array, o + 16), firstLba, lastLba, attributes: dv.getBigUint64(o + 48, true), name });
  }
  const sorted = [...partitions].sort((a, b) => a.firstLba - b.firstLba);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.firstLba <= sorted[i - 1]!.lastLba) {
      throw new PartitionError(`GPT: partitions ${sorted[i - 1]!.index + 1} and ${sorted[i]!.index + 1} overlap`);
    }
  }
  return { header, partitions };
}

/** Reads the table, from the primary copy or, if that is damaged, from the backup. */
export async function readGpt(dev: BlockDevice): Promise<GptTable> {
  let primaryError: unknown;
  let backupLba = dev.sectorCount - 1;
  try {
    const { header, partitions } = await readCopy(dev, 1);
    return { diskGuid: header.diskGuid, firstUsableLba: header.firstUsableLba, lastUsableLba: header.lastUsableLba, partitions, usedBackup: false };
  } catch (e) {
    if (!(e instanceof PartitionError)) throw e;
    primaryError = e;
  }
  try {
    const { header, partitions } = await readCopy(dev, backupLba);
    return { diskGuid: header.diskGuid, firstUsableLba: header.firstUsableLba, lastUsableLba: header.lastUsableLba, partitions, usedBackup: true };
  } catch (e) {
    if (!(e instanceof PartitionError)) throw e;
    throw new PartitionError(`GPT: both copies are unusable: primary: ${msg(primaryError)}; backup: ${msg(e)}`, e.status);
  }
}

/**
 * Writes a fresh GPT (protective MBR, both arrays, both headers) describing
 * `partitions`, which must lie within gptUsableRange(dev.sectorCount).
 */
export async function writeGpt(dev: BlockDevice, spec: { diskGuid?: string; partitions: readonly GptPartitionSpec[] }): Promise<GptTable> {
  if (dev.sectorSize !== 512) throw new PartitionError(`GPT: only 512-byte sectors are supported`, NTSTATUS.STATUS_NOT_SUPPORTED);
  const n = dev.sectorCount;
  const { firstUsableLba, lastUsableLba } = gptUsableRange(n);
  if (lastUsableLba < firstUsableLba) throw new PartitionError(`GPT: a disk of ${n} sectors is too small for a GPT`, NTSTATUS.STATUS_INVALID_PARAMETER);
  if (spec.partitions.length > DEFAULT_ENTRIES) throw new PartitionError(`GPT: at most ${DEFAULT_ENTRIES} partitions`, NTSTATUS.STATUS_INVALID_PARAMETER);
  const diskGuid = spec.diskGuid ?? randomGuid();

  const array = new Uint8Array(DEFAULT_ENTRIES * ENTRY_SIZE);
  const adv = new DataView(array.buffer);
  const written: GptPartition[] = [];
  spec.partitions.forEach((p, i) => {
    if (p.firstLba < firstUsableLba || p.lastLba > lastUsableLba || p.firstLba > p.lastLba) {
      throw new PartitionError(`GPT: partition ${i + 1} (LBA ${p.firstLba}..${p.lastLba}) is outside the usable range ${firstUsableLba}..${lastUsableLba}`, NTSTATUS.STATUS_INVALID_PARAMETER);
    }
    const name = p.name ?? '';
    if (name.length > 36) throw new PartitionError(`GPT: partition name "${name}" is longer than 36 UTF-16 units`, NTSTATUS.STATUS_INVALID_PARAMETER);
    const o = i * ENTRY_SIZE;
    const uniqueGuid = p.uniqueGuid ?? randomGuid();
    array.set(guidToBytes(p.typeGuid), o);
    array.set(guidToBytes(uniqueGuid), o + 16);
    adv.setBigUint64(o + 32, BigInt(p.firstLba), true);
    adv.setBigUint64(o + 40, BigInt(p.lastLba), true);
    adv.setBigUint64(o + 48, p.attributes ?? 0n, true);
    for (let k = 0; k < name.length; k++) adv.setUint16(o + 56 + k * 2, name.charCodeAt(k), true);
    written.push({ index: i, typeGuid: p.typeGuid.toUpperCase(), uniqueGuid, firstLba: p.firstLba, lastLba: p.lastLba, attributes: p.attributes ?? 0n, name });
  });
  const arrayCrc = crc32(array);

  const header = (myLba: number, alternateLba: number, entriesLba: number) => {
    const s = new Uint8Array(512);
    const dv = new DataView(s.buffer);
    s.set(new TextEncoder().encode(SIGNATURE), 0);
    dv.setUint32(8, REVISION, true);
    dv.setUint32(12, HEADER_SIZE, true);
    dv.setBigUint64(24, BigInt(myLba), true);
    dv.setBigUint64(32, BigInt(alternateLba), true);
    dv.setBigUint64(40, BigInt(firstUsableLba), true);
    dv.setBigUint64(48, BigInt(lastUsableLba), true);
    s.set(guidToBytes(diskGuid), 56);
    dv.setBigUint64(72, BigInt(entriesLba), true);
    dv.setUint32(80, DEFAULT_ENTRIES, true);
    dv.setUint32(84, ENTRY_SIZE, true);
    dv.setUint32(88, arrayCrc, true);
    dv.setUint32(16, crc32(s.subarray(0, HEADER_SIZE)), true);
    return s;
  };

  // Arrays before headers, backup before primary: a reader never sees a header whose array is not yet there.
  const protective = buildMbr({ partitions: [{ type: MBR_TYPE.GPT_PROTECTIVE, startLba: 1, sectorCount: Math.min(n - 1, 0xffffffff) }] });
  await dev.write(n - 1 - ARRAY_SECTORS, ARRAY_SECTORS, array);
  await dev.write(2, ARRAY_SECTORS, array);
  await dev.write(n - 1, 1, header(n - 1, 1, n - 1 - ARRAY_SECTORS));
  await dev.write(1, 1, header(1, n - 1, 2));
  await dev.write(0, 1, protective);
  return { diskGuid, firstUsableLba, lastUsableLba, partitions: written, usedBackup: false };
}

function hex8(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
