// A/B of the SPSC ring (bench ipc.ring.roundtrip / throughput's measurements)
// against the limit (ipc.limit.js-pingpong), alternating in one process:
//   base   another build's ring (BASE=/path/to/dist, e.g. of main)
//   mine   this build's ring
//   limit  one SAB word bounced between two workers
//   node scripts/ring-ab.mjs [rounds] [--throughput] [--slot=WORDS]
// Round trips: median of chunks of 5,000; throughput: 2M messages, single and batched (32).
// Slots of WORDS payload words (default 15: one 64-byte line with this build's sequence word;
// the bench's SLOT_WORDS); the same size for every arm.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const withThroughput = process.argv.includes('--throughput');
const SLOT = Number((process.argv.find((a) => a.startsWith('--slot=')) ?? '=15').split('=')[1]);
const mineDist = new URL('../dist/', import.meta.url).href;
const dists = { ...(process.env.BASE ? { base: pathToFileURL(resolve(process.env.BASE)).href + '/' } : {}), mine: mineDist };
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

function startPeer(dist, data) {
  const w = new Worker(new URL('src/ipc-fastpath/peer.entry.js', dist), { workerData: data });
  const waiters = [];
  const ready = new Promise((res) => waiters.push(res));
  const done = new Promise((res, rej) => { waiters.push(res); w.once('error', rej); });
  w.on('message', (m) => waiters.shift()?.(m));
  return { w, ready, done };
}


/** Warms `one` up (2,000 calls), then times `chunks` chunks of `per` calls: ns per call, per chunk. */
function timeChunks(one, chunks, per) {
  for (let i = 0; i < 2000; i++) one();
  const out = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) one();
    out.push(((performance.now() - t0) * 1e6) / per);
  }
  return out;
}
async function ringRoundTrip(dist, SpscRing, chunks, per) {
  const req = SpscRing.create(16, SLOT);
  const rep = SpscRing.create(16, SLOT);
  const echo = startPeer(dist, { mode: 'echo', ring: req.sab, reply: rep.sab, count: chunks * per + 2000 });
  await echo.ready;
  const rw = req.words;
  const pw = rep.words;
  let j = 0;
  const one = () => {
    const o = req.writeOffset(0);
    for (let i = 0; i < 4; i++) rw[o + i] = j + i;
    req.publish(1);
    rep.waitAvailable();
    if (pw[rep.readOffset(0)] !== rw[o]) throw new Error('echo mismatch');
    rep.release(1);
    j++;
  };
  const out = timeChunks(one, chunks, per);
  await echo.done;
  await echo.w.terminate();
  return out;
}

async function jsPingPong(chunks, per) {
  const flag = new Int32Array(new SharedArrayBuffer(64));
  const peer = startPeer(mineDist, { mode: 'js-pingpong', flag: flag.buffer, count: chunks * per + 2000 });
  await peer.ready;
  let k = 0;
  const one = () => {
    const want = 2 * k + 2;
    Atomics.store(flag, 0, want - 1);
    let spins = 0;
    while (Atomics.load(flag, 0) !== want) {
      if (++spins > 20000) { Atomics.wait(flag, 0, want - 1, 1); spins = 0; }
    }
    k++;
  };
  const out = timeChunks(one, chunks, per);
  await peer.done;
  await peer.w.terminate();
  return out;
}

async function throughput(dist, SpscRing, count, batch) {
  const ring = SpscRing.create(1024, SLOT);
  const sink = startPeer(dist, { mode: 'sink', ring: ring.sab, count });
  await sink.ready;
  const w = ring.words;
  const t0 = performance.now();
  let j = 0;
  while (j < count) {
    let n = ring.waitFree();
    if (n > batch) n = batch;
    if (n > count - j) n = count - j;
    for (let b = 0; b < n; b++) {
      const o = ring.writeOffset(b);
      for (let i = 0; i < SLOT; i++) w[o + i] = j + b + i;
    }
    ring.publish(n);
    j += n;
  }
  await sink.done;
  const secs = (performance.now() - t0) / 1000;
  await sink.w.terminate();
  return count / secs / 1e6;
}

const rings = {};
for (const [k, d] of Object.entries(dists)) rings[k] = (await import(new URL('src/ipc-fastpath/ring.js', d).href)).SpscRing;
const rt = { limit: [] };
const tp = {};
for (const k of Object.keys(dists)) { rt[k] = []; tp[k + '.single'] = []; tp[k + '.batched'] = []; }
for (let r = 0; r < rounds; r++) {
  const l = await jsPingPong(10, 5000);
  rt.limit.push(...l);
  let line = `round ${r}: limit ${median(l).toFixed(0)} ns`;
  for (const [k, d] of Object.entries(dists)) {
    const c = await ringRoundTrip(d, rings[k], 10, 5000);
    rt[k].push(...c);
    line += `, ${k} ${median(c).toFixed(0)} ns`;
    if (withThroughput) {
      const s = await throughput(d, rings[k], 2_000_000, 1);
      const b = await throughput(d, rings[k], 2_000_000, 32);
      tp[k + '.single'].push(s);
      tp[k + '.batched'].push(b);
      line += ` (${s.toFixed(1)} / ${b.toFixed(1)} M msg/s)`;
    }
  }
  console.log(line);
}
for (const [k, v] of Object.entries(rt)) console.log(`${k}: round trip median of ${v.length} chunks ${median(v).toFixed(0)} ns`);
for (const [k, v] of Object.entries(tp)) if (v.length) console.log(`${k}: throughput median ${median(v).toFixed(2)} M msg/s`);
