// The floor of a big-lock cross-core round trip (src/ipc-fastpath/bkl-floor.ts), on its own:
// the model's round trips, no kernel, no guest (the bench's ipc.limit.cross-core.bkl rows).
// One pair; then two pairs crossing with one lock, a lock per pair, and none.
//   node scripts/bkl-floor.mjs [runs] [roundTrips]
import { startBklFloor } from '../dist/src/ipc-fastpath/bkl-floor.js';

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
    const model = await startBklFloor(c.pairs, c.lockMode, n + warm);
    model.run(1, warm);
    const t0 = performance.now();
    model.run(warm + 1, n);
    out.push((((performance.now() - t0) * 1e6) / n).toFixed(0));
    await model.done;
    await model.stop();
  }
  console.log(`${c.name.padEnd(28)} ${out.join(' ')} ns per round trip (of each pair)`);
}
