/**
 * Mm's address space over kernel objects: NT's reserve/commit/decommit/
 * release/protect rules, demand commit, guard pages, probed access (the
 * rules the early layer had, now on seL4 VSpaces).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootKernel, translate } from '../../../src/kernel/index.js';
import { GuestRam } from '../../../src/machine/ram.js';
import { KernelObjects } from '../../../src/executive/ke/objects.js';
import { AddressSpace, FaultResolution } from '../../../src/executive/mm/address-space.js';
import { NTSTATUS, NtStatusError } from '../../../src/abi/ntstatus.js';
import {
  MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, MEM_TOP_DOWN, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
} from '../../../src/abi/layouts.js';

function setup() {
  const ram = new GuestRam(32 << 20);
  const { kernel, bootInfo } = bootKernel({ memory: ram.sab, rootCNodeBits: 14 });
  const ko = new KernelObjects(kernel, bootInfo);
  return { ko, space: new AddressSpace(ko), k: kernel };
}
const status = (s: number) => (e: unknown) => e instanceof NtStatusError && e.status === s;

test('reserve+commit chooses a 64 KiB-aligned base, rounds to pages, and frames come on first touch', () => {
  const { space, ko, k } = setup();
  const [base, size] = space.allocate(0, 5000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  assert.equal(base % 0x10000, 0);
  assert.equal(size, 0x2000);
  const before = ko.framesInUse;
  assert.equal(translate(k, space.vspace.pd, base), -1, 'committed but not yet backed');
  space.writeU32(base + 0x1ffc, 42);
  assert.equal(space.readU32(base + 0x1ffc), 42);
  assert.equal(ko.framesInUse, before + 1, 'only the touched page got a frame');
  assert.equal(space.resolveFault(base, true), FaultResolution.RESOLVED, 'a fault on the other page commits it');
  assert.ok(translate(k, space.vspace.pd, base) >= 0);
});

test('top-down allocations come from high addresses', () => {
  const { space } = setup();
  const [low] = space.allocate(0, 0x1000, MEM_RESERVE, PAGE_READWRITE);
  const [high] = space.allocate(0, 0x1000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
  assert.ok(high > low && high >= 0x70000000, `high ${high.toString(16)}`);
});

test('reserved memory is not accessible until committed; faults there are violations', () => {
  const { space } = setup();
  const [base] = space.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  assert.throws(() => space.readU32(base), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.equal(space.resolveFault(base, false), FaultResolution.VIOLATION);
  space.allocate(base + 0x3000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  assert.equal(space.readU32(base + 0x3000), 0);
  assert.throws(() => space.readU32(base + 0x4000), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
});

test('conflicting reservations, commits outside a reservation, bad protections are refused', () => {
  const { space } = setup();
  space.allocate(0x200000, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  assert.throws(() => space.allocate(0x200000, 0x1000, MEM_RESERVE, PAGE_READWRITE), status(NTSTATUS.STATUS_CONFLICTING_ADDRESSES));
  assert.throws(() => space.allocate(0x300000, 0x1000, MEM_COMMIT, PAGE_READWRITE), status(NTSTATUS.STATUS_CONFLICTING_ADDRESSES));
  assert.throws(() => space.allocate(0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE), status(NTSTATUS.STATUS_INVALID_PARAMETER));
  assert.throws(() => space.allocate(0, 0x1000, MEM_COMMIT | MEM_RESERVE, 0x3), status(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION));
  assert.throws(() => space.allocate(0, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_NOACCESS | PAGE_GUARD), status(NTSTATUS.STATUS_INVALID_PAGE_PROTECTION));
  assert.throws(() => space.allocate(0, 0x1000, 0x80, PAGE_READWRITE), status(NTSTATUS.STATUS_INVALID_PARAMETER));
});

test('protect changes the mapping and returns the old protection; NOACCESS keeps the contents', () => {
  const { space, k } = setup();
  const [base] = space.allocate(0, 0x2000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  space.writeU32(base, 7);
  const [, , old] = space.protect(base, 0x1000, PAGE_READONLY);
  assert.equal(old, PAGE_READWRITE);
  assert.equal(space.vspace.isWritable(base), false, 'the PTE lost its write bit');
  assert.throws(() => space.writeU32(base, 1), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.equal(space.resolveFault(base, true), FaultResolution.VIOLATION);
  space.protect(base, 0x1000, PAGE_NOACCESS);
  assert.equal(translate(k, space.vspace.pd, base), -1, 'unmapped');
  assert.throws(() => space.readU32(base), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  space.protect(base, 0x1000, PAGE_READWRITE);
  assert.equal(space.readU32(base), 7);
});

test('a guard page: one STATUS_GUARD_PAGE_VIOLATION, then an ordinary page; a stack guard moves down silently', () => {
  const { space } = setup();
  const [g] = space.allocate(0, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  assert.equal(space.resolveFault(g, false), FaultResolution.GUARD);
  assert.equal(space.resolveFault(g, false), FaultResolution.RESOLVED);
  const [s] = space.allocate(0, 0x10000, MEM_RESERVE, PAGE_READWRITE, 'stack');
  space.allocate(s + 0xf000, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  space.allocate(s + 0xe000, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  assert.equal(space.resolveFault(s + 0xe010, true), FaultResolution.RESOLVED);
  assert.equal(space.stackLimit, s + 0xe000);
  assert.equal(space.query(s + 0xd000)[5], PAGE_READWRITE | PAGE_GUARD, 'the guard moved one page down');
  for (let p = s + 0xd000; p > s + 0x1000; p -= 0x1000) assert.equal(space.resolveFault(p, true), FaultResolution.RESOLVED);
  assert.equal(space.resolveFault(s + 0x1000, true), FaultResolution.STACK_OVERFLOW, 'no room left for a guard');
});

test('decommit and release give frames back to the pool; release must name the base', () => {
  const { space, ko } = setup();
  const [base, size] = space.allocate(0, 0x4000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  for (let p = base; p < base + size; p += 0x1000) space.writeU32(p, 1);
  const used = ko.framesInUse;
  space.free(base + 0x1000, 0x1000, MEM_DECOMMIT);
  assert.equal(ko.framesInUse, used - 1);
  assert.throws(() => space.readU32(base + 0x1000), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.throws(() => space.free(base + 0x1000, 0, MEM_RELEASE), status(NTSTATUS.STATUS_FREE_VM_NOT_AT_BASE));
  assert.deepEqual(space.free(base, 0, MEM_RELEASE), [base, size]);
  assert.equal(ko.framesInUse, used - 4);
  const [again] = space.allocate(0, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  assert.equal(space.readU32(again), 0, 'a reused frame reads as zero');
  assert.ok(ko.framesReused > 0);
});

test('probed access never crosses into what is not committed, and strings are bounded', () => {
  const { space } = setup();
  const [base] = space.allocate(0, 0x2000, MEM_RESERVE, PAGE_READWRITE);
  space.allocate(base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  assert.throws(() => space.readBytes(base + 0xff0, 0x20), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  assert.throws(() => space.probe(0xfffffff0, 0x20, false), status(NTSTATUS.STATUS_ACCESS_VIOLATION));
  space.writeU32(base, 0x00100008); // Length 8, MaximumLength 16
  space.writeU32(base + 4, base + 0x100);
  assert.equal(space.readUnicodeString(base), '\0\0\0\0');
  space.writeU32(base, 0x00100007);
  assert.throws(() => space.readUnicodeString(base), status(NTSTATUS.STATUS_INVALID_PARAMETER), 'odd length');
});
