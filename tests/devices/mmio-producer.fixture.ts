/** Worker used by mmio.test.ts: a second producer posting 1..count to dword 4, then reporting. */
import { parentPort, workerData } from 'node:worker_threads';
import { MmioRegion } from '../../src/devices/mmio.js';

const { sab, count } = workerData as { sab: SharedArrayBuffer; count: number };
const r = MmioRegion.attach(sab);
for (let i = 1; i <= count; i++) r.write32(16, i);
parentPort!.postMessage('done');
