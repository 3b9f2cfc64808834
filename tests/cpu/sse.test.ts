/**
 * SSE/SSE2 semantics with hand-computed expectations (SDM vol. 1 ch. 4,
 * 10, 11; vol. 2 per instruction): the cases where a straightforward JS
 * implementation goes wrong. Run as real byte sequences through the
 * decoder and interpreter. The broad sweep against the host CPU lives in
 * tests/cpu/oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, runToStop, END, DATA, hex } from './helpers.js';
import { Stop, Vector } from '../../src/cpu/fault.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ST = CF | PF | AF | ZF | SF | OF;
const IE = 1, ZE = 4, PE = 0x20;

function exec(code: number[], setup?: (cpu: Cpu) => void): Cpu {
  const cpu = machine([...code, ...END]);
  setup?.(cpu);
  const stop = runToStop(cpu);
  assert.equal(stop, Stop.SYSCALL, `stopped with ${stop}, vector ${cpu.fault.vector} at ${hex(cpu.eip)}`);
  return cpu;
}

/** Runs `code` expecting a fault; returns the CPU. */
function fault(code: number[], setup?: (cpu: Cpu) => void): Cpu {
  const cpu = machine([...code, ...END]);
  setup?.(cpu);
  assert.equal(runToStop(cpu), Stop.FAULT);
  return cpu;
}

const dv = new DataView(new ArrayBuffer(8));
function bits64(v: number): [number, number] {
  dv.setFloat64(0, v, true);
  return [dv.getInt32(0, true), dv.getInt32(4, true)];
}
function setSd(cpu: Cpu, r: number, v: number): void {
  const [lo, hi] = bits64(v);
  cpu.sse.i32[r * 4] = lo; cpu.sse.i32[r * 4 + 1] = hi;
}
function setSdBits(cpu: Cpu, r: number, hi: number, lo = 0): void {
  cpu.sse.i32[r * 4] = lo; cpu.sse.i32[r * 4 + 1] = hi | 0;
}
const hiOf = (cpu: Cpu, r: number): number => cpu.sse.i32[r * 4 + 1]! >>> 0;
const loOf = (cpu: Cpu, r: number): number => cpu.sse.i32[r * 4]! >>> 0;
const sd = (cpu: Cpu, r: number): number => cpu.sse.f64[r * 2]!;
const ss = (cpu: Cpu, r: number): number => cpu.sse.f32[r * 4]!;

const MINSD = [0xf2, 0x0f, 0x5d, 0xc1]; // minsd xmm0, xmm1
const MAXSD = [0xf2, 0x0f, 0x5f, 0xc1]; // maxsd xmm0, xmm1

test('minsd/maxsd return the second operand for NaN and for two zeros', () => {
  // NaN in the first operand: the second (1.0) comes back.
  let cpu = exec(MINSD, (c) => { setSdBits(c, 0, 0x7ff80000); setSd(c, 1, 1); });
  assert.equal(sd(cpu, 0), 1);
  assert.equal(cpu.sse.mxcsr & IE, IE);
  // NaN in the second operand: the NaN itself, bit for bit (an SNaN stays signalling).
  cpu = exec(MAXSD, (c) => { setSd(c, 0, 1); setSdBits(c, 1, 0x7ff00000, 1); });
  assert.equal(hiOf(cpu, 0), 0x7ff00000);
  assert.equal(loOf(cpu, 0), 1);
  // +0 vs -0: neither is smaller, so the second (-0) for both min and max.
  cpu = exec(MINSD, (c) => { setSd(c, 0, 0); setSd(c, 1, -0); });
  assert.ok(Object.is(sd(cpu, 0), -0));
  cpu = exec(MAXSD, (c) => { setSd(c, 0, -0); setSd(c, 1, 0); });
  assert.ok(Object.is(sd(cpu, 0), 0));
  cpu = exec(MINSD, (c) => { setSd(c, 0, 2); setSd(c, 1, 3); });
  assert.equal(sd(cpu, 0), 2);
});

test('invalid operations give the default NaN 0xFFF8000000000000 / 0xFFC00000 and set IE', () => {
  // divsd xmm0, xmm1 with 0/0
  let cpu = exec([0xf2, 0x0f, 0x5e, 0xc1], (c) => { setSd(c, 0, 0); setSd(c, 1, 0); });
  assert.equal(hiOf(cpu, 0), 0xfff80000);
  assert.equal(loOf(cpu, 0), 0);
  assert.equal(cpu.sse.mxcsr & IE, IE);
  // sqrtss xmm0, xmm1 of -1
  cpu = exec([0xf3, 0x0f, 0x51, 0xc1], (c) => { c.sse.f32[4] = -1; });
  assert.equal(cpu.sse.i32[0]! >>> 0, 0xffc00000);
  // A QNaN operand propagates quieted, payload kept: first operand wins.
  cpu = exec([0xf2, 0x0f, 0x58, 0xc1], (c) => { setSdBits(c, 0, 0x7ff00000, 5); setSdBits(c, 1, 0x7ff80000, 7); });
  assert.equal(hiOf(cpu, 0), 0x7ff80000);
  assert.equal(loOf(cpu, 0), 5);
  // 1/0: divide by zero gives +inf and ZE, not IE.
  cpu = exec([0xf2, 0x0f, 0x5e, 0xc1], (c) => { setSd(c, 0, 1); setSd(c, 1, 0); });
  assert.equal(sd(cpu, 0), Infinity);
  assert.equal(cpu.sse.mxcsr & (IE | ZE), ZE);
});

test('ucomisd/comisd: unordered sets ZF PF CF, clears OF SF AF', () => {
  const UCOMISD = [0x66, 0x0f, 0x2e, 0xc1];
  let cpu = exec(UCOMISD, (c) => { setSdBits(c, 0, 0x7ff80000); setSd(c, 1, 1); c.setEflags(OF | SF | AF); });
  assert.equal(cpu.getEflags() & ST, ZF | PF | CF);
  assert.equal(cpu.sse.mxcsr & IE, 0); // quiet NaN: ucomisd does not signal
  cpu = exec([0x66, 0x0f, 0x2f, 0xc1], (c) => { setSdBits(c, 0, 0x7ff80000); setSd(c, 1, 1); });
  assert.equal(cpu.sse.mxcsr & IE, IE); // comisd does
  cpu = exec(UCOMISD, (c) => { setSd(c, 0, 1); setSd(c, 1, 2); });
  assert.equal(cpu.getEflags() & ST, CF);
  cpu = exec(UCOMISD, (c) => { setSd(c, 0, 2); setSd(c, 1, 2); });
  assert.equal(cpu.getEflags() & ST, ZF);
  cpu = exec(UCOMISD, (c) => { setSd(c, 0, 3); setSd(c, 1, 2); });
  assert.equal(cpu.getEflags() & ST, 0);
});

test('cvttsd2si / cvtsd2si: truncation, MXCSR rounding, overflow and NaN give 0x80000000', () => {
  const CVTT = [0xf2, 0x0f, 0x2c, 0xc1]; // cvttsd2si eax, xmm1
  const CVT = [0xf2, 0x0f, 0x2d, 0xc1]; // cvtsd2si eax, xmm1
  const run = (code: number[], v: number, mxcsr = 0x1f80): Cpu => exec(code, (c) => { setSd(c, 1, v); c.sse.mxcsr = mxcsr; });
  assert.equal(run(CVTT, -2.9).reg[0], -2);
  assert.equal(run(CVTT, 3e9).reg[0]! >>> 0, 0x80000000);
  assert.equal(run(CVTT, 3e9).sse.mxcsr & IE, IE);
  assert.equal(run(CVTT, NaN).reg[0]! >>> 0, 0x80000000);
  assert.equal(run(CVTT, -2147483648.9).reg[0], -2147483648); // truncates into range
  assert.equal(run(CVT, 2.5).reg[0], 2); // ties to even
  assert.equal(run(CVT, 3.5).reg[0], 4);
  assert.equal(run(CVT, -2.5, 0x3f80).reg[0], -3); // RC = down
  assert.equal(run(CVT, 2.1, 0x5f80).reg[0], 3); // RC = up
  assert.equal(run(CVT, -2.9, 0x7f80).reg[0], -2); // RC = toward zero
  assert.equal(run(CVT, 2.5).sse.mxcsr & PE, PE);
});

test('cvtsi2ss and arithmetic honour MXCSR.RC', () => {
  // cvtsi2ss xmm0, eax with 16777217 (2^24 + 1): nearest-even 2^24, up 2^24 + 2.
  const CVTSI2SS = [0xf3, 0x0f, 0x2a, 0xc0];
  assert.equal(ss(exec(CVTSI2SS, (c) => { c.reg[0] = 16777217; }), 0), 16777216);
  assert.equal(ss(exec(CVTSI2SS, (c) => { c.reg[0] = 16777217; c.sse.mxcsr = 0x5f80; }), 0), 16777218);
  // addsd 1 + 2^-60: nearest 1, up the next double after 1, PE either way.
  const ADDSD = [0xf2, 0x0f, 0x58, 0xc1];
  let cpu = exec(ADDSD, (c) => { setSd(c, 0, 1); setSd(c, 1, 2 ** -60); });
  assert.equal(sd(cpu, 0), 1);
  assert.equal(cpu.sse.mxcsr & PE, PE);
  cpu = exec(ADDSD, (c) => { setSd(c, 0, 1); setSd(c, 1, 2 ** -60); c.sse.mxcsr = 0x5f80; });
  assert.equal(sd(cpu, 0), 1 + 2 ** -52);
  // x - x is -0 when rounding down.
  cpu = exec([0xf2, 0x0f, 0x5c, 0xc1], (c) => { setSd(c, 0, 5); setSd(c, 1, 5); c.sse.mxcsr = 0x3f80; });
  assert.ok(Object.is(sd(cpu, 0), -0));
});

test('movsd/movss: a load zeroes the upper part, a register move merges', () => {
  // movsd xmm0, [DATA]
  let cpu = exec([0xf2, 0x0f, 0x10, 0x05, ...le32(DATA)], (c) => {
    c.sse.i32.fill(-1, 0, 4);
    new DataView(c.ram.u8.buffer).setFloat64(DATA, 1.5, true);
  });
  assert.deepEqual([...cpu.sse.i32.subarray(2, 4)], [0, 0]);
  assert.equal(sd(cpu, 0), 1.5);
  // movss xmm0, xmm1: only dword 0 changes.
  cpu = exec([0xf3, 0x0f, 0x10, 0xc1], (c) => { c.sse.i32.set([1, 2, 3, 4, 5, 6, 7, 8]); });
  assert.deepEqual([...cpu.sse.i32.subarray(0, 4)], [5, 2, 3, 4]);
  // movq xmm0, xmm1 (F3 0F 7E): low qword, high zeroed.
  cpu = exec([0xf3, 0x0f, 0x7e, 0xc1], (c) => { c.sse.i32.set([1, 2, 3, 4, 5, 6, 7, 8]); });
  assert.deepEqual([...cpu.sse.i32.subarray(0, 4)], [5, 6, 0, 0]);
});

test('integer shuffles, unpacks and byte shifts', () => {
  // pshufd xmm0, xmm1, 0x1b (reverse)
  let cpu = exec([0x66, 0x0f, 0x70, 0xc1, 0x1b], (c) => { c.sse.i32.set([1, 2, 3, 4, 5, 6, 7, 8]); });
  assert.deepEqual([...cpu.sse.i32.subarray(0, 4)], [8, 7, 6, 5]);
  // punpcklbw xmm0, xmm1: bytes V0 W0 V1 W1 ...
  cpu = exec([0x66, 0x0f, 0x60, 0xc1], (c) => { for (let i = 0; i < 16; i++) { c.sse.u8[i] = i; c.sse.u8[16 + i] = 0x80 + i; } });
  assert.deepEqual([...cpu.sse.u8.subarray(0, 6)], [0, 0x80, 1, 0x81, 2, 0x82]);
  // psrldq xmm0, 3
  cpu = exec([0x66, 0x0f, 0x73, 0xd8, 3], (c) => { for (let i = 0; i < 16; i++) c.sse.u8[i] = i + 1; });
  assert.deepEqual([...cpu.sse.u8.subarray(0, 16)], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0]);
  // psraw xmm0, 20 (count above 15: sign fill)
  cpu = exec([0x66, 0x0f, 0x71, 0xe0, 20], (c) => { c.sse.u16[0] = 0x8000; c.sse.u16[1] = 0x7fff; });
  assert.deepEqual([...cpu.sse.u16.subarray(0, 2)], [0xffff, 0]);
  // pmovmskb eax, xmm0
  cpu = exec([0x66, 0x0f, 0xd7, 0xc0], (c) => { c.sse.u8.fill(0); c.sse.u8[0] = 0x80; c.sse.u8[15] = 0xff; });
  assert.equal(cpu.reg[0], 0x8001);
  // pmuludq: 0xffffffff * 0xffffffff = 0xfffffffe00000001; 0xffffffff * 3 = 0x2fffffffd
  cpu = exec([0x66, 0x0f, 0xf4, 0xc1], (c) => { c.sse.i32.set([-1, 9, -1, 9, -1, 9, 3, 9]); });
  assert.deepEqual([...cpu.sse.i32.subarray(0, 4)].map((v) => v >>> 0), [1, 0xfffffffe, 0xfffffffd, 2]);
});

test('faults: unaligned movaps #GP, unmasked #XM leaves the destination, MMX emms #UD', () => {
  let cpu = fault([0x0f, 0x28, 0x05, ...le32(DATA + 4)]);
  assert.equal(cpu.fault.vector, Vector.GP);
  // divss xmm0, xmm1: 1/0 with ZE unmasked (MXCSR bit 9 clear)
  cpu = fault([0xf3, 0x0f, 0x5e, 0xc1], (c) => { c.sse.f32[0] = 1; c.sse.f32[4] = 0; c.sse.mxcsr = 0x1f80 & ~0x200; });
  assert.equal(cpu.fault.vector, Vector.XM);
  assert.equal(ss(cpu, 0), 1);
  assert.equal(cpu.sse.mxcsr & ZE, ZE);
  cpu = fault([0x0f, 0x77]);
  assert.equal(cpu.fault.vector, Vector.UD);
});

test('ldmxcsr/stmxcsr, and reserved MXCSR bits fault', () => {
  let cpu = exec([0x0f, 0xae, 0x15, ...le32(DATA), 0x0f, 0xae, 0x1d, ...le32(DATA + 4)], (c) => {
    new DataView(c.ram.u8.buffer).setUint32(DATA, 0x7fa0, true);
  });
  assert.equal(cpu.sse.mxcsr, 0x7fa0);
  assert.equal(new DataView(cpu.ram.u8.buffer).getUint32(DATA + 4, true), 0x7fa0);
  cpu = fault([0x0f, 0xae, 0x15, ...le32(DATA)], (c) => { new DataView(c.ram.u8.buffer).setUint32(DATA, 0x10000, true); });
  assert.equal(cpu.fault.vector, Vector.GP);
});

test('fxsave/fxrstor round-trip the FPU and SSE state', () => {
  // fld1; fxsave [DATA]; fninit; xorps xmm0,xmm0; fxrstor [DATA]
  const cpu = exec([0xd9, 0xe8, 0x0f, 0xae, 0x05, ...le32(DATA), 0xdb, 0xe3, 0x0f, 0x57, 0xc0, 0x0f, 0xae, 0x0d, ...le32(DATA)], (c) => {
    c.sse.i32[0] = 0x12345678;
    c.sse.mxcsr = 0x1fa0;
  });
  assert.equal(cpu.sse.i32[0], 0x12345678);
  assert.equal(cpu.sse.mxcsr, 0x1fa0);
  assert.equal(cpu.x87.top, 7);
  assert.equal(cpu.x87.r[7], 1);
  const m = new DataView(cpu.ram.u8.buffer);
  assert.equal(m.getUint16(DATA, true), 0x037f); // FCW
  assert.equal(m.getUint8(DATA + 4), 0x80); // abridged tag: R7 in use
  assert.equal(m.getUint16(DATA + 32 + 8, true), 0x3fff); // ST0 = 1.0 as m80
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
