// The two hooks the kernel has in the CPU engines (interpreter, JIT, JIT-eager: every
// CPU test runs under each): CR0.TS (Cpu.fpuTrap, #NM before any x87/SSE instruction,
// seL4's lazy FPU switch) and the sysenter fastpath hook (Cpu.onSysenter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stop, Vector } from '../../src/cpu/fault.js';
import { CODE, END, machine, runToStop } from './helpers.js';

const MOV_EAX = (v: number): number[] => [0xb8, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

for (const [name, insn] of [['movd xmm0, eax', [0x66, 0x0f, 0x6e, 0xc0]], ['fld1', [0xd9, 0xe8]], ['fwait', [0x9b]], ['ldmxcsr [0x8000]', [0x0f, 0xae, 0x15, 0x00, 0x80, 0x00, 0x00]]] as const) {
  test(`CR0.TS: ${name} raises #NM before it changes anything, and runs once TS is clear`, () => {
    const cpu = machine([...MOV_EAX(0x1234), ...insn, ...END]);
    cpu.write32(0x8000, 0x1f80);
    cpu.fpuTrap = 1;
    const top = cpu.x87.top, tag0 = cpu.x87.tag[0];
    assert.equal(runToStop(cpu), Stop.FAULT);
    assert.equal(cpu.fault.vector, Vector.NM);
    assert.equal(cpu.eip, CODE + 5, 'EIP at the FPU instruction');
    assert.equal(cpu.sse.i32[0], 0, 'xmm0 untouched');
    assert.deepEqual([cpu.x87.top, cpu.x87.tag[0]], [top, tag0], 'x87 stack untouched');
    cpu.fpuTrap = 0;
    assert.equal(runToStop(cpu), Stop.SYSCALL);
    if (name === 'movd xmm0, eax') assert.equal(cpu.sse.i32[0], 0x1234);
    if (name === 'fld1') assert.equal(cpu.x87.r[cpu.x87.top], 1);
  });
}

test('CR0.TS does not stop fences and prefetches (no FPU state)', () => {
  // lfence; mfence; sfence; prefetcht0 [0x8000]
  const cpu = machine([0x0f, 0xae, 0xe8, 0x0f, 0xae, 0xf0, 0x0f, 0xae, 0xf8, 0x0f, 0x18, 0x0d, 0x00, 0x80, 0x00, 0x00, ...END]);
  cpu.fpuTrap = 1;
  assert.equal(runToStop(cpu), Stop.SYSCALL);
  assert.equal(cpu.fault.trapNumber, 0x80);
});

test('Cpu.onSysenter: true goes on with the registers it set, false stops at the sysenter; int n never calls it', () => {
  // sysenter; mov eax, 7; sysenter; int 0x80
  const code = [0x0f, 0x34, ...MOV_EAX(7), 0x0f, 0x34, ...END];
  const cpu = machine(code);
  let calls = 0;
  cpu.onSysenter = () => {
    calls++;
    if (cpu.reg[0] === 7) return false;
    cpu.reg[3] = 0x77; // "the next thread's registers"
    return true;
  };
  assert.equal(runToStop(cpu, 100), Stop.SYSCALL);
  assert.equal(cpu.fault.trapNumber, -1, 'stopped at the second sysenter');
  assert.equal(cpu.eip, CODE + 9);
  assert.deepEqual([calls, cpu.reg[3], cpu.retired], [2, 0x77, 3]);
  cpu.onSysenter = () => { throw new Error('int n must not reach the sysenter hook'); };
  assert.equal(runToStop(cpu), Stop.SYSCALL);
  assert.equal(cpu.fault.trapNumber, 0x80);
});
