/**
 * File names on FAT: long-name validation, the 8.3 short name that every
 * entry also carries (fatgen103 section 7, "Basis-Name Generation" and
 * "Numeric-Tail Generation"), and the checksum that binds long-name entries
 * to their short entry.
 *
 * Short names are upper case in the OEM code page. We produce ASCII only:
 * any character that is not a valid ASCII short-name character becomes "_"
 * and marks the conversion lossy, which forces a ~N tail, as the spec says.
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { FatError } from './error.js';
import { decodeOem, type OemCodePage } from './codepage.js';

export const MAX_LONG_NAME = 255;

/** NTRes bits Windows NT uses to show an all-lower-case base/extension without a long name. */
export const NT_LOWER_BASE = 0x08;
export const NT_LOWER_EXT = 0x10;

const SHORT_SPECIALS = "$%'-_@~`!(){}^#&";

function isShortChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return ch.length === 1 && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || SHORT_SPECIALS.includes(ch));
}

/** Throws STATUS_OBJECT_NAME_INVALID unless `name` may be stored as a long name. */
export function validateLongName(name: string): void {
  const fail = (why: string) => new FatError(NTSTATUS.STATUS_OBJECT_NAME_INVALID, `invalid file name "${name}": ${why}`);
  if (name.length === 0) throw fail('empty');
  if (name.length > MAX_LONG_NAME) throw new FatError(NTSTATUS.STATUS_NAME_TOO_LONG, `file name is ${name.length} characters, longer than ${MAX_LONG_NAME}`);
  if (name === '.' || name === '..') throw fail('reserved');
  for (const ch of name) {
    if (ch.charCodeAt(0) < 0x20 || '"*/:<>?\\|'.includes(ch)) throw fail(`contains ${JSON.stringify(ch)}`);
  }
  if (/[ .]$/.test(name)) throw fail('ends with a space or a period');
}

/** The 11-byte short name as a byte string of 11 characters ("FOO     TXT"), not yet decoded from the OEM code page. */
export type ShortName11 = string;

/** Case-insensitive key for comparing names, as Windows upcases them. */
export function nameKey(name: string): string {
  return name.toUpperCase();
}

/** Display form of an 11-byte short name, decoded from the OEM code page, applying the NT lower-case bits. */
export function shortNameToDisplay(name11: ShortName11, ntCase = 0, codePage: OemCodePage = 437): string {
  let base = decodeOem(name11.slice(0, 8).replace(/ +$/, ''), codePage);
  let ext = decodeOem(name11.slice(8, 11).replace(/ +$/, ''), codePage);
  if (ntCase & NT_LOWER_BASE) base = base.toLowerCase();
  if (ntCase & NT_LOWER_EXT) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}

/** The sum fatgen103 defines over the 11 short-name bytes: rotate right, add. */
export function lfnChecksum(name11: ShortName11 | Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) {
    const b = typeof name11 === 'string' ? name11.charCodeAt(i) : name11[i]!;
    sum = ((((sum & 1) << 7) | (sum >> 1)) + b) & 0xff;
  }
  return sum;
}

export interface ShortNameChoice {
  readonly name11: ShortName11;
  /** A long-name entry set must be written beside the short entry. */
  readonly needsLongName: boolean;
  /** NTRes case bits (only meaningful when needsLongName is false). */
  readonly ntCase: number;
}

/**
 * When `name` is already a valid 8.3 name, returns it: no long name is needed
 * if every letter of the base and of the extension has one case.
 */
export function exactShortName(name: string): ShortNameChoice | null {
  const dot = name.lastIndexOf('.');
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? '' : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8 || ext.length > 3 || (dot >= 0 && ext.length === 0)) return null;
  if (![...base].every(isShortChar) || ![...ext].every(isShortChar)) return null;
  const caseOf = (s: string) => (s === s.toUpperCase() ? 'upper' : s === s.toLowerCase() ? 'lower' : 'mixed');
  const bc = caseOf(base), ec = caseOf(ext);
  const name11 = base.toUpperCase().padEnd(8, ' ') + ext.toUpperCase().padEnd(3, ' ');
  if (bc === 'mixed' || ec === 'mixed') return { name11, needsLongName: true, ntCase: 0 };
  return { name11, needsLongName: false, ntCase: (bc === 'lower' ? NT_LOWER_BASE : 0) | (ec === 'lower' ? NT_LOWER_EXT : 0) };
}

/**
 * The basis name (fatgen103 7.1.2 steps 1-7): upper-cased, invalid characters
 * replaced by "_", spaces and leading periods removed, the primary part up to
 * the first period (8 characters at most), the extension from after the last
 * period (3 at most).
 */
export function basisName(name: string): { base: string; ext: string; lossy: boolean } {
  let lossy = false;
  let s = '';
  for (const ch of name.toUpperCase()) {
    if (ch === ' ') continue;
    if (ch === '.' || isShortChar(ch)) s += ch;
    else { s += '_'; lossy = true; }
  }
  s = s.replace(/^\.+/, '');
  const lastDot = s.lastIndexOf('.');
  const firstDot = s.indexOf('.');
  const base = (firstDot < 0 ? s : s.slice(0, firstDot)).slice(0, 8);
  const ext = lastDot < 0 ? '' : s.slice(lastDot + 1).slice(0, 3);
  return { base: base || '_', ext, lossy };
}

/**
 * Chooses the short name for a new entry called `name`. `taken` tells
 * whether an 11-character short name is already used in the directory.
 */
export function chooseShortName(name: string, taken: (name11: ShortName11) => boolean): ShortNameChoice {
  const exact = exactShortName(name);
  if (exact && !taken(exact.name11)) return exact;
  const { base, ext } = basisName(name);
  // Not an exact 8.3 name (or lossy): a numeric tail is always added.
  for (let n = 1; n <= 999999; n++) {
    const tail = `~${n}`;
    const name11 = (base.slice(0, 8 - tail.length) + tail).padEnd(8, ' ') + ext.padEnd(3, ' ');
    if (!taken(name11)) return { name11, needsLongName: true, ntCase: 0 };
  }
  throw new FatError(NTSTATUS.STATUS_OBJECT_NAME_COLLISION, `no free short name for "${name}" (~1..~999999 all used)`);
}

/** Validates an 11-byte short name as stored on disk (used for volume labels). */
export function labelToName11(label: string): ShortName11 {
  const up = label.toUpperCase();
  if (up.length === 0 || up.length > 11) throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `volume label "${label}" must be 1 to 11 characters`);
  for (const ch of up) {
    if (ch !== ' ' && !isShortChar(ch)) throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `volume label "${label}" contains ${JSON.stringify(ch)}`);
  }
  if (up[0] === ' ') throw new FatError(NTSTATUS.STATUS_INVALID_PARAMETER, `volume label "${label}" starts with a space`);
  return up.padEnd(11, ' ');
}
