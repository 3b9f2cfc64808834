// The TLB shootdown protocol (src/kernel/shootdown.ts) on its own: the initiator holds
// the big kernel lock while another core sleeps in that lock (it must be woken to
// answer, or the two would wait for each other), an idle sleeper is not waited for,
// and cores whose MMU holds another page directory are not asked at all. A request
// names its pages unless the core has not caught up with an earlier one (then, and for
// large ranges or every address space, the core flushes its whole TLB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import {
  BigKernelLock, CORE_CR3, CORE_SHOOT_ACK, CORE_SHOOT_BYTES, CORE_SHOOT_PD, CORE_SHOOT_REQ, CORE_SHOOT_VADDR,
  CORE_SLEEPING, G_LOCK_WAITERS, INVLPG_MAX_BYTES, Kernel, ShootdownResponder, bootKernel, invalidateTranslations,
  shootdownStats,
} from '../../src/kernel/index.js';

const PD = 0x123000;

test('shootdown: a core asleep in the kernel lock answers; an idle sleeper and other address spaces are not waited for', async () => {
  const { kernel } = bootKernel({ memory: 1 << 20, cores: 4, rootCNodeBits: 8 });
  const k = new Kernel(kernel.shared, 3); // the initiator: core 3 (no CPU, like the SMP machine's host)
  const g = k.g;
  Atomics.store(g, k.coreBase(0) + CORE_CR3, PD); // core 0: a worker that will sleep in the lock
  Atomics.store(g, k.coreBase(1) + CORE_CR3, PD); // core 1: asleep idle (no worker at all)
  Atomics.store(g, k.coreBase(1) + CORE_SLEEPING, 1);
  Atomics.store(g, k.coreBase(2) + CORE_CR3, 0x456000); // core 2: another address space (no worker either)
  const lock = new BigKernelLock(g);
  lock.acquire(3);
  const kernelUrl = new URL('../../src/kernel/index.js', import.meta.url).href;
  const w = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.kernelUrl).then(({ BigKernelLock, ShootdownResponder, Kernel }) => {
      const k = new Kernel(workerData.shared, 0);
      let flushes = 0;
      const named = [];
      const r = new ShootdownResponder(k.g, k.coreBase(0), () => { flushes++; }, (pd, va, n) => { named.push([pd, va, n]); });
      const lock = new BigKernelLock(k.g, 16); // a short spin: it goes to sleep on the lock at once
      lock.onWait = r.poll;
      parentPort.postMessage('ready');
      lock.acquire(0);
      lock.release();
      parentPort.postMessage({ flushes, named, honoured: r.honoured });
    });
  `, { eval: true, workerData: { kernelUrl, shared: kernel.shared } });
  const msgs: unknown[] = [];
  type Answer = { flushes: number; named: number[][]; honoured: number };
  const done = new Promise<Answer>((res, rej) => {
    w.on('message', (m) => { msgs.push(m); if (typeof m === 'object') res(m as Answer); });
    w.once('error', rej);
  });
  try {
    // Wait until the worker sleeps in the lock (it counted itself a waiter).
    const t0 = Date.now();
    while (Atomics.load(g, G_LOCK_WAITERS) === 0) {
      assert.ok(Date.now() - t0 < 10_000, 'the worker reached the lock');
      await new Promise((r) => setTimeout(r, 1));
    }
    const before = shootdownStats.remoteWaits;
    invalidateTranslations(k, PD, 0x400000, 0x1000); // returns only once core 0 answered
    assert.equal(shootdownStats.remoteWaits, before + 1);
    const gen = Atomics.load(g, k.coreBase(0) + CORE_SHOOT_REQ);
    assert.equal(Atomics.load(g, k.coreBase(0) + CORE_SHOOT_ACK), gen, 'core 0 acknowledged from inside the lock');
    assert.equal(Atomics.load(g, k.coreBase(1) + CORE_SHOOT_REQ), gen, 'core 1 is asked (it answers when it wakes)');
    assert.notEqual(Atomics.load(g, k.coreBase(1) + CORE_SHOOT_ACK), gen, '... but was not waited for');
    assert.notEqual(Atomics.load(g, k.coreBase(2) + CORE_SHOOT_REQ), gen, 'core 2 holds another page directory: not asked');
  } finally {
    lock.release();
  }
  const r = await done;
  assert.deepEqual(r, { flushes: 0, named: [[PD, 0x400000, 0x1000]], honoured: 1 }, 'core 0 dropped the page named');
  await w.terminate();
});

test('shootdown: named pages, and the whole TLB when the core has not caught up, for every address space and for large ranges', () => {
  const { kernel } = bootKernel({ memory: 1 << 20, cores: 3, rootCNodeBits: 8 });
  const k = new Kernel(kernel.shared, 2); // the initiator
  const g = k.g;
  const base = k.coreBase(1);
  Atomics.store(g, base + CORE_CR3, PD);
  // Asleep idle, so the initiator does not wait: this thread plays core 1 by polling itself.
  Atomics.store(g, base + CORE_SLEEPING, 1);
  const seen: string[] = [];
  let during: (() => void) | null = null;
  const r = new ShootdownResponder(g, base, () => {
    seen.push('whole');
    const f = during; during = null; f?.();
  }, (pd, va, n) => {
    seen.push(`${pd.toString(16)} ${va.toString(16)} ${n.toString(16)}`);
    const f = during; during = null; f?.();
  });
  const caughtUp = (): boolean => Atomics.load(g, base + CORE_SHOOT_ACK) === Atomics.load(g, base + CORE_SHOOT_REQ);

  invalidateTranslations(k, PD, 0x401000, 0x2000);
  r.poll();
  r.poll(); // nothing new: nothing happens
  assert.deepEqual(seen.splice(0), ['123000 401000 2000'], 'the pages named, once');
  assert.ok(caughtUp());

  // Two requests before the core looks: the second cannot rewrite the fields the core may be reading.
  invalidateTranslations(k, PD, 0x500000, 0x1000);
  invalidateTranslations(k, PD, 0x600000, 0x1000);
  assert.equal(g[base + CORE_SHOOT_VADDR], 0x500000, 'the first request\'s fields stay');
  r.poll();
  assert.deepEqual(seen.splice(0), ['whole'], 'one whole flush covers both');
  assert.ok(caughtUp());

  // A request that arrives while the core drops the pages of the one before: that one is acknowledged,
  // the fields it read are untouched, and the new one is answered with a whole flush at the next look.
  invalidateTranslations(k, PD, 0x700000, 0x1000);
  during = () => {
    invalidateTranslations(k, PD, 0x800000, 0x1000);
    assert.deepEqual([g[base + CORE_SHOOT_PD], g[base + CORE_SHOOT_VADDR], g[base + CORE_SHOOT_BYTES]], [PD, 0x700000, 0x1000]);
  };
  r.poll();
  assert.ok(!caughtUp(), 'the request that came meanwhile is still pending');
  r.poll();
  assert.deepEqual(seen.splice(0), ['123000 700000 1000', 'whole']);
  assert.ok(caughtUp());

  // A whole-TLB request arriving during a whole flush is answered again (the flag was taken before the flush).
  invalidateTranslations(k, -1, 0, 0);
  during = () => invalidateTranslations(k, PD, 0x900000, 0x1000);
  r.poll();
  r.poll();
  assert.deepEqual(seen.splice(0), ['whole', 'whole']);

  // Every address space, the whole of one, and more pages than INVLPG_MAX_BYTES: the whole TLB.
  const namedBefore = shootdownStats.named;
  for (const [pd, va, n] of [[-1, 0, 0], [PD, 0, 0], [PD, 0x400000, INVLPG_MAX_BYTES + 0x1000]] as const) {
    invalidateTranslations(k, pd, va, n);
    r.poll();
  }
  assert.deepEqual(seen.splice(0), ['whole', 'whole', 'whole']);
  invalidateTranslations(k, PD, 0x400000, INVLPG_MAX_BYTES);
  r.poll();
  assert.deepEqual(seen.splice(0), [`123000 400000 ${INVLPG_MAX_BYTES.toString(16)}`], 'up to the limit, page by page');
  assert.equal(shootdownStats.named, namedBefore + 1);
  assert.deepEqual([r.honoured, r.wholeFlushes], [10, 7]);
});
