// SMP (src/kernel/smp): core workers over one guest RAM and kernel state, the big
// kernel lock, cross-core IPC by doorbells, the timer, N larger than the host's cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { CORE_SLEEPING, RIGHT_WRITE, seL4_Fault_UserException } from '../../src/kernel/index.js';
import { SmpMachine } from '../../src/kernel/smp/machine.js';
import { CTL_ACTIVE } from '../../src/kernel/smp/control.js';
import { collect, loadPingPong, pingPongPair, smpStack } from '../../src/kernel/guest/smp-guest.js';

/** sel4-pingpong across cores 0 and 1; what the guest threads report and the cores' reports. */
async function crossCorePingPong(fastpath: boolean, n: number) {
  const m = new SmpMachine({ cores: 2, fastpath });
  const entry = loadPingPong(m);
  const report = m.kernel(() => m.b.endpoint());
  const p = pingPongPair(m, entry, report, 0, 1, 0, n);
  await m.boot();
  m.start(p.server);
  m.start(p.client);
  try {
    const got = await collect(m, report, 2);
    assert.ok(m.progress(0) >= n && m.progress(1) >= n, 'progress counters published on every return from run');
    assert.throws(() => m.progress(2), RangeError);
    return { byLabel: Object.fromEntries(got.map((r) => [r.label, r.mrs])), reports: await m.shutdown() };
  } catch (e) {
    await m.shutdown();
    throw e;
  }
}

test('cross-core Call/ReplyRecv: sel4-pingpong with the server on core 1 and the client on core 0, fastpath off and on', async () => {
  const n = 2000;
  const slow = await crossCorePingPong(false, n);
  const fast = await crossCorePingPong(true, n);
  for (const { byLabel, reports } of [slow, fast]) {
    assert.deepEqual(byLabel[4], [n, 0], 'server: requests served, bad requests');
    assert.deepEqual(byLabel[3], [n, 0], 'client: good replies, bad replies');
    assert.deepEqual(reports.flatMap((r) => r.unhandled), []);
    assert.ok(reports[0]!.syscalls >= n && reports[1]!.syscalls >= n);
    for (const r of reports) {
      assert.equal(r.sleeps + r.spinWakes > 0, true, 'the idle core either spun or slept between requests');
      assert.ok(r.spinMs >= 0 && r.sleptMs >= 0);
    }
  }
  assert.deepEqual(fast.byLabel, slow.byLabel, 'the guest sees the same with the cross-core fastpath');
  const sum = (rs: typeof slow.reports, f: (r: (typeof rs)[0]) => number): number => rs.reduce((a, r) => a + f(r), 0);
  assert.equal(sum(slow.reports, (r) => r.fastpaths), 0, 'fastpath off: every IPC on the slow path');
  assert.equal(sum(slow.reports, (r) => r.handoffsSent + r.handoffsTaken), 0);
  // The hand-off needs the partner's core idle when the message goes: it usually is in a ping-pong.
  const sent = sum(fast.reports, (r) => r.handoffsSent);
  assert.ok(sent > 0, 'fastpath on: some round trips handed off over the rings');
  assert.ok(sent >= sum(fast.reports, (r) => r.fastpaths), 'every fastpath here is a cross-core one (and slow-path wakes of an idle core are handed off too)');
  assert.ok(sum(fast.reports, (r) => r.handoffsTaken) <= sent);
});

test('the host thread counts as awake except while it waits in until()', async () => {
  const m = new SmpMachine({ cores: 1, tickMs: 0 });
  const active = (): number => Atomics.load(new Int32Array(m.control), CTL_ACTIVE);
  assert.equal(active(), 1, 'the host, before boot');
  await m.boot();
  try {
    // With nothing to run the core spins briefly, then sleeps: it uncounts itself before it
    // raises its sleeping flag, and nothing rings it (no timer), so from then on it stays out.
    const sleeping = (): boolean => Atomics.load(m.k.g, m.k.coreBase(0) + CORE_SLEEPING) === 1;
    assert.ok(await m.until(sleeping), 'the idle core goes to sleep');
    assert.equal(m.kernel(() => active()), 1, 'the host is counted while it polls under the lock, the sleeping core is not');
    m.hostSleep(20);
    assert.equal(active(), 1, 'after hostSleep the host counts again');
  } finally {
    await m.shutdown();
  }
});

test('N cores larger than the host\'s: 2N threads calling each other across all cores', async () => {
  const cores = Math.max(4, availableParallelism() + 2);
  const m = new SmpMachine({ cores, ramBytes: 64 << 20 });
  const entry = loadPingPong(m);
  const report = m.kernel(() => m.b.endpoint());
  const n = 300;
  const pairs = Array.from({ length: cores }, (_, c) => pingPongPair(m, entry, report, c, (c + 1) % cores, c, n + c));
  await m.boot();
  for (const p of pairs) { m.start(p.server); m.start(p.client); }
  try {
    const got = await collect(m, report, 2 * cores);
    const clients = got.filter((r) => r.label === 3).map((r) => r.mrs[0]!).sort((a, b) => a - b);
    const servers = got.filter((r) => r.label === 4).map((r) => r.mrs[0]!).sort((a, b) => a - b);
    const want = pairs.map((_, c) => n + c);
    assert.deepEqual(clients, want);
    assert.deepEqual(servers, want);
    assert.ok(got.every((r) => r.mrs[1] === 0), 'no bad replies or requests');
  } finally {
    const reports = await m.shutdown();
    assert.equal(reports.length, cores);
    assert.ok(reports.every((r) => r.syscalls > 0), 'every core ran guest system calls');
    assert.deepEqual(reports.flatMap((r) => r.unhandled), []);
  }
});

test('the timer preempts: two busy threads of one priority on one core both make progress', async () => {
  const m = new SmpMachine({ cores: 1, tickMs: 1, sliceInstructions: 5000 });
  const b = m.b;
  // inc dword [edx]; jmp back — edx = the thread's counter
  const code = [0xff, 0x02, 0xeb, 0xfc];
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(0x601000); });
  b.write(0x600000, Uint8Array.from(code));
  const ths = [0, 1].map((i) => m.thread({ entry: 0x600000, esp: smpStack(m, 0x700000 + i * 0x10000, 0), priority: 80, ipcBuffer: 0x720000 + i * 0x1000, core: 0, regs: { edx: 0x601000 + 4 * i } }));
  await m.boot();
  for (const t of ths) m.start(t);
  try {
    const ok = await m.until(() => m.b.readWord(0x601000) > 1000 && m.b.readWord(0x601004) > 1000, 20_000, 5);
    assert.ok(ok, `counters ${m.b.readWord(0x601000)} and ${m.b.readWord(0x601004)}: round robin needs the timer`);
  } finally {
    const [r] = await m.shutdown();
    assert.ok(r!.ticks > 0);
  }
});

test('SetAffinity moves a running thread to another core; a fault there reaches its handler on the host', async () => {
  const m = new SmpMachine({ cores: 2, tickMs: 1 });
  const b = m.b;
  // loop: cmp dword [0x601000], 0; je loop; ud2 — spins until the host writes the flag, then faults
  const code = [0x83, 0x3d, 0x00, 0x10, 0x60, 0x00, 0x00, 0x74, 0xf7, 0x0f, 0x0b];
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(0x601000); });
  b.write(0x600000, Uint8Array.from(code));
  const fep = m.kernel(() => b.endpoint());
  const th = m.thread({ entry: 0x600000, esp: smpStack(m, 0x700000, 0), priority: 80, ipcBuffer: 0x720000, core: 0, faultEP: 1 });
  m.kernel(() => b.giveCap(th, 1, fep, RIGHT_WRITE | 8, 9));
  await m.boot();
  m.start(th);
  try {
    const { invokeTCB_SetAffinity, curThread } = await import('../../src/kernel/index.js');
    assert.ok(await m.until(() => curThread(m.k, 0) === th.tcb, 5000), 'running on core 0');
    m.kernel(() => assert.equal(invokeTCB_SetAffinity(m.k, th.tcb, 1), 0));
    assert.ok(await m.until(() => curThread(m.k, 1) === th.tcb, 5000), 'now running on core 1');
    b.writeWords(0x601000, [1]);
    const [f] = await collect(m, fep, 1, 5000);
    assert.equal(f!.label, seL4_Fault_UserException);
    assert.equal(f!.badge, 9);
    assert.deepEqual([f!.mrs[0], f!.mrs[3]], [0x600009, 6], 'ud2 at its address, #UD');
  } finally {
    const reports = await m.shutdown();
    assert.equal(reports[1]!.faults, 1, 'the fault was taken on core 1');
  }
});

test('cross-core notifications: a Signal on core 0 wakes a waiter on core 1 and back, fastpath off and on', async () => {
  const { loadNotify, notifySmpPair, CLIENT_REPORT } = await import('../../src/kernel/guest/smp-guest.js');
  for (const fastpath of [false, true]) {
    const m = new SmpMachine({ cores: 2, fastpath });
    const entry = loadNotify(m);
    const report = m.kernel(() => m.b.endpoint());
    const n = 1000;
    const p = notifySmpPair(m, entry, report, 1, 0, n);
    await m.boot();
    m.start(p.responder);
    m.start(p.initiator);
    let reports;
    try {
      const [r] = await collect(m, report, 1);
      assert.deepEqual(r, { label: 5, length: 2, badge: CLIENT_REPORT, mrs: [n, 0] });
    } finally {
      reports = await m.shutdown();
    }
    const sent = reports.reduce((a, r) => a + r.handoffsSent, 0);
    // A Signal's wake of a waiter on an idle core is handed over the ring by the slow path itself.
    if (fastpath) assert.ok(sent > 0, 'signals handed to the idle core over the rings');
    else assert.equal(sent, 0);
  }
});

test('Suspend from the host stops a thread that is running on a core; Resume lets it go on', async () => {
  const { invokeTCB_Suspend, invokeTCB_Resume, curThread, threadState, ThreadState_Inactive } = await import('../../src/kernel/index.js');
  const m = new SmpMachine({ cores: 2, tickMs: 1, sliceInstructions: 2000 });
  const b = m.b;
  // loop: inc dword [0x601000]; mov eax, seL4_SysYield; sysenter; jmp loop
  const code = [0xff, 0x05, 0x00, 0x10, 0x60, 0x00, 0xb8, 0xf9, 0xff, 0xff, 0xff, 0x0f, 0x34, 0xeb, 0xf1];
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(0x601000); });
  b.write(0x600000, Uint8Array.from(code));
  const th = m.thread({ entry: 0x600000, esp: smpStack(m, 0x700000, 0), priority: 80, ipcBuffer: 0x720000, core: 1 });
  await m.boot();
  m.start(th);
  try {
    assert.ok(await m.until(() => m.b.readWord(0x601000) > 100, 10_000), 'it runs');
    m.kernel(() => assert.equal(invokeTCB_Suspend(m.k, th.tcb), 0));
    assert.ok(await m.until(() => curThread(m.k, 1) !== th.tcb, 5000), 'core 1 let it go');
    const c1 = m.kernel(() => m.b.readWord(0x601000));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(m.kernel(() => m.b.readWord(0x601000)), c1, 'no instruction of it ran after');
    assert.equal(threadState(m.k, th.tcb), ThreadState_Inactive);
    m.kernel(() => assert.equal(invokeTCB_Resume(m.k, th.tcb), 0));
    assert.ok(await m.until(() => m.b.readWord(0x601000) > c1 + 100, 10_000), 'it runs again');
  } finally {
    await m.shutdown();
  }
});

test('maxInstructions: threads spinning on two cores stop at exactly the limit, counted over both cores; an out-of-budget core still answers its doorbell', async () => {
  const { curThread, rescheduleRequired, remoteWake, invokeTCB_Suspend } = await import('../../src/kernel/index.js');
  const limit = 100_001;
  const m = new SmpMachine({ cores: 2, tickMs: 1, maxInstructions: limit });
  assert.throws(() => new SmpMachine({ cores: 1, maxInstructions: -1 }), RangeError);
  const b = m.b;
  // Thread c: loop: inc dword [0x601000 + 4c]; jmp loop (two instructions a round, the inc first).
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(0x601000); });
  b.write(0x600000, Uint8Array.from([0xff, 0x05, 0x00, 0x10, 0x60, 0x00, 0xeb, 0xf8]));
  b.write(0x600010, Uint8Array.from([0xff, 0x05, 0x04, 0x10, 0x60, 0x00, 0xeb, 0xf8]));
  const th = [0, 1].map((c) => m.thread({ entry: 0x600000 + 16 * c, esp: smpStack(m, 0x700000, c), priority: 80, ipcBuffer: 0x720000 + 0x1000 * c, core: c }));
  await m.boot();
  for (const t of th) m.start(t);
  let reports;
  try {
    assert.ok(await m.until(() => m.limitReached(), 30_000), 'the cores reached the limit');
    assert.equal(m.retired(0) + m.retired(1), limit, 'published counts add up to exactly the limit');
    assert.throws(() => m.retired(2), RangeError);
    // Out of budget, core 0 keeps its thread loaded but enters the kernel when its doorbell rings
    // (as the executive's waitOffCpu rings it): a suspended thread leaves the core.
    if (m.kernel(() => curThread(m.k, 0)) === th[0]!.tcb) {
      m.kernel(() => { invokeTCB_Suspend(m.k, th[0]!.tcb); rescheduleRequired(m.k, 0); remoteWake(m.k, 0, true); });
      assert.ok(await m.until(() => curThread(m.k, 0) !== th[0]!.tcb, 10_000), 'core 0 let go of the suspended thread');
    }
  } finally {
    reports = await m.shutdown();
  }
  assert.equal(reports[0]!.retired + reports[1]!.retired, limit, 'no core ran past the limit before the machine stopped');
  for (const c of [0, 1]) {
    assert.equal(reports[c]!.retired, m.retired(c), `core ${c}: its report and its published count agree`);
    assert.equal(m.kernel(() => b.readWord(0x601000 + 4 * c)), Math.ceil(reports[c]!.retired / 2), `core ${c}: its thread's rounds are its retired instructions`);
  }
});

test('the IPI: a thread woken for a busy core preempts a lower-priority one in the middle of its slice', async () => {
  const { RIGHT_READ, sendSignal, slotPtr } = await import('../../src/kernel/index.js');
  // One slice of core 1 is 10^11 instructions (a minute at the JIT's speed): only an interrupt lets the woken thread run soon.
  const m = new SmpMachine({ cores: 2, sliceInstructions: 1e11 });
  const b = m.b;
  const DATA = 0x601000; // [0] the spinner's count, [4] set by the woken thread
  const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  // spinner: inc dword [DATA]; jmp spinner
  const spinner = [0xff, 0x05, ...le(DATA), 0xeb, 0xf8];
  // waiter: mov eax, seL4_SysRecv; mov ebx, 1; sysenter (seL4_Wait on its notification); mov dword [DATA+4], 1; jmp $
  const waiter = [0xb8, ...le(-5 >>> 0), 0xbb, ...le(1), 0x0f, 0x34, 0xc7, 0x05, ...le(DATA + 4), ...le(1), 0xeb, 0xfe];
  m.kernel(() => { b.mapPage(0x600000); b.mapPage(DATA); });
  b.write(0x600000, Uint8Array.from(spinner));
  b.write(0x600100, Uint8Array.from(waiter));
  const ntfn = m.kernel(() => b.notification());
  const high = m.thread({ entry: 0x600100, esp: smpStack(m, 0x700000, 0), priority: 100, ipcBuffer: 0x720000, core: 1 });
  const low = m.thread({ entry: 0x600000, esp: smpStack(m, 0x710000, 0), priority: 50, ipcBuffer: 0x721000, core: 1 });
  m.kernel(() => b.giveCap(high, 1, ntfn, RIGHT_READ));
  await m.boot();
  let r1;
  try {
    m.start(high);
    m.start(low);
    assert.ok(await m.until(() => b.readWord(DATA) > 10_000, 10_000), 'the spinner runs (the waiter waits)');
    m.kernel(() => sendSignal(m.k, slotPtr(m.k, b.slot(ntfn)), 1));
    assert.ok(await m.until(() => b.readWord(DATA + 4) === 1, 20_000), 'the woken thread ran');
  } finally {
    r1 = (await m.shutdown()).find((r) => r.core === 1)!;
  }
  assert.equal(r1.ticks, 0, 'within the spinner\'s first slice');
  assert.ok(r1.interrupts >= 1, `core 1 was interrupted (${r1.interrupts})`);
});
