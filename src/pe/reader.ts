/**
 * Bounds-checked little-endian reads over a Uint8Array.
 *
 * A corrupt image must never turn an out-of-range read into `undefined` and
 * then into NaN arithmetic: every read goes through here, and a read that
 * does not fit throws STATUS_INVALID_IMAGE_FORMAT naming the field. The
 * same class reads the raw file (offsets) and the mapped image (RVAs); the
 * `space` word only changes the message.
 */
import { failImage, hex } from './errors.js';

export class ByteReader {
  readonly length: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Image name used in error messages. */
    readonly image: string,
    /** "file" (offsets) or "image" (RVAs), for messages. */
    readonly space: 'file' | 'image',
  ) {
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True when [offset, offset+size) lies inside the bytes. Safe for any number input. */
  has(offset: number, size: number): boolean {
    return Number.isInteger(offset) && Number.isInteger(size) && offset >= 0 && size >= 0 && offset + size <= this.length;
  }

  /** Throws unless [offset, offset+size) is inside; `field` names what was being read. */
  check(offset: number, size: number, field: string): void {
    if (!this.has(offset, size)) {
      const where = this.space === 'file' ? 'offset' : 'RVA';
      failImage(
        this.image,
        `${field} (${where} ${hex(offset)}, size ${hex(size)}) lies outside the ${this.space} (${hex(this.length)} bytes)`,
      );
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.bytes[offset]!;
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  /** A view (not a copy) of [offset, offset+size). */
  slice(offset: number, size: number, field: string): Uint8Array {
    this.check(offset, size, field);
    return this.bytes.subarray(offset, offset + size);
  }

  /**
   * A NUL-terminated ASCII string starting at `offset`, at most `maxLength`
   * characters; a string running off the end or past the limit is refused.
   */
  asciiz(offset: number, field: string, maxLength = 4096): string {
    this.check(offset, 1, field);
    const end = Math.min(this.length, offset + maxLength + 1);
    let i = offset;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i >= end) {
      failImage(this.image, `${field} at ${this.space === 'file' ? 'offset' : 'RVA'} ${hex(offset)} is not NUL-terminated within ${maxLength} bytes`);
    }
    let s = '';
    for (let j = offset; j < i; j++) s += String.fromCharCode(this.bytes[j]!);
    return s;
  }
}
