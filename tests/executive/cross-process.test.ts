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

test('a named section mapped in two processes shares its pages; its frames go back when the last view goes', () => {
  const { m, procs: [a, b] } = machineWith([{ image: 'exitcode.exe' }, { image: 'exitcode.exe' }]);
  const ta = firstThread(a!), tb = firstThread(b!);
  const sa = scratch(a!), sb = scratch(b!);
  const name = '\\BaseNamedObjects\\Shm';
  for (const [p, s] of [[a!, sa], [b!, sb]] as const) {
    const chars = Buffer.from(name, 'utf16le');
    p.space.writeBytes(s + 0x800, chars, true);
    p.space.writeU32(s + 0x700, chars.length | ((chars.length + 2) << 16)); // UNICODE_STRING
    p.space.writeU32(s + 0x704, s + 0x800);
    p.space.writeBytes(s + 0x200, new Uint8Array(24), true); // OBJECT_ATTRIBUTES
    p.space.writeU32(s + 0x200, 24);
    p.space.writeU32(s + 0x208, s + 0x700);
    p.space.writeU32(s + 0x300, 0x20000); p.space.writeU32(s + 0x304, 0); // MaximumSize 128 KiB
    p.space.writeU32(s + 0x310, 0); p.space.writeU32(s + 0x314, 0); // base, view size
  }
  const framesBefore = m.executive.ko.framesInUse;
  assert.equal(call(m, ta, sa, 'NtCreateSection', [sa + 0x100, 0xf001f, sa + 0x200, sa + 0x300, 4, 0x8000000, 0]), SUCCESS);
  assert.equal(m.executive.ko.framesInUse, framesBefore + 32);
  assert.equal(call(m, tb, sb, 'NtOpenSection', [sb + 0x100, 0xf001f, sb + 0x200]), SUCCESS);
  assert.equal(call(m, ta, sa, 'NtMapViewOfSection', [a!.space.readU32(sa + 0x100), 0xffffffff, sa + 0x310, 0, 0, 0, sa + 0x314, 1, 0, 4]), SUCCESS);
  assert.equal(call(m, tb, sb, 'NtMapViewOfSection', [b!.space.readU32(sb + 0x100), 0xffffffff, sb + 0x310, 0, 0, 0, sb + 0x314, 1, 0, 4]), SUCCESS);
  const va = a!.space.readU32(sa + 0x310), vb = b!.space.readU32(sb + 0x310);
  a!.space.writeBytes(va + 0x1ff00, new TextEncoder().encode('shared page'));
  assert.equal(new TextDecoder().decode(b!.space.readBytes(vb + 0x1ff00, 11)), 'shared page');
  // Handles closed and views unmapped in both: the section's frames return to the pool.
  call(m, ta, sa, 'NtClose', [a!.space.readU32(sa + 0x100)]);
  call(m, tb, sb, 'NtClose', [b!.space.readU32(sb + 0x100)]);
  assert.equal(m.executive.ko.framesInUse, framesBefore + 32, 'views keep it alive');
  assert.equal(call(m, ta, sa, 'NtUnmapViewOfSection', [0xffffffff, va]), SUCCESS);
  assert.equal(call(m, tb, sb, 'NtUnmapViewOfSection', [0xffffffff, vb]), SUCCESS);
  assert.equal(m.executive.ko.framesInUse, framesBefore);
  assert.equal(m.executive.namespace.lookup(name, null, false, false).object, undefined);
});
