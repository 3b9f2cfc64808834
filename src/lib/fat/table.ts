/**
 * The file allocation table, held in memory and written through to disk.
 *
 * The whole active FAT is read at mount (it is small: 4 bytes per cluster at
 * most) and every other copy is compared with it, so a volume whose mirrors
 * disagree is refused instead of silently "repaired". Changes mark the FAT
 * sectors they touch dirty; commit() writes exactly those sectors to every
 * copy. Callers commit before writing any data or directory entry that relies
 * on the change, which is what makes the write order safe (see volume.ts).
 */
import type { BlockDevice } from '../blockdev.js';
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { FatLayout } from './bpb.js';
import { FatError, corruptFile, corruptVolume } from './error.js';

const FSINFO_LEAD = 0x41615252;
const FSINFO_STRUC = 0x61417272;
const FSINFO_TRAIL = 0xaa550000;
const UNKNOWN = 0xffffffff;

export class FatTable {
  /** In-memory copy of the active FAT. */
  private readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private readonly dirty = new Set<number>();
  private fsInfoDirty = false;
  /** Free clusters, counted at mount and kept exact since. */
  freeCount = 0;
  /** Where the next allocation starts looking (FSInfo's Nxt_Free). */
  nextFree = 2;
  /** Value this FAT type writes for end of chain. */
  readonly eoc: number;
  private readonly eocMin: number;
  private readonly badValue: number;

  private constructor(private readonly dev: BlockDevice, readonly layout: FatLayout, bytes: Uint8Array) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const t = layout.fatType;
    this.eoc = t === 12 ? 0xfff : t === 16 ? 0xffff : 0x0fffffff;
    this.eocMin = t === 12 ? 0xff8 : t === 16 ? 0xfff8 : 0x0ffffff8;
    this.badValue = t === 12 ? 0xff7 : t === 16 ? 0xfff7 : 0x0ffffff7;
  }

  static async load(dev: BlockDevice, layout: FatLayout, opts: { verifyCopies?: boolean } = {}): Promise<FatTable> {
    const size = layout.fatSectors * layout.bytesPerSector;
    const active = new Uint8Array(size);
    const firstFat = (i: number) => layout.reservedSectors + i * layout.fatSectors;
    await dev.read(firstFat(layout.activeFat), layout.fatSectors, active);
    if ((opts.verifyCopies ?? true) && !layout.mirroringDisabled) {
      const other = new Uint8Array(size);
      for (let i = 0; i < layout.fatCount; i++) {
        if (i === layout.activeFat) continue;
        await dev.read(firstFat(i), layout.fatSectors, other);
        const at = firstDifference(active, other);
        if (at >= 0) {
          throw corruptVolume(`FAT copies ${layout.activeFat + 1} and ${i + 1} differ (first at byte ${at} of the FAT, sector ${Math.floor(at / layout.bytesPerSector)})`);
        }
      }
    }
    const table = new FatTable(dev, layout, active);
    table.countFree();
    if (layout.fatType === 32 && layout.fsInfoSector !== 0) await table.readFsInfoHint();
    return table;
  }

  private countFree(): void {
    let free = 0;
    for (let c = 2; c <= this.layout.maxCluster; c++) if (this.get(c) === 0) free++;
    this.freeCount = free;
  }

  /** Takes FSInfo's next-free hint when it is plausible; the free count we computed ourselves. */
  private async readFsInfoHint(): Promise<void> {
    const s = new Uint8Array(this.layout.bytesPerSector);
    await this.dev.read(this.layout.fsInfoSector, 1, s);
    const dv = new DataView(s.buffer);
    const valid = dv.getUint32(0, true) === FSINFO_LEAD && dv.getUint32(484, true) === FSINFO_STRUC;
    const hint = dv.getUint32(492, true);
    if (valid && hint >= 2 && hint <= this.layout.maxCluster) this.nextFree = hint;
    // A wrong stored count is rewritten at the next commit.
    if (!valid || dv.getUint32(488, true) !== this.freeCount) this.fsInfoDirty = true;
  }

  /** Raw entry of cluster n (FAT32's reserved top nibble masked off). */
  get(n: number): number {
    switch (this.layout.fatType) {
      case 12: {
        const o = n + (n >> 1);
        const v = this.bytes[o]! | (this.bytes[o + 1]! << 8);
        return n & 1 ? v >> 4 : v & 0xfff;
      }
      case 16: return this.dv.getUint16(n * 2, true);
      default: return this.dv.getUint32(n * 4, true) & 0x0fffffff;
    }
  }

  set(n: number, value: number): void {
    if (n < 2 || n > this.layout.maxCluster) throw new FatError(NTSTATUS.STATUS_INTERNAL_ERROR, `FAT: write to cluster ${n} outside 2..${this.layout.maxCluster}`);
    const before = this.get(n);
    const bps = this.layout.bytesPerSector;
    switch (this.layout.fatType) {
      case 12: {
        const o = n + (n >> 1);
        if (n & 1) {
          this.bytes[o] = (this.bytes[o]! & 0x0f) | ((value << 4) & 0xf0);
          this.bytes[o + 1] = (value >> 4) & 0xff;
        } else {
          this.bytes[o] = value & 0xff;
          this.bytes[o + 1] = (this.bytes[o + 1]! & 0xf0) | ((value >> 8) & 0x0f);
        }
        this.dirty.add(Math.floor(o / bps));
        this.dirty.add(Math.floor((o + 1) / bps));
        break;
      }
      case 16:
        this.dv.setUint16(n * 2, value, true);
        this.dirty.add(Math.floor((n * 2) / bps));
        break;
      default: {
        // The top four bits are reserved: keep what is there (fatgen103, "FAT32 ... high 4 bits").
        const keep = this.dv.getUint32(n * 4, true) & 0xf0000000;
        this.dv.setUint32(n * 4, (keep | (value & 0x0fffffff)) >>> 0, true);
        this.dirty.add(Math.floor((n * 4) / bps));
      }
    }
    if (before === 0 && value !== 0) this.freeCount--;
    else if (before !== 0 && value === 0) this.freeCount++;
    this.fsInfoDirty = true;
  }

  isEndOfChain(v: number): boolean {
    return v >= this.eocMin;
  }

  /**
   * The clusters of the chain starting at `first`, in order. A chain that
   * loops, reaches a free, bad or out-of-range entry is corrupt; the walk is
   * capped by the cluster count so it always ends.
   */
  chain(first: number, what: string): number[] {
    const max = this.layout.maxCluster;
    if (first < 2 || first > max) throw corruptFile(`${what}: first cluster ${first} is outside 2..${max}`);
    const out: number[] = [];
    let c = first;
    for (;;) {
      out.push(c);
      if (out.length > this.layout.clusterCount) throw corruptFile(`${what}: cluster chain from ${first} loops`);
      const v = this.get(c);
      if (this.isEndOfChain(v)) return out;
      if (v === 0) throw corruptFile(`${what}: cluster chain from ${first} runs into free cluster ${c}`);
      if (v === this.badValue) throw corruptFile(`${what}: cluster chain from ${first} reaches cluster ${c}, marked bad`);
      if (v < 2 || v > max) throw corruptFile(`${what}: cluster ${c} links to ${v}, outside 2..${max}`);
      c = v;
    }
  }

  /**
   * Allocates `count` free clusters linked into a chain of their own that
   * ends in EOC, preferring the clusters after the hint so that files come
   * out contiguous. Nothing is on disk until commit(). Callers commit the new
   * chain before linking it to an existing one (two commits), so no order of
   * sector writes can leave a chain pointing at a cluster still free on disk.
   */
  allocate(count: number): number[] {
    if (count <= 0) return [];
    if (count > this.freeCount) {
      throw new FatError(NTSTATUS.STATUS_DISK_FULL, `volume full: need ${count} clusters, ${this.freeCount} free`);
    }
    const max = this.layout.maxCluster;
    const got: number[] = [];
    let c = this.nextFree >= 2 && this.nextFree <= max ? this.nextFree : 2;
    for (let scanned = 0; got.length < count && scanned < this.layout.clusterCount; scanned++) {
      if (this.get(c) === 0) got.push(c);
      c = c === max ? 2 : c + 1;
    }
    if (got.length < count) throw corruptVolume('free cluster count disagrees with the FAT');
    for (let i = 0; i < got.length; i++) this.set(got[i]!, i + 1 < got.length ? got[i + 1]! : this.eoc);
    this.nextFree = c;
    return got;
  }

  /** Marks every cluster of a list free (the caller has already unlinked it). */
  free(clusters: readonly number[]): void {
    for (const c of clusters) this.set(c, 0);
    if (clusters.length > 0) this.nextFree = Math.min(this.nextFree, clusters[0]!);
  }

  /** Writes every dirty FAT sector to every copy (or the active one when mirroring is off), then FSInfo. */
  async commit(): Promise<void> {
    if (this.dirty.size > 0) {
      const sectors = [...this.dirty].sort((a, b) => a - b);
      this.dirty.clear();
      const bps = this.layout.bytesPerSector;
      const copies = this.layout.mirroringDisabled ? [this.layout.activeFat] : [...Array(this.layout.fatCount).keys()];
      for (const copy of copies) {
        const base = this.layout.reservedSectors + copy * this.layout.fatSectors;
        for (let i = 0; i < sectors.length;) {
          let j = i + 1;
          while (j < sectors.length && sectors[j] === sectors[j - 1]! + 1) j++;
          const first = sectors[i]!, n = j - i;
          await this.dev.write(base + first, n, this.bytes.subarray(first * bps, (first + n) * bps));
          i = j;
        }
      }
    }
    if (this.fsInfoDirty) await this.writeFsInfo();
  }

  private async writeFsInfo(): Promise<void> {
    this.fsInfoDirty = false;
    if (this.layout.fatType !== 32 || this.layout.fsInfoSector === 0) return;
    const s = new Uint8Array(this.layout.bytesPerSector);
    await this.dev.read(this.layout.fsInfoSector, 1, s);
    const dv = new DataView(s.buffer);
    dv.setUint32(0, FSINFO_LEAD, true);
    dv.setUint32(484, FSINFO_STRUC, true);
    dv.setUint32(488, this.freeCount, true);
    dv.setUint32(492, this.nextFree >= 2 && this.nextFree <= this.layout.maxCluster ? this.nextFree : UNKNOWN, true);
    dv.setUint32(508, FSINFO_TRAIL, true);
    await this.dev.write(this.layout.fsInfoSector, 1, s);
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
