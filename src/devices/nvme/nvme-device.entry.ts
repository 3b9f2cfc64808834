/**
 * Worker entry of the NVMe controller: builds the controller over the shared
 * buffers it was given, starts its I/O workers, and runs the device loop
 * until asked to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildNvmeController, type NvmeWorkerData } from './nvme-device.js';
import { runDeviceLoop } from '../device-loop.js';
import { IoPool } from '../io-pool.js';

const data = workerData as NvmeWorkerData;
const { controller, fn, store } = buildNvmeController(data);
if (data.ioWorkers > 0) controller.attachIoPool(IoPool.start(data.ioWorkers, data.ramSab, data.imagePath, data.spinUs));
parentPort!.postMessage('ready');
runDeviceLoop(fn.regs, controller, { spinUs: data.spinUs });
controller.drainIo(true);
store.close();
