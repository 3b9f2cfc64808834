/**
 * Image views share the section's frames (src/executive/mm/image-section.ts,
 * address-space.ts): read-only and executable pages map the section's own
 * physical frames in every view; writable pages are WRITECOPY and get a
 * private frame on their first write (a write fault, a service's write, or
 * another process writing them), so no view sees another's writes. Checked
 * through the page tables (ProcessVSpace.pte), not only the contents; and
 * with two running processes of one program, whose loader writes are
 * copied transparently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootKernel } from '../../../src/kernel/index.js';
import { GuestRam } from '../../../src/machine/ram.js';
import { KernelObjects } from '../../../src/executive/ke/objects.js';
import { AddressSpace, FaultResolution, MEM_IMAGE } from '../../../src/executive/mm/address-space.js';
import { mmCreateImageSection, mmMapImageView, type ImageSection } from '../../../src/executive/mm/image-section.js';
import { obDereferenceObject, obReferenceObject } from '../../../src/executive/ob/object.js';
import {
  MEM_COMMIT, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY,
} from '../../../src/abi/layouts.js';
import { guestBinDir } from '../../../src/machine/paths.js';
import { bootNt, runUntil } from '../../../src/executive/boot.js';

// ldrdep.dll at 0x400000: headers, .text 0x1000 (r-x), .rdata 0x2000 (r--), .data 0x3000 (rw-), .reloc 0x4000 (r--).
const TEXT = 0x1000;
const RDATA = 0x2000;
const DATA = 0x3000;

function setup() {
  const ram = new GuestRam(32 << 20);
  const { kernel, bootInfo } = bootKernel({ memory: ram.sab, rootCNodeBits: 14 });
  const ko = new KernelObjects(kernel, bootInfo);
  const s = mmCreateImageSection(ko, readFileSync(join(guestBinDir(), 'ldrdep.dll')), 'ldrdep.dll');
  obReferenceObject(s); // the test's "handle"
  return { ko, s };
}

/** Two address spaces, each with a view of the section at its base. */
function setupTwoViews() {
  const { ko, s } = setup();
  const a = new AddressSpace(ko);
  const b = new AddressSpace(ko);
  mmMapImageView(ko, s, a, 0);
  mmMapImageView(ko, s, b, 0);
  return { ko, s, a, b };
}

/** The physical page `va` is mapped to (the PTE's frame), or -1 when not present. */
function frameAt(a: AddressSpace, va: number): number {
  const pte = a.vspace.pte(va);
  return (pte & 1) === 0 ? -1 : (pte & ~0xfff) >>> 0;
}
const sectionPage = (ko: KernelObjects, s: ImageSection, rva: number) => ko.physOf(s.frames[rva / 0x1000]!);

test('two views of one image map the same physical frames, read-only, with WRITECOPY for writable sections', () => {
  const { ko, s } = setup();
  const a = new AddressSpace(ko);
  const b = new AddressSpace(ko);
  const inUse = ko.framesInUse;
  assert.deepEqual(mmMapImageView(ko, s, a, 0), { base: 0x400000, atBase: true });
  assert.deepEqual(mmMapImageView(ko, s, b, 0), { base: 0x400000, atBase: true });
  assert.equal(ko.framesInUse, inUse, 'mapping a view takes no frame');
  for (const rva of [0, TEXT, RDATA, DATA]) {
    assert.equal(frameAt(a, 0x400000 + rva), sectionPage(ko, s, rva), `rva ${rva.toString(16)}: the section's frame in the first view`);
    assert.equal(frameAt(b, 0x400000 + rva), sectionPage(ko, s, rva), `rva ${rva.toString(16)}: the section's frame in the second view`);
    assert.equal(a.vspace.isWritable(0x400000 + rva), false, 'shared pages are never mapped writable');
  }
  const q = (va: number) => a.query(va);
  assert.equal(q(0x400000)[5], PAGE_READONLY);
  assert.equal(q(0x400000 + TEXT)[5], PAGE_EXECUTE_READ);
  assert.equal(q(0x400000 + RDATA)[5], PAGE_READONLY);
  assert.equal(q(0x400000 + DATA)[5], PAGE_WRITECOPY, '.data is WRITECOPY until written');
  assert.deepEqual([q(0x400000 + DATA)[1], q(0x400000 + DATA)[2], q(0x400000 + DATA)[4], q(0x400000 + DATA)[6]], [0x400000, PAGE_EXECUTE_WRITECOPY, MEM_COMMIT, MEM_IMAGE]);
});

test('a write to .data (a fault) copies the page for that view only, and it becomes PAGE_READWRITE', () => {
  const { ko, s, a, b } = setupTwoViews();
  const va = 0x400000 + DATA;
  const before = a.readU32(va + 8);
  const inUse = ko.framesInUse;
  assert.equal(a.resolveFault(va + 8, false), FaultResolution.VIOLATION, 'a read of a mapped page is not a fault Mm fixes');
  assert.equal(a.resolveFault(va + 8, true), FaultResolution.RESOLVED, 'the write fault is fixed silently');
  assert.equal(ko.framesInUse, inUse + 1, 'one private frame');
  assert.equal(a.copyOnWrites, 1);
  assert.notEqual(frameAt(a, va), sectionPage(ko, s, DATA));
  assert.equal(a.vspace.isWritable(va), true);
  assert.equal(a.readU32(va + 8), before, 'the copy has the page\'s bytes');
  assert.equal(a.query(va)[5], PAGE_READWRITE);
  a.writeU32(va + 8, 0x12345678);
  assert.equal(a.readU32(va + 8), 0x12345678);
  assert.equal(b.readU32(va + 8), before, 'the other view does not see the write');
  assert.equal(frameAt(b, va), sectionPage(ko, s, DATA));
  assert.equal(b.query(va)[5], PAGE_WRITECOPY);
  // A second write fault on the now-private page is a real protection fault only if the page is not writable.
  assert.equal(a.resolveFault(va, true), FaultResolution.VIOLATION);
  assert.equal(a.resolveFault(0x400000 + TEXT, true), FaultResolution.VIOLATION, 'code is not writable');
  assert.equal(a.resolveFault(0x400000 + RDATA, true), FaultResolution.VIOLATION, '.rdata is not writable');
});

test('a service writing a shared page (NtWriteVirtualMemory, an output argument) copies it first', () => {
  const { ko, s, a, b } = setupTwoViews();
  const va = 0x400000 + DATA;
  const before = a.readU32(va);
  b.writeBytes(va, new Uint8Array([1, 2, 3, 4]));
  assert.equal(b.readU32(va), 0x04030201);
  assert.equal(a.readU32(va), before);
  assert.equal(ko.k.m[sectionPage(ko, s, DATA) >> 2], before, 'the section\'s frame is untouched');
  assert.throws(() => b.writeU32(0x400000 + TEXT, 0), /STATUS_ACCESS_VIOLATION|write to/, 'a read-only page still refuses a service write');
});

test('protecting code writable gives PAGE_EXECUTE_WRITECOPY, the write a private copy, and restoring keeps it private', () => {
  const { ko, s, a, b } = setupTwoViews();
  const va = 0x400000 + TEXT;
  const code = a.readU32(va);
  assert.deepEqual(a.protect(va, 0x1000, PAGE_EXECUTE_READWRITE), [va, 0x1000, PAGE_EXECUTE_READ]);
  assert.equal(a.query(va)[5], PAGE_EXECUTE_WRITECOPY, 'still shared: WRITECOPY, as NT reports it');
  assert.equal(frameAt(a, va), sectionPage(ko, s, TEXT));
  assert.equal(a.vspace.isWritable(va), false);
  assert.equal(a.protect(0x400000, 0x1000, PAGE_READWRITE)[2], PAGE_READONLY);
  assert.equal(a.query(0x400000)[5], PAGE_WRITECOPY);
  assert.equal(a.resolveFault(va + 4, true), FaultResolution.RESOLVED);
  assert.equal(a.query(va)[5], PAGE_EXECUTE_READWRITE);
  a.writeU32(va, 0xcccccccc);
  assert.equal(b.readU32(va), code, 'the other process\'s code is untouched');
  assert.equal(frameAt(b, va), sectionPage(ko, s, TEXT));
  assert.deepEqual(a.protect(va, 0x1000, PAGE_EXECUTE_READ), [va, 0x1000, PAGE_EXECUTE_READWRITE]);
  assert.equal(a.query(va)[5], PAGE_EXECUTE_READ);
  assert.notEqual(frameAt(a, va), sectionPage(ko, s, TEXT), 'a written page stays private');
  assert.equal(a.vspace.isWritable(va), false);
  assert.equal(a.readU32(va), 0xcccccccc);
  // Protecting a private page WRITECOPY is plain read/write (nothing left to copy).
  a.protect(va, 0x1000, PAGE_EXECUTE_WRITECOPY);
  assert.equal(a.query(va)[5], PAGE_EXECUTE_READWRITE);
  assert.equal(a.vspace.isWritable(va), true);
});

test('a relocated view shares the same frames until the loader writes its fixups', () => {
  const { ko, s } = setup();
  const a = new AddressSpace(ko);
  const first = mmMapImageView(ko, s, a, 0);
  const moved = mmMapImageView(ko, s, a, 0);
  assert.equal(moved.atBase, false);
  assert.equal(frameAt(a, moved.base + TEXT), sectionPage(ko, s, TEXT));
  // What ntdll's loader does: whole image EXECUTE_READWRITE, fixups written, section protections restored.
  a.protect(moved.base, s.size, PAGE_EXECUTE_READWRITE);
  const fixed = (a.readU32(moved.base + TEXT) + (moved.base - first.base)) >>> 0;
  assert.equal(a.resolveFault(moved.base + TEXT, true), FaultResolution.RESOLVED);
  a.writeU32(moved.base + TEXT, fixed);
  a.protect(moved.base + TEXT, 0x1000, PAGE_EXECUTE_READ);
  a.protect(moved.base + RDATA, 0x1000, PAGE_READONLY);
  assert.equal(a.query(moved.base + TEXT)[5], PAGE_EXECUTE_READ);
  assert.equal(a.readU32(moved.base + TEXT), fixed);
  assert.notEqual(a.readU32(first.base + TEXT), fixed, 'the view at the base keeps the section\'s bytes');
  assert.equal(frameAt(a, first.base + TEXT), sectionPage(ko, s, TEXT));
  assert.equal(frameAt(a, moved.base + RDATA), sectionPage(ko, s, RDATA), 'a page the loader did not write is still shared');
  assert.equal(a.copyOnWrites, 1);
});

test('unmap and process exit release private copies; a new view shares again; the section lives while a view or handle does', () => {
  const { ko, s } = setup();
  const a = new AddressSpace(ko);
  const b = new AddressSpace(ko);
  const inUse = ko.framesInUse;
  mmMapImageView(ko, s, a, 0);
  mmMapImageView(ko, s, b, 0);
  const va = 0x400000 + DATA;
  const before = a.readU32(va);
  a.writeU32(va, 1);
  b.writeU32(va, 2);
  assert.equal(ko.framesInUse, inUse + 2);
  a.unmapView(0x400000);
  assert.equal(ko.framesInUse, inUse + 1, 'the private copy went back to the pool');
  assert.equal(a.find(0x400000), undefined);
  mmMapImageView(ko, s, a, 0);
  assert.equal(a.readU32(va), before, 'a new view sees the section, not the old private copy');
  assert.equal(frameAt(a, va), sectionPage(ko, s, DATA));
  b.destroy();
  assert.equal(ko.framesInUse, inUse, 'process exit released its private copy');
  obDereferenceObject(s); // the handle goes: a's view keeps the section
  assert.equal(s.frames.length, 5);
  assert.equal(a.readU32(va), before);
  a.unmapView(0x400000);
  assert.equal(s.frames.length, 0, 'the last view gone: the section\'s frames are released');
  assert.equal(ko.framesInUse, inUse - 5);
});

for (const fastpath of [true, false]) test(`two running processes of one program share ntdll's and the program's code frames; their writes stay their own (fastpath ${fastpath ? 'on' : 'off'})`, () => {
  let out = '';
  const m = bootNt({ memory: 64 << 20, console: (s) => { out += s; }, fastpath });
  const bin = guestBinDir();
  const ping = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['ping', '5000'], dllPath: [bin] });
  const pong = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['pong', '5000'], dllPath: [bin] });
  const ntdll = m.executive.knownNtdll();
  const image = (p: typeof ping) => p.space.find(p.imageBase)!;
  // Both started: ntdll's loader has bound the program's imports (writes to the image: copies) in each.
  assert.equal(runUntil(m, () => image(ping).cow!.includes(0) && image(pong).cow!.includes(0), 200_000_000), 'done');
  assert.ok(!ping.terminated && !pong.terminated, 'both still running');
  const k = m.executive.ko;
  for (const p of [ping, pong]) {
    assert.equal(frameAt(p.space, p.ntdllBase + 0x1000), k.physOf(ntdll.frames[1]!), 'ntdll\'s .text is the section\'s frame');
    assert.equal(p.space.vspace.isWritable(p.ntdllBase + 0x1000), false);
  }
  assert.equal(ping.imageBase, pong.imageBase);
  assert.equal(frameAt(ping.space, ping.imageBase + 0x1000), frameAt(pong.space, pong.imageBase + 0x1000), 'one program section: its .text is shared');
  const copied = [...image(ping).cow!].findIndex((c, i) => c === 0 && image(pong).cow![i] === 0);
  assert.ok(copied > 0, 'a page both processes wrote');
  assert.notEqual(frameAt(ping.space, ping.imageBase + copied * 0x1000), frameAt(pong.space, pong.imageBase + copied * 0x1000), 'each has its own copy');
  assert.ok(ping.space.copyOnWrites > 0 && pong.space.copyOnWrites > 0);
  assert.equal(runUntil(m, () => ping.terminated && pong.terminated, 200_000_000), 'done');
  assert.match(out, /ping done 5000/);
  assert.match(out, /pong done 5000/);
  assert.equal(ping.exitStatus, 0);
  assert.equal(pong.exitStatus, 0);
});
