// The SPSC ring: single-thread behaviour, then two real workers passing millions of messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SpscRing, SpinGate, RING_HEADER_WORDS } from '../../src/ipc-fastpath/ring.js';
import { expectedChecksum, messageWord } from '../../src/ipc-fastpath/pattern.js';

const PEER = new URL('../../src/ipc-fastpath/peer.entry.js', import.meta.url);

function start(data: object): { w: Worker; ready: Promise<unknown>; done: Promise<Record<string, number>> } {
  const w = new Worker(PEER, { workerData: data });
  const msgs: ((v: Record<string, number>) => void)[] = [];
  const ready = new Promise((res) => msgs.push(res as never));
  const done = new Promise<Record<string, number>>((res, rej) => { msgs.push(res); w.once('error', rej); });
  w.on('message', (m) => msgs.shift()?.(m));
  return { w, ready, done };
}

test('single thread: FIFO order, full and empty, wrap-around of slots and counters', () => {
  const r = SpscRing.create(4, 3);
  const c = new SpscRing(r.sab);
  const out = new Int32Array(3);
  assert.equal(c.available(), 0);
  assert.ok(!c.tryPop(out));
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 4; i++) assert.ok(r.tryPush([round, i, 100 - i]));
    assert.ok(!r.tryPush([9, 9, 9]), 'full');
    for (let i = 0; i < 4; i++) {
      assert.ok(c.tryPop(out));
      assert.deepEqual([...out], [round, i, 100 - i]);
    }
  }
  // Counters wrap past 2^31 without harm.
  const big = SpscRing.create(2, 1);
  big.words[0] = 0x7fffffff; big.words[16] = 0x7fffffff;
  const p = new SpscRing(big.sab);
  const q = new SpscRing(big.sab);
  for (let i = 0; i < 5; i++) { assert.ok(p.tryPush([i])); assert.ok(q.tryPop(out, 0, 1)); assert.equal(out[0], i); }
  assert.equal(RING_HEADER_WORDS, 64);
});

test('batched publish: one head store for many slots; waitAvailable times out on an empty ring', () => {
  const r = SpscRing.create(64, 16);
  const c = new SpscRing(r.sab);
  for (let b = 0; b < 32; b++) r.words[r.writeOffset(b)] = b;
  assert.equal(c.available(), 0, 'nothing visible before publish');
  r.publish(32);
  assert.equal(c.waitAvailable(), 32);
  for (let b = 0; b < 32; b++) assert.equal(c.words[c.readOffset(b)], b);
  c.release(32);
  c.setSpinUs(10);
  assert.equal(c.waitAvailable(5), 0);
  assert.ok(c.sleeps >= 1);
  const g = new SpinGate(1);
  assert.ok(g.tryEnter());
  assert.ok(!g.tryEnter(), 'never more spinners than the limit');
  g.exit();
});

async function pump(count: number, batch: number, delayMs = 0): Promise<{ sink: Record<string, number>; source: Record<string, number> }> {
  const ring = SpscRing.create(1024, 16);
  const sink = start({ mode: 'sink', ring: ring.sab, count });
  await sink.ready;
  const source = start({ mode: 'source', ring: ring.sab, count, batch, delayMs });
  try {
    const [s, p] = await Promise.all([sink.done, source.done]);
    return { sink: s, source: p };
  } finally {
    ring.close();
    await Promise.all([sink.w.terminate(), source.w.terminate()]);
  }
}

test('two workers: 1M messages of 64 bytes, one publish each, arrive complete and in order', async () => {
  const n = 1_000_000;
  const { sink } = await pump(n, 1);
  assert.equal(sink.received, n);
  assert.equal(sink.checksum, expectedChecksum(n, 16));
});

test('two workers: 2M messages in batches of 32, checksummed', async () => {
  const n = 2_000_000;
  const { sink } = await pump(n, 32);
  assert.equal(sink.received, n);
  assert.equal(sink.checksum, expectedChecksum(n, 16));
});

test('a consumer that fell asleep is woken by the producer', async () => {
  const n = 10_000;
  const { sink } = await pump(n, 8, 150);
  assert.equal(sink.checksum, expectedChecksum(n, 16));
  assert.ok(sink.sleeps! >= 1, `the sink slept (${sink.sleeps})`);
});

test('ping-pong with an echo worker: each reply is the request', async () => {
  const req = SpscRing.create(16, 16);
  const rep = SpscRing.create(16, 16);
  const n = 20_000;
  const echo = start({ mode: 'echo', ring: req.sab, reply: rep.sab, count: n });
  await echo.ready;
  const msg = new Int32Array(16);
  const got = new Int32Array(16);
  try {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < 16; i++) msg[i] = messageWord(j, i);
      assert.ok(req.tryPush(msg));
      assert.equal(rep.waitAvailable(), 1);
      rep.tryPop(got);
      if (got[0] !== msg[0] || got[15] !== msg[15]) assert.fail(`reply ${j} differs`);
    }
    await echo.done;
  } finally {
    req.close();
    await echo.w.terminate();
  }
});
