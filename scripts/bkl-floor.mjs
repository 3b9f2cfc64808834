// The floor of a big-lock cross-core round trip (src/ipc-fastpath/bkl-floor.ts), on its own:
// the model's round trips, no kernel, no guest (the bench's ipc.limit.cross-core.bkl rows).
// One pair; then two pairs crossing with one lock, a lock per pair, and none.
//   node scripts/bkl-floor.mjs [runs] [roundTrips]
import { Worker } from 'node:worker_threads';
import { BKL_FLOOR_WORDS, BklPair, bklFloorClient, bklFloorCore } from '../dist/src/ipc-fastpath/bkl-floor.js';

const runs = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 200_000);
const warm = 2000;
const CASES = [
  { name: 'one pair, one lock', pairs: 1, lockMode: 0 },
  { name: 'two pairs, one lock', pairs: 2, lockMode: 0 },
  { name: 'two pairs, a lock per pair', pairs: 2, lockMode: 1 },
  { name: 'two pairs, no lock', pairs: 2, lockMode: 2 },
];
for (const c of CASES) {
  const out = [];
  for (let r = 0; r < runs; r++) {
    const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4));
    const p0 = new BklPair(a, 0, c.lockMode);
    const p1 = new BklPair(a, 1, c.lockMode);
    p0.init();
    p1.init();
    const w = new Worker(new URL('../dist/src/ipc-fastpath/peer.entry.js', import.meta.url), {
      workerData: { mode: 'bkl-floor', flag: a.buffer, count: n + warm, pairs: c.pairs, lockMode: c.lockMode },
    });
    await new Promise((res) => w.once('message', res));
    const run = (from, k) => (c.pairs === 2 ? bklFloorCore(p0, p1, from, k) : bklFloorClient(p0, from, k));
    run(1, warm);
    const t0 = performance.now();
    run(warm + 1, n);
    out.push((((performance.now() - t0) * 1e6) / n).toFixed(0));
    await w.terminate();
  }
  console.log(`${c.name.padEnd(28)} ${out.join(' ')} ns per round trip (of each pair)`);
}
