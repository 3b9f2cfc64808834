/**
 * The floor of a big-kernel-lock cross-core IPC on this machine: a model,
 * in plain JS over one SAB, of the cache lines one Call + ReplyRecv round
 * trip between two cores must move when the kernel's objects are shared
 * under one lock (seL4's SMP design, and this kernel's), with no kernel or
 * guest work at all. The ipc bench runs it next to the real round trips
 * (`ipc.limit.cross-core.bkl*`).
 *
 * A pair is a client and a server on different cores. Per round trip i:
 *
 *   client (Call)       lock; the endpoint's head (the waiting server);
 *                       its TCB (affinity, then state := running); its
 *                       core's record (current := server); the endpoint
 *                       (idle) and the client's TCB (blocked); unlock;
 *                       the slot (c → s) published.
 *   server (wake)       sees the slot; lock; its core record and TCB
 *                       (written by the client) checked; unlock.
 *   server (ReplyRecv)  lock; the caller's TCB (affinity, state := running)
 *                       and core record; the endpoint (recv, head := server)
 *                       and its own TCB (blocked); unlock; the slot (s → c).
 *   client (wake)       sees the slot; lock; its record and TCB checked; unlock.
 *
 * Every one of those lines was written last by the other core, as in the
 * kernel: the lock word, the endpoint, the partner's TCB and core record,
 * the slot. What the kernel does besides (capability lookup, message
 * copy, scheduler, register load, the guest's instructions) is the
 * same-core round trip's work; the model plus that work is a lower bound
 * for any big-lock design here, whatever its code.
 *
 * Two pairs crossing (pair p's client on core p, its server on the other;
 * bench `.2pairs`) show what the one lock costs when both cores are busy:
 * with `LockMode.SHARED` both pairs take the same lock word (the big
 * lock), with `PER_PAIR` each pair its own (the best any finer locking
 * could do, since the pairs share no object), with `NONE` no lock at all.
 */

export const enum LockMode {
  SHARED = 0,
  PER_PAIR = 1,
  NONE = 2,
}

/** Word layout: lock words first (one line each), then each pair's objects, each on its own 64-byte line. */
const PAIR_BASE = 64;
const PAIR_WORDS = 1024;
const SLOTS_CS = 0; // 16 rotating slot lines client -> server: the hand-off ring's lines
const SLOTS_SC = 256; // and server -> client
const EP = 512; // [state, head]
const TCB = 528; // + 16 * side (0 client, 1 server): [state, affinity]
const CORE = 560; // + 16 * core (0, 1): [current]
export const BKL_FLOOR_WORDS = PAIR_BASE + 2 * PAIR_WORDS;

const RUNNING = 1;
const BLOCKED = 2;
const EP_IDLE = 0;
const EP_RECV = 1;

/** One pair's view of the shared words. */
export class BklPair {
  private readonly b: number;
  private readonly lockWord: number;
  /** The core the client runs on; the server runs on the other one. */
  private readonly clientCore: number;

  constructor(private readonly a: Int32Array, pair: 0 | 1, mode: LockMode) {
    this.b = PAIR_BASE + pair * PAIR_WORDS;
    this.lockWord = mode === LockMode.SHARED ? 0 : mode === LockMode.PER_PAIR ? 16 * (1 + pair) : -1;
    this.clientCore = pair;
  }

  /** Sets up the pair's objects: the server waits on the endpoint; round trip 1 comes next. */
  init(): void {
    const a = this.a;
    const b = this.b;
    a.fill(0, b, b + PAIR_WORDS);
    a[b + EP] = EP_RECV;
    a[b + EP + 1] = 1;
    a[b + TCB] = RUNNING;
    a[b + TCB + 1] = this.clientCore;
    a[b + TCB + 16] = BLOCKED;
    a[b + TCB + 17] = 1 - this.clientCore;
    a[b + CORE + 16 * this.clientCore] = 0;
    a[b + CORE + 16 * (1 - this.clientCore)] = -1;
  }

  private lock(): void {
    const a = this.a;
    const l = this.lockWord;
    if (l < 0) return;
    while (Atomics.compareExchange(a, l, 0, 1) !== 0) {
      while (Atomics.load(a, l) !== 0) { /* spin: a kernel entry is short */ }
    }
  }

  private unlock(): void {
    if (this.lockWord >= 0) Atomics.exchange(this.a, this.lockWord, 0);
  }

  /** Hands `partner` the CPU of its core, blocks `me`, and publishes round trip `i` in slot area `slots`. */
  private handOff(partner: number, me: number, slots: number, i: number): void {
    const a = this.a;
    const b = this.b;
    const pt = b + TCB + 16 * partner;
    const core = a[pt + 1]!;
    a[pt] = RUNNING;
    a[b + CORE + 16 * core] = partner;
    a[b + TCB + 16 * me] = BLOCKED;
    this.unlock();
    const s = b + slots + (i & 15) * 16;
    a[s + 1] = i;
    Atomics.store(a, s, i);
  }

  /** Has slot `i` of `slots` been published to `me`? Then the woken side's locked check of what the other wrote. */
  private woken(slots: number, i: number, me: number): boolean {
    const a = this.a;
    const b = this.b;
    const s = b + slots + (i & 15) * 16;
    if (Atomics.load(a, s) !== i) return false;
    this.lock();
    const core = a[b + TCB + 16 * me + 1]!;
    const ok = a[b + CORE + 16 * core] === me && a[b + TCB + 16 * me] === RUNNING && a[s + 1] === i;
    this.unlock();
    if (!ok) throw new Error('bkl-floor: hand-off lost');
    return true;
  }

  /** The client's Call of round trip `i`. */
  call(i: number): void {
    const a = this.a;
    const b = this.b;
    this.lock();
    if (a[b + EP] !== EP_RECV) {
      this.unlock();
      throw new Error('bkl-floor: no receiver');
    }
    const server = a[b + EP + 1]!;
    a[b + EP] = EP_IDLE;
    this.handOff(server, 0, SLOTS_CS, i);
  }

  /** Has the reply of round trip `i` reached the client? */
  replied(i: number): boolean {
    return this.woken(SLOTS_SC, i, 0);
  }

  /** If the Call of round trip `i` reached the server: it wakes and answers with ReplyRecv (true). */
  serve(i: number): boolean {
    if (!this.woken(SLOTS_CS, i, 1)) return false;
    const a = this.a;
    const b = this.b;
    this.lock();
    a[b + EP] = EP_RECV;
    a[b + EP + 1] = 1;
    this.handOff(0, 1, SLOTS_SC, i);
    return true;
  }

  /** After whole round trips: the server waits on the endpoint, the client runs on its core. */
  settled(): boolean {
    const a = this.a;
    const b = this.b;
    return a[b + EP] === EP_RECV && a[b + EP + 1] === 1 && a[b + TCB] === RUNNING && a[b + TCB + 16] === BLOCKED &&
      a[b + CORE + 16 * this.clientCore] === 0 && a[b + CORE + 16 * (1 - this.clientCore)] === 1;
  }
}

/** One pair (client on core 0): the client's side of round trips from..from+n-1. */
export function bklFloorClient(p: BklPair, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    p.call(i);
    while (!p.replied(i)) { /* the idle core's spin */ }
  }
}

/** One pair: the server's side. */
export function bklFloorServer(p: BklPair, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    while (!p.serve(i)) { /* the idle core's spin */ }
  }
}

/**
 * Two pairs crossing: core `core` runs the client of pair `core` and the
 * server of the other pair, round trips from..from+n-1 of each, switching
 * to whichever has its message (as a core with two blocked threads does).
 */
export function bklFloorCore(mine: BklPair, theirs: BklPair, from: number, n: number): void {
  const end = from + n;
  let c = from;
  let s = from;
  mine.call(c);
  while (c < end || s < end) {
    if (c < end && mine.replied(c)) {
      c++;
      if (c < end) mine.call(c);
    }
    if (s < end && theirs.serve(s)) s++;
  }
}

/** A model ready to run: core 1 is a peer worker (peer.entry.ts), core 0 the caller's thread. */
export interface BklFloorRun {
  /** The pairs' objects (two even for one pair: only pair 0 plays then). */
  readonly pairs: readonly BklPair[];
  /** Core 0's side of round trips from..from+n-1 (resolves `done` once `count` have run). */
  run(from: number, n: number): void;
  /** The peer finished its `count` round trips. */
  readonly done: Promise<void>;
  stop(): Promise<number>;
}

/**
 * Starts core 1 of the model for `count` round trips of one pair or two
 * crossing: the bench, scripts/bkl-floor.mjs and the tests all run it so.
 */
export async function startBklFloor(pairs: 1 | 2, lockMode: LockMode, count: number): Promise<BklFloorRun> {
  const { Worker } = await import('node:worker_threads');
  const a = new Int32Array(new SharedArrayBuffer(BKL_FLOOR_WORDS * 4));
  const ps = [new BklPair(a, 0, lockMode), new BklPair(a, 1, lockMode)] as const;
  for (const p of ps) p.init();
  const w = new Worker(new URL('./peer.entry.js', import.meta.url), { workerData: { mode: 'bkl-floor', flag: a.buffer, count, pairs, lockMode } });
  let ready!: () => void;
  const started = new Promise<void>((res) => { ready = res; });
  const done = new Promise<void>((res, rej) => {
    w.on('message', (m: { ready?: boolean; done?: boolean }) => (m.done === true ? res() : ready()));
    w.once('error', rej);
  });
  await Promise.race([started, done]);
  return {
    pairs: ps,
    run: (from, n) => (pairs === 2 ? bklFloorCore(ps[0], ps[1], from, n) : bklFloorClient(ps[0], from, n)),
    done,
    stop: () => w.terminate(),
  };
}
