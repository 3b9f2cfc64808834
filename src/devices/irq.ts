/**
 * The interrupt fabric: where device interrupts land.
 *
 * 256 interrupt vectors, each a pending counter in a SharedArrayBuffer. A
 * device raises a vector (MSI/MSI-X: the vector is the low byte of the message
 * data; INTx: the legacy line's vector, 0x20 + Interrupt Line) by adding to its
 * counter; a consumer (the kernel's IRQ handler objects later, the test
 * harness now) takes the count with an atomic exchange. A consumer that wants
 * to block sets the vector's WAITING flag, and the device notifies only then,
 * so an interrupt into a busy consumer costs no syscall.
 *
 * INTx lines are level-triggered: the line word holds the level, and a rising
 * edge also raises the line's vector.
 */

import { SpinPolicy } from '../machine/spin-policy.js';

export const IRQ_VECTORS = 256;
export const INTX_LINES = 24;
/** Vector a legacy line is routed to (as a PIC-style remap would). */
export const INTX_VECTOR_BASE = 0x20;
/** The MSI address window: messages to 0xFEExxxxx are interrupts. */
export const MSI_ADDRESS_BASE = 0xfee00000;

const O_PENDING = 0; // [256] pending counts
const O_WAITING = 256; // [256] a consumer is (about to be) blocked on this vector
const O_LINES = 512; // [24] INTx line levels
const O_STRAY = 536; // messages to addresses outside the MSI window
const WORDS = 544;

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
    Atomics.add(this.w, O_PENDING + v, 1);
    if (Atomics.load(this.w, O_WAITING + v) !== 0) Atomics.notify(this.w, O_PENDING + v);
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
    return Atomics.load(this.w, O_PENDING + (vector & 0xff));
  }

  /** Takes (and clears) a vector's pending count. */
  take(vector: number): number {
    return Atomics.exchange(this.w, O_PENDING + (vector & 0xff), 0);
  }

  /** Messages that were not interrupts (bad MSI address): a driver bug shows here. */
  get strayMessages(): number {
    return Atomics.load(this.w, O_STRAY);
  }

  /**
   * How long wait() spins before blocking: adaptive, see SpinPolicy. Probing
   * for long events keeps a 1 MiB command (~120 µs) from paying a wake-up.
   */
  private readonly spinPolicy = new SpinPolicy(200, 2, { probeLongEvents: true });
  /** The word wait() spins on, and its probe (one closure, not one per wait). */
  private spinWord = 0;
  private readonly spinReady = (): boolean => Atomics.load(this.w, this.spinWord) !== 0;

  /**
   * Waits until `vector` is pending, then takes it. Spins first (adaptively;
   * `spin = false` blocks at once), then blocks. Returns the count taken, or
   * 0 on timeout.
   */
  wait(vector: number, timeoutMs: number, spin = true): number {
    const w = this.w;
    const p = O_PENDING + (vector & 0xff);
    if (Atomics.load(w, p) !== 0) return Atomics.exchange(w, p, 0);
    this.spinWord = p;
    if (spin && this.spinPolicy.spin(this.spinReady)) return Atomics.exchange(w, p, 0);
    const t0 = performance.now();
    try {
      return this.block(vector, timeoutMs);
    } finally {
      if (spin) this.spinPolicy.blocked(performance.now() - t0);
    }
  }

  private block(vector: number, timeoutMs: number): number {
    const w = this.w;
    const p = O_PENDING + (vector & 0xff);
    const deadline = Date.now() + timeoutMs;
    Atomics.store(w, O_WAITING + (vector & 0xff), 1);
    try {
      for (;;) {
        if (Atomics.load(w, p) !== 0) return Atomics.exchange(w, p, 0);
        const left = deadline - Date.now();
        if (left <= 0) return 0;
        Atomics.wait(w, p, 0, left);
      }
    } finally {
      Atomics.store(w, O_WAITING + (vector & 0xff), 0);
    }
  }
}
