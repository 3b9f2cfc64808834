/**
 * A mounted FAT volume with a path API ("/dir/File Name.txt", either slash,
 * case-insensitive). Every public operation runs under one queue, so a
 * driver may issue them concurrently from async code.
 *
 * Ordering rules that make an interruption harmless (at worst lost clusters,
 * never a cross-linked or corrupt chain):
 *  - creating: clusters allocated and committed to every FAT copy, then the
 *    data, then the directory entry that points at them;
 *  - deleting: the directory entry first, then the clusters freed;
 *  - renaming: room in the target directory made first, then the old entry
 *    deleted, then the new one written (never two entries on one chain).
 */
import type { BlockDevice } from '../blockdev.js';
import { NTSTATUS } from '../../abi/ntstatus.js';
import { parseBootSector, type FatLayout, type FatType } from './bpb.js';
import type { VolumeContext } from './context.js';
import { ATTR, DIRENT_SIZE, encodeLongEntries, encodeShortEntry, slotsFor, type ShortEntry } from './dirent.js';
import { Directory, type DirItem } from './directory.js';
import { fromDosTimestamp, toDosTimestamp } from './dostime.js';
import { FatError } from './error.js';
import { FatFile, type FileHost, type FileNode } from './file.js';
import { transferClusters } from './io.js';
import { chooseShortName, labelToName11, lfnChecksum, nameKey, shortNameToDisplay, validateLongName } from './names.js';
import { FatTable } from './table.js';
import { decodeOem, type OemCodePage } from './codepage.js';

export interface MountOptions {
  /** Compare every FAT copy at mount and refuse mismatched ones (default true). */
  readonly verifyFatCopies?: boolean;
  /** Clock for timestamps (default: the host clock). */
  readonly now?: () => Date;
  /** OEM code page of short names: 437 (default; Windows US, Linux) or 850 (mtools' default). */
  readonly codePage?: OemCodePage;
}

export interface FatStat {
  readonly name: string;
  /** 8.3 name as it would be displayed ("PROGRA~1.TXT"). */
  readonly shortName: string;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly attributes: number;
  readonly created: Date | null;
  readonly modified: Date | null;
  readonly accessed: Date | null;
  readonly firstCluster: number;
}

export interface FatTimes {
  readonly created?: Date;
  readonly modified?: Date;
  readonly accessed?: Date;
}

export interface OpenOptions {
  /** Create the file if it does not exist. */
  readonly create?: boolean;
  /** Fail if it exists (with create: a new file only). */
  readonly exclusive?: boolean;
  /** Truncate to zero length. */
  readonly truncate?: boolean;
}

const DOT = '.          ';
const DOTDOT = '..         ';
const DIR_CACHE_LIMIT = 512;

interface Lookup {
  readonly parts: string[];
  /** Directory holding the last component (undefined for the root itself). */
  readonly parent?: Directory;
  readonly name: string;
  readonly item?: DirItem;
}

export class FatVolume implements FileHost {
  readonly ctx: VolumeContext;
  private readonly dirs = new Map<number, Directory>();
  private readonly nodes = new Map<string, FileNode>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(ctx: VolumeContext) {
    this.ctx = ctx;
  }

  /** Reads and validates the boot sector and FATs. Throws FatError on anything damaged. */
  static async mount(dev: BlockDevice, opts: MountOptions = {}): Promise<FatVolume> {
    if (dev.sectorCount < 1) throw new FatError(NTSTATUS.STATUS_UNRECOGNIZED_MEDIA, 'device is empty');
    const boot = new Uint8Array(dev.sectorSize);
    await dev.read(0, 1, boot);
    const layout = parseBootSector(boot, dev.sectorCount, dev.sectorSize);
    const fat = await FatTable.load(dev, layout, { verifyCopies: opts.verifyFatCopies });
    const vol = new FatVolume({ dev, layout, fat, now: opts.now ?? (() => new Date()), codePage: opts.codePage ?? 437 });
    // Load the root now so a damaged root chain is reported at mount.
    await vol.root();
    return vol;
  }

  get layout(): FatLayout {
    return this.ctx.layout;
  }

  get fatType(): FatType {
    return this.ctx.layout.fatType;
  }

  /** Runs `fn` after every earlier operation: one operation at a time. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.dirs.size > DIR_CACHE_LIMIT) this.dirs.clear();
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- FileHost -----------------------------------------------------------

  async directoryByKey(key: number): Promise<Directory> {
    const cached = this.dirs.get(key);
    if (cached) return cached;
    const { layout } = this.ctx;
    const dir = key === 0 || (layout.fatType === 32 && key === layout.rootCluster)
      ? await Directory.loadRoot(this.ctx)
      : await Directory.loadChain(this.ctx, key, false, `directory at cluster ${key}`);
    this.dirs.set(key, dir);
    return dir;
  }

  releaseNode(node: FileNode): void {
    if (--node.refs === 0) this.nodes.delete(nodeKey(node.dirKey, node.slot));
  }

  // ---- queries ------------------------------------------------------------

  stat(path: string): Promise<FatStat> {
    return this.serial(async () => {
      const l = await this.lookup(path);
      if (!l.parent) return this.rootStat();
      if (!l.item) throw notFound(path);
      return toStat(l.item, this.ctx.codePage);
    });
  }

  exists(path: string): Promise<boolean> {
    return this.serial(async () => {
      try {
        const l = await this.lookup(path);
        return !l.parent || l.item !== undefined;
      } catch (e) {
        if (e instanceof FatError && e.status === NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND) return false;
        throw e;
      }
    });
  }

  /** The entries of a directory, without "." and "..", in on-disk order. */
  readdir(path: string): Promise<FatStat[]> {
    return this.serial(async () => {
      const dir = await this.directoryAt(path);
      return dir.items().filter((it) => !isDotEntry(it)).map((it) => toStat(it, this.ctx.codePage));
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.serial(async () => {
      const file = await this.openLocked(path, {});
      try {
        return await file.readAllLocked();
      } finally {
        file.releaseLocked();
      }
    });
  }

  /** Free space and geometry. */
  statfs(): Promise<{ fatType: FatType; clusterSize: number; clusters: number; freeClusters: number; totalBytes: number; freeBytes: number; label: string; volumeId: number }> {
    return this.serial(async () => {
      const { layout, fat } = this.ctx;
      return {
        fatType: layout.fatType,
        clusterSize: layout.bytesPerCluster,
        clusters: layout.clusterCount,
        freeClusters: fat.freeCount,
        totalBytes: layout.clusterCount * layout.bytesPerCluster,
        freeBytes: fat.freeCount * layout.bytesPerCluster,
        label: await this.labelLocked(),
        volumeId: layout.volumeId,
      };
    });
  }

  getLabel(): Promise<string> {
    return this.serial(() => this.labelLocked());
  }

  // ---- files --------------------------------------------------------------

  /** Opens a file (not a directory). Close the handle when done. */
  open(path: string, opts: OpenOptions = {}): Promise<FatFile> {
    return this.serial(() => this.openLocked(path, opts));
  }

  /** Creates or replaces a file with `data`. */
  writeFile(path: string, data: Uint8Array, times?: FatTimes): Promise<void> {
    return this.serial(async () => {
      const l = await this.lookup(path);
      if (!l.parent) throw isDirectory(path);
      if (l.item) {
        const file = await this.openLocked(path, {});
        try {
          await file.truncateLocked(0);
          await file.writeLocked(0, data);
        } finally {
          file.releaseLocked();
        }
        if (times) await this.setTimesLocked(path, times);
        return;
      }
      const { fat, layout } = this.ctx;
      const clusters = fat.allocate(Math.ceil(data.length / layout.bytesPerCluster));
      await fat.commit();
      try {
        if (data.length > 0) await transferClusters(this.ctx, clusters, 0, data, true);
        await this.createEntry(l.parent, l.name, ATTR.ARCHIVE, clusters[0] ?? 0, data.length, times);
      } catch (e) {
        // Nothing points at the new chain yet: give it back.
        fat.free(clusters);
        await fat.commit();
        throw e;
      }
    });
  }

  truncate(path: string, size: number): Promise<void> {
    return this.serial(async () => {
      const file = await this.openLocked(path, {});
      try {
        await file.truncateLocked(size);
      } finally {
        file.releaseLocked();
      }
    });
  }

  /** Deletes a file. */
  unlink(path: string): Promise<void> {
    return this.serial(async () => {
      const l = await this.lookup(path);
      if (!l.parent) throw isDirectory(path);
      if (!l.item) throw notFound(path);
      const e = l.item.entry;
      if (e.attr & ATTR.DIRECTORY) throw isDirectory(path);
      if (e.attr & ATTR.READ_ONLY) throw new FatError(NTSTATUS.STATUS_ACCESS_DENIED, `${path}: file is read-only`);
      if (this.nodes.has(nodeKey(l.parent.key, l.item.slot))) throw new FatError(NTSTATUS.STATUS_SHARING_VIOLATION, `${path}: file is open`);
      // Walk the chain before changing anything: a corrupt chain is reported, not half-freed.
      const chain = e.firstCluster === 0 ? [] : this.ctx.fat.chain(e.firstCluster, path);
      await l.parent.deleteSlots(l.item.firstSlot, l.item.slot);
      this.ctx.fat.free(chain);
      await this.ctx.fat.commit();
    });
  }

  // ---- directories --------------------------------------------------------

  mkdir(path: string, opts: { recursive?: boolean; times?: FatTimes } = {}): Promise<void> {
    return this.serial(async () => {
      const parts = splitPath(path);
      for (let i = opts.recursive ? 1 : parts.length; i <= parts.length; i++) {
        const sub = '/' + parts.slice(0, i).join('/');
        const l = await this.lookup(sub);
        if (!l.parent) continue;
        if (l.item) {
          if (i === parts.length && !opts.recursive) throw collision(sub);
          if (!(l.item.entry.attr & ATTR.DIRECTORY)) throw new FatError(NTSTATUS.STATUS_OBJECT_NAME_COLLISION, `${sub} exists and is not a directory`);
          continue;
        }
        await this.mkdirLocked(l.parent, l.name, opts.times);
      }
    });
  }

  /** Removes an empty directory. */
  rmdir(path: string): Promise<void> {
    return this.serial(async () => {
      const l = await this.lookup(path);
      if (!l.parent) throw new FatError(NTSTATUS.STATUS_ACCESS_DENIED, 'cannot remove the root directory');
      if (!l.item) throw notFound(path);
      if (!(l.item.entry.attr & ATTR.DIRECTORY)) throw new FatError(NTSTATUS.STATUS_NOT_A_DIRECTORY, `${path} is not a directory`);
      const sub = await this.dirOf(l.item, path);
      if (!sub.isEmpty()) throw new FatError(NTSTATUS.STATUS_DIRECTORY_NOT_EMPTY, `${path}: directory is not empty`);
      for (const n of this.nodes.values()) {
        if (n.dirKey === sub.key) throw new FatError(NTSTATUS.STATUS_SHARING_VIOLATION, `${path}: a file in it is open`);
      }
      await l.parent.deleteSlots(l.item.firstSlot, l.item.slot);
      this.dirs.delete(sub.key);
      this.ctx.fat.free(sub.clusters ?? []);
      await this.ctx.fat.commit();
    });
  }

  /**
   * Renames or moves a file or directory. The target must not exist, unless
   * it is the same entry (a change of case).
   */
  rename(from: string, to: string): Promise<void> {
    return this.serial(async () => {
      const src = await this.lookup(from);
      if (!src.parent) throw new FatError(NTSTATUS.STATUS_ACCESS_DENIED, 'cannot rename the root directory');
      if (!src.item) throw notFound(from);
      const dst = await this.lookup(to);
      if (!dst.parent) throw collision(to);
      const sameEntry = dst.item !== undefined && dst.parent === src.parent && dst.item.slot === src.item.slot;
      if (dst.item && !sameEntry) throw collision(to);
      const isDir = (src.item.entry.attr & ATTR.DIRECTORY) !== 0;
      if (isDir && dst.parts.length > src.parts.length && src.parts.every((p, i) => nameKey(p) === nameKey(dst.parts[i]!))) {
        throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `cannot move ${from} into itself (${to})`);
      }
      validateLongName(dst.name);
      const own = src.item.entry.name11;
      const sameDir = dst.parent === src.parent;
      const choice = chooseShortName(dst.name, (n) => dst.parent!.hasShortName(n) && !(sameDir && n === own));
      const entry: ShortEntry = { ...src.item.entry, name11: choice.name11, ntCase: choice.ntCase };
      const slots = buildEntrySet(dst.name, choice.needsLongName, entry);
      // 1. room first (may grow the directory), 2. old entry gone, 3. new entry written.
      const start = await dst.parent.reserve(slots.length / DIRENT_SIZE);
      const srcItem = src.item;
      await src.parent.deleteSlots(srcItem.firstSlot, srcItem.slot);
      await dst.parent.writeSlots(start, slots);
      const newSlot = start + slots.length / DIRENT_SIZE - 1;
      if (isDir && !sameDir) {
        const moved = await this.dirOf(srcItem, from);
        const dotdot = moved.items().find((it) => it.entry.name11 === DOTDOT);
        if (dotdot) {
          const e = { ...dotdot.entry, firstCluster: dst.parent.isRoot ? 0 : dst.parent.key };
          const buf = new Uint8Array(DIRENT_SIZE);
          encodeShortEntry(e, buf, 0);
          await moved.writeSlots(dotdot.slot, buf);
        }
      }
      const node = this.nodes.get(nodeKey(src.parent.key, srcItem.slot));
      if (node) {
        this.nodes.delete(nodeKey(node.dirKey, node.slot));
        node.dirKey = dst.parent.key;
        node.slot = newSlot;
        this.nodes.set(nodeKey(node.dirKey, node.slot), node);
      }
    });
  }

  /** Sets any of the three timestamps of a file or directory. */
  setTimes(path: string, times: FatTimes): Promise<void> {
    return this.serial(() => this.setTimesLocked(path, times));
  }

  /** Sets the DOS attribute bits (read-only, hidden, system, archive); directory/label bits are kept. */
  setAttributes(path: string, attributes: number): Promise<void> {
    return this.serial(async () => {
      const l = await this.lookup(path);
      if (!l.parent || !l.item) throw notFound(path);
      const keep = l.item.entry.attr & (ATTR.DIRECTORY | ATTR.VOLUME_ID);
      const e = { ...l.item.entry, attr: keep | (attributes & (ATTR.READ_ONLY | ATTR.HIDDEN | ATTR.SYSTEM | ATTR.ARCHIVE)) };
      await writeShort(l.parent, l.item.slot, e);
    });
  }

  /** Sets the volume label (in the root directory and the boot sector); "" removes it. */
  setLabel(label: string): Promise<void> {
    return this.serial(async () => {
      const name11 = label === '' ? '' : labelToName11(label);
      const root = await this.root();
      const existing = root.labelEntry();
      const t = toDosTimestamp(this.ctx.now());
      if (name11 === '') {
        if (existing) await root.deleteSlots(existing.slot, existing.slot);
      } else {
        const e: ShortEntry = existing
          ? { ...existing.entry, name11, writeDate: t.date, writeTime: t.time }
          : { name11, attr: ATTR.VOLUME_ID, ntCase: 0, createCentis: 0, createTime: 0, createDate: 0, accessDate: 0, firstCluster: 0, writeTime: t.time, writeDate: t.date, size: 0 };
        const slot = existing ? existing.slot : await root.reserve(1);
        await writeShort(root, slot, e);
      }
      await this.writeBpbLabel(name11 === '' ? 'NO NAME    ' : name11);
    });
  }

  /** Commits the FAT and FSInfo and makes everything durable on the device. */
  flush(): Promise<void> {
    return this.serial(async () => {
      await this.ctx.fat.commit();
      await this.ctx.dev.flush();
    });
  }

  // ---- internals (the caller holds the queue) -----------------------------

  private root(): Promise<Directory> {
    const { layout } = this.ctx;
    return this.directoryByKey(layout.fatType === 32 ? layout.rootCluster : 0);
  }

  private rootStat(): FatStat {
    return { name: '/', shortName: '', isDirectory: true, size: 0, attributes: ATTR.DIRECTORY, created: null, modified: null, accessed: null, firstCluster: this.ctx.layout.rootCluster };
  }

  private async lookup(path: string): Promise<Lookup> {
    const parts = splitPath(path);
    let dir = await this.root();
    if (parts.length === 0) return { parts, name: '' };
    for (let i = 0; i < parts.length - 1; i++) {
      const item = dir.find(parts[i]!);
      const here = '/' + parts.slice(0, i + 1).join('/');
      if (!item) throw new FatError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `path not found: ${here}`);
      if (!(item.entry.attr & ATTR.DIRECTORY)) throw new FatError(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND, `path not found: ${here} is not a directory`);
      dir = await this.dirOf(item, here);
    }
    const name = parts[parts.length - 1]!;
    return { parts, parent: dir, name, item: dir.find(name) };
  }

  private async directoryAt(path: string): Promise<Directory> {
    const l = await this.lookup(path);
    if (!l.parent) return this.root();
    if (!l.item) throw notFound(path);
    if (!(l.item.entry.attr & ATTR.DIRECTORY)) throw new FatError(NTSTATUS.STATUS_NOT_A_DIRECTORY, `${path} is not a directory`);
    return this.dirOf(l.item, path);
  }

  private async dirOf(item: DirItem, path: string): Promise<Directory> {
    const first = item.entry.firstCluster;
    if (first === 0) {
      if (isDotEntry(item)) return this.root();
      throw new FatError(NTSTATUS.STATUS_FILE_CORRUPT_ERROR, `${path}: directory entry has no clusters`);
    }
    const { layout } = this.ctx;
    if (first < 2 || first > layout.maxCluster) throw new FatError(NTSTATUS.STATUS_FILE_CORRUPT_ERROR, `${path}: first cluster ${first} is outside 2..${layout.maxCluster}`);
    const cached = this.dirs.get(first);
    if (cached) return cached;
    const dir = await Directory.loadChain(this.ctx, first, layout.fatType === 32 && first === layout.rootCluster, path);
    this.dirs.set(first, dir);
    return dir;
  }

  private async openLocked(path: string, opts: OpenOptions): Promise<FatFile> {
    const l = await this.lookup(path);
    if (!l.parent) throw isDirectory(path);
    let slot: number;
    if (l.item) {
      if (opts.create && opts.exclusive) throw collision(path);
      if (l.item.entry.attr & ATTR.DIRECTORY) throw isDirectory(path);
      slot = l.item.slot;
    } else {
      if (!opts.create) throw notFound(path);
      slot = await this.createEntry(l.parent, l.name, ATTR.ARCHIVE, 0, 0);
    }
    const key = nodeKey(l.parent.key, slot);
    let node = this.nodes.get(key);
    if (!node) {
      node = { dirKey: l.parent.key, slot, clusters: null, refs: 0 };
      this.nodes.set(key, node);
    }
    node.refs++;
    const file = new FatFile(this, node, path);
    if (opts.truncate && l.item) await file.truncateLocked(0);
    return file;
  }

  /** Writes a new entry set (long name + short entry) for `name`; returns the short entry's slot. */
  private async createEntry(dir: Directory, name: string, attr: number, firstCluster: number, size: number, times?: FatTimes): Promise<number> {
    validateLongName(name);
    if (dir.find(name)) throw collision(name);
    const choice = chooseShortName(name, (n) => dir.hasShortName(n));
    const entry = this.newEntry(choice.name11, choice.ntCase, attr, firstCluster, size, times);
    const slots = buildEntrySet(name, choice.needsLongName, entry);
    const start = await dir.reserve(slots.length / DIRENT_SIZE);
    await dir.writeSlots(start, slots);
    return start + slots.length / DIRENT_SIZE - 1;
  }

  private newEntry(name11: string, ntCase: number, attr: number, firstCluster: number, size: number, times?: FatTimes): ShortEntry {
    const now = this.ctx.now();
    const c = toDosTimestamp(times?.created ?? times?.modified ?? now);
    const w = toDosTimestamp(times?.modified ?? now);
    const a = toDosTimestamp(times?.accessed ?? times?.modified ?? now);
    return {
      name11, attr, ntCase, createCentis: c.centis, createTime: c.time, createDate: c.date, accessDate: a.date,
      firstCluster, writeTime: w.time, writeDate: w.date, size,
    };
  }

  private async mkdirLocked(parent: Directory, name: string, times?: FatTimes): Promise<void> {
    validateLongName(name);
    const { fat, layout } = this.ctx;
    const [cluster] = fat.allocate(1);
    await fat.commit();
    try {
      const block = new Uint8Array(layout.bytesPerCluster);
      encodeShortEntry(this.newEntry(DOT, 0, ATTR.DIRECTORY, cluster!, 0, times), block, 0);
      encodeShortEntry(this.newEntry(DOTDOT, 0, ATTR.DIRECTORY, parent.isRoot ? 0 : parent.key, 0, times), block, DIRENT_SIZE);
      await transferClusters(this.ctx, [cluster!], 0, block, true);
      await this.createEntry(parent, name, ATTR.DIRECTORY, cluster!, 0, times);
    } catch (e) {
      fat.free([cluster!]);
      await fat.commit();
      throw e;
    }
  }

  private async setTimesLocked(path: string, times: FatTimes): Promise<void> {
    const l = await this.lookup(path);
    if (!l.parent || !l.item) throw notFound(path);
    const e = { ...l.item.entry };
    if (times.created) { const t = toDosTimestamp(times.created); e.createDate = t.date; e.createTime = t.time; e.createCentis = t.centis; }
    if (times.modified) { const t = toDosTimestamp(times.modified); e.writeDate = t.date; e.writeTime = t.time; }
    if (times.accessed) e.accessDate = toDosTimestamp(times.accessed).date;
    await writeShort(l.parent, l.item.slot, e);
  }

  private async labelLocked(): Promise<string> {
    const root = await this.root();
    const entry = root.labelEntry();
    return entry ? decodeOem(entry.entry.name11, this.ctx.codePage).replace(/ +$/, '') : this.ctx.layout.bpbLabel;
  }

  private async writeBpbLabel(name11: string): Promise<void> {
    const { dev, layout } = this.ctx;
    const ext = layout.fatType === 32 ? 64 : 36;
    const sectors = layout.fatType === 32 && layout.backupBootSector ? [0, layout.backupBootSector] : [0];
    for (const s of sectors) {
      const buf = new Uint8Array(dev.sectorSize);
      await dev.read(s, 1, buf);
      if (buf[ext + 2] !== 0x29) continue;
      for (let i = 0; i < 11; i++) buf[ext + 7 + i] = name11.charCodeAt(i);
      await dev.write(s, 1, buf);
    }
  }
}

function buildEntrySet(name: string, needsLongName: boolean, entry: ShortEntry): Uint8Array {
  const count = slotsFor(name, needsLongName);
  const buf = new Uint8Array(count * DIRENT_SIZE);
  if (needsLongName) {
    encodeShortEntry(entry, buf, (count - 1) * DIRENT_SIZE);
    // The checksum is over the short name bytes exactly as stored.
    const sum = lfnChecksum(buf.subarray((count - 1) * DIRENT_SIZE, (count - 1) * DIRENT_SIZE + 11));
    encodeLongEntries(name, sum).forEach((e, i) => buf.set(e, i * DIRENT_SIZE));
  } else {
    encodeShortEntry(entry, buf, 0);
  }
  return buf;
}

async function writeShort(dir: Directory, slot: number, e: ShortEntry): Promise<void> {
  const buf = new Uint8Array(DIRENT_SIZE);
  encodeShortEntry(e, buf, 0);
  await dir.writeSlots(slot, buf);
}

/** "/a\\b/./c/../d" → ["a", "b", "d"]. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const p of path.split(/[\\/]+/)) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

function isDotEntry(it: DirItem): boolean {
  return it.entry.name11 === DOT || it.entry.name11 === DOTDOT;
}

function toStat(it: DirItem, codePage: OemCodePage): FatStat {
  const e = it.entry;
  return {
    name: it.name,
    shortName: shortNameToDisplay(e.name11, 0, codePage),
    isDirectory: (e.attr & ATTR.DIRECTORY) !== 0,
    size: e.size,
    attributes: e.attr,
    created: fromDosTimestamp(e.createDate, e.createTime, e.createCentis),
    modified: fromDosTimestamp(e.writeDate, e.writeTime),
    accessed: fromDosTimestamp(e.accessDate, 0),
    firstCluster: e.firstCluster,
  };
}

function nodeKey(dirKey: number, slot: number): string {
  return `${dirKey}:${slot}`;
}

const notFound = (path: string) => new FatError(NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND, `not found: ${path}`);
const collision = (path: string) => new FatError(NTSTATUS.STATUS_OBJECT_NAME_COLLISION, `already exists: ${path}`);
const isDirectory = (path: string) => new FatError(NTSTATUS.STATUS_FILE_IS_A_DIRECTORY, `${path || '/'} is a directory`);
