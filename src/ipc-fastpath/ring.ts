/**
 * A lock-free single-producer/single-consumer ring of fixed-size slots in a
 * SharedArrayBuffer: the cross-worker half of the IPC fastpath (a message to
 * a thread on another core, or to a host-side task such as the executive or
 * a driver worker).
 *
 *   header (256 bytes, one 64-byte cache line per hot word):
 *     word  0  head  — slots published, written only by the producer
 *     word  8  capacity, word 9 slot words (read-only after creation)
 *     word 16  tail  — slots consumed, written only by the consumer
 *     word 32  consumer sleeping flag
 *     word 48  producer sleeping flag (ring full)
 *     word 56  closed flag
 *   slots: capacity x slotWords int32 words
 *
 * Head and tail are free-running 32-bit counters; (head - tail) | 0 is the
 * fill level. Payloads are written and read with plain typed-array
 * accesses; one Atomics.store of head publishes a message or a whole batch
 * (its sequentially consistent store orders the payload writes before it),
 * one Atomics.store of tail releases consumed slots.
 *
 * Waiting: the consumer polls Atomics.load(head) for at most `spinUs`
 * microseconds of wall time (SpinPolicy, adaptive: the budget shrinks when
 * spinning out only delayed a partner that needed this host core, and
 * grows when spins catch their messages). A budget in iterations measured
 * nothing stable: 20,000 loads were 0.1 ms on an idle host and 0.6 ms on a
 * loaded one, long enough to hold the very core the partner waited for
 * (ring round trips of 340 µs); 100 is far too short (REFERENCE.md: a
 * missed hand-off costs a 60 µs sleep). Only then does it set its sleeping
 * flag, re-check head and Atomics.wait() on the head word. The producer,
 * after publishing, pays Atomics.notify only when that flag is set, and
 * takes the flag (exchange to 0) so a sleep costs one notify however many
 * messages are published while the consumer wakes up (a sleeper sets it
 * again before each wait). Both
 * sides' accesses are sequentially consistent, so either the consumer's
 * re-check sees the new head or the producer sees the flag: no lost
 * wake-up. A full ring makes the producer wait the same way on tail.
 *
 * A SpinGate (a shared counter) can bound how many threads spin at once
 * across the machine: more spinners than host cores stall whole time
 * slices, so a waiter that cannot enter the gate goes straight to sleep.
 */

import { SpinPolicy } from '../machine/spin-policy.js';

export const RING_HEAD = 0;
export const RING_CAPACITY = 8;
export const RING_SLOT_WORDS = 9;
export const RING_TAIL = 16;
export const RING_CONSUMER_SLEEPING = 32;
export const RING_PRODUCER_SLEEPING = 48;
export const RING_CLOSED = 56;
export const RING_HEADER_WORDS = 64;

/** Default longest spin before sleeping (µs): covers a running partner's answer, not a host time slice. */
export const DEFAULT_SPIN_US = 100;

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
  /** Header and slots; slot payloads are at `slotOffset` indices. */
  readonly words: Int32Array;
  readonly capacity: number;
  readonly slotWords: number;
  private readonly mask: number;
  // Producer-side private state.
  private head: number;
  private tailCache: number;
  // Consumer-side private state.
  private tail: number;
  private headCache: number;
  /** How often this side went to sleep (consumer: empty ring; producer: full ring). */
  sleeps = 0;
  gate: SpinGate | null = null;
  /** How long this side spins before sleeping (consumer: empty ring; producer: full ring). */
  private consumerSpin = new SpinPolicy(DEFAULT_SPIN_US);
  private producerSpin = new SpinPolicy(DEFAULT_SPIN_US);

  /** A new ring of `capacity` (a power of two) slots of `slotWords` words. */
  static create(capacity: number, slotWords: number): SpscRing {
    if (!(capacity >= 2 && (capacity & (capacity - 1)) === 0 && capacity <= 1 << 20)) throw new RangeError('ring capacity must be a power of two in 2..2^20');
    if (!(slotWords >= 1 && slotWords <= 1024)) throw new RangeError('slot size must be 1..1024 words');
    const sab = new SharedArrayBuffer((RING_HEADER_WORDS + capacity * slotWords) * 4);
    const w = new Int32Array(sab);
    w[RING_CAPACITY] = capacity;
    w[RING_SLOT_WORDS] = slotWords;
    return new SpscRing(sab);
  }

  /** Attaches to a ring made by `create` (in any worker). */
  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.words = new Int32Array(sab);
    this.capacity = this.words[RING_CAPACITY]!;
    this.slotWords = this.words[RING_SLOT_WORDS]!;
    if (!(this.capacity >= 2)) throw new Error('not a ring (use SpscRing.create)');
    this.mask = this.capacity - 1;
    this.head = Atomics.load(this.words, RING_HEAD);
    this.tail = Atomics.load(this.words, RING_TAIL);
    this.tailCache = this.tail;
    this.headCache = this.head;
  }

  /** Sets both sides' longest and shortest spin before sleeping (µs; 0: sleep at once). */
  setSpinUs(maxUs: number, minUs = 2): void {
    this.consumerSpin = new SpinPolicy(maxUs, Math.min(minUs, maxUs));
    this.producerSpin = new SpinPolicy(maxUs, Math.min(minUs, maxUs));
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

  /** Word index of the i-th unpublished slot after head (i < freeSlots()). */
  writeOffset(i: number): number {
    return RING_HEADER_WORDS + ((this.head + i) & this.mask) * this.slotWords;
  }

  /** Publishes `n` written slots with one store; wakes a sleeping consumer. */
  publish(n: number): void {
    this.head = (this.head + n) | 0;
    const w = this.words;
    Atomics.store(w, RING_HEAD, this.head);
    // Taking the flag makes this the one notify of that sleep (the next publishes before it runs pay nothing).
    if (Atomics.load(w, RING_CONSUMER_SLEEPING) !== 0 && Atomics.exchange(w, RING_CONSUMER_SLEEPING, 0) !== 0) Atomics.notify(w, RING_HEAD);
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

  /** Messages ready to read (refreshes the consumer's view of head only when needed). */
  available(): number {
    let n = (this.headCache - this.tail) | 0;
    if (n === 0) {
      this.headCache = Atomics.load(this.words, RING_HEAD);
      n = (this.headCache - this.tail) | 0;
    }
    return n;
  }

  /** Word index of the i-th unread slot (i < available()). */
  readOffset(i: number): number {
    return RING_HEADER_WORDS + ((this.tail + i) & this.mask) * this.slotWords;
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
   * Waits until a message is available: spins (see the header), then
   * sleeps with the sleeping flag set. Returns the number available, or 0
   * if the ring was closed or `timeoutMs` passed.
   */
  waitAvailable(timeoutMs = Infinity): number {
    let n = this.available();
    if (n !== 0) return n;
    const w = this.words;
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
      Atomics.store(w, RING_CONSUMER_SLEEPING, 1);
      const h = Atomics.load(w, RING_HEAD);
      this.headCache = h;
      n = (h - this.tail) | 0;
      if (n !== 0 || Atomics.load(w, RING_CLOSED) !== 0) break;
      const left = deadline - performance.now();
      if (left <= 0) break;
      this.sleeps++;
      Atomics.wait(w, RING_HEAD, h, Math.min(left, 1000));
    }
    Atomics.store(w, RING_CONSUMER_SLEEPING, 0);
    if (spun && n !== 0) this.consumerSpin.blocked(performance.now() - t0);
    return n;
  }

  /** The consumer's spin probe: a message was published (refreshes headCache). */
  private readonly hasMessage = (): boolean => {
    this.headCache = Atomics.load(this.words, RING_HEAD);
    return ((this.headCache - this.tail) | 0) !== 0;
  };

  // ---- both ----------------------------------------------------------------

  /** Marks the ring closed and wakes both sides. */
  close(): void {
    Atomics.store(this.words, RING_CLOSED, 1);
    Atomics.notify(this.words, RING_HEAD);
    Atomics.notify(this.words, RING_TAIL);
  }
  get closed(): boolean {
    return Atomics.load(this.words, RING_CLOSED) !== 0;
  }
}
