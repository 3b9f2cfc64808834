/**
 * A lock-free single-producer/single-consumer ring of fixed-size slots in a
 * SharedArrayBuffer: the cross-worker half of the IPC fastpath (a message to
 * a thread on another core, or to a host-side task such as the executive or
 * a driver worker).
 *
 *   header (256 bytes, one 64-byte cache line per hot word):
 *     word  0  head  — slots published (the producer's plain store; read only
 *              when a side attaches and for diagnostics, never polled)
 *     word  8  capacity, word 9 slot payload words, word 10 slot stride
 *              (read-only after creation)
 *     word 16  tail  — slots consumed, written only by the consumer
 *     word 32  consumer sleeping: 0, or which slot it sleeps on
 *     word 48  producer sleeping flag (ring full)
 *     word 56  closed flag
 *   slots: capacity x stride int32 words; word 0 of a slot is its sequence
 *   word, the payload follows it (in the same cache line up to 15 words: the
 *   stride is slotWords + 1 rounded up to whole 64-byte lines).
 *
 * One cache line per message. A message is published by the sequence word
 * of its slot, in the line its payload is in (Vyukov's bounded queue, SPSC
 * case): the consumer polls that word, so the one line transfer that brings
 * the "published" news brings the payload with it. Before, the consumer
 * polled head (one line written by the other side) and then read the slot
 * (a second one): ring round trips were ~2.7x the one-word JS ping-pong
 * (docs/kernel.md). The producer knows the consumer's tail only through a
 * cached copy, refreshed only when that copy says the ring is full; the
 * consumer's tail store goes to a line the producer reads once a lap.
 *
 * A batch of n slots is published with one Atomics.store: the producer
 * writes the payloads and the sequence words of slots 2..n with plain
 * stores and then Atomics.store's the first slot's sequence word (its
 * sequentially consistent store orders everything before it). Every slot of
 * the batch carries the batch's end position e (free-running 32-bit counter),
 * so the consumer, at position p with nothing cached, reads the sequence
 * word of slot p: (e - p) | 0 > 0 says n = e - p slots are ready. A stale
 * word (last lap's, or the creation value `start`) is at most p, never
 * ahead of it: every position is rewritten every lap and a batch is at most
 * a lap long. The consumer only reads the sequence words of batch starts
 * (its cached end of the last batch is where the next one starts).
 *
 * Waiting: the consumer polls that sequence word for at most `spinUs`
 * microseconds of wall time (SpinPolicy, adaptive: the budget shrinks when
 * spinning out only delayed a partner that needed this host core, and
 * grows when spins catch their messages; it reads the clock once per 64
 * polls). A budget in iterations measured nothing stable: 20,000
 * loads were 0.1 ms on an idle host and 0.6 ms on a loaded one, long enough
 * to hold the very core the partner waited for (ring round trips of
 * 340 µs); 100 is far too short (REFERENCE.md: a missed hand-off costs a
 * 60 µs sleep). Only then does it set its sleeping flag, re-check the
 * sequence word and Atomics.wait() on it (the producer's next batch starts
 * exactly there: the ring is empty). The producer, after publishing, pays
 * Atomics.notify only when that flag is set, and takes the flag (back to
 * 0) so a sleep costs one notify however many messages are published
 * while the consumer wakes up (a sleeper sets it again before each wait).
 * The flag names the position slept on, and only the publish of the batch
 * starting there takes it (compare-exchange): a producer still finishing
 * the batch before, whose store the sleeper has already seen, must not
 * take the flag of a sleep on a word that its publish does not change (a
 * first version did, and lost wake-ups: the sleeper waited out its 1 s
 * timeout, single-message throughput fell to 0.3 M msg/s). Both sides'
 * accesses are sequentially consistent, so either the consumer's re-check
 * sees the new sequence word or the producer sees the flag: no lost
 * wake-up. A full ring makes the producer wait the same way on tail.
 *
 * A SpinGate (a shared counter) can bound how many threads spin at once
 * across the machine: more spinners than host cores stall whole time
 * slices, so a waiter that cannot enter the gate goes straight to sleep.
 *
 * Attach both sides (`new SpscRing(sab)`) before the first message: each
 * side's position is read from the header when it attaches.
 */

import { SpinPolicy } from '../machine/spin-policy.js';

export const RING_HEAD = 0;
export const RING_CAPACITY = 8;
export const RING_SLOT_WORDS = 9;
export const RING_STRIDE = 10;
export const RING_TAIL = 16;
/** 0: the consumer is awake; else (position << 1) | 1 of the slot whose sequence word it sleeps on. */
export const RING_CONSUMER_SLEEPING = 32;
export const RING_PRODUCER_SLEEPING = 48;
export const RING_CLOSED = 56;
export const RING_HEADER_WORDS = 64;
/** Words per cache line: a slot's stride is a whole number of them. */
const LINE_WORDS = 16;

/** Default longest spin before sleeping (µs): covers a running partner's answer, not a host time slice. */
export const DEFAULT_SPIN_US = 100;

/** The consumer-sleeping word for a sleep on position `pos` (odd, never 0; live positions differ by far less than 2^31). */
export const sleepWord = (pos: number): number => ((pos << 1) | 1);

/** A machine-wide bound on spinning threads (one int32 in a SAB). */
export class SpinGate {
  readonly sab: SharedArrayBuffer;
  private readonly w: Int32Array;
  constructor(readonly limit: number, sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(64);
    this.w = new Int32Array(this.sab);
  }
  tryEnter(): boolean {
    if (Atomics.add(this.w, 0, 1) < this.limit) return true;
    Atomics.sub(this.w, 0, 1);
    return false;
  }
  exit(): void {
    Atomics.sub(this.w, 0, 1);
  }
  get spinning(): number {
    return Atomics.load(this.w, 0);
  }
}

export class SpscRing {
  readonly sab: SharedArrayBuffer;
  /** Header and slots; slot payloads are at `writeOffset`/`readOffset` indices. */
  readonly words: Int32Array;
  readonly capacity: number;
  /** Payload words per slot. */
  readonly slotWords: number;
  /** Words from one slot's sequence word to the next one's. */
  readonly stride: number;
  private readonly mask: number;
  // Producer-side private state.
  private head: number;
  private tailCache: number;
  // Consumer-side private state.
  private tail: number;
  /** End of the batch the consumer is in (== tail: nothing known to be ready). */
  private headCache: number;
  /** How often this side went to sleep (consumer: empty ring; producer: full ring). */
  sleeps = 0;
  gate: SpinGate | null = null;
  /** How long this side spins before sleeping (consumer: empty ring; producer: full ring). */
  private consumerSpin = new SpinPolicy(DEFAULT_SPIN_US);
  private producerSpin = new SpinPolicy(DEFAULT_SPIN_US);

  /**
   * A new ring of `capacity` (a power of two) slots of `slotWords` payload
   * words; `start` is the counters' first value (tests start near 2^31 and
   * 2^32 to cross the wrap-arounds).
   */
  static create(capacity: number, slotWords: number, start = 0): SpscRing {
    if (!(capacity >= 2 && (capacity & (capacity - 1)) === 0 && capacity <= 1 << 20)) throw new RangeError('ring capacity must be a power of two in 2..2^20');
    if (!(slotWords >= 1 && slotWords <= 1024)) throw new RangeError('slot size must be 1..1024 words');
    const stride = Math.ceil((slotWords + 1) / LINE_WORDS) * LINE_WORDS;
    const sab = new SharedArrayBuffer((RING_HEADER_WORDS + capacity * stride) * 4);
    const w = new Int32Array(sab);
    w[RING_CAPACITY] = capacity;
    w[RING_SLOT_WORDS] = slotWords;
    w[RING_STRIDE] = stride;
    w[RING_HEAD] = start | 0;
    w[RING_TAIL] = start | 0;
    // No position of the first lap is ahead of `start`: every slot reads as not yet published.
    for (let i = 0; i < capacity; i++) w[RING_HEADER_WORDS + i * stride] = start | 0;
    return new SpscRing(sab);
  }

  /** Attaches to a ring made by `create` (in any worker). */
  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.words = new Int32Array(sab);
    this.capacity = this.words[RING_CAPACITY]!;
    this.slotWords = this.words[RING_SLOT_WORDS]!;
    this.stride = this.words[RING_STRIDE]!;
    if (!(this.capacity >= 2) || !(this.stride > this.slotWords)) throw new Error('not a ring (use SpscRing.create)');
    this.mask = this.capacity - 1;
    this.head = Atomics.load(this.words, RING_HEAD);
    this.tail = Atomics.load(this.words, RING_TAIL);
    this.tailCache = this.tail;
    this.headCache = this.tail;
  }

  /** Sets both sides' longest and shortest spin before sleeping (µs; 0: sleep at once). */
  setSpinUs(maxUs: number, minUs = 2): void {
    this.consumerSpin = new SpinPolicy(maxUs, Math.min(minUs, maxUs));
    this.producerSpin = new SpinPolicy(maxUs, Math.min(minUs, maxUs));
  }

  /** Word index of the sequence word of the slot at position `pos`. */
  private seqIndex(pos: number): number {
    return RING_HEADER_WORDS + (pos & this.mask) * this.stride;
  }

  // ---- producer ------------------------------------------------------------

  /** Free slots, as far as the producer knows (refreshes its view of tail only when needed). */
  freeSlots(): number {
    let free = this.capacity - ((this.head - this.tailCache) | 0);
    if (free === 0) {
      this.tailCache = Atomics.load(this.words, RING_TAIL);
      free = this.capacity - ((this.head - this.tailCache) | 0);
    }
    return free;
  }

  /** Word index of the payload of the i-th unpublished slot after head (i < freeSlots()). */
  writeOffset(i: number): number {
    return this.seqIndex(this.head + i) + 1;
  }

  /** Publishes `n` written slots with one store; wakes a sleeping consumer. */
  publish(n: number): void {
    const w = this.words;
    const start = this.head;
    const first = this.seqIndex(start);
    const end = (start + n) | 0;
    for (let i = 1; i < n; i++) w[this.seqIndex(this.head + i)] = end;
    Atomics.store(w, first, end);
    this.head = end;
    w[RING_HEAD] = end; // diagnostics and late attachers only: nobody polls it
    // Taking the flag makes this the one notify of that sleep (the next publishes before it runs pay nothing).
    // Only a sleep on this batch's first slot is ours to take: a publisher still finishing the batch
    // before it must not take the flag of a consumer that already moved on and sleeps on this one's
    // word (that word does not change for it: the sleeper would miss its wake-up).
    const sleep = Atomics.load(w, RING_CONSUMER_SLEEPING);
    if (sleep !== 0 && sleep === sleepWord(start) && Atomics.compareExchange(w, RING_CONSUMER_SLEEPING, sleep, 0) === sleep) Atomics.notify(w, first);
  }

  /** Copies `len` words of `src` from `start` into one slot and publishes it; false if the ring is full. */
  tryPush(src: ArrayLike<number>, start = 0, len = this.slotWords): boolean {
    if (this.freeSlots() === 0) return false;
    const o = this.writeOffset(0);
    const w = this.words;
    for (let i = 0; i < len; i++) w[o + i] = src[start + i]!;
    this.publish(1);
    return true;
  }

  /** Waits (spin, then sleep) until at least one slot is free; returns the free count, 0 if closed. */
  waitFree(): number {
    let f = this.freeSlots();
    if (f !== 0) return f;
    const w = this.words;
    let spun = false;
    if (this.gate === null || this.gate.tryEnter()) {
      const got = this.producerSpin.spin(this.hasFree);
      this.gate?.exit();
      if (got) return this.capacity - ((this.head - this.tailCache) | 0);
      spun = true;
    }
    const t0 = performance.now();
    for (;;) {
      Atomics.store(w, RING_PRODUCER_SLEEPING, 1);
      const t = Atomics.load(w, RING_TAIL);
      this.tailCache = t;
      f = this.capacity - ((this.head - t) | 0);
      if (f !== 0 || Atomics.load(w, RING_CLOSED) !== 0) break;
      this.sleeps++;
      Atomics.wait(w, RING_TAIL, t, 50);
    }
    Atomics.store(w, RING_PRODUCER_SLEEPING, 0);
    if (spun) this.producerSpin.blocked(performance.now() - t0);
    return f;
  }

  /** The producer's spin probe: a slot became free (refreshes tailCache). */
  private readonly hasFree = (): boolean => {
    this.tailCache = Atomics.load(this.words, RING_TAIL);
    return ((this.head - this.tailCache) | 0) !== this.capacity;
  };

  // ---- consumer ------------------------------------------------------------

  /**
   * Messages ready to read. Reads sequence words only when the batches
   * known are used up, then every batch published since (each a slot line
   * the consumer reads next anyway).
   */
  available(): number {
    const n = (this.headCache - this.tail) | 0;
    if (n !== 0) return n;
    const w = this.words;
    let e = this.tail;
    do {
      const d = (Atomics.load(w, this.seqIndex(e)) - e) | 0;
      if (d <= 0) break;
      e = (e + d) | 0;
    } while (((e - this.tail) | 0) < this.capacity);
    this.headCache = e;
    return (e - this.tail) | 0;
  }

  /** Word index of the payload of the i-th unread slot (i < available()). */
  readOffset(i: number): number {
    return this.seqIndex(this.tail + i) + 1;
  }

  /** Releases `n` read slots with one store; wakes a producer waiting for space. */
  release(n: number): void {
    this.tail = (this.tail + n) | 0;
    const w = this.words;
    Atomics.store(w, RING_TAIL, this.tail);
    if (Atomics.load(w, RING_PRODUCER_SLEEPING) !== 0 && Atomics.exchange(w, RING_PRODUCER_SLEEPING, 0) !== 0) Atomics.notify(w, RING_TAIL);
  }

  /** Copies one message into `dst` at `start` and releases it; false if the ring is empty. */
  tryPop(dst: Int32Array, start = 0, len = this.slotWords): boolean {
    if (this.available() === 0) return false;
    const o = this.readOffset(0);
    const w = this.words;
    for (let i = 0; i < len; i++) dst[start + i] = w[o + i]!;
    this.release(1);
    return true;
  }

  /**
   * Waits until a message is available: spins, then sleeps with the
   * sleeping flag set (see the header). Returns the number available, or 0
   * if the ring was closed or `timeoutMs` passed.
   */
  waitAvailable(timeoutMs = Infinity): number {
    let n = this.available();
    if (n !== 0) return n;
    const w = this.words;
    const at = this.seqIndex(this.tail);
    let spun = false;
    if (this.gate === null || this.gate.tryEnter()) {
      const got = this.consumerSpin.spin(this.hasMessage);
      this.gate?.exit();
      if (got) return (this.headCache - this.tail) | 0;
      spun = true;
    }
    const t0 = performance.now();
    const deadline = timeoutMs === Infinity ? Infinity : t0 + timeoutMs;
    for (;;) {
      Atomics.store(w, RING_CONSUMER_SLEEPING, sleepWord(this.tail));
      const v = Atomics.load(w, at);
      n = this.available();
      if (n !== 0 || Atomics.load(w, RING_CLOSED) !== 0) break;
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.sleeps++;
      Atomics.wait(w, at, v, Math.min(left, 1000));
    }
    Atomics.store(w, RING_CONSUMER_SLEEPING, 0);
    if (spun && n !== 0) this.consumerSpin.blocked(performance.now() - t0);
    return n;
  }

  /** The consumer's spin probe: a message was published (refreshes headCache). */
  private readonly hasMessage = (): boolean => this.available() !== 0;

  // ---- both ----------------------------------------------------------------

  /** Marks the ring closed and wakes both sides. */
  close(): void {
    const w = this.words;
    Atomics.store(w, RING_CLOSED, 1);
    const sleep = Atomics.load(w, RING_CONSUMER_SLEEPING);
    if (sleep !== 0) Atomics.notify(w, this.seqIndex(sleep >>> 1));
    Atomics.notify(w, RING_TAIL);
  }
  get closed(): boolean {
    return Atomics.load(this.words, RING_CLOSED) !== 0;
  }
}
