/**
 * Finding the partitions of a disk, whichever table it has: a protective MBR
 * (type 0xEE) means GPT, any other valid MBR is read as is.
 */
import type { BlockDevice } from '../blockdev.js';
import { MBR_TYPE, parseMbr } from './mbr.js';
import { readGpt } from './gpt.js';

export * from './mbr.js';
export * from './gpt.js';
export { PartitionError } from './error.js';

export interface DiskPartition {
  readonly scheme: 'mbr' | 'gpt';
  /** 1-based, as tools number them. */
  readonly number: number;
  readonly startLba: number;
  readonly sectorCount: number;
  /** MBR type byte as hex ("0c") or the GPT type GUID. */
  readonly type: string;
  readonly name: string;
}

export async function readPartitions(dev: BlockDevice): Promise<{ scheme: 'mbr' | 'gpt'; partitions: DiskPartition[] }> {
  const sector = new Uint8Array(dev.sectorSize);
  await dev.read(0, 1, sector);
  const mbr = parseMbr(sector, dev.sectorCount);
  if (mbr.partitions.some((p) => p.type === MBR_TYPE.GPT_PROTECTIVE)) {
    const gpt = await readGpt(dev);
    return {
      scheme: 'gpt',
      partitions: gpt.partitions.map((p) => ({
        scheme: 'gpt', number: p.index + 1, startLba: p.firstLba, sectorCount: p.lastLba - p.firstLba + 1, type: p.typeGuid, name: p.name,
      })),
    };
  }
  return {
    scheme: 'mbr',
    partitions: mbr.partitions.map((p) => ({
      scheme: 'mbr', number: p.index + 1, startLba: p.startLba, sectorCount: p.sectorCount, type: p.type.toString(16).padStart(2, '0'), name: '',
    })),
  };
}
