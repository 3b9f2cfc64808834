/** The host-side loader over an in-memory target: bases, relocation, imports, order, protections, failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { formatModuleList } from '../../src/pe/listing.js';
import { ImageLoader, loadProgram } from '../../src/pe/loader.js';
import type { LoaderOptions } from '../../src/pe/loader.js';
import { PROT_EXECUTE, PROT_READ, PROT_WRITE } from '../../src/pe/protections.js';
import { directorySource, memorySource } from '../../src/pe/source.js';
import { assertStatus } from './assert-status.js';
import { MemoryTarget } from './memory-target.js';
import { buildPe, CODE, DATA, sampleDll, sampleExe } from './pe-builder.js';

const options = (files: Record<string, Uint8Array>, target = new MemoryTarget()): LoaderOptions & { target: MemoryTarget } => ({
  target,
  source: memorySource(files),
  findFreeRange: target.freeRangeFinder(),
});
const exeFile = (bytes: Uint8Array, name = 'hello.exe') => ({ name, path: `/bin/${name}`, bytes });

test('an EXE and its DLL load at their preferred bases with the IAT filled', () => {
  const dll = sampleDll();
  const exe = sampleExe([{ dll: 'UTIL.dll', symbols: ['Alpha', 'Beta', 3] }]);
  const opts = options({ 'util.dll': dll.bytes });
  const { main, modules } = loadProgram(exeFile(exe.bytes), opts);
  assert.deepEqual(modules.map((m) => [m.name, m.base, m.isDll, m.relocated]), [['util.dll', 0x10000000, true, false], ['hello.exe', 0x400000, false, false]]);
  assert.equal(main.entry, 0x400000 + exe.rvaOf({ section: '.text', offset: 0 }));
  assert.equal(modules[0]!.entry, 0, 'a DLL without an entry point has entry 0');
  const t = opts.target;
  assert.equal(t.u32(0x400000 + exe.iat.get('UTIL.dll!Alpha')!), 0x10000000 + dll.rvaOf({ section: '.text', offset: 0 }));
  assert.equal(t.u32(0x400000 + exe.iat.get('UTIL.dll!Beta')!), 0x10000000 + dll.rvaOf({ section: '.text', offset: 8 }));
  assert.equal(t.u32(0x400000 + exe.iat.get('UTIL.dll!#3')!), 0x10000000 + dll.rvaOf({ section: '.data', offset: 0 }));
  // Headers and section bytes are in the target.
  assert.equal(t.u8(0x400000), 0x4d);
  assert.equal(t.u8(0x400000 + exe.rvaOf({ section: '.text', offset: 0 })), 0x31);
});

test('section protections: headers r--, code r-x, data rw-, zero-filled tail rw-', () => {
  const dll = sampleDll();
  const opts = options({});
  const m = new ImageLoader(opts).load(exeFile(dll.bytes, 'util.dll'));
  const t = opts.target;
  assert.equal(t.protectionAt(m.base), PROT_READ);
  assert.equal(t.protectionAt(m.base + dll.rvaOf({ section: '.text', offset: 0 })), PROT_READ | PROT_EXECUTE);
  const data = m.base + dll.rvaOf({ section: '.data', offset: 0 });
  assert.equal(t.protectionAt(data), PROT_READ | PROT_WRITE);
  assert.equal(t.protectionAt(data + 0x1000), PROT_READ | PROT_WRITE, 'the virtual-size tail keeps the section protection');
  assert.equal(t.protectionAt(m.base + dll.sections.get('.edata')!.rva), PROT_READ);
  const covered = m.protections.reduce((n, r) => n + r.size, 0);
  assert.equal(covered, m.size);
});

test('a taken preferred base moves the DLL and relocates it and its users', () => {
  const dll = sampleDll();
  const exe = sampleExe();
  const opts = options({ 'util.dll': dll.bytes });
  assert.ok(opts.target.reserve(0x10000000, 0x10000));
  const { modules } = loadProgram(exeFile(exe.bytes), opts);
  const util = modules[0]!;
  assert.equal(util.base, 0x20000000);
  assert.equal(util.relocated, true);
  const t = opts.target;
  assert.equal(t.u32(0x20000000 + dll.rvaOf({ section: '.data', offset: 4 })), 0x20000000 + dll.rvaOf({ section: '.text', offset: 8 }));
  assert.equal(t.u32(0x400000 + exe.iat.get('UTIL.dll!Beta')!), 0x20000000 + dll.rvaOf({ section: '.text', offset: 8 }));
});

test('an image that cannot move and whose base is taken: STATUS_CONFLICTING_ADDRESSES', () => {
  const exe = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], entry: { section: '.text', offset: 0 }, relocsStripped: true, noRelocations: true });
  const opts = options({});
  opts.target.reserve(0x400000, 0x1000);
  assertStatus(() => loadProgram(exeFile(exe.bytes, 'fixed.exe'), opts), NTSTATUS.STATUS_CONFLICTING_ADDRESSES, 'fixed.exe: preferred base 0x400000 (size 0x2000) is taken and the image cannot be moved: its relocations were stripped');
  const none = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], entry: { section: '.text', offset: 0 }, noRelocations: true, dllCharacteristics: 0 });
  assertStatus(() => loadProgram(exeFile(none.bytes, 'none.exe'), opts), NTSTATUS.STATUS_CONFLICTING_ADDRESSES, 'it has no base relocations and is not DYNAMIC_BASE');
  // DYNAMIC_BASE without .reloc (nothing to fix) simply moves.
  const movable = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], entry: { section: '.text', offset: 0 }, noRelocations: true });
  assert.equal(loadProgram(exeFile(movable.bytes, 'movable.exe'), opts).main.base, 0x20000000);
  const noRoom: LoaderOptions = { ...options({}), findFreeRange: () => undefined };
  noRoom.target.reserve(0x10000000, 0x1000);
  assertStatus(() => new ImageLoader(noRoom).load(exeFile(sampleDll().bytes, 'util.dll')), NTSTATUS.STATUS_CONFLICTING_ADDRESSES, 'no free range');
});

test('missing DLL, name and ordinal each name importer, DLL and symbol; reservations are released', () => {
  const dll = sampleDll();
  const missingDll = sampleExe([{ dll: 'UTIL.dll', symbols: ['Alpha'] }, { dll: 'GONE.dll', symbols: ['Vanish'] }]);
  const opts = options({ 'util.dll': dll.bytes });
  assertStatus(() => loadProgram(exeFile(missingDll.bytes), opts), NTSTATUS.STATUS_DLL_NOT_FOUND, 'hello.exe: imports from GONE.dll (for Vanish), which was not found');
  assert.equal(opts.target.reservations.length, 0, 'everything reserved by the failed load is released');
  assert.deepEqual(opts.target.released.map((r) => r.base).sort(), [0x10000000, 0x400000]);

  const missingName = sampleExe([{ dll: 'UTIL.dll', symbols: ['Alpha', 'Gamma'] }]);
  assertStatus(() => loadProgram(exeFile(missingName.bytes), options({ 'util.dll': dll.bytes })), NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND, 'hello.exe: util.dll does not export "Gamma"');
  const missingOrdinal = sampleExe([{ dll: 'UTIL.dll', symbols: [40] }]);
  assertStatus(() => loadProgram(exeFile(missingOrdinal.bytes), options({ 'util.dll': dll.bytes })), NTSTATUS.STATUS_ORDINAL_NOT_FOUND, 'hello.exe: util.dll has no export with ordinal 40');
});

test('dependencies load first, each once; import cycles are tolerated', () => {
  const code = { name: '.text', characteristics: CODE, data: new Uint8Array(16) } as const;
  const a = buildPe({ dll: true, imageBase: 0x11000000, sections: [code], exports: { dllName: 'a.dll', entries: [{ name: 'A1', at: { section: '.text', offset: 0 } }] }, imports: [{ dll: 'b.dll', symbols: ['B1'] }, { dll: 'shared.dll', symbols: ['S'] }] });
  const b = buildPe({ dll: true, imageBase: 0x12000000, sections: [code], exports: { dllName: 'b.dll', entries: [{ name: 'B1', at: { section: '.text', offset: 4 } }] }, imports: [{ dll: 'A.DLL', symbols: ['A1'] }, { dll: 'shared', symbols: ['S'] }] });
  const shared = buildPe({ dll: true, imageBase: 0x13000000, sections: [code], exports: { dllName: 'shared.dll', entries: [{ name: 'S', at: { section: '.text', offset: 8 } }] } });
  const exe = sampleExe([{ dll: 'a.dll', symbols: ['A1'] }, { dll: 'shared.dll', symbols: ['S'] }]);
  const opts = options({ 'a.dll': a.bytes, 'b.dll': b.bytes, 'shared.dll': shared.bytes });
  const { modules, loader } = loadProgram(exeFile(exe.bytes), opts);
  assert.deepEqual(modules.map((m) => m.name), ['shared.dll', 'b.dll', 'a.dll', 'hello.exe']);
  const t = opts.target;
  assert.equal(t.u32(0x12000000 + b.iat.get('A.DLL!A1')!), 0x11000000 + a.rvaOf({ section: '.text', offset: 0 }));
  assert.equal(t.u32(0x11000000 + a.iat.get('b.dll!B1')!), 0x12000000 + b.rvaOf({ section: '.text', offset: 4 }));
  assert.equal(loader.find('SHARED')?.base, 0x13000000);
  assert.equal(loader.resolve('shared.dll', 'S'), 0x13000000 + shared.rvaOf({ section: '.text', offset: 8 }));
  // Loading an already-loaded DLL returns it.
  assert.equal(loader.loadDll('B.dll'), modules[1]);
});

test('forwarded imports load the target DLL; forwarder cycles are refused', () => {
  const code = { name: '.text', characteristics: CODE, data: new Uint8Array(16) } as const;
  const util = buildPe({ dll: true, sections: [code], exports: { dllName: 'util.dll', entries: [{ name: 'Heap', forwarder: 'CORE.RealHeap' }, { name: 'Loop', forwarder: 'util.Loop' }] } });
  const core = buildPe({ dll: true, imageBase: 0x14000000, sections: [code], exports: { dllName: 'core.dll', entries: [{ name: 'RealHeap', at: { section: '.text', offset: 12 } }] } });
  const exe = sampleExe([{ dll: 'util.dll', symbols: ['Heap'] }]);
  const opts = options({ 'util.dll': util.bytes, 'core.dll': core.bytes });
  const { modules } = loadProgram(exeFile(exe.bytes), opts);
  assert.deepEqual(modules.map((m) => m.name), ['util.dll', 'core.dll', 'hello.exe']);
  assert.equal(opts.target.u32(0x400000 + exe.iat.get('util.dll!Heap')!), 0x14000000 + core.rvaOf({ section: '.text', offset: 12 }));
  const looping = sampleExe([{ dll: 'util.dll', symbols: ['Loop'] }]);
  assertStatus(() => loadProgram(exeFile(looping.bytes), options({ 'util.dll': util.bytes })), NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, 'export forwarder cycle resolving util.dll!Loop');
});

test('DLLs are found in search directories by case-insensitive name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-loader-'));
  const other = mkdtempSync(join(tmpdir(), 'pe-loader-empty-'));
  try {
    writeFileSync(join(dir, 'Util.DLL'), sampleDll().bytes);
    writeFileSync(join(dir, 'hello.exe'), sampleExe().bytes);
    const target = new MemoryTarget();
    const { modules } = loadProgram(join(dir, 'hello.exe'), { target, source: directorySource([other, '/nonexistent', dir]), findFreeRange: target.freeRangeFinder() });
    assert.equal(modules[0]!.name, 'Util.DLL');
    assert.equal(modules[0]!.path, join(dir, 'Util.DLL'));
    assert.equal(modules[1]!.path, join(dir, 'hello.exe'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('a DLL as the program, or a program without entry point, is refused', () => {
  assertStatus(() => loadProgram(exeFile(sampleDll().bytes, 'util.dll'), options({})), NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, 'util.dll: is a DLL, not a program');
  const noEntry = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }] });
  assertStatus(() => loadProgram(exeFile(noEntry.bytes), options({})), NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, 'has no entry point');
});

test('an image with static TLS is refused before any address space is claimed', () => {
  const exe = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }, { name: '.data', characteristics: DATA, data: [1] }], entry: { section: '.text', offset: 0 }, tls: { templateSize: 4 } });
  const opts = options({});
  assertStatus(() => loadProgram(exeFile(exe.bytes, 'tls.exe'), opts), NTSTATUS.STATUS_NOT_IMPLEMENTED, 'static TLS in tls.exe');
  assert.equal(opts.target.reservations.length, 0);
});

test('lm-style listing, sorted by base', () => {
  const opts = options({ 'util.dll': sampleDll().bytes });
  opts.target.reserve(0x10000000, 0x1000);
  const { modules } = loadProgram(exeFile(sampleExe().bytes), opts);
  const lines = formatModuleList(modules);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^00400000 00405000  hello\.exe\s+exe  entry 00401000  \/bin\/hello\.exe$/);
  assert.match(lines[1]!, /^20000000 20006000  util\.dll\s+dll  no entry, relocated from 10000000  util\.dll$/);
});
