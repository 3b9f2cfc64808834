/**
 * Runs a fixture case in the engine (interpreter) and compares the outcome
 * with what the host CPU did.
 *
 * The engine gets the same virtual layout as the native harness, with
 * paging on: the six pages (code, data, stack: two each) are mapped to
 * physical frames in descending order, so an access that crosses a virtual
 * page boundary also crosses to a non-adjacent physical frame; the guard
 * page after the data region is unmapped.
 */
import type { Cpu } from '../../../src/cpu/cpu.js';
import { STOP_BUDGET, STOP_FAULT, STOP_SYSCALL, type Engine } from './engine.js';
import {
  CODE_BASE, COMPARED_FLAGS, DATA_BASE, DEFAULT_FCW, DEFAULT_MXCSR, REGION, STACK_BASE, STACK_WINDOW, TAIL,
  resolveReg, resultFor, type Case, type Layout,
} from './fixture-format.js';
import { hex, unhex } from './iced.js';

export interface Env {
  e: Engine;
  cpu: Cpu;
  /** Virtual page number -> physical frame address. */
  frames: Map<number, number>;
}

const PAGES = [CODE_BASE, CODE_BASE + 0x1000, DATA_BASE, DATA_BASE + 0x1000, STACK_BASE, STACK_BASE + 0x1000];

export function makeEnv(e: Engine): Env {
  const ram = new e.GuestRam(64 * 1024);
  let next = 0x1000;
  const pt = new e.PageTables(ram, {
    allocFrame: () => { const a = next; next += 0x1000; ram.u8.fill(0, a, a + 0x1000); return a; },
    freeFrame: () => {},
  });
  const frames = new Map<number, number>();
  PAGES.forEach((va, i) => {
    const pa = 0xf000 - i * 0x1000;
    pt.map(va, pa, true);
    frames.set(va >>> 12, pa);
  });
  const cpu = new e.Cpu(ram, 4096);
  cpu.mmu.setCr3(pt.directory);
  return { e, cpu, frames };
}

function phys(env: Env, va: number): number {
  const f = env.frames.get(va >>> 12);
  if (f === undefined) throw new Error(`unmapped 0x${(va >>> 0).toString(16)}`);
  return f + (va & 0xfff);
}

function writeVirt(env: Env, va: number, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) env.cpu.u8[phys(env, va + i)] = bytes[i]!;
}

function readVirt(env: Env, va: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = env.cpu.u8[phys(env, va + i)]!;
  return out;
}

function padded(h: string | undefined, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (h) out.set(unhex(h).subarray(0, n));
  return out;
}

/** 80-bit extended (hex, little-endian) to the nearest double. */
export function f80ToNumber(h: string): number {
  const b = unhex(h);
  let mant = 0n;
  for (let i = 7; i >= 0; i--) mant = (mant << 8n) | BigInt(b[i]!);
  const se = b[8]! | (b[9]! << 8);
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0x7fff) return (mant & 0x7fffffffffffffffn) === 0n ? sign * Infinity : NaN;
  if (mant === 0n) return sign * 0;
  // value = mant * 2^(exp - 16383 - 63); scale in steps to avoid intermediate overflow/underflow.
  let v = Number(mant);
  let e2 = (exp === 0 ? 1 : exp) - 16383 - 63;
  while (e2 > 0) { const s = Math.min(e2, 1000); v *= 2 ** s; e2 -= s; }
  while (e2 < 0) { const s = Math.max(e2, -1000); v *= 2 ** s; e2 -= s; }
  return sign * v;
}

const SAME = (a: number, b: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);

const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const FLAG_NAMES: Array<[number, string]> = [[0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x400, 'DF'], [0x800, 'OF']];
const flagText = (f: number, mask: number): string => FLAG_NAMES.filter(([b]) => mask & b).map(([b, n]) => (f & b ? n : n.toLowerCase())).join(' ');
const h32 = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Runs case `c` in `layout`; returns the differences (empty: pass). */
export function runAndCompare(env: Env, c: Case, layout: Layout): string[] {
  const { e, cpu } = env;
  // Code pages: written through the CPU so that a decode cache sees the writes.
  const code = Uint8Array.from([...unhex(c.c), 0xcc]);
  for (let a = CODE_BASE; a < CODE_BASE + REGION; a += 4) cpu.write32(a, 0xcccccccc | 0);
  for (let i = 0; i < code.length; i++) cpu.write8(layout.code + i, code[i]!);
  writeVirt(env, DATA_BASE, new Uint8Array(REGION));
  writeVirt(env, STACK_BASE, new Uint8Array(REGION));
  const m0 = padded(c.m, 64), t0 = padded(c.t, 16), k0 = padded(c.k, 64);
  writeVirt(env, layout.buf, m0);
  writeVirt(env, TAIL, t0);
  writeVirt(env, STACK_WINDOW, k0);
  for (let i = 0; i < 8; i++) cpu.reg[i] = resolveReg(c.r[i]!, layout);
  cpu.eip = layout.code;
  cpu.setEflags(c.f);
  cpu.sse.u8.set(padded(c.x, 128));
  cpu.sse.mxcsr = c.mx ?? DEFAULT_MXCSR;
  const x = cpu.x87;
  x.r.fill(0); x.tag.fill(3); x.top = 0; x.sw = 0; x.cw = c.cw ?? DEFAULT_FCW; x.exactValid = 0;

  let stop = STOP_BUDGET;
  let threw: unknown = null;
  try {
    for (let n = 0; n < 20 && stop === STOP_BUDGET; n++) stop = e.run(cpu, 100_000);
  } catch (err) {
    threw = err;
  }
  const exp = resultFor(c, layout);
  const diffs: string[] = [];
  if (threw !== null) return [`engine threw: ${threw instanceof Error ? threw.stack?.split('\n').slice(0, 3).join(' | ') : String(threw)}`];
  const vector = stop === STOP_FAULT ? cpu.fault.vector : stop === STOP_SYSCALL ? 0x100 + cpu.fault.trapNumber : stop === STOP_BUDGET ? -1 : -3;
  if (vector !== exp.v) diffs.push(`stop: vector ${exp.v} expected, got ${vector === -1 ? 'budget exhausted' : vector >= 0x100 ? `syscall 0x${(vector - 0x100).toString(16)}` : vector}`);
  const eip = (cpu.eip - layout.code) | 0;
  if (eip !== exp.e) diffs.push(`eip: code+${exp.e} expected, got code+${eip}`);
  if (exp.v === 14 && vector === 14) {
    if (((exp.err ?? 0) & 7) !== (cpu.fault.errorCode & 7)) diffs.push(`#PF error code ${exp.err} expected, got ${cpu.fault.errorCode}`);
    if ((exp.cr2 ?? 0) >>> 0 !== cpu.fault.address >>> 0) diffs.push(`cr2 ${h32(exp.cr2 ?? 0)} expected, got ${h32(cpu.fault.address)}`);
  }
  if (exp.v === 13 && vector === 13 && (exp.err ?? 0) !== (cpu.fault.errorCode & 0xffff)) diffs.push(`#GP error code ${exp.err} expected, got ${cpu.fault.errorCode}`);
  for (let i = 0; i < 8; i++) {
    if (((c.ur ?? 0) >> i) & 1) continue;
    const want = parseInt(exp.r.substr(i * 8, 8), 16) | 0;
    if (cpu.reg[i] !== want) diffs.push(`${REGS[i]}: ${h32(want)} expected, got ${h32(cpu.reg[i]!)}`);
  }
  const mask = COMPARED_FLAGS & ~c.u;
  const fl = cpu.getEflags();
  if (((fl ^ exp.f) & mask) !== 0) diffs.push(`flags: ${flagText(exp.f, mask)} expected, got ${flagText(fl, mask)} (differ: ${flagText(fl, (fl ^ exp.f) & mask)})`);
  const memCheck = (name: string, want: string, got: Uint8Array): void => {
    const g = hex(got);
    if (g !== want) {
      let first = 0;
      while (first < got.length && g.substr(first * 2, 2) === want.substr(first * 2, 2)) first++;
      diffs.push(`${name}: differs from byte ${first}: expected ${want.substr(first * 2, 16)}.., got ${g.substr(first * 2, 16)}..`);
    }
  };
  memCheck('buffer', exp.m ?? hex(m0), readVirt(env, layout.buf, 64));
  memCheck('tail window', exp.t ?? hex(t0), readVirt(env, TAIL, 16));
  memCheck('stack window', exp.k ?? hex(k0), readVirt(env, STACK_WINDOW, 64));
  if ((c.fp ?? 0) & 1) {
    const gx = hex(cpu.sse.u8);
    for (let r = 0; r < 8; r++) {
      const w = (exp.x ?? '').substr(r * 32, 32), g = gx.substr(r * 32, 32);
      if (w !== g) diffs.push(`xmm${r}: ${w} expected, got ${g}`);
    }
    if (exp.mx !== undefined && exp.mx !== cpu.sse.mxcsr) diffs.push(`mxcsr: ${h32(exp.mx)} expected, got ${h32(cpu.sse.mxcsr)}`);
  }
  if ((c.fp ?? 0) & 2) {
    const sw = ((x.sw & ~0x3800) | (x.top << 11)) & 0x7fff;
    if (exp.sw !== undefined && (exp.sw & 0x7fff) !== sw) diffs.push(`fsw: ${h32(exp.sw & 0x7fff)} expected, got ${h32(sw)}`);
    let tw = 0;
    for (let p = 0; p < 8; p++) if (x.tag[p] !== 3) tw |= 1 << p;
    if (exp.tw !== undefined && exp.tw !== tw) diffs.push(`abridged tag: ${h32(exp.tw)} expected, got ${h32(tw)}`);
    if (exp.cw !== undefined && exp.cw !== x.cw) diffs.push(`fcw: ${h32(exp.cw)} expected, got ${h32(x.cw)}`);
    (exp.st ?? []).forEach((s, i) => {
      if (s === '') return;
      const p = (x.top + i) & 7;
      const want = f80ToNumber(s), got = x.r[p]!;
      if (x.tag[p] !== 3 && !SAME(want, got)) diffs.push(`st(${i}): ${want} (${s}) expected, got ${got}`);
    });
  }
  return diffs;
}
