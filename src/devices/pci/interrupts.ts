/**
 * How a PCI function signals interrupts, in the order the spec gives them
 * priority: MSI-X when enabled, else MSI when enabled, else the INTx pin
 * (unless Command.Interrupt Disable is set). Device models call signal() on
 * an event (edge, for MSI/MSI-X) and setIntx() with their level.
 */
import { ConfigSpace, PCI_INTERRUPT_LINE } from './config-space.js';
import type { MsiCapability } from './msi.js';
import type { MsixTable, MsixCapability } from './msix.js';
import type { IrqFabric } from '../irq.js';

export class FunctionInterrupts {
  private intxLevel = false;

  constructor(
    private readonly cfg: ConfigSpace,
    private readonly fabric: IrqFabric,
    private readonly msixCap: MsixCapability | null,
    readonly msix: MsixTable | null,
    private readonly msi: MsiCapability | null,
  ) {}

  get msixEnabled(): boolean {
    return this.msixCap !== null && this.msixCap.enabled;
  }

  get msiEnabled(): boolean {
    return !this.msixEnabled && this.msi !== null && this.msi.enabled;
  }

  /** True when the function uses a pin (no message interrupts enabled). */
  get usesIntx(): boolean {
    return !this.msixEnabled && !(this.msi !== null && this.msi.enabled);
  }

  /** An interrupt event for MSI-X vector / MSI message `index`. Allocation-free. */
  signal(index: number): void {
    if (!this.cfg.busMaster) return; // MSI is a memory write: needs Bus Master Enable
    if (this.msixCap !== null && this.msixCap.enabled) {
      this.msix!.signal(index);
    } else if (this.msi !== null && this.msi.enabled) {
      this.fabric.deliverMsi(this.msi.addressLo(), this.msi.dataFor(index));
    }
  }

  /** The level of the INTx pin; ignored while message interrupts are enabled. */
  setIntx(level: boolean): void {
    const effective = level && this.usesIntx && !this.cfg.intxDisabled;
    this.cfg.setInterruptStatus(level && this.usesIntx);
    if (effective === this.intxLevel) return;
    this.intxLevel = effective;
    this.fabric.setLine(this.cfg.read8(PCI_INTERRUPT_LINE) % 24, effective);
  }
}
