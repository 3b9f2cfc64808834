/**
 * The Ps set-information, Se (tokens, privileges, NtAccessCheck) and Ex
 * (hard errors, locale, shutdown) conformance program
 * (guest/programs/ntsvc) run on the kernel + executive; each line is what
 * NT answers for that call (statuses from Microsoft's documentation of the
 * same services: 0xc000000d INVALID_PARAMETER, 0xc0000004
 * INFO_LENGTH_MISMATCH, 0xc0000003 INVALID_INFO_CLASS, 0xc0000022
 * ACCESS_DENIED, 0x106 NOT_ALL_ASSIGNED, 0xc000005c NO_IMPERSONATION_TOKEN,
 * 0xc00000a5 BAD_IMPERSONATION_LEVEL, 0xc00000a8 BAD_TOKEN_TYPE,
 * 0xc0000079 INVALID_SECURITY_DESCR, 0xc0000061 PRIVILEGE_NOT_HELD).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const expected: Record<string, string> = {
  "thread.priority-set": "0x00000000",
  "thread.priority": "12",
  "thread.priority-zero": "0xc000000d",
  "thread.priority-32": "0xc000000d",
  "thread.priority-short": "0xc0000004",
  "thread.base-priority": "0x00000000",
  "thread.base-priority-value": "10",
  "thread.base-priority-3": "0xc000000d",
  "thread.affinity": "0x00000000",
  "thread.affinity-zero": "0xc000000d",
  "thread.affinity-outside": "0xc000000d",
  "thread.hide": "0x00000000",
  "thread.hide-query": "0x00000000",
  "thread.hidden": "1",
  "thread.hide-length": "0xc0000004",
  "thread.zero-tls": "0x00000000",
  "thread.tls-cell": "0",
  "thread.bad-class": "0xc0000003",
  "thread.am-last": "0x00000000",
  "thread.am-last-value": "1",
  "thread.set-without-access": "0xc0000022",
  "process.set-without-access": "0xc0000022",
  "process.priority-class": "0x00000000",
  "process.priority-class-query": "0x00000000",
  "process.priority-class-value": "3 base 13 thread 13",
  "process.priority-class-bad": "0xc000000d",
  "process.base-priority": "0x00000000",
  "process.base-priority-bad": "0xc000000d",
  "process.affinity": "0x00000000",
  "process.affinity-bad": "0xc000000d",
  "process.hard-error-mode": "0x00000000",
  "process.hard-error-mode-value": "7",
  "process.hard-error-mode-length": "0xc0000004",
  "process.exception-port": "0xc0000002",
  "process.debug-port-query": "0x00000000",
  "process.debug-port": "0",
  "process.wow64": "0x00000000",
  "process.bad-class": "0xc0000003",
  "token.open-ex": "0x00000000",
  "adjust.prev-too-small": "0xc0000023",
  "adjust.prev-needs": "16",
  "adjust.enable": "0x00000000",
  "adjust.previous": "1 luid 19 attributes 0",
  "adjust.enable-again": "0x00000000",
  "adjust.previous-again": "0",
  "adjust.disable": "0x00000000",
  "adjust.not-held": "0x00000106",
  "adjust.no-state": "0xc000000d",
  "privcheck.all": "0x00000000",
  "privcheck.all-result": "0 used 0x80000000 0x0",
  "privcheck.any-result": "1",
  "dup.impersonation": "0x00000000",
  "dup.anonymous": "0x00000000",
  "dup.primary": "0x00000000",
  "dup.bad-type": "0xc000000d",
  "dup.type": "2",
  "access.primary-token": "0xc000005c status 0x00001234 granted 0xdead",
  "access.anonymous-token": "0xc00000a5 status 0x00001234 granted 0xdead",
  "access.no-dacl": "0x00000000 status 0x00000000 granted 0x3",
  "access.null-dacl-maximum": "0x00000000 status 0x00000000 granted 0xf",
  "access.empty-dacl": "0x00000000 status 0xc0000022 granted 0x0",
  "access.allowed": "0x00000000 status 0x00000000 granted 0x3",
  "access.partly": "0x00000000 status 0xc0000022 granted 0x0",
  "access.generic-read": "0x00000000 status 0x00000000 granted 0x1",
  "access.generic-all": "0x00000000 status 0xc0000022 granted 0x0",
  "access.maximum": "0x00000000 status 0x00000000 granted 0x3",
  "access.denied-first": "0x00000000 status 0xc0000022 granted 0x0",
  "access.denied-first-other-right": "0x00000000 status 0x00000000 granted 0x1",
  "access.denied-first-maximum": "0x00000000 status 0x00000000 granted 0x1",
  "access.allowed-first": "0x00000000 status 0x00000000 granted 0x2",
  "access.other-sid": "0x00000000 status 0xc0000022 granted 0x0",
  "access.bad-revision": "0xc0000079 status 0x00001234 granted 0xdead",
  "thread-token.none": "0xc000007c",
  "impersonate.primary": "0xc00000a8",
  "impersonate": "0x00000000",
  "thread-token.open": "0x00000000",
  "revert": "0x00000000",
  "thread-token.after-revert": "0xc000007c",
  "locale.query-user": "0x00000000",
  "locale.user": "0x409",
  "locale.set-user": "0x00000000",
  "locale.user-after": "0x407",
  "locale.system-unchanged": "0x409",
  "locale.set-bad": "0xc000000d",
  "harderror.ok": "0x00000000",
  "harderror.ok-response": "6",
  "harderror.yesno": "0x00000000",
  "harderror.yesno-response": "1",
  "harderror.too-many": "0xc00000f0",
  "harderror.bad-option": "0xc00000f3",
  "shutdown.not-held": "0xc0000061",
  "shutdown.bad-action": "0xc000000d",
};

function run(args: string[], fastpath: boolean): { out: string; r: ReturnType<typeof runNtProgram> } {
  let out = '';
  const r = runNtProgram({
    image: join(guestBinDir(), 'ntsvc.exe'), args, dllPath: [guestBinDir()], memory: 64 << 20,
    console: (s) => { out += s; }, fastpath,
  });
  return { out, r };
}

for (const fastpath of [true, false]) test(`ntsvc.exe: Ps/Se/Ex services answer what NT answers (kernel fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  const { out, r } = run([], fastpath);
  if (fastpath) assert.ok(r.core.fastpaths > 10, 'the Call fastpath was taken');
  else assert.equal(r.core.fastpaths, 0);
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  assert.equal(r.shutdown, undefined);
  const lines = out.trim().split('\n');
  // The hard errors were printed with their status, text and parameters.
  assert.ok(lines.includes('hard error from ntsvc.exe (pid 4): STATUS_DLL_NOT_FOUND (0xc0000135): A DLL the image needs was not found; parameters "missing.dll", 0x42 [OptionOk]'), out);
  const got = new Map(lines.filter((l) => !l.startsWith('hard error')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  for (const [k, v] of Object.entries(expected)) assert.equal(got.get(k), v, k);
  assert.equal(got.size, Object.keys(expected).length, 'no unexpected lines');
});

test('ntsvc.exe shutdown: with SeShutdownPrivilege enabled NtShutdownSystem ends every process and the run stops cleanly', () => {
  const { out, r } = run(['shutdown'], true);
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  assert.equal(r.shutdown, 'ShutdownPowerOff by ntsvc.exe (pid 4)');
  assert.match(out, /shutdown: now\nNtShutdownSystem\(ShutdownPowerOff\) from ntsvc\.exe \(pid 4\): ending every process/);
  assert.doesNotMatch(out, /shutdown: returned/);
  assert.equal(r.executive.processes.size, 0);
});
