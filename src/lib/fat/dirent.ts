/**
 * The 32-byte directory entry (fatgen103 section 6) and the long-name entry
 * (section 7) in both directions.
 */
import type { ShortName11 } from './names.js';

export const DIRENT_SIZE = 32;

export const ATTR = {
  READ_ONLY: 0x01,
  HIDDEN: 0x02,
  SYSTEM: 0x04,
  VOLUME_ID: 0x08,
  DIRECTORY: 0x10,
  ARCHIVE: 0x20,
  /** READ_ONLY|HIDDEN|SYSTEM|VOLUME_ID: the marker of a long-name entry. */
  LONG_NAME: 0x0f,
} as const;

/** First name byte of a deleted entry. */
export const DELETED = 0xe5;
/** Stored in place of a real leading 0xE5 (a Kanji lead byte). */
const E5_ESCAPE = 0x05;

export interface ShortEntry {
  name11: ShortName11;
  attr: number;
  ntCase: number;
  createCentis: number;
  createTime: number;
  createDate: number;
  accessDate: number;
  firstCluster: number;
  writeTime: number;
  writeDate: number;
  size: number;
}

const latin1 = new TextDecoder('latin1');

export function decodeShortEntry(buf: Uint8Array, off: number): ShortEntry {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, DIRENT_SIZE);
  // A byte string: one char per byte, decoded from the OEM code page only for display.
  let name11 = latin1.decode(buf.subarray(off, off + 11));
  if (buf[off] === E5_ESCAPE) name11 = '\u00e5' + name11.slice(1);
  return {
    name11,
    attr: buf[off + 11]!,
    ntCase: buf[off + 12]!,
    createCentis: buf[off + 13]!,
    createTime: dv.getUint16(14, true),
    createDate: dv.getUint16(16, true),
    accessDate: dv.getUint16(18, true),
    firstCluster: (dv.getUint16(20, true) << 16) | dv.getUint16(26, true),
    writeTime: dv.getUint16(22, true),
    writeDate: dv.getUint16(24, true),
    size: dv.getUint32(28, true),
  };
}

export function encodeShortEntry(e: ShortEntry, buf: Uint8Array, off: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, DIRENT_SIZE);
  for (let i = 0; i < 11; i++) buf[off + i] = e.name11.charCodeAt(i) & 0xff;
  if (buf[off] === DELETED) buf[off] = E5_ESCAPE;
  buf[off + 11] = e.attr;
  buf[off + 12] = e.ntCase;
  buf[off + 13] = e.createCentis;
  dv.setUint16(14, e.createTime, true);
  dv.setUint16(16, e.createDate, true);
  dv.setUint16(18, e.accessDate, true);
  dv.setUint16(20, (e.firstCluster >>> 16) & 0xffff, true);
  dv.setUint16(22, e.writeTime, true);
  dv.setUint16(24, e.writeDate, true);
  dv.setUint16(26, e.firstCluster & 0xffff, true);
  dv.setUint32(28, e.size >>> 0, true);
}

/** Offsets of the 13 UTF-16 characters inside a long-name entry. */
const LFN_CHAR_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
export const LFN_CHARS_PER_ENTRY = 13;
export const LFN_LAST = 0x40;

export interface LongEntry {
  /** 1-based position of this piece in the name. */
  ordinal: number;
  last: boolean;
  checksum: number;
  /** The 13 UTF-16 units, including any 0x0000 terminator and 0xFFFF padding. */
  units: number[];
}

export function decodeLongEntry(buf: Uint8Array, off: number): LongEntry {
  const units = LFN_CHAR_OFFSETS.map((o) => buf[off + o]! | (buf[off + o + 1]! << 8));
  return { ordinal: buf[off]! & 0x3f, last: (buf[off]! & LFN_LAST) !== 0, checksum: buf[off + 13]!, units };
}

/**
 * The long-name entries for `name`, in the order they are stored: the last
 * piece (with the 0x40 flag) first, ordinal 1 right before the short entry.
 */
export function encodeLongEntries(name: string, checksum: number): Uint8Array[] {
  const count = Math.ceil(name.length / LFN_CHARS_PER_ENTRY);
  const out: Uint8Array[] = [];
  for (let k = count; k >= 1; k--) {
    const e = new Uint8Array(DIRENT_SIZE);
    e[0] = k | (k === count ? LFN_LAST : 0);
    e[11] = ATTR.LONG_NAME;
    e[12] = 0;
    e[13] = checksum;
    // bytes 26-27 (FstClusLO) stay 0
    for (let i = 0; i < LFN_CHARS_PER_ENTRY; i++) {
      const pos = (k - 1) * LFN_CHARS_PER_ENTRY + i;
      // Terminated by one 0x0000 when the name does not fill the entry, then 0xFFFF padding.
      const unit = pos < name.length ? name.charCodeAt(pos) : pos === name.length ? 0x0000 : 0xffff;
      e[LFN_CHAR_OFFSETS[i]!] = unit & 0xff;
      e[LFN_CHAR_OFFSETS[i]! + 1] = unit >> 8;
    }
    out.push(e);
  }
  return out;
}

/** How many 32-byte slots a name takes: its long-name entries plus the short entry. */
export function slotsFor(name: string, needsLongName: boolean): number {
  return 1 + (needsLongName ? Math.ceil(name.length / LFN_CHARS_PER_ENTRY) : 0);
}
