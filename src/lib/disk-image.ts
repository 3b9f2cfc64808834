/**
 * Building a whole disk image from a host directory: a partition table (MBR
 * or GPT) with one FAT partition starting at 1 MiB, formatted and filled.
 * This is the engine of `neptune mkimage`; it lives here so that tests and
 * other host tools can call it directly.
 *
 * Reproducible when asked: with `epoch` set (mkimage takes it from
 * SOURCE_DATE_EPOCH), every timestamp, serial number and GUID is derived
 * from it, so the same tree gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { readdir, stat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import { FileBlockDevice, SliceBlockDevice } from './blockdev.js';
import { guidFromBytes } from './guid.js';
import { writeGpt, GPT_TYPE } from './partition/gpt.js';
import { writeMbr, MBR_TYPE } from './partition/mbr.js';
import type { FatType } from './fat/bpb.js';
import { FatError } from './fat/error.js';
import { formatVolume, planFormat, type FormatPlan } from './fat/format.js';
import { validateLongName } from './fat/names.js';
import { FatVolume } from './fat/volume.js';

const MIB = 1048576;
const SECTOR = 512;
/** Partitions start at 1 MiB, as every modern partitioner aligns them. */
export const PARTITION_START_LBA = 2048;
/** Reads larger than this go through a handle in pieces instead of one buffer. */
const STREAM_THRESHOLD = 16 * MIB;

export interface DiskImageOptions {
  readonly fromDir: string;
  readonly outPath: string;
  readonly fatType?: FatType;
  /** Whole-disk size in bytes; by default the tree plus headroom. */
  readonly sizeBytes?: number;
  readonly gpt?: boolean;
  readonly label?: string;
  /** Seconds since 1970: fixes timestamps, serial numbers and GUIDs. */
  readonly epoch?: number;
}

export interface DiskImageResult {
  readonly sizeBytes: number;
  readonly scheme: 'mbr' | 'gpt';
  readonly fatType: FatType;
  readonly clusterSize: number;
  readonly partitionStartLba: number;
  readonly partitionSectors: number;
  readonly files: number;
  readonly directories: number;
  readonly dataBytes: number;
}

/** A failure the user can act on (bad input, too small a size). */
export class DiskImageError extends NtStatusError {
  constructor(status: number, reason: string) {
    super(status, reason);
    this.name = 'DiskImageError';
  }
}

interface HostNode {
  readonly name: string;
  readonly hostPath: string;
  readonly mtime: Date;
  readonly size: number;
  /** undefined for a file. */
  readonly children?: HostNode[];
}

/** Reads the host tree, sorted by name so that images are reproducible. */
async function scanTree(dir: string, depth = 0): Promise<HostNode[]> {
  if (depth > 64) throw new DiskImageError(NTSTATUS.STATUS_NAME_TOO_LONG, `${dir}: directory tree deeper than 64 levels (a symlink loop?)`);
  const names = (await readdir(dir)).sort();
  const out: HostNode[] = [];
  for (const name of names) {
    const hostPath = join(dir, name);
    try {
      validateLongName(name);
    } catch (e) {
      throw new DiskImageError(NTSTATUS.STATUS_OBJECT_NAME_INVALID, `${hostPath}: name cannot be stored on FAT (${(e as Error).message})`);
    }
    const st = await stat(hostPath);
    if (st.isDirectory()) out.push({ name, hostPath, mtime: st.mtime, size: 0, children: await scanTree(hostPath, depth + 1) });
    else if (st.isFile()) {
      if (st.size > 0xffffffff) throw new DiskImageError(NTSTATUS.STATUS_FILE_SYSTEM_LIMITATION, `${hostPath}: ${st.size} bytes is over the FAT limit of 4 GiB - 1`);
      out.push({ name, hostPath, mtime: st.mtime, size: st.size });
    }
    // Sockets, devices and FIFOs have no FAT equivalent and are left out.
  }
  return out;
}

/** Bytes of data area the tree takes with clusters of `clusterSize`, and whether the root fits a fixed root of `rootEntries`. */
function spaceNeeded(tree: HostNode[], clusterSize: number, rootEntries: number): { bytes: number; rootFits: boolean } {
  const slotsOf = (nodes: HostNode[]) => nodes.reduce((n, c) => n + 1 + Math.ceil(c.name.length / 13), 0);
  const clustersFor = (bytes: number) => Math.ceil(bytes / clusterSize);
  let clusters = 0;
  const walk = (nodes: HostNode[]) => {
    for (const n of nodes) {
      if (n.children) {
        clusters += Math.max(1, clustersFor((slotsOf(n.children) + 2) * 32));
        walk(n.children);
      } else {
        clusters += clustersFor(n.size);
      }
    }
  };
  walk(tree);
  const rootSlots = slotsOf(tree) + 1; // + the label
  let rootFits = true;
  if (rootEntries === 0) clusters += Math.max(1, clustersFor(rootSlots * 32));
  else rootFits = rootSlots <= rootEntries;
  return { bytes: clusters * clusterSize, rootFits };
}

function countTree(tree: HostNode[]): { files: number; directories: number; dataBytes: number } {
  let files = 0, directories = 0, dataBytes = 0;
  const walk = (nodes: HostNode[]) => {
    for (const n of nodes) {
      if (n.children) { directories++; walk(n.children); } else { files++; dataBytes += n.size; }
    }
  };
  walk(tree);
  return { files, directories, dataBytes };
}

/** Sectors of the FAT partition on a disk of `diskSectors`. */
function partitionSectors(diskSectors: number, gpt: boolean): number {
  if (!gpt) return diskSectors - PARTITION_START_LBA;
  // The backup GPT takes the last 33 sectors; end the partition on a 1 MiB boundary before it.
  const end = Math.floor((diskSectors - 33) / 2048) * 2048;
  return end - PARTITION_START_LBA;
}

interface Fit { plan: FormatPlan; freeAfter: number; needed: number; rootFits: boolean }

function tryFit(tree: HostNode[], diskBytes: number, opts: DiskImageOptions): Fit | FatError {
  const sectors = partitionSectors(Math.floor(diskBytes / SECTOR), opts.gpt ?? false);
  if (sectors < 64) return new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, 'no room for a partition after the 1 MiB alignment gap');
  let plan: FormatPlan;
  try {
    plan = planFormat(sectors, { fatType: opts.fatType });
  } catch (e) {
    if (e instanceof FatError) return e;
    throw e;
  }
  const cs = plan.sectorsPerCluster * SECTOR;
  const { bytes, rootFits } = spaceNeeded(tree, cs, plan.rootEntryCount);
  // The FAT32 root's first cluster is allocated at format time.
  const usable = (plan.clusterCount - (plan.fatType === 32 ? 1 : 0)) * cs;
  return { plan, freeAfter: usable - bytes, needed: bytes, rootFits };
}

/** A size as --size would take it: "35M", or "300K" below a MiB. */
function fmtMiB(bytes: number): string {
  return bytes >= MIB || bytes === 0 ? `${Math.ceil(bytes / MIB)}M` : `${Math.ceil(bytes / 1024)}K`;
}

/** Picks the disk size: the given one (checked), or the smallest whole MiB with room for the tree plus headroom. */
function chooseSize(tree: HostNode[], opts: DiskImageOptions): { sizeBytes: number; fit: Fit } {
  const headroom = (needed: number) => Math.max(MIB, Math.ceil(needed / 4));
  if (opts.sizeBytes !== undefined) {
    const sizeBytes = Math.ceil(opts.sizeBytes / SECTOR) * SECTOR;
    const fit = tryFit(tree, sizeBytes, opts);
    if (fit instanceof FatError) {
      const minimum = chooseSize(tree, { ...opts, sizeBytes: undefined }).sizeBytes;
      throw new DiskImageError(NTSTATUS.STATUS_INVALID_PARAMETER, `size ${fmtMiB(sizeBytes)} does not work: ${fit.message.replace(/ \[STATUS_\w+\]$/, '')}; try --size ${fmtMiB(minimum)} or leave --size out`);
    }
    if (fit.freeAfter < 0 || !fit.rootFits) {
      const minimum = chooseSize(tree, { ...opts, sizeBytes: undefined }).sizeBytes;
      const why = !fit.rootFits ? `the root directory holds at most ${fit.plan.rootEntryCount} entries on FAT${fit.plan.fatType}` : `the tree needs ${fmtMiB(fit.needed)} of clusters`;
      throw new DiskImageError(NTSTATUS.STATUS_DISK_FULL, `size ${fmtMiB(sizeBytes)} is too small: ${why}; try --size ${fmtMiB(minimum)} or leave --size out`);
    }
    return { sizeBytes, fit };
  }
  // Start from the tree's raw size and grow by an eighth each time until it fits.
  const { dataBytes } = countTree(tree);
  const extra = opts.gpt ? 2 * MIB : MIB;
  let mib = Math.max(opts.fatType === 32 ? 33 + extra / MIB : 2 + extra / MIB, Math.ceil((dataBytes * 1.1) / MIB) + extra / MIB);
  for (let tries = 0; tries < 400; tries++) {
    const fit = tryFit(tree, mib * MIB, opts);
    if (!(fit instanceof FatError) && fit.rootFits && fit.freeAfter >= headroom(fit.needed)) return { sizeBytes: mib * MIB, fit };
    mib = Math.max(mib + 1, Math.ceil(mib * 1.125));
  }
  throw new DiskImageError(NTSTATUS.STATUS_DISK_FULL, `no image size up to ${mib} MiB can hold the tree${opts.fatType ? ` as FAT${opts.fatType}` : ''}`);
}

/** Deterministic bytes from the epoch and a purpose, or random ones. */
function idBytes(epoch: number | undefined, purpose: string): Uint8Array {
  const seed = epoch === undefined ? `${Date.now()}-${Math.random()}` : String(epoch);
  return new Uint8Array(createHash('sha256').update(`${seed}/${purpose}`).digest()).subarray(0, 16);
}

function guidFrom(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[7] = (b[7]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return guidFromBytes(b);
}

export async function buildDiskImage(opts: DiskImageOptions): Promise<DiskImageResult> {
  const rootStat = await stat(opts.fromDir).catch(() => null);
  if (!rootStat) throw new DiskImageError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `${opts.fromDir}: no such directory`);
  if (!rootStat.isDirectory()) throw new DiskImageError(NTSTATUS.STATUS_NOT_A_DIRECTORY, `${opts.fromDir}: not a directory`);
  const tree = await scanTree(opts.fromDir);
  const { sizeBytes, fit } = chooseSize(tree, opts);
  const gpt = opts.gpt ?? false;
  const diskSectors = sizeBytes / SECTOR;
  const partSectors = partitionSectors(diskSectors, gpt);
  const fixedNow = opts.epoch === undefined ? undefined : new Date(opts.epoch * 1000);
  const now = () => fixedNow ?? new Date();

  const dev = await FileBlockDevice.create(opts.outPath, sizeBytes);
  try {
    if (gpt) {
      await writeGpt(dev, {
        diskGuid: guidFrom(idBytes(opts.epoch, 'disk')),
        partitions: [{
          typeGuid: GPT_TYPE.BASIC_DATA, uniqueGuid: guidFrom(idBytes(opts.epoch, 'partition')),
          firstLba: PARTITION_START_LBA, lastLba: PARTITION_START_LBA + partSectors - 1, name: 'Basic data partition',
        }],
      });
    } else {
      const t = fit.plan.fatType;
      const type = t === 12 ? MBR_TYPE.FAT12 : t === 16 ? (partSectors < 65536 ? MBR_TYPE.FAT16_SMALL : MBR_TYPE.FAT16_LBA) : MBR_TYPE.FAT32_LBA;
      const sig = new DataView(idBytes(opts.epoch, 'mbr').buffer).getUint32(0, true);
      await writeMbr(dev, { diskSignature: sig, partitions: [{ type, startLba: PARTITION_START_LBA, sectorCount: partSectors, bootable: true }] });
    }
    const part = new SliceBlockDevice(dev, PARTITION_START_LBA, partSectors);
    const volumeId = new DataView(idBytes(opts.epoch, 'volume').buffer).getUint32(0, true);
    const plan = await formatVolume(part, { fatType: fit.plan.fatType, label: opts.label, volumeId, hiddenSectors: PARTITION_START_LBA, now });
    const vol = await FatVolume.mount(part, { now });
    await copyTree(vol, tree, '');
    await vol.flush();
    return {
      sizeBytes, scheme: gpt ? 'gpt' : 'mbr', fatType: plan.fatType, clusterSize: plan.sectorsPerCluster * SECTOR,
      partitionStartLba: PARTITION_START_LBA, partitionSectors: partSectors, ...countTree(tree),
    };
  } finally {
    await dev.close();
  }
}

async function copyTree(vol: FatVolume, nodes: HostNode[], at: string): Promise<void> {
  for (const n of nodes) {
    const path = `${at}/${n.name}`;
    const times = { created: n.mtime, modified: n.mtime, accessed: n.mtime };
    if (n.children) {
      await vol.mkdir(path, { times });
      await copyTree(vol, n.children, path);
    } else if (n.size <= STREAM_THRESHOLD) {
      const fh = await open(n.hostPath, 'r');
      try {
        const data = new Uint8Array(n.size);
        let got = 0;
        while (got < n.size) {
          const { bytesRead } = await fh.read(data, got, n.size - got, got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        await vol.writeFile(path, data.subarray(0, got), times);
      } finally {
        await fh.close();
      }
    } else {
      const fh = await open(n.hostPath, 'r');
      const file = await vol.open(path, { create: true, exclusive: true });
      try {
        const buf = new Uint8Array(STREAM_THRESHOLD);
        for (let pos = 0; ;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          if (bytesRead === 0) break;
          await file.write(pos, buf.subarray(0, bytesRead));
          pos += bytesRead;
        }
      } finally {
        await file.close();
        await fh.close();
      }
      await vol.setTimes(path, times);
    }
  }
}
