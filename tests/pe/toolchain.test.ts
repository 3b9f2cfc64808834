/**
 * Real images: build a tiny DLL (with a .def: named, NONAME-ordinal, data
 * and forwarded exports) and an EXE that imports it with Debian's clang +
 * lld-link, as TOOLCHAIN.md describes, then load them. Skipped when the
 * tools are missing, except under CI (process.env.CI), where that fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupExport } from '../../src/pe/exports.js';
import { parsePeImage } from '../../src/pe/image.js';
import { parseImports } from '../../src/pe/imports.js';
import { loadProgram } from '../../src/pe/loader.js';
import { mapImage } from '../../src/pe/mapped.js';
import { PROT_EXECUTE, PROT_READ, PROT_WRITE } from '../../src/pe/protections.js';
import { directorySource } from '../../src/pe/source.js';
import { byName } from '../../src/pe/symbol.js';
import { MemoryTarget } from './memory-target.js';

const haveTools = ['clang', 'lld-link'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);
if (!haveTools && process.env.CI) throw new Error('clang and lld-link are required under CI (apt-get install clang lld)');

const CFLAGS = ['--target=i686-pc-windows-msvc', '-march=pentium4', '-O2', '-ffreestanding', '-fno-builtin', '-nostdlib', '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables', '-mno-incremental-linker-compatible', '-mno-stack-arg-probe', '-c'];
const LINK = ['/nologo', '/machine:x86', '/nodefaultlib', '/subsystem:native', '/Brepro'];

function run(cwd: string, cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stdout}${r.stderr}`);
}

function buildReal(dir: string): void {
  writeFileSync(join(dir, 'core.c'), 'int RealHeap(int n) { return n * 3; }\n');
  writeFileSync(join(dir, 'core.def'), 'LIBRARY core.dll\nEXPORTS\n  RealHeap\n');
  writeFileSync(join(dir, 'util.c'), [
    'int counter = 5;',
    'int *counter_ptr = &counter;',
    'int __stdcall Add(int a, int b) { return a + b + *counter_ptr; }',
    'int Secret(void) { return 42; }',
  ].join('\n'));
  writeFileSync(join(dir, 'util.def'), 'LIBRARY util.dll\nEXPORTS\n  Add\n  Secret @7 NONAME\n  counter DATA\n  counter_ptr DATA\n');
  writeFileSync(join(dir, 'main.c'), [
    '__declspec(dllimport) int __stdcall Add(int a, int b);',
    '__declspec(dllimport) int Secret(void);',
    'int __stdcall NtProcessStartup(void *peb) { return Add(1, 2) + Secret(); }',
  ].join('\n'));
  for (const c of ['core', 'util', 'main']) run(dir, 'clang', [...CFLAGS, `${c}.c`, '-o', `${c}.obj`]);
  run(dir, 'lld-link', [...LINK, '/dll', '/noentry', '/def:core.def', '/implib:core.lib', '/out:core.dll', 'core.obj']);
  run(dir, 'lld-link', [...LINK, '/dll', '/noentry', '/def:util.def', '/implib:util.lib', '/out:util.dll', 'util.obj', 'core.lib',
    // lld 14 writes a .def forwarder as "_core.RealHeap" on x86 (it decorates it); /export: does not.
    '/export:Heap=core.RealHeap']);
  run(dir, 'lld-link', [...LINK, '/entry:NtProcessStartup', '/out:main.exe', 'main.obj', 'util.lib']);
}

test('a DLL and EXE built by clang + lld-link load, relocate and link', { skip: haveTools ? false : 'clang/lld-link not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-real-'));
  try {
    buildReal(dir);
    const utilPe = parsePeImage(new Uint8Array(readFileSync(join(dir, 'util.dll'))), 'util.dll');
    assert.ok(utilPe.isDll && utilPe.dynamicBase && utilPe.nxCompat && utilPe.noSeh);
    assert.equal(utilPe.imageBase, 0x10000000);
    const mainPe = parsePeImage(new Uint8Array(readFileSync(join(dir, 'main.exe'))), 'main.exe');
    assert.equal(mainPe.isDll, false);
    assert.equal(mainPe.subsystemName, 'native');

    // Take util.dll's preferred base so that it must be relocated.
    const target = new MemoryTarget();
    assert.ok(target.reserve(0x10000000, 0x1000));
    const { main, modules, loader } = loadProgram(join(dir, 'main.exe'), { target, source: directorySource([dir]), findFreeRange: target.freeRangeFinder() });
    assert.deepEqual(modules.map((m) => m.name), ['util.dll', 'main.exe']);
    const util = modules[0]!;
    assert.ok(util.relocated);
    assert.equal(util.base, 0x20000000);
    assert.equal(main.base, 0x400000);
    assert.equal(main.entry, 0x400000 + mainPe.addressOfEntryPoint);

    // Exports: by name, the NONAME ordinal, data, and a forwarder (which loads core.dll).
    const add = loader.resolve('util.dll', 'Add');
    const secret = loader.resolve('util.dll', 7);
    const counter = loader.resolve('util.dll', 'counter');
    const counterPtr = loader.resolve('util.dll', 'counter_ptr');
    assert.ok(add > util.base && add < util.base + util.size);
    assert.ok(lookupExport(util.exports, byName('Secret')) === undefined, 'NONAME has no name');
    // The relocated pointer holds the relocated address of `counter`, whose value is 5.
    assert.equal(target.u32(counterPtr), counter);
    assert.equal(target.u32(counter), 5);
    const heap = loader.resolve('util.dll', 'Heap');
    const core = loader.find('core.dll');
    assert.ok(core !== undefined && heap > core.base && heap < core.base + core.size);

    // Every IAT slot of main.exe holds what the resolver says.
    const imports = parseImports(mapImage(mainPe));
    assert.equal(imports.length, 1);
    assert.match(imports[0]!.dll, /^util\.dll$/i);
    const slots = imports[0]!.entries.map((e) => target.u32(main.base + e.iatRva));
    assert.deepEqual(slots.sort(), [add, secret].sort());

    // Protections: .text executable, .data writable.
    const text = mainPe.sections.find((s) => s.name === '.text')!;
    assert.equal(target.protectionAt(main.base + text.virtualAddress), PROT_READ | PROT_EXECUTE);
    const data = utilPe.sections.find((s) => s.name === '.data')!;
    assert.equal(target.protectionAt(util.base + data.virtualAddress), PROT_READ | PROT_WRITE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
