/** Worker used by mmio.test.ts: raises one vector of a shared IrqFabric after a short delay. */
import { workerData } from 'node:worker_threads';
import { IrqFabric } from '../../src/devices/irq.js';

const { sab, vector } = workerData as { sab: SharedArrayBuffer; vector: number };
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30); // let the main thread block first
new IrqFabric(sab).raise(vector);
