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
import { SpinPolicy } from '../machine/spin-policy.js';

export interface DeviceLoopOptions {
  /** How long to spin after the last work before sleeping (µs). */
  spinUs: number;
}

/** Long enough to span a driver's reap-and-resubmit between two commands. */
export const DEFAULT_SPIN_US = 200;

/**
 * Runs until the region's stop request arrives. After the last piece of work
 * the loop spins (see SpinPolicy: up to opts.spinUs, less when the machine is
 * oversubscribed), then sleeps until a write is posted.
 */
export function runDeviceLoop(region: MmioRegion, dev: SyncDevice, opts: DeviceLoopOptions): void {
  const policy = new SpinPolicy(opts.spinUs);
  const posted = (): boolean => region.hasPosted();
  for (;;) {
    const applied = region.drain(dev);
    if (region.stopped) return;
    const worked = dev.poll();
    if (applied !== 0 || worked) continue;
    if (!policy.spin(posted)) {
      const t0 = performance.now();
      region.sleep(1000);
      policy.blocked(performance.now() - t0);
    }
  }
}
