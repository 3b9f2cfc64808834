/**
 * Assembling an AHCI HBA: the device-side object graph (used by the worker
 * entry and by in-thread mode) and the platform-side start function.
 */
import { GuestRam } from '../../machine/ram.js';
import { IrqFabric } from '../irq.js';
import { BackingStore } from '../backing-store.js';
import { FunctionInterrupts } from '../pci/interrupts.js';
import { AhciFunction } from './ahci-function.js';
import { AhciHba } from './hba.js';
import { DEFAULT_SPIN_US } from '../device-loop.js';
import { startDeviceWorker, type DeviceHandle } from '../device-host.js';
import { deviceWorkerUrl } from '../worker-url.js';

export interface AhciDiskSpec {
  imagePath: string;
  /** Create the image (sparse) with this many bytes when missing or smaller. */
  createSize?: number;
  serial?: string;
  model?: string;
}

export interface AhciWorkerData {
  ramSab: SharedArrayBuffer;
  irqSab: SharedArrayBuffer;
  cfgSab: SharedArrayBuffer;
  regsSab: SharedArrayBuffer;
  disks: AhciDiskSpec[];
  spinUs: number;
}

export function buildAhciHba(d: AhciWorkerData): { hba: AhciHba; fn: AhciFunction; stores: BackingStore[] } {
  const ram = new GuestRam(d.ramSab);
  const fabric = new IrqFabric(d.irqSab);
  const fn = new AhciFunction({ cfgSab: d.cfgSab, regsSab: d.regsSab });
  const irq = new FunctionInterrupts(fn.cfg, fabric, null, null, fn.msiCapability());
  const stores = d.disks.map((k) => new BackingStore(k.imagePath, k.createSize !== undefined ? { createSize: k.createSize } : {}));
  const disks = d.disks.map((k, i) => ({
    store: stores[i]!,
    serial: k.serial ?? `NTS-SATA-${String(i).padStart(4, '0')}`,
    model: k.model ?? 'neptune-ts SATA disk',
  }));
  const hba = new AhciHba({ ram, regs: fn.regs, cfg: fn.cfg, irq, disks });
  return { hba, fn, stores };
}

export interface StartAhciOptions {
  ram: GuestRam;
  fabric: IrqFabric;
  /** One disk per port, in port order. */
  disks: AhciDiskSpec[];
  mode?: 'worker' | 'inline';
  spinUs?: number;
}

export interface AhciDevice extends DeviceHandle {
  readonly fn: AhciFunction;
  /** In-thread mode only: the ports' backing stores (their call counters, for tests). */
  readonly stores?: BackingStore[];
}

export async function startAhci(o: StartAhciOptions): Promise<AhciDevice> {
  const fn = new AhciFunction();
  const data: AhciWorkerData = { ramSab: o.ram.sab, irqSab: o.fabric.sab, ...fn.shared, disks: o.disks, spinUs: o.spinUs ?? DEFAULT_SPIN_US };
  if (o.mode === 'inline') {
    const { hba, stores } = buildAhciHba(data);
    fn.regs.attachSync(hba);
    return { fn, mode: 'inline', stores, stop: async () => stores.forEach((s) => s.close()) };
  }
  const h = await startDeviceWorker(deviceWorkerUrl(import.meta.url, 'devices/ahci/ahci-device.entry'), data, fn.regs);
  return { fn, mode: h.mode, stop: () => h.stop() };
}
