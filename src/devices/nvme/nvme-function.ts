/**
 * The NVMe controller as a PCI function: its configuration space (identity,
 * BAR0, MSI-X and MSI capabilities) and its BAR0 register file. Created on
 * the platform side; the shared buffers are what the device worker receives.
 */
import { PCI_CAP_ID_MSIX } from '../pci/config-space.js';
import { MsiCapability } from '../pci/msi.js';
import { MsixCapability, msixFromConfig } from '../pci/msix.js';
import { findCapability } from '../pci/capabilities.js';
import { RegisterFileFunction, type RegisterFileShared } from '../pci/register-file-function.js';
import {
  NVME_BAR0_SIZE, NVME_DEVICE_ID, NVME_MSIX_PBA_OFFSET, NVME_MSIX_TABLE_OFFSET, NVME_MSIX_VECTORS,
  NVME_MSI_LOG2_VECTORS, NVME_VENDOR_ID,
} from './layout.js';

export class NvmeFunction extends RegisterFileFunction {
  readonly name = 'nvme';

  constructor(shared?: RegisterFileShared) {
    super(shared, 0, NVME_BAR0_SIZE, (cfg) => {
      cfg.initHeader({ vendorId: NVME_VENDOR_ID, deviceId: NVME_DEVICE_ID, revisionId: 1, classCode: 0x01, subclass: 0x08, progIf: 0x02, interruptPin: 1 });
      cfg.defineMemBar(0, NVME_BAR0_SIZE, true);
      MsixCapability.add(cfg, { vectors: NVME_MSIX_VECTORS, bar: 0, tableOffset: NVME_MSIX_TABLE_OFFSET, pbaOffset: NVME_MSIX_PBA_OFFSET });
      MsiCapability.add(cfg, NVME_MSI_LOG2_VECTORS);
    });
  }

  msixCapability(): MsixCapability {
    return msixFromConfig(this.cfg, findCapability(this.cfg, PCI_CAP_ID_MSIX));
  }
}
