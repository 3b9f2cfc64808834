// remoteTCBStall (src/kernel/stall.ts): a TCB invocation made on core 0 about a thread
// that core 1 is running must see and act on that thread as it is now, not as its TCB
// held it when core 1 loaded it. The runner on core 1 counts in ESI and stores each
// count at DATA; core 1's slice is 10^11 instructions, so without the stall its TCB
// would hold the registers it started with for a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RIGHTS_ALL } from '../../src/kernel/index.js';
import { Label } from '../../src/kernel/invocation.js';
import { SmpMachine } from '../../src/kernel/smp/machine.js';
import { smpStack } from '../../src/kernel/guest/smp-guest.js';

const DATA = 0x601000; // [0] the runner's count; [8..] what the controller saw
const IPCBUF = 0x721000; // the controller's IPC buffer
const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const load = (addr: number): number[] => [0xa1, ...le(addr)]; // mov eax, [addr]
const store = (addr: number): number[] => [0xa3, ...le(addr)]; // mov [addr], eax
/** sysenter Call on CPtr 1 (the runner's TCB cap) with `label` and two message words in EDI/EBP. */
const tcbCall = (label: number, len: number, mr0: number, mr1: number): number[] => [
  0xb8, ...le(0xffffffff), 0xbb, ...le(1), 0xbe, ...le((label << 12) | len), 0xbf, ...le(mr0), 0xbd, ...le(mr1), 0x0f, 0x34,
];
// runner: inc esi; mov [DATA], esi; jmp runner
const RUNNER = [0x46, 0x89, 0x35, ...le(DATA), 0xeb, 0xf7];
// wait: cmp dword [DATA], 100000; jb wait
const WAIT_FOR_RUNNER = [0x81, 0x3d, ...le(DATA), ...le(100_000), 0x72, 0xf4];
// spin: mov ecx, 2000000; loop: dec ecx; jnz loop
const SPIN = [0xb9, ...le(2_000_000), 0x49, 0x75, 0xfd];
const DONE = [0xc7, 0x05, ...le(DATA + 40), ...le(1), 0xeb, 0xfe]; // mov dword [DATA+40], 1; jmp $

type Machine = { m: SmpMachine; b: SmpMachine['b']; runner: { tcb: number; tcbSlot: number } };

/**
 * The runner on core 1 (slices of 10^11 instructions), with `controller` code on core 0
 * (holding the runner's TCB cap as CPtr 1) if given: `body` runs once the runner counts;
 * returns core 1's report after the machine stopped.
 */
async function withRunner(controller: number[] | null, body: (x: Machine) => Promise<void>) {
  const m = new SmpMachine({ cores: 2, sliceInstructions: 1e11 });
  const b = m.b;
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(DATA); });
  b.write(0x600000, Uint8Array.from(RUNNER));
  const runner = m.thread({ entry: 0x600000, esp: smpStack(m, 0x700000, 0), priority: 80, ipcBuffer: 0x720000, core: 1 });
  let ctrl = null;
  if (controller !== null) {
    b.write(0x600100, Uint8Array.from(controller));
    ctrl = m.thread({ entry: 0x600100, esp: smpStack(m, 0x710000, 0), priority: 80, ipcBuffer: IPCBUF, core: 0 });
    const c = ctrl;
    m.kernel(() => b.giveCap(c, 1, runner.tcbSlot, RIGHTS_ALL));
  }
  await m.boot();
  m.start(runner);
  let reports;
  try {
    assert.ok(await m.until(() => b.readWord(DATA) > 100_000, 10_000), 'the runner runs');
    if (ctrl !== null) m.start(ctrl);
    await body({ m, b, runner });
  } finally {
    reports = await m.shutdown();
  }
  assert.deepEqual(reports.flatMap((r) => r.unhandled), []);
  return reports.find((r) => r.core === 1)!;
}

/** The controller's `code` against the runner: the words it stored at DATA, checking that core 1 gave the thread back. */
async function run(code: number[]): Promise<(i: number) => number> {
  let words: number[] = [];
  const r1 = await withRunner(code, async ({ m, b }) => {
    assert.ok(await m.until(() => b.readWord(DATA + 40) === 1, 20_000), 'the controller finished');
    words = [...Array(11).keys()].map((i) => b.readWord(DATA + 4 * i));
  });
  assert.ok(r1.stallUnloads >= 1, `core 1 put its thread back into its TCB (${r1.stalls} stalls, ${r1.stallUnloads} unloads)`);
  assert.equal(r1.ticks, 0, 'within the runner\'s first slice');
  return (i) => words[i]!;
}

test('stall: TCB_ReadRegisters of a thread running on another core reads its registers as they are now', async () => {
  const w = await run([
    ...WAIT_FOR_RUNNER,
    ...load(DATA), ...store(DATA + 8), // the count before
    ...tcbCall(Label.TCBReadRegisters, 2, 0, 8), // eip esp eflags eax ebx ecx edx esi
    ...store(DATA + 12), // the error
    ...load(IPCBUF + 4 * (1 + 7)), ...store(DATA + 16), // ESI: MR 7
    ...load(DATA), ...store(DATA + 20), // the count after
    0x89, 0xf8, ...store(DATA + 24), // mov eax, edi: MR0 (EIP)
    ...DONE,
  ]);
  assert.equal(w(3), 0, 'seL4_NoError');
  const before = w(2), esi = w(4), after = w(5);
  assert.ok(before >= 100_000 && before <= esi && esi <= after + 1, `ESI ${esi} between the counts ${before} and ${after}`);
  assert.ok(w(6) >= 0x600000 && w(6) < 0x600000 + RUNNER.length, `EIP 0x${w(6).toString(16)} in the runner's loop`);
});

test('stall: TCB_Suspend of a thread running on another core returns once it no longer runs; WriteRegisters + Resume restart it', async () => {
  const w = await run([
    ...WAIT_FOR_RUNNER,
    ...tcbCall(Label.TCBSuspend, 0, 0, 0), ...store(DATA + 8),
    ...load(DATA), ...store(DATA + 12), // the count right after Suspend returned
    ...SPIN,
    ...load(DATA), ...store(DATA + 16), // and after 2 M instructions of the controller's
    // WriteRegisters(resume = 1, count = 8): EIP = the runner's loop, ESP, EFLAGS, EAX..EDX, ESI = 5000000
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 3), ...le(0x600000)], // msg[2]: EIP
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 4), ...le(0x700000 - 16)], // msg[3]: ESP
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 5), ...le(0x202)], // msg[4]: EFLAGS
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 6), ...le(0)], // EAX
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 7), ...le(0)], // EBX
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 8), ...le(0)], // ECX
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 9), ...le(0)], // EDX
    ...[0xc7, 0x05, ...le(IPCBUF + 4 * 10), ...le(5_000_000)], // ESI
    ...tcbCall(Label.TCBWriteRegisters, 10, 1, 8), ...store(DATA + 20),
    // wait until the runner counts past 5000000
    0x81, 0x3d, ...le(DATA), ...le(5_000_100), 0x72, 0xf4,
    ...DONE,
  ]);
  assert.equal(w(2), 0, 'Suspend: seL4_NoError');
  assert.equal(w(4), w(3), `the runner did not run after Suspend returned (${w(3)} then ${w(4)})`);
  assert.equal(w(5), 0, 'WriteRegisters: seL4_NoError');
  assert.ok(w(0) > 5_000_100, 'it went on from the ESI written');
});

test('stall: deleting the last cap of a thread another core runs stops it before the TCB is gone', async () => {
  const { cteDelete, TCB_REGS } = await import('../../src/kernel/index.js');
  const r1 = await withRunner(null, async ({ m, b, runner }) => {
    const regs = (runner.tcb >> 2) + TCB_REGS;
    m.kernel(() => {
      assert.equal(cteDelete(m.k, b.slot(runner.tcbSlot), true), 0);
      // The TCB's memory is free now: nothing may write into it (core 1 saving the thread).
      m.k.m.fill(0x5a5a5a5a, regs, regs + 16);
    });
    const count = m.kernel(() => b.readWord(DATA));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(m.kernel(() => b.readWord(DATA)), count, 'it did not run after its deletion');
    assert.deepEqual([...m.k.m.subarray(regs, regs + 16)], new Array(16).fill(0x5a5a5a5a), 'its TCB was not written after');
  });
  assert.ok(r1.stallUnloads >= 1, `core 1 gave the thread back (${r1.stalls} stalls)`);
});

test('a root-task Suspend (no stall: a direct call) of a thread another core runs interrupts that core', async () => {
  const { invokeTCB_Suspend, curThread } = await import('../../src/kernel/index.js');
  const r1 = await withRunner(null, async ({ m, runner }) => {
    m.kernel(() => assert.equal(invokeTCB_Suspend(m.k, runner.tcb), 0));
    assert.ok(await m.until(() => curThread(m.k, 1) !== runner.tcb, 10_000), 'core 1 let it go');
  });
  assert.equal(r1.ticks, 0, 'within its first slice');
  assert.ok(r1.interrupts >= 1);
});
