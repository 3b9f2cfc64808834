/**
 * Worker entry of the AHCI HBA: builds the HBA over the shared buffers it
 * was given and runs the device loop until asked to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildAhciHba, type AhciWorkerData } from './ahci-device.js';
import { runDeviceLoop } from '../device-loop.js';

const data = workerData as AhciWorkerData;
const { hba, fn, stores } = buildAhciHba(data);
parentPort!.postMessage('ready');
runDeviceLoop(fn.regs, hba, { spinUs: data.spinUs });
for (const s of stores) s.close();
