/**
 * Threads (NtCreateThread on a caller-made stack), waits across threads,
 * suspend/resume (created suspended, suspended while waiting, suspending
 * itself), mutants (recursion, not-owned, abandoned) and semaphores
 * (guest/programs/ntthread); expected values are NT's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const want: Record<string, string> = {
  'thread.create': '0x00000000', 'thread.client-id': '1', 'thread.wait-its-event': '0x00000000',
  'thread.shared-before-go': '40', 'thread.wait-running-thread-timeout': '0x00000102', 'thread.wait-thread-end': '0x00000000',
  'thread.shared-after': '41', 'thread.resume-ended': '0x00000000',
  'suspended.create': '0x00000000', 'suspended.shared-while-suspended': '0', 'suspended.resume': '0x00000000',
  'suspended.previous-count': '1', 'suspended.wait-its-event': '0x00000000', 'suspended.suspend-waiting': '0x00000000',
  'suspended.shared-after-go-while-suspended': '5', 'suspended.wait-end': '0x00000000', 'suspended.shared-after': '6',
  'self.shared-while-suspended': '1', 'self.previous-count': '1', 'self.shared-after': '2',
  'mutant.create-owned': '0x00000000', 'mutant.wait-owned-again': '0x00000000', 'mutant.release-1': '0x00000000',
  'mutant.release-2': '0x00000000', 'mutant.release-not-owned': '0xc0000046', 'mutant.thread-got': '0x0',
  'mutant.wait-abandoned': '0x00000080', 'mutant.release-after-abandoned': '0x00000000',
  'sem.create': '0x00000000', 'sem.wait-empty': '0x00000102', 'sem.wait-1': '0x00000000', 'sem.wait-2': '0x00000000',
  'sem.wait-3': '0x00000102', 'sem.release': '0x00000000', 'sem.previous': '0', 'sem.release-over-max': '0xc0000047',
  'sem.bad-create': '0xc000000d',
  'timer.create': '0x00000000', 'timer.wait-unset': '0x00000102', 'timer.set': '0x00000000', 'timer.previous-state': '0',
  'timer.wait': '0x00000000', 'timer.waited-at-least-15ms': '1', 'timer.stays-signalled': '0x00000000',
'timer.create-periodic': '0x00000000', 'timer.periodic-ticks': '3',
  'timer.cancel': '0x00000000', 'timer.after-cancel': '0x00000102',
  'apc.queue-1': '0x00000000', 'apc.queue-2': '0x00000000', 'apc.non-alertable-delay': '0x00000000', 'apc.not-yet': '0',
  'apc.test-alert': '0x00000000', 'apc.ran': 'sum 113 order 12', 'apc.alertable-wait-pending': '0x000000c0',
  'apc.after-alertable-wait': 'order 123', 'apc.queue-to-waiter': '0x00000000', 'apc.waiter-woke-with': '0xc0 order 1234',
  'apc.timer-set': '0x00000000', 'apc.timer-alertable-delay': '0x000000c0', 'apc.timer-hits': '7',
  'context.get': '0x00000000', 'context.start-is-a': '1', 'context.set': '0x00000000', 'context.ran-b': '200',
  'context.get-self': '0x00000000', 'context.self-eip-in-ntdll': '1 esp-on-stack: 1',
};

for (const fastpath of [true, false]) test(`ntthread.exe: threads, suspend/resume, mutants, semaphores, timers, APCs and contexts (fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ntthread.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; }, fastpath });
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, k);
  assert.equal(got.size, Object.keys(want).length);
});
