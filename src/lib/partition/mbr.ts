/**
 * The master boot record: four 16-byte partition entries at offset 446 and
 * the 0x55AA signature at 510. CHS fields are written for old tools (with the
 * usual 255 heads × 63 sectors geometry, saturating past cylinder 1023) and
 * ignored on read: LBA fields are the truth.
 */
import type { BlockDevice } from '../blockdev.js';
import { PartitionError } from './error.js';
import { NTSTATUS } from '../../abi/ntstatus.js';

export const MBR_TYPE = {
  EMPTY: 0x00,
  FAT12: 0x01,
  /** FAT16 under 32 MiB (fewer than 65536 sectors). */
  FAT16_SMALL: 0x04,
  FAT16: 0x06,
  FAT32_CHS: 0x0b,
  FAT32_LBA: 0x0c,
  FAT16_LBA: 0x0e,
  GPT_PROTECTIVE: 0xee,
} as const;

const TYPE_NAMES: Record<number, string> = {
  0x01: 'FAT12', 0x04: 'FAT16 (<32M)', 0x05: 'extended', 0x06: 'FAT16', 0x07: 'NTFS/exFAT',
  0x0b: 'FAT32 (CHS)', 0x0c: 'FAT32 (LBA)', 0x0e: 'FAT16 (LBA)', 0x0f: 'extended (LBA)',
  0x83: 'Linux', 0xee: 'GPT protective', 0xef: 'EFI system',
};

export function mbrTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

export interface MbrPartition {
  /** Slot 0..3 in the table. */
  readonly index: number;
  readonly bootable: boolean;
  readonly type: number;
  readonly startLba: number;
  readonly sectorCount: number;
}

export interface MbrTable {
  readonly diskSignature: number;
  /** Used slots only, in slot order. */
  readonly partitions: MbrPartition[];
}

export interface MbrPartitionSpec {
  readonly type: number;
  readonly startLba: number;
  readonly sectorCount: number;
  readonly bootable?: boolean;
}

const ENTRIES = 446;
const SIG = 510;

export function hasBootSignature(sector: Uint8Array): boolean {
  return sector.length >= 512 && sector[SIG] === 0x55 && sector[SIG + 1] === 0xaa;
}

/**
 * Parses sector 0. `deviceSectors`, when given, also checks that every
 * partition lies on the device.
 */
export function parseMbr(sector: Uint8Array, deviceSectors?: number): MbrTable {
  if (sector.length < 512) throw new PartitionError(`MBR: need 512 bytes, got ${sector.length}`);
  if (!hasBootSignature(sector)) {
    throw new PartitionError(
      `MBR: no boot signature (bytes 510-511 are ${hex2(sector[SIG]!)} ${hex2(sector[SIG + 1]!)}, expected 55 AA)`,
      NTSTATUS.STATUS_UNRECOGNIZED_MEDIA,
    );
  }
  const dv = new DataView(sector.buffer, sector.byteOffset, 512);
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const o = ENTRIES + i * 16;
    const status = sector[o]!;
    const type = sector[o + 4]!;
    const startLba = dv.getUint32(o + 8, true);
    const sectorCount = dv.getUint32(o + 12, true);
    if (type === MBR_TYPE.EMPTY) continue;
    if (status !== 0x00 && status !== 0x80) {
      throw new PartitionError(`MBR: partition ${i + 1} has status byte ${hex2(status)} (only 00 and 80 are valid)`);
    }
    if (sectorCount === 0) throw new PartitionError(`MBR: partition ${i + 1} (${mbrTypeName(type)}) has zero length`);
    if (startLba === 0) throw new PartitionError(`MBR: partition ${i + 1} (${mbrTypeName(type)}) starts at LBA 0, over the MBR itself`);
    // A protective entry may legally claim more than the disk (0xFFFFFFFF), so it is not range-checked.
    if (deviceSectors !== undefined && type !== MBR_TYPE.GPT_PROTECTIVE && startLba + sectorCount > deviceSectors) {
      throw new PartitionError(
        `MBR: partition ${i + 1} (sectors ${startLba}..${startLba + sectorCount - 1}) runs past the end of the disk (${deviceSectors} sectors)`,
      );
    }
    partitions.push({ index: i, bootable: status === 0x80, type, startLba, sectorCount });
  }
  for (let a = 0; a < partitions.length; a++) {
    for (let b = a + 1; b < partitions.length; b++) {
      const p = partitions[a]!, q = partitions[b]!;
      if (p.startLba < q.startLba + q.sectorCount && q.startLba < p.startLba + p.sectorCount) {
        throw new PartitionError(`MBR: partitions ${p.index + 1} and ${q.index + 1} overlap`);
      }
    }
  }
  return { diskSignature: dv.getUint32(440, true), partitions };
}

export async function readMbr(dev: BlockDevice): Promise<MbrTable> {
  const sector = new Uint8Array(dev.sectorSize);
  await dev.read(0, 1, sector);
  return parseMbr(sector, dev.sectorCount);
}

/** CHS address of an LBA with 255 heads and 63 sectors per track, saturated to 1023/254/63. */
export function lbaToChs(lba: number): [number, number, number] {
  const HEADS = 255, SPT = 63;
  let c = Math.floor(lba / (HEADS * SPT));
  let h = Math.floor(lba / SPT) % HEADS;
  let s = (lba % SPT) + 1;
  if (c > 1023) { c = 1023; h = 254; s = 63; }
  return [h, ((c >> 2) & 0xc0) | s, c & 0xff];
}

/** Builds sector 0 with the given partitions (at most 4) and optional boot code (up to 440 bytes). */
export function buildMbr(spec: { diskSignature?: number; partitions: readonly MbrPartitionSpec[]; bootCode?: Uint8Array }): Uint8Array {
  if (spec.partitions.length > 4) throw new PartitionError(`MBR: at most 4 primary partitions, got ${spec.partitions.length}`, NTSTATUS.STATUS_INVALID_PARAMETER);
  const sector = new Uint8Array(512);
  const dv = new DataView(sector.buffer);
  if (spec.bootCode) {
    if (spec.bootCode.length > 440) throw new PartitionError('MBR: boot code longer than 440 bytes', NTSTATUS.STATUS_INVALID_PARAMETER);
    sector.set(spec.bootCode);
  }
  dv.setUint32(440, (spec.diskSignature ?? 0) >>> 0, true);
  spec.partitions.forEach((p, i) => {
    if (p.type < 1 || p.type > 0xff) throw new PartitionError(`MBR: partition ${i + 1}: bad type ${p.type}`, NTSTATUS.STATUS_INVALID_PARAMETER);
    if (p.startLba < 1 || p.sectorCount < 1 || p.startLba > 0xffffffff || p.sectorCount > 0xffffffff) {
      throw new PartitionError(`MBR: partition ${i + 1}: start ${p.startLba} / length ${p.sectorCount} do not fit a 32-bit LBA entry`, NTSTATUS.STATUS_INVALID_PARAMETER);
    }
    const o = ENTRIES + i * 16;
    sector[o] = p.bootable ? 0x80 : 0;
    sector.set(lbaToChs(p.startLba), o + 1);
    sector[o + 4] = p.type;
    sector.set(lbaToChs(Math.min(p.startLba + p.sectorCount - 1, 0xffffffff)), o + 5);
    dv.setUint32(o + 8, p.startLba, true);
    dv.setUint32(o + 12, p.sectorCount, true);
  });
  sector[SIG] = 0x55;
  sector[SIG + 1] = 0xaa;
  return sector;
}

export async function writeMbr(dev: BlockDevice, spec: Parameters<typeof buildMbr>[0]): Promise<void> {
  for (const p of spec.partitions) {
    if (p.type !== MBR_TYPE.GPT_PROTECTIVE && p.startLba + p.sectorCount > dev.sectorCount) {
      throw new PartitionError(`MBR: partition at ${p.startLba}+${p.sectorCount} does not fit a disk of ${dev.sectorCount} sectors`, NTSTATUS.STATUS_INVALID_PARAMETER);
    }
  }
  await dev.write(0, 1, buildMbr(spec));
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0').toUpperCase();
}
