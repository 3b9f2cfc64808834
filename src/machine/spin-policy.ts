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
 *
 * `probeLongEvents` (opt-in; a driver waiting for device interrupts): "the
 * event came soon after blocking" has a second cause besides contention: an
 * event that simply takes a bit longer than the spin (a 1 MiB command, ~120 µs,
 * against a spin the rule above had cut to 30-100 µs). The fourfold shrink
 * then kept such a wait oscillating below the command time, so every 1 MiB
 * command paid a 40-90 µs wake-up (measured: 128 of 128 commands blocked).
 * The two causes differ in one way: under contention the partner runs only
 * once we block, so a longer spin never catches the event; a long event is
 * caught by a spin that covers it. So the first short block is answered by a
 * probe (spin for what the last wait took, plus a quarter, within maxUs); only
 * when the probe also times out is it contention, the spin shrinks fourfold,
 * and probing pauses for PROBE_COOLDOWN waits.
 *
 * `probeMaxUs` (opt-in, with probeLongEvents): lets a probe spin past maxUs,
 * up to probeMaxUs. Without it, a spin already at maxUs cannot probe, so one
 * event slightly longer than maxUs (a 1 MiB write whose pwrite hit a slow
 * moment) counts as contention: the spin drops fourfold and the next several
 * commands each pay a wake-up while it grows back. With it, such an event is
 * probed like any other; a probe that catches its event keeps its length
 * (events are that long), and one that fails means contention as before.
 */

/** A gap this long between two clock reads of a tight loop means we were preempted. */
const PREEMPT_MS = 0.3;
/** Waits after a failed probe before the next one (a failed probe costs one spin of up to maxUs). */
const PROBE_COOLDOWN = 32;

export interface SpinPolicyOptions {
  /** Tell "event slightly longer than the spin" from contention by probing (see above). */
  probeLongEvents?: boolean;
  /** How far past maxUs a probe may spin (default maxUs: never past it). */
  probeMaxUs?: number;
}

export class SpinPolicy {
  private spinMs: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly probeLongEvents: boolean;
  private readonly probeMaxMs: number;
  /** The current spin is a probe (see probeLongEvents). */
  private probing = false;
  /** Waits left before probing is allowed again. */
  private cooldown = 0;

  constructor(maxUs: number, minUs = 2, opts: SpinPolicyOptions = {}) {
    this.maxMs = maxUs / 1000;
    this.minMs = Math.min(minUs, maxUs) / 1000;
    this.spinMs = this.maxMs;
    this.probeLongEvents = opts.probeLongEvents ?? false;
    this.probeMaxMs = Math.max(this.maxMs, (opts.probeMaxUs ?? maxUs) / 1000);
  }

  /**
   * Wall time of the last `spin` up to its last clock read (ms): a caught
   * event adds the < 64 probes after that read, unmeasured. For counters
   * that would otherwise read the clock around the spin, on the path of
   * the event that ends it.
   */
  lastSpinMs = 0;

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
    if (this.cooldown > 0) this.cooldown--;
    const start = performance.now();
    let last = start;
    const until = last + this.spinMs;
    for (;;) {
      for (let i = 0; i < 64; i++) {
        if (ready()) {
          this.lastSpinMs = last - start;
          this.probing = false; // a probe that catches its event confirms a long event
          if (this.spinMs < this.maxMs) this.spinMs = Math.min(this.maxMs, this.spinMs * 1.25);
          return true;
        }
      }
      const now = performance.now();
      this.lastSpinMs = now - start;
      if (now - last > PREEMPT_MS) {
        this.probing = false;
        this.spinMs = this.minMs;
        return false;
      }
      if (now >= until) return false;
      last = now;
    }
  }

  /** After a failed spin: the caller blocked for `ms` before its event came. */
  blocked(ms: number): void {
    if (ms >= this.spinMs) {
      // A long block says nothing about contention: a probe pending is
      // inconclusive (the event took longer than even the probe), not failed.
      this.probing = false;
      this.spinMs = Math.min(this.maxMs, this.spinMs * 1.25);
      return;
    }
    if (this.probeLongEvents && !this.probing && this.cooldown === 0 && this.spinMs < this.probeMaxMs) {
      // Would a spin as long as this whole wait have caught it? Try once.
      this.probing = true;
      this.spinMs = Math.min(this.probeMaxMs, (this.spinMs + ms) * 1.25);
      return;
    }
    if (this.probing) {
      this.probing = false;
      this.cooldown = PROBE_COOLDOWN;
    }
    this.spinMs = Math.max(this.minMs, this.spinMs / 4);
  }
}
