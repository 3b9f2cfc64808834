/**
 * The JIT's own cases: self-modifying code inside a translated region, data
 * written beside code (the code must stay), two virtual mappings of one
 * physical code page, faults inside translated blocks with exact state,
 * another core's invalidation through a shared CodeMap, and the budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop, Vector } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { GuestRam } from '../../src/machine/ram.js';
import { PageTables } from '../../src/mmu/page-tables.js';
import { CodeMap, jitOf, runJit, emitterCoverage } from '../../src/jit/index.js';
import { L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_RESULT, L_SBB, L_SUB } from '../../src/jit/gen.js';
import { Lazy } from '../../src/cpu/flags.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const CODE = 0x1000;

function machine(code: number[], ram?: GuestRam): Cpu {
  const cpu = new Cpu(ram ?? new GuestRam(1 << 20), 1 << 12);
  cpu.ram.u8.set(code, CODE);
  cpu.eip = CODE;
  cpu.reg[4] = 0x20000;
  return cpu;
}

function state(cpu: Cpu): string {
  return JSON.stringify({ eip: cpu.eip >>> 0, reg: Array.from(cpu.reg), fl: cpu.getEflags(), retired: cpu.retired, f: [cpu.fault.vector, cpu.fault.errorCode, cpu.fault.address >>> 0] });
}

test('lazy kinds spelled out for the generator match flags.ts', () => {
  assert.deepEqual([L_ADD, L_ADC, L_SUB, L_SBB, L_LOGIC, L_INC, L_DEC, L_RESULT],
    [Lazy.ADD, Lazy.ADC, Lazy.SUB, Lazy.SBB, Lazy.LOGIC, Lazy.INC, Lazy.DEC, Lazy.RESULT]);
  const c = emitterCoverage();
  assert.ok(c.emitted > 300 && c.emitted < c.rows, `${c.emitted} of ${c.rows} rows have templates`);
});

test('self-modifying code: a store into the next instruction of a translated block takes effect at once', () => {
  // mov ecx,3; xor ebx,ebx; L: mov [P+1],cl; P: mov eax,0; add ebx,eax; dec ecx; jne L; int 0x80
  const P = CODE + 7 + 6;
  const code = [0xb9, ...le32(3), 0x31, 0xdb, 0x88, 0x0d, ...le32(P + 1), 0xb8, ...le32(0), 0x01, 0xc3, 0x49, 0x75, 0x100 - 16, 0xcd, 0x80];
  for (const threshold of [0, 1]) {
    const cpu = machine(code);
    const j = jitOf(cpu, { threshold });
    assert.equal(j.run(1000), Stop.SYSCALL);
    assert.equal(cpu.reg[3], 3 + 2 + 1, `threshold ${threshold}: every iteration ran the value it had just stored`);
    assert.ok(j.stats.codeWrites >= 3);
    const ref = machine(code);
    assert.equal(run(ref, 1000), Stop.SYSCALL);
    assert.equal(state(cpu), state(ref));
  }
});

test('data written on the code page does not throw the translation away', () => {
  // mov ecx,100000; L: mov [CODE+0x800],ecx; add eax,[CODE+0x800]; dec ecx; jne L; int 0x80
  const code = [0xb9, ...le32(100000), 0x89, 0x0d, ...le32(CODE + 0x800), 0x03, 0x05, ...le32(CODE + 0x800), 0x49, 0x75, 0x100 - 15, 0xcd, 0x80];
  const cpu = machine(code);
  const j = jitOf(cpu, { threshold: 0 });
  assert.equal(j.run(10_000_000), Stop.SYSCALL);
  const ref = machine(code);
  assert.equal(run(ref, 10_000_000), Stop.SYSCALL);
  assert.equal(state(cpu), state(ref));
  assert.equal(j.stats.codeWrites, 0);
  assert.equal(j.stats.regionsDropped, 0);
  assert.ok(j.stats.regionsCompiled <= 3, `${j.stats.regionsCompiled} regions`);
  assert.ok(j.stats.dataWritesOnCodePages >= 100000);
});

test('two virtual mappings of one physical code page: each runs it, a write through a third is seen by both', () => {
  const ram = new GuestRam(1 << 20);
  let next = 0x10000;
  const pt = new PageTables(ram, { allocFrame: () => { const a = next; next += 0x1000; ram.u8.fill(0, a, a + 0x1000); return a; }, freeFrame: () => {} });
  const FRAME = 0x80000, PATCH = 0x81000, STACK = 0x82000;
  for (const va of [0x400000, 0x500000, 0x600000]) pt.map(va, FRAME, true);
  pt.map(0x700000, PATCH, true);
  pt.map(0x7ff000, STACK, true);
  // at the shared frame: mov eax, 0x11; int 0x80
  ram.u8.set([0xb8, ...le32(0x11), 0xcd, 0x80], FRAME);
  // at 0x700000: mov dword [0x600001], 0x77; int 0x80
  ram.u8.set([0xc7, 0x05, ...le32(0x600001), ...le32(0x77), 0xcd, 0x80], PATCH);
  const cpu = new Cpu(ram, 1 << 12);
  cpu.mmu.setCr3(pt.directory);
  cpu.reg[4] = 0x800000;
  const j = jitOf(cpu, { threshold: 0 });
  const at = (eip: number) => { cpu.eip = eip; cpu.reg[0] = 0; assert.equal(j.run(100), Stop.SYSCALL); return cpu.reg[0]; };
  assert.equal(at(0x400000), 0x11);
  assert.equal(at(0x500000), 0x11);
  assert.equal(at(0x400000), 0x11);
  at(0x700000);
  assert.equal(at(0x400000), 0x77);
  assert.equal(at(0x500000), 0x77);
});

test('a fault inside a translated region reports the faulting instruction with exact registers, flags and count', () => {
  // mov esi,0xff000; L: add eax,[esi]; inc ebx; add esi,0x100; cmp ebx,ebx; jmp L   (runs off the end of RAM)
  const code = [0xbe, ...le32(0xff000), 0x03, 0x06, 0x43, 0x81, 0xc6, ...le32(0x100), 0x39, 0xdb, 0xeb, 0x100 - 13];
  for (const threshold of [0, 5]) {
    const cpu = machine(code), ref = machine(code);
    assert.equal(jitOf(cpu, { threshold }).run(1_000_000), Stop.FAULT);
    assert.equal(run(ref, 1_000_000), Stop.FAULT);
    assert.equal(cpu.fault.vector, Vector.PF);
    assert.equal(cpu.fault.address, 0x100000);
    assert.equal(cpu.eip, CODE + 5);
    assert.equal(state(cpu), state(ref));
  }
});

test('another core dropping code (shared CodeMap) is seen by this core at its next block', () => {
  const ram = new GuestRam(1 << 20);
  const map = new CodeMap(ram.size);
  // core A: L: mov eax, 1; int 0x80 (runs, translated)
  const a = machine([0xb8, ...le32(1), 0xcd, 0x80], ram);
  const ja = jitOf(a, { threshold: 0, codeMap: map });
  assert.equal(ja.run(10), Stop.SYSCALL);
  assert.equal(a.reg[0], 1);
  // core B rewrites A's immediate through its own CPU: mov dword [CODE+1], 2; int 0x80 (code at 0x3000)
  const b = new Cpu(ram, 1 << 12);
  ram.u8.set([0xc7, 0x05, ...le32(CODE + 1), ...le32(2), 0xcd, 0x80], 0x3000);
  b.eip = 0x3000;
  b.reg[4] = 0x30000;
  const jb = jitOf(b, { codeMap: map });
  assert.equal(jb.run(10), Stop.SYSCALL);
  assert.equal(jb.stats.codeWrites, 1, 'B saw that it wrote code');
  a.eip = CODE;
  assert.equal(ja.run(10), Stop.SYSCALL);
  assert.equal(a.reg[0], 2, 'A runs the new code');
});

test('the budget is exact: any budget retires exactly that many instructions', () => {
  const code = [0xb9, ...le32(1000), 0x01, 0xc8, 0x31, 0xc3, 0x49, 0x75, 0x100 - 7, 0xcd, 0x80];
  for (const budget of [1, 2, 3, 4, 5, 7, 100, 2999]) {
    const cpu = machine(code), ref = machine(code);
    const j = jitOf(cpu, { threshold: 0 });
    j.run(20); // translate the loop
    run(ref, 20);
    assert.equal(runJit(cpu, budget), Stop.BUDGET);
    assert.equal(run(ref, budget), Stop.BUDGET);
    assert.equal(cpu.retired, 20 + budget);
    assert.equal(state(cpu), state(ref));
  }
});
