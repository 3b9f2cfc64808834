/**
 * Se: the DACL evaluation behind NtAccessCheck, from the documented NT
 * rules. A SECURITY_DESCRIPTOR (self-relative: offsets from its start; or
 * absolute: pointers) names an owner, a group and a DACL. The ACEs are
 * taken in order; an ACE applies when its SID is the token's user or one of
 * its enabled groups (INHERIT_ONLY ACEs never apply to the object itself):
 *  - a plain request: each ACCESS_DENIED ACE naming a right still wanted
 *    denies at once, each ACCESS_ALLOWED ACE grants the wanted rights it
 *    holds; once every wanted right is granted the answer is yes;
 *  - MAXIMUM_ALLOWED: every ACE is visited, a right denied before it is
 *    allowed stays denied; the answer is what was granted (none: denied).
 * No DACL (SE_DACL_PRESENT clear, or a NULL DACL) grants everything asked
 * (MAXIMUM_ALLOWED: GenericAll of the mapping); an empty DACL grants
 * nothing. The owner is granted READ_CONTROL and WRITE_DAC whatever the
 * DACL says. Generic rights in the request are mapped with the caller's
 * GENERIC_MAPPING (those in ACEs are taken as stored: NT maps them when a
 * descriptor is assigned, not at check time). ACCESS_SYSTEM_SECURITY needs
 * SeSecurityPrivilege enabled.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { AddressSpace } from '../mm/address-space.js';
import { SE_SECURITY_PRIVILEGE, type Token } from './token.js';

export const MAXIMUM_ALLOWED = 0x02000000;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
const READ_CONTROL = 0x20000, WRITE_DAC = 0x40000;
const GENERIC_READ = 0x80000000, GENERIC_WRITE = 0x40000000, GENERIC_EXECUTE = 0x20000000, GENERIC_ALL = 0x10000000;
const SE_DACL_PRESENT = 0x4, SE_SELF_RELATIVE = 0x8000;
const ACCESS_ALLOWED_ACE_TYPE = 0, ACCESS_DENIED_ACE_TYPE = 1, INHERIT_ONLY_ACE = 0x8;
const MAX_SID_SUBAUTHORITIES = 15;

export interface GenericMapping { readonly read: number; readonly write: number; readonly execute: number; readonly all: number }

/** Replaces the GENERIC_* bits of `mask` by the specific rights the mapping gives them. */
export function seMapGeneric(mask: number, m: GenericMapping): number {
  let r = mask & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
  if (mask & GENERIC_READ) r |= m.read;
  if (mask & GENERIC_WRITE) r |= m.write;
  if (mask & GENERIC_EXECUTE) r |= m.execute;
  if (mask & GENERIC_ALL) r |= m.all;
  return r >>> 0;
}

interface Ace { readonly type: number; readonly flags: number; readonly mask: number; readonly sid: Uint8Array }
interface Descriptor { readonly owner: Uint8Array; readonly dacl: Ace[] | null }

function bad(status: number, why: string): never { throw new NtStatusError(status, why); }

function readSid(mem: AddressSpace, at: number): Uint8Array {
  const head = mem.readBytes(at, 2);
  if (head[0] !== 1 || head[1]! > MAX_SID_SUBAUTHORITIES) bad(NTSTATUS.STATUS_INVALID_SID, `SID at 0x${at.toString(16)}: revision ${head[0]}, ${head[1]} sub-authorities`);
  return mem.readBytes(at, 8 + 4 * head[1]!);
}

function readAcl(mem: AddressSpace, at: number): Ace[] {
  const h = mem.readBytes(at, 8);
  const dv = new DataView(h.buffer, h.byteOffset);
  const revision = h[0]!, size = dv.getUint16(2, true), count = dv.getUint16(4, true);
  if (revision < 2 || revision > 4 || size < 8) bad(NTSTATUS.STATUS_INVALID_ACL, `ACL revision ${revision}, size ${size}`);
  const aces: Ace[] = [];
  let off = 8;
  for (let i = 0; i < count; i++) {
    if (off + 8 > size) bad(NTSTATUS.STATUS_INVALID_ACL, `ACE ${i} lies past the ACL's ${size} bytes`);
    const a = mem.readBytes(at + off, 8);
    const av = new DataView(a.buffer, a.byteOffset);
    const aceSize = av.getUint16(2, true);
    if (aceSize < 8 || (aceSize & 3) !== 0 || off + aceSize > size) bad(NTSTATUS.STATUS_INVALID_ACL, `ACE ${i} has size ${aceSize}`);
    const type = a[0]!;
    // Only the two basic ACE kinds carry a SID right after the mask; others (audit, object ACEs) are not evaluated.
    const sid = type === ACCESS_ALLOWED_ACE_TYPE || type === ACCESS_DENIED_ACE_TYPE ? readSid(mem, at + off + 8) : new Uint8Array(0);
    if (8 + sid.length > aceSize) bad(NTSTATUS.STATUS_INVALID_ACL, `ACE ${i}: its SID does not fit its size`);
    aces.push({ type, flags: a[1]!, mask: av.getUint32(4, true), sid });
    off += aceSize;
  }
  return aces;
}

/** Reads a SECURITY_DESCRIPTOR from the caller's memory (STATUS_INVALID_SECURITY_DESCR / _ACL / _SID when malformed). */
export function seReadSecurityDescriptor(mem: AddressSpace, at: number): Descriptor {
  const h = mem.readBytes(at, 20);
  const dv = new DataView(h.buffer, h.byteOffset);
  if (h[0] !== 1) bad(NTSTATUS.STATUS_INVALID_SECURITY_DESCR, `revision ${h[0]}`);
  const control = dv.getUint16(2, true);
  const rel = (control & SE_SELF_RELATIVE) !== 0;
  const where = (v: number): number => (v === 0 ? 0 : rel ? (at + v) >>> 0 : v);
  const owner = where(dv.getUint32(4, true)), group = where(dv.getUint32(8, true)), dacl = where(dv.getUint32(16, true));
  // NT's access check needs the owner and the group.
  if (owner === 0 || group === 0) bad(NTSTATUS.STATUS_INVALID_SECURITY_DESCR, 'no owner or no group');
  readSid(mem, group);
  return { owner: readSid(mem, owner), dacl: (control & SE_DACL_PRESENT) !== 0 && dacl !== 0 ? readAcl(mem, dacl) : null };
}

function sameSid(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The rights granted for `desired` (already generic-mapped, may hold MAXIMUM_ALLOWED), or 0 with denied = true. */
export function seAccessCheck(sd: Descriptor, token: Token, desired: number, mapping: GenericMapping): { granted: number; denied: boolean } {
  const sids = token.activeSids();
  const applies = (ace: Ace): boolean => (ace.flags & INHERIT_ONLY_ACE) === 0 && sids.some((s) => sameSid(s, ace.sid));
  const maximum = (desired & MAXIMUM_ALLOWED) !== 0;
  let wanted = (desired & ~MAXIMUM_ALLOWED) >>> 0;
  let preGranted = 0;
  if (wanted & ACCESS_SYSTEM_SECURITY) {
    if (!token.privilegeEnabled(SE_SECURITY_PRIVILEGE)) return { granted: 0, denied: true };
    preGranted |= ACCESS_SYSTEM_SECURITY;
    wanted &= ~ACCESS_SYSTEM_SECURITY;
  }
  if (sd.dacl === null) {
    const all = maximum ? (mapping.all | wanted) >>> 0 : wanted;
    return { granted: (all | preGranted) >>> 0, denied: false };
  }
  if (sids.some((s) => sameSid(s, sd.owner))) preGranted |= READ_CONTROL | WRITE_DAC;
  if (maximum) {
    let granted = preGranted, denied = 0;
    for (const ace of sd.dacl) {
      if (!applies(ace)) continue;
      if (ace.type === ACCESS_ALLOWED_ACE_TYPE) granted |= ace.mask & ~denied;
      else if (ace.type === ACCESS_DENIED_ACE_TYPE) denied |= ace.mask & ~granted;
    }
    granted >>>= 0;
    if ((wanted & ~granted) !== 0 || granted === 0) return { granted: 0, denied: true };
    return { granted, denied: false };
  }
  let remaining = (wanted & ~preGranted) >>> 0;
  let granted = (wanted & preGranted) | (preGranted & ACCESS_SYSTEM_SECURITY);
  for (const ace of sd.dacl) {
    if (remaining === 0) break;
    if (!applies(ace)) continue;
    if (ace.type === ACCESS_DENIED_ACE_TYPE && (ace.mask & remaining) !== 0) return { granted: 0, denied: true };
    if (ace.type === ACCESS_ALLOWED_ACE_TYPE) { granted |= ace.mask & remaining; remaining &= ~ace.mask; }
  }
  if (remaining !== 0 || (granted === 0 && wanted === 0 && preGranted === 0)) return { granted: 0, denied: true };
  return { granted: granted >>> 0, denied: false };
}
