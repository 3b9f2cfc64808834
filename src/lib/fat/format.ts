/**
 * Formatting a device as FAT12, FAT16 or FAT32 the way fatgen103 describes.
 *
 * Cluster size comes from the specification's tables (section 3.5) for FAT16
 * and FAT32; FAT12, which has no table there, takes the smallest cluster
 * that keeps the count under 4085. The FAT type the volume *is* follows from
 * its cluster count alone, so when a requested type and the table disagree
 * the cluster size is moved until the count lands in that type's range, or
 * the request is refused with the reason.
 */
import type { BlockDevice } from '../blockdev.js';
import { NTSTATUS } from '../../abi/ntstatus.js';
import { fatTypeForClusterCount, FAT32_MAX_CLUSTERS, type FatType } from './bpb.js';
import { ATTR, DIRENT_SIZE, encodeShortEntry } from './dirent.js';
import { toDosTimestamp } from './dostime.js';
import { FatError } from './error.js';
import { labelToName11 } from './names.js';

export interface FormatOptions {
  /** FAT type to make; by default chosen from the size (FAT12 up to 4 MiB, FAT16 under 512 MiB, FAT32 above). */
  readonly fatType?: FatType;
  /** Volume label, up to 11 characters. */
  readonly label?: string;
  /** Serial number; by default derived from the clock, as DOS does. */
  readonly volumeId?: number;
  /** LBA of the partition on its disk (the BPB's hidden sectors). */
  readonly hiddenSectors?: number;
  /** Force a cluster size (sectors per cluster, a power of two). */
  readonly sectorsPerCluster?: number;
  readonly now?: () => Date;
}

export interface FormatPlan {
  readonly fatType: FatType;
  readonly totalSectors: number;
  readonly sectorsPerCluster: number;
  readonly reservedSectors: number;
  readonly fatCount: number;
  readonly fatSectors: number;
  readonly rootEntryCount: number;
  readonly firstDataSector: number;
  readonly clusterCount: number;
}

const SECTOR = 512;
const FAT_COUNT = 2;
const MEDIA_FIXED = 0xf8;
/** The largest cluster the specification allows: 32 KiB. */
const MAX_SPC = 64;

// fatgen103 section 3.5: [volume size in sectors up to, sectors per cluster] (0 = not allowed).
const FAT16_TABLE: [number, number][] = [[8400, 0], [32680, 2], [262144, 4], [524288, 8], [1048576, 16], [2097152, 32], [4194304, 64], [Infinity, 0]];
const FAT32_TABLE: [number, number][] = [[66600, 0], [532480, 1], [16777216, 8], [33554432, 16], [67108864, 32], [Infinity, 64]];

function fromTable(table: [number, number][], sectors: number): number {
  return table.find(([limit]) => sectors <= limit)![1];
}

/** The FAT type a volume of this size gets when none is asked for. */
export function defaultFatType(totalSectors: number): FatType {
  if (totalSectors <= 8400) return 12;
  if (totalSectors < 1048576) return 16;
  return 32;
}

/** Lays out a volume of `totalSectors` with a given type and cluster size (the type may come out different). */
function layoutFor(type: FatType, totalSectors: number, spc: number): FormatPlan {
  const reservedSectors = type === 32 ? 32 : 1;
  const rootEntryCount = type === 32 ? 0 : totalSectors <= 2880 ? 224 : 512;
  const rootSectors = Math.ceil((rootEntryCount * DIRENT_SIZE) / SECTOR);
  // Grow the FAT until it covers every cluster left after it; converges because a bigger FAT leaves fewer clusters.
  let fatSectors = 1;
  let clusterCount = 0;
  for (let guard = 0; guard < 64; guard++) {
    const data = totalSectors - reservedSectors - FAT_COUNT * fatSectors - rootSectors;
    clusterCount = data > 0 ? Math.floor(data / spc) : 0;
    const need = Math.ceil(((clusterCount + 2) * type) / 8 / SECTOR);
    if (need <= fatSectors) break;
    fatSectors = need;
  }
  return {
    fatType: fatTypeForClusterCount(clusterCount), totalSectors, sectorsPerCluster: spc, reservedSectors,
    fatCount: FAT_COUNT, fatSectors, rootEntryCount, firstDataSector: reservedSectors + FAT_COUNT * fatSectors + rootSectors, clusterCount,
  };
}

/** Decides type, cluster size and layout, or explains why the size cannot hold the type. */
export function planFormat(totalSectors: number, opts: Pick<FormatOptions, 'fatType' | 'sectorsPerCluster'> = {}): FormatPlan {
  const mib = (totalSectors * SECTOR / 1048576).toFixed(1);
  if (!Number.isSafeInteger(totalSectors) || totalSectors < 64) {
    throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `a FAT volume needs at least 64 sectors, got ${totalSectors}`);
  }
  const type = opts.fatType ?? defaultFatType(totalSectors);
  if (opts.sectorsPerCluster !== undefined) {
    const spc = opts.sectorsPerCluster;
    if (spc < 1 || spc > 128 || (spc & (spc - 1)) !== 0) throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `sectors per cluster ${spc} is not a power of two up to 128`);
    const plan = layoutFor(type, totalSectors, spc);
    if (plan.fatType !== type) {
      throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `${plan.clusterCount} clusters of ${spc * SECTOR} bytes make FAT${plan.fatType}, not FAT${type}`);
    }
    return plan;
  }
  let spc: number;
  if (type === 16) spc = fromTable(FAT16_TABLE, totalSectors) || (totalSectors <= 8400 ? 1 : MAX_SPC);
  else if (type === 32) spc = fromTable(FAT32_TABLE, totalSectors) || 1;
  else spc = 1;
  spc = Math.min(spc, MAX_SPC);
  let plan = layoutFor(type, totalSectors, spc);
  // Too few clusters for the type: smaller clusters; too many: bigger ones.
  while (plan.fatType < type && spc > 1) plan = layoutFor(type, totalSectors, (spc >>= 1));
  while (plan.fatType > type && spc < MAX_SPC) plan = layoutFor(type, totalSectors, (spc <<= 1));
  if (plan.fatType < type) {
    const min = type === 16 ? '4085 clusters (about 2.1 MiB)' : '65525 clusters (about 33 MiB)';
    throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `${mib} MiB is too small for FAT${type}: it needs at least ${min}`);
  }
  if (plan.fatType > type) {
    const max = type === 12 ? 'about 127 MiB' : 'about 2 GiB';
    throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `${mib} MiB is too large for FAT${type} (at most ${max} with 32 KiB clusters)`);
  }
  if (plan.clusterCount > FAT32_MAX_CLUSTERS) throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `${mib} MiB is too large for FAT32`);
  return plan;
}

/** Writes an empty file system over the whole device. Returns the plan used. */
export async function formatVolume(dev: BlockDevice, opts: FormatOptions = {}): Promise<FormatPlan> {
  if (dev.sectorSize !== SECTOR) throw new FatError(NTSTATUS.STATUS_NOT_SUPPORTED, `only ${SECTOR}-byte sectors are supported`);
  const plan = planFormat(dev.sectorCount, opts);
  const now = (opts.now ?? (() => new Date()))();
  const stamp = toDosTimestamp(now);
  const volumeId = opts.volumeId ?? (((stamp.date << 16) | stamp.time) ^ (now.getTime() & 0xffff)) >>> 0;
  const label11 = opts.label ? labelToName11(opts.label) : 'NO NAME    ';
  const t = plan.fatType;

  // Everything before the data area starts as zeros (the FAT32 root cluster too).
  const rootCluster = 2;
  const metaEnd = plan.firstDataSector + (t === 32 ? plan.sectorsPerCluster : 0);
  const zeros = new Uint8Array(Math.min(metaEnd, 2048) * SECTOR);
  for (let s = 0; s < metaEnd; s += zeros.length / SECTOR) {
    await dev.write(s, Math.min(zeros.length / SECTOR, metaEnd - s), zeros);
  }

  // FAT[0] holds the media byte, FAT[1] end-of-chain; on FAT32 the root's cluster is a one-cluster chain.
  const fatStart = new Uint8Array(SECTOR);
  const fdv = new DataView(fatStart.buffer);
  if (t === 12) fatStart.set([MEDIA_FIXED, 0xff, 0xff]);
  else if (t === 16) { fdv.setUint16(0, 0xff00 | MEDIA_FIXED, true); fdv.setUint16(2, 0xffff, true); }
  else { fdv.setUint32(0, 0x0fffff00 | MEDIA_FIXED, true); fdv.setUint32(4, 0x0fffffff, true); fdv.setUint32(8, 0x0fffffff, true); }
  for (let i = 0; i < plan.fatCount; i++) await dev.write(plan.reservedSectors + i * plan.fatSectors, 1, fatStart);

  if (opts.label) {
    const root = new Uint8Array(SECTOR);
    encodeShortEntry({
      name11: label11, attr: ATTR.VOLUME_ID, ntCase: 0, createCentis: 0, createTime: 0, createDate: 0, accessDate: 0,
      firstCluster: 0, writeTime: stamp.time, writeDate: stamp.date, size: 0,
    }, root, 0);
    const rootSector = t === 32 ? plan.firstDataSector : plan.reservedSectors + plan.fatCount * plan.fatSectors;
    await dev.write(rootSector, 1, root);
  }

  const boot = bootSector(plan, { volumeId, label11, hiddenSectors: opts.hiddenSectors ?? 0, rootCluster });
  if (t === 32) {
    const info = new Uint8Array(SECTOR);
    const idv = new DataView(info.buffer);
    idv.setUint32(0, 0x41615252, true);
    idv.setUint32(484, 0x61417272, true);
    idv.setUint32(488, plan.clusterCount - 1, true);
    idv.setUint32(492, rootCluster + 1, true);
    idv.setUint32(508, 0xaa550000, true);
    await dev.write(1, 1, info);
    await dev.write(7, 1, info);
    await dev.write(6, 1, boot);
  }
  // Boot sector last: until it is there the device is not a half-made FAT volume.
  await dev.write(0, 1, boot);
  await dev.flush();
  return plan;
}

function bootSector(plan: FormatPlan, v: { volumeId: number; label11: string; hiddenSectors: number; rootCluster: number }): Uint8Array {
  const s = new Uint8Array(SECTOR);
  const dv = new DataView(s.buffer);
  const t = plan.fatType;
  const bootCodeAt = t === 32 ? 0x5a : 0x3e;
  s.set([0xeb, bootCodeAt - 2, 0x90], 0);
  s.set(ascii('MSWIN4.1'), 3);
  dv.setUint16(11, SECTOR, true);
  s[13] = plan.sectorsPerCluster;
  dv.setUint16(14, plan.reservedSectors, true);
  s[16] = plan.fatCount;
  dv.setUint16(17, plan.rootEntryCount, true);
  if (t !== 32 && plan.totalSectors < 0x10000) dv.setUint16(19, plan.totalSectors, true);
  else dv.setUint32(32, plan.totalSectors, true);
  s[21] = MEDIA_FIXED;
  if (t !== 32) dv.setUint16(22, plan.fatSectors, true);
  dv.setUint16(24, 63, true); // sectors per track and heads: the usual LBA-assist geometry
  dv.setUint16(26, 255, true);
  dv.setUint32(28, v.hiddenSectors, true);
  let ext = 36;
  if (t === 32) {
    dv.setUint32(36, plan.fatSectors, true);
    dv.setUint16(40, 0, true); // mirror to all FATs
    dv.setUint16(42, 0, true); // version 0.0
    dv.setUint32(44, v.rootCluster, true);
    dv.setUint16(48, 1, true); // FSInfo
    dv.setUint16(50, 6, true); // backup boot sector
    ext = 64;
  }
  s[ext] = 0x80; // drive number: first hard disk
  s[ext + 2] = 0x29; // extended boot signature: ID, label and type follow
  dv.setUint32(ext + 3, v.volumeId, true);
  s.set(ascii(v.label11), ext + 7);
  s.set(ascii(t === 12 ? 'FAT12   ' : t === 16 ? 'FAT16   ' : 'FAT32   '), ext + 18);
  // Not bootable: int 18h ("no boot device") and halt in a loop.
  s.set([0xcd, 0x18, 0xeb, 0xfe], bootCodeAt);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
