/**
 * sysenter translated inline (emitters.ts): the stop, EIP after it, the
 * registers and EFLAGS the kernel then reads must be the interpreter's,
 * including when the template computes a known 32-bit ADD/SUB/LOGIC flag
 * record itself (Gen.materializeWhole) and when the record is of another
 * kind (inc, 8-bit) and stays lazy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { GuestRam } from '../../src/machine/ram.js';
import { jitOf } from '../../src/jit/index.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const CODE = 0x1000;

// eax op= ecx (or the one-operand forms), then sysenter.
const OPS: Record<string, number[]> = {
  add: [0x01, 0xc8], sub: [0x29, 0xc8], cmp: [0x39, 0xc8], xor: [0x31, 0xc8], or: [0x09, 0xc8], and: [0x21, 0xc8],
  adc: [0x11, 0xc8], inc: [0x40], dec: [0x48], 'add al,cl': [0x00, 0xc8], 'stc; mov': [0xf9, 0x89, 0xc8],
};
const VALUES: [number, number][] = [
  [0, 0], [1, 1], [1, 2], [0x7fffffff, 1], [0x80000000, 1], [0xffffffff, 1], [0x80000000, 0x80000000],
  [0x0f, 0x01], [0x12345678, 0x87654321], [0xff, 0x01], [0x100, 0xff],
];

/** Three passes (the first fills the TLB and, in the JIT, the next translate): each one's state at the stop. */
function runPasses(code: number[], jit: boolean): string[] {
  const cpu = new Cpu(new GuestRam(1 << 20), 1 << 12);
  cpu.ram.u8.set(code, CODE);
  const out: string[] = [];
  for (let pass = 0; pass < 3; pass++) {
    cpu.eip = CODE;
    cpu.reg.fill(0);
    cpu.reg[4] = 0x20000;
    cpu.setEflags(0x8d5); // all six arithmetic flags set before the program
    const stop = jit ? jitOf(cpu, { threshold: 0 }).run(1000) : run(cpu, 1000);
    out.push(JSON.stringify({ stop, trap: cpu.fault.trapNumber, eip: cpu.eip >>> 0, reg: Array.from(cpu.reg), fl: cpu.getEflags(), retired: cpu.retired }));
  }
  if (jit) assert.ok(jitOf(cpu).stats.regionsCompiled > 0, 'the sysenter ran in a translated region');
  return out;
}

test('sysenter after each flag record: JIT stop, EIP, registers and EFLAGS equal the interpreter', () => {
  let n = 0;
  for (const [name, op] of Object.entries(OPS)) {
    for (const [a, c] of VALUES) {
      const code = [0xb8, ...le32(a), 0xb9, ...le32(c), ...op, 0x0f, 0x34, 0xf4];
      const want = runPasses(code, false);
      assert.equal(JSON.parse(want[2]!).stop, Stop.SYSCALL);
      assert.equal(JSON.parse(want[2]!).eip, CODE + code.length - 1);
      assert.deepEqual(runPasses(code, true), want, `${name} ${a.toString(16)}, ${c.toString(16)}`);
      n++;
    }
  }
  assert.equal(n, Object.keys(OPS).length * VALUES.length);
});
