/**
 * IPC: guest-to-guest seL4 IPC from real guest code (ipc-guest.ts): the
 * Call + ReplyRecv round trip on one core (fastpath on and off, with the
 * instructions per round trip and the kernel's share of the time) and
 * across two core workers, notification signal -> wake latency on one core
 * and across cores; the lock-free ring's throughput (single and batched
 * publishes) and a cross-worker ring round trip; all next to the limit
 * measured in the same run (plain JS ping-pong of one SAB word between two
 * workers); and Call + ReplyRecv as pure kernel operations (no CPU).
 */
import { Worker } from 'node:worker_threads';
import { SpscRing } from '../../src/ipc-fastpath/ring.js';
import { messageWord } from '../../src/ipc-fastpath/pattern.js';
import { LockMode, startBklFloor } from '../../src/ipc-fastpath/bkl-floor.js';
import {
  bootKernel, invokeUntyped_Retype, invokeTCB_SetSpace, invokeTCB_SetPriority, invokeTCB_Resume, slotPtr,
  seL4_Call, seL4_Recv, seL4_ReplyRecv, seL4_MessageInfo_new, setMR, seL4_CapInitThreadCNode, seL4_CapInitThreadTCB,
  seL4_EndpointObject, seL4_TCBObject,
} from '../../src/kernel/index.js';
import { summarize, type BenchResult, type BenchSuite } from '../lib/results.js';
import { crossCoreNotify, crossCoreRoundTrip, crossCoreTwoPairs, kernelShare, sameCoreNotify, sameCoreRoundTrip } from './ipc-guest.js';

const PEER = new URL('../../src/ipc-fastpath/peer.entry.js', import.meta.url);
/** A 64-byte slot: the ring's sequence word and 15 payload words (ring.ts). */
const SLOT_WORDS = 15;

function startPeer(data: object): { w: Worker; ready: Promise<unknown>; done: Promise<Record<string, number>> } {
  const w = new Worker(PEER, { workerData: data });
  const waiters: ((v: Record<string, number>) => void)[] = [];
  const ready = new Promise((res) => waiters.push(res as never));
  const done = new Promise<Record<string, number>>((res, rej) => { waiters.push(res); w.once('error', rej); });
  w.on('message', (m) => waiters.shift()?.(m));
  return { w, ready, done };
}

/** Main thread produces `count` messages (batches of `batch`) into a sink worker; messages/s. */
async function throughput(count: number, batch: number): Promise<number> {
  const ring = SpscRing.create(1024, SLOT_WORDS);
  const sink = startPeer({ mode: 'sink', ring: ring.sab, count });
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
      for (let i = 0; i < SLOT_WORDS; i++) w[o + i] = j + b + i;
    }
    ring.publish(n);
    j += n;
  }
  await sink.done;
  const secs = (performance.now() - t0) / 1000;
  await sink.w.terminate();
  return count / secs;
}

/** Round trips to an echo worker over two rings, in chunks; per-chunk ns per round trip. */
async function ringPingPong(chunks: number, perChunk: number): Promise<number[]> {
  const req = SpscRing.create(16, SLOT_WORDS);
  const rep = SpscRing.create(16, SLOT_WORDS);
  const total = chunks * perChunk + 2000;
  const echo = startPeer({ mode: 'echo', ring: req.sab, reply: rep.sab, count: total });
  await echo.ready;
  const rw = req.words;
  const pw = rep.words;
  const out: number[] = [];
  let j = 0;
  const one = (): void => {
    const o = req.writeOffset(0);
    for (let i = 0; i < 4; i++) rw[o + i] = messageWord(j, i);
    req.publish(1);
    rep.waitAvailable();
    if (pw[rep.readOffset(0)] !== rw[o]) throw new Error('echo mismatch');
    rep.release(1);
    j++;
  };
  for (let i = 0; i < 2000; i++) one(); // warm-up
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < perChunk; i++) one();
    out.push(((performance.now() - t0) * 1e6) / perChunk);
  }
  await echo.done;
  await echo.w.terminate();
  return out;
}

/** The limit: one SAB word bounced between two workers with plain Atomics, spinning. */
async function jsPingPong(chunks: number, perChunk: number): Promise<number[]> {
  const flag = new Int32Array(new SharedArrayBuffer(64));
  const total = chunks * perChunk + 2000;
  const peer = startPeer({ mode: 'js-pingpong', flag: flag.buffer, count: total });
  await peer.ready;
  let k = 0;
  const one = (): void => {
    const want = 2 * k + 2;
    Atomics.store(flag, 0, want - 1);
    let spins = 0;
    while (Atomics.load(flag, 0) !== want) {
      if (++spins > 20000) { Atomics.wait(flag, 0, want - 1, 1); spins = 0; }
    }
    k++;
  };
  for (let i = 0; i < 2000; i++) one();
  const out: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < perChunk; i++) one();
    out.push(((performance.now() - t0) * 1e6) / perChunk);
  }
  await peer.done;
  await peer.w.terminate();
  return out;
}

/**
 * The floor of a big-lock cross-core round trip (src/ipc-fastpath/bkl-floor.ts):
 * the lines Call + ReplyRecv hand-offs move between two workers, no work; one
 * pair, or two crossing (ns per round trip of each pair) with one lock, a lock
 * per pair, or none.
 */
async function bklFloor(chunks: number, perChunk: number, pairs: 1 | 2, lockMode: LockMode): Promise<number[]> {
  const warm = 2000;
  const model = await startBklFloor(pairs, lockMode, chunks * perChunk + warm);
  model.run(1, warm);
  const out: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    model.run(warm + 1 + c * perChunk, perChunk);
    out.push(((performance.now() - t0) * 1e6) / perChunk);
  }
  await model.done;
  await model.stop();
  return out;
}

/** seL4_Call (client) + seL4_ReplyRecv (server), 2-word messages, as kernel operations on one thread. */
function kernelRoundTrip(chunks: number, perChunk: number): number[] {
  const { kernel: k, bootInfo } = bootKernel({ memory: 4 << 20, rootCNodeBits: 8 });
  const cnode = bootInfo.rootCNode;
  const slot = (i: number): number => cnode + i * 32;
  const ut = bootInfo.untyped.reduce((a, b) => (b.sizeBits > a.sizeBits ? b : a)).slot;
  const free = bootInfo.empty.start;
  const must = (e: number): void => { if (e !== 0) throw new Error(`kernel setup failed: ${e}`); };
  must(invokeUntyped_Retype(k, slot(ut), seL4_EndpointObject, 0, slot(seL4_CapInitThreadCNode), 0, 0, free, 1));
  must(invokeUntyped_Retype(k, slot(ut), seL4_TCBObject, 0, slot(seL4_CapInitThreadCNode), 0, 0, free + 1, 2));
  const ep = free;
  const tcbs = [slotPtr(k, slot(free + 1)), slotPtr(k, slot(free + 2))];
  for (const t of tcbs) {
    must(invokeTCB_SetSpace(k, t, 0, slot(seL4_CapInitThreadCNode), 0));
    must(invokeTCB_SetPriority(k, t, slot(seL4_CapInitThreadTCB), 100));
    must(invokeTCB_Resume(k, t));
  }
  const [client, server] = tcbs as [number, number];
  must(seL4_Recv(k, server, ep));
  const info = seL4_MessageInfo_new(1, 0, 0, 2);
  const one = (i: number): void => {
    setMR(k, client, 0, i);
    setMR(k, client, 1, i + 1);
    seL4_Call(k, client, ep, info);
    seL4_ReplyRecv(k, server, ep, info);
  };
  for (let i = 0; i < 20000; i++) one(i);
  const out: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const t0 = performance.now();
    for (let i = 0; i < perChunk; i++) one(i);
    out.push(((performance.now() - t0) * 1e6) / perChunk);
  }
  return out;
}

export const ipcSuite: BenchSuite = {
  name: 'ipc',
  summary: 'guest seL4 IPC same-core/cross-core, notify latency, ring throughput and round trip vs the JS ping-pong limit',
  async run({ quick }) {
    const runs = quick ? 3 : 7;
    const msgs = quick ? 500_000 : 2_000_000;
    const results: BenchResult[] = [];

    // Same core, from guest code: fastpath on and off alternating in one process.
    const sameN = quick ? 20_000 : 100_000;
    const samples = quick ? 5 : 11;
    sameCoreRoundTrip(2000, true); sameCoreRoundTrip(2000, false); // warm-up
    const fast: number[] = [];
    const slow: number[] = [];
    let instr = 0;
    for (let i = 0; i < samples; i++) {
      const f = sameCoreRoundTrip(sameN, true);
      fast.push(f.ns);
      instr = f.instructions;
      slow.push(sameCoreRoundTrip(sameN, false).ns);
    }
    const fs = summarize(fast);
    const ss = summarize(slow);
    const share = await kernelShare(sameN, true);
    results.push({ name: 'ipc.same-core.roundtrip', value: fs.median, unit: 'ns', samples, rme: fs.rme, note: `sel4-pingpong Call+ReplyRecv, fastpath; target <= 380 ns (seL4 on Skylake)` });
    results.push({ name: 'ipc.same-core.roundtrip.slowpath', value: ss.median, unit: 'ns', samples, rme: ss.rme, note: 'the same with the fastpath off' });
    results.push({ name: 'ipc.same-core.instructions', value: instr, unit: 'instr', samples: 1, rme: 0, note: 'guest instructions per round trip (both threads, incl. the sysenters)' });
    results.push({ name: 'ipc.same-core.kernel-share', value: share.share * 100, unit: '%', samples: 1, rme: 0, note: `profiler samples in src/kernel vs src/cpu+mmu+jit (fastpath on): ~${share.kernelNs.toFixed(0)} ns kernel + ~${share.guestNs.toFixed(0)} ns guest instructions per round trip` });
    const notes: number[] = [];
    for (let i = 0; i < samples; i++) notes.push(sameCoreNotify(sameN));
    const ns1 = summarize(notes);
    results.push({ name: 'ipc.notify.latency.same-core', value: ns1.median, unit: 'ns', samples, rme: ns1.rme, note: 'sel4-notify Signal -> Wait wake on one core (half a round)' });

    // Across cores: two core workers (the SMP machine), slow path under the big kernel lock;
    // like the limit, medians of chunks (CrossCoreSample), the whole-run means beside them.
    const crossN = quick ? 20_000 : 100_000;
    const crossRuns = quick ? 2 : 3;
    const cross: number[] = [];
    const crossMean: number[] = [];
    const crossSlow: number[] = [];
    const notify: number[] = [];
    const notifyMean: number[] = [];
    const twoPairs: number[] = [];
    for (let i = 0; i < crossRuns; i++) {
      const c = await crossCoreRoundTrip(crossN);
      cross.push(...c.chunks);
      crossMean.push(c.mean);
      crossSlow.push(...(await crossCoreRoundTrip(crossN, false)).chunks); // alternating: the same host conditions
      const nt = await crossCoreNotify(crossN);
      notify.push(...nt.chunks);
      notifyMean.push(nt.mean);
      twoPairs.push(...(await crossCoreTwoPairs(crossN)).chunks);
    }

    const rate = async (batch: number): Promise<number[]> => {
      const v: number[] = [];
      for (let r = 0; r < runs; r++) v.push(await throughput(msgs, batch));
      return v;
    };
    const single = summarize(await rate(1));
    results.push({ name: 'ipc.ring.throughput.single', value: single.median / 1e6, unit: 'M msg/s', samples: runs, rme: single.rme, note: '64-byte slots (60-byte payload); REFERENCE: 6.5 M/s' });
    const batched = summarize(await rate(32));
    results.push({ name: 'ipc.ring.throughput.batched', value: batched.median / 1e6, unit: 'M msg/s', samples: runs, rme: batched.rme, note: 'batches of 32; REFERENCE: 20 M/s' });
    const chunks = quick ? 10 : 40;
    const per = quick ? 2000 : 5000;
    const limit = summarize(await jsPingPong(chunks, per));
    results.push({ name: 'ipc.limit.js-pingpong', value: limit.median, unit: 'ns', samples: chunks, rme: limit.rme, note: 'the limit, this run; REFERENCE: 460 ns' });
    const floor = summarize(await bklFloor(chunks, per, 1, LockMode.SHARED));
    const bound = floor.median + fs.median;
    results.push({
      name: 'ipc.limit.cross-core.bkl', value: floor.median, unit: 'ns', samples: chunks, rme: floor.rme,
      note: `the lines a big-lock Call+ReplyRecv hand-off moves (lock, endpoint, partner TCB and core record, ring slot), no work (bkl-floor.ts); ` +
        `+ the same-core round trip (both halves' work) = ${bound.toFixed(0)} ns, a lower bound for any big-lock design on this machine`,
    });
    const floor2 = summarize(await bklFloor(chunks, per, 2, LockMode.SHARED));
    results.push({ name: 'ipc.limit.cross-core.bkl.2pairs', value: floor2.median, unit: 'ns', samples: chunks, rme: floor2.rme, note: 'the model with two pairs crossing (each core a client and a server), one lock: per round trip of each pair' });
    const floorFine = summarize(await bklFloor(chunks, per, 2, LockMode.PER_PAIR));
    results.push({
      name: 'ipc.limit.cross-core.bkl.2pairs.finelock', value: floorFine.median, unit: 'ns', samples: chunks, rme: floorFine.rme,
      note: `the same with a lock per pair (they share no object): the most finer locking could give two pairs, ${(floor2.median / floorFine.median).toFixed(2)}x`,
    });
    const cs = summarize(cross);
    results.push({ name: 'ipc.cross-core.roundtrip', value: cs.median, unit: 'ns', samples: cross.length, rme: cs.rme, note: `sel4-pingpong client core 0, server core 1, cross-core fastpath (hand-off rings), median of chunks; ${(cs.median / limit.median).toFixed(1)}x the limit; target <= 1000 ns` });
    const csl = summarize(crossSlow);
    results.push({ name: 'ipc.cross-core.roundtrip.slowpath', value: csl.median, unit: 'ns', samples: crossSlow.length, rme: csl.rme, note: 'the same with the fastpaths off (no hand-off rings: slow path, ready queue and doorbell), alternating with it' });
    const cm = summarize(crossMean);
    results.push({ name: 'ipc.cross-core.roundtrip.mean', value: cm.median, unit: 'ns', samples: crossRuns, rme: cm.rme, note: `whole runs of ${crossN} round trips: the workers' JavaScript warming up (the first ~300 ms, docs/kernel.md) and host stalls included` });
    const tp = summarize(twoPairs);
    results.push({ name: 'ipc.cross-core.roundtrip.2pairs', value: tp.median, unit: 'ns', samples: twoPairs.length, rme: tp.rme, note: `two pairs crossing in opposite directions (each core a client and a server), per round trip of each pair, median of chunks: ${((2 * 1e9) / tp.median / 1e6).toFixed(2)} M round trips/s together; both share the big kernel lock` });
    const nc = summarize(notify);
    results.push({ name: 'ipc.notify.latency', value: nc.median, unit: 'ns', samples: notify.length, rme: nc.rme, note: `sel4-notify Signal on core 0 -> Wait wakes on core 1 (half a round), median of chunks; ${(nc.median / limit.median).toFixed(1)}x the limit` });
    const nm = summarize(notifyMean);
    results.push({ name: 'ipc.notify.latency.mean', value: nm.median, unit: 'ns', samples: crossRuns, rme: nm.rme, note: 'whole runs, warm-up and stalls included' });
    const ring = summarize(await ringPingPong(chunks, per));
    results.push({ name: 'ipc.ring.roundtrip', value: ring.median, unit: 'ns', samples: chunks, rme: ring.rme, note: `cross-worker over rings; ${(ring.median / limit.median).toFixed(2)}x the limit` });
    const kchunks = quick ? 10 : 30;
    const kern = summarize(kernelRoundTrip(kchunks, quick ? 20000 : 100000));
    results.push({
      name: 'ipc.kernel-ops.roundtrip', value: kern.median, unit: 'ns', samples: kchunks, rme: kern.rme,
      note: 'Call+ReplyRecv as kernel operations on one thread, no CPU, no fastpath',
    });
    return results;
  },
};
