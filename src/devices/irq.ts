/**
 * The interrupt fabric: where device interrupts land.
 *
 * 256 interrupt vectors, each a pair of counters in a SharedArrayBuffer. A
 * device raises a vector (MSI/MSI-X: the vector is the low byte of the message
 * data; INTx: the legacy line's vector, 0x20 + Interrupt Line) by adding to its
 * RAISED counter; a consumer (the kernel's IRQ handler objects later, the test
 * harness now) takes what is pending (RAISED - TAKEN) by moving its TAKEN
 * counter up. Only devices write RAISED and only consumers write TAKEN, so
 * the line a device has just written moves to the consumer once, for a read;
 * an exchange on one shared counter made the consumer take it exclusive and
 * the next raise take it back. A consumer that wants to block sets the
 * vector's WAITING flag, and the device notifies only then, so an interrupt
 * into a busy consumer costs no syscall.
 *
 * INTx lines are level-triggered: the line word holds the level, and a rising
 * edge also raises the line's vector.
 */

import { SpinPolicy } from '../machine/spin-policy.js';

/** How far a driver's interrupt-wait probe may spin (µs): past a 1 MiB write's slow tail. */
const IRQ_PROBE_MAX_US = 500;

export const IRQ_VECTORS = 256;
export const INTX_LINES = 24;
/** Vector a legacy line is routed to (as a PIC-style remap would). */
export const INTX_VECTOR_BASE = 0x20;
/** The MSI address window: messages to 0xFEExxxxx are interrupts. */
export const MSI_ADDRESS_BASE = 0xfee00000;

const O_RAISED = 0; // [256] interrupts raised so far (devices add; int32, wraps)
const O_WAITING = 256; // [256] a consumer is (about to be) blocked on this vector
const O_LINES = 512; // [24] INTx line levels
const O_STRAY = 536; // messages to addresses outside the MSI window
const O_TAKEN = 544; // [256] interrupts taken so far (consumers; RAISED - TAKEN is pending)
const WORDS = 800;

export class IrqFabric {
  readonly sab: SharedArrayBuffer;
  private readonly w: Int32Array;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(WORDS * 4);
    this.w = new Int32Array(this.sab);
  }

  /** Raises a vector (edge). Allocation-free; notifies only a blocked consumer. */
  raise(vector: number): void {
    const v = vector & 0xff;
    Atomics.add(this.w, O_RAISED + v, 1);
    if (Atomics.load(this.w, O_WAITING + v) !== 0) Atomics.notify(this.w, O_RAISED + v);
  }

  /** Delivers an MSI/MSI-X message: a dword write of `data` to `address`. */
  deliverMsi(addressLo: number, data: number): void {
    if ((addressLo & 0xfff00000) >>> 0 !== MSI_ADDRESS_BASE) {
      Atomics.add(this.w, O_STRAY, 1);
      return;
    }
    this.raise(data & 0xff);
  }

  /** Sets an INTx line's level; a rising edge raises the line's vector. */
  setLine(line: number, level: boolean): void {
    const prev = Atomics.exchange(this.w, O_LINES + line, level ? 1 : 0);
    if (level && prev === 0) this.raise(INTX_VECTOR_BASE + line);
  }

  lineLevel(line: number): boolean {
    return Atomics.load(this.w, O_LINES + line) !== 0;
  }

  /** Pending count of a vector, without consuming it. */
  pending(vector: number): number {
    const v = vector & 0xff;
    return (Atomics.load(this.w, O_RAISED + v) - Atomics.load(this.w, O_TAKEN + v)) | 0;
  }

  /** Takes (and clears) a vector's pending count. Several consumers may race: each raise is taken once. */
  take(vector: number): number {
    const w = this.w;
    const v = vector & 0xff;
    for (;;) {
      const t = Atomics.load(w, O_TAKEN + v);
      const r = Atomics.load(w, O_RAISED + v);
      if (r === t) return 0;
      if (Atomics.compareExchange(w, O_TAKEN + v, t, r) === t) return (r - t) | 0;
    }
  }

  /** Messages that were not interrupts (bad MSI address): a driver bug shows here. */
  get strayMessages(): number {
    return Atomics.load(this.w, O_STRAY);
  }

  /**
   * How long wait() spins before blocking: adaptive, see SpinPolicy. Probing
   * for long events keeps a 1 MiB command (~120 µs) from paying a wake-up,
   * and a probe may go past 200 µs (IRQ_PROBE_MAX_US) so that one slow
   * command does not collapse the spin for the ones after it.
   */
  private readonly spinPolicy = new SpinPolicy(200, 2, { probeLongEvents: true, probeMaxUs: IRQ_PROBE_MAX_US });
  /** Waits of this thread that spun out and blocked (diagnostics: each costs a wake-up). */
  blockedWaits = 0;
  /** The current spin time of wait() in µs (diagnostics). */
  get waitSpinUs(): number {
    return this.spinPolicy.spinUs;
  }
  /** The word wait() spins on, the value meaning "nothing pending", and its probe (one closure, not one per wait). */
  private spinWord = 0;
  private spinIdle = 0;
  private readonly spinReady = (): boolean => Atomics.load(this.w, this.spinWord) !== this.spinIdle;

  /**
   * Waits until `vector` is pending, then takes it. Spins first (adaptively;
   * `spin = false` blocks at once), then blocks. Returns the count taken, or
   * 0 on timeout.
   */
  wait(vector: number, timeoutMs: number, spin = true): number {
    const w = this.w;
    const v = vector & 0xff;
    const taken = Atomics.load(w, O_TAKEN + v);
    if (Atomics.load(w, O_RAISED + v) !== taken) return this.take(v);
    this.spinWord = O_RAISED + v;
    this.spinIdle = taken;
    if (spin && this.spinPolicy.spin(this.spinReady)) return this.take(v);
    const t0 = performance.now();
    this.blockedWaits++;
    try {
      return this.block(vector, timeoutMs);
    } finally {
      if (spin) this.spinPolicy.blocked(performance.now() - t0);
    }
  }

  private block(vector: number, timeoutMs: number): number {
    const w = this.w;
    const v = vector & 0xff;
    const deadline = Date.now() + timeoutMs;
    Atomics.store(w, O_WAITING + v, 1);
    try {
      for (;;) {
        const taken = Atomics.load(w, O_TAKEN + v);
        if (Atomics.load(w, O_RAISED + v) !== taken) {
          const n = this.take(v);
          if (n !== 0) return n;
          continue; // another consumer took it first
        }
        const left = deadline - Date.now();
        if (left <= 0) return 0;
        Atomics.wait(w, O_RAISED + v, taken, left);
      }
    } finally {
      Atomics.store(w, O_WAITING + (vector & 0xff), 0);
    }
  }
}
