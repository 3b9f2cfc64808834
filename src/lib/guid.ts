/**
 * GUIDs as GPT stores them: 16 bytes in "mixed-endian" order. The text form
 * XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX names three little-endian fields
 * (32, 16 and 16 bits) followed by 8 bytes stored as written.
 */
import { randomBytes } from 'node:crypto';

const TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** Text → the 16 bytes on disk. */
export function guidToBytes(text: string): Uint8Array {
  const m = TEXT.exec(text);
  if (!m) throw new RangeError(`not a GUID: "${text}"`);
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, parseInt(m[1]!, 16), true);
  dv.setUint16(4, parseInt(m[2]!, 16), true);
  dv.setUint16(6, parseInt(m[3]!, 16), true);
  const tail = m[4]! + m[5]!;
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(tail.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The 16 bytes on disk → upper-case text. */
export function guidFromBytes(bytes: Uint8Array, offset = 0): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
  let tail = '';
  for (let i = 8; i < 16; i++) tail += hex(bytes[offset + i]!, 2);
  return `${hex(dv.getUint32(0, true), 8)}-${hex(dv.getUint16(4, true), 4)}-${hex(dv.getUint16(6, true), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`.toUpperCase();
}

/** A random (version 4) GUID in text form. */
export function randomGuid(random: (n: number) => Uint8Array = randomBytes): string {
  const b = random(16);
  b[7] = (b[7]! & 0x0f) | 0x40; // version 4 lives in the high nibble of the third (LE) field
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return guidFromBytes(b);
}

export const GUID_ZERO = '00000000-0000-0000-0000-000000000000';
