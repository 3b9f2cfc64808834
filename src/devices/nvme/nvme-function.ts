/**
 * The NVMe controller as a PCI function: its configuration space (identity,
 * BAR0, MSI-X and MSI capabilities) and its BAR0 register file. Created on
 * the platform side; the shared buffers are what the device worker receives.
 */
import { ConfigSpace, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX } from '../pci/config-space.js';
import { MsiCapability } from '../pci/msi.js';
import { MsixCapability, msixFromConfig } from '../pci/msix.js';
import { findCapability } from '../pci/capabilities.js';
import { MmioRegion } from '../mmio.js';
import type { PciFunction } from '../pci/bus.js';
import {
  NVME_BAR0_SIZE, NVME_DEVICE_ID, NVME_MSIX_PBA_OFFSET, NVME_MSIX_TABLE_OFFSET, NVME_MSIX_VECTORS,
  NVME_MSI_LOG2_VECTORS, NVME_VENDOR_ID,
} from './layout.js';

export class NvmeFunction implements PciFunction {
  readonly name = 'nvme';
  readonly cfg: ConfigSpace;
  readonly regs: MmioRegion;
  readonly bars: (MmioRegion | null)[];

  constructor(shared?: { cfgSab: SharedArrayBuffer; regsSab: SharedArrayBuffer }) {
    if (shared) {
      this.cfg = new ConfigSpace(shared.cfgSab);
      this.regs = MmioRegion.attach(shared.regsSab);
    } else {
      this.cfg = new ConfigSpace();
      this.regs = MmioRegion.create(NVME_BAR0_SIZE);
      this.cfg.initHeader({ vendorId: NVME_VENDOR_ID, deviceId: NVME_DEVICE_ID, revisionId: 1, classCode: 0x01, subclass: 0x08, progIf: 0x02, interruptPin: 1 });
      this.cfg.defineMemBar(0, NVME_BAR0_SIZE, true);
      MsixCapability.add(this.cfg, { vectors: NVME_MSIX_VECTORS, bar: 0, tableOffset: NVME_MSIX_TABLE_OFFSET, pbaOffset: NVME_MSIX_PBA_OFFSET });
      MsiCapability.add(this.cfg, NVME_MSI_LOG2_VECTORS);
    }
    this.bars = [this.regs, null, null, null, null, null];
  }

  get shared(): { cfgSab: SharedArrayBuffer; regsSab: SharedArrayBuffer } {
    return { cfgSab: this.cfg.sab, regsSab: this.regs.sab };
  }

  msixCapability(): MsixCapability {
    return msixFromConfig(this.cfg, findCapability(this.cfg, PCI_CAP_ID_MSIX));
  }

  msiCapability(): MsiCapability {
    return new MsiCapability(this.cfg, findCapability(this.cfg, PCI_CAP_ID_MSI));
  }
}
