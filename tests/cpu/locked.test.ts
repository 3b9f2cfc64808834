/**
 * Locked instructions on an SMP core (src/cpu/ops/locked.ts): with
 * Cpu.atomicLock set, LOCK-prefixed and xchg memory forms decode to their
 * locked twins, which must compute exactly what the plain rows compute (the
 * cross-core atomicity itself is exercised by tests/executive/smp.test.ts:
 * ntheap's threads sharing a critical section from two cores).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, runToStop, CODE, DATA, END } from './helpers.js';
import { decodeInstruction } from '../../src/cpu/decoder.js';
import { lockedRow, opTable } from '../../src/cpu/table/index.js';
import { Stop } from '../../src/cpu/fault.js';
import type { Cpu } from '../../src/cpu/cpu.js';

function smp(cpu: Cpu): Cpu {
  cpu.atomicLock = new Int32Array(new SharedArrayBuffer(64));
  cpu.atomicLockIndex = 3;
  return cpu;
}

function name(bytes: number[], locked: boolean): string {
  const cpu = machine(bytes);
  if (locked) smp(cpu);
  decodeInstruction(cpu, CODE, 0);
  return opTable[cpu.d.op[0]!]!.name;
}

test('an SMP core decodes locked memory forms (and xchg with memory) to the locked twins; registers and one core keep the plain rows', () => {
  assert.equal(name([0xf0, 0x0f, 0xc1, 0x03], true), 'lock xadd Ev,Gv');
  assert.equal(name([0xf0, 0x0f, 0xc1, 0x03], false), 'xadd Ev,Gv');
  assert.equal(name([0x87, 0x03], true), 'lock xchg Ev,Gv', 'xchg with memory is locked without the prefix');
  assert.equal(name([0x87, 0xc3], true), 'xchg Ev,Gv', 'xchg of two registers is not');
  assert.equal(name([0x01, 0x03], true), 'add Ev,Gv', 'no LOCK prefix: the plain row');
  assert.equal(name([0xf0, 0x83, 0x03, 0x01], true), 'lock add Ev,Ib');
  assert.equal(name([0xf0, 0x0f, 0xc7, 0x0b], true), 'lock cmpxchg8b Mq');
  assert.equal(name([0xf0, 0x89, 0x03], true), '#UD', 'lock mov stays #UD');
  for (let r = 0; r < opTable.length; r++) {
    if (lockedRow[r]! < 0) continue;
    const twin = opTable[lockedRow[r]!]!;
    assert.equal(twin.name, `lock ${opTable[r]!.name}`);
    assert.equal(twin.opcode, -1, 'no table lookup finds a twin directly');
    assert.equal(twin.flagsWritten, opTable[r]!.flagsWritten);
  }
});

// lock xadd [DATA],eax; lock cmpxchg [DATA],ecx (fails, then succeeds); xchg [DATA+4],edx;
// lock inc dword [DATA+8]; lock add byte [DATA+12],5; lock sub word [DATA+14],3; lock or [DATA+1],ebx (unaligned);
// lock cmpxchg8b [DATA+16]; lock btc dword [DATA+8],3; pushfd; pop esi
const PROGRAM = [
  0xb8, 5, 0, 0, 0, // mov eax, 5
  0xbb, 0x80, 0, 0, 0, // mov ebx, 0x80
  0xb9, 0x44, 0, 0, 0, // mov ecx, 0x44
  0xba, 0x77, 0x66, 0x55, 0x44, // mov edx, 0x44556677
  0xf0, 0x0f, 0xc1, 0x05, ...le(DATA), // lock xadd [DATA], eax
  0xf0, 0x0f, 0xb1, 0x0d, ...le(DATA), // lock cmpxchg [DATA], ecx (eax = old value: fails)
  0xf0, 0x0f, 0xb1, 0x0d, ...le(DATA), // again: eax now equals [DATA]: succeeds
  0x87, 0x15, ...le(DATA + 4), // xchg [DATA+4], edx
  0xf0, 0xff, 0x05, ...le(DATA + 8), // lock inc dword [DATA+8]
  0xf0, 0x80, 0x05, ...le(DATA + 12), 5, // lock add byte [DATA+12], 5
  0x66, 0xf0, 0x83, 0x2d, ...le(DATA + 14), 3, // lock sub word [DATA+14], 3
  0xf0, 0x09, 0x1d, ...le(DATA + 1), // lock or [DATA+1], ebx
  0xf0, 0x0f, 0xc7, 0x0d, ...le(DATA + 16), // lock cmpxchg8b [DATA+16]
  0xf0, 0x0f, 0xba, 0x3d, ...le(DATA + 8), 3, // lock btc dword [DATA+8], 3
  0x9c, 0x5e, // pushfd; pop esi
  ...END,
];

function le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function run(locked: boolean) {
  const cpu = machine(PROGRAM);
  if (locked) smp(cpu);
  const d = new DataView(cpu.ram.u8.buffer as ArrayBuffer);
  d.setUint32(DATA, 0x10, true);
  d.setUint32(DATA + 4, 0x11223344, true);
  d.setUint32(DATA + 8, 0xffffffff, true);
  d.setUint32(DATA + 12, 0x000700fe, true);
  d.setUint32(DATA + 16, 0, true);
  d.setUint32(DATA + 20, 0, true);
  assert.equal(runToStop(cpu), Stop.SYSCALL);
  return { regs: Array.from(cpu.reg), mem: Array.from(cpu.ram.u8.subarray(DATA, DATA + 24)), lock: cpu.atomicLock?.[3] ?? 0 };
}

test('the locked twins compute what the plain rows compute (results, flags, memory) and leave the lock free', () => {
  const plain = run(false);
  const locked = run(true);
  assert.deepEqual(locked.regs, plain.regs);
  assert.deepEqual(locked.mem, plain.mem);
  assert.equal(locked.lock, 0);
});

test('a locked instruction that faults leaves the guest-atomics lock free', () => {
  // lock inc dword [0x7ffffff0]: outside the 1 MiB of RAM (#PF)
  const cpu = smp(machine([0xf0, 0xff, 0x05, ...le(0x7ffffff0), ...END]));
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.atomicLock![3], 0);
});
