/**
 * MSI-X (PCI Local Bus 3.0 §6.8.2): the capability in config space and the
 * vector table and Pending Bit Array, which live in a memory BAR (here the
 * device's MMIO register file).
 *
 * Table entry (16 bytes): Message Address, Message Upper Address, Message
 * Data, Vector Control (bit 0 = Mask, set at reset). A vector that fires
 * while masked (or while the function is masked) sets its PBA bit; unmasking
 * it later delivers the message and clears the bit.
 */
import { ConfigSpace, PCI_CAP_ID_MSIX } from './config-space.js';
import type { MmioRegion } from '../mmio.js';
import { mergeBytes } from '../mmio.js';
import type { IrqFabric } from '../irq.js';

export const MSIX_CTRL_FUNCTION_MASK = 1 << 14;
export const MSIX_CTRL_ENABLE = 1 << 15;
export const MSIX_ENTRY_SIZE = 16;
export const MSIX_VECTOR_CTRL_MASK = 1;

export interface MsixLayout {
  vectors: number;
  bar: number;
  tableOffset: number;
  pbaOffset: number;
}

export class MsixCapability {
  constructor(
    private readonly cfg: ConfigSpace,
    readonly off: number,
    readonly layout: MsixLayout,
  ) {}

  static add(cfg: ConfigSpace, layout: MsixLayout): MsixCapability {
    const off = cfg.addCapability(PCI_CAP_ID_MSIX, 12);
    cfg.raw16(off + 2, (layout.vectors - 1) & 0x7ff);
    cfg.setWmask16(off + 2, MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK);
    cfg.raw32(off + 4, layout.tableOffset | layout.bar);
    cfg.raw32(off + 8, layout.pbaOffset | layout.bar);
    return new MsixCapability(cfg, off, layout);
  }

  get control(): number {
    return this.cfg.read16(this.off + 2);
  }

  get enabled(): boolean {
    return (this.control & MSIX_CTRL_ENABLE) !== 0;
  }
}

/** The device-side half: owns the table and PBA inside the MMIO register file. */
export class MsixTable {
  private readonly tableDw: number;
  private readonly tableEndDw: number;
  private readonly pbaDw: number;

  constructor(
    private readonly cap: MsixCapability,
    private readonly regs: MmioRegion,
    private readonly fabric: IrqFabric,
  ) {
    const l = cap.layout;
    this.tableDw = l.tableOffset >>> 2;
    this.tableEndDw = this.tableDw + (l.vectors * MSIX_ENTRY_SIZE) / 4;
    this.pbaDw = l.pbaOffset >>> 2;
    this.reset();
  }

  /** Reset state: every vector masked, nothing pending. */
  reset(): void {
    for (let v = 0; v < this.cap.layout.vectors; v++) {
      const e = this.tableDw + v * 4;
      this.regs.set32(e * 4, 0);
      this.regs.set32(e * 4 + 4, 0);
      this.regs.set32(e * 4 + 8, 0);
      this.regs.set32(e * 4 + 12, MSIX_VECTOR_CTRL_MASK);
    }
    for (let i = 0; i < Math.ceil(this.cap.layout.vectors / 32); i++) this.regs.set32((this.pbaDw + i) * 4, 0);
  }

  /** True when a posted write at `dword` belongs to the table (or PBA, which is read-only). */
  owns(dword: number): boolean {
    return (dword >= this.tableDw && dword < this.tableEndDw) || (dword >= this.pbaDw && dword < this.pbaDw + Math.ceil(this.cap.layout.vectors / 32));
  }

  /** Applies a write to the table; unmasking a pending vector delivers it. */
  write(dword: number, value: number, byteMask: number): void {
    if (dword < this.tableDw || dword >= this.tableEndDw) return; // PBA is read-only
    const cur = this.regs.get32(dword * 4);
    let v = mergeBytes(cur, value, byteMask);
    const field = (dword - this.tableDw) & 3;
    if (field === 0) v &= ~3; // Message Address is dword aligned
    if (field === 3) v &= MSIX_VECTOR_CTRL_MASK;
    this.regs.set32(dword * 4, v);
    if (field === 3 && (v & MSIX_VECTOR_CTRL_MASK) === 0) {
      const vector = (dword - this.tableDw) >>> 2;
      this.deliverPending(vector);
    }
  }

  /**
   * Signals vector `vector`: deliver, or set its pending bit when masked.
   * Allocation-free. `ctrl`: the capability's Message Control word, when the
   * caller has it cached (FunctionInterrupts).
   */
  signal(vector: number, ctrl = this.cap.control): void {
    const e = (this.tableDw + vector * 4) * 4;
    if ((ctrl & MSIX_CTRL_FUNCTION_MASK) !== 0 || (this.regs.get32(e + 12) & MSIX_VECTOR_CTRL_MASK) !== 0) {
      const p = (this.pbaDw + (vector >>> 5)) * 4;
      this.regs.set32(p, this.regs.get32(p) | (1 << (vector & 31)));
      return;
    }
    this.fabric.deliverMsi(this.regs.get32(e), this.regs.get32(e + 8));
  }

  /** Delivers pending vectors that are no longer masked (after an unmask). */
  deliverPending(vector: number): void {
    const p = (this.pbaDw + (vector >>> 5)) * 4;
    const bit = 1 << (vector & 31);
    const pba = this.regs.get32(p);
    if ((pba & bit) === 0) return;
    if ((this.cap.control & MSIX_CTRL_FUNCTION_MASK) !== 0) return;
    this.regs.set32(p, pba & ~bit);
    const e = (this.tableDw + vector * 4) * 4;
    this.fabric.deliverMsi(this.regs.get32(e), this.regs.get32(e + 8));
  }

  /** Rechecks every pending vector (after a function-mask clear seen by the device). */
  sweepPending(): void {
    for (let v = 0; v < this.cap.layout.vectors; v++) this.deliverPending(v);
  }
}

/** Finds the MSI-X capability a device model laid down (device-side view of the same SAB). */
export function msixFromConfig(cfg: ConfigSpace, capOff: number): MsixCapability {
  const vectors = (cfg.read16(capOff + 2) & 0x7ff) + 1;
  const t = cfg.read32(capOff + 4);
  const p = cfg.read32(capOff + 8);
  return new MsixCapability(cfg, capOff, { vectors, bar: t & 7, tableOffset: t & ~7, pbaOffset: p & ~7 });
}
