/**
 * A PCI function whose device registers are one MMIO region behind one BAR
 * (the NVMe controller's BAR0, the AHCI HBA's ABAR). The platform side
 * creates it (configuration space initialised by `init`); the device worker
 * attaches to the same two SharedArrayBuffers.
 */
import { ConfigSpace, PCI_CAP_ID_MSI } from './config-space.js';
import { MsiCapability } from './msi.js';
import { findCapability } from './capabilities.js';
import { MmioRegion } from '../mmio.js';
import type { PciFunction } from './bus.js';

/** What a device worker receives to attach to a function. */
export interface RegisterFileShared {
  cfgSab: SharedArrayBuffer;
  regsSab: SharedArrayBuffer;
}

export abstract class RegisterFileFunction implements PciFunction {
  abstract readonly name: string;
  readonly cfg: ConfigSpace;
  readonly regs: MmioRegion;
  readonly bars: (MmioRegion | null)[];

  /** Attaches to `shared`, or creates the registers (`regsBytes`) and lets `init` fill the configuration space. */
  protected constructor(shared: RegisterFileShared | undefined, barIndex: number, regsBytes: number, init: (cfg: ConfigSpace) => void) {
    if (shared) {
      this.cfg = new ConfigSpace(shared.cfgSab);
      this.regs = MmioRegion.attach(shared.regsSab);
    } else {
      this.cfg = new ConfigSpace();
      this.regs = MmioRegion.create(regsBytes);
      init(this.cfg);
    }
    this.bars = [null, null, null, null, null, null];
    this.bars[barIndex] = this.regs;
  }

  get shared(): RegisterFileShared {
    return { cfgSab: this.cfg.sab, regsSab: this.regs.sab };
  }

  msiCapability(): MsiCapability {
    return new MsiCapability(this.cfg, findCapability(this.cfg, PCI_CAP_ID_MSI));
  }
}
