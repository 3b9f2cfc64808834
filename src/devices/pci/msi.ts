/**
 * MSI capability (PCI Local Bus 3.0 §6.8.1), 64-bit address form without
 * per-vector masking: Message Control (enable, Multiple Message Capable /
 * Enable), Message Address, Message Upper Address, Message Data.
 */
import { ConfigSpace, PCI_CAP_ID_MSI } from './config-space.js';

export const MSI_CTRL_ENABLE = 1 << 0;
export const MSI_CTRL_64BIT = 1 << 7;

export class MsiCapability {
  readonly off: number;

  constructor(private readonly cfg: ConfigSpace, off: number) {
    this.off = off;
  }

  /** Adds the capability; `log2Vectors` is Multiple Message Capable (0 = one vector). */
  static add(cfg: ConfigSpace, log2Vectors: number): MsiCapability {
    const off = cfg.addCapability(PCI_CAP_ID_MSI, 0x0e);
    cfg.raw16(off + 2, MSI_CTRL_64BIT | ((log2Vectors & 7) << 1));
    cfg.setWmask16(off + 2, MSI_CTRL_ENABLE | (7 << 4)); // enable + Multiple Message Enable
    cfg.setWmask32(off + 4, 0xfffffffc); // dword-aligned address
    cfg.setWmask32(off + 8, 0xffffffff);
    cfg.setWmask16(off + 0x0c, 0xffff);
    return new MsiCapability(cfg, off);
  }

  get enabled(): boolean {
    return (this.cfg.read16(this.off + 2) & MSI_CTRL_ENABLE) !== 0;
  }

  addressLo(): number {
    return this.cfg.read32(this.off + 4);
  }

  /** Multiple Message Enable: log2 of the messages software granted. */
  get multipleMessageEnable(): number {
    return (this.cfg.read16(this.off + 2) >>> 4) & 7;
  }

  /** Message Data as software wrote it. */
  get data(): number {
    return this.cfg.read16(this.off + 0x0c);
  }

  dataFor(index: number): number {
    const mme = (this.cfg.read16(this.off + 2) >>> 4) & 7;
    const low = (1 << mme) - 1;
    return (this.cfg.read16(this.off + 0x0c) & ~low) | (index & low);
  }
}
