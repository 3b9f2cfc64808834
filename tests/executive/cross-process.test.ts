/**
 * Services across processes: handles duplicated into another process's
 * table, its memory read and written, waiting on and terminating another
 * process, through the executive's dispatch on behalf of a guest thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUntil } from '../../src/executive/boot.js';
import { call, firstThread, machineWith, scratch } from './helpers.js';

const SUCCESS = 0, INVALID_HANDLE = 0xc0000008, ACCESS_VIOLATION = 0xc0000005, TIMEOUT = 0x102, ACCESS_DENIED = 0xc0000022;

test('a handle duplicated into another process names the same object there; DUPLICATE_CLOSE_SOURCE closes ours', () => {
  const { m, procs: [a, b] } = machineWith([{ image: 'exitcode.exe' }, { image: 'exitcode.exe' }]);
  const ta = firstThread(a!), tb = firstThread(b!);
  const sa = scratch(a!), sb = scratch(b!);
  const out = sa + 0x100;
  // a: event, and a handle to b (by client id)
  assert.equal(call(m, ta, sa, 'NtCreateEvent', [out, 0x1f0003, 0, 0, 0]), SUCCESS);
  const ev = a!.space.readU32(out);
  a!.space.writeBytes(sa + 0x200, new Uint8Array(24)); // OBJECT_ATTRIBUTES
  a!.space.writeU32(sa + 0x200, 24);
  a!.space.writeU32(sa + 0x300, b!.pid);
  a!.space.writeU32(sa + 0x304, 0);
  assert.equal(call(m, ta, sa, 'NtOpenProcess', [out + 4, 0x1f0fff, sa + 0x200, sa + 0x300]), SUCCESS);
  const hb = a!.space.readU32(out + 4);
  // duplicate the event into b, closing ours
  assert.equal(call(m, ta, sa, 'NtDuplicateObject', [0xffffffff, ev, hb, out + 8, 0, 0, 2 | 1]), SUCCESS);
  const inB = a!.space.readU32(out + 8);
  assert.equal(call(m, ta, sa, 'NtClose', [ev]), INVALID_HANDLE, 'the source handle was closed');
  // b uses it: set, then a wait is satisfied
  assert.equal(call(m, tb, sb, 'NtSetEvent', [inB, 0]), SUCCESS);
  b!.space.writeU32(sb + 0x100, 0); b!.space.writeU32(sb + 0x104, 0);
  assert.equal(call(m, tb, sb, 'NtWaitForSingleObject', [inB, 0, sb + 0x100]), SUCCESS);
  // reduced access: a duplicate without EVENT_MODIFY_STATE cannot set it
  assert.equal(call(m, tb, sb, 'NtDuplicateObject', [0xffffffff, inB, 0xffffffff, sb + 0x200, 0x100000 /* SYNCHRONIZE */, 0, 0]), SUCCESS);
  assert.equal(call(m, tb, sb, 'NtSetEvent', [b!.space.readU32(sb + 0x200), 0]), ACCESS_DENIED);
  assert.equal(call(m, tb, sb, 'NtDuplicateObject', [0xffffffff, inB, 0xffffffff, sb + 0x200, 0x1f0003, 0, 0]), SUCCESS);
  void runUntil;
});

test('another process\'s memory: read and write through a handle, probed on both sides', () => {
  const { m, procs: [a, b] } = machineWith([{ image: 'exitcode.exe' }, { image: 'exitcode.exe' }]);
  const ta = firstThread(a!);
  const sa = scratch(a!), sb = scratch(b!);
  b!.space.writeBytes(sb + 0x40, new TextEncoder().encode('from b'), true);
  a!.space.writeBytes(sa + 0x200, new Uint8Array(24));
  a!.space.writeU32(sa + 0x200, 24);
  a!.space.writeU32(sa + 0x300, b!.pid);
  assert.equal(call(m, ta, sa, 'NtOpenProcess', [sa + 0x100, 0x1f0fff, sa + 0x200, sa + 0x300]), SUCCESS);
  const hb = a!.space.readU32(sa + 0x100);
  assert.equal(call(m, ta, sa, 'NtReadVirtualMemory', [hb, sb + 0x40, sa + 0x400, 6, sa + 0x104]), SUCCESS);
  assert.equal(new TextDecoder().decode(a!.space.readBytes(sa + 0x400, 6)), 'from b');
  assert.equal(a!.space.readU32(sa + 0x104), 6);
  a!.space.writeBytes(sa + 0x500, new TextEncoder().encode('hello b'), true);
  assert.equal(call(m, ta, sa, 'NtWriteVirtualMemory', [hb, sb + 0x80, sa + 0x500, 7, 0]), SUCCESS);
  assert.equal(new TextDecoder().decode(b!.space.readBytes(sb + 0x80, 7)), 'hello b');
  assert.equal(call(m, ta, sa, 'NtReadVirtualMemory', [hb, 0x10, sa + 0x400, 4, 0]), ACCESS_VIOLATION, 'unmapped in the target');
  assert.equal(call(m, ta, sa, 'NtReadVirtualMemory', [hb, sb + 0x40, 0x10, 4, 0]), ACCESS_VIOLATION, 'unmapped in the caller');
});

test('waiting on another process ends when it is terminated with a status; its handle then reports the exit', () => {
  const { m, procs: [a, b] } = machineWith([{ image: 'exitcode.exe' }, { image: 'hello.exe' }]);
  const ta = firstThread(a!);
  const sa = scratch(a!);
  a!.space.writeBytes(sa + 0x200, new Uint8Array(24));
  a!.space.writeU32(sa + 0x200, 24);
  a!.space.writeU32(sa + 0x300, b!.pid);
  assert.equal(call(m, ta, sa, 'NtOpenProcess', [sa + 0x100, 0x1f0fff, sa + 0x200, sa + 0x300]), SUCCESS);
  const hb = a!.space.readU32(sa + 0x100);
  a!.space.writeU32(sa + 0x110, 0); a!.space.writeU32(sa + 0x114, 0);
  assert.equal(call(m, ta, sa, 'NtWaitForSingleObject', [hb, 0, sa + 0x110]), TIMEOUT);
  assert.equal(call(m, ta, sa, 'NtTerminateProcess', [hb, 0x1234]), SUCCESS);
  assert.ok(b!.terminated);
  assert.equal(call(m, ta, sa, 'NtWaitForSingleObject', [hb, 0, sa + 0x110]), SUCCESS);
  assert.equal(call(m, ta, sa, 'NtQueryInformationProcess', [hb, 0, sa + 0x600, 24, 0]), SUCCESS);
  assert.equal(a!.space.readU32(sa + 0x600), 0x1234, 'ExitStatus');
  // a still runs to its own end
  assert.equal(runUntil(m, () => a!.terminated, 50_000_000), 'done');
  assert.equal(a!.exitStatus, 0);
});
