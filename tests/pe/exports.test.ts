/** Export directory parsing and lookup: names, ordinals, OrdinalBase 0, forwarders, corruption. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { findNameIndex, lookupExport, parseExports, parseForwarder } from '../../src/pe/exports.js';
import { parsePeImage } from '../../src/pe/image.js';
import { mapImage } from '../../src/pe/mapped.js';
import { resolveSymbol } from '../../src/pe/resolve.js';
import type { ExportingModule } from '../../src/pe/resolve.js';
import { byName, byOrdinal } from '../../src/pe/symbol.js';
import { assertStatus } from './assert-status.js';
import { buildPe, CODE, readU32, sampleDll, writeU32 } from './pe-builder.js';
import type { BuiltPe } from './pe-builder.js';

const BAD = NTSTATUS.STATUS_INVALID_IMAGE_FORMAT;
const exportsOf = (b: Uint8Array, name = 'util.dll') => parseExports(mapImage(parsePeImage(b, name)));
/** File offset of an RVA inside the .edata section. */
const edataOffset = (pe: BuiltPe, rva: number): number => {
  const s = pe.sections.get('.edata')!;
  return s.fileOffset + rva - s.rva;
};

test('names, ordinals and RVAs of a DLL', () => {
  const dll = sampleDll();
  const ex = exportsOf(dll.bytes);
  assert.equal(ex.dllName, 'util.dll');
  assert.equal(ex.ordinalBase, 1);
  assert.deepEqual(ex.names, ['Alpha', 'Beta', 'Counter']);
  const beta = dll.rvaOf({ section: '.text', offset: 8 });
  assert.deepEqual(lookupExport(ex, byName('Beta')), { kind: 'rva', rva: beta, ordinal: 2 });
  assert.deepEqual(lookupExport(ex, byOrdinal(2)), { kind: 'rva', rva: beta, ordinal: 2 });
  // A right hint is used directly; a wrong one falls back to binary search.
  assert.equal(findNameIndex(ex, 'Counter', 2), 2);
  assert.equal(findNameIndex(ex, 'Counter', 0), 2);
  assert.equal(findNameIndex(ex, 'Counter', 999), 2);
  assert.equal(lookupExport(ex, byName('Gamma')), undefined);
  assert.equal(lookupExport(ex, byName('alpha')), undefined, 'export names are case-sensitive');
  assert.equal(lookupExport(ex, byOrdinal(0)), undefined);
  assert.equal(lookupExport(ex, byOrdinal(4)), undefined);
});

test('OrdinalBase 0 with an empty slot 0, as lld writes it', () => {
  const pe = buildPe({
    dll: true,
    sections: [{ name: '.text', characteristics: CODE, data: new Uint8Array(8) }],
    exports: { dllName: 'z.dll', ordinalBase: 0, entries: [{ name: 'One', ordinal: 1, at: { section: '.text', offset: 0 } }, { ordinal: 2, at: { section: '.text', offset: 4 } }] },
  });
  const ex = exportsOf(pe.bytes, 'z.dll');
  assert.equal(ex.ordinalBase, 0);
  assert.equal(ex.addresses.length, 3);
  assert.equal(ex.addresses[0], 0);
  assert.equal(lookupExport(ex, byOrdinal(0)), undefined);
  assert.equal(lookupExport(ex, byOrdinal(1))?.kind, 'rva');
  assert.equal(lookupExport(ex, byName('One'))?.ordinal, 1);
  assert.deepEqual(lookupExport(ex, byOrdinal(2)), { kind: 'rva', rva: pe.rvaOf({ section: '.text', offset: 4 }), ordinal: 2 });
});

test('forwarders come back as strings to resolve', () => {
  const pe = sampleDll('fwd.dll', {
    exports: { dllName: 'fwd.dll', entries: [
      { name: 'Heap', forwarder: 'NTDLL.RtlAllocateHeap' },
      { name: 'ByOrd', forwarder: 'core.#12' },
      { name: 'Bad', forwarder: 'nodot' },
    ] },
  });
  const ex = exportsOf(pe.bytes, 'fwd.dll');
  const heap = lookupExport(ex, byName('Heap'));
  assert.equal(heap?.kind, 'forwarder');
  if (heap?.kind === 'forwarder') {
    assert.equal(heap.forwarder, 'NTDLL.RtlAllocateHeap');
    assert.equal(heap.dll, 'NTDLL.dll');
    assert.deepEqual(heap.symbol, byName('RtlAllocateHeap'));
  }
  const ord = lookupExport(ex, byName('ByOrd'));
  assert.ok(ord?.kind === 'forwarder' && ord.symbol.kind === 'ordinal' && ord.symbol.ordinal === 12);
  assert.equal(lookupExport(ex, byName('Bad')), undefined);
  assert.deepEqual(parseForwarder('api-ms-win.core.Foo'), { dll: 'api-ms-win.core.dll', symbol: byName('Foo') });
  assert.equal(parseForwarder('x.#99999'), undefined);
});

test('a name pointer outside the image is refused', () => {
  const dll = sampleDll();
  const dirRva = dll.directories[0]!.rva;
  const namePointers = readU32(dll.bytes, edataOffset(dll, dirRva + 32));
  const b = dll.bytes.slice();
  writeU32(b, edataOffset(dll, namePointers), 0x00fffff0);
  assertStatus(() => exportsOf(b), BAD, 'util.dll: export name pointer #0 (RVA 0xfffff0) lies outside the image');
});

test('export tables, ordinals and RVAs outside their bounds are refused', () => {
  const dll = sampleDll();
  const dir = edataOffset(dll, dll.directories[0]!.rva);
  const patch = (at: number, v: number): Uint8Array => { const b = dll.bytes.slice(); writeU32(b, at, v); return b; };
  assertStatus(() => exportsOf(patch(dir + 28, 0xffff000)), BAD, 'export address table');
  assertStatus(() => exportsOf(patch(dir + 20, 0x20000)), BAD, 'more than 65536 ordinals');
  assertStatus(() => exportsOf(patch(dir + 24, 10)), BAD, '10 names for only 3 addresses');
  assertStatus(() => exportsOf(patch(dir + 12, 0xfff0000)), BAD, 'export directory Name');
  const addressTable = readU32(dll.bytes, dir + 28);
  assertStatus(() => exportsOf(patch(edataOffset(dll, addressTable), 0x7000000)), BAD, 'export ordinal 1 has RVA 0x7000000 outside the image');
  const ordinals = readU32(dll.bytes, dir + 36);
  const b = dll.bytes.slice();
  b[edataOffset(dll, ordinals)] = 9;
  assertStatus(() => exportsOf(b), BAD, 'ordinal index 9 beyond the 3-entry address table');
});

test('an unsorted name table still finds every name', () => {
  const dll = sampleDll();
  const dir = edataOffset(dll, dll.directories[0]!.rva);
  const names = edataOffset(dll, readU32(dll.bytes, dir + 32));
  const ords = edataOffset(dll, readU32(dll.bytes, dir + 36));
  const b = dll.bytes.slice();
  // Swap entries 0 and 2 of both parallel tables.
  const n0 = readU32(b, names), n2 = readU32(b, names + 8);
  writeU32(b, names, n2); writeU32(b, names + 8, n0);
  const o0 = b[ords]!, o2 = b[ords + 4]!;
  b[ords] = o2; b[ords + 4] = o0;
  const ex = exportsOf(b);
  for (const n of ['Alpha', 'Beta', 'Counter']) assert.equal(lookupExport(ex, byName(n))?.kind, 'rva', n);
  assert.equal(lookupExport(ex, byName('Alpha'))?.ordinal, 1);
});

test('the resolver follows forwarders and stops at cycles', () => {
  const a = exportsOf(sampleDll('a.dll', { exports: { dllName: 'a.dll', entries: [{ name: 'X', forwarder: 'b.Y' }, { name: 'Loop', forwarder: 'a.Loop' }] } }).bytes, 'a.dll');
  const b = exportsOf(sampleDll('b.dll', { exports: { dllName: 'b.dll', entries: [{ name: 'Y', forwarder: 'a.X' }, { name: 'Z', forwarder: 'c.Real' }] } }).bytes, 'b.dll');
  const c = exportsOf(sampleDll('c.dll', { exports: { dllName: 'c.dll', entries: [{ name: 'Real', at: { section: '.text', offset: 0 } }] } }).bytes, 'c.dll');
  const modules = new Map<string, ExportingModule>([
    ['a.dll', { name: 'a.dll', base: 0x10000000, exports: a }],
    ['b.dll', { name: 'b.dll', base: 0x20000000, exports: b }],
    ['c.dll', { name: 'c.dll', base: 0x30000000, exports: c }],
  ]);
  const find = (n: string) => modules.get(n.toLowerCase());
  assert.equal(resolveSymbol('hello.exe', 'b.dll', byName('Z'), find), 0x30001000);
  assertStatus(() => resolveSymbol('hello.exe', 'a.dll', byName('X'), find), BAD, 'hello.exe: export forwarder cycle resolving a.dll!X: a.dll!X -> b.dll!Y -> a.dll!X');
  assertStatus(() => resolveSymbol('hello.exe', 'a.dll', byName('Loop'), find), BAD, 'cycle');
  modules.delete('c.dll');
  assertStatus(() => resolveSymbol('hello.exe', 'b.dll', byName('Z'), find), NTSTATUS.STATUS_DLL_NOT_FOUND, 'b.dll!Z is forwarded to c.dll!Real, but c.dll was not found');
});
