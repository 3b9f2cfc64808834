/**
 * x87 semantics with hand-computed expectations (SDM vol. 1 ch. 4 and 8,
 * vol. 2 per instruction): m80 conversion, integer stores and rounding
 * control, the int64 exact path, stack wrap and faults, compares, #MF.
 * The broad sweep against the host CPU lives in tests/cpu/oracle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, runToStop, END, DATA, hex } from './helpers.js';
import { Stop, Vector } from '../../src/cpu/fault.js';
import type { Cpu } from '../../src/cpu/cpu.js';
import { f80ToDouble, doubleToF80, F80 } from '../../src/cpu/ops/x87-f80.js';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ST = CF | PF | AF | ZF | SF | OF;
const IE = 1, SWSF = 0x40, C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

function exec(code: number[], setup?: (cpu: Cpu) => void): Cpu {
  const cpu = machine([...code, ...END]);
  setup?.(cpu);
  const stop = runToStop(cpu);
  assert.equal(stop, Stop.SYSCALL, `stopped with ${stop}, vector ${cpu.fault.vector} at ${hex(cpu.eip)}`);
  return cpu;
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
const mem = (cpu: Cpu): DataView => new DataView(cpu.ram.u8.buffer);
const st = (cpu: Cpu, i: number): number => cpu.x87.r[(cpu.x87.top + i) & 7]!;

// Memory operand encodings with [disp32] (ModRM mod=00 rm=101): the reg field is the extension.
const m = (op: number, ext: number, a = DATA): number[] => [op, (ext << 3) | 5, ...le32(a)];
const FLD64 = (a = DATA) => m(0xdd, 0, a);
const FSTP64 = (a = DATA) => m(0xdd, 3, a);
const FLD80 = (a = DATA) => m(0xdb, 5, a);
const FSTP80 = (a = DATA) => m(0xdb, 7, a);
const FISTP32 = (a = DATA) => m(0xdb, 3, a);
const FISTP16 = (a = DATA) => m(0xdf, 3, a);
const FILD64 = (a = DATA) => m(0xdf, 5, a);
const FISTP64 = (a = DATA) => m(0xdf, 7, a);
const FLDCW = (a = DATA) => m(0xd9, 5, a);

test('m80 <-> double conversion: normal, denormal, rounding, range, specials', () => {
  // 1.0 = 3FFF 8000000000000000
  assert.equal(f80ToDouble(0, 0x80000000 | 0, 0x3fff), 1);
  // 64-bit significand rounded to 53 bits, ties to even: 1 + 2^-53 -> 1; 1 + 3*2^-53 -> 1 + 2^-51.
  assert.equal(f80ToDouble(0x400, 0x80000000 | 0, 0x3fff), 1);
  assert.equal(f80ToDouble(0xc00, 0x80000000 | 0, 0x3fff), 1 + 2 ** -51);
  // Sticky bits below the half: 1 + 2^-53 + 2^-63 rounds up.
  assert.equal(f80ToDouble(0x401, 0x80000000 | 0, 0x3fff), 1 + 2 ** -52);
  // 2^-1074 (smallest double denormal) and beyond the double range.
  assert.equal(f80ToDouble(0, 0x80000000 | 0, 16383 - 1074), 5e-324);
  assert.equal(f80ToDouble(0, 0x80000000 | 0, 16383 - 1080), 0);
  assert.equal(f80ToDouble(0, 0x80000000 | 0, 16383 + 1024), Infinity);
  assert.equal(f80ToDouble(0, 0x80000000 | 0, 0x8000 | 0x7fff), -Infinity);
  assert.ok(Number.isNaN(f80ToDouble(0, 0xc0000000 | 0, 0x7fff)));
  // Exact stores: a double denormal becomes a normal extended number.
  doubleToF80(5e-324);
  assert.deepEqual([F80[0], F80[1]! >>> 0, F80[2]], [0, 0x80000000, 16383 - 1074]);
  doubleToF80(-1.5);
  assert.deepEqual([F80[0], F80[1]! >>> 0, F80[2]], [0, 0xc0000000, 0x8000 | 0x3fff]);
  for (const v of [1 / 3, -2.2250738585072014e-308, 4.9e-322, 1.7976931348623157e308, 123456.789]) {
    doubleToF80(v);
    assert.equal(f80ToDouble(F80[0]!, F80[1]!, F80[2]!), v, String(v));
  }
});

test('fld m80 / fstp m80 through the interpreter', () => {
  const cpu = exec([...FLD64(), ...FSTP80(DATA + 16), ...FLD80(DATA + 16), ...FSTP64(DATA + 32)], (c) => {
    mem(c).setFloat64(DATA, -3.0e-310, true);
  });
  assert.equal(mem(cpu).getFloat64(DATA + 32, true), -3.0e-310);
  assert.equal(mem(cpu).getUint16(DATA + 16 + 8, true) & 0x8000, 0x8000);
  assert.equal(cpu.x87.tag[cpu.x87.top], 3); // everything popped
});

test('fistp honours CW.RC; out of range gives the integer indefinite and IE', () => {
  const run = (v: number, cw: number, store = FISTP32(DATA + 8)): Cpu => exec([...FLDCW(DATA + 16), ...FLD64(), ...store], (c) => {
    mem(c).setFloat64(DATA, v, true);
    mem(c).setUint16(DATA + 16, cw, true);
  });
  const i32 = (c: Cpu): number => mem(c).getInt32(DATA + 8, true);
  assert.equal(i32(run(2.5, 0x027f)), 2); // nearest even
  assert.equal(i32(run(3.5, 0x027f)), 4);
  assert.equal(i32(run(-2.5, 0x067f)), -3); // down
  assert.equal(i32(run(2.1, 0x0a7f)), 3); // up
  assert.equal(i32(run(-2.9, 0x0e7f)), -2); // toward zero
  const c = run(3e9, 0x027f);
  assert.equal(i32(c) >>> 0, 0x80000000);
  assert.equal(c.x87.sw & IE, IE);
  const w = run(40000, 0x027f, FISTP16(DATA + 8));
  assert.equal(mem(w).getUint16(DATA + 8, true), 0x8000);
  assert.equal(mem(run(NaN, 0x027f)).getInt32(DATA + 8, true) >>> 0, 0x80000000);
});

test('fild m64 -> fistp m64 is exact beyond 2^53', () => {
  for (const [lo, hi] of [[-1, 0x7fffffff], [1, 0x00200000], [0x12345679, -0x7edcba99 | 0], [0, 0x80000000 | 0]] as const) {
    const cpu = exec([...FILD64(), ...FISTP64(DATA + 8)], (c) => { mem(c).setInt32(DATA, lo, true); mem(c).setInt32(DATA + 4, hi, true); });
    assert.equal(mem(cpu).getInt32(DATA + 8, true), lo);
    assert.equal(mem(cpu).getInt32(DATA + 12, true), hi);
  }
  // After arithmetic the shadow is dropped: (2^53 + 1) + 0 rounds to 2^53 (fldz; faddp).
  const cpu = exec([...FILD64(), 0xd9, 0xee, 0xde, 0xc1, ...FISTP64(DATA + 8)], (c) => { mem(c).setInt32(DATA, 1, true); mem(c).setInt32(DATA + 4, 0x00200000, true); });
  assert.equal(mem(cpu).getInt32(DATA + 8, true), 0);
});

test('stack wrap: the ninth push overflows (IE SF C1, indefinite), reading an empty register underflows', () => {
  const FLD1 = [0xd9, 0xe8];
  let cpu = exec([...FLD1, ...FLD1, ...FLD1, ...FLD1, ...FLD1, ...FLD1, ...FLD1, ...FLD1, ...FLD1]);
  assert.equal(cpu.x87.top, 7); // 9 pushes from 0 wrap to 7
  assert.equal(cpu.x87.sw & (IE | SWSF | C1), IE | SWSF | C1);
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, st(cpu, 0), true);
  assert.equal(b.getUint32(4, true), 0xfff80000);
  // fadd st0, st1 on an empty stack
  cpu = exec([0xd8, 0xc1]);
  assert.equal(cpu.x87.sw & (IE | SWSF | C1), IE | SWSF);
});

test('compares: fcom condition codes, fucomip EFLAGS, ftst, fxam', () => {
  // fld [DATA+8]; fld [DATA]; fcom st1 -> fnstsw ax
  const run = (a: number, b: number, code: number[]): Cpu => exec([...FLD64(DATA + 8), ...FLD64(DATA), ...code], (c) => {
    mem(c).setFloat64(DATA, a, true); mem(c).setFloat64(DATA + 8, b, true);
  });
  const FCOM = [0xd8, 0xd1, 0xdf, 0xe0];
  const cc = (c: Cpu): number => c.reg[0]! & (C0 | C2 | C3);
  assert.equal(cc(run(2, 1, FCOM)), 0);
  assert.equal(cc(run(1, 2, FCOM)), C0);
  assert.equal(cc(run(2, 2, FCOM)), C3);
  assert.equal(cc(run(NaN, 2, FCOM)), C0 | C2 | C3);
  const FUCOMIP = [0xdf, 0xe9];
  let cpu = run(NaN, 1, FUCOMIP);
  assert.equal(cpu.getEflags() & ST, ZF | PF | CF);
  assert.equal(cpu.x87.top, 7); // one pop
  cpu = run(1, 2, FUCOMIP);
  assert.equal(cpu.getEflags() & ST, CF);
  // fxam of -inf: C3 C2 C0 = 011, C1 = sign
  cpu = exec([...FLD64(), 0xd9, 0xe5], (c) => { mem(c).setFloat64(DATA, -Infinity, true); });
  assert.equal(cpu.x87.sw & (C0 | C1 | C2 | C3), C2 | C0 | C1);
  // fxam of an empty register: C3 C0
  cpu = exec([0xd9, 0xe5]);
  assert.equal(cpu.x87.sw & (C0 | C2 | C3), C3 | C0);
});

test('arithmetic forms: reversed DC/DE sub and div, fxch, fchs, fsqrt, frndint', () => {
  // fld 8 (->st1); fld 2 (st0); fsubp st1, st (DE E9): st1 = st1 - st0 = 6, pop
  let cpu = exec([...FLD64(DATA + 8), ...FLD64(DATA), 0xde, 0xe9], (c) => { mem(c).setFloat64(DATA, 2, true); mem(c).setFloat64(DATA + 8, 8, true); });
  assert.equal(st(cpu, 0), 6);
  // fdivrp st1, st (DE F1): st1 = st0 / st1 = 2/8
  cpu = exec([...FLD64(DATA + 8), ...FLD64(DATA), 0xde, 0xf1], (c) => { mem(c).setFloat64(DATA, 2, true); mem(c).setFloat64(DATA + 8, 8, true); });
  assert.equal(st(cpu, 0), 0.25);
  // fsub st0, st1 (D8 E1): st0 = st0 - st1 = 2 - 8
  cpu = exec([...FLD64(DATA + 8), ...FLD64(DATA), 0xd8, 0xe1], (c) => { mem(c).setFloat64(DATA, 2, true); mem(c).setFloat64(DATA + 8, 8, true); });
  assert.equal(st(cpu, 0), -6);
  // fxch; fchs
  cpu = exec([...FLD64(DATA + 8), ...FLD64(DATA), 0xd9, 0xc9, 0xd9, 0xe0], (c) => { mem(c).setFloat64(DATA, 2, true); mem(c).setFloat64(DATA + 8, 8, true); });
  assert.deepEqual([st(cpu, 0), st(cpu, 1)], [-8, 2]);
  // fsqrt of -1: indefinite, IE
  cpu = exec([...FLD64(), 0xd9, 0xfa], (c) => { mem(c).setFloat64(DATA, -1, true); });
  assert.ok(Number.isNaN(st(cpu, 0)));
  assert.equal(cpu.x87.sw & IE, IE);
  // frndint with RC = up: 1.2 -> 2
  cpu = exec([...FLDCW(DATA + 8), ...FLD64(), 0xd9, 0xfc], (c) => { mem(c).setFloat64(DATA, 1.2, true); mem(c).setUint16(DATA + 8, 0x0a7f, true); });
  assert.equal(st(cpu, 0), 2);
});

test('precision control 24 bits rounds results to single', () => {
  // fldcw 0x007f; fld1; fld [1e-10]; faddp -> 1 in single precision
  const cpu = exec([...FLDCW(DATA + 8), ...FLD64(), 0xd9, 0xe8, 0xde, 0xc1], (c) => {
    mem(c).setFloat64(DATA, 1e-10, true);
    mem(c).setUint16(DATA + 8, 0x007f, true);
  });
  assert.equal(st(cpu, 0), 1);
});

test('an unmasked exception is delivered as #MF by the next waiting x87 instruction', () => {
  // fldcw (ZE unmasked); fld1; fldz; fdivp st1,st (1/0): no result, no pop; inc ecx; fld1 -> #MF
  const code = [...FLDCW(), 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x41, 0xd9, 0xe8, ...END];
  const cpu = machine(code);
  mem(cpu).setUint16(DATA, 0x027b, true);
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, Vector.MF);
  assert.equal(cpu.reg[1], 1); // the integer instruction ran
  assert.deepEqual([st(cpu, 0), st(cpu, 1)], [0, 1]); // operands untouched
  assert.equal(cpu.x87.sw & 0x84, 0x84); // ES and ZE
});

test('fnstenv/fldenv and fnsave/frstor', () => {
  // fld1; fnstenv [DATA]; fninit; fldenv [DATA]  (fnstenv masks exceptions after storing)
  let cpu = exec([0xd9, 0xe8, ...m(0xd9, 6), 0xdb, 0xe3, ...m(0xd9, 4)]);
  assert.equal(cpu.x87.top, 7);
  assert.equal(mem(cpu).getUint16(DATA + 8, true), 0x3fff); // tag word: R7 valid (00), rest empty
  // fld1; fldpi; fnsave [DATA]; frstor [DATA]
  cpu = exec([0xd9, 0xe8, 0xd9, 0xeb, ...m(0xdd, 6), ...m(0xdd, 4)]);
  assert.deepEqual([st(cpu, 0), st(cpu, 1)], [Math.PI, 1]);
});
