/**
 * A ring peer in its own worker: the other side of the ring tests and the
 * ipc bench (a stand-in for a core worker or a host-side task).
 *
 * workerData.mode:
 *   'sink'        consume `count` messages from `ring`, posting back an
 *                 order-sensitive checksum of every word and its sleep count
 *   'source'      produce `count` messages (word i of message j is
 *                 messageWord(j, i)), publishing in batches of `batch`,
 *                 after sleeping `delayMs`
 *   'echo'        for `count` requests on `ring`, send the same message back
 *                 on `reply` (ping-pong)
 *   'js-pingpong' the limit: bounce a counter in `flag` (a plain SAB word)
 *                 `count` times
 *   'bkl-floor'   core 1 of the big-lock floor model (bkl-floor.ts) over
 *                 `flag`: `count` round trips of pair 0's server, or with
 *                 `pairs` 2 of pair 1's client and pair 0's server
 * It posts { ready: true } when attached and { done: true, ... } at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SpscRing } from './ring.js';
import { checksumStep, messageWord } from './pattern.js';
import { BklPair, LockMode, bklFloorCore, bklFloorServer } from './bkl-floor.js';

interface PeerData {
  mode: 'sink' | 'source' | 'echo' | 'js-pingpong' | 'bkl-floor';
  ring?: SharedArrayBuffer;
  reply?: SharedArrayBuffer;
  flag?: SharedArrayBuffer;
  count: number;
  batch?: number;
  delayMs?: number;
  /** Ring modes: the rings' longest spin before sleeping (µs). */
  spinUs?: number;
  /** Ring modes: the shortest spin the adaptive policy may shrink to (µs). */
  spinMinUs?: number;
  /** 'bkl-floor': one pair or two crossing, and how they lock. */
  pairs?: 1 | 2;
  lockMode?: LockMode;
}

const d = workerData as PeerData;
const port = parentPort!;
/** The limit's spin, in Atomics.load iterations as REFERENCE.md measured it (the bench's side does the same). */
const PINGPONG_SPIN = 20000;
const attach = (sab: SharedArrayBuffer): SpscRing => {
  const r = new SpscRing(sab);
  if (d.spinUs !== undefined) r.setSpinUs(d.spinUs, d.spinMinUs);
  return r;
};
port.postMessage({ ready: true });

function sink(ring: SpscRing, count: number): void {
  const w = ring.words;
  const sw = ring.slotWords;
  let sum = 0;
  let got = 0;
  while (got < count) {
    const n = ring.waitAvailable();
    if (n === 0) break; // closed
    for (let j = 0; j < n; j++) {
      const o = ring.readOffset(j);
      for (let i = 0; i < sw; i++) sum = checksumStep(sum, w[o + i]!);
    }
    ring.release(n);
    got += n;
  }
  port.postMessage({ done: true, checksum: sum, received: got, sleeps: ring.sleeps });
}

function source(ring: SpscRing, count: number, batch: number): void {
  const w = ring.words;
  const sw = ring.slotWords;
  let j = 0;
  while (j < count) {
    let n = ring.waitFree();
    if (n === 0) break;
    if (n > batch) n = batch;
    if (n > count - j) n = count - j;
    for (let b = 0; b < n; b++) {
      const o = ring.writeOffset(b);
      for (let i = 0; i < sw; i++) w[o + i] = messageWord(j + b, i);
    }
    ring.publish(n);
    j += n;
  }
  port.postMessage({ done: true, sent: j, sleeps: ring.sleeps });
}

function echo(req: SpscRing, rep: SpscRing, count: number): void {
  const rw = req.words;
  const pw = rep.words;
  const sw = req.slotWords;
  for (let k = 0; k < count; k++) {
    if (req.waitAvailable() === 0) break;
    const o = req.readOffset(0);
    if (rep.freeSlots() === 0) rep.waitFree();
    const p = rep.writeOffset(0);
    for (let i = 0; i < sw; i++) pw[p + i] = rw[o + i]!;
    req.release(1);
    rep.publish(1);
  }
  port.postMessage({ done: true, sleeps: req.sleeps });
}

function jsPingPong(flag: Int32Array, count: number): void {
  // Main writes odd values, this side answers with the next even one.
  for (let k = 0; k < count; k++) {
    const want = 2 * k + 1;
    let v = Atomics.load(flag, 0);
    let spins = 0;
    while (v !== want) {
      if (++spins > PINGPONG_SPIN) { Atomics.wait(flag, 0, v, 10); spins = 0; }
      v = Atomics.load(flag, 0);
    }
    Atomics.store(flag, 0, want + 1);
    Atomics.notify(flag, 0);
  }
  port.postMessage({ done: true });
}

if (d.delayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, d.delayMs);
switch (d.mode) {
  case 'sink': sink(attach(d.ring!), d.count); break;
  case 'source': source(attach(d.ring!), d.count, d.batch ?? 1); break;
  case 'echo': echo(attach(d.ring!), attach(d.reply!), d.count); break;
  case 'js-pingpong': jsPingPong(new Int32Array(d.flag!), d.count); break;
  case 'bkl-floor': {
    const a = new Int32Array(d.flag!);
    const mode = d.lockMode ?? LockMode.SHARED;
    const pair0 = new BklPair(a, 0, mode);
    if (d.pairs === 2) bklFloorCore(new BklPair(a, 1, mode), pair0, 1, d.count);
    else bklFloorServer(pair0, 1, d.count);
    port.postMessage({ done: true });
    break;
  }
}
