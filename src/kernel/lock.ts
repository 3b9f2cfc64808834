/**
 * The big kernel lock (seL4's SMP design: one lock around every kernel
 * entry), over a word of the kernel globals SAB.
 *
 * A futex-style mutex: 0 free, 1 held, 2 held with (possible) waiters. An
 * acquirer first spins on plain Atomics.load for a while (a kernel entry is
 * short, so the holder usually leaves before a sleep would pay off), then
 * marks the lock contended and sleeps in Atomics.wait; release wakes one
 * sleeper only when the word says someone may sleep.
 *
 * The spin budget is in load iterations (each a few ns): REFERENCE.md
 * measured that a 100-iteration spin is far too short for a cross-worker
 * hand-off, so the default is a few thousand.
 *
 * A waiter calls `onWait` every 256 spins and before each sleep: the core
 * worker answers TLB shootdowns there (shootdown.ts), since the core that
 * asks holds this lock until every answer came. That core sets the word
 * to 3 (held) so a sleeper's Atomics.wait(…, 2) ends; release therefore
 * wakes a sleeper for any value but 1.
 */
import { G_LOCK, G_LOCK_OWNER, G_LOCK_WAITERS } from './state.js';

export const DEFAULT_LOCK_SPIN = 4096;

export class BigKernelLock {
  private readonly g: Int32Array;
  /** Acquisitions that had to sleep (a named counter for contention questions). */
  slept = 0;
  /** Acquisitions that found the lock held. */
  contended = 0;
  /** Called while this waiter spins or before it sleeps (the core's TLB shootdown answer). */
  onWait: (() => void) | null = null;

  constructor(globals: SharedArrayBuffer | Int32Array, private readonly spin = DEFAULT_LOCK_SPIN) {
    this.g = globals instanceof Int32Array ? globals : new Int32Array(globals);
  }

  /** Takes the lock for `core` (blocking). */
  acquire(core: number): void {
    const g = this.g;
    if (Atomics.compareExchange(g, G_LOCK, 0, 1) !== 0) {
      this.contended++;
      let got = false;
      const onWait = this.onWait;
      for (let i = 0; i < this.spin; i++) {
        if (Atomics.load(g, G_LOCK) === 0 && Atomics.compareExchange(g, G_LOCK, 0, 1) === 0) { got = true; break; }
        if (onWait !== null && (i & 255) === 255) onWait();
      }
      if (!got) {
        this.slept++;
        Atomics.add(g, G_LOCK_WAITERS, 1);
        let c = Atomics.exchange(g, G_LOCK, 2);
        while (c !== 0) {
          if (onWait !== null) onWait();
          Atomics.wait(g, G_LOCK, 2);
          c = Atomics.exchange(g, G_LOCK, 2);
        }
        Atomics.sub(g, G_LOCK_WAITERS, 1);
      }
    }
    // A plain store: only the holder asks whether it is the owner (a worker failing with the
    // lock held, the host building objects), and its own stores it sees in program order;
    // the fence of the word's own atomics orders it for everyone else. Two atomic stores per
    // lock cycle were two full fences on every kernel entry.
    g[G_LOCK_OWNER] = core + 1;
  }

  /** Takes the lock if it is free. */
  tryAcquire(core: number): boolean {
    if (Atomics.compareExchange(this.g, G_LOCK, 0, 1) !== 0) return false;
    this.g[G_LOCK_OWNER] = core + 1;
    return true;
  }

  release(): void {
    const g = this.g;
    g[G_LOCK_OWNER] = 0; // plain (see acquire): the exchange below is the fence
    if (Atomics.exchange(g, G_LOCK, 0) !== 1) Atomics.notify(g, G_LOCK, 1);
  }

  /** The core holding the lock, or -1: exact for the calling thread's own question "is it me?". */
  owner(): number {
    return this.g[G_LOCK_OWNER]! - 1;
  }

  /** Runs `fn` under the lock. */
  with<T>(core: number, fn: () => T): T {
    this.acquire(core);
    try { return fn(); } finally { this.release(); }
  }
}
