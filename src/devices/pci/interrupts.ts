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
  /**
   * What the device derives from config space, cached per config generation
   * (ConfigSpace.generation): Bus Master Enable, the interrupt mode, the
   * MSI-X control word and the MSI message. Signalling a completion read
   * about ten config bytes before; now it reads the generation word.
   */
  private seenGen = -1;
  private mode = MODE_INTX;
  private bme = false;
  private msixControl = 0;
  private msiAddress = 0;
  private msiData = 0;
  private msiLowMask = 0;

  constructor(
    private readonly cfg: ConfigSpace,
    private readonly fabric: IrqFabric,
    private readonly msixCap: MsixCapability | null,
    readonly msix: MsixTable | null,
    private readonly msi: MsiCapability | null,
  ) {}

  /** Rereads config space if software wrote it since the last look. */
  private refresh(): void {
    const g = this.cfg.generation;
    if (g === this.seenGen) return;
    this.seenGen = g;
    this.bme = this.cfg.busMaster;
    this.msixControl = this.msixCap !== null ? this.msixCap.control : 0;
    if (this.msixCap !== null && this.msixCap.enabled) this.mode = MODE_MSIX;
    else if (this.msi !== null && this.msi.enabled) this.mode = MODE_MSI;
    else this.mode = MODE_INTX;
    if (this.msi !== null) {
      this.msiAddress = this.msi.addressLo();
      this.msiLowMask = (1 << this.msi.multipleMessageEnable) - 1;
      this.msiData = this.msi.data & ~this.msiLowMask;
    }
  }

  /** Command.BME (cached): the function may master the bus (DMA, MSI). */
  get busMaster(): boolean {
    this.refresh();
    return this.bme;
  }

  get msixEnabled(): boolean {
    this.refresh();
    return this.mode === MODE_MSIX;
  }

  get msiEnabled(): boolean {
    this.refresh();
    return this.mode === MODE_MSI;
  }

  /** True when the function uses a pin (no message interrupts enabled). */
  get usesIntx(): boolean {
    this.refresh();
    return this.mode === MODE_INTX;
  }

  /** An interrupt event for MSI-X vector / MSI message `index`. Allocation-free. */
  signal(index: number): void {
    this.refresh();
    if (!this.bme) return; // MSI is a memory write: needs Bus Master Enable
    if (this.mode === MODE_MSIX) {
      this.msix!.signal(index, this.msixControl);
    } else if (this.mode === MODE_MSI) {
      this.fabric.deliverMsi(this.msiAddress, this.msiData | (index & this.msiLowMask));
    }
  }

  /** The level of the INTx pin; ignored while message interrupts are enabled. */
  setIntx(level: boolean): void {
    const intx = this.usesIntx;
    const effective = level && intx && !this.cfg.intxDisabled;
    this.cfg.setInterruptStatus(level && intx);
    if (effective === this.intxLevel) return;
    this.intxLevel = effective;
    this.fabric.setLine(this.cfg.read8(PCI_INTERRUPT_LINE) % 24, effective);
  }
}

const MODE_INTX = 0;
const MODE_MSI = 1;
const MODE_MSIX = 2;
