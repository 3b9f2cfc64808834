/**
 * An open file. Handles on the same file share one FileNode (its directory
 * slot and cached cluster list); the directory entry itself is read back
 * from the directory each time, so it is never stale.
 *
 * Write order (the rule that keeps an interrupted write from corrupting
 * anything): new clusters are allocated as a chain of their own and
 * committed to every FAT copy, then linked to the file's tail and committed,
 * then the data is written, and only then the directory entry (size, first
 * cluster, times). Shrinking goes the other way: the entry first, then the
 * new end-of-chain mark, then the freed clusters.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { VolumeContext } from './context.js';
import { ATTR, DIRENT_SIZE, decodeShortEntry, encodeShortEntry, type ShortEntry } from './dirent.js';
import type { Directory } from './directory.js';
import { toDosTimestamp } from './dostime.js';
import { FatError, corruptFile } from './error.js';
import { transferClusters } from './io.js';

export const MAX_FILE_SIZE = 0xffffffff;
const ZERO_CHUNK = 1 << 20;

export interface FileNode {
  dirKey: number;
  slot: number;
  clusters: number[] | null;
  refs: number;
}

/** What a file needs from its volume (implemented by FatVolume). */
export interface FileHost {
  readonly ctx: VolumeContext;
  serial<T>(fn: () => Promise<T>): Promise<T>;
  directoryByKey(key: number): Promise<Directory>;
  releaseNode(node: FileNode): void;
}

export class FatFile {
  private closed = false;

  constructor(private readonly host: FileHost, private readonly node: FileNode, readonly path: string) {}

  /** Current size in bytes. */
  size(): Promise<number> {
    return this.op(async () => (await this.entry()).e.size);
  }

  /** Reads up to `length` bytes at `position` (fewer at end of file). */
  read(position: number, length: number): Promise<Uint8Array> {
    return this.op(async () => {
      checkOffset(position, length);
      const { e } = await this.entry();
      const n = Math.max(0, Math.min(length, e.size - position));
      const out = new Uint8Array(n);
      if (n > 0) await transferClusters(this.host.ctx, this.clustersOf(e), position, out, false);
      return out;
    });
  }

  /** Reads the whole file. */
  readAll(): Promise<Uint8Array> {
    return this.op(() => this.readAllLocked());
  }

  /** Writes `data` at `position`, extending the file (a gap past the end reads as zeros). */
  write(position: number, data: Uint8Array): Promise<void> {
    return this.op(() => this.writeLocked(position, data));
  }

  /** Sets the size; growing fills with zeros. */
  truncate(size: number): Promise<void> {
    return this.op(() => this.truncateLocked(size));
  }

  close(): Promise<void> {
    return this.host.serial(async () => this.releaseLocked());
  }

  // The *Locked forms are for the volume, which already holds the queue.

  releaseLocked(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.releaseNode(this.node);
  }

  async readAllLocked(): Promise<Uint8Array> {
    const { e } = await this.entry();
    const out = new Uint8Array(e.size);
    if (e.size > 0) await transferClusters(this.host.ctx, this.clustersOf(e), 0, out, false);
    return out;
  }

  async writeLocked(position: number, data: Uint8Array): Promise<void> {
    checkOffset(position, data.length);
    const { dir, e } = await this.entry();
    const end = position + data.length;
    if (end > MAX_FILE_SIZE) throw new FatError(NTSTATUS.STATUS_DISK_FULL, `${this.path}: FAT files are limited to ${MAX_FILE_SIZE} bytes`);
    const newSize = Math.max(e.size, end);
    const clusters = await this.grow(e, newSize);
    if (position > e.size) await this.zeroFill(clusters, e.size, position - e.size);
    if (data.length > 0) await transferClusters(this.host.ctx, clusters, position, data, true);
    e.size = newSize;
    e.firstCluster = clusters[0] ?? 0;
    this.touch(e, true);
    await this.writeEntry(dir, e);
  }

  async truncateLocked(size: number): Promise<void> {
    checkOffset(size, 0);
    if (size > MAX_FILE_SIZE) throw new FatError(NTSTATUS.STATUS_DISK_FULL, `${this.path}: FAT files are limited to ${MAX_FILE_SIZE} bytes`);
    const { dir, e } = await this.entry();
    if (size >= e.size) {
      if (size > e.size) await this.writeLocked(size, new Uint8Array(0));
      return;
    }
    const { fat, layout } = this.host.ctx;
    const clusters = this.clustersOf(e);
    const keep = Math.ceil(size / layout.bytesPerCluster);
    e.size = size;
    if (keep === 0) e.firstCluster = 0;
    this.touch(e, true);
    await this.writeEntry(dir, e);
    if (keep < clusters.length) {
      if (keep > 0) {
        fat.set(clusters[keep - 1]!, fat.eoc);
        await fat.commit();
      }
      fat.free(clusters.slice(keep));
      await fat.commit();
      this.node.clusters = clusters.slice(0, keep);
    }
  }

  private op<T>(fn: () => Promise<T>): Promise<T> {
    return this.host.serial(async () => {
      if (this.closed) throw new FatError(NTSTATUS.STATUS_INVALID_HANDLE, `${this.path}: file is closed`);
      return fn();
    });
  }

  private async entry(): Promise<{ dir: Directory; e: ShortEntry }> {
    const dir = await this.host.directoryByKey(this.node.dirKey);
    return { dir, e: decodeShortEntry(dir.slotBytes(this.node.slot), 0) };
  }

  private clustersOf(e: ShortEntry): number[] {
    const { fat, layout } = this.host.ctx;
    if (!this.node.clusters) {
      this.node.clusters = e.firstCluster === 0 ? [] : fat.chain(e.firstCluster, this.path);
    }
    const cap = this.node.clusters.length * layout.bytesPerCluster;
    if (e.size > cap) throw corruptFile(`${this.path}: size ${e.size} is larger than its ${this.node.clusters.length} clusters (${cap} bytes)`);
    return this.node.clusters;
  }

  /** Makes the chain long enough for `size` bytes (committed to the FATs before returning). */
  private async grow(e: ShortEntry, size: number): Promise<number[]> {
    const { fat, layout } = this.host.ctx;
    const clusters = this.clustersOf(e);
    const need = Math.ceil(size / layout.bytesPerCluster) - clusters.length;
    if (need <= 0) return clusters;
    const fresh = fat.allocate(need);
    await fat.commit();
    if (clusters.length > 0) {
      fat.set(clusters[clusters.length - 1]!, fresh[0]!);
      await fat.commit();
    }
    clusters.push(...fresh);
    return clusters;
  }

  private async zeroFill(clusters: number[], from: number, length: number): Promise<void> {
    const zeros = new Uint8Array(Math.min(length, ZERO_CHUNK));
    for (let done = 0; done < length;) {
      const n = Math.min(zeros.length, length - done);
      await transferClusters(this.host.ctx, clusters, from + done, zeros.subarray(0, n), true);
      done += n;
    }
  }

  private touch(e: ShortEntry, written: boolean): void {
    const t = toDosTimestamp(this.host.ctx.now());
    e.accessDate = t.date;
    if (written) {
      e.writeDate = t.date;
      e.writeTime = t.time;
      e.attr |= ATTR.ARCHIVE;
    }
  }

  private async writeEntry(dir: Directory, e: ShortEntry): Promise<void> {
    const buf = new Uint8Array(DIRENT_SIZE);
    encodeShortEntry(e, buf, 0);
    await dir.writeSlots(this.node.slot, buf);
  }
}

function checkOffset(position: number, length: number): void {
  if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `bad file offset ${position} / length ${length}`);
  }
}
