import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestRam } from '../../src/machine/ram.js';
import { PhysAllocator } from '../../src/machine/phys-alloc.js';
import { PageTables } from '../../src/mmu/page-tables.js';
import { Access, Mmu, TRANSLATE_FAULT } from '../../src/mmu/mmu.js';
import { PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US, PDE_PS } from '../../src/mmu/paging.js';
import { TLB_VALID } from '../../src/mmu/tlb.js';

function setup() {
  const ram = new GuestRam(16 << 20);
  const frames = new PhysAllocator(ram);
  const pt = new PageTables(ram, frames);
  const mmu = new Mmu(ram);
  mmu.setCr3(pt.directory);
  return { ram, frames, pt, mmu };
}

test('translates a mapped page and fills the read TLB entry in xor form', () => {
  const { frames, pt, mmu } = setup();
  const pa = frames.allocFrame();
  pt.map(0x00401000, pa, false);
  assert.equal(mmu.translate(0x00401234, Access.READ), pa + 0x234);
  const e = mmu.tlb.read[0x401]!;
  assert.equal(e & 0xfff, TLB_VALID);
  assert.equal(((e & ~0xfff) ^ 0x00401234) >>> 0, pa + 0x234);
  assert.equal(mmu.tlb.write[0x401], 0, 'a read must not create a write entry');
});

test('sets the accessed bit on read and the dirty bit on write', () => {
  const { ram, frames, pt, mmu } = setup();
  const pa = frames.allocFrame();
  pt.map(0x10000, pa, true);
  assert.equal(pt.lookup(0x10000) & (PTE_A | PTE_D), 0);
  mmu.translate(0x10000, Access.READ);
  assert.equal(pt.lookup(0x10000) & (PTE_A | PTE_D), PTE_A);
  mmu.translate(0x10004, Access.WRITE);
  assert.equal(pt.lookup(0x10000) & (PTE_A | PTE_D), PTE_A | PTE_D);
  assert.notEqual(mmu.tlb.write[0x10], 0);
  void ram;
});

test('page-fault error codes: not present, protection, write', () => {
  const { frames, pt, mmu } = setup();
  assert.equal(mmu.translate(0x20000, Access.READ), TRANSLATE_FAULT);
  assert.equal(mmu.faultCode, 0b100, 'user read of a non-present page');
  pt.map(0x20000, frames.allocFrame(), false);
  assert.equal(mmu.translate(0x20000, Access.WRITE), TRANSLATE_FAULT);
  assert.equal(mmu.faultCode, 0b111, 'user write to a read-only page');
  assert.equal(mmu.translate(0x20000, Access.FETCH), 0x20000 - 0x20000 + (pt.lookup(0x20000) & ~0xfff));
});

test('supervisor-only pages fault for user accesses', () => {
  const { ram, frames, pt, mmu } = setup();
  const pa = frames.allocFrame();
  pt.map(0x30000, pa, true);
  // Clear U/S in the PTE by hand.
  const pde = ram.i32[(pt.directory >> 2) + 0]!;
  const ptePhys = (pde & ~0xfff) + (0x30 << 2);
  ram.i32[ptePhys >> 2] = pa | PTE_P | PTE_RW;
  assert.equal(mmu.translate(0x30000, Access.READ), TRANSLATE_FAULT);
  assert.equal(mmu.faultCode, 0b101);
  void PTE_US;
});

test('4 MiB pages map through the directory entry', () => {
  const { ram, pt, mmu } = setup();
  ram.i32[(pt.directory >> 2) + 2] = (4 << 20) | PTE_P | PTE_RW | PTE_US | PDE_PS; // va 8 MiB -> pa 4 MiB
  assert.equal(mmu.translate((8 << 20) + 0x12345, Access.WRITE), (4 << 20) + 0x12345);
  assert.equal(ram.i32[(pt.directory >> 2) + 2]! & (PTE_A | PTE_D), PTE_A | PTE_D);
});

test('flush and invalidate-page clear entries', () => {
  const { frames, pt, mmu } = setup();
  pt.map(0x40000, frames.allocFrame(), true);
  pt.map(0x41000, frames.allocFrame(), true);
  mmu.translate(0x40000, Access.WRITE);
  mmu.translate(0x41000, Access.READ);
  mmu.invalidatePage(0x40000);
  assert.equal(mmu.tlb.read[0x40], 0);
  assert.equal(mmu.tlb.write[0x40], 0);
  assert.notEqual(mmu.tlb.read[0x41], 0);
  mmu.setCr3(pt.directory);
  assert.equal(mmu.tlb.read[0x41], 0);
});

test('writes to pages holding code are never cached in the write TLB', () => {
  const { frames, pt, mmu } = setup();
  const pa = frames.allocFrame();
  pt.map(0x50000, pa, true);
  mmu.codePages = { hasCode: (pfn) => pfn === pa >>> 12 };
  mmu.translate(0x50000, Access.WRITE);
  assert.equal(mmu.tlb.write[0x50], 0);
  assert.notEqual(mmu.tlb.read[0x50], 0);
});

test('paging off identity-maps RAM and faults beyond it', () => {
  const ram = new GuestRam(1 << 20);
  const mmu = new Mmu(ram);
  assert.equal(mmu.translate(0x1234, Access.READ), 0x1234);
  assert.equal(mmu.translate(2 << 20, Access.READ), TRANSLATE_FAULT);
});
