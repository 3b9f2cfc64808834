// The big-lock floor model (bench rows ipc.limit.cross-core.bkl*): two real workers play the
// hand-offs, and each side checks what the other wrote, so a lost or reordered hand-off fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BKL_FLOOR_WORDS, BklPair, LockMode, bklFloorClient, startBklFloor } from '../../src/ipc-fastpath/bkl-floor.js';

async function play(pairs: 1 | 2, lockMode: LockMode, n: number): Promise<readonly BklPair[]> {
  const model = await startBklFloor(pairs, lockMode, n);
  // In two calls: the bench times chunks, each going on from where the last stopped.
  model.run(1, n / 2);
  model.run(n / 2 + 1, n / 2);
  await model.done;
  await model.stop();
  return model.pairs.slice(0, pairs);
}

test('one pair: client and server workers complete 20,000 round trips and end settled', async () => {
  const [p] = await play(1, LockMode.SHARED, 20_000);
  assert.ok(p!.settled());
});

test('two pairs crossing, with one lock, a lock per pair and none: every round trip completes', async () => {
  for (const mode of [LockMode.SHARED, LockMode.PER_PAIR, LockMode.NONE]) {
    const ps = await play(2, mode, 10_000);
    assert.ok(ps.every((p) => p.settled()), `lock mode ${mode}`);
  }
});

test('a Call with no receiver on the endpoint is an error, not a hang', () => {
  const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4)); // not set up: the endpoint is idle
  assert.throws(() => bklFloorClient(new BklPair(a, 0, LockMode.SHARED), 1, 1), /no receiver/);
  assert.equal(Atomics.load(a, 0), 0, 'the lock is let go');
});
