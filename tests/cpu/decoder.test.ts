/** Decoder unit tests: lengths, operands, prefixes, #UD/#GP rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, CODE } from './helpers.js';
import { decodeInstruction, GP_ROW, UD_ROW } from '../../src/cpu/decoder.js';
import { opTable } from '../../src/cpu/table/index.js';

function dec(bytes: number[]) {
  const cpu = machine(bytes);
  decodeInstruction(cpu, CODE, 0);
  const d = cpu.d;
  return { name: opTable[d.op[0]!]!.name, row: d.op[0]!, len: d.next[0]! - CODE, reg: d.reg[0], rm: d.rm[0], base: d.base[0], index: d.index[0], scale: d.scale[0], disp: d.disp[0], imm: d.imm[0], seg: d.seg[0] };
}

test('lengths and operands', () => {
  assert.deepEqual(dec([0x8b, 0x44, 0x8e, 0x10]), { name: 'mov Gv,Ev', row: dec([0x8b, 0x44, 0x8e, 0x10]).row, len: 4, reg: 0, rm: -1, base: 6, index: 1, scale: 2, disp: 16, imm: 0, seg: 0 });
  assert.equal(dec([0x69, 0xd3, 0xb1, 0x79, 0x37, 0x9e]).imm, 0x9e3779b1 | 0);
  assert.equal(dec([0x66, 0x69, 0xd3, 0x34, 0x12]).len, 5);
  assert.equal(dec([0x83, 0xc0, 0xff]).imm, -1);
  assert.equal(dec([0xe8, 0, 0, 0, 0]).imm, CODE + 5);
  assert.equal(dec([0x75, 0xfe]).imm, CODE);
  assert.equal(dec([0x66, 0xe9, 0x00, 0x10]).imm, (CODE + 4 + 0x1000) & 0xffff);
  assert.equal(dec([0xa1, 0x78, 0x56, 0x34, 0x12]).disp, 0x12345678);
  assert.equal(dec([0x67, 0xa1, 0x78, 0x56]).len, 4);
  assert.equal(dec([0x64, 0xa1, 0x18, 0, 0, 0]).seg, 4);
  assert.equal(dec([0x8b, 0x05, 1, 2, 3, 4]).base, -1);
  assert.equal(dec([0x8b, 0x04, 0x25, 1, 2, 3, 4]).index, -1);
  assert.equal(dec([0xc8, 0x10, 0x00, 0x01]).len, 4);
  assert.equal(dec([0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0]).len, 8);
  assert.equal(dec([0xf3, 0xc3]).name, 'ret');
  assert.equal(dec([0xf3, 0xa5]).name, 'movsv');
});

test('invalid encodings decode to #UD, over-long to #GP', () => {
  assert.equal(dec([0x0f, 0xff]).row, UD_ROW);
  assert.equal(dec([0x8d, 0xc0]).row, UD_ROW); // lea with a register operand
  assert.equal(dec([0xf0, 0x89, 0xc0]).row, UD_ROW); // lock mov
  assert.equal(dec([0xf0, 0x01, 0x00]).name, 'add Ev,Gv'); // lock add [eax],eax
  assert.equal(dec([0xfe, 0xd0]).row, UD_ROW); // FE /2
  assert.equal(dec([...Array(14).fill(0x66), 0x05, 0, 0]).row, GP_ROW);
  assert.equal(dec([...Array(14).fill(0x66), 0x90]).name, 'xchg Zv,eAX');
});
