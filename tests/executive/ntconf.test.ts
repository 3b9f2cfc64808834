/**
 * The native API conformance program (guest/programs/ntconf) run on the
 * kernel + executive; each line's status is what NT returns for that call
 * (Windows/ReactOS semantics of the same services).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const S = {
  SUCCESS: 0, TIMEOUT: 0x102, WAIT_1: 1, NAME_EXISTS: 0x40000000, INVALID_HANDLE: 0xc0000008, NAME_COLLISION: 0xc0000035,
  PATH_NOT_FOUND: 0xc000003a, NAME_NOT_FOUND: 0xc0000034, SYNTAX_BAD: 0xc000003b, TYPE_MISMATCH: 0xc0000024,
  BUFFER_TOO_SMALL: 0xc0000023, ACCESS_VIOLATION: 0xc0000005, INVALID_PARAMETER_1: 0xc00000ef, CONFLICTING: 0xc0000018,
  FREE_VM_NOT_AT_BASE: 0xc000009f, INVALID_PAGE_PROTECTION: 0xc0000045, NOT_IMPLEMENTED: 0xc0000002,
};

const expected: Record<string, number | string> = {
  'close.invalid': S.INVALID_HANDLE, 'event.create': S.SUCCESS, 'dup.same': S.SUCCESS, 'dup.distinct': '1',
  'close.first': S.SUCCESS, 'close.twice': S.INVALID_HANDLE, 'set.through-dup': S.SUCCESS, 'wait.signalled': S.SUCCESS,
  'dup.close-source': S.SUCCESS, 'close.after-close-source': S.INVALID_HANDLE, 'close.pseudo-process': S.INVALID_HANDLE,
  'dir.create': S.SUCCESS, 'dir.create-again': S.NAME_COLLISION, 'dir.openif': S.NAME_EXISTS,
  'event.create-named-relative': S.SUCCESS, 'event.open-case-insensitive': S.SUCCESS, 'event.open-case-sensitive': S.PATH_NOT_FOUND,
  'link.create': S.SUCCESS, 'event.open-through-two-links': S.SUCCESS, 'event.set-via-link-handle': S.SUCCESS,
  'event.wait-sync': S.SUCCESS, 'link.query': S.SUCCESS, 'link.target': '\\BaseNamedObjects\\ntconf (50)',
  'link.query-small': S.BUFFER_TOO_SMALL, 'object.make-permanent': S.SUCCESS, 'event.open-permanent-after-close': S.SUCCESS,
  'object.make-temporary': S.SUCCESS, 'event.open-temporary-after-close': S.NAME_NOT_FOUND, 'object.query-name': S.SUCCESS,
  'object.name': '\\BaseNamedObjects\\ntconf', 'object.query-type': S.SUCCESS, 'object.type': 'SymbolicLink',
  'name.relative-without-root': S.SYNTAX_BAD, 'name.missing-path': S.PATH_NOT_FOUND, 'type.mismatch': S.TYPE_MISMATCH,
  'event.create-a': S.SUCCESS, 'event.create-b': S.SUCCESS, 'wait.poll-unsignalled': S.TIMEOUT, 'wait.timeout-20ms': S.TIMEOUT,
  'wait.timeout-took-at-least-20ms': '1', 'wait.any': S.WAIT_1, 'wait.all-timeout': S.TIMEOUT, 'wait.all': S.SUCCESS,
  'wait.sync-consumed': S.TIMEOUT, 'wait.notification-stays': S.SUCCESS, 'wait.bad-count': S.INVALID_PARAMETER_1,
  'delay.10ms': S.SUCCESS, 'delay.took-at-least-10ms': '1', 'yield': S.SUCCESS, 'wait.on-process': S.TIMEOUT,
  'mem.reserve': S.SUCCESS, 'mem.query-reserved': S.SUCCESS, 'mem.reserved-state': '0x2000 size 0x20000',
  'mem.commit': S.SUCCESS, 'mem.query-committed': S.SUCCESS, 'mem.committed': 'state 0x1000 protect 0x4 size 0x2000',
  'mem.protect-readonly': S.SUCCESS, 'mem.old-protect': '0x4 value 42', 'mem.display-from-readonly-ok': S.SUCCESS,
  'mem.write-service-into-readonly': S.ACCESS_VIOLATION, 'mem.unmapped-out-pointer': S.ACCESS_VIOLATION,
  'mem.unmapped-in-string': S.ACCESS_VIOLATION, 'mem.write-own': S.SUCCESS, 'mem.read-own': S.SUCCESS,
  'mem.copied': '89ab456789abcde 16', 'mem.read-unmapped': S.ACCESS_VIOLATION, 'mem.commit-outside': S.CONFLICTING,
  'mem.release-not-base': S.FREE_VM_NOT_AT_BASE, 'mem.release': S.SUCCESS, 'mem.query-released': S.SUCCESS,
  'mem.released-state': '0x10000', 'mem.bad-protection': S.INVALID_PAGE_PROTECTION, 'mem.guard-commit': S.SUCCESS,
  'mem.guard-protect': '0x104', 'stack.grew': '1',
  'query.process': S.SUCCESS, 'query.process-fields': '1 1 24', 'query.process-bad-length': 0xc0000004,
  'query.process-bad-class': 0xc0000003, 'query.thread': S.SUCCESS, 'query.thread-fields': '1 1', 'query.system': S.SUCCESS,
  'query.system-fields': 'page 4096 processors 1', 'open.process-self': S.SUCCESS, 'open.process-handle-works': S.SUCCESS,
  'open.thread-self': S.SUCCESS, 'open.process-bad-cid': 0xc000000b,
  'kusd.version': '5.1 machine 0x14c', 'kusd.system-root': 'C:\\Windows', 'kusd.system-time-advances': '1',
  'kusd.write-is-refused': S.ACCESS_VIOLATION,
  'token.open-process': S.SUCCESS, 'token.user-small': S.BUFFER_TOO_SMALL, 'token.user-needs': '20', 'token.user': S.SUCCESS,
  'token.user-sid': 'S-1-5-18', 'token.groups': S.SUCCESS, 'token.privileges': S.SUCCESS, 'token.groups-list': '2 first S-1-5-32-544', 'token.privileges-list': '7 luid 7 attributes 3',
  'token.type': S.SUCCESS, 'token.type-value': '1', 'token.bad-class': 0xc0000003, 'token.thread': 0xc000007c,
  'section.create': S.SUCCESS, 'section.file-backed': S.NOT_IMPLEMENTED, 'section.map-1': S.SUCCESS, 'section.map-2': S.SUCCESS,
  'section.map-readonly': S.SUCCESS, 'section.views': 'distinct 1 size 0x10000', 'section.shared': '0xfeedf00d 0xfeedf00d',
  'section.query': 'type 0x40000 state 0x1000', 'section.write-readonly-view': S.ACCESS_VIOLATION, 'section.close-handle': S.SUCCESS,
  'section.still-mapped': '0xfeedf00d', 'section.unmap-1': S.SUCCESS, 'section.unmap-again': 0xc0000019, 'section.unmap-2': S.SUCCESS,
  'section.unmap-3': S.SUCCESS, 'not-implemented': S.NOT_IMPLEMENTED,
};

for (const fastpath of [true, false]) test(`ntconf.exe: every native API check answers what NT answers (kernel fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  let out = '';
  const r = runNtProgram({
    image: join(guestBinDir(), 'ntconf.exe'), args: [], dllPath: [guestBinDir()], memory: 64 << 20,
    console: (s) => { out += s; }, fastpath,
  });
  if (fastpath) assert.ok(r.core.fastpaths > 100, 'the Call fastpath was taken');
  else assert.equal(r.core.fastpaths, 0);
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  for (const [k, v] of Object.entries(expected)) {
    const want = typeof v === 'number' ? `0x${v.toString(16).padStart(8, '0')}` : v;
    assert.equal(got.get(k), want, k);
  }
  assert.equal(got.size, Object.keys(expected).length, 'no unexpected lines');
  // ~300 KiB of recursion met the stack's guard page page after page: each a fault Mm answered.
  assert.ok(r.executive.faults > 50, `${r.executive.faults} faults`);
});

test('a fault in a guest ends the process with one line naming exception, address and module', () => {
  const r = runNtProgram({ image: join(guestBinDir(), 'fault.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: () => {} });
  assert.equal(r.exitStatus, 0xc0000005);
  assert.match(r.exception!, /STATUS_ACCESS_VIOLATION.*fault\.exe\+0x[0-9a-f]+.*write to 0x00000010 \(page not mapped\)/);
});
