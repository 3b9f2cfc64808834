/**
 * One directory: its 32-byte slots held in memory, parsed into entries
 * (long name + short entry), and written back a sector at a time.
 *
 * The FAT12/16 root is a fixed region after the FATs; every other directory
 * (and the FAT32 root) is a cluster chain. Growing a chain directory is done
 * so that an interruption leaves at worst a lost cluster: the new cluster is
 * allocated on its own and zeroed before it is linked to the directory.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { clusterToSector } from './bpb.js';
import type { VolumeContext } from './context.js';
import { ATTR, DELETED, DIRENT_SIZE, decodeLongEntry, decodeShortEntry, type ShortEntry } from './dirent.js';
import { FatError, corruptFile } from './error.js';
import { zeroClusters } from './io.js';
import { lfnChecksum, nameKey, shortNameToDisplay, type ShortName11 } from './names.js';

/** fatgen103: a directory may not hold more than 65536 entries (2 MiB). */
const MAX_DIR_SLOTS = 65536;

export interface DirItem {
  /** The long name if a valid one precedes the entry, else the short name for display. */
  readonly name: string;
  readonly longName: string | null;
  /** First slot of the entry set (first long-name entry, or the short entry). */
  readonly firstSlot: number;
  /** Slot of the short entry. */
  readonly slot: number;
  readonly entry: ShortEntry;
}

export class Directory {
  private parsed: { items: DirItem[]; label: { slot: number; entry: ShortEntry } | null; endSlot: number } | null = null;

  private constructor(
    private readonly ctx: VolumeContext,
    /** 0 for the FAT12/16 fixed root, else the first cluster. */
    readonly key: number,
    /** null for the fixed root. */
    readonly clusters: number[] | null,
    private bytes: Uint8Array,
    readonly isRoot: boolean,
    /** The fixed root has RootEntCnt slots even if its last sector could hold more. */
    private readonly fixedSlots: number | null = null,
  ) {}

  static async loadRoot(ctx: VolumeContext): Promise<Directory> {
    const { layout } = ctx;
    if (layout.fatType !== 32) {
      const bytes = new Uint8Array(layout.rootDirSectors * layout.bytesPerSector);
      await ctx.dev.read(layout.rootDirStart, layout.rootDirSectors, bytes);
      return new Directory(ctx, 0, null, bytes, true, layout.rootEntryCount);
    }
    return Directory.loadChain(ctx, layout.rootCluster, true, 'root directory');
  }

  static async loadChain(ctx: VolumeContext, firstCluster: number, isRoot: boolean, what: string): Promise<Directory> {
    const clusters = ctx.fat.chain(firstCluster, what);
    const bpc = ctx.layout.bytesPerCluster;
    if (clusters.length * bpc > MAX_DIR_SLOTS * DIRENT_SIZE) throw corruptFile(`${what}: directory of ${clusters.length} clusters is over the 2 MiB limit`);
    const bytes = new Uint8Array(clusters.length * bpc);
    for (let i = 0; i < clusters.length; i++) {
      await ctx.dev.read(clusterToSector(ctx.layout, clusters[i]!), ctx.layout.sectorsPerCluster, bytes.subarray(i * bpc));
    }
    return new Directory(ctx, firstCluster, clusters, bytes, isRoot);
  }

  get slotCount(): number {
    return this.fixedSlots ?? this.bytes.length / DIRENT_SIZE;
  }

  private parse() {
    if (this.parsed) return this.parsed;
    const items: DirItem[] = [];
    let label: { slot: number; entry: ShortEntry } | null = null;
    let lfn: { checksum: number; next: number; units: number[][]; start: number } | null = null;
    let endSlot = this.slotCount;
    for (let i = 0; i < this.slotCount; i++) {
      const off = i * DIRENT_SIZE;
      const b0 = this.bytes[off]!;
      if (b0 === 0) { endSlot = i; break; }
      if (b0 === DELETED) { lfn = null; continue; }
      const attr = this.bytes[off + 11]!;
      if ((attr & 0x3f) === ATTR.LONG_NAME) {
        const le = decodeLongEntry(this.bytes, off);
        if (le.last) lfn = le.ordinal >= 1 && le.ordinal <= 20 ? { checksum: le.checksum, next: le.ordinal, units: [], start: i } : null;
        // A piece out of order or with another checksum orphans the whole set (Windows ignores such sets too).
        if (lfn && le.ordinal === lfn.next && le.checksum === lfn.checksum) {
          lfn.units[le.ordinal - 1] = le.units;
          lfn.next--;
        } else {
          lfn = null;
        }
        continue;
      }
      const entry = decodeShortEntry(this.bytes, off);
      if ((attr & (ATTR.VOLUME_ID | ATTR.DIRECTORY)) === ATTR.VOLUME_ID) {
        if (this.isRoot && !label) label = { slot: i, entry };
        lfn = null;
        continue;
      }
      let longName: string | null = null;
      if (lfn && lfn.next === 0 && lfnChecksum(this.bytes.subarray(off, off + 11)) === lfn.checksum) {
        const all = lfn.units.flat();
        const end = all.indexOf(0);
        longName = String.fromCharCode(...(end < 0 ? all : all.slice(0, end)));
        if (longName.length === 0) longName = null;
      }
      const firstSlot = longName !== null ? lfn!.start : i;
      items.push({ name: longName ?? shortNameToDisplay(entry.name11, entry.ntCase, this.ctx.codePage), longName, firstSlot, slot: i, entry });
      lfn = null;
    }
    this.parsed = { items, label, endSlot };
    return this.parsed;
  }

  /** Every entry, including "." and "..". */
  items(): readonly DirItem[] {
    return this.parse().items;
  }

  /** The volume-label entry (root only). */
  labelEntry(): { slot: number; entry: ShortEntry } | null {
    return this.parse().label;
  }

  /** Looks a name up case-insensitively, by long name or by short name. */
  find(name: string): DirItem | undefined {
    const key = nameKey(name);
    return this.items().find((it) => it.name !== '.' && it.name !== '..' && (nameKey(it.name) === key || nameKey(shortNameToDisplay(it.entry.name11, 0, this.ctx.codePage)) === key));
  }

  hasShortName(name11: ShortName11): boolean {
    if (this.labelEntry()?.entry.name11 === name11) return false;
    return this.items().some((it) => it.entry.name11 === name11);
  }

  /** True when only "." and ".." (or nothing) are left. */
  isEmpty(): boolean {
    return this.items().every((it) => it.entry.name11 === '.          ' || it.entry.name11 === '..         ');
  }

  /**
   * Finds `count` consecutive free slots, growing the directory if there are
   * none, and returns the first. Nothing is written to the slots themselves.
   */
  async reserve(count: number): Promise<number> {
    const { endSlot } = this.parse();
    let run = 0;
    for (let i = 0; i < this.slotCount; i++) {
      const b0 = this.bytes[i * DIRENT_SIZE]!;
      if (i >= endSlot || b0 === DELETED) {
        if (++run === count) return i - count + 1;
      } else {
        run = 0;
      }
    }
    if (!this.clusters) throw new FatError(NTSTATUS.STATUS_DISK_FULL, `the root directory is full (${this.slotCount} entries)`);
    const bpc = this.ctx.layout.bytesPerCluster;
    const perCluster = bpc / DIRENT_SIZE;
    const more = Math.ceil((count - run) / perCluster);
    if (this.slotCount + more * perCluster > MAX_DIR_SLOTS) {
      throw new FatError(NTSTATUS.STATUS_DISK_FULL, `directory would exceed the limit of ${MAX_DIR_SLOTS} entries`);
    }
    const { fat } = this.ctx;
    const fresh = fat.allocate(more);
    await fat.commit();
    await zeroClusters(this.ctx, fresh);
    fat.set(this.clusters[this.clusters.length - 1]!, fresh[0]!);
    await fat.commit();
    const start = this.slotCount - run;
    const grown = new Uint8Array(this.bytes.length + more * bpc);
    grown.set(this.bytes);
    this.bytes = grown;
    this.clusters.push(...fresh);
    this.parsed = null;
    return start;
  }

  /** Copies `data` (a whole number of slots) into slots from `start` and writes the touched sectors. */
  async writeSlots(start: number, data: Uint8Array): Promise<void> {
    const off = start * DIRENT_SIZE;
    if (start + data.length / DIRENT_SIZE > this.slotCount) throw new FatError(NTSTATUS.STATUS_INTERNAL_ERROR, 'directory write past its end');
    this.bytes.set(data, off);
    this.parsed = null;
    const { layout, dev } = this.ctx;
    const bps = layout.bytesPerSector;
    const firstSector = Math.floor(off / bps);
    const lastSector = Math.floor((off + data.length - 1) / bps);
    for (let s = firstSector; s <= lastSector; s++) {
      await dev.write(this.deviceSector(s), 1, this.bytes.subarray(s * bps, (s + 1) * bps));
    }
  }

  /** Marks slots [first, last] deleted. */
  async deleteSlots(first: number, last: number): Promise<void> {
    const data = this.bytes.slice(first * DIRENT_SIZE, (last + 1) * DIRENT_SIZE);
    for (let i = 0; i < data.length; i += DIRENT_SIZE) data[i] = DELETED;
    await this.writeSlots(first, data);
  }

  /** Raw copy of one slot. */
  slotBytes(slot: number): Uint8Array {
    return this.bytes.slice(slot * DIRENT_SIZE, (slot + 1) * DIRENT_SIZE);
  }

  private deviceSector(dirSector: number): number {
    const { layout } = this.ctx;
    if (!this.clusters) return layout.rootDirStart + dirSector;
    const ci = Math.floor(dirSector / layout.sectorsPerCluster);
    return clusterToSector(layout, this.clusters[ci]!) + (dirSector % layout.sectorsPerCluster);
  }
}
