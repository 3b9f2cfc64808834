/** Import directory parsing, IAT patching, delay-load refusal and TLS refusal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS, NtStatusError } from '../../src/abi/ntstatus.js';
import { parsePeImage } from '../../src/pe/image.js';
import { bindImports, parseDelayImports, parseImports, refuseDelayImports } from '../../src/pe/imports.js';
import { mapImage } from '../../src/pe/mapped.js';
import { parseTls, refuseUnsupportedTls } from '../../src/pe/tls.js';
import { byName, byOrdinal } from '../../src/pe/symbol.js';
import { assertStatus } from './assert-status.js';
import { buildPe, CODE, RDATA, readU32, sampleExe, writeU32 } from './pe-builder.js';
import type { BuiltPe } from './pe-builder.js';

const BAD = NTSTATUS.STATUS_INVALID_IMAGE_FORMAT;
const mapped = (b: Uint8Array, name = 'hello.exe') => mapImage(parsePeImage(b, name));
const idataOffset = (pe: BuiltPe, rva: number): number => {
  const s = pe.sections.get('.idata')!;
  return s.fileOffset + rva - s.rva;
};
const twoDlls = () => sampleExe([
  { dll: 'UTIL.dll', symbols: ['Alpha', 7] },
  { dll: 'ntdll.dll', symbols: ['NtClose'] },
]);

test('descriptors, names and ordinals are parsed with their IAT slots', () => {
  const exe = twoDlls();
  const imports = parseImports(mapped(exe.bytes));
  assert.deepEqual(imports.map((d) => d.dll), ['UTIL.dll', 'ntdll.dll']);
  assert.deepEqual(imports[0]!.entries, [
    { symbol: byName('Alpha', 0), iatRva: exe.iat.get('UTIL.dll!Alpha') },
    { symbol: byOrdinal(7), iatRva: exe.iat.get('UTIL.dll!#7') },
  ]);
  assert.equal(imports[1]!.entries[0]!.iatRva, exe.iat.get('ntdll.dll!NtClose'));
});

test('bindImports writes each resolved address into the IAT, or changes nothing on failure', () => {
  const exe = twoDlls();
  const img = mapped(exe.bytes);
  const imports = parseImports(img);
  const before = img.bytes.slice();
  const failing = (dll: string) => (dll === 'ntdll.dll' ? new NtStatusError(NTSTATUS.STATUS_DLL_NOT_FOUND, 'no ntdll') : 0x1234);
  assertStatus(() => bindImports(img, imports, failing), NTSTATUS.STATUS_DLL_NOT_FOUND, 'no ntdll');
  assert.deepEqual(img.bytes, before);
  let next = 0x7c900000;
  bindImports(img, imports, () => (next += 0x10));
  assert.equal(readU32(img.bytes, exe.iat.get('UTIL.dll!Alpha')!), 0x7c900010);
  assert.equal(readU32(img.bytes, exe.iat.get('UTIL.dll!#7')!), 0x7c900020);
  assert.equal(readU32(img.bytes, exe.iat.get('ntdll.dll!NtClose')!), 0x7c900030);
});

test('an import descriptor pointing outside the image is refused', () => {
  const exe = twoDlls();
  const desc = idataOffset(exe, exe.directories[1]!.rva);
  const patch = (at: number, v: number): Uint8Array => { const b = exe.bytes.slice(); writeU32(b, at, v); return b; };
  assertStatus(() => parseImports(mapped(patch(desc + 12, 0xfffff00))), BAD, 'hello.exe: import descriptor #0 Name RVA 0xfffff00 lies outside the image');
  assertStatus(() => parseImports(mapped(patch(desc + 0, 0xfffff00))), BAD, 'import lookup entry #0 for UTIL.dll');
  assertStatus(() => parseImports(mapped(patch(desc + 16, 0xfffff00))), BAD, 'IAT slot #0 for UTIL.dll');
  assertStatus(() => parseImports(mapped(patch(desc + 12, 0))), BAD, 'both must be set');
  // A lookup entry whose hint/name RVA is outside.
  const ilt = readU32(exe.bytes, desc);
  assertStatus(() => parseImports(mapped(patch(idataOffset(exe, ilt), 0x0ffffff0))), BAD, 'hint/name entry #0 for UTIL.dll');
  // Ordinal imports must keep bits 16-30 clear.
  assertStatus(() => parseImports(mapped(patch(idataOffset(exe, ilt) + 4, 0x80010007))), BAD, 'bits 16-30 set');
  // A descriptor array that runs off the end of the image.
  const noEnd = exe.bytes.slice();
  writeU32(noEnd, exe.directoryEntryOffset(1), exe.sizeOfImage - 12);
  writeU32(noEnd, exe.directoryEntryOffset(1) + 4, 12);
  assertStatus(() => parseImports(mapped(noEnd)), BAD, 'import descriptor');
});

test('bound imports are ignored: names come from the lookup table', () => {
  const exe = twoDlls();
  const desc = idataOffset(exe, exe.directories[1]!.rva);
  const b = exe.bytes.slice();
  writeU32(b, desc + 4, 0xffffffff); // TimeDateStamp -1: "bound (new style)"
  writeU32(b, idataOffset(exe, exe.iat.get('UTIL.dll!Alpha')!), 0xdeadbeef); // a stale bound address
  const imports = parseImports(mapped(b));
  assert.deepEqual(imports[0]!.entries[0]!.symbol, byName('Alpha', 0));
  // Without a lookup table a bound image cannot be re-resolved.
  writeU32(b, desc, 0);
  assertStatus(() => parseImports(mapped(b)), BAD, 'bound but have no import lookup table');
});

test('delay-load imports are parsed and refused with the DLL names', () => {
  const section = new Uint8Array(0x60);
  const pe0 = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }, { name: '.didat', characteristics: RDATA, data: section }] });
  const rva = pe0.sections.get('.didat')!.rva;
  // One version-2 (RVA-based) descriptor, a null one, then the name.
  const view = new DataView(section.buffer);
  view.setUint32(0, 1, true);
  view.setUint32(4, rva + 0x40, true);
  'late.dll'.split('').forEach((c, i) => { section[0x40 + i] = c.charCodeAt(0); });
  const pe = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }, { name: '.didat', characteristics: RDATA, data: section }] });
  const b = pe.bytes.slice();
  writeU32(b, pe.directoryEntryOffset(13), rva);
  writeU32(b, pe.directoryEntryOffset(13) + 4, 0x40);
  const img = mapped(b, 'lazy.exe');
  assert.deepEqual(parseDelayImports(img), ['late.dll']);
  assertStatus(() => refuseDelayImports(img), NTSTATUS.STATUS_NOT_IMPLEMENTED, 'lazy.exe: delay-load imports (from late.dll) are not supported yet');
});

test('static TLS and TLS callbacks are refused naming the image; an empty TLS directory is fine', () => {
  const text = { name: '.text', characteristics: CODE, data: [0xc3, 0xc3] } as const;
  const withData = buildPe({ sections: [text], tls: { templateSize: 16, zeroFill: 8 } });
  assertStatus(() => refuseUnsupportedTls(mapped(withData.bytes, 'tls.exe')), NTSTATUS.STATUS_NOT_IMPLEMENTED, 'static TLS in tls.exe (24 bytes per thread) is not supported yet');
  const withCallbacks = buildPe({ sections: [text], tls: { templateSize: 0, callbacks: [{ section: '.text', offset: 1 }] } });
  const cbImg = mapped(withCallbacks.bytes, 'cb.exe');
  assert.deepEqual(parseTls(cbImg)?.callbacks, [0x401001]);
  assertStatus(() => refuseUnsupportedTls(cbImg), NTSTATUS.STATUS_NOT_IMPLEMENTED, 'TLS callbacks in cb.exe (1, first at 0x401001) are not supported yet');
  const empty = buildPe({ sections: [text], tls: { templateSize: 0 } });
  const emptyImg = mapped(empty.bytes, 'empty.exe');
  assert.equal(parseTls(emptyImg)?.dataSize, 0);
  refuseUnsupportedTls(emptyImg);
  // A TLS VA outside the image is a format error, not "unsupported".
  const b = empty.bytes.slice();
  const tlsRva = empty.directories[9]!.rva;
  const s = empty.sections.get('.tls')!;
  writeU32(b, s.fileOffset + tlsRva - s.rva + 8, 0x12345678);
  assertStatus(() => refuseUnsupportedTls(mapped(b, 'odd.exe')), BAD, 'TLS AddressOfIndex 0x12345678 lies outside the image');
});
