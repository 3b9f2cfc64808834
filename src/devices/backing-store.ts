/**
 * A disk's backing store: a raw image file on the host.
 *
 * Data moves between the file and guest RAM with no intermediate copy: the
 * read and write calls take a Uint8Array view of the RAM SharedArrayBuffer at
 * the DMA address, so the kernel copies straight into (or out of) guest
 * memory. Flush is fdatasync: what the guest flushed survives a crash of the
 * engine (the image size never changes, so the data sync is enough).
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

export interface BackingStoreOptions {
  /** Create the file (sparse, via ftruncate) with this size in bytes if it does not exist. */
  createSize?: number;
  readOnly?: boolean;
}

export class BackingStore {
  readonly fd: number;
  readonly size: number;
  readonly path: string;
  readonly readOnly: boolean;
  /**
   * Host calls made (preadSync/pwriteSync/fdatasync), for tests and
   * diagnostics: a 1 MiB command over contiguous guest pages must be one call.
   */
  readCalls = 0;
  writeCalls = 0;
  flushCalls = 0;

  constructor(path: string, opts: BackingStoreOptions = {}) {
    this.path = path;
    this.readOnly = opts.readOnly ?? false;
    let fd: number;
    if (opts.createSize !== undefined) {
      fd = openSync(path, 'a+'); // create if missing, never truncate existing data
      closeSync(fd);
      fd = openSync(path, 'r+');
      if (fstatSync(fd).size < opts.createSize) ftruncateSync(fd, opts.createSize);
    } else {
      fd = openSync(path, this.readOnly ? 'r' : 'r+');
    }
    this.fd = fd;
    this.size = fstatSync(fd).size;
  }

  /** Reads `len` bytes at file offset `pos` straight into `dst[off..]`; short reads past EOF read as zeros. */
  read(dst: Uint8Array, off: number, len: number, pos: number): void {
    while (len > 0) {
      this.readCalls++;
      const n = readSync(this.fd, dst, off, len, pos);
      if (n <= 0) {
        dst.fill(0, off, off + len);
        return;
      }
      off += n;
      pos += n;
      len -= n;
    }
  }

  /** Writes `len` bytes from `src[off..]` at file offset `pos`. */
  write(src: Uint8Array, off: number, len: number, pos: number): void {
    while (len > 0) {
      this.writeCalls++;
      const n = writeSync(this.fd, src, off, len, pos);
      off += n;
      pos += n;
      len -= n;
    }
  }

  flush(): void {
    if (this.readOnly) return;
    this.flushCalls++;
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
