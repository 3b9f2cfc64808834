import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestRam } from '../../src/machine/ram.js';
import { PhysAllocator } from '../../src/machine/phys-alloc.js';
import { PageTables } from '../../src/mmu/page-tables.js';
import { GuestMemory } from '../../src/mmu/guest-memory.js';
import { NTSTATUS, NtStatusError } from '../../src/abi/ntstatus.js';

function setup() {
  const ram = new GuestRam(8 << 20);
  const frames = new PhysAllocator(ram);
  const pt = new PageTables(ram, frames);
  pt.map(0x10000, frames.allocFrame(), true);
  pt.map(0x11000, frames.allocFrame(), true);
  pt.map(0x12000, frames.allocFrame(), false);
  return new GuestMemory(ram, pt.directory);
}

const isAccessViolation = (e: unknown) => e instanceof NtStatusError && e.status === NTSTATUS.STATUS_ACCESS_VIOLATION;

test('reads and writes across a page boundary', () => {
  const m = setup();
  m.writeU32(0x10ffe, 0xdeadbeef);
  assert.equal(m.readU32(0x10ffe), 0xdeadbeef);
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  m.writeBytes(0x10fd0, bytes);
  assert.deepEqual(m.readBytes(0x10fd0, 100), bytes);
});

test('an unmapped pointer is STATUS_ACCESS_VIOLATION, not an engine error', () => {
  const m = setup();
  assert.throws(() => m.readU32(0), isAccessViolation);
  assert.throws(() => m.readU32(0x13000), isAccessViolation);
  assert.throws(() => m.readBytes(0x11f00, 0x2000), isAccessViolation);
  assert.throws(() => m.readU32(0xfffffffe), isAccessViolation);
});

test('a read-only page refuses writes and nothing is written partially', () => {
  const m = setup();
  m.writeU32(0x11ffc, 0x11111111);
  assert.throws(() => m.writeBytes(0x11ffc, new Uint8Array(8).fill(0xaa)), isAccessViolation);
  assert.equal(m.readU32(0x11ffc), 0x11111111, 'the writable half must be untouched');
  assert.equal(m.readU32(0x12000), 0, 'read-only page is readable');
});

test('reads a UNICODE_STRING and rejects odd lengths', () => {
  const m = setup();
  const text = Buffer.from('Hello, Nt', 'utf16le');
  m.writeBytes(0x10100, text);
  m.writeU16(0x10000, text.length);
  m.writeU16(0x10002, text.length);
  m.writeU32(0x10004, 0x10100);
  assert.equal(m.readUnicodeString(0x10000), 'Hello, Nt');
  m.writeU16(0x10000, 3);
  assert.throws(() => m.readUnicodeString(0x10000), (e: unknown) => e instanceof NtStatusError && e.status === NTSTATUS.STATUS_INVALID_PARAMETER);
  m.writeU16(0x10000, 4);
  m.writeU32(0x10004, 0x500000);
  assert.throws(() => m.readUnicodeString(0x10000), isAccessViolation);
});
