/**
 * How long a thread spins for a cross-worker event before it blocks in
 * Atomics.wait. Used by the device loop (waiting for a register write), by
 * IrqFabric.wait (a driver waiting for an interrupt), by the SPSC rings and by
 * idle kernel cores (src/kernel/smp).
 *
 * The trade-off (REFERENCE.md): a spinning partner answers in ~0.5 µs, a
 * blocked one costs a 4-65 µs wake-up; but with more spinning threads than
 * free cores, a spinner holds the very core its partner needs and each
 * handoff waits out a time slice (milliseconds). On a shared machine both
 * happen, so the spin adapts to what it observes:
 *  - an event caught while spinning grows the spin time by a quarter (up to maxUs):
 *    uncontended, the spin grows to cover whole commands, even 1 MiB ones;
 *  - a spin that ran out, followed by an event soon after blocking (sooner
 *    than the spin itself lasted), means the partner was waiting for our
 *    core: the spin shrinks fourfold (down to minUs). Measured on the shared
 *    2-core machine with a third busy process: a 200 µs spin on both sides
 *    made every 4 KiB command take ~410 µs (each side spun out its whole
 *    budget while the other waited for the core); spinning 2 µs, ~34 µs;
 *  - a spin that ran out followed by a long block (an idle partner, or a
 *    long command) grows the spin by a quarter;
 *  - a spin that finds itself descheduled (a gap of more than PREEMPT_MS
 *    between two clock reads) stops at once and drops to minUs.
 * An earlier scheme halved the spin on every timeout; long commands then
 * drove it to ~0 and every later short command paid a wake-up.
 */

/** A gap this long between two clock reads of a tight loop means we were preempted. */
const PREEMPT_MS = 0.3;

export class SpinPolicy {
  private spinMs: number;
  private readonly minMs: number;
  private readonly maxMs: number;

  constructor(maxUs: number, minUs = 2) {
    this.maxMs = maxUs / 1000;
    this.minMs = Math.min(minUs, maxUs) / 1000;
    this.spinMs = this.maxMs;
  }

  /** Current spin time in µs (for tests and diagnostics). */
  get spinUs(): number {
    return this.spinMs * 1000;
  }

  /**
   * Probes `ready` until it returns true (→ true) or the spin time is up or
   * the thread was preempted (→ false: the caller should block). The clock is
   * read every 64 probes so the probe loop stays tight.
   */
  spin(ready: () => boolean): boolean {
    let last = performance.now();
    const until = last + this.spinMs;
    for (;;) {
      for (let i = 0; i < 64; i++) {
        if (ready()) {
          if (this.spinMs < this.maxMs) this.spinMs = Math.min(this.maxMs, this.spinMs * 1.25);
          return true;
        }
      }
      const now = performance.now();
      if (now - last > PREEMPT_MS) {
        this.spinMs = this.minMs;
        return false;
      }
      if (now >= until) return false;
      last = now;
    }
  }

  /** After a failed spin: the caller blocked for `ms` before its event came. */
  blocked(ms: number): void {
    if (ms < this.spinMs) this.spinMs = Math.max(this.minMs, this.spinMs / 4);
    else this.spinMs = Math.min(this.maxMs, this.spinMs * 1.25);
  }
}
