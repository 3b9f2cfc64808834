/** The AHCI HBA as a PCI function: configuration space and the ABAR register file. */
import { ConfigSpace, PCI_CAP_ID_MSI } from '../pci/config-space.js';
import { MsiCapability } from '../pci/msi.js';
import { findCapability } from '../pci/capabilities.js';
import { MmioRegion } from '../mmio.js';
import type { PciFunction } from '../pci/bus.js';
import { AHCI_ABAR_INDEX, AHCI_ABAR_SIZE, AHCI_DEVICE_ID, AHCI_MSI_LOG2_VECTORS, AHCI_VENDOR_ID } from './layout.js';

export class AhciFunction implements PciFunction {
  readonly name = 'ahci';
  readonly cfg: ConfigSpace;
  readonly regs: MmioRegion;
  readonly bars: (MmioRegion | null)[];

  constructor(shared?: { cfgSab: SharedArrayBuffer; regsSab: SharedArrayBuffer }) {
    if (shared) {
      this.cfg = new ConfigSpace(shared.cfgSab);
      this.regs = MmioRegion.attach(shared.regsSab);
    } else {
      this.cfg = new ConfigSpace();
      this.regs = MmioRegion.create(AHCI_ABAR_SIZE);
      this.cfg.initHeader({ vendorId: AHCI_VENDOR_ID, deviceId: AHCI_DEVICE_ID, revisionId: 1, classCode: 0x01, subclass: 0x06, progIf: 0x01, interruptPin: 1 });
      this.cfg.defineMemBar(AHCI_ABAR_INDEX, AHCI_ABAR_SIZE, false);
      MsiCapability.add(this.cfg, AHCI_MSI_LOG2_VECTORS);
    }
    this.bars = [null, null, null, null, null, this.regs];
  }

  get shared(): { cfgSab: SharedArrayBuffer; regsSab: SharedArrayBuffer } {
    return { cfgSab: this.cfg.sab, regsSab: this.regs.sab };
  }

  msiCapability(): MsiCapability {
    return new MsiCapability(this.cfg, findCapability(this.cfg, PCI_CAP_ID_MSI));
  }
}
