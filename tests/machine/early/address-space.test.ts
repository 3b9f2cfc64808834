import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestRam } from '../../../src/machine/ram.js';
import { PhysAllocator } from '../../../src/machine/phys-alloc.js';
import { EarlyAddressSpace } from '../../../src/machine/early/address-space.js';
import { GuestMemory } from '../../../src/mmu/guest-memory.js';
import { NTSTATUS, NtStatusError } from '../../../src/abi/ntstatus.js';
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, MEM_TOP_DOWN, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../../../src/abi/layouts.js';

function setup() {
  const ram = new GuestRam(16 << 20);
  const frames = new PhysAllocator(ram);
  const space = new EarlyAddressSpace(ram, frames);
  return { frames, space, mem: new GuestMemory(ram, space.tables.directory) };
}
const status = (s: number) => (e: unknown) => e instanceof NtStatusError && e.status === s;

test('reserve+commit chooses a 64 KiB-aligned base and rounds the size to pages', () => {
  const { space, mem } = setup();
  const [base, size] = space.allocate(0, 5000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  assert.equal(base % 0x10000, 0);
  assert.equal(size, 0x2000);
  mem.writeU32(base + 0x1ffc, 42);
  assert.equal(mem.readU32(base + 0x1ffc), 42);
});

test('top-down allocations come from high addresses', () => {
  const { space } = setup();
  const [low] = space.allocate(0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
  const [high] = space.allocate(0, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
  assert.ok(high > low && high >= 0x70000000, `high ${high.toString(16)}`);
});

test('reserve without commit: the memory is not accessible until committed', () => {
  const { space, mem } = setup();
  const [base] = space.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  assert.throws(() => mem.readU32(base), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  space.allocate(base + 0x3000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  assert.equal(mem.readU32(base + 0x3000), 0);
  assert.throws(() => mem.readU32(base + 0x4000), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
});

test('conflicting reservations and commits outside a reservation are refused', () => {
  const { space } = setup();
  space.allocate(0x200000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  assert.throws(() => space.allocate(0x200000, 0x1000, MEM_RESERVE, PAGE_READWRITE), status(NTSTATUS.STATUS_CONFLICTING_ADDRESSES));
  assert.throws(() => space.allocate(0x300000, 0x1000, MEM_COMMIT, PAGE_READWRITE), status(NTSTATUS.STATUS_CONFLICTING_ADDRESSES));
  assert.throws(() => space.allocate(0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE), status(NTSTATUS.STATUS_INVALID_PARAMETER));
});

test('bad protections and PAGE_GUARD say why', () => {
  const { space } = setup();
  assert.throws(() => space.allocate(0, 0x1000, MEM_COMMIT | MEM_RESERVE, 0x3), status(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION));
  assert.throws(() => space.allocate(0, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD), status(NTSTATUS.STATUS_NOT_IMPLEMENTED));
  assert.throws(() => space.allocate(0, 0x1000, 0x80, PAGE_READWRITE), status(NTSTATUS.STATUS_INVALID_PARAMETER));
});

test('protect changes access and returns the old protection', () => {
  const { space, mem } = setup();
  const [base] = space.allocate(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  mem.writeU32(base, 7);
  const [, , old] = space.protect(base, 0x1000, PAGE_READONLY);
  assert.equal(old, PAGE_READWRITE);
  assert.throws(() => mem.writeU32(base, 1), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.equal(mem.readU32(base), 7);
  space.protect(base, 0x1000, PAGE_NOACCESS);
  assert.throws(() => mem.readU32(base), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  space.protect(base, 0x1000, PAGE_READWRITE);
  assert.equal(mem.readU32(base), 7, 'NOACCESS keeps the page contents');
});

test('decommit and release give frames back; release must name the base', () => {
  const { space, frames, mem } = setup();
  const before = frames.freeFrames;
  const [base, size] = space.allocate(0, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  assert.ok(frames.freeFrames < before);
  space.free(base + 0x1000, 0x1000, MEM_DECOMMIT);
  assert.throws(() => mem.readU32(base + 0x1000), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.throws(() => space.free(base + 0x1000, 0, MEM_RELEASE), status(NTSTATUS.STATUS_FREE_VM_NOT_AT_BASE));
  assert.deepEqual(space.free(base, 0, MEM_RELEASE), [base, size]);
  assert.throws(() => space.free(base, 0, MEM_RELEASE), status(NTSTATUS.STATUS_MEMORY_NOT_ALLOCATED));
  assert.ok(frames.freeFrames >= before - 2, 'only page-table frames may remain in use');
});
