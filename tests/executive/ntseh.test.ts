/**
 * Structured exception handling end to end (guest/programs/ntseh): faults
 * and NtRaiseException go to ntdll's KiUserExceptionDispatcher with NT's
 * EXCEPTION_RECORD and CONTEXT, SEH frames handle them and NtContinue
 * resumes; the last, unhandled one ends the process through the second
 * chance with one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

test('ntseh.exe: handled, nested, guard-page and software exceptions; then an unhandled one', () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ntseh.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; } });
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  const want: Record<string, string> = {
    'av.code': '0xc0000005',
    'av.address-is-instruction': '1',
    'av.info': '0 0x10', // read (0) of 0x10: NT's ExceptionInformation for an access violation
    'av.resumed-with-ecx': '0x1234', // the handler's CONTEXT change took effect through NtContinue
    'nested.order': '12', // inner frame searched first (passed), then the outer one handled it
    'nested.info1': '0x20',
    'guard.code': '0x80000001', // STATUS_GUARD_PAGE_VIOLATION
    'guard.second-touch-code': '0x00000000 value 0', // the guard is gone after the first touch
    'software.code': '0xe0000001 info 77',
    'unhandled.next': '1',
  };
  for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, k);
  assert.equal(got.has('software.not-reached'), false);
  assert.equal(got.has('unhandled.survived'), false);
  assert.equal(r.exitStatus, 0xc0000005);
  assert.match(r.exception!, /^unhandled exception STATUS_ACCESS_VIOLATION \(0xc0000005\).* at 0x[0-9a-f]{8} \(ntseh\.exe\+0x[0-9a-f]+\): write to 0x00000000 \(page not mapped\)$/);
});

test('a committed page that finds no frame ends the process with STATUS_NO_MEMORY, and the system keeps running', async () => {
  const { bootNt, runUntil } = await import('../../src/executive/boot.js');
  const m = bootNt({ memory: 16 << 20, console: () => {} });
  const bin = guestBinDir();
  const hog = m.executive.createProcess({ image: join(bin, 'memhog.exe'), args: ['64'], dllPath: [bin] });
  assert.equal(runUntil(m, () => hog.terminated, 100_000_000), 'done');
  assert.equal(hog.exitStatus, 0xc0000017);
  assert.match(m.executive.exits[0]!.exception!, /STATUS_NO_MEMORY.*\(memhog\.exe\+0x[0-9a-f]+\): write to 0x[0-9a-f]{8} \(guest RAM is exhausted \(no free frame\)/);
  // Its frames went back to the pool: a program still runs to completion.
  const again = m.executive.createProcess({ image: join(bin, 'exitcode.exe'), args: ['5'], dllPath: [bin] });
  assert.equal(runUntil(m, () => again.terminated, 50_000_000), 'done');
  assert.equal(again.exitStatus, 5);
});
