/**
 * Block devices: the one interface every disk-format layer (partition tables,
 * FAT) reads and writes through. A file-system driver implements it over IRPs
 * to the disk below it; host tools use the file and memory forms here.
 *
 * All I/O is in whole sectors and asynchronous, because that is what a driver
 * gets from the disk class driver. Out-of-range requests are refused with a
 * BlockDeviceError rather than silently clipped: a layer that asks for a
 * sector past the end has a bug or a corrupt table, and must hear about it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';

export const SECTOR_SIZE = 512;

export interface BlockDevice {
  /** Bytes per sector; 512 everywhere in this project. */
  readonly sectorSize: number;
  readonly sectorCount: number;
  /** Reads `count` sectors starting at `lba` into the first count*sectorSize bytes of dst. */
  read(lba: number, count: number, dst: Uint8Array): Promise<void>;
  /** Writes `count` sectors starting at `lba` from the first count*sectorSize bytes of src. */
  write(lba: number, count: number, src: Uint8Array): Promise<void>;
  /** Makes every completed write durable (fsync for host files). */
  flush(): Promise<void>;
}

export class BlockDeviceError extends NtStatusError {
  constructor(status: number, reason: string) {
    super(status, reason);
    this.name = 'BlockDeviceError';
  }
}

/** Throws unless [lba, lba+count) lies on the device and the buffer is big enough. */
export function checkRange(dev: { sectorSize: number; sectorCount: number }, what: string, lba: number, count: number, buf: Uint8Array): void {
  if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count < 0) {
    throw new BlockDeviceError(NTSTATUS.STATUS_INVALID_PARAMETER, `${what}: bad sector range lba=${lba} count=${count}`);
  }
  if (lba + count > dev.sectorCount) {
    throw new BlockDeviceError(
      NTSTATUS.STATUS_NONEXISTENT_SECTOR,
      `${what}: sectors ${lba}..${lba + count - 1} are past the end of the device (${dev.sectorCount} sectors)`,
    );
  }
  if (buf.byteLength < count * dev.sectorSize) {
    throw new BlockDeviceError(
      NTSTATUS.STATUS_BUFFER_TOO_SMALL,
      `${what}: buffer of ${buf.byteLength} bytes is smaller than ${count} sectors`,
    );
  }
}

/** A device held in memory: tests, and images built before being written out. */
export class MemoryBlockDevice implements BlockDevice {
  readonly sectorSize = SECTOR_SIZE;
  readonly sectorCount: number;
  readonly bytes: Uint8Array;

  constructor(sizeOrBytes: number | Uint8Array) {
    if (typeof sizeOrBytes === 'number') {
      this.sectorCount = sizeOrBytes;
      this.bytes = new Uint8Array(sizeOrBytes * SECTOR_SIZE);
    } else {
      // A trailing partial sector is not addressable: the device ends before it.
      this.bytes = sizeOrBytes;
      this.sectorCount = Math.floor(sizeOrBytes.byteLength / SECTOR_SIZE);
    }
  }

  async read(lba: number, count: number, dst: Uint8Array): Promise<void> {
    checkRange(this, 'read', lba, count, dst);
    dst.set(this.bytes.subarray(lba * SECTOR_SIZE, (lba + count) * SECTOR_SIZE));
  }

  async write(lba: number, count: number, src: Uint8Array): Promise<void> {
    checkRange(this, 'write', lba, count, src);
    this.bytes.set(src.subarray(0, count * SECTOR_SIZE), lba * SECTOR_SIZE);
  }

  async flush(): Promise<void> {}
}

/** A raw image in a host file. */
export class FileBlockDevice implements BlockDevice {
  readonly sectorSize = SECTOR_SIZE;
  private closed = false;

  private constructor(private readonly fh: FileHandle, readonly sectorCount: number, readonly readOnly: boolean) {}

  /** Opens an existing image; its size (rounded down to whole sectors) is the device size. */
  static async open(path: string, opts: { readOnly?: boolean } = {}): Promise<FileBlockDevice> {
    const readOnly = opts.readOnly ?? false;
    const fh = await open(path, readOnly ? 'r' : 'r+');
    const { size } = await fh.stat();
    return new FileBlockDevice(fh, Math.floor(size / SECTOR_SIZE), readOnly);
  }

  /**
   * Creates (or replaces) an image of `bytes` bytes. The file is sized with
   * truncate, so it is sparse: unwritten sectors read as zeros and take no space.
   */
  static async create(path: string, bytes: number): Promise<FileBlockDevice> {
    if (bytes % SECTOR_SIZE !== 0) {
      throw new BlockDeviceError(NTSTATUS.STATUS_INVALID_PARAMETER, `image size ${bytes} is not a multiple of ${SECTOR_SIZE}`);
    }
    const fh = await open(path, 'w+');
    await fh.truncate(bytes);
    return new FileBlockDevice(fh, bytes / SECTOR_SIZE, false);
  }

  async read(lba: number, count: number, dst: Uint8Array): Promise<void> {
    checkRange(this, 'read', lba, count, dst);
    const want = count * SECTOR_SIZE;
    let done = 0;
    while (done < want) {
      const { bytesRead } = await this.fh.read(dst, done, want - done, lba * SECTOR_SIZE + done);
      if (bytesRead === 0) {
        throw new BlockDeviceError(NTSTATUS.STATUS_DEVICE_DATA_ERROR, `read: image file ended early at sector ${lba + Math.floor(done / SECTOR_SIZE)}`);
      }
      done += bytesRead;
    }
  }

  async write(lba: number, count: number, src: Uint8Array): Promise<void> {
    if (this.readOnly) throw new BlockDeviceError(NTSTATUS.STATUS_MEDIA_WRITE_PROTECTED, 'write: device was opened read-only');
    checkRange(this, 'write', lba, count, src);
    const want = count * SECTOR_SIZE;
    let done = 0;
    while (done < want) {
      const { bytesWritten } = await this.fh.write(src, done, want - done, lba * SECTOR_SIZE + done);
      done += bytesWritten;
    }
  }

  async flush(): Promise<void> {
    if (!this.readOnly) await this.fh.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

/**
 * A window of another device: a partition. LBA 0 here is `start` below, and
 * the window can neither see nor touch the sectors around it.
 */
export class SliceBlockDevice implements BlockDevice {
  readonly sectorSize: number;

  constructor(readonly parent: BlockDevice, readonly start: number, readonly sectorCount: number) {
    this.sectorSize = parent.sectorSize;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(sectorCount) || start < 0 || sectorCount < 0 || start + sectorCount > parent.sectorCount) {
      throw new BlockDeviceError(
        NTSTATUS.STATUS_INVALID_PARAMETER,
        `slice ${start}+${sectorCount} does not fit in a device of ${parent.sectorCount} sectors`,
      );
    }
  }

  async read(lba: number, count: number, dst: Uint8Array): Promise<void> {
    checkRange(this, 'read', lba, count, dst);
    return this.parent.read(this.start + lba, count, dst);
  }

  async write(lba: number, count: number, src: Uint8Array): Promise<void> {
    checkRange(this, 'write', lba, count, src);
    return this.parent.write(this.start + lba, count, src);
  }

  flush(): Promise<void> {
    return this.parent.flush();
  }
}
