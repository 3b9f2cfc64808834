// The SPSC ring: single-thread behaviour, then two real workers passing millions of messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SpscRing, SpinGate, RING_CONSUMER_SLEEPING, RING_HEADER_WORDS, sleepWord } from '../../src/ipc-fastpath/ring.js';
import { checksumStep, expectedChecksum, messageWord } from '../../src/ipc-fastpath/pattern.js';

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
  // Counters wrap past 2^31 and 2^32 without harm.
  for (const start of [0x7ffffffd, -3]) {
    const big = SpscRing.create(2, 1, start);
    const p = new SpscRing(big.sab);
    const q = new SpscRing(big.sab);
    for (let i = 0; i < 7; i++) { assert.ok(p.tryPush([i])); assert.ok(q.tryPop(out, 0, 1)); assert.equal(out[0], i); }
    assert.equal(q.available(), 0);
  }
  assert.equal(RING_HEADER_WORDS, 64);
});

test('a slot is one cache line: sequence word and up to 15 payload words, strides of whole lines', () => {
  assert.equal(SpscRing.create(4, 15).stride, 16);
  assert.equal(SpscRing.create(4, 1).stride, 16);
  assert.equal(SpscRing.create(4, 16).stride, 32);
  const r = SpscRing.create(4, 15);
  assert.equal(r.writeOffset(0), RING_HEADER_WORDS + 1);
  assert.equal(r.writeOffset(1), RING_HEADER_WORDS + 17);
  assert.throws(() => SpscRing.create(3, 4), RangeError);
  assert.throws(() => SpscRing.create(4, 0), RangeError);
  assert.throws(() => new SpscRing(new SharedArrayBuffer(1024)), /not a ring/);
});

test('batches of every size across many laps: counts exact, stale sequence words never read as published', () => {
  // Capacity 8 and batch sizes 1..8 in a rotating pattern: batch starts land on every slot, and the
  // consumer reads them in pieces (1..3 at a time), so it is often mid-batch and at every slot.
  for (const start of [0, 0x7ffffff0, -20]) {
    const r = SpscRing.create(8, 2, start);
    const c = new SpscRing(r.sab);
    let sent = 0;
    let got = 0;
    for (let step = 0; step < 2000; step++) {
      const want = 1 + ((step * 5) % 8);
      const n = Math.min(want, r.freeSlots());
      for (let b = 0; b < n; b++) { r.words[r.writeOffset(b)] = sent + b; r.words[r.writeOffset(b) + 1] = ~(sent + b); }
      if (n !== 0) r.publish(n);
      sent += n;
      let take = 1 + (step % 3);
      while (take-- > 0) {
        const a = c.available();
        assert.ok(a <= sent - got, `available ${a} with ${sent - got} in flight`);
        if (a === 0) break;
        const o = c.readOffset(0);
        assert.equal(c.words[o], got);
        assert.equal(c.words[o + 1], ~got);
        c.release(1);
        got++;
      }
    }
    while (c.available() !== 0) { assert.equal(c.words[c.readOffset(0)], got); c.release(1); got++; }
    assert.equal(got, sent);
    assert.ok(sent > 4000);
  }
});

test('full ring: the producer sees no room until the consumer releases, then exactly what was released', () => {
  const r = SpscRing.create(4, 1);
  const c = new SpscRing(r.sab);
  for (let i = 0; i < 4; i++) assert.ok(r.tryPush([i]));
  assert.equal(r.freeSlots(), 0);
  assert.ok(!r.tryPush([99]));
  assert.equal(c.available(), 4);
  c.release(3);
  assert.equal(r.freeSlots(), 3);
  for (let i = 4; i < 7; i++) assert.ok(r.tryPush([i]));
  assert.ok(!r.tryPush([99]));
  const out = new Int32Array(1);
  for (let i = 3; i < 7; i++) { assert.ok(c.tryPop(out)); assert.equal(out[0], i); }
  assert.ok(!c.tryPop(out));
});

test('only the publish of the slot a consumer sleeps on takes its sleeping flag', () => {
  // The race, step by step: the consumer saw slot 0 (the producer is still inside publish(0), after
  // its store), took it and went to sleep on slot 1's sequence word. publish(0)'s flag check must
  // leave that sleep alone (slot 1's word does not change for it); publish(1) takes it.
  const r = SpscRing.create(4, 1, 10);
  const w = r.words;
  r.words[r.writeOffset(0)] = 7;
  Atomics.store(w, RING_CONSUMER_SLEEPING, sleepWord(11));
  r.publish(1);
  assert.equal(Atomics.load(w, RING_CONSUMER_SLEEPING), sleepWord(11), 'a sleep on slot 11 survives the publish of slot 10');
  r.publish(1);
  assert.equal(Atomics.load(w, RING_CONSUMER_SLEEPING), 0, 'the publish of slot 11 takes it');
  // Positions a whole lap apart share a slot: the flag names the position, not the slot.
  const q = SpscRing.create(2, 1, 0);
  Atomics.store(q.words, RING_CONSUMER_SLEEPING, sleepWord(2));
  q.publish(2); // slots 0 and 1; position 2 is slot 0 again
  assert.equal(Atomics.load(q.words, RING_CONSUMER_SLEEPING), sleepWord(2));
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

test('a producer that fell asleep on a full ring is woken by the consumer', async () => {
  const ring = SpscRing.create(4, 16);
  const n = 2000;
  const source = start({ mode: 'source', ring: ring.sab, count: n, batch: 3, spinUs: 10 });
  await source.ready;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const got = new Int32Array(16);
  try {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      // Now and then the consumer stalls with the ring full: the producer spins out and sleeps.
      if (j % 500 === 0) Atomics.wait(nap, 0, 0, 20);
      if (ring.waitAvailable() === 0) assert.fail('closed');
      assert.ok(ring.tryPop(got));
      for (let i = 0; i < 16; i++) sum = checksumStep(sum, got[i]!);
    }
    assert.equal(sum, expectedChecksum(n, 16));
    const done = await source.done;
    assert.equal(done.sent, n);
    assert.ok(done.sleeps! >= 1, `the source slept (${done.sleeps})`);
  } finally {
    ring.close();
    await source.w.terminate();
  }
});

test('close ends the wait of a consumer sleeping on an empty ring', async () => {
  const ring = SpscRing.create(16, 16);
  const sink = start({ mode: 'sink', ring: ring.sab, count: 100, spinUs: 0 });
  await sink.ready;
  assert.ok(ring.tryPush(new Int32Array(16)));
  // The sink takes that message and sleeps on the next slot; closing must end its wait (not its 1 s timeout).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  ring.close();
  const done = await sink.done;
  assert.equal(done.received, 1);
  assert.ok(done.sleeps! >= 1, `the sink slept (${done.sleeps})`);
  await sink.w.terminate();
});
