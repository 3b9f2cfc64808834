// The big-lock floor model (bench row ipc.limit.cross-core.bkl): two real workers play the
// hand-offs, and each side checks what the other wrote, so a lost or reordered hand-off fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { BKL_FLOOR_WORDS, bklFloorClient, bklFloorInit, bklFloorSnapshot } from '../../src/ipc-fastpath/bkl-floor.js';

const PEER = new URL('../../src/ipc-fastpath/peer.entry.js', import.meta.url);

test('client and server workers complete 20,000 round trips and end in the state they started in', async () => {
  const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4));
  bklFloorInit(a);
  const n = 20_000;
  const w = new Worker(PEER, { workerData: { mode: 'bkl-floor', flag: a.buffer, count: n } });
  const msgs: unknown[] = [];
  const done = new Promise<void>((res, rej) => {
    w.on('message', (m) => { msgs.push(m); if ((m as { done?: boolean }).done) res(); });
    w.once('error', rej);
  });
  bklFloorClient(a, 1, n / 2);
  // A second call goes on from where the first stopped (the bench's chunks).
  bklFloorClient(a, n / 2 + 1, n / 2);
  await done;
  await w.terminate();
  assert.deepEqual(bklFloorSnapshot(a), { epReceiving: true, epHead: 1, clientRunning: true, serverBlocked: true, core0Current: 0, core1Current: 1 });
});

test('a Call with no receiver on the endpoint is an error, not a hang', () => {
  const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4)); // not set up: the endpoint is idle
  assert.throws(() => bklFloorClient(a, 1, 1), /no receiver/);
});
