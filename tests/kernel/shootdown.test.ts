// The TLB shootdown protocol (src/kernel/shootdown.ts) on its own: the initiator holds
// the big kernel lock while another core sleeps in that lock (it must be woken to
// answer, or the two would wait for each other), an idle sleeper is not waited for,
// and cores whose MMU holds another page directory are not asked at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import {
  BigKernelLock, CORE_CR3, CORE_SHOOT_ACK, CORE_SHOOT_REQ, CORE_SLEEPING, G_LOCK_WAITERS, Kernel, bootKernel,
  invalidateTranslations, shootdownStats,
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
      const r = new ShootdownResponder(k.g, k.coreBase(0), () => { flushes++; });
      const lock = new BigKernelLock(k.g, 16); // a short spin: it goes to sleep on the lock at once
      lock.onWait = r.poll;
      parentPort.postMessage('ready');
      lock.acquire(0);
      lock.release();
      parentPort.postMessage({ flushes, honoured: r.honoured });
    });
  `, { eval: true, workerData: { kernelUrl, shared: kernel.shared } });
  const msgs: unknown[] = [];
  const done = new Promise<{ flushes: number; honoured: number }>((res, rej) => {
    w.on('message', (m) => { msgs.push(m); if (typeof m === 'object') res(m as { flushes: number; honoured: number }); });
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
  assert.deepEqual(r, { flushes: 1, honoured: 1 });
  await w.terminate();
});
