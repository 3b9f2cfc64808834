/**
 * Boot modules (src/executive/io/bootmodules.ts): the regular files of the
 * image directories become read-only File objects in \BootModules, the
 * first directory holding a name wins, lookups are case-insensitive, and
 * an image section made of one (mm/image-section.ts) reports the image's
 * headers for NtQuerySection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { bootKernel } from '../../../src/kernel/index.js';
import { GuestRam } from '../../../src/machine/ram.js';
import { KernelObjects } from '../../../src/executive/ke/objects.js';
import { ObNamespace } from '../../../src/executive/ob/namespace.js';
import { FileObject, FileType, ioCreateBootModules } from '../../../src/executive/io/bootmodules.js';
import { mmCreateImageSection } from '../../../src/executive/mm/image-section.js';
import { SectionType } from '../../../src/executive/mm/section.js';
import { NTSTATUS, NtStatusError } from '../../../src/abi/ntstatus.js';
import { guestBinDir } from '../../../src/machine/paths.js';

test('\\BootModules: files of the directories, the first directory wins, subdirectories skipped, case-insensitive', () => {
  const ns = new ObNamespace([FileType]);
  const a = mkdtempSync(join(tmpdir(), 'neptune-bm-'));
  const b = mkdtempSync(join(tmpdir(), 'neptune-bm-'));
  try {
    writeFileSync(join(a, 'One.exe'), 'first');
    writeFileSync(join(b, 'one.exe'), 'second directory');
    writeFileSync(join(b, 'two.txt'), 'xy');
    mkdirSync(join(b, 'sub'));
    const lines: string[] = [];
    ioCreateBootModules(ns, [a, join(a, 'missing'), b], (l) => lines.push(l));
    const one = ns.lookup('\\BootModules\\ONE.EXE', null, true, false).object;
    assert.ok(one instanceof FileObject);
    assert.equal(one.hostPath, join(a, 'One.exe'));
    assert.equal((ns.lookup('\\BootModules\\two.txt', null, false, false).object as FileObject).hostPath, join(b, 'two.txt'));
    assert.equal(ns.lookup('\\BootModules\\sub', null, true, false).object, undefined, 'directories are not modules');
    assert.match(lines.join('\n'), /missing cannot be read/);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('an image section of a program reports its headers; a file that is not PE is refused', () => {
  const ram = new GuestRam(32 << 20);
  const { kernel, bootInfo } = bootKernel({ memory: ram.sab, rootCNodeBits: 14 });
  const ko = new KernelObjects(kernel, bootInfo);
  void new ObNamespace([SectionType]);
  const bytes = readFileSync(join(guestBinDir(), 'exitcode.exe'));
  const s = mmCreateImageSection(ko, bytes, 'exitcode.exe');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const opt = dv.getUint32(0x3c, true) + 24;
  assert.equal(s.imageBase, dv.getUint32(opt + 28, true));
  assert.equal(s.info.entryRva, dv.getUint32(opt + 16, true));
  assert.equal(s.info.stackReserve, dv.getUint32(opt + 72, true));
  assert.equal(s.info.stackCommit, dv.getUint32(opt + 76, true));
  assert.equal(s.info.subsystem, 1); // native
  assert.equal(s.info.machine, 0x14c);
  assert.equal(s.info.isDll, false);
  assert.equal(s.info.fileSize, bytes.length);
  assert.equal(s.exportRva('nothing'), undefined);
  const ntdll = mmCreateImageSection(ko, readFileSync(join(guestBinDir(), 'ntdll.dll')), 'ntdll.dll');
  assert.equal(ntdll.info.isDll, true);
  assert.ok((ntdll.exportRva('LdrInitializeThunk') ?? 0) > 0);
  assert.throws(() => mmCreateImageSection(ko, new TextEncoder().encode('not a PE image'), 'junk.exe'),
    (e: unknown) => e instanceof NtStatusError && e.status === NTSTATUS.STATUS_INVALID_IMAGE_FORMAT);
});
