/**
 * Starting and stopping a device model's worker from the platform side.
 *
 * The worker receives only shared buffers and plain options (workerData); it
 * answers 'ready' once its registers hold their reset values, so nobody reads
 * a register file that is still all zeros.
 */
import { Worker } from 'node:worker_threads';
import type { MmioRegion } from './mmio.js';

export interface DeviceHandle {
  /** 'worker' (its own thread, like hardware) or 'inline' (driven synchronously). */
  readonly mode: 'worker' | 'inline';
  /** Stops the device (flushing nothing: a stop is a power cut unless the driver flushed). */
  stop(): Promise<void>;
}

export async function startDeviceWorker(url: URL, workerData: unknown, regs: MmioRegion): Promise<DeviceHandle> {
  const worker = new Worker(url, { workerData });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    worker.once('error', onError);
    worker.once('exit', (code) => reject(new Error(`device worker exited early (code ${code})`)));
    worker.once('message', (m) => {
      worker.off('error', onError);
      worker.removeAllListeners('exit');
      if (m === 'ready') resolve();
      else reject(new Error(`device worker: ${String(m)}`));
    });
  });
  worker.on('error', (e) => console.error('device worker failed:', e));
  let stopped = false;
  return {
    mode: 'worker',
    async stop() {
      if (stopped) return;
      stopped = true;
      regs.requestStop();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
