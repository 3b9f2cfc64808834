/**
 * Every service with random arguments from a fixed seed, through the
 * executive's real dispatch, on behalf of a live process: each call must
 * answer an NTSTATUS (never an engine error) and the system keeps running
 * (the same executive then runs a program to completion).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { mmCreateImageSection } from '../../src/executive/mm/image-section.js';
import { SERVICES, serviceArgSlots } from '../../src/abi/services.js';
import { bootNt, runUntil } from '../../src/executive/boot.js';
import { PENDING } from '../../src/executive/dispatch.js';
import { guestBinDir } from '../../src/machine/paths.js';
import type { EProcess } from '../../src/executive/ps/process.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
}

test('fuzz: 4000 calls with random arguments all answer an NTSTATUS', () => {
  const m = bootNt({ memory: 64 << 20, console: () => {} });
  const ex = m.executive;
  const bin = guestBinDir();
  const spawn = (): EProcess => {
    const q = ex.createProcess({ image: join(bin, 'hello.exe'), args: [], dllPath: [bin] });
    // Objects for the random handles (4, 8, 12) to hit: a boot module file, a program's image section,
    // \KnownDlls\ntdll.dll (so the process-creation services get real ones now and then).
    const file = ex.namespace.lookup('\\BootModules\\exitcode.exe', null, true, false).object!;
    q.handles.insert(file, 0x1200a9);
    q.handles.insert(mmCreateImageSection(ex.ko, readFileSync(join(bin, 'exitcode.exe')), 'exitcode.exe'), 0xf001f);
    q.handles.insert(ex.namespace.lookup('\\KnownDlls\\ntdll.dll', null, true, false).object!, 0xd); // query, map read/execute (as ntdll opens it)
    return q;
  };
  let p = spawn();
  const next = rng(0x5eed);
  let answered = 0;
  for (let i = 0; i < 4000; i++) {
    if (p.terminated || p.threads.size === 0) p = spawn();
    const t = [...p.threads][0]!;
    const n = i % SERVICES.length;
    const s = SERVICES[n]!;
    // A scratch page in the process for the argument block and pointed-to data.
    const [page] = p.space.allocate(0, 0x2000, 0x3000, 4);
    const choices = () => {
      const r = next();
      switch (r % 8) {
        case 0: return 0;
        case 1: return 0xffffffff;
        case 2: return page + 0x100 + (r >>> 8) % 0x1e00;
        case 3: return 0x10;
        case 4: return 0xc0000000;
        case 5: return (r >>> 4) & 0xff;
        case 6: return 4 + ((r >>> 8) % 16) * 4; // plausible handles
        default: return next();
      }
    };
    const words = Array.from({ length: serviceArgSlots(s) }, choices);
    const block = new Uint8Array(words.length * 4);
    words.forEach((w, j) => new DataView(block.buffer).setUint32(j * 4, w >>> 0, true));
    p.space.writeBytes(page, block, true);
    for (let j = 0x100; j < 0x2000; j += 4) p.space.writeBytes(page + j, new Uint8Array([next() & 0xff, 0, 0, 0]), true);
    const status = (ex as unknown as { dispatcher: { dispatch(e: unknown, t: unknown, n: number, a: number): number } }).dispatcher.dispatch(ex, t, n, page);
    assert.equal(typeof status, 'number', `${s.name} answered ${status}`);
    assert.ok(status === PENDING || (status >>> 0) === status, `${s.name}: ${status}`);
    if (t.wait !== null) { t.wait.cancel(); t.wait = null; }
    if (!p.terminated) { try { p.space.free(page, 0, 0x8000); } catch { /* the fuzz may have released it */ } }
    answered++;
  }
  assert.equal(answered, 4000);
  // Still running: a program runs to completion on the same system.
  let out = '';
  const opts = { console: (s: string) => { out += s; } };
  void opts;
  const q = ex.createProcess({ image: join(bin, 'exitcode.exe'), args: ['7'], dllPath: [bin] });
  for (const old of [...ex.processes.values()]) if (old !== q) ex.terminateProcess(old, 0);
  assert.equal(runUntil(m, () => q.terminated, 50_000_000), 'done');
  assert.equal(q.exitStatus, 7);
});

test('fuzz through the real path: ntfuzz.exe makes sysenter calls with random numbers and arguments; every one comes back', async () => {
  const { runNtProgram } = await import('../../src/executive/boot.js');
  // Services that block or move the thread elsewhere are skipped: the fuzzer must keep running to count.
  // NtShutdownSystem too: should a random NtAdjustPrivilegesToken have enabled SeShutdownPrivilege, it would end
  // the fuzzer with every other process (the in-process fuzz above calls it and respawns its process).
  const skip = ['NtShutdownSystem',
    'NtTerminateProcess', 'NtTerminateThread', 'NtWaitForSingleObject', 'NtWaitForMultipleObjects', 'NtDelayExecution',
    'NtContinue', 'NtRaiseException', 'NtSuspendThread', 'NtSetContextThread', 'NtListenPort', 'NtConnectPort',
    'NtRequestWaitReplyPort', 'NtReplyWaitReceivePort', 'NtTestAlert', 'NtCreateThread', 'NtFreeVirtualMemory', 'NtProtectVirtualMemory',
    'NtWriteVirtualMemory',
  ].map((n) => String(SERVICES.findIndex((s) => s.name === n)));
  let out = '';
  const bin = guestBinDir();
  const r = runNtProgram({ image: join(bin, 'ntfuzz.exe'), args: ['0x5eed', '3000', ...skip], dllPath: [bin], memory: 64 << 20, console: (s) => { out += s; }, maxInstructions: 500_000_000 });
  assert.equal(r.exception, undefined, r.exception);
  assert.equal(r.exitStatus, 0);
  const m = /calls (\d+) success (\d+) errors (\d+) other (\d+)/.exec(out);
  assert.ok(m, out);
  assert.ok(Number(m[1]) > 2000, 'most of the calls were made');
  assert.ok(Number(m[3]) > Number(m[2]), 'random arguments mostly fail, with a status');
});
