/**
 * Worker entry of the NVMe controller: builds the controller over the shared
 * buffers it was given and runs the device loop until asked to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildNvmeController, type NvmeWorkerData } from './nvme-device.js';
import { runDeviceLoop } from '../device-loop.js';

const data = workerData as NvmeWorkerData;
const { controller, fn, store } = buildNvmeController(data);
parentPort!.postMessage('ready');
runDeviceLoop(fn.regs, controller, { spinUs: data.spinUs });
store.close();
