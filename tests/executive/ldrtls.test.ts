/**
 * Static TLS and thread callouts in ntdll's loader (guest/ntdll/ldr.c),
 * run by guest/programs/ldrtls with ldrtls.dll (imported, so loaded and
 * initialized at process start): each thread gets its own copy of the
 * program's and the DLL's __declspec(thread) data from the templates, the
 * DLL's DllMain sees its TLS at DLL_PROCESS_ATTACH, TLS callbacks and
 * DllMain get DLL_THREAD_ATTACH for every new thread and DLL_THREAD_DETACH
 * for one that leaves through RtlExitUserThread (not for NtTerminateThread,
 * as on NT).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

test('ldrtls.exe: static TLS of a program and a DLL, TLS callbacks, DLL_THREAD_ATTACH/DETACH', () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ldrtls.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; } });
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  const want: Record<string, string> = {
    'main.start': 'counter 5 dll 7 zeroed 0', // the templates (zero fill included)
    'callbacks.start': '0 1 0 0', // the program's TLS callback: DLL_PROCESS_ATTACH once, before main
    'dll.counts.start': '70000', // DllMain(DLL_PROCESS_ATTACH) saw its TLS (7); no thread calls yet
    'thread.create': '0x00000000',
    'thread.saw': '5001070', // its own copies: counter 5 (not main's 6), the DLL's 7 + 100 from its DLL_THREAD_ATTACH, zeroes
    'main.after': 'counter 6 dll 8 zeroed 0', // the thread's writes went to its copies
    'dll.counts.after': '70101', // one attach, one detach (it returned: RtlExitUserThread)
    'callbacks.after': '0 1 1 1',
    'raw.create': '0x00000000',
    'raw.saw': '107', // NtCreateThread threads start in LdrInitializeThunk too
    'main.end': 'counter 6',
    'dll.counts.end': '70201', // attached; NtTerminateThread skips the detach
    'callbacks.end': '0 1 2 1',
  };
  for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, `${k}\n${out}`);
  assert.equal(r.exitStatus, 0, out);
});
