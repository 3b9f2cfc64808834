/**
 * The boot sector's BIOS parameter block (fatgen103, section 3) and the
 * volume layout computed from it. The FAT type comes from the count of data
 * clusters and nothing else, exactly as the specification prescribes:
 * fewer than 4085 is FAT12, fewer than 65525 is FAT16, otherwise FAT32.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { FatError, corruptVolume } from './error.js';

export type FatType = 12 | 16 | 32;

export const FAT12_MAX_CLUSTERS = 4084;
export const FAT16_MAX_CLUSTERS = 65524;
/** 28-bit FAT32 entries minus the reserved top values. */
export const FAT32_MAX_CLUSTERS = 0x0ffffff5;

export function fatTypeForClusterCount(count: number): FatType {
  if (count < 4085) return 12;
  if (count < 65525) return 16;
  return 32;
}

export interface FatLayout {
  readonly fatType: FatType;
  readonly bytesPerSector: number;
  readonly sectorsPerCluster: number;
  readonly bytesPerCluster: number;
  readonly reservedSectors: number;
  readonly fatCount: number;
  /** Sectors in one FAT copy. */
  readonly fatSectors: number;
  /** FAT12/16 root directory entries (0 on FAT32). */
  readonly rootEntryCount: number;
  readonly rootDirSectors: number;
  /** First sector of the fixed root directory (FAT12/16). */
  readonly rootDirStart: number;
  readonly firstDataSector: number;
  readonly totalSectors: number;
  readonly clusterCount: number;
  /** Highest valid cluster number: clusterCount + 1. */
  readonly maxCluster: number;
  readonly media: number;
  readonly hiddenSectors: number;
  /** FAT32: first cluster of the root directory. */
  readonly rootCluster: number;
  /** FAT32: FSInfo sector number (0 when absent). */
  readonly fsInfoSector: number;
  /** FAT32: backup boot sector (0 when absent). */
  readonly backupBootSector: number;
  /** FAT32 ExtFlags bit 7: only one FAT is active; otherwise all copies mirror. */
  readonly mirroringDisabled: boolean;
  readonly activeFat: number;
  readonly volumeId: number;
  /** Label from the extended BPB, trailing spaces removed ("" for "NO NAME"). */
  readonly bpbLabel: string;
  readonly oemName: string;
}

const latin1 = new TextDecoder('latin1');

function bad(reason: string): FatError {
  return corruptVolume(`bad boot sector: ${reason}`);
}

/**
 * Validates a boot sector and computes the layout. `deviceSectors` is the
 * size of what holds the volume: a volume larger than that is a truncated image.
 */
export function parseBootSector(sector: Uint8Array, deviceSectors: number, deviceSectorSize = 512): FatLayout {
  if (sector.length < 512) throw bad(`need 512 bytes, got ${sector.length}`);
  const dv = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    throw new FatError(NTSTATUS.STATUS_UNRECOGNIZED_MEDIA, 'not a FAT volume: no 55 AA signature at the end of the boot sector');
  }
  if (sector[0] !== 0xeb && sector[0] !== 0xe9) {
    throw new FatError(NTSTATUS.STATUS_UNRECOGNIZED_MEDIA, `not a FAT volume: boot sector starts with ${sector[0]!.toString(16)}, not a jump (EB/E9)`);
  }
  const bytesPerSector = dv.getUint16(11, true);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) throw bad(`bytes per sector is ${bytesPerSector}`);
  if (bytesPerSector !== deviceSectorSize) {
    throw new FatError(NTSTATUS.STATUS_NOT_SUPPORTED, `volume has ${bytesPerSector}-byte sectors but the device has ${deviceSectorSize}-byte sectors`);
  }
  const sectorsPerCluster = sector[13]!;
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) throw bad(`sectors per cluster is ${sectorsPerCluster}, not a power of two`);
  const bytesPerCluster = sectorsPerCluster * bytesPerSector;
  if (bytesPerCluster > 65536) throw bad(`cluster size ${bytesPerCluster} is over 64 KiB`);
  const reservedSectors = dv.getUint16(14, true);
  if (reservedSectors === 0) throw bad('reserved sector count is 0');
  const fatCount = sector[16]!;
  if (fatCount === 0 || fatCount > 16) throw bad(`number of FATs is ${fatCount}`);
  const rootEntryCount = dv.getUint16(17, true);
  const totSec16 = dv.getUint16(19, true);
  const media = sector[21]!;
  if (media !== 0xf0 && media < 0xf8) throw bad(`media byte ${media.toString(16)} is not F0 or F8..FF`);
  const fatSz16 = dv.getUint16(22, true);
  const hiddenSectors = dv.getUint32(28, true);
  const totSec32 = dv.getUint32(32, true);
  const fatSz32 = dv.getUint32(36, true);
  const totalSectors = totSec16 !== 0 ? totSec16 : totSec32;
  const fatSectors = fatSz16 !== 0 ? fatSz16 : fatSz32;
  if (totalSectors === 0) throw bad('total sector count is 0');
  if (fatSectors === 0) throw bad('FAT size is 0');
  const rootDirSectors = Math.ceil((rootEntryCount * 32) / bytesPerSector);
  const firstDataSector = reservedSectors + fatCount * fatSectors + rootDirSectors;
  if (firstDataSector >= totalSectors) throw bad(`metadata (${firstDataSector} sectors) fills the whole volume (${totalSectors} sectors)`);
  const clusterCount = Math.floor((totalSectors - firstDataSector) / sectorsPerCluster);
  if (clusterCount === 0) throw bad('the volume has no data clusters');
  const fatType = fatTypeForClusterCount(clusterCount);

  let rootCluster = 0, fsInfoSector = 0, backupBootSector = 0, mirroringDisabled = false, activeFat = 0;
  let extOffset = 36;
  if (fatType === 32) {
    if (rootEntryCount !== 0) throw bad(`FAT32 volume (by cluster count ${clusterCount}) has ${rootEntryCount} fixed root entries`);
    if (fatSz16 !== 0) throw bad('FAT32 volume has a 16-bit FAT size');
    if (clusterCount > FAT32_MAX_CLUSTERS) throw bad(`${clusterCount} clusters is more than FAT32 can address`);
    const extFlags = dv.getUint16(40, true);
    mirroringDisabled = (extFlags & 0x80) !== 0;
    activeFat = extFlags & 0x0f;
    if (activeFat >= fatCount) throw bad(`active FAT ${activeFat} does not exist`);
    const fsVer = dv.getUint16(42, true);
    if (fsVer !== 0) throw new FatError(NTSTATUS.STATUS_NOT_SUPPORTED, `FAT32 version ${fsVer >> 8}.${fsVer & 0xff} is newer than 0.0`);
    rootCluster = dv.getUint32(44, true);
    if (rootCluster < 2 || rootCluster > clusterCount + 1) throw bad(`root cluster ${rootCluster} is outside 2..${clusterCount + 1}`);
    fsInfoSector = dv.getUint16(48, true);
    if (fsInfoSector === 0xffff || fsInfoSector >= reservedSectors) fsInfoSector = 0;
    backupBootSector = dv.getUint16(50, true);
    if (backupBootSector === 0xffff || backupBootSector >= reservedSectors) backupBootSector = 0;
    extOffset = 64;
  } else {
    if (rootEntryCount === 0) throw bad(`FAT${fatType} volume (by cluster count ${clusterCount}) has no root directory entries`);
    if (fatSz16 === 0) throw bad(`FAT${fatType} volume has no 16-bit FAT size`);
  }
  const bitsNeeded = (clusterCount + 2) * fatType;
  if (fatSectors * bytesPerSector * 8 < bitsNeeded) {
    throw bad(`FAT of ${fatSectors} sectors is too small for ${clusterCount} clusters`);
  }
  if (totalSectors > deviceSectors) {
    throw corruptVolume(`image is truncated: the boot sector describes ${totalSectors} sectors but only ${deviceSectors} are present`);
  }

  let volumeId = 0, bpbLabel = '';
  if (sector[extOffset + 2] === 0x29) {
    volumeId = dv.getUint32(extOffset + 3, true);
    bpbLabel = latin1.decode(sector.subarray(extOffset + 7, extOffset + 18)).replace(/ +$/, '');
    if (bpbLabel === 'NO NAME') bpbLabel = '';
  }
  return {
    fatType, bytesPerSector, sectorsPerCluster, bytesPerCluster, reservedSectors, fatCount, fatSectors,
    rootEntryCount, rootDirSectors, rootDirStart: reservedSectors + fatCount * fatSectors, firstDataSector,
    totalSectors, clusterCount, maxCluster: clusterCount + 1, media, hiddenSectors, rootCluster, fsInfoSector,
    backupBootSector, mirroringDisabled, activeFat, volumeId, bpbLabel,
    oemName: latin1.decode(sector.subarray(3, 11)),
  };
}

/** First sector (volume-relative) of a data cluster. */
export function clusterToSector(layout: FatLayout, cluster: number): number {
  return layout.firstDataSector + (cluster - 2) * layout.sectorsPerCluster;
}
