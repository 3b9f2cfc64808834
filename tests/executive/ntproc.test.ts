/**
 * Processes creating processes (guest/programs/ntproc): boot modules
 * (\BootModules, NtOpenFile/NtCreateFile), image sections of them
 * (NtCreateSection(SEC_IMAGE), NtQuerySection), NtCreateProcess, and
 * ntdll's RtlCreateProcessParameters/RtlCreateUserProcess/RtlCreateUserThread;
 * each child starts in ntdll's LdrInitializeThunk, which binds its imports
 * before its entry runs. A child makes a grandchild, and so on; exit codes
 * travel back through NtWaitForSingleObject + NtQueryInformationProcess.
 * Expected values are NT's statuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const OK = '0x00000000';
const want: Record<string, string> = {
  'modules': 'ntproc.exe,ntdll.dll', // the loader ran before main (PEB->Ldr)
  'section.image': OK, 'query.image': OK, 'query.image.length': '48', 'query.entry': 'ok',
  'query.stack': 'ok 1048576 4096', 'query.subsystem': '1 6.0', 'query.machine': '0x14c chars ok code 1',
  'query.basic': OK, 'query.basic.values': '0x1800000 ok 16', // SEC_IMAGE | SEC_FILE, SizeOfImage in pages
  'query.short': '0xc0000004', 'query.class': '0xc0000003', 'query.bad-handle': '0xc0000008',
  'query.data-image': '0xc0000049', // STATUS_SECTION_NOT_IMAGE
  'query.data-basic': OK, 'query.data-basic.values': '0x8000000 8192', 'section.again': OK,
  'open.missing': '0xc0000034', // STATUS_OBJECT_NAME_NOT_FOUND
  'open.write': '0xc0000022', 'open.generic-all': '0xc0000022', // read-only: STATUS_ACCESS_DENIED
  'open.elsewhere': '0xc0000002', // no I/O manager: STATUS_NOT_IMPLEMENTED
  'open.directory': '0xc00000ba', // STATUS_FILE_IS_A_DIRECTORY
  'create.overwrite': '0xc0000022', 'create.open': OK, 'create.open.iosb': '0x00000000 1',
  'section.no-execute': '0xc0000022', 'section.no-file': '0xc0000020',
  'section.not-pe': '0xc000007b', 'spawn.not-pe': '0xc000007b', // STATUS_INVALID_IMAGE_FORMAT
  'spawn.missing': '0xc0000034',
  'process.bad-section': '0xc0000008', 'process.event-section': '0xc0000024', 'process.data-section': '0xc0000049',
  'section.dll': OK, 'process.dll-section': '0xc000007b', 'process.no-section': '0xc0000002', 'process.bad-parent': '0xc0000008',
  'bare.create': OK, 'bare.info': OK, 'bare.status': '0x00000103 own-id 1', 'bare.read-peb': OK,
  'bare.peb': 'base same params 00000000', 'bare.ntdll': OK, 'bare.ntdll.type': '0x1000000',
  'bare.terminate': OK, 'bare.wait': OK, 'bare.exit': '5',
  'bare.open-while-held': OK, 'bare.open-after-close': '0xc000000b', // never started, last handle closed: gone (STATUS_INVALID_CID)
  'thread.create': OK, 'thread.wait': OK, 'thread.exit': '7', 'thread.no-start': '0xc000000d',
  'spawn.child': OK, 'spawn.child.exit': '42', // 40 from the grandchild's child, +1 per level
  'spawn.inherit': OK, 'spawn.inherit.exit': '0 set yes', // the event handle was inherited at the same value
  'spawn.no-inherit': OK, 'spawn.no-inherit.exit': '0xc0000008',
};

for (const fastpath of [true, false]) test(`ntproc.exe: processes creating processes from \\BootModules (fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  // A second image directory with a file that is not a PE image: it becomes \BootModules\garbage.exe.
  const dir = mkdtempSync(join(tmpdir(), 'neptune-ntproc-'));
  try {
    writeFileSync(join(dir, 'garbage.exe'), 'this is not a PE image');
    let out = '';
    const r = runNtProgram({
      image: join(guestBinDir(), 'ntproc.exe'), args: ['garbage.exe'], dllPath: [guestBinDir(), dir], env: ['NTPROC_ENV=inherited'],
      memory: 64 << 20, fastpath, console: (s) => { out += s; },
    });
    const lines = out.trim().split('\n');
    const got = new Map(lines.filter((l) => !l.startsWith('child ')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, `${k}\n${out}`);
    // Each level got the command line, image path, environment and current directory its parent gave, and its imports bound by ntdll.
    for (const depth of [2, 1, 0]) {
      assert.ok(lines.includes(`child ${depth}: argc 4 arg 'two words' image \\BootModules\\ntproc.exe env inherited cwd C:\\ modules ntproc.exe,ntdll.dll`), `child ${depth}\n${out}`);
    }
    assert.ok(out.indexOf('child 2:') < out.indexOf('child 1:') && out.indexOf('child 1:') < out.indexOf('child 0:'), 'each child before its own child');
    assert.equal(r.exitStatus, 0, out);
    // Every child ended: only the program's own exit is left to see.
    assert.equal(r.executive.processes.size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a program whose import cannot be bound ends at start with the loader\'s status and one line', () => {
  // A copy of ntproc.exe whose ntdll import names a DLL nobody has: the host maps it, ntdll's loader refuses it.
  const dir = mkdtempSync(join(tmpdir(), 'neptune-ntproc-'));
  try {
    const image = readFileSync(join(guestBinDir(), 'ntproc.exe'));
    const at = image.indexOf(Buffer.from('ntdll.dll\0'));
    assert.ok(at > 0);
    image.write('nodll.dll\0', at);
    writeFileSync(join(dir, 'lonely.exe'), image);
    let out = '';
    const r = runNtProgram({ image: join(dir, 'lonely.exe'), args: [], dllPath: [dir, guestBinDir()], memory: 32 << 20, console: (s) => { out += s; } });
    assert.equal(r.exitStatus, 0xc0000135, out); // STATUS_DLL_NOT_FOUND
    assert.equal(out, 'ntdll: process initialization failed: 0xc0000135\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
