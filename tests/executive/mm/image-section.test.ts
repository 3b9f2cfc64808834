/**
 * \KnownDlls image sections (src/executive/mm/image-section.ts): one per
 * valid DLL of the search directories (a corrupt file is skipped), views
 * go at the preferred base or elsewhere (copy-on-write: image-view-sharing.test.ts), with the
 * sections' protections, and unmapping releases them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { bootKernel } from '../../../src/kernel/index.js';
import { GuestRam } from '../../../src/machine/ram.js';
import { KernelObjects } from '../../../src/executive/ke/objects.js';
import { AddressSpace } from '../../../src/executive/mm/address-space.js';
import { ObNamespace } from '../../../src/executive/ob/namespace.js';
import { ImageSection, mmCreateKnownDlls, mmMapImageView } from '../../../src/executive/mm/image-section.js';
import { SectionType } from '../../../src/executive/mm/section.js';
import { MEM_COMMIT, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_READONLY, PAGE_READWRITE } from '../../../src/abi/layouts.js';
import { guestBinDir } from '../../../src/machine/paths.js';

function setup() {
  const ram = new GuestRam(32 << 20);
  const { kernel, bootInfo } = bootKernel({ memory: ram.sab, rootCNodeBits: 14 });
  const ko = new KernelObjects(kernel, bootInfo);
  return { ko, ns: new ObNamespace([SectionType]) };
}

test('KnownDlls: lower-case names, case-insensitive lookup, corrupt files skipped with a trace line', () => {
  const { ko, ns } = setup();
  const dir = mkdtempSync(join(tmpdir(), 'knowndlls-'));
  try {
    copyFileSync(join(guestBinDir(), 'ldrtest.dll'), join(dir, 'LdrTest.DLL'));
    writeFileSync(join(dir, 'broken.dll'), Buffer.from('MZ not really a PE file'));
    const lines: string[] = [];
    mmCreateKnownDlls(ko, ns, [dir, guestBinDir()], (l) => lines.push(l));
    const s = ns.lookup('\\KnownDlls\\LDRTEST.dll', null, true, false).object;
    assert.ok(s instanceof ImageSection);
    assert.equal(s.name, 'ldrtest.dll');
    assert.equal(s.imageBase, 0x10000000);
    assert.ok(ns.lookup('\\KnownDlls\\ntdll.dll', null, true, false).object instanceof ImageSection);
    assert.equal(ns.lookup('\\KnownDlls\\broken.dll', null, true, false).object, undefined);
    assert.match(lines.join('\n'), /broken\.dll skipped: .*broken\.dll/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an image view has the section protections, at the preferred base or elsewhere; a write in one view is not seen in another', () => {
  const { ko, ns } = setup();
  mmCreateKnownDlls(ko, ns, [guestBinDir()], () => {});
  const s = ns.lookup('\\KnownDlls\\ldrdep.dll', null, true, false).object as ImageSection;
  const a = new AddressSpace(ko);
  const first = mmMapImageView(ko, s, a, 0);
  assert.deepEqual(first, { base: 0x400000, atBase: true });
  assert.equal(a.readU16(first.base), 0x5a4d, 'MZ at the base');
  assert.equal(a.query(first.base)[5], PAGE_READONLY, 'headers are read-only');
  assert.equal(a.query(first.base + 0x1000)[5], PAGE_EXECUTE_READ, '.text is executable');
  // A second view in the same space cannot have the base: elsewhere, and a private copy.
  const second = mmMapImageView(ko, s, a, 0);
  assert.equal(second.atBase, false);
  assert.notEqual(second.base, first.base);
  a.protect(second.base, 0x1000, PAGE_READWRITE);
  a.writeU32(second.base, 0xdeadbeef);
  assert.equal(a.readU16(first.base), 0x5a4d, 'a write to one view is not seen in another');
  const other = new AddressSpace(ko);
  other.allocate(0x400000, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  assert.equal(mmMapImageView(ko, s, other, 0).atBase, false);
  a.unmapView(second.base);
  assert.equal(a.find(second.base), undefined);
});
