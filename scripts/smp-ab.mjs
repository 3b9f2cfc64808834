// A/B of the cross-core round trip (bench ipc.cross-core.roundtrip's
// measurement: median of >= 1 ms chunks), alternating in one process:
//   base  another build's dist (BASE=/path/to/dist, e.g. of main)
//   slow  this build, fastpath off (every IPC on the slow path)
//   fast  this build, fastpath on (the cross-core fastpath)
//   node scripts/smp-ab.mjs [rounds] [roundTrips] [--notify]   (--notify: ipc.notify.latency's measurement)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const rounds = Number(process.argv[2] ?? 5);
const n = Number(process.argv[3] ?? 50_000);
const mine = await import('../dist/bench/suites/ipc-guest.js');
const base = process.env.BASE ? await import(pathToFileURL(resolve(process.env.BASE, 'bench/suites/ipc-guest.js')).href) : null;
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
const notify = process.argv.includes('--notify');
const f = notify ? 'crossCoreNotify' : 'crossCoreRoundTrip';
const arms = {
  ...(base ? { base: () => base[f](n) } : {}),
  slow: () => mine[f](n, false),
  fast: () => mine[f](n, true),
};
const chunks = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
const means = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [k, f] of Object.entries(arms)) {
    const s = await f();
    chunks[k].push(...s.chunks);
    means[k].push(s.mean);
    console.log(`round ${r} ${k}: median of chunks ${median(s.chunks).toFixed(0)} ns, mean ${s.mean.toFixed(0)} ns`);
  }
}
for (const k of Object.keys(arms)) console.log(`${k}: median of ${chunks[k].length} chunks ${median(chunks[k]).toFixed(0)} ns; median of run means ${median(means[k]).toFixed(0)} ns`);
