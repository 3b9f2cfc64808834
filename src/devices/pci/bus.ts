/**
 * A PCI bus segment: functions at bus/device/function addresses, with
 * configuration reads and writes as a host bridge (CF8/CFC or ECAM) would
 * forward them, and memory decoding of BARs so that an MMIO access to a
 * physical address reaches the function's register file.
 */
import { ConfigSpace, PCI_COMMAND, PCI_COMMAND_MEMORY, PCI_BAR0, PCI_BAR_MEM_TYPE_64, PCI_BAR_IO } from './config-space.js';
import type { MmioRegion } from '../mmio.js';

export interface PciFunction {
  readonly cfg: ConfigSpace;
  /** The MMIO region behind each BAR index (null: unimplemented or upper half of a 64-bit BAR). */
  readonly bars: readonly (MmioRegion | null)[];
  /** Human-readable name, for listings. */
  readonly name: string;
}

export interface Bdf {
  bus: number;
  device: number;
  fn: number;
}

/** A mapping of a BAR into an address: what MmMapIoSpace would hand a driver. */
export interface MmioMapping {
  region: MmioRegion;
  /** Offset of the requested address inside the region. */
  offset: number;
}

const key = (bus: number, device: number, fn: number) => (bus << 8) | (device << 3) | fn;

export class PciBus {
  private readonly fns = new Map<number, PciFunction>();

  attach(at: Bdf, fn: PciFunction): void {
    const k = key(at.bus, at.device, at.fn);
    if (this.fns.has(k)) throw new Error(`PCI ${at.bus}:${at.device}.${at.fn} is taken`);
    this.fns.set(k, fn);
  }

  detach(at: Bdf): void {
    this.fns.delete(key(at.bus, at.device, at.fn));
  }

  function(at: Bdf): PciFunction | undefined {
    return this.fns.get(key(at.bus, at.device, at.fn));
  }

  /** A configuration read; an absent function reads as all-ones (master abort). */
  configRead(at: Bdf, off: number, width: 1 | 2 | 4): number {
    const f = this.fns.get(key(at.bus, at.device, at.fn));
    if (f === undefined) return width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
    return f.cfg.read(off, width);
  }

  configWrite(at: Bdf, off: number, width: 1 | 2 | 4, value: number): void {
    this.fns.get(key(at.bus, at.device, at.fn))?.cfg.write(off, width, value);
  }

  /**
   * Resolves a physical address to the register file that decodes it: a
   * memory BAR of a function with Memory Space Enable set. Undefined when no
   * function claims the address.
   */
  resolveMmio(addr: number): MmioMapping | undefined {
    for (const f of this.fns.values()) {
      if ((f.cfg.read16(PCI_COMMAND) & PCI_COMMAND_MEMORY) === 0) continue;
      for (let i = 0; i < 6; i++) {
        const region = f.bars[i];
        if (region == null) continue;
        const lo = f.cfg.read32(PCI_BAR0 + i * 4);
        if (lo & PCI_BAR_IO) continue;
        const base = f.cfg.barAddress(i);
        if (base === 0) continue;
        if (addr >= base && addr < base + region.size) return { region, offset: addr - base };
        if ((lo & 0x6) === PCI_BAR_MEM_TYPE_64) i++;
      }
    }
    return undefined;
  }
}
