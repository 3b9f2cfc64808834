// TLB shootdown on the SMP machine (src/kernel/shootdown.ts): a thread on core 1 keeps
// reading a page while the page is unmapped elsewhere (a guest thread on core 0 doing
// X86_Page_Unmap, or the host's root task); once the unmap has returned, the reader's
// next access must fault, never see the old frame. The proof: right after the unmap
// returns, the unmapper writes a marker into the old frame through a second mapping;
// the reader stops with ud2 if it ever reads the marker, and with a VMFault otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CTE_BYTES, RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, invokePage_Map, invokePage_Unmap, invokePageTable_Unmap,
  seL4_Fault_VMFault, seL4_X86_4K, seL4_X86_PageTableObject, invokePageTable_Map, slotPtr,
} from '../../src/kernel/index.js';
import { Label } from '../../src/kernel/invocation.js';
import { SmpMachine } from '../../src/kernel/smp/machine.js';
import { collect, smpStack } from '../../src/kernel/guest/smp-guest.js';

const A = 0x48000000; // the page the reader reads (unmapped under it)
const B = 0x48400000; // the same frame, mapped again in its own page table (the marker goes in here)
const DATA = 0x601000; // [0] reads done by the reader, [4] stale flag, [8] unmap result, [12] done
const MARKER = 0x5a5a5a5a;

const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

// loop: mov eax, [A]; cmp eax, MARKER; je stale; inc dword [DATA]; jmp loop
// stale: mov dword [DATA+4], 1; ud2
const READER = [
  0xa1, ...le(A), 0x3d, ...le(MARKER), 0x74, 0x08, 0xff, 0x05, ...le(DATA), 0xeb, 0xec,
  0xc7, 0x05, ...le(DATA + 4), ...le(1), 0x0f, 0x0b,
];
// The same with a Yield system call in the loop: core 1 enters the kernel all the time, so
// the unmap finds it spinning or asleep on the big kernel lock (it must answer from there).
// loop: mov eax, [A]; cmp eax, MARKER; je stale; inc dword [DATA]; mov eax, -7; sysenter; jmp loop
const READER_YIELD = [
  0xa1, ...le(A), 0x3d, ...le(MARKER), 0x74, 0x0f, 0xff, 0x05, ...le(DATA), 0xb8, ...le(-7 >>> 0), 0x0f, 0x34, 0xeb, 0xe5,
  0xc7, 0x05, ...le(DATA + 4), ...le(1), 0x0f, 0x0b,
];
// wait: cmp dword [DATA], 1000; jb wait
// sysenter Call (EAX -1) on CPtr 1 (EBX) with X86_Page_Unmap's message info (ESI)
// mov [DATA+8], eax; mov dword [B], MARKER; mov dword [DATA+12], 1; jmp $
const UNMAPPER = [
  0x81, 0x3d, ...le(DATA), ...le(1000), 0x72, 0xf4,
  0xb8, ...le(0xffffffff), 0xbb, ...le(1), 0xbe, ...le(Label.X86PageUnmap << 12), 0x0f, 0x34,
  0xa3, ...le(DATA + 8), 0xc7, 0x05, ...le(B), ...le(MARKER), 0xc7, 0x05, ...le(DATA + 12), ...le(1), 0xeb, 0xfe,
];

/** A machine whose reader runs on core 1 over page A; the frame is also mapped at B. */
async function setup(unmapperCore: number | null, yields = false, sliceInstructions?: number) {
  const m = new SmpMachine({ cores: 2, tickMs: 1, ...(sliceInstructions !== undefined ? { sliceInstructions } : {}) });
  const b = m.b;
  const k = m.k;
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(DATA); });
  b.write(0x600000, Uint8Array.from(yields ? READER_YIELD : READER));
  b.write(0x600100, Uint8Array.from(UNMAPPER));
  const fep = m.kernel(() => b.endpoint());
  const reader = m.thread({ entry: 0x600000, esp: smpStack(m, 0x700000, 0), priority: 80, ipcBuffer: 0x720000, core: 1, faultEP: 1 });
  const unmapper = unmapperCore === null ? null
    : m.thread({ entry: 0x600100, esp: smpStack(m, 0x710000, 0), priority: 80, ipcBuffer: 0x721000, core: unmapperCore });
  const frame = m.kernel(() => {
    b.giveCap(reader, 1, fep, RIGHT_WRITE | RIGHT_GRANT_REPLY, 7);
    // The frame, mapped at A and B (each in a page table of its own) through two caps: the
    // unmapper's copy (its CPtr 1) maps A when a guest thread unmaps, the root's when the host does.
    const f = b.retype(seL4_X86_4K);
    const ptA = b.retype(seL4_X86_PageTableObject);
    const ptB = b.retype(seL4_X86_PageTableObject);
    assert.equal(invokePageTable_Map(k, b.slot(ptA), b.slot(b.pdSlot), A), 0);
    assert.equal(invokePageTable_Map(k, b.slot(ptB), b.slot(b.pdSlot), B), 0);
    const holder = unmapper ?? reader;
    b.giveCap(holder, unmapper !== null ? 1 : 2, f);
    const copy = slotPtr(k, b.slot(holder.cnodeSlot)) + (unmapper !== null ? 1 : 2) * CTE_BYTES;
    const [atA, atB] = unmapper !== null ? [copy, b.slot(f)] : [b.slot(f), copy];
    assert.equal(invokePage_Map(k, atA, b.slot(b.pdSlot), A, RIGHT_READ | RIGHT_WRITE), 0);
    assert.equal(invokePage_Map(k, atB, b.slot(b.pdSlot), B, RIGHT_READ | RIGHT_WRITE), 0);
    return { atA, ptA: b.slot(ptA) };
  });
  b.writeWords(A, [0x11111111]);
  return { m, fep, reader, unmapper, frame };
}

async function expectFaultNotStale(m: SmpMachine, fep: number): Promise<void> {
  const [f] = await collect(m, fep, 1, 20_000);
  assert.equal(m.b.readWord(DATA + 4), 0, 'the reader never read the marker through the old translation');
  assert.equal(f!.label, seL4_Fault_VMFault, `a VMFault (label ${f!.label})`);
  assert.equal(f!.badge, 7);
  assert.equal(f!.mrs[1], A, 'at the unmapped page');
  assert.equal(f!.mrs[0], 0x600000, 'by the load');
  assert.ok(m.b.readWord(DATA) >= 1000, 'it read the page many times before');
}

test('SMP shootdown: X86_Page_Unmap by a thread on core 0 makes core 1\'s reader fault before the call returns', async () => {
  for (const yields of [false, true]) {
    const { m, fep, reader, unmapper } = await setup(0, yields);
    await m.boot();
    m.start(reader);
    m.start(unmapper!);
    try {
      await expectFaultNotStale(m, fep);
      assert.ok(await m.until(() => m.b.readWord(DATA + 12) === 1, 20_000), 'the unmapper went on after its call');
      assert.equal(m.b.readWord(DATA + 8), 0, 'Page_Unmap returned seL4_NoError');
      assert.equal(m.b.readWord(B), MARKER, 'the marker is in the frame (through B)');
    } finally {
      const reports = await m.shutdown();
      assert.deepEqual(reports.flatMap((r) => r.unhandled), []);
      const r1 = reports.find((r) => r.core === 1)!;
      assert.ok(r1.shootdowns - r1.shootdownWholes >= 1, `core 1 dropped the page named, not its whole TLB (${r1.shootdowns} requests, ${r1.shootdownWholes} whole)`);
    }
  }
});

test('SMP shootdown: the host\'s root task unmapping (Page_Unmap, then PageTable_Unmap) while core 1 reads', async () => {
  for (const how of ['page', 'table'] as const) {
    const { m, fep, reader, frame } = await setup(null);
    await m.boot();
    m.start(reader);
    try {
      assert.ok(await m.until(() => m.b.readWord(DATA) >= 1000, 20_000), 'the reader runs');
      m.kernel(() => {
        assert.equal(how === 'page' ? invokePage_Unmap(m.k, frame.atA) : invokePageTable_Unmap(m.k, frame.ptA), 0);
        // Returned: no core may still reach the frame through A.
        m.b.writeWords(B, [MARKER]);
      });
      await expectFaultNotStale(m, fep);
    } finally {
      const r1 = (await m.shutdown()).find((r) => r.core === 1)!;
      // Page_Unmap names one page; PageTable_Unmap 4 MiB, which is dropped as a whole TLB.
      if (how === 'page') assert.ok(r1.shootdowns - r1.shootdownWholes >= 1, `core 1 dropped the page named (${r1.shootdowns} requests, ${r1.shootdownWholes} whole)`);
      else assert.ok(r1.shootdownWholes >= 1, `core 1 flushed its TLB (${r1.shootdowns} requests, ${r1.shootdownWholes} whole)`);
    }
  }
});

test('SMP shootdown: the IPI: a reader in the middle of a slice of 10^11 instructions answers at once', async () => {
  // Without the IPI (CORE_ATTENTION) core 1 would answer at its slice's end, a minute away.
  const { m, fep, reader, unmapper } = await setup(0, false, 1e11);
  await m.boot();
  m.start(reader);
  m.start(unmapper!);
  let r1;
  try {
    await expectFaultNotStale(m, fep);
    assert.ok(await m.until(() => m.b.readWord(DATA + 12) === 1, 20_000), 'the unmapper went on after its call');
  } finally {
    r1 = (await m.shutdown()).find((r) => r.core === 1)!;
  }
  assert.equal(r1.ticks, 0, 'no slice of core 1 ended');
  assert.ok(r1.shootdowns >= 1 && r1.interrupts >= 1, `core 1 was interrupted to answer (${r1.shootdowns} requests, ${r1.interrupts} interrupts)`);
});
