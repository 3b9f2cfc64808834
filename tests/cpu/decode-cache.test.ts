/**
 * The decode cache keys a block by the physical page of its first
 * instruction. An instruction that straddles into the next page also depends
 * on that page's frame, which another address space (shared image code with
 * a copy-on-write tail page) or a remap may change while the first page and
 * its generation stay the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/fault.js';
import { GuestRam } from '../../src/machine/ram.js';
import { PageTables } from '../../src/mmu/page-tables.js';
import { runnerFor, type CpuEngine } from '../../src/jit/index.js';

const SHARED = 0x80000, TAIL1 = 0x81000, TAIL2 = 0x82000;
const VA = 0x400000;

function spaces(ram: GuestRam): { as1: PageTables; as2: PageTables } {
  let next = 0x10000;
  const alloc = { allocFrame: () => { const a = next; next += 0x1000; ram.u8.fill(0, a, a + 0x1000); return a; }, freeFrame: () => {} };
  const as1 = new PageTables(ram, alloc), as2 = new PageTables(ram, alloc);
  as1.map(VA, SHARED, false); as2.map(VA, SHARED, false);
  as1.map(VA + 0x1000, TAIL1, false); as2.map(VA + 0x1000, TAIL2, false);
  // mov eax, imm32 at VA+0xffd: opcode and two immediate bytes on the shared page,
  // the other two and `int 0x80` on each space's own tail page.
  ram.u8.set([0xb8, 0xaa, 0xbb], SHARED + 0xffd);
  ram.u8.set([0x11, 0x22, 0xcd, 0x80], TAIL1);
  ram.u8.set([0x33, 0x44, 0xcd, 0x80], TAIL2);
  return { as1, as2 };
}

for (const engine of ['interp', 'jit', 'jit-eager'] as CpuEngine[]) {
  test(`${engine}: an instruction straddling into a page that another address space maps elsewhere reads that space's tail`, () => {
    const ram = new GuestRam(1 << 20);
    const { as1, as2 } = spaces(ram);
    const cpu = new Cpu(ram, 1 << 12);
    const runIn = (pt: PageTables): number => {
      cpu.mmu.setCr3(pt.directory);
      cpu.eip = VA + 0xffd;
      cpu.reg[0] = 0;
      assert.equal(runnerFor(engine)(cpu, 100), Stop.SYSCALL);
      return cpu.reg[0]! >>> 0;
    };
    for (let i = 0; i < 3; i++) {
      assert.equal(runIn(as1), 0x2211bbaa);
      assert.equal(runIn(as2), 0x4433bbaa);
    }
  });

  test(`${engine}: remapping the straddled page in the same space is seen after the TLB flush`, () => {
    const ram = new GuestRam(1 << 20);
    const { as1 } = spaces(ram);
    const cpu = new Cpu(ram, 1 << 12);
    cpu.mmu.setCr3(as1.directory);
    const go = (): number => {
      cpu.eip = VA + 0xffd;
      assert.equal(runnerFor(engine)(cpu, 100), Stop.SYSCALL);
      return cpu.reg[0]! >>> 0;
    };
    assert.equal(go(), 0x2211bbaa);
    as1.unmap(VA + 0x1000);
    as1.map(VA + 0x1000, TAIL2, false);
    cpu.mmu.setCr3(as1.directory); // the OS's TLB flush after changing a mapping
    assert.equal(go(), 0x4433bbaa);
  });
}
