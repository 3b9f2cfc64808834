/** Base relocations: applying them at a new base, and refusing corrupt or unsupported ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { parsePeImage } from '../../src/pe/image.js';
import { mapImage } from '../../src/pe/mapped.js';
import { applyRelocations, canRelocate, parseRelocations, relocateImage } from '../../src/pe/relocate.js';
import { assertStatus } from './assert-status.js';
import { buildPe, CODE, DATA, readU32, sampleDll, writeU32 } from './pe-builder.js';
import type { BuiltPe } from './pe-builder.js';

const BAD = NTSTATUS.STATUS_INVALID_IMAGE_FORMAT;
const mapped = (b: Uint8Array, name = 'util.dll') => mapImage(parsePeImage(b, name));
/** File offset of the first relocation block. */
const relocFileOffset = (built: BuiltPe): number => built.sections.get('.reloc')!.fileOffset;

test('HIGHLOW fixups move absolute pointers to the new base', () => {
  const dll = sampleDll();
  const img = mapped(dll.bytes);
  const at = dll.rvaOf({ section: '.data', offset: 4 });
  assert.equal(readU32(img.bytes, at), 0x10000000 + dll.rvaOf({ section: '.text', offset: 8 }));
  assert.ok(canRelocate(img.pe));
  assert.equal(relocateImage(img, 0x30000000), 1);
  assert.equal(readU32(img.bytes, at), 0x30000000 + dll.rvaOf({ section: '.text', offset: 8 }));
  // Moving down (a negative delta, in wrapping 32-bit arithmetic) works too.
  const fresh = mapped(dll.bytes);
  relocateImage(fresh, 0x00400000);
  assert.equal(readU32(fresh.bytes, at), 0x00400000 + dll.rvaOf({ section: '.text', offset: 8 }));
});

test('HIGH, LOW and HIGHADJ follow the spec arithmetic; ABSOLUTE is padding', () => {
  const data = new Uint8Array(16);
  const dv = new DataView(data.buffer);
  dv.setUint16(8, 0x1000, true); // HIGH half of some address
  dv.setUint16(10, 0x1234, true); // LOW half
  dv.setUint16(12, 0x1000, true); // HIGHADJ high half; low half 0x9000 (negative) in the next entry
  const pe = buildPe({
    dll: true,
    imageBase: 0x10000000,
    sections: [{ name: '.data', characteristics: DATA, data }],
    extraRelocations: [
      { at: { section: '.data', offset: 8 }, type: 1 },
      { at: { section: '.data', offset: 10 }, type: 2 },
      { at: { section: '.data', offset: 12 }, type: 4, extra: 0x9000 },
      { at: { section: '.data', offset: 0 }, type: 0 },
    ],
  });
  const img = mapped(pe.bytes);
  const fixups = parseRelocations(img);
  assert.deepEqual([...fixups.types], [1, 2, 4]);
  // A delta with a non-zero low half (not a real 64 KiB-aligned base) exercises LOW and HIGHADJ rounding.
  applyRelocations(img, fixups, 0x10000000 + 0x12348000);
  const base = pe.rvaOf({ section: '.data', offset: 0 });
  const view = new DataView(img.bytes.buffer);
  assert.equal(view.getUint16(base + 8, true), 0x2234); // 0x1000 + 0x1234
  assert.equal(view.getUint16(base + 10, true), 0x9234); // 0x1234 + 0x8000
  // 0x0fff9000 + 0x12348000 = 0x22341000; + 0x8000 rounds to 0x2234.
  assert.equal(view.getUint16(base + 12, true), 0x2234);
});

test('bad relocation block sizes are refused', () => {
  const dll = sampleDll();
  for (const size of [0, 4, 7, 0x10000]) {
    const b = dll.bytes.slice();
    writeU32(b, relocFileOffset(dll) + 4, size);
    assertStatus(() => parseRelocations(mapped(b)), BAD, `has a bad size ${size === 0 ? '0x0' : `0x${size.toString(16)}`}`);
  }
});

test('a directory with a stray tail shorter than a block header is refused', () => {
  const dll = sampleDll();
  const b = dll.bytes.slice();
  writeU32(b, dll.directoryEntryOffset(5) + 4, dll.directories[5]!.size + 4);
  assertStatus(() => parseRelocations(mapped(b)), BAD, 'has only 4 bytes left');
});

test('unsupported relocation types are refused by name', () => {
  const pe = buildPe({
    dll: true,
    sections: [{ name: '.data', characteristics: DATA, data: new Uint8Array(16) }],
    extraRelocations: [{ at: { section: '.data', offset: 0 }, type: 10 }],
  });
  assertStatus(() => parseRelocations(mapped(pe.bytes)), BAD, 'relocation type DIR64 (10)');
});

test('a fixup target outside the image is refused', () => {
  const dll = sampleDll();
  const b = dll.bytes.slice();
  writeU32(b, relocFileOffset(dll), dll.sizeOfImage);
  assertStatus(() => parseRelocations(mapped(b)), BAD, /target RVA 0x[0-9a-f]+ lies outside the image/);
});

test('a HIGHADJ without its second entry is refused', () => {
  const pe = buildPe({
    dll: true,
    sections: [{ name: '.text', characteristics: CODE, data: new Uint8Array(16) }],
    // The builder pads odd entry counts with ABSOLUTE; make HIGHADJ the last real slot.
    extraRelocations: [{ at: { section: '.text', offset: 0 }, type: 4 }],
  });
  const img = mapped(pe.bytes);
  // With padding, the "low part" is the ABSOLUTE pad entry (0): still parsed as its second slot.
  assert.equal(parseRelocations(img).types.length, 1);
  const b = pe.bytes.slice();
  writeU32(b, relocFileOffset(pe) + 4, 10); // block = header + the HIGHADJ entry only
  writeU32(b, pe.directoryEntryOffset(5) + 4, 10);
  assertStatus(() => parseRelocations(mapped(b)), BAD, 'lacks its second entry');
});

test('canRelocate: stripped, or no relocations without DYNAMIC_BASE, means fixed', () => {
  const fixed = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], relocsStripped: true, noRelocations: true });
  assert.equal(canRelocate(parsePeImage(fixed.bytes, 'fixed.exe')), false);
  // No .reloc but DYNAMIC_BASE: nothing to fix, movable (lld omits .reloc then).
  const none = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], noRelocations: true });
  assert.equal(canRelocate(parsePeImage(none.bytes, 'none.exe')), true);
  assert.equal(parseRelocations(mapped(none.bytes)).targets.length, 0);
  // No .reloc and not DYNAMIC_BASE: assumed fixed.
  const old = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], noRelocations: true, dllCharacteristics: 0 });
  assert.equal(canRelocate(parsePeImage(old.bytes, 'old.exe')), false);
});
