// What a cache line written by the other core costs a cross-worker round trip on this machine
// (docs/kernel.md, "The floor of the big-lock design"). Two workers flip a flag; per half, each side
// first touches K lines the other side wrote last, either independent or as a dependent chain
// (each line holds the next one's index, as an endpoint's head names a TCB). A third case is the
// least a ring hand-off moves: a payload in one of 16 rotating slot lines plus a consumer index.
//   node scripts/line-cost.mjs [runs]
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';

const N = 200_000;
const CASES = [
  ...[0, 1, 2, 4, 8].map((k) => ({ name: `independent, K=${k}`, kind: 'indep', k })),
  ...[1, 2, 4, 8].map((k) => ({ name: `dependent chain, K=${k}`, kind: 'chase', k })),
  { name: 'ring least: slot payload + consumer index', kind: 'ring', k: 0 },
];

if (isMainThread) {
  const runs = Number(process.argv[2] ?? 3);
  const sab = new SharedArrayBuffer(1 << 16);
  for (const c of CASES) {
    const out = [];
    for (let r = 0; r < runs; r++) {
      const a = new Int32Array(sab);
      a.fill(0);
      for (let j = 0; j < 16; j++) a[1024 + 48 * j] = 1024 + 48 * (j + 1);
      const w = new Worker(new URL(import.meta.url), { workerData: { sab, c } });
      await new Promise((res) => w.once('message', res));
      const t0 = performance.now();
      side(a, c, 0);
      out.push((((performance.now() - t0) * 1e6) / N).toFixed(0));
      await w.terminate();
    }
    console.log(`${c.name.padEnd(44)} ${out.join(' ')} ns per round trip`);
  }
} else {
  parentPort.postMessage(1);
  side(new Int32Array(workerData.sab), workerData.c, 1);
}

function side(a, c, me) {
  let sum = 0;
  if (c.kind === 'ring') {
    // Requests in words 4096.., replies in 8192..; consumer indexes at 12288 and 12304.
    for (let i = 1; i <= N; i++) {
      const s = (i & 15) * 16;
      const mine = me === 0 ? 4096 : 8192;
      const theirs = me === 0 ? 8192 : 4096;
      if (me === 1) {
        while (Atomics.load(a, theirs + s) !== i) { /* spin */ }
        sum += a[theirs + s + 1];
        Atomics.store(a, 12304, i);
      }
      a[mine + s + 1] = i;
      Atomics.store(a, mine + s, i);
      if (me === 0) {
        while (Atomics.load(a, theirs + s) !== i) { /* spin */ }
        sum += a[theirs + s + 1];
        Atomics.store(a, 12288, i);
      }
    }
    return sum;
  }
  const chase = c.kind === 'chase';
  for (let i = 0; i < N; i++) {
    const want = 2 * i + me;
    while (Atomics.load(a, 0) !== want) { /* spin */ }
    let p = 1024;
    for (let j = 0; j < c.k; j++) {
      const q = chase ? a[p] : 1024 + 48 * (j + 1);
      a[p + 1] = i; // written here, read and written by the other side next: the line migrates
      p = q;
    }
    sum += p;
    Atomics.store(a, 0, want + 1);
  }
  return sum;
}
