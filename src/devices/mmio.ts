/**
 * An MMIO region: a device's register file in a SharedArrayBuffer, plus a
 * posted-write ring that carries register writes to the device model.
 *
 * Why a ring and not plain stores: many registers have side effects (NVMe
 * CC.EN, doorbells, AHCI write-1-to-clear status, PxCI) and their order
 * matters (a driver writes ASQ, ACQ, AQA and only then CC.EN). So a write from
 * any thread is *posted*: a record (dword index, value, byte enables) goes into
 * a bounded multi-producer ring (sequence-numbered slots), and the device
 * applies records in order. Reads come straight from the register file,
 * which only the device writes; like PCI, a read is not allowed to pass posted
 * writes, so a read first waits until the device has applied every write
 * posted so far (cheap when the ring is empty: two atomic loads).
 *
 * Waking the device costs an Atomics.notify only when its worker sleeps: the
 * device spins for a while after work (see device-loop.ts), then sets
 * SLEEPING and waits on the HEAD word; a producer notifies only if it sees
 * SLEEPING set. Sequential consistency of Atomics makes this race free: either
 * the producer sees SLEEPING or the device sees HEAD move.
 *
 * The consumer never writes a slot. A producer publishes record `idx` by
 * storing idx + 1 in its slot's sequence word (a value no earlier lap left
 * there), and knows the slot is free once the consumer's TAIL has passed
 * idx - RING_SLOTS. It rereads TAIL only when its cached copy says the ring
 * may be full, so a posted write moves one cache line to the device (the
 * slot) instead of bouncing it back and forth: a Vyukov ring, where the
 * consumer frees each slot with a store, made the slot line change cores
 * three times per write and stalled the device on that store.
 *
 * In-thread mode (unit tests, a device driven synchronously): attachSync()
 * makes every write apply at once in the writer's thread.
 */

/** What a device model implements to receive posted writes. */
export interface MmioWriteSink {
  /** Apply one write: 32-bit register index, value, and byte enables (0xF = whole dword). */
  mmioWrite(dword: number, value: number, byteMask: number): void;
}

/** A device that can also be serviced synchronously (in-thread mode). */
export interface SyncDevice extends MmioWriteSink {
  /** Do pending work (queues, commands); true when something was done. */
  poll(): boolean;
}

const RING_SLOTS = 256; // power of two
const RING_MASK = RING_SLOTS - 1;
// Control words, each on its own 64-byte line so producers and the consumer
// don't false-share.
const C_HEAD = 0; // producers' reservation counter (int32, wraps)
const C_TAIL = 16; // next record the consumer reads (producers read it only when the ring may be full)
const C_DONE = 32; // writes applied so far (readers wait on this)
const C_SLEEPING = 48; // device worker is in Atomics.wait
const C_READER_WAITING = 64; // a reader waits for DONE to catch up
const C_STOPPED = 80; // device loop asked to stop
const RING_BASE = 128; // int32 index of slot 0: [seq, dword, value, mask]
const CTL_BYTES = 4096 + RING_SLOTS * 16; // header page + ring, page aligned
const STOP_DWORD = -1;

/** How long a reader waits for a silent device before declaring it dead. */
const READ_TIMEOUT_MS = 5000;

export class MmioRegion {
  readonly sab: SharedArrayBuffer;
  /** Size of the register file in bytes (the BAR size). */
  readonly size: number;
  /** Control words and the write ring. */
  private readonly ctl: Int32Array;
  /** The register file as the device sees it (the device writes it directly). */
  readonly regs: Int32Array;
  readonly regsU32: Uint32Array;
  private sync: SyncDevice | null = null;
  /**
   * Producer side: a TAIL value seen earlier (TAIL only grows, so it is a
   * safe lower bound). Records below tailSeen + RING_SLOTS have free slots.
   */
  private tailSeen = 0;

  private constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.size = sab.byteLength - CTL_BYTES;
    this.ctl = new Int32Array(sab, 0, CTL_BYTES >> 2);
    this.regs = new Int32Array(sab, CTL_BYTES, this.size >> 2);
    this.regsU32 = new Uint32Array(sab, CTL_BYTES, this.size >> 2);
    this.tailSeen = Atomics.load(this.ctl, C_TAIL);
  }

  /** A new region with a register file of `size` bytes (a multiple of 4 KiB). */
  static create(size: number): MmioRegion {
    if (size <= 0 || size % 4096 !== 0) throw new RangeError(`MMIO region size must be a multiple of 4 KiB (got ${size})`);
    const r = new MmioRegion(new SharedArrayBuffer(CTL_BYTES + size));
    for (let i = 0; i < RING_SLOTS; i++) r.ctl[RING_BASE + i * 4] = i;
    return r;
  }

  /** Wraps a region created elsewhere (another worker). */
  static attach(sab: SharedArrayBuffer): MmioRegion {
    return new MmioRegion(sab);
  }

  /** In-thread mode: writes are applied, and the device polled, in the writer's thread. */
  attachSync(dev: SyncDevice): void {
    this.sync = dev;
  }

  // ---- producer side (driver / CPU worker) ----

  /** Posts a write of `width` (1, 2 or 4) bytes at byte offset `off`. */
  write(off: number, width: 1 | 2 | 4, value: number): void {
    const shift = (off & 3) << 3;
    const mask = width === 4 ? 0xf : (width === 2 ? 0x3 : 0x1) << (off & 3);
    this.post(off >>> 2, width === 4 ? value | 0 : (value << shift) | 0, mask);
  }

  write32(off: number, value: number): void {
    this.post(off >>> 2, value | 0, 0xf);
  }

  /** A 64-bit register written as two dwords, low first (NVMe permits this for ASQ/ACQ). */
  write64(off: number, value: bigint | number): void {
    const v = BigInt(value);
    this.post(off >>> 2, Number(v & 0xffffffffn) | 0, 0xf);
    this.post((off >>> 2) + 1, Number((v >> 32n) & 0xffffffffn) | 0, 0xf);
  }

  /**
   * Two dword writes posted in order with one ring reservation. The device
   * sees both at once (the second is published first), and when their
   * slots share a cache line the driver takes that line from the spinning
   * device once instead of twice. Used for acknowledgements that always come
   * in pairs (AHCI PxIS, then IS).
   */
  write32Pair(off1: number, value1: number, off2: number, value2: number): void {
    const idx = this.reserve(2);
    this.fill(idx, off1 >>> 2, value1 | 0, 0xf);
    this.fill((idx + 1) | 0, off2 >>> 2, value2 | 0, 0xf);
    const ctl = this.ctl;
    Atomics.store(ctl, RING_BASE + ((idx + 1) & RING_MASK) * 4, (idx + 2) | 0);
    Atomics.store(ctl, RING_BASE + (idx & RING_MASK) * 4, (idx + 1) | 0);
    this.kick();
  }

  private post(dword: number, value: number, mask: number): void {
    const idx = this.reserve(1);
    this.fill(idx, dword, value, mask);
    Atomics.store(this.ctl, RING_BASE + (idx & RING_MASK) * 4, (idx + 1) | 0); // publish
    this.kick();
  }

  /** Reserves `n` consecutive records; returns the first index once their slots are free. */
  private reserve(n: number): number {
    const ctl = this.ctl;
    const idx = Atomics.add(ctl, C_HEAD, n);
    const last = (idx + n - 1) | 0;
    // Ring full (the device is 256 writes behind): wait until the consumer
    // has read the record that last used our slot. (int32 differences, so
    // the counters may wrap.)
    const ahead = (last - this.tailSeen) | 0;
    if (ahead < 0 || ahead >= RING_SLOTS) {
      // (Negative: a copy so stale that the counters wrapped past it.)
      for (;;) {
        const tail = Atomics.load(ctl, C_TAIL);
        this.tailSeen = tail;
        if (((last - tail) | 0) < RING_SLOTS) break;
        Atomics.wait(ctl, C_TAIL, tail, 0.05);
      }
    }
    return idx;
  }

  private fill(idx: number, dword: number, value: number, mask: number): void {
    const ctl = this.ctl;
    const s = RING_BASE + (idx & RING_MASK) * 4;
    ctl[s + 1] = dword;
    ctl[s + 2] = value;
    ctl[s + 3] = mask;
  }

  /** After publishing: service an in-thread device, or wake a sleeping one. */
  private kick(): void {
    if (this.sync !== null) {
      this.serviceSync();
    } else if (Atomics.load(this.ctl, C_SLEEPING) !== 0) {
      Atomics.notify(this.ctl, C_HEAD, 1);
    }
  }

  private serviceSync(): void {
    const dev = this.sync!;
    this.drain(dev);
    while (dev.poll()) this.drain(dev);
  }

  /** Asks the device loop to exit (used before terminating its worker). */
  requestStop(): void {
    this.post(STOP_DWORD, 0, 0);
  }

  /** Reads `width` bytes at byte offset `off` (after every posted write has been applied). */
  read(off: number, width: 1 | 2 | 4): number {
    const v = this.read32(off & ~3) >>> ((off & 3) << 3);
    return width === 4 ? v >>> 0 : width === 2 ? v & 0xffff : v & 0xff;
  }

  read32(off: number): number {
    this.flushPosted();
    return Atomics.load(this.regsU32, off >>> 2);
  }

  /** A 64-bit register as a bigint (read as two dwords, low first). */
  read64(off: number): bigint {
    const lo = this.read32(off);
    const hi = this.read32(off + 4);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Waits until the device has applied every posted write (PCI: reads don't pass posted writes). */
  private flushPosted(): void {
    const ctl = this.ctl;
    const head = Atomics.load(ctl, C_HEAD);
    if (Atomics.load(ctl, C_DONE) === head) return;
    if (Atomics.load(ctl, C_STOPPED) !== 0) return; // a stopped device applies nothing more
    const deadline = Date.now() + READ_TIMEOUT_MS;
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, C_DONE);
      if (((done - head) | 0) >= 0) return;
      if (spins < 2000) continue;
      Atomics.store(ctl, C_READER_WAITING, 1);
      if (Atomics.load(ctl, C_SLEEPING) !== 0) Atomics.notify(ctl, C_HEAD, 1);
      Atomics.wait(ctl, C_DONE, done, 1);
      if (Date.now() > deadline) throw new Error('MMIO read: device not responding (posted writes not applied within 5 s)');
    }
  }

  // ---- consumer side (the device model) ----

  /** Applies every published write in order; returns how many. Allocation-free. */
  drain(sink: MmioWriteSink): number {
    const ctl = this.ctl;
    let tail = ctl[C_TAIL]!;
    let n = 0;
    for (;;) {
      const s = RING_BASE + (tail & RING_MASK) * 4;
      if (Atomics.load(ctl, s) !== ((tail + 1) | 0)) break;
      const dword = ctl[s + 1]!;
      const value = ctl[s + 2]!;
      const mask = ctl[s + 3]!;
      tail = (tail + 1) | 0;
      // Frees the slot for the producer one lap ahead (see post); the slot
      // itself is left alone, its next sequence value differs anyway.
      Atomics.store(ctl, C_TAIL, tail);
      if (dword === STOP_DWORD) Atomics.store(ctl, C_STOPPED, 1);
      else if (dword < this.regs.length) sink.mmioWrite(dword, value, mask);
      n++;
    }
    if (n === 0) return 0;
    // DONE once per batch, not per record: a reader only needs DONE to reach
    // the head it saw, and each atomic store costs ~10 ns.
    Atomics.store(ctl, C_DONE, tail);
    if (Atomics.load(ctl, C_READER_WAITING) !== 0) {
      Atomics.store(ctl, C_READER_WAITING, 0);
      Atomics.notify(ctl, C_DONE);
    }
    return n;
  }

  /**
   * True when the next record in order has been published. Device side: it
   * reads only that slot's sequence word, not the producers' HEAD counter,
   * so a spinning device does not pull the HEAD line away from the driver
   * on every probe (one cross-core line transfer less per doorbell).
   */
  hasPosted(): boolean {
    const ctl = this.ctl;
    const tail = ctl[C_TAIL]!;
    return Atomics.load(ctl, RING_BASE + (tail & RING_MASK) * 4) === ((tail + 1) | 0);
  }

  get stopped(): boolean {
    return Atomics.load(this.ctl, C_STOPPED) !== 0;
  }

  /**
   * Device side: sleep until a write is posted or `timeoutMs` passes. Sets
   * SLEEPING first so producers know to notify.
   */
  sleep(timeoutMs: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, C_SLEEPING, 1);
    const tail = ctl[C_TAIL]!;
    if (Atomics.load(ctl, C_HEAD) === tail) Atomics.wait(ctl, C_HEAD, tail, timeoutMs);
    Atomics.store(ctl, C_SLEEPING, 0);
  }

  // ---- device-side register helpers (plain stores; readers use Atomics.load) ----

  get32(off: number): number {
    return this.regsU32[off >>> 2]!;
  }

  /**
   * A plain store, not Atomics.store. What publishes register values is the
   * atomic the device does next: DONE after applying posted writes (a read
   * waits for it) or the interrupt it raises (Atomics.add) after finishing a
   * command. A sequentially consistent store per register instead stalled
   * the device whenever the driver had just read that line (an AHCI command
   * updates PxCMD, PxTFD, PxCI, PxIS and IS).
   */
  set32(off: number, value: number): void {
    this.regs[off >>> 2] = value | 0;
  }
}

/** Merges a partial (byte-enabled) write into the current value of a plain register. */
export function mergeBytes(current: number, value: number, byteMask: number): number {
  if (byteMask === 0xf) return value >>> 0;
  let m = 0;
  if (byteMask & 1) m |= 0xff;
  if (byteMask & 2) m |= 0xff00;
  if (byteMask & 4) m |= 0xff0000;
  if (byteMask & 8) m |= 0xff000000;
  return ((current & ~m) | (value & m)) >>> 0;
}

/** The bit mask covered by a set of byte enables. */
export function byteMaskBits(byteMask: number): number {
  if (byteMask === 0xf) return 0xffffffff;
  return mergeBytes(0, 0xffffffff, byteMask);
}
