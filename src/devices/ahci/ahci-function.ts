/** The AHCI HBA as a PCI function: configuration space and the ABAR register file. */
import { MsiCapability } from '../pci/msi.js';
import { RegisterFileFunction, type RegisterFileShared } from '../pci/register-file-function.js';
import { AHCI_ABAR_INDEX, AHCI_ABAR_SIZE, AHCI_DEVICE_ID, AHCI_MSI_LOG2_VECTORS, AHCI_VENDOR_ID } from './layout.js';

export class AhciFunction extends RegisterFileFunction {
  readonly name = 'ahci';

  constructor(shared?: RegisterFileShared) {
    super(shared, AHCI_ABAR_INDEX, AHCI_ABAR_SIZE, (cfg) => {
      cfg.initHeader({ vendorId: AHCI_VENDOR_ID, deviceId: AHCI_DEVICE_ID, revisionId: 1, classCode: 0x01, subclass: 0x06, progIf: 0x01, interruptPin: 1 });
      cfg.defineMemBar(AHCI_ABAR_INDEX, AHCI_ABAR_SIZE, false);
      MsiCapability.add(cfg, AHCI_MSI_LOG2_VECTORS);
    });
  }
}
