/**
 * The DACL evaluation of NtAccessCheck (src/executive/se/access-check.ts)
 * on descriptors written into a process: the cases the guest program
 * (ntsvc.exe) does not reach — an absolute descriptor, the owner's
 * implicit rights, inherit-only ACEs, ACCESS_SYSTEM_SECURITY, malformed ACLs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS, NtStatusError } from '../../../src/abi/ntstatus.js';
import { seAccessCheck, seReadSecurityDescriptor } from '../../../src/executive/se/access-check.js';
import { Token, sidBytes } from '../../../src/executive/se/token.js';
import { machineWith, scratch } from '../helpers.js';

const EVERYONE = sidBytes(1, [0]);
const ADMINISTRATORS = sidBytes(5, [32, 544]);
const USERS = sidBytes(5, [32, 545]);
const MAPPING = { read: 1, write: 2, execute: 4, all: 0xf };

function acl(aces: { type: number; flags?: number; mask: number; sid: Uint8Array }[], sizeFix = 0): Uint8Array {
  const size = 8 + aces.reduce((n, a) => n + 8 + a.sid.length, 0);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b[0] = 2;
  dv.setUint16(2, size + sizeFix, true);
  dv.setUint16(4, aces.length, true);
  let at = 8;
  for (const a of aces) {
    b[at] = a.type; b[at + 1] = a.flags ?? 0;
    dv.setUint16(at + 2, 8 + a.sid.length, true);
    dv.setUint32(at + 4, a.mask, true);
    b.set(a.sid, at + 8);
    at += 8 + a.sid.length;
  }
  return b;
}

/** An absolute SECURITY_DESCRIPTOR at `base` (pointers), its parts after it. */
function absolute(base: number, owner: Uint8Array, dacl: Uint8Array | null): Uint8Array {
  const b = new Uint8Array(256);
  const dv = new DataView(b.buffer);
  b[0] = 1;
  dv.setUint16(2, dacl === null ? 0 : 4, true);
  dv.setUint32(4, base + 20, true); b.set(owner, 20);
  dv.setUint32(8, base + 60, true); b.set(USERS, 60);
  if (dacl !== null) { dv.setUint32(16, base + 100, true); b.set(dacl, 100); }
  return b;
}

function setup() {
  const { procs } = machineWith([{ image: 'hello.exe' }]);
  const p = procs[0]!;
  return { p, base: scratch(p) };
}

test('absolute descriptor: the owner gets READ_CONTROL | WRITE_DAC even from an empty DACL; others get nothing', () => {
  const { p, base } = setup();
  const token = new Token();
  p.space.writeBytes(base, absolute(base, ADMINISTRATORS, acl([])));
  const sd = seReadSecurityDescriptor(p.space, base);
  assert.deepEqual(seAccessCheck(sd, token, 0x20000, MAPPING), { granted: 0x20000, denied: false });
  assert.deepEqual(seAccessCheck(sd, token, 0x02000000, MAPPING), { granted: 0x60000, denied: false }, 'MAXIMUM_ALLOWED');
  assert.deepEqual(seAccessCheck(sd, token, 0x1, MAPPING), { granted: 0, denied: true });
  p.space.writeBytes(base, absolute(base, USERS, acl([])));
  assert.equal(seAccessCheck(seReadSecurityDescriptor(p.space, base), token, 0x20000, MAPPING).denied, true);
});

test('inherit-only ACEs do not apply; a disabled group does not match; ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege', () => {
  const { p, base } = setup();
  const token = new Token();
  p.space.writeBytes(base, absolute(base, USERS, acl([{ type: 1, flags: 0x8, mask: 0x1, sid: EVERYONE }, { type: 0, mask: 0x1, sid: EVERYONE }])));
  const sd = seReadSecurityDescriptor(p.space, base);
  assert.deepEqual(seAccessCheck(sd, token, 0x1, MAPPING), { granted: 0x1, denied: false });
  token.groups.find((g) => g.sid.length === EVERYONE.length)!.attributes &= ~4; // SE_GROUP_ENABLED off
  assert.equal(seAccessCheck(sd, token, 0x1, MAPPING).denied, true);
  const full = new Token();
  assert.equal(seAccessCheck(sd, full, 0x01000001, MAPPING).denied, true, 'SeSecurityPrivilege is disabled');
  full.privileges.find((x) => x.luid === 8)!.attributes |= 2;
  assert.deepEqual(seAccessCheck(sd, full, 0x01000001, MAPPING), { granted: 0x01000001, denied: false });
});

test('malformed descriptors: no owner, bad ACL size, bad SID answer their NTSTATUS', () => {
  const { p, base } = setup();
  const bad = (b: Uint8Array): number => {
    p.space.writeBytes(base, b);
    try { seReadSecurityDescriptor(p.space, base); return 0; } catch (e) { assert.ok(e instanceof NtStatusError); return e.status >>> 0; }
  };
  const noOwner = absolute(base, USERS, null);
  new DataView(noOwner.buffer).setUint32(4, 0, true);
  assert.equal(bad(noOwner), NTSTATUS.STATUS_INVALID_SECURITY_DESCR);
  assert.equal(bad(absolute(base, USERS, acl([{ type: 0, mask: 1, sid: EVERYONE }], -4))), NTSTATUS.STATUS_INVALID_ACL);
  const badSid = absolute(base, USERS, null);
  badSid[20] = 3;
  assert.equal(bad(badSid), NTSTATUS.STATUS_INVALID_SID);
});
