/** Header parsing and validation: a valid image's fields, and every corruption refused by name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS, NtStatusError } from '../../src/abi/ntstatus.js';
import { parsePeImage } from '../../src/pe/image.js';
import { mapImage } from '../../src/pe/mapped.js';
import { assertStatus } from './assert-status.js';
import { buildPe, CODE, DATA, sampleDll, sampleExe, writeU16, writeU32 } from './pe-builder.js';

const BAD = NTSTATUS.STATUS_INVALID_IMAGE_FORMAT;
const copy = (b: Uint8Array): Uint8Array => b.slice();

test('a valid EXE and DLL parse with their header fields', () => {
  const exe = sampleExe();
  const pe = parsePeImage(exe.bytes, 'hello.exe');
  assert.equal(pe.machine, 0x14c);
  assert.equal(pe.isDll, false);
  assert.equal(pe.imageBase, 0x400000);
  assert.equal(pe.sectionAlignment, 0x1000);
  assert.equal(pe.fileAlignment, 0x200);
  assert.equal(pe.sizeOfImage, exe.sizeOfImage);
  assert.equal(pe.subsystemName, 'native');
  assert.ok(pe.dynamicBase && pe.nxCompat && pe.noSeh);
  assert.deepEqual(pe.sections.map((s) => s.name), ['.text', '.data', '.idata', '.reloc']);
  assert.equal(pe.addressOfEntryPoint, exe.sections.get('.text')!.rva);

  const dll = parsePeImage(sampleDll().bytes, 'util.dll');
  assert.equal(dll.isDll, true);
  assert.equal(dll.imageBase, 0x10000000);
});

test('virtual size beyond raw data is zero-filled when mapped', () => {
  const b = buildPe({ sections: [{ name: '.data', characteristics: DATA, data: [1, 2, 3, 4], virtualSize: 0x3000 }] });
  const pe = parsePeImage(b.bytes, 'x.exe');
  const s = pe.sections[0]!;
  assert.equal(s.mappedSize, 0x3000);
  assert.equal(s.rawDataSize, 0x200);
  assert.equal(s.copySize, 0x200);
  const img = mapImage(pe);
  assert.deepEqual([...img.bytes.subarray(s.virtualAddress, s.virtualAddress + 5)], [1, 2, 3, 4, 0]);
  assert.ok(img.bytes.subarray(s.virtualAddress + 4, s.virtualAddress + 0x3000).every((x) => x === 0));
});

test('a section with no raw data at all (bss-like) is accepted', () => {
  const b = buildPe({ sections: [{ name: '.bss', characteristics: DATA, data: [], virtualSize: 0x1000 }] });
  const pe = parsePeImage(b.bytes, 'x.exe');
  assert.equal(pe.sections[0]!.rawDataSize, 0);
  assert.equal(pe.sections[0]!.copySize, 0);
});

test('every truncation of the headers is refused with INVALID_IMAGE_FORMAT', () => {
  const b = sampleExe().bytes;
  for (let len = 0; len < b.length; len++) {
    const cut = b.subarray(0, len);
    assertStatus(() => parsePeImage(cut, 'cut.exe'), BAD, /^cut\.exe: /);
  }
});

test('bad MZ', () => {
  const b = copy(sampleExe().bytes);
  b[0] = 0x5a;
  b[1] = 0x4d;
  assertStatus(() => parsePeImage(b, 'hello.exe'), BAD, 'hello.exe: no MZ signature (e_magic is 0x4d5a');
});

test('bad e_lfanew: past the end, inside the DOS header', () => {
  const b = copy(sampleExe().bytes);
  writeU32(b, 0x3c, 0xfffffff0);
  assertStatus(() => parsePeImage(b, 'hello.exe'), BAD, 'e_lfanew 0xfffffff0 does not point at a PE header');
  writeU32(b, 0x3c, 0x10);
  assertStatus(() => parsePeImage(b, 'hello.exe'), BAD, 'e_lfanew 0x10');
});

test('bad PE signature, and 16-bit NE images named as such', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  b[exe.peOffset] = 0x4e; // 'N'
  b[exe.peOffset + 1] = 0x45; // 'E'
  assertStatus(() => parsePeImage(b, 'old.exe'), BAD, '16-bit');
  b[exe.peOffset] = 0x51;
  assertStatus(() => parsePeImage(b, 'old.exe'), BAD, 'no PE signature');
});

test('wrong machine is refused naming the machine', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU16(b, exe.coffOffset, 0x8664);
  assertStatus(() => parsePeImage(b, 'x64.exe'), BAD, 'machine AMD64 (0x8664) is not supported');
  writeU16(b, exe.coffOffset, 0xaa64);
  assertStatus(() => parsePeImage(b, 'a.exe'), BAD, 'machine ARM64 (0xaa64)');
  writeU16(b, exe.coffOffset, 0x1234);
  assertStatus(() => parsePeImage(b, 'a.exe'), BAD, 'machine unknown (0x1234)');
});

test('PE32+ is refused clearly, and other optional header magics too', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU16(b, exe.optionalOffset, 0x20b);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'PE32+ (64-bit)');
  writeU16(b, exe.optionalOffset, 0x107);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'ROM image');
  writeU16(b, exe.optionalOffset, 0x999);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'Magic 0x999');
});

test('an object file (no EXECUTABLE_IMAGE) is refused', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU16(b, exe.coffOffset + 18, 0x0100);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'EXECUTABLE_IMAGE');
});

test('alignment, ImageBase and SizeOfImage sanity checks', () => {
  const exe = sampleExe();
  const o = exe.optionalOffset;
  const cases: [number, number, string][] = [
    [o + 32, 0x100, 'SectionAlignment 0x100 is smaller than FileAlignment 0x200'],
    [o + 32, 0x1800, 'SectionAlignment 0x1800 is not a power of two'],
    [o + 36, 0x300, 'FileAlignment 0x300 is not a power of two'],
    [o + 36, 0, 'FileAlignment 0x0'],
    [o + 28, 0x401000, 'ImageBase 0x401000 is not a non-zero multiple of 64 KiB'],
    [o + 56, exe.sizeOfImage + 0x1000, 'SizeOfImage'],
    [o + 56, exe.sizeOfImage - 0x1000, 'extends past SizeOfImage'],
    [o + 56, 0xffffffff, 'larger than the'],
    [o + 60, 0x10, 'SizeOfHeaders 0x10 does not cover'],
    [o + 60, 0x1000000, 'SizeOfHeaders 0x1000000 extends past the end of the file'],
    [o + 16, 0x7fffffff, 'AddressOfEntryPoint 0x7fffffff lies outside the image'],
    [o + 92, 17, 'NumberOfRvaAndSizes 17 exceeds 16'],
  ];
  for (const [at, value, message] of cases) {
    const b = copy(exe.bytes);
    writeU32(b, at, value);
    assertStatus(() => { parsePeImage(b, `case ${message}`); }, BAD, message);
  }
});

test('fewer data directories than 16 are fine; SizeOfOptionalHeader must hold them', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU32(b, exe.optionalOffset + 92, 2); // export + import only
  const pe = parsePeImage(b, 'x.exe');
  assert.equal(pe.directories.length, 16);
  assert.equal(pe.directories[5]!.size, 0);
  writeU16(b, exe.coffOffset + 16, 96);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'cannot hold 2 data directories');
  writeU16(b, exe.coffOffset + 16, 40);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'smaller than the PE32 fields');
});

test('a data directory outside the image is refused naming it', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU32(b, exe.directoryEntryOffset(1), exe.sizeOfImage - 8);
  writeU32(b, exe.directoryEntryOffset(1) + 4, 0x100);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, /import directory \(RVA 0x[0-9a-f]+, size 0x100\) lies outside the image/);
});

test('section table out of bounds', () => {
  const exe = sampleExe();
  const b = copy(exe.bytes);
  writeU16(b, exe.coffOffset + 2, 90);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'section table');
  writeU16(b, exe.coffOffset + 2, 200);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, 'NumberOfSections 200 exceeds 96');
});

test('raw data past the end of the file is refused with offsets and sizes', () => {
  const exe = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: new Uint8Array(0x2000) }], noRelocations: true });
  const cut = exe.bytes.subarray(0, 0x1800);
  assertStatus(
    () => parsePeImage(cut, 'hello.exe'),
    BAD,
    'hello.exe: section .text raw data (offset 0x200, size 0x2000) extends past the end of the file (0x1800 bytes)',
  );
});

test('overlapping sections, and a section over the headers, are refused', () => {
  const exe = sampleExe();
  const dataHeader = exe.sectionTableOffset + 40 * exe.sections.get('.data')!.index;
  const b = copy(exe.bytes);
  writeU32(b, dataHeader + 12, exe.sections.get('.text')!.rva);
  assertStatus(() => parsePeImage(b, 'x.exe'), BAD, /section \.data \(RVA 0x1000\) overlaps section \.text/);
  const c = copy(exe.bytes);
  writeU32(c, exe.sectionTableOffset + 12, 0);
  assertStatus(() => parsePeImage(c, 'x.exe'), BAD, 'overlaps the headers');
  const d = copy(exe.bytes);
  writeU32(d, exe.sectionTableOffset + 12, 0x1100);
  assertStatus(() => parsePeImage(d, 'x.exe'), BAD, 'is not a multiple of SectionAlignment');
});

test('errors are NtStatusError carrying the status value', () => {
  try {
    parsePeImage(new Uint8Array(10), 'tiny.exe');
    assert.fail('no throw');
  } catch (e) {
    assert.ok(e instanceof NtStatusError);
    assert.equal(e.status, NTSTATUS.STATUS_INVALID_IMAGE_FORMAT);
    assert.match(e.message, /tiny\.exe: file is 10 bytes/);
  }
});
