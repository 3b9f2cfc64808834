/**
 * Regenerates the semantics fixtures (tests/cpu/oracle/fixtures/*.json) by
 * running every case of cases.ts on this machine's own processor.
 *
 *   npm run fixtures:cpu      (builds, then runs dist/tests/cpu/oracle/generate-fixtures.js)
 *
 * Needs clang with the i386 target and lld, and a kernel that runs i386 ELF
 * binaries. Each case runs twice natively, once per layout (fixture-format.ts).
 * The flags the SDM leaves undefined are recorded per case (`u`): the union
 * of what iced-x86 reports as undefined for each instruction of the sequence
 * and the count-dependent rules written in cases.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCases, integerCases, sseCases, x87Cases, type CaseSpec } from './cases.js';
import {
  DEFAULT_FCW, DEFAULT_MXCSR, IN_RECORD, LAYOUTS, OUT_RECORD, STACK_WINDOW, TAIL, resolveReg, type Case, type Layout, type Result,
} from './fixture-format.js';
import { hex, iced, icedFlagsToEflags } from './iced.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const oracleDir = join(root, 'tests', 'cpu', 'oracle');
const fixturesDir = join(oracleDir, 'fixtures');

function regString(v: number | string | undefined): string {
  if (v === undefined) return '00000000';
  if (typeof v === 'string') return v;
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** Undefined flags of the sequence according to iced-x86, plus the case's own. */
function undefinedFlags(spec: CaseSpec): number {
  const code = Uint8Array.from([...spec.code, 0xcc]);
  const d = new iced.Decoder(32, code, iced.DecoderOptions.None);
  let u = spec.u ?? 0;
  while (d.canDecode) {
    const ins = d.decode();
    if (!ins.isInvalid) u |= icedFlagsToEflags(ins.rflagsUndefined);
    ins.free();
  }
  d.free();
  return u;
}

function toCaseShell(spec: CaseSpec): Omit<Case, 'A' | 'B'> {
  const regs: Array<number | string | undefined> = spec.regs ?? [];
  const r = Array.from({ length: 8 }, (_, i) => regString(regs[i] ?? (i === 3 ? 'b+0' : i === 4 ? 's+0' : 0)));
  const c: Omit<Case, 'A' | 'B'> = { g: spec.g, c: hex(spec.code), r, f: spec.f ?? 0x202, u: undefinedFlags(spec) };
  if (spec.m) c.m = hex(spec.m.slice(0, 64));
  if (spec.t) c.t = hex(spec.t.slice(0, 16));
  if (spec.k) c.k = hex(spec.k.slice(0, 64));
  if (spec.x) c.x = hex(spec.x.slice(0, 128));
  if (spec.mx !== undefined) c.mx = spec.mx;
  if (spec.cw !== undefined) c.cw = spec.cw;
  if (spec.ur) c.ur = spec.ur;
  if (spec.fp) c.fp = spec.fp;
  return c;
}

function bytesOf(h: string | undefined, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (h) for (let i = 0; i < Math.min(n, h.length / 2); i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

function inputRecord(c: Omit<Case, 'A' | 'B'>, layout: Layout): Uint8Array {
  const rec = new Uint8Array(IN_RECORD);
  const dv = new DataView(rec.buffer);
  c.r.forEach((v, i) => dv.setUint32(i * 4, resolveReg(v, layout) >>> 0, true));
  const code = [...bytesOf(c.c, c.c.length / 2), 0xcc];
  if (code.length > 128) throw new Error(`case ${c.g}: code too long`);
  dv.setUint32(32, c.f >>> 0, true);
  dv.setUint32(36, layout.code >>> 0, true);
  dv.setUint32(40, code.length, true);
  dv.setUint32(44, c.mx ?? DEFAULT_MXCSR, true);
  dv.setUint32(48, c.cw ?? DEFAULT_FCW, true);
  dv.setUint32(52, layout.buf >>> 0, true);
  rec.set(code, 64);
  rec.set(bytesOf(c.m, 64), 192);
  rec.set(bytesOf(c.t, 16), 256);
  rec.set(bytesOf(c.k, 64), 272);
  rec.set(bytesOf(c.x, 128), 336);
  return rec;
}

function parseOutput(c: Omit<Case, 'A' | 'B'>, layout: Layout, out: Uint8Array): Result {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let r = '';
  for (let i = 0; i < 8; i++) r += dv.getUint32(i * 4, true).toString(16).padStart(8, '0');
  const eip = dv.getUint32(36, true);
  const v = dv.getUint32(40, true);
  const res: Result = { r, f: dv.getUint32(32, true) & 0xfd7, e: (eip - layout.code) | 0, v };
  if (v === 13 || v === 14) res.err = dv.getUint32(44, true) & 0xffff;
  if (v === 14) res.cr2 = dv.getUint32(48, true);
  const m = hex(out.subarray(64, 128)), t = hex(out.subarray(128, 144)), k = hex(out.subarray(144, 208));
  if (m !== hex(bytesOf(c.m, 64))) res.m = m;
  if (t !== hex(bytesOf(c.t, 16))) res.t = t;
  if (k !== hex(bytesOf(c.k, 64))) res.k = k;
  const fx = out.subarray(208, 720);
  const fdv = new DataView(fx.buffer, fx.byteOffset, 512);
  if ((c.fp ?? 0) & 1) {
    res.x = hex(fx.subarray(160, 288));
    res.mx = fdv.getUint32(24, true);
  }
  if ((c.fp ?? 0) & 2) {
    const sw = fdv.getUint16(2, true);
    const tw = fx[4]!;
    const top = (sw >> 11) & 7;
    res.sw = sw;
    res.tw = tw;
    res.cw = fdv.getUint16(0, true);
    res.st = Array.from({ length: 8 }, (_, i) => ((tw >> ((top + i) & 7)) & 1 ? hex(fx.subarray(32 + 16 * i, 42 + 16 * i)) : ''));
  }
  return res;
}

function buildHarness(dir: string): string {
  const exe = join(dir, 'harness');
  const r = spawnSync('clang', [
    '--target=i386-linux-gnu', '-nostdlib', '-static', '-fuse-ld=lld', '-O1', '-ffreestanding', '-fno-stack-protector',
    '-o', exe, join(oracleDir, 'native', 'harness.c'),
  ], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the native harness failed (needs clang with the i386 target and lld)');
  return exe;
}

function main(): void {
  const groups: Array<[string, CaseSpec[]]> = [['integer', integerCases()], ['sse', sseCases()], ['x87', x87Cases()]];
  const total = allCases().length;
  const dir = mkdtempSync(join(tmpdir(), 'cpu-oracle-'));
  try {
    const exe = buildHarness(dir);
    mkdirSync(fixturesDir, { recursive: true });
    let written = 0;
    for (const [name, specs] of groups) {
      const shells = specs.map(toCaseShell);
      const input = new Uint8Array(shells.length * LAYOUTS.length * IN_RECORD);
      shells.forEach((c, i) => LAYOUTS.forEach((l, j) => input.set(inputRecord(c, l), (i * LAYOUTS.length + j) * IN_RECORD)));
      const inFile = join(dir, `${name}.in`);
      writeFileSync(inFile, input);
      const r = spawnSync(exe, [], { input: readFileSync(inFile), maxBuffer: 1 << 30, timeout: 120_000 });
      if (r.status !== 0) throw new Error(`native harness failed (${name}): status ${r.status} signal ${r.signal} ${r.stderr?.toString() ?? ''}`);
      const out = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
      if (out.length !== shells.length * LAYOUTS.length * OUT_RECORD) throw new Error(`native harness (${name}): ${out.length} bytes of output, expected ${shells.length * LAYOUTS.length * OUT_RECORD}`);
      const lines: string[] = [];
      shells.forEach((c, i) => {
        const a = parseOutput(c, LAYOUTS[0]!, out.subarray((i * 2) * OUT_RECORD, (i * 2 + 1) * OUT_RECORD));
        const b = parseOutput(c, LAYOUTS[1]!, out.subarray((i * 2 + 1) * OUT_RECORD, (i * 2 + 2) * OUT_RECORD));
        const diff: Record<string, unknown> = {};
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Result>;
        for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) diff[k] = b[k] ?? null;
        const full: Case = { ...c, A: a, B: diff };
        lines.push(JSON.stringify(full));
      });
      writeFileSync(join(fixturesDir, `${name}.json`), `[\n${lines.join(',\n')}\n]\n`);
      written += lines.length;
      console.log(`${name}: ${lines.length} cases`);
    }
    console.log(`wrote ${written} of ${total} cases to ${fixturesDir} (stack window ${STACK_WINDOW.toString(16)}, tail ${TAIL.toString(16)})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
