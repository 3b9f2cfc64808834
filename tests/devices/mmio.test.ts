import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MmioRegion, mergeBytes } from '../../src/devices/mmio.js';
import { IrqFabric } from '../../src/devices/irq.js';

test('posted writes apply in order; sub-dword writes carry byte enables', () => {
  const r = MmioRegion.create(4096);
  const log: number[][] = [];
  r.attachSync({ mmioWrite: (d, v, m) => { log.push([d, v >>> 0, m]); r.set32(d * 4, mergeBytes(r.get32(d * 4), v, m)); }, poll: () => false });
  r.write32(8, 0x11223344);
  r.write(9, 1, 0xaa);
  r.write(10, 2, 0xbbcc);
  assert.deepEqual(log, [[2, 0x11223344, 0xf], [2, 0xaa00, 0x2], [2, 0xbbcc0000, 0xc]]);
  assert.equal(r.read32(8), 0xbbccaa44);
  assert.equal(r.read(9, 1), 0xaa);
  assert.equal(r.read(10, 2), 0xbbcc);
  for (let i = 0; i < 1000; i++) r.write32(0, i); // many more writes than ring slots
  assert.equal(r.read32(0), 999);
});

test('a device worker sleeps when idle and wakes on a posted write; reads wait for posted writes', async () => {
  const r = MmioRegion.create(4096);
  // A tiny device in a worker (mmio-echo.fixture.ts): register 1 = register 0 + 1.
  const w = new Worker(new URL('./mmio-echo.fixture.js', import.meta.url), { workerData: r.sab });
  await new Promise((res) => w.once('message', res));
  await new Promise((res) => setTimeout(res, 20)); // let it fall asleep
  for (let i = 1; i <= 100; i++) {
    r.write32(0, i);
    assert.equal(r.read32(4), i + 1, 'a read after a write sees its effect');
  }
  r.requestStop();
  await new Promise((res) => w.once('exit', res));
});

test('write32Pair posts two writes in order, as two write32 calls would', () => {
  const r = MmioRegion.create(4096);
  const log: number[][] = [];
  r.attachSync({ mmioWrite: (d, v, m) => { log.push([d, v >>> 0, m]); r.set32(d * 4, v); }, poll: () => false });
  r.write32Pair(0x10, 0xffffffff, 0x08, 2);
  assert.deepEqual(log, [[4, 0xffffffff, 0xf], [2, 2, 0xf]]);
  for (let i = 0; i < 300; i++) r.write32Pair(0, i, 4, i + 1); // across the ring's wrap
  assert.equal(r.read32(0), 299);
  assert.equal(r.read32(4), 300);
});

test('two producers fill the ring of a slow worker device: every write applied once, each producer in order', async () => {
  const r = MmioRegion.create(4096);
  const dev = new Worker(new URL('./mmio-order.fixture.js', import.meta.url), { workerData: r.sab });
  await new Promise((res) => dev.once('message', res));
  const count = 2000; // about 8 laps of the ring each
  const other = new Worker(new URL('./mmio-producer.fixture.js', import.meta.url), { workerData: { sab: r.sab, count } });
  for (let i = 1; i <= count; i++) r.write32(0, i);
  await new Promise((res) => other.once('message', res));
  const deadline = Date.now() + 10000;
  while (r.read32(4) + r.read32(20) < 2 * count && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  assert.equal(r.read32(4), count, 'producer 1: every write applied once');
  assert.equal(r.read32(20), count, 'producer 2: every write applied once');
  assert.equal(r.read32(0), count);
  assert.equal(r.read32(16), count);
  assert.equal(r.read32(32), 0, 'no write out of order');
  r.requestStop();
  await new Promise((res) => dev.once('exit', res));
  await other.terminate();
});

test('interrupt fabric: raise, take, wait with timeout, INTx edges', () => {
  const f = new IrqFabric();
  assert.equal(f.wait(0x41, 5, false), 0, 'times out');
  f.raise(0x41);
  f.raise(0x41);
  assert.equal(f.wait(0x41, 5), 2);
  f.deliverMsi(0xfee00000, 0x42);
  assert.equal(f.take(0x42), 1);
  f.deliverMsi(0x1000, 0x43);
  assert.equal(f.strayMessages, 1);
  f.setLine(5, true);
  f.setLine(5, true);
  assert.equal(f.take(0x25), 1, 'one edge');
  assert.ok(f.lineLevel(5));
  f.setLine(5, false);
  assert.ok(!f.lineLevel(5));
  // pending() only looks; take() consumes each raise once.
  f.raise(0x44);
  f.raise(0x44);
  f.raise(0x44);
  assert.equal(f.pending(0x44), 3);
  assert.equal(f.pending(0x44), 3);
  assert.equal(f.take(0x44), 3);
  assert.equal(f.take(0x44), 0);
  assert.equal(f.pending(0x44), 0);
  assert.equal(f.wait(0x44, 1, false), 0, 'nothing left to wait for');
});

test('interrupt fabric: a blocked waiter wakes on a raise from another thread', async () => {
  const f = new IrqFabric();
  const w = new Worker(new URL('./irq-raise.fixture.js', import.meta.url), { workerData: { sab: f.sab, vector: 0x46 } });
  assert.equal(f.wait(0x46, 5000, false), 1, 'woken with the one raise');
  assert.ok(f.blockedWaits >= 1);
  await new Promise((res) => w.once('exit', res));
});
