// Uncontended acquire + release of the big kernel lock (src/kernel/lock.ts) in one
// thread, two builds alternating in one process: what one kernel entry's lock costs
// before any cache line crosses cores.
//   node scripts/lock-ab.mjs <base>/dist dist [rounds] [cycles]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const [da, db, roundsArg, cyclesArg] = process.argv.slice(2);
if (da === undefined || db === undefined) throw new Error('usage: node scripts/lock-ab.mjs <base>/dist dist [rounds] [cycles]');
const load = async (d) => (await import(pathToFileURL(resolve(d, 'src/kernel/lock.js')).href)).BigKernelLock;
const [A, B] = [await load(da), await load(db)];
const sab = new SharedArrayBuffer(4096);
const la = new A(sab), lb = new B(sab);
const n = Number(cyclesArg ?? 5e6);
const run = (l) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { l.acquire(0); l.release(); }
  return ((performance.now() - t0) * 1e6) / n;
};
for (let r = 0; r < Number(roundsArg ?? 5); r++) console.log(`A ${run(la).toFixed(1)} ns  B ${run(lb).toFixed(1)} ns per acquire + release`);
