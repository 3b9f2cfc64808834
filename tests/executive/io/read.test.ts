/**
 * NtReadFile and NtQueryInformationFile on \BootModules files
 * (src/executive/io/read.ts), through the real dispatch on behalf of a
 * guest thread; and the file/registry services that need the I/O manager
 * answer STATUS_NOT_IMPLEMENTED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NTSTATUS } from '../../../src/abi/ntstatus.js';
import { SERVICES } from '../../../src/abi/services.js';
import { guestBinDir } from '../../../src/machine/paths.js';
import { call, firstThread, machineWith, scratch } from '../helpers.js';

function setup(access: number) {
  const { m, procs } = machineWith([{ image: 'hello.exe' }]);
  const p = procs[0]!;
  const t = firstThread(p);
  const file = m.executive.namespace.lookup('\\BootModules\\exitcode.exe', null, true, false).object!;
  const h = p.handles.insert(file, access);
  return { m, p, t, h, base: scratch(p) };
}

test('NtReadFile reads a boot module at a byte offset; past the end STATUS_END_OF_FILE; no offset or no access refused', () => {
  const { m, p, t, h, base } = setup(0x120089); // FILE_GENERIC_READ
  const host = readFileSync(join(guestBinDir(), 'exitcode.exe'));
  const iosb = base + 0x100, buf = base + 0x1000, off = base + 0x200, args = base;
  p.space.writeBytes(off, new Uint8Array([0x3c, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(call(m, t, args, 'NtReadFile', [h, 0, 0, 0, iosb, buf, 64, off, 0]), NTSTATUS.STATUS_SUCCESS);
  assert.deepEqual(p.space.readBytes(buf, 64), new Uint8Array(host.subarray(0x3c, 0x3c + 64)));
  assert.equal(p.space.readU32(iosb + 4), 64);
  // A read across the end returns what there is.
  p.space.writeBytes(off, new Uint8Array(new BigUint64Array([BigInt(host.length - 10)]).buffer));
  assert.equal(call(m, t, args, 'NtReadFile', [h, 0, 0, 0, iosb, buf, 64, off, 0]), NTSTATUS.STATUS_SUCCESS);
  assert.equal(p.space.readU32(iosb + 4), 10);
  p.space.writeBytes(off, new Uint8Array(new BigUint64Array([BigInt(host.length)]).buffer));
  assert.equal(call(m, t, args, 'NtReadFile', [h, 0, 0, 0, iosb, buf, 64, off, 0]), NTSTATUS.STATUS_END_OF_FILE);
  assert.equal(call(m, t, args, 'NtReadFile', [h, 0, 0, 0, iosb, buf, 64, 0, 0]), NTSTATUS.STATUS_INVALID_PARAMETER, 'no file pointer');
  assert.equal(call(m, t, args, 'NtReadFile', [h, 4, 0, 0, iosb, buf, 64, off, 0]), NTSTATUS.STATUS_NOT_IMPLEMENTED, 'an event: asynchronous');
  const noRead = p.handles.insert(m.executive.namespace.lookup('\\BootModules\\exitcode.exe', null, true, false).object!, 0x20); // FILE_EXECUTE
  assert.equal(call(m, t, args, 'NtReadFile', [noRead, 0, 0, 0, iosb, buf, 64, off, 0]), NTSTATUS.STATUS_ACCESS_DENIED);
});

test('NtQueryInformationFile: FileStandardInformation of a boot module; other classes STATUS_NOT_IMPLEMENTED', () => {
  const { m, p, t, h, base } = setup(0x120089);
  const iosb = base + 0x100, buf = base + 0x1000, args = base;
  const size = statSync(join(guestBinDir(), 'exitcode.exe')).size;
  assert.equal(call(m, t, args, 'NtQueryInformationFile', [h, iosb, buf, 24, 5]), NTSTATUS.STATUS_SUCCESS);
  assert.equal(p.space.readU32(buf + 8), size, 'EndOfFile');
  assert.equal(p.space.readU32(buf), Math.ceil(size / 4096) * 4096, 'AllocationSize');
  assert.equal(p.space.readU32(buf + 16), 1, 'NumberOfLinks');
  assert.equal(p.space.readBytes(buf + 21, 1)[0], 0, 'not a directory');
  assert.equal(call(m, t, args, 'NtQueryInformationFile', [h, iosb, buf, 20, 5]), NTSTATUS.STATUS_INFO_LENGTH_MISMATCH);
  assert.equal(call(m, t, args, 'NtQueryInformationFile', [h, iosb, buf, 8, 14]), NTSTATUS.STATUS_NOT_IMPLEMENTED);
});

test('the file, driver and registry services that need the I/O manager answer STATUS_NOT_IMPLEMENTED, with a trace line', () => {
  const { m, t, base } = setup(0x120089);
  const lines: string[] = [];
  (m.executive.options as { trace?: (l: string) => void }).trace = (l) => lines.push(l);
  const names = SERVICES.filter((s) => s.status === 'not-implemented').map((s) => s.name);
  for (const n of ['NtWriteFile', 'NtOpenKey', 'NtQueryValueKey', 'NtLoadDriver', 'NtPlugPlayControl', 'NtQueryDirectoryFile']) assert.ok(names.includes(n as `Nt${string}`), n);
  for (const n of names) assert.equal(call(m, t, base, n, new Array(12).fill(0)), NTSTATUS.STATUS_NOT_IMPLEMENTED, n);
  assert.ok(lines.some((l) => l.startsWith('NtOpenKey: not implemented yet')), lines.join('\n'));
});
