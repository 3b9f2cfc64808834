/** Worker used by mmio.test.ts: a device whose register 1 echoes register 0 plus one. */
import { parentPort, workerData } from 'node:worker_threads';
import { MmioRegion } from '../../src/devices/mmio.js';
import { runDeviceLoop } from '../../src/devices/device-loop.js';

const r = MmioRegion.attach(workerData as SharedArrayBuffer);
parentPort!.postMessage('ready');
runDeviceLoop(r, {
  mmioWrite(dw, v) {
    if (dw === 0) {
      r.set32(0, v);
      r.set32(4, v + 1);
    }
  },
  poll: () => false,
}, { spinUs: 10 });
