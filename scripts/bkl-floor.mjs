// The floor of a big-lock cross-core round trip (src/ipc-fastpath/bkl-floor.ts), on its own:
// the model's round trip, no kernel, no guest (the bench's ipc.limit.cross-core.bkl).
//   node scripts/bkl-floor.mjs [runs] [roundTrips]
import { Worker } from 'node:worker_threads';
import { BKL_FLOOR_WORDS, bklFloorClient, bklFloorInit } from '../dist/src/ipc-fastpath/bkl-floor.js';

const runs = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 200_000);
const warm = 2000;
for (let r = 0; r < runs; r++) {
  const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4));
  bklFloorInit(a);
  const w = new Worker(new URL('../dist/src/ipc-fastpath/peer.entry.js', import.meta.url), { workerData: { mode: 'bkl-floor', flag: a.buffer, count: n + warm } });
  await new Promise((res) => w.once('message', res));
  bklFloorClient(a, 1, warm);
  const t0 = performance.now();
  bklFloorClient(a, warm + 1, n);
  console.log(`big-lock floor model: ${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns per round trip`);
  await w.terminate();
}
