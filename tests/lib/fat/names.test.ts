import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basisName, chooseShortName, exactShortName, lfnChecksum, NT_LOWER_BASE, NT_LOWER_EXT, shortNameToDisplay, validateLongName } from '../../../src/lib/fat/names.js';
import { decodeLongEntry, encodeLongEntries, LFN_LAST } from '../../../src/lib/fat/dirent.js';
import { FatError } from '../../../src/lib/fat/error.js';

test('LFN checksum matches the fatgen103 algorithm (mtools-made long names are read back in mtools.test.ts)', () => {
  // Computed independently: sum = ((sum & 1) << 7) + (sum >> 1) + c, byte-wise.
  const ref = (s: string) => { let sum = 0; for (const c of s) sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + c.charCodeAt(0)) & 0xff; return sum; };
  for (const n of ['FOO     TXT', 'LONGFI~1TXT', 'A          ', '~1234567890']) assert.equal(lfnChecksum(n), ref(n));
});

test('exact 8.3 names: no long name when each part has one case', () => {
  assert.deepEqual(exactShortName('README.TXT'), { name11: 'README  TXT', needsLongName: false, ntCase: 0 });
  assert.deepEqual(exactShortName('readme.txt'), { name11: 'README  TXT', needsLongName: false, ntCase: NT_LOWER_BASE | NT_LOWER_EXT });
  assert.deepEqual(exactShortName('README.txt'), { name11: 'README  TXT', needsLongName: false, ntCase: NT_LOWER_EXT });
  assert.equal(exactShortName('ReadMe.txt')!.needsLongName, true);
  assert.equal(exactShortName('toolongname.txt'), null);
  assert.equal(exactShortName('a.b.c'), null);
  assert.equal(exactShortName('a+b.txt'), null);
  assert.equal(exactShortName('file.text'), null);
});

test('basis names: upper case, spaces and leading dots stripped, lossy characters become _', () => {
  assert.deepEqual(basisName('The quick brown.fox'), { base: 'THEQUICK', ext: 'FOX', lossy: false });
  assert.deepEqual(basisName('.profile'), { base: 'PROFILE', ext: '', lossy: false });
  assert.deepEqual(basisName('a+b=c.tar.gz'), { base: 'A_B_C', ext: 'GZ', lossy: true });
  assert.deepEqual(basisName('naïve café.txt'), { base: 'NA_VECAF', ext: 'TXT', lossy: true });
});

test('~N tails: first free number, base shortened to keep 8 characters', () => {
  const taken = new Set<string>();
  const names = [];
  for (let i = 0; i < 11; i++) {
    const c = chooseShortName('Long File Name.txt', (n) => taken.has(n));
    taken.add(c.name11);
    names.push(c.name11);
    assert.equal(c.needsLongName, true);
  }
  assert.deepEqual(names.slice(0, 3), ['LONGFI~1TXT', 'LONGFI~2TXT', 'LONGFI~3TXT']);
  assert.equal(names[9], 'LONGF~10TXT');
  assert.equal(chooseShortName('README.TXT', () => false).name11, 'README  TXT');
  // An exact name already taken falls back to a tail too.
  assert.equal(chooseShortName('readme.txt', (n) => n === 'README  TXT').name11, 'README~1TXT');
});

test('display form honours the NT lower-case bits', () => {
  assert.equal(shortNameToDisplay('README  TXT', NT_LOWER_BASE), 'readme.TXT');
  assert.equal(shortNameToDisplay('MAKEFILE   '), 'MAKEFILE');
});

test('long-name validation', () => {
  for (const bad of ['', 'a/b', 'a:b', 'x?', 'trailing.', 'trailing ', '.', '..', 'tab\there']) {
    assert.throws(() => validateLongName(bad), FatError, bad);
  }
  assert.throws(() => validateLongName('x'.repeat(256)), /longer than 255/);
  validateLongName('x'.repeat(255));
  validateLongName('Ünïcødé ✓ name.txt');
});

test('long-name entries: reverse order, last flag, 0x0000 then 0xFFFF padding', () => {
  const name = 'A name that is 27 chars!!!!';
  const entries = encodeLongEntries(name, 0x5a);
  assert.equal(entries.length, 3);
  assert.equal(entries[0]![0], 3 | LFN_LAST);
  assert.equal(entries[2]![0], 1);
  const last = decodeLongEntry(entries[0]!, 0);
  assert.equal(last.checksum, 0x5a);
  assert.equal(last.units[0], name.charCodeAt(26));
  assert.equal(last.units[1], 0);
  assert.equal(last.units[2], 0xffff);
  // Exactly 13 characters: no terminator needed.
  assert.equal(decodeLongEntry(encodeLongEntries('x'.repeat(13), 0)[0]!, 0).units.includes(0), false);
});
