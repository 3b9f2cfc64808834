/**
 * Assembling an NVMe controller: the device-side object graph (used by the
 * worker entry and by in-thread mode) and the platform-side start function.
 */
import { GuestRam } from '../../machine/ram.js';
import { IrqFabric } from '../irq.js';
import { BackingStore } from '../backing-store.js';
import { FunctionInterrupts } from '../pci/interrupts.js';
import { MsixTable } from '../pci/msix.js';
import { NvmeFunction } from './nvme-function.js';
import { NvmeController } from './controller.js';
import { IoPool } from '../io-pool.js';
import type { NvmeIdentity } from './identify.js';
import { NVME_MAX_QUEUES, NVME_MDTS, NVME_VENDOR_ID } from './layout.js';
import { DEFAULT_SPIN_US } from '../device-loop.js';
import { startDeviceWorker, type DeviceHandle } from '../device-host.js';
import { deviceWorkerUrl } from '../worker-url.js';

/** Everything the device side needs: shared buffers and plain options (structured-clonable). */
export interface NvmeWorkerData {
  ramSab: SharedArrayBuffer;
  irqSab: SharedArrayBuffer;
  cfgSab: SharedArrayBuffer;
  regsSab: SharedArrayBuffer;
  imagePath: string;
  /** Create the image (sparse) with this many bytes when missing or smaller. */
  createSize?: number;
  serial: string;
  model: string;
  spinUs: number;
  /** I/O workers the controller may run transfers on (worker mode; 0 = none). */
  ioWorkers: number;
}

export function buildNvmeController(d: NvmeWorkerData): { controller: NvmeController; fn: NvmeFunction; store: BackingStore } {
  const ram = new GuestRam(d.ramSab);
  const fabric = new IrqFabric(d.irqSab);
  const fn = new NvmeFunction({ cfgSab: d.cfgSab, regsSab: d.regsSab });
  const store = new BackingStore(d.imagePath, d.createSize !== undefined ? { createSize: d.createSize } : {});
  const msixCap = fn.msixCapability();
  const msix = new MsixTable(msixCap, fn.regs, fabric);
  const irq = new FunctionInterrupts(fn.cfg, fabric, msixCap, msix, fn.msiCapability());
  const identity: NvmeIdentity = {
    vendorId: NVME_VENDOR_ID,
    subsystemVendorId: NVME_VENDOR_ID,
    serial: d.serial,
    model: d.model,
    firmware: '0.1',
    mdts: NVME_MDTS,
    maxIoQueues: NVME_MAX_QUEUES - 1,
    maxQueueEntries: 4096,
  };
  const controller = new NvmeController({ ram, regs: fn.regs, cfg: fn.cfg, irq, msix, store, identity });
  return { controller, fn, store };
}

export interface StartNvmeOptions {
  ram: GuestRam;
  fabric: IrqFabric;
  imagePath: string;
  createSize?: number;
  serial?: string;
  model?: string;
  /** 'worker' (default) runs the controller in its own thread. */
  mode?: 'worker' | 'inline';
  spinUs?: number;
  /**
   * I/O workers that let the controller overlap commands when more than one
   * is queued (default 0: every transfer runs on the controller's thread).
   * They need spare cores: on the 2-core development machine one I/O worker
   * halved QD32 throughput (driver, controller and I/O worker then share two
   * cores, and every handoff can wait for a time slice).
   */
  ioWorkers?: number;
}

export interface NvmeDevice extends DeviceHandle {
  /** The PCI function to attach to a bus. */
  readonly fn: NvmeFunction;
  /** In-thread mode only: the backing store (its call counters, for tests). */
  readonly store?: BackingStore;
  /** In-thread mode only: the controller (its I/O counters, for tests). */
  readonly controller?: NvmeController;
}

export async function startNvme(o: StartNvmeOptions): Promise<NvmeDevice> {
  const fn = new NvmeFunction();
  const data: NvmeWorkerData = {
    ramSab: o.ram.sab,
    irqSab: o.fabric.sab,
    ...fn.shared,
    imagePath: o.imagePath,
    ...(o.createSize !== undefined ? { createSize: o.createSize } : {}),
    serial: o.serial ?? 'NTS0000000001',
    model: o.model ?? 'neptune-ts NVMe controller',
    spinUs: o.spinUs ?? DEFAULT_SPIN_US,
    ioWorkers: o.ioWorkers ?? 0,
  };
  if (o.mode === 'inline') {
    const { controller, store } = buildNvmeController(data);
    const pool = o.ioWorkers !== undefined && o.ioWorkers > 0 ? IoPool.start(o.ioWorkers, o.ram.sab, o.imagePath, data.spinUs) : null;
    if (pool !== null) controller.attachIoPool(pool);
    fn.regs.attachSync(controller);
    return {
      fn,
      mode: 'inline',
      store,
      controller,
      stop: async () => {
        controller.drainIo(true);
        store.close();
      },
    };
  }
  const h = await startDeviceWorker(deviceWorkerUrl(import.meta.url, 'devices/nvme/nvme-device.entry'), data, fn.regs);
  return { fn, mode: h.mode, stop: () => h.stop() };
}
