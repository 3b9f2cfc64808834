// The committed guest images (guest/bin, guest/lib) against the contract in
// guest/README.md: PE32 i386 native images, ntdll's exports and the exact
// bytes of every system-call stub, and generated sources in step with the
// service table. The PE headers are read by hand here on purpose: the
// engine's loader (src/pe) is tested on its own, this test must not depend
// on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICES, serviceArgBytes, serviceByName, serviceNumber, stubName } from '../../src/abi/services.js';

// Runs from dist/tests/guest: three levels up is the repository.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const guest = join(root, 'guest');

const IMAGE_FILE_MACHINE_I386 = 0x14c;
const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
const IMAGE_FILE_DLL = 0x2000;
const IMAGE_SUBSYSTEM_NATIVE = 1;

interface Section { name: string; va: number; vsize: number; raw: number; rawSize: number }
interface Pe {
  buf: Buffer;
  machine: number;
  characteristics: number;
  magic: number;
  entry: number;
  imageBase: number;
  subsystem: number;
  dirs: { rva: number; size: number }[];
  sections: Section[];
}

function parsePe(buf: Buffer): Pe {
  assert.equal(buf.toString('latin1', 0, 2), 'MZ', 'DOS signature');
  const pe = buf.readUInt32LE(0x3c);
  assert.equal(buf.toString('latin1', pe, pe + 4), 'PE\0\0', 'PE signature');
  const coff = pe + 4;
  const nsec = buf.readUInt16LE(coff + 2);
  const optSize = buf.readUInt16LE(coff + 16);
  const opt = coff + 20;
  const ndirs = buf.readUInt32LE(opt + 92);
  const dirs = [];
  for (let i = 0; i < ndirs; i++) dirs.push({ rva: buf.readUInt32LE(opt + 96 + 8 * i), size: buf.readUInt32LE(opt + 100 + 8 * i) });
  const sections: Section[] = [];
  for (let i = 0, s = opt + optSize; i < nsec; i++, s += 40) {
    sections.push({
      name: buf.toString('latin1', s, s + 8).replace(/\0+$/, ''),
      vsize: buf.readUInt32LE(s + 8),
      va: buf.readUInt32LE(s + 12),
      rawSize: buf.readUInt32LE(s + 16),
      raw: buf.readUInt32LE(s + 20),
    });
  }
  return {
    buf,
    machine: buf.readUInt16LE(coff),
    characteristics: buf.readUInt16LE(coff + 18),
    magic: buf.readUInt16LE(opt),
    entry: buf.readUInt32LE(opt + 16),
    imageBase: buf.readUInt32LE(opt + 28),
    subsystem: buf.readUInt16LE(opt + 68),
    dirs,
    sections,
  };
}

function fileOffset(p: Pe, rva: number): number {
  for (const s of p.sections) {
    if (rva >= s.va && rva < s.va + Math.max(s.vsize, s.rawSize)) {
      assert.ok(rva - s.va < s.rawSize, `RVA 0x${rva.toString(16)} has no file data`);
      return s.raw + (rva - s.va);
    }
  }
  assert.fail(`RVA 0x${rva.toString(16)} is in no section`);
}

function cstring(p: Pe, rva: number): string {
  const off = fileOffset(p, rva);
  return p.buf.toString('latin1', off, p.buf.indexOf(0, off));
}

/** Export name → RVA (forwarders would show as RVAs inside the export directory). */
function exportsOf(p: Pe): Map<string, number> {
  const dir = p.dirs[0]!;
  assert.ok(dir.rva !== 0, 'export directory present');
  const d = fileOffset(p, dir.rva);
  const nfuncs = p.buf.readUInt32LE(d + 20);
  const nnames = p.buf.readUInt32LE(d + 24);
  const funcs = fileOffset(p, p.buf.readUInt32LE(d + 28));
  const names = fileOffset(p, p.buf.readUInt32LE(d + 32));
  const ords = fileOffset(p, p.buf.readUInt32LE(d + 36));
  const out = new Map<string, number>();
  for (let i = 0; i < nnames; i++) {
    const name = cstring(p, p.buf.readUInt32LE(names + 4 * i));
    const idx = p.buf.readUInt16LE(ords + 2 * i);
    assert.ok(idx < nfuncs, `ordinal index of ${name} in range`);
    out.set(name, p.buf.readUInt32LE(funcs + 4 * idx));
  }
  return out;
}

/** DLL name → imported names. */
function importsOf(p: Pe): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const dir = p.dirs[1]!;
  if (!dir.rva) return out;
  for (let d = fileOffset(p, dir.rva); ; d += 20) {
    const ilt = p.buf.readUInt32LE(d);
    const nameRva = p.buf.readUInt32LE(d + 12);
    if (!nameRva) break;
    const names: string[] = [];
    for (let t = fileOffset(p, ilt || p.buf.readUInt32LE(d + 16)); ; t += 4) {
      const e = p.buf.readUInt32LE(t);
      if (!e) break;
      names.push(e & 0x80000000 ? `#${e & 0xffff}` : cstring(p, e + 2));
    }
    out.set(cstring(p, nameRva).toLowerCase(), names);
  }
  return out;
}

const PROGRAMS = ['hello', 'exitcode', 'fault', 'cputest', 'cputest-o0', 'compute'];
const RTL_EXPORTS = readFileSync(join(guest, 'ntdll/exports.txt'), 'utf8')
  .split('\n').map((l) => l.replace(/[;#].*$/, '').trim()).filter(Boolean);

test('the service table is consistent', () => {
  assert.ok(SERVICES.length >= 7);
  SERVICES.forEach((s, i) => {
    assert.equal(serviceNumber(s.name), i);
    assert.equal(serviceByName(s.name), s);
    assert.match(s.name, /^Nt[A-Z]/);
    assert.equal(s.returns, 'NTSTATUS');
    for (const a of s.args) assert.ok(['in', 'out', 'inout'].includes(a.dir), `${s.name}.${a.name} direction`);
  });
  // The foundation's numbering, which built images depend on.
  assert.deepEqual(SERVICES.slice(0, 7).map((s) => s.name), [
    'NtTerminateProcess', 'NtDisplayString', 'NtAllocateVirtualMemory', 'NtFreeVirtualMemory',
    'NtProtectVirtualMemory', 'NtQueryPerformanceCounter', 'NtQuerySystemTime',
  ]);
  assert.equal(serviceArgBytes(serviceByName('NtAllocateVirtualMemory')!), 24);
  assert.equal(serviceByName('NtNoSuchService'), undefined);
  assert.throws(() => serviceNumber('NtNoSuchService'), /unknown NT service/);
});

test('ntdll.dll is a PE32 i386 DLL at 0x7c900000', () => {
  const p = parsePe(readFileSync(join(guest, 'bin/ntdll.dll')));
  assert.equal(p.machine, IMAGE_FILE_MACHINE_I386);
  assert.equal(p.magic, 0x10b, 'PE32 optional header');
  assert.ok(p.characteristics & IMAGE_FILE_DLL);
  assert.equal(p.subsystem, IMAGE_SUBSYSTEM_NATIVE);
  assert.equal(p.imageBase, 0x7c900000);
  assert.equal(importsOf(p).size, 0, 'ntdll imports nothing');
});

test('ntdll exports every service and runtime function', () => {
  const p = parsePe(readFileSync(join(guest, 'bin/ntdll.dll')));
  const ex = exportsOf(p);
  for (const s of SERVICES) assert.ok(ex.has(s.name), `exports ${s.name}`);
  for (const n of RTL_EXPORTS) assert.ok(ex.has(n), `exports ${n}`);
  for (const n of ['LdrpProcessReturnThunk', 'RtlInitUnicodeString', 'RtlEqualUnicodeString', 'memcpy', 'memset', 'strlen', 'wcslen'])
    assert.ok(ex.has(n), `exports ${n}`);
  // Clean, undecorated names only.
  for (const n of ex.keys()) assert.match(n, /^[A-Za-z_][A-Za-z0-9_]*$/, `export name ${n}`);
});

test('each system call stub is exactly a seL4_Call on the service endpoint (label = service number) returning MR0', () => {
  const p = parsePe(readFileSync(join(guest, 'bin/ntdll.dll')));
  const ex = exportsOf(p);
  SERVICES.forEach((s, n) => {
    const off = fileOffset(p, ex.get(stubName(s))!);
    // push ebx/esi/edi/ebp; mov eax,-1; mov ebx,1; mov esi,(n<<12)|1; lea edi,[esp+20]; sysenter;
    // test eax,eax; mov eax,edi; jz +5; mov eax,0xC000001C; pop ebp/edi/esi/ebx; ret N
    const want = Buffer.from([
      0x53, 0x56, 0x57, 0x55, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xbb, 1, 0, 0, 0, 0xbe, 0, 0, 0, 0,
      0x8d, 0x7c, 0x24, 0x14, 0x0f, 0x34, 0x85, 0xc0, 0x89, 0xf8, 0x74, 0x05, 0xb8, 0x1c, 0x00, 0x00, 0xc0,
      0x5d, 0x5f, 0x5e, 0x5b, 0xc2, 0, 0,
    ]);
    want.writeUInt32LE((n << 12) | 1, 15);
    want.writeUInt16LE(serviceArgBytes(s), want.length - 2);
    assert.deepEqual(p.buf.subarray(off, off + want.length), want, `${stubName(s)} stub bytes`);
  });
});

test('LdrpProcessReturnThunk pushes EAX and -1 and calls NtTerminateProcess', () => {
  const p = parsePe(readFileSync(join(guest, 'bin/ntdll.dll')));
  const ex = exportsOf(p);
  const rva = ex.get('LdrpProcessReturnThunk')!;
  const off = fileOffset(p, rva);
  assert.deepEqual([...p.buf.subarray(off, off + 4)], [0x50, 0x6a, 0xff, 0xe8]);
  const target = rva + 8 + p.buf.readInt32LE(off + 4);
  assert.equal(target, ex.get('NtTerminateProcess'));
  assert.deepEqual([...p.buf.subarray(off + 8, off + 10)], [0x0f, 0x0b], 'ud2');
});

for (const name of PROGRAMS) {
  test(`${name}.exe is a relocatable PE32 i386 native program importing only ntdll`, () => {
    const file = join(guest, 'bin', `${name}.exe`);
    assert.ok(existsSync(file), `${file} exists`);
    const p = parsePe(readFileSync(file));
    assert.equal(p.machine, IMAGE_FILE_MACHINE_I386);
    assert.equal(p.magic, 0x10b);
    assert.ok(p.characteristics & IMAGE_FILE_EXECUTABLE_IMAGE);
    assert.equal(p.characteristics & IMAGE_FILE_DLL, 0);
    assert.equal(p.subsystem, IMAGE_SUBSYSTEM_NATIVE);
    assert.equal(p.imageBase, 0x400000);
    assert.ok(p.entry !== 0, 'has an entry point');
    assert.ok(p.dirs[5]!.rva !== 0 && p.dirs[5]!.size !== 0, 'keeps base relocations');
    const imports = importsOf(p);
    assert.deepEqual([...imports.keys()], ['ntdll.dll']);
    const ntdll = exportsOf(parsePe(readFileSync(join(guest, 'bin/ntdll.dll'))));
    for (const n of imports.get('ntdll.dll')!) assert.ok(ntdll.has(n), `${name} imports ${n}, which ntdll exports`);
  });
}

test('the SDK libraries exist; ntdll.lib has the stdcall import symbols', () => {
  const crt = readFileSync(join(guest, 'lib/neptunecrt.lib'));
  assert.equal(crt.toString('latin1', 0, 8), '!<arch>\n');
  const imp = readFileSync(join(guest, 'lib/ntdll.lib'));
  assert.equal(imp.toString('latin1', 0, 8), '!<arch>\n');
  for (const s of SERVICES) {
    const sym = `__imp__${s.name}@${serviceArgBytes(s)}`;
    assert.ok(imp.includes(Buffer.from(sym + '\0', 'latin1')), `ntdll.lib defines ${sym}`);
  }
});

test('cputest has a committed native reference output', () => {
  const text = readFileSync(join(guest, 'programs/cputest/expected.txt'), 'utf8');
  assert.match(text, /^cputest: /);
  assert.match(text, /== done: \d+ self-checks, 0 failed\n$/);
});

test('generated sources are up to date with src/abi', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'neptune-gen-'));
  try {
    const r = spawnSync(process.execPath, [join(guest, 'tools/gen-sdk.mjs'), '--out', tmp], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['guest/ntdll/syscalls.gen.c', 'guest/sdk/include/ntsyscalls.gen.h', 'guest/ntdll/ntdll.def', 'guest/sdk/include/ntstatus.gen.h']) {
      const committed = readFileSync(join(root, f), 'utf8');
      assert.equal(readFileSync(join(tmp, f), 'utf8'), committed, `${f} is stale: run npm run build:guest`);
      assert.match(committed.split('\n')[0]!, /Generated by guest\/tools\/gen-sdk\.mjs from src\/abi\//);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
