/**
 * ntdll's loader (guest/ntdll/ldr.c) over \KnownDlls image sections
 * (src/executive/mm/image-section.ts), run by guest/programs/ldrtest:
 * LdrLoadDll with a dependency that must be relocated, DllMain order,
 * LdrGetProcedureAddress by name, by ordinal and through a forwarder,
 * load counts, LdrUnloadDll with DLL_PROCESS_DETACH, and the error statuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

test('ldrtest.exe: LdrLoadDll/LdrGetDllHandle/LdrGetProcedureAddress over \\KnownDlls', () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ldrtest.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; } });
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  const want: Record<string, string> = {
    'load': '0x00000000 base',
    'dep handle': '0x00000000',
    'dep relocated': 'yes', // ldrdep.dll's preferred base is taken by the program: STATUS_IMAGE_NOT_AT_BASE, relocated by ntdll
    'add by name': '0x00000000 42',
    'add by ordinal': '0x00000000 3',
    'mul by ordinal (noname)': '0x00000000 42',
    'mul by name': '0xc000007a', // NONAME: STATUS_PROCEDURE_NOT_FOUND by name
    'forwarder': '0x00000000 same 3', // ldrtest!LdrTestCompare → ntdll!RtlCompareMemory
    'missing name': '0xc000007a',
    'missing ordinal': '0xc0000138',
    'init order': 'DT', // the dependency's DllMain ran first
    'dep data': 'relocated', // a pointer in initialized data was fixed up
    'load again': '0x00000000 same',
    'load count': '2',
    'attaches': '1', // DllMain once, not on the second load
    'unload once': '0x00000000 count 1',
    'unload twice': '0x00000000 dep 0xc0000135 region free', // the dependency went with it
    'unload unknown': '0xc0000135',
    'unload ntdll': '0x00000000', // pinned: nothing happens
    'reload': '0x00000000 attaches 1', // a fresh copy, attached again
    'reload order': 'DT',
    'init failed': '0xc0000142 listed 0xc0000135', // DllMain said FALSE: STATUS_DLL_INIT_FAILED, unmapped, off the list
    'not a module': '0xc0000135',
    'missing dll': '0xc0000135',
    'bad section': '0x00000000',
    'corrupt dll': '0xc000007b',
    'corrupt dll listed': '0xc0000135',
    'modules': 'ldrtest.exe ntdll.dll ldrtest.dll ldrdep.dll',
  };
  for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, `${k}\n${out}`);
  assert.match(out, /\ndetach: ldrtest\ndetach: ldrdep\n/, 'DLL_PROCESS_DETACH in the reverse of initialization order');
  assert.equal(out.match(/detach:/g)?.length, 2, 'detached once each');
  assert.equal(r.exitStatus, 0, out);
});
