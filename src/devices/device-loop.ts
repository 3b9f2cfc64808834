/**
 * The event loop of a device model running in its own worker, like real
 * hardware: apply posted register writes, do the work they started (queues,
 * command lists), and when idle spin briefly before sleeping.
 *
 * Why spin then sleep: a cross-worker wake-up through Atomics.wait/notify costs
 * 4-65 µs here, against 0.5 µs for a spinning partner (REFERENCE.md). A device
 * that just finished work is likely to get the next doorbell soon, so it spins
 * for a bounded time (by the clock, not an iteration count: 100 iterations is
 * far too short), then sets SLEEPING and blocks so idle devices use no CPU.
 * Never more spinners than cores: the spin is bounded, and each device has one
 * thread.
 */
import type { MmioRegion, SyncDevice } from './mmio.js';

export interface DeviceLoopOptions {
  /** How long to spin after the last work before sleeping (µs). */
  spinUs: number;
}

export const DEFAULT_SPIN_US = 50;

/**
 * Runs until the region's stop request arrives. The spin time adapts: it
 * doubles (up to opts.spinUs) when a write arrives while spinning and halves
 * (down to 2 µs) when the device had to sleep, so a device whose driver
 * answers quickly stays hot, and one on an oversubscribed machine stops
 * stealing its driver's CPU.
 */
export function runDeviceLoop(region: MmioRegion, dev: SyncDevice, opts: DeviceLoopOptions): void {
  const maxMs = opts.spinUs / 1000;
  let spinMs = maxMs;
  for (;;) {
    const applied = region.drain(dev);
    if (region.stopped) return;
    const worked = dev.poll();
    if (applied !== 0 || worked) continue;
    // Idle: spin on the ring head for a bounded time, checking the clock
    // every 64 probes so the probe itself stays cheap.
    const until = performance.now() + spinMs;
    let woke = false;
    while (!woke) {
      for (let i = 0; i < 64; i++) {
        if (region.hasPosted()) {
          woke = true;
          break;
        }
      }
      if (!woke && performance.now() > until) break;
    }
    if (woke) {
      spinMs = Math.min(maxMs, spinMs * 2);
    } else {
      spinMs = Math.max(0.002, spinMs / 2);
      region.sleep(1000);
    }
  }
}
