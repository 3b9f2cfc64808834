/**
 * Worker used by mmio.test.ts: a slow device that checks the order of two
 * producers' writes. Each producer writes 1, 2, 3, ... to its own register
 * (dword 0 or dword 4); the device counts them (dwords 1 and 5) and counts
 * any value that is not the previous one plus one (dword 8). Each write
 * takes about 2 µs to apply, so fast producers fill the 256-slot ring.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MmioRegion } from '../../src/devices/mmio.js';
import { runDeviceLoop } from '../../src/devices/device-loop.js';

const r = MmioRegion.attach(workerData as SharedArrayBuffer);
parentPort!.postMessage('ready');
runDeviceLoop(r, {
  mmioWrite(dw, v) {
    if (dw !== 0 && dw !== 4) return;
    const t = performance.now() + 0.002;
    while (performance.now() < t);
    if (v !== r.get32(dw * 4) + 1) r.set32(32, r.get32(32) + 1);
    r.set32(dw * 4, v);
    r.set32(dw * 4 + 4, r.get32(dw * 4 + 4) + 1);
  },
  poll: () => false,
}, { spinUs: 10 });
