/**
 * Se: access tokens. There are no user accounts: every process runs as
 * LocalSystem (S-1-5-18) with the groups Administrators (S-1-5-32-544,
 * enabled, owner) and Everyone (S-1-1-0), and a few of LocalSystem's
 * privileges (SYSTEM_PRIVILEGES). A token's privileges can be enabled,
 * disabled and removed (NtAdjustPrivilegesToken); tokens can be duplicated
 * as primary or impersonation tokens (NtDuplicateToken) and used by
 * NtAccessCheck (se/access-check.ts). Object access elsewhere is still
 * decided by the handle's access mask only: objects carry no security
 * descriptors yet.
 */
import { ObObject, type ObjectType } from '../ob/object.js';

export const TOKEN_DUPLICATE = 0x2;
export const TOKEN_IMPERSONATE = 0x4;
export const TOKEN_QUERY = 0x8;
export const TOKEN_ADJUST_PRIVILEGES = 0x20;
export const TokenType: ObjectType = {
  name: 'Token',
  generic: { read: 0x20008, write: 0x200e0, execute: 0x20000, all: 0xf01ff },
};

export const SE_GROUP_MANDATORY = 1, SE_GROUP_ENABLED_BY_DEFAULT = 2, SE_GROUP_ENABLED = 4, SE_GROUP_OWNER = 8;
export const SE_PRIVILEGE_ENABLED_BY_DEFAULT = 1, SE_PRIVILEGE_ENABLED = 2, SE_PRIVILEGE_REMOVED = 4;
export const SE_PRIVILEGE_USED_FOR_ACCESS = 0x80000000;

/** Privilege LUIDs (low part; the high part is 0), as NT numbers them. */
export const SE_TCB_PRIVILEGE = 7, SE_SECURITY_PRIVILEGE = 8, SE_INC_BASE_PRIORITY_PRIVILEGE = 14, SE_SHUTDOWN_PRIVILEGE = 19;
export const SE_DEBUG_PRIVILEGE = 20, SE_CHANGE_NOTIFY_PRIVILEGE = 23, SE_IMPERSONATE_PRIVILEGE = 29;

/** LocalSystem's privileges here, by LUID, and whether each starts enabled (as on NT: shutdown and security start disabled). */
const SYSTEM_PRIVILEGES: readonly [number, boolean][] = [
  [SE_TCB_PRIVILEGE, true], [SE_SECURITY_PRIVILEGE, false], [SE_INC_BASE_PRIORITY_PRIVILEGE, true], [SE_SHUTDOWN_PRIVILEGE, false],
  [SE_DEBUG_PRIVILEGE, true], [SE_CHANGE_NOTIFY_PRIVILEGE, true], [SE_IMPERSONATE_PRIVILEGE, true],
];

/** TOKEN_TYPE. */
export const TokenPrimary = 1, TokenImpersonation = 2;
/** SECURITY_IMPERSONATION_LEVEL. */
export const SecurityAnonymous = 0, SecurityIdentification = 1;

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

export interface SidAndAttributes { readonly sid: Uint8Array; attributes: number }
export interface Privilege { readonly luid: number; attributes: number }

export class Token extends ObObject {
  tokenType = TokenPrimary;
  impersonationLevel = SecurityAnonymous;
  readonly user: SidAndAttributes = { sid: SYSTEM, attributes: 0 };
  groups: SidAndAttributes[] = [
    { sid: ADMINISTRATORS, attributes: SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED | SE_GROUP_OWNER },
    { sid: EVERYONE, attributes: SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED },
  ];
  privileges: Privilege[] = SYSTEM_PRIVILEGES.map(([luid, on]) => ({ luid, attributes: on ? SE_PRIVILEGE_ENABLED_BY_DEFAULT | SE_PRIVILEGE_ENABLED : 0 }));
  constructor() { super(TokenType); }

  /** A copy (its own privilege and group state) of the given type; EffectiveOnly drops what is disabled. */
  duplicate(tokenType: number, level: number, effectiveOnly: boolean): Token {
    const t = new Token();
    t.tokenType = tokenType;
    t.impersonationLevel = tokenType === TokenImpersonation ? level : SecurityAnonymous;
    t.groups = this.groups.filter((g) => !effectiveOnly || (g.attributes & SE_GROUP_ENABLED) !== 0).map((g) => ({ ...g }));
    t.privileges = this.privileges.filter((p) => !effectiveOnly || (p.attributes & SE_PRIVILEGE_ENABLED) !== 0).map((p) => ({ ...p }));
    return t;
  }

  privilegeEnabled(luid: number): boolean {
    const p = this.privileges.find((x) => x.luid === luid);
    return p !== undefined && (p.attributes & SE_PRIVILEGE_ENABLED) !== 0;
  }

  /** The SIDs an ACE may match: the user and the enabled groups. */
  activeSids(): Uint8Array[] {
    return [this.user.sid, ...this.groups.filter((g) => (g.attributes & SE_GROUP_ENABLED) !== 0).map((g) => g.sid)];
  }
}

/** TOKEN_PRIVILEGES laid out: ULONG PrivilegeCount; LUID_AND_ATTRIBUTES { LUID (8); ULONG }[]. */
export function privilegesBytes(list: readonly Privilege[]): Uint8Array {
  const b = new Uint8Array(4 + 12 * list.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, list.length, true);
  list.forEach((p, i) => { dv.setUint32(4 + i * 12, p.luid, true); dv.setUint32(12 + i * 12, p.attributes >>> 0, true); });
  return b;
}

/**
 * The TOKEN_* structure of class `cls` of `token` laid out for a caller
 * buffer at `base` (pointers inside it are absolute), or undefined for a
 * class not answered.
 */
export function tokenInformation(token: Token, cls: number, base: number): Uint8Array | undefined {
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
  const u32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
  switch (cls) {
    case 1: // TokenUser: SID_AND_ATTRIBUTES { PSID Sid; ULONG Attributes }
      return withSids(new Uint8Array(8), [token.user.sid], () => 0);
    case 2: { // TokenGroups: ULONG GroupCount; SID_AND_ATTRIBUTES Groups[]
      const head = new Uint8Array(4 + token.groups.length * 8);
      const dv = new DataView(head.buffer);
      dv.setUint32(0, token.groups.length, true);
      token.groups.forEach((g, i) => dv.setUint32(8 + i * 8, g.attributes >>> 0, true));
      return withSids(head, token.groups.map((g) => g.sid), (i) => 4 + i * 8);
    }
    case 3: // TokenPrivileges
      return privilegesBytes(token.privileges);
    case 8: // TokenType
      return u32(token.tokenType);
    case 9: // TokenImpersonationLevel: only of an impersonation token
      return token.tokenType === TokenImpersonation ? u32(token.impersonationLevel) : undefined;
    default:
      return undefined;
  }
}
