/**
 * Se: access tokens, as much as programs query. There are no user accounts:
 * every process runs as LocalSystem (S-1-5-18) with the groups
 * Administrators (S-1-5-32-544, enabled, owner) and Everyone (S-1-1-0) and
 * one privilege, SeChangeNotifyPrivilege (enabled by default). Access
 * checks against tokens do not exist yet: object access is decided by the
 * handle's access mask only.
 */
import { ObObject, type ObjectType } from '../ob/object.js';

export const TOKEN_QUERY = 0x8;
export const TokenType: ObjectType = {
  name: 'Token',
  generic: { read: 0x20008, write: 0x200e0, execute: 0x20000, all: 0xf01ff },
};

const SE_GROUP_MANDATORY = 1, SE_GROUP_ENABLED_BY_DEFAULT = 2, SE_GROUP_ENABLED = 4, SE_GROUP_OWNER = 8;
const SE_PRIVILEGE_ENABLED_BY_DEFAULT = 1, SE_PRIVILEGE_ENABLED = 2;
const SE_CHANGE_NOTIFY_PRIVILEGE = 23;

/** A SID in its binary form: revision 1, sub-authority count, 6-byte big-endian authority, sub-authorities. */
export function sidBytes(authority: number, subs: readonly number[]): Uint8Array {
  const b = new Uint8Array(8 + subs.length * 4);
  const dv = new DataView(b.buffer);
  b[0] = 1;
  b[1] = subs.length;
  dv.setUint16(2, 0);
  dv.setUint32(4, authority);
  subs.forEach((s, i) => dv.setUint32(8 + i * 4, s >>> 0, true));
  return b;
}

const SYSTEM = sidBytes(5, [18]);
const ADMINISTRATORS = sidBytes(5, [32, 544]);
const EVERYONE = sidBytes(1, [0]);

export class Token extends ObObject {
  constructor() { super(TokenType); }
}

/**
 * The TOKEN_* structure of class `cls` laid out for a caller buffer at `base`
 * (pointers inside it are absolute), or undefined for a class not answered.
 */
export function tokenInformation(cls: number, base: number): Uint8Array | undefined {
  const withSids = (head: Uint8Array, sids: readonly Uint8Array[], pointerAt: (i: number) => number): Uint8Array => {
    const total = head.length + sids.reduce((n, x) => n + x.length, 0);
    const out = new Uint8Array(total);
    out.set(head);
    const dv = new DataView(out.buffer);
    let at = head.length;
    sids.forEach((sid, i) => {
      dv.setUint32(pointerAt(i), (base + at) >>> 0, true);
      out.set(sid, at);
      at += sid.length;
    });
    return out;
  };
  switch (cls) {
    case 1: // TokenUser: SID_AND_ATTRIBUTES { PSID Sid; ULONG Attributes }
      return withSids(new Uint8Array(8), [SYSTEM], () => 0);
    case 2: { // TokenGroups: ULONG GroupCount; SID_AND_ATTRIBUTES Groups[]
      const head = new Uint8Array(4 + 2 * 8);
      const dv = new DataView(head.buffer);
      dv.setUint32(0, 2, true);
      dv.setUint32(8, SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED | SE_GROUP_OWNER, true);
      dv.setUint32(16, SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED, true);
      return withSids(head, [ADMINISTRATORS, EVERYONE], (i) => 4 + i * 8);
    }
    case 3: { // TokenPrivileges: ULONG PrivilegeCount; LUID_AND_ATTRIBUTES { LUID (8); ULONG }[]
      const b = new Uint8Array(4 + 12);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, 1, true);
      dv.setUint32(4, SE_CHANGE_NOTIFY_PRIVILEGE, true);
      dv.setUint32(12, SE_PRIVILEGE_ENABLED_BY_DEFAULT | SE_PRIVILEGE_ENABLED, true);
      return b;
    }
    case 8: { // TokenType: TokenPrimary
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, 1, true);
      return b;
    }
    default:
      return undefined;
  }
}
