/**
 * Hand-written semantics tests for the interpreter: tricky flags, faults
 * with precise state, string ops, stack corner cases, SMC. Expected values
 * come from the SDM and from runs on this machine's Intel CPU (see
 * docs/cpu.md for the undefined-flag policy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, runToStop, END, CODE, DATA, STACK, hex } from './helpers.js';
import { Stop } from '../../src/cpu/fault.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ST = CF | PF | AF | ZF | SF | OF;

/** Runs `code` + int 0x80 after `setup`; asserts it reaches the end marker. */
function exec(code: number[], setup?: (cpu: Cpu) => void): Cpu {
  const cpu = machine([...code, ...END]);
  setup?.(cpu);
  const stop = runToStop(cpu);
  assert.equal(stop, Stop.SYSCALL, `stopped with ${stop}, vector ${cpu.fault.vector} at ${hex(cpu.eip)}`);
  return cpu;
}
const flags = (cpu: Cpu) => cpu.getEflags() & ST;
const u = (v: number) => v >>> 0;

test('adc/sbb use and produce carry', () => {
  // stc; mov eax,0xffffffff; adc eax,0 -> 0, CF=1 ZF=1 AF=1 PF=1
  let cpu = exec([0xf9, 0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xd0, 0x00]);
  assert.equal(cpu.reg[0], 0);
  assert.equal(flags(cpu), CF | ZF | AF | PF);
  // stc; xor eax,eax (clears CF); stc; sbb eax,0 -> 0xffffffff CF=1 SF=1 AF=1 PF=1
  cpu = exec([0x31, 0xc0, 0xf9, 0x83, 0xd8, 0x00]);
  assert.equal(u(cpu.reg[0]!), 0xffffffff);
  assert.equal(flags(cpu), CF | SF | AF | PF);
  // stc; mov al,0x7f; adc al,0 -> 0x80 OF SF AF
  cpu = exec([0xf9, 0xb0, 0x7f, 0x14, 0x00]);
  assert.equal(cpu.reg[0]! & 0xff, 0x80);
  assert.equal(flags(cpu), OF | SF | AF);
});

test('shifts: count 0 keeps flags, count 1 OF, count n', () => {
  // stc; mov eax,0x80000001; mov cl,0; shl eax,cl -> unchanged, CF still 1
  let cpu = exec([0xf9, 0xb8, 0x01, 0, 0, 0x80, 0xb1, 0x00, 0xd3, 0xe0]);
  assert.equal(u(cpu.reg[0]!), 0x80000001);
  assert.equal(flags(cpu) & CF, CF);
  // mov eax,0x40000000; shl eax,1 -> 0x80000000 OF=1 CF=0 SF=1
  cpu = exec([0xb8, 0, 0, 0, 0x40, 0xd1, 0xe0]);
  assert.equal(u(cpu.reg[0]!), 0x80000000);
  assert.equal(flags(cpu), OF | SF | PF);
  // mov eax,0x80000008; shr eax,3 -> 0x10000001 CF=0 OF=1 (Intel: MSB of the original)
  cpu = exec([0xb8, 8, 0, 0, 0x80, 0xc1, 0xe8, 3]);
  assert.equal(u(cpu.reg[0]!), 0x10000001);
  assert.equal(flags(cpu), OF);
  // mov al,0x80; sar al,9 (via cl) -> 0xff CF=1
  cpu = exec([0xb0, 0x80, 0xb1, 9, 0xd2, 0xf8]);
  assert.equal(cpu.reg[0]! & 0xff, 0xff);
  assert.equal(flags(cpu), CF | SF | PF);
  // shl eax,3 with 0x60000000 -> 0 ... (Intel: OF from the original's top bits)
  cpu = exec([0xb8, 0, 0, 0, 0x60, 0xc1, 0xe0, 2]);
  assert.equal(u(cpu.reg[0]!), 0x80000000);
  assert.equal(flags(cpu), CF | OF | SF | PF);
});

test('rcl/rcr through carry, mod 9 for bytes', () => {
  // stc; mov eax,0x10000008; rcl eax,3 -> 0x80000044, CF=0
  let cpu = exec([0xf9, 0xb8, 8, 0, 0, 0x10, 0xc1, 0xd0, 3]);
  assert.equal(u(cpu.reg[0]!), 0x80000044);
  assert.equal(flags(cpu) & (CF | OF), 0);
  // stc; mov eax,0x8000000c; rcr eax,3 -> 0x30000001, CF=1
  cpu = exec([0xf9, 0xb8, 0x0c, 0, 0, 0x80, 0xc1, 0xd8, 3]);
  assert.equal(u(cpu.reg[0]!), 0x30000001);
  assert.equal(flags(cpu) & CF, CF);
  // clc; mov al,0x81; mov cl,10; rcl al,cl -> 0x02, CF=1 OF=1
  cpu = exec([0xf8, 0xb0, 0x81, 0xb1, 10, 0xd2, 0xd0]);
  assert.equal(cpu.reg[0]! & 0xff, 0x02);
  assert.equal(flags(cpu) & (CF | OF), CF | OF);
  // rcl al,9 is a no-op (count mod 9 = 0) and keeps the flags
  cpu = exec([0xf9, 0xb0, 0x81, 0xb1, 9, 0xd2, 0xd0]);
  assert.equal(cpu.reg[0]! & 0xff, 0x81);
  assert.equal(flags(cpu) & CF, CF);
});

test('shld/shrd incl. 16-bit counts above 16', () => {
  // mov eax,0x30000008; mov ecx,0xe0000000; shld eax,ecx,3 -> 0x80000047 CF=1
  let cpu = exec([0xb8, 8, 0, 0, 0x30, 0xb9, 0, 0, 0, 0xe0, 0x0f, 0xa4, 0xc8, 3]);
  assert.equal(u(cpu.reg[0]!), 0x80000047);
  assert.equal(flags(cpu), CF | SF | PF);
  // ax=0x1234 dx=0x5678 cl=20: shld ax,dx,cl -> 0x6781 (Intel's 48-bit behaviour)
  cpu = exec([0x66, 0xb8, 0x34, 0x12, 0x66, 0xba, 0x78, 0x56, 0xb1, 20, 0x66, 0x0f, 0xa5, 0xd0]);
  assert.equal(cpu.reg[0]! & 0xffff, 0x6781);
  cpu = exec([0x66, 0xb8, 0x34, 0x12, 0x66, 0xba, 0x78, 0x56, 0xb1, 20, 0x66, 0x0f, 0xad, 0xd0]);
  assert.equal(cpu.reg[0]! & 0xffff, 0x4567);
});

test('imul overflow flags, mul flags policy', () => {
  // mov eax,0x40000000; imul eax,eax,2 -> 0x80000000 CF=OF=1
  let cpu = exec([0xb8, 0, 0, 0, 0x40, 0x6b, 0xc0, 0x02]);
  assert.equal(u(cpu.reg[0]!), 0x80000000);
  assert.equal(flags(cpu), CF | OF | SF | PF);
  // mov eax,-2; mov ecx,3; imul ecx -> edx:eax = -6, no overflow
  cpu = exec([0xb8, 0xfe, 0xff, 0xff, 0xff, 0xb9, 3, 0, 0, 0, 0xf7, 0xe9]);
  assert.equal(cpu.reg[0], -6);
  assert.equal(cpu.reg[2], -1);
  assert.equal(flags(cpu), SF | PF);
  // mov eax,0x10000; mul eax -> edx=1, eax=0; ZF stays 0 (Intel)
  cpu = exec([0xb8, 0, 0, 1, 0, 0xf7, 0xe0]);
  assert.equal(cpu.reg[2], 1);
  assert.equal(cpu.reg[0], 0);
  assert.equal(flags(cpu), CF | OF | PF);
  // mul of large unsigned values
  cpu = exec([0xb8, 0xff, 0xff, 0xff, 0xff, 0xb9, 0xff, 0xff, 0xff, 0xff, 0xf7, 0xe1]);
  assert.equal(u(cpu.reg[0]!), 1);
  assert.equal(u(cpu.reg[2]!), 0xfffffffe);
});

test('div: results, #DE on zero and overflow with state unchanged', () => {
  // edx:eax = 0x1_00000005 / 7
  let cpu = exec([0xba, 1, 0, 0, 0, 0xb8, 5, 0, 0, 0, 0xb9, 7, 0, 0, 0, 0xf7, 0xf1]);
  assert.equal(u(cpu.reg[0]!), Math.floor(0x100000005 / 7));
  assert.equal(cpu.reg[2], 0x100000005 % 7);
  // idiv: -100 / 7 = -14 r -2
  cpu = exec([0xba, 0xff, 0xff, 0xff, 0xff, 0xb8, 0x9c, 0xff, 0xff, 0xff, 0xb9, 7, 0, 0, 0, 0xf7, 0xf9]);
  assert.equal(cpu.reg[0], -14);
  assert.equal(cpu.reg[2], -2);
  for (const [edx, ecx] of [[0, 0], [7, 7]]) {
    cpu = machine([0xf7, 0xf1, ...END]);
    cpu.reg[0] = 5; cpu.reg[2] = edx!; cpu.reg[1] = ecx!;
    assert.equal(runToStop(cpu), Stop.FAULT);
    assert.equal(cpu.fault.vector, 0);
    assert.equal(cpu.eip, CODE);
    assert.deepEqual([cpu.reg[0], cpu.reg[2]], [5, edx]);
  }
  // idiv overflow: 0x80000000_00000000 / -1
  cpu = machine([0xf7, 0xf9, ...END]);
  cpu.reg[2] = -0x80000000; cpu.reg[0] = 0; cpu.reg[1] = -1;
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 0);
});

test('rep movsd across a page fault leaves ECX/ESI/EDI consistent', () => {
  // RAM is 1 MiB; copying toward its end faults on the first dword past it.
  const end = 1 << 20;
  const cpu = machine([0xf3, 0xa5, ...END]);
  cpu.reg[6] = DATA; cpu.reg[7] = end - 8; cpu.reg[1] = 5;
  cpu.ram.i32[DATA >> 2] = 11; cpu.ram.i32[(DATA >> 2) + 1] = 22;
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 14);
  assert.equal(cpu.fault.address, end);
  assert.equal(cpu.eip, CODE);
  assert.equal(cpu.reg[1], 3);
  assert.equal(cpu.reg[6], DATA + 8);
  assert.equal(cpu.reg[7], end);
  assert.equal(cpu.ram.i32[(end - 4) >> 2], 22);
});

test('rep stos / repne scasb / repe cmpsb', () => {
  let cpu = exec([0xfc, 0xf3, 0xab], (c) => { c.reg[0] = 0x01020304; c.reg[7] = DATA; c.reg[1] = 4; });
  assert.equal(cpu.reg[1], 0);
  assert.equal(cpu.reg[7], DATA + 16);
  assert.equal(cpu.ram.i32[(DATA + 12) >> 2], 0x01020304);
  // strlen: repne scasb for 0
  cpu = exec([0xf2, 0xae], (c) => { c.ram.u8.set([65, 66, 67, 0], DATA); c.reg[0] = 0; c.reg[7] = DATA; c.reg[1] = -1; });
  assert.equal(cpu.reg[7], DATA + 4);
  assert.equal(cpu.reg[1], -5);
  // memcmp of "abcd" vs "abxd": stops after the mismatch
  cpu = exec([0xf3, 0xa6], (c) => { c.ram.u8.set([97, 98, 99, 100], DATA); c.ram.u8.set([97, 98, 120, 100], DATA + 16); c.reg[6] = DATA; c.reg[7] = DATA + 16; c.reg[1] = 4; });
  assert.equal(cpu.reg[1], 1);
  assert.equal(cpu.reg[6], DATA + 3);
  assert.equal(flags(cpu) & (ZF | CF), CF);
});

test('cmpxchg8b, cmpxchg, xadd, xchg', () => {
  // cmpxchg8b [DATA] equal: writes ecx:ebx
  let cpu = exec([0x0f, 0xc7, 0x0d, ...le(DATA)], (c) => {
    c.ram.i32[DATA >> 2] = 1; c.ram.i32[(DATA >> 2) + 1] = 2;
    c.reg[0] = 1; c.reg[2] = 2; c.reg[3] = 33; c.reg[1] = 44;
  });
  assert.deepEqual([cpu.ram.i32[DATA >> 2], cpu.ram.i32[(DATA >> 2) + 1]], [33, 44]);
  assert.equal(flags(cpu) & ZF, ZF);
  // not equal: loads edx:eax
  cpu = exec([0xf0, 0x0f, 0xc7, 0x0d, ...le(DATA)], (c) => {
    c.ram.i32[DATA >> 2] = 5; c.ram.i32[(DATA >> 2) + 1] = 6; c.reg[0] = 1; c.reg[2] = 2;
  });
  assert.deepEqual([cpu.reg[0], cpu.reg[2]], [5, 6]);
  assert.equal(flags(cpu) & ZF, 0);
  // lock cmpxchg [DATA],ecx with eax == [DATA]
  cpu = exec([0xf0, 0x0f, 0xb1, 0x0d, ...le(DATA)], (c) => { c.ram.i32[DATA >> 2] = 7; c.reg[0] = 7; c.reg[1] = 9; });
  assert.equal(cpu.ram.i32[DATA >> 2], 9);
  // lock xadd [DATA],ecx
  cpu = exec([0xf0, 0x0f, 0xc1, 0x0d, ...le(DATA)], (c) => { c.ram.i32[DATA >> 2] = 7; c.reg[1] = 5; });
  assert.equal(cpu.ram.i32[DATA >> 2], 12);
  assert.equal(cpu.reg[1], 7);
  // xchg eax,ecx (91); xchg [DATA],edx (87 15)
  cpu = exec([0x91, 0x87, 0x15, ...le(DATA)], (c) => { c.reg[0] = 1; c.reg[1] = 2; c.reg[2] = 3; c.ram.i32[DATA >> 2] = 4; });
  assert.deepEqual([cpu.reg[0], cpu.reg[1], cpu.reg[2], cpu.ram.i32[DATA >> 2]], [2, 1, 4, 3]);
});

test('push esp pushes the old value; pop [esp] uses the incremented ESP', () => {
  let cpu = exec([0x54, 0x58]); // push esp; pop eax
  assert.equal(cpu.reg[0], STACK);
  // push 0x11; push 0x22; pop dword [esp] -> writes 0x22 over 0x11's slot; esp = STACK-4
  cpu = exec([0x6a, 0x11, 0x6a, 0x22, 0x8f, 0x04, 0x24]);
  assert.equal(cpu.reg[4], STACK - 4);
  assert.equal(cpu.ram.i32[(STACK - 4) >> 2], 0x22);
  // pusha/popa round trip
  cpu = exec([0x60, 0x31, 0xc0, 0x31, 0xdb, 0x61], (c) => { c.reg[0] = 5; c.reg[3] = 6; });
  assert.deepEqual([cpu.reg[0], cpu.reg[3], cpu.reg[4]], [5, 6, STACK]);
  // enter 8,0; leave
  cpu = exec([0xc8, 8, 0, 0, 0xc9], (c) => { c.reg[5] = 0x1234; });
  assert.deepEqual([cpu.reg[4], cpu.reg[5]], [STACK, 0x1234]);
});

test('push to an unmapped stack faults with ESP unchanged', () => {
  const cpu = machine([0x50, ...END]);
  cpu.reg[4] = 0; // push writes at 0xfffffffc: outside RAM
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 14);
  assert.equal(cpu.reg[4], 0);
  assert.equal(cpu.eip, CODE);
});

test('bt/bts with memory bit offsets address beyond the operand', () => {
  // mov ecx,35; bts [DATA],ecx -> sets bit 3 of the dword at DATA+4
  let cpu = exec([0xb9, 35, 0, 0, 0, 0x0f, 0xab, 0x0d, ...le(DATA)]);
  assert.equal(cpu.ram.i32[(DATA >> 2) + 1], 8);
  assert.equal(flags(cpu) & CF, 0);
  // negative offset: ecx = -1 -> bit 31 of the dword at DATA-4
  cpu = exec([0xb9, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xa3, 0x0d, ...le(DATA)], (c) => { c.ram.i32[(DATA - 4) >> 2] = -0x80000000; });
  assert.equal(flags(cpu) & CF, CF);
  // register form takes the offset mod 32: bt eax, 33 via ecx
  cpu = exec([0xb9, 33, 0, 0, 0, 0x0f, 0xa3, 0xc8], (c) => { c.reg[0] = 2; });
  assert.equal(flags(cpu) & CF, CF);
  // bsf/bsr
  cpu = exec([0x0f, 0xbc, 0xc1, 0x0f, 0xbd, 0xd1], (c) => { c.reg[1] = 0x00f0_0100; });
  assert.deepEqual([cpu.reg[0], cpu.reg[2]], [8, 23]);
});

test('16-bit operand and address size forms', () => {
  // mov ax,0xffff; add ax,1 -> 0, CF, upper half kept
  let cpu = exec([0xb8, 0, 0, 0x34, 0x12, 0x66, 0xb8, 0xff, 0xff, 0x66, 0x83, 0xc0, 0x01]);
  assert.equal(u(cpu.reg[0]!), 0x12340000);
  assert.equal(flags(cpu) & (CF | ZF), CF | ZF);
  // 67: mov eax,[bx+si+4]
  cpu = exec([0x67, 0x8b, 0x40, 0x04], (c) => { c.reg[3] = 0x10000 + DATA; c.reg[6] = 0x10; c.ram.i32[(DATA + 0x14) >> 2] = 77; });
  assert.equal(cpu.reg[0], 77);
  // cwd, cbw, movsx
  cpu = exec([0x66, 0x98, 0x66, 0x99, 0x0f, 0xbe, 0xd9], (c) => { c.reg[0] = 0x80; c.reg[1] = 0xf0; });
  assert.equal(cpu.reg[0]! & 0xffff, 0xff80);
  assert.equal(cpu.reg[2]! & 0xffff, 0xffff);
  assert.equal(cpu.reg[3], -16);
});

test('bcd adjustments as measured on Intel', () => {
  let cpu = exec([0x27], (c) => { c.reg[0] = 0x9a; });
  assert.equal(cpu.reg[0]! & 0xff, 0x00);
  assert.equal(flags(cpu), ZF | PF | AF | CF);
  cpu = exec([0xd5, 0x0a], (c) => { c.reg[0] = 0x1a7f; });
  assert.equal(cpu.reg[0]! & 0xffff, 0x83);
  assert.equal(flags(cpu), OF | SF | AF);
  cpu = exec([0x37], (c) => { c.reg[0] = 0x1ff; c.setEflags(AF); });
  assert.equal(cpu.reg[0]! & 0xffff, 0x305);
});

test('self-modifying code: a store rewrites the next instruction and the new one runs', () => {
  // mov byte [CODE+7], 0x40 (inc eax); then at CODE+7: nop (0x90) -> becomes inc eax
  const cpu = exec([0xc6, 0x05, ...le(CODE + 7), 0x40, 0x90], (c) => { c.reg[0] = 5; });
  assert.equal(cpu.reg[0], 6);
  // And a loop whose body was decoded before the write sees the new code on the next pass.
  const cpu2 = exec([
    0xb9, 2, 0, 0, 0, // mov ecx,2
    0x90, // L: nop   (CODE+5) -> patched to inc eax
    0xc6, 0x05, ...le(CODE + 5), 0x40, // mov byte [CODE+5], 0x40
    0x49, 0x75, 0xf5, // dec ecx; jne L
  ], (c) => { c.reg[0] = 0; });
  assert.equal(cpu2.reg[0], 1);
});

test('traps and faults: int3/into/ud2/lock, TF single-step, int n, sysenter', () => {
  let cpu = machine([0x90, 0xcc, 0x90]);
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 3);
  assert.equal(cpu.eip, CODE + 2);
  cpu = machine([0x0f, 0x0b]);
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 6);
  assert.equal(cpu.eip, CODE);
  cpu = machine([0xf0, 0x01, 0xc8]); // lock add eax,ecx: register destination
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 6);
  cpu = machine([0xf4]); // hlt at CPL 3
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 13);
  cpu = machine([0x40, 0x40, 0x40]);
  cpu.setEflags(0x100);
  assert.equal(runToStop(cpu), Stop.FAULT);
  assert.equal(cpu.fault.vector, 1);
  assert.equal(cpu.eip, CODE + 1);
  assert.equal(cpu.reg[0], 1);
  cpu = machine([0x0f, 0x34]);
  assert.equal(runToStop(cpu), Stop.SYSCALL);
  assert.equal(cpu.fault.trapNumber, -1);
  assert.equal(cpu.eip, CODE + 2);
  // budget is exact
  cpu = machine([0x40, 0x40, 0x40, 0x40, ...END]);
  assert.equal(runToStop(cpu, 3), Stop.BUDGET);
  assert.equal(cpu.reg[0], 3);
  assert.equal(cpu.eip, CODE + 3);
  assert.equal(cpu.retired, 3);
});

test('rep ret, 0F 1F nop, call/ret, loop, jecxz, setcc/cmov, cpuid vendor', () => {
  // call F; jmp end; F: rep ret
  let cpu = exec([0xe8, 2, 0, 0, 0, 0xeb, 2, 0xf3, 0xc3, 0x0f, 0x1f, 0x44, 0x00, 0x00]);
  assert.equal(cpu.reg[4], STACK);
  // loop: ecx=3, eax+=1 each
  cpu = exec([0xb9, 3, 0, 0, 0, 0x40, 0xe2, 0xfd, 0xe3, 0x01, 0x40]);
  assert.equal(cpu.reg[0], 3);
  // cmp eax,ecx; setl dl; cmovl ebx,ecx
  cpu = exec([0x39, 0xc8, 0x0f, 0x9c, 0xc2, 0x0f, 0x4c, 0xd9], (c) => { c.reg[0] = -1; c.reg[1] = 1; });
  assert.equal(cpu.reg[2]! & 0xff, 1);
  assert.equal(cpu.reg[3], 1);
  cpu = exec([0x31, 0xc0, 0x0f, 0xa2]);
  const v = Buffer.alloc(12);
  v.writeInt32LE(cpu.reg[3]!, 0); v.writeInt32LE(cpu.reg[2]!, 4); v.writeInt32LE(cpu.reg[1]!, 8);
  assert.equal(v.toString(), 'GenuineIntel');
});

function le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
