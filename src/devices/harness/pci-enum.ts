/**
 * PCI enumeration as firmware or a bus driver does it, through configuration
 * reads and writes only: scan bus 0, read identity, size every BAR with the
 * all-ones protocol, assign addresses from an MMIO window, enable memory
 * decoding and bus mastering, and set up MSI-X.
 */
import type { Bdf, PciBus } from '../pci/bus.js';
import {
  PCI_BAR0, PCI_BAR_IO, PCI_BAR_MEM_PREFETCH, PCI_BAR_MEM_TYPE_64, PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX, PCI_CLASS, PCI_COMMAND,
  PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_DEVICE_ID, PCI_HEADER_TYPE, PCI_PROG_IF, PCI_SUBCLASS, PCI_VENDOR_ID,
  PCI_INTERRUPT_LINE,
} from '../pci/config-space.js';
import { findCapability } from '../pci/capabilities.js';
import { MSI_ADDRESS_BASE } from '../irq.js';
import type { MmioRegion } from '../mmio.js';

export interface BarInfo {
  index: number;
  base: number;
  size: number;
  is64: boolean;
  prefetchable: boolean;
}

export interface FoundFunction {
  bdf: Bdf;
  vendorId: number;
  deviceId: number;
  classCode: number;
  subclass: number;
  progIf: number;
  bars: BarInfo[];
}

/** Config accessors bound to one function. */
export class ConfigAccess {
  constructor(readonly bus: PciBus, readonly bdf: Bdf) {}
  r8(off: number): number { return this.bus.configRead(this.bdf, off, 1); }
  r16(off: number): number { return this.bus.configRead(this.bdf, off, 2); }
  r32(off: number): number { return this.bus.configRead(this.bdf, off, 4); }
  w8(off: number, v: number): void { this.bus.configWrite(this.bdf, off, 1, v); }
  w16(off: number, v: number): void { this.bus.configWrite(this.bdf, off, 2, v); }
  w32(off: number, v: number): void { this.bus.configWrite(this.bdf, off, 4, v); }
  read8(off: number): number { return this.r8(off); }
  read16(off: number): number { return this.r16(off); }
}

/** Scans bus 0 and lists present functions (vendor ID not FFFFh). */
export function scanBus(bus: PciBus): FoundFunction[] {
  const out: FoundFunction[] = [];
  for (let device = 0; device < 32; device++) {
    for (let fn = 0; fn < 8; fn++) {
      const c = new ConfigAccess(bus, { bus: 0, device, fn });
      if (c.r16(PCI_VENDOR_ID) === 0xffff) {
        if (fn === 0) break;
        continue;
      }
      out.push({
        bdf: { bus: 0, device, fn },
        vendorId: c.r16(PCI_VENDOR_ID),
        deviceId: c.r16(PCI_DEVICE_ID),
        classCode: c.r8(PCI_CLASS),
        subclass: c.r8(PCI_SUBCLASS),
        progIf: c.r8(PCI_PROG_IF),
        bars: sizeBars(c),
      });
      if (fn === 0 && (c.r8(PCI_HEADER_TYPE) & 0x80) === 0) break; // single-function device
    }
  }
  return out;
}

/** Sizes every BAR (decoding off while probing), leaving their contents as they were. */
export function sizeBars(c: ConfigAccess): BarInfo[] {
  const bars: BarInfo[] = [];
  const cmd = c.r16(PCI_COMMAND);
  c.w16(PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
  for (let i = 0; i < 6; i++) {
    const off = PCI_BAR0 + i * 4;
    const orig = c.r32(off);
    c.w32(off, 0xffffffff);
    const lo = c.r32(off);
    c.w32(off, orig);
    if (lo === 0 || (lo & PCI_BAR_IO) !== 0) continue; // unimplemented (or I/O, unused here)
    const is64 = (lo & 0x6) === PCI_BAR_MEM_TYPE_64;
    let size = (~(lo & ~0xf) + 1) >>> 0;
    if (is64) {
      const origHi = c.r32(off + 4);
      c.w32(off + 4, 0xffffffff);
      const hi = c.r32(off + 4);
      c.w32(off + 4, origHi);
      if ((lo & ~0xf) === 0) size = ((~hi + 1) >>> 0) * 2 ** 32; // > 4 GiB BAR
    }
    bars.push({ index: i, base: 0, size, is64, prefetchable: (lo & PCI_BAR_MEM_PREFETCH) !== 0 });
    if (is64) i++;
  }
  c.w16(PCI_COMMAND, cmd);
  return bars;
}

/** Assigns naturally aligned addresses from `window` and enables decoding and bus mastering. */
export function assignAndEnable(bus: PciBus, f: FoundFunction, window: { next: number }): void {
  const c = new ConfigAccess(bus, f.bdf);
  for (const b of f.bars) {
    const base = Math.ceil(window.next / b.size) * b.size;
    window.next = base + b.size;
    b.base = base;
    c.w32(PCI_BAR0 + b.index * 4, base >>> 0);
    if (b.is64) c.w32(PCI_BAR0 + b.index * 4 + 4, Math.floor(base / 2 ** 32));
  }
  c.w16(PCI_COMMAND, c.r16(PCI_COMMAND) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/** A driver's mapping of a BAR: MMIO accessors at offsets from its base. */
export class MmioWindow {
  readonly region: MmioRegion;
  private readonly off: number;

  constructor(bus: PciBus, base: number) {
    const m = bus.resolveMmio(base);
    if (m === undefined) throw new Error(`no PCI function decodes MMIO address 0x${base.toString(16)}`);
    this.region = m.region;
    this.off = m.offset;
  }

  r32(reg: number): number { return this.region.read32(this.off + reg); }
  w32(reg: number, v: number): void { this.region.write32(this.off + reg, v); }
  /** Two dword writes posted together, in order (MmioRegion.write32Pair). */
  w32pair(reg1: number, v1: number, reg2: number, v2: number): void { this.region.write32Pair(this.off + reg1, v1, this.off + reg2, v2); }
  r64(reg: number): bigint { return this.region.read64(this.off + reg); }
  w64(reg: number, v: number | bigint): void { this.region.write64(this.off + reg, v); }
  r(reg: number, width: 1 | 2 | 4): number { return this.region.read(this.off + reg, width); }
  w(reg: number, width: 1 | 2 | 4, v: number): void { this.region.write(this.off + reg, width, v); }
}

/**
 * Programs MSI-X entries 0..count-1 to fabric vectors firstVector+i, unmasks
 * them and enables MSI-X. Returns the table's MMIO window.
 */
export function setupMsix(bus: PciBus, f: FoundFunction, count: number, firstVector: number): MmioWindow {
  const c = new ConfigAccess(bus, f.bdf);
  const cap = findCapability(c, PCI_CAP_ID_MSIX);
  if (cap === 0) throw new Error('function has no MSI-X capability');
  const size = (c.r16(cap + 2) & 0x7ff) + 1;
  if (count > size) throw new RangeError(`MSI-X table has ${size} entries, asked for ${count}`);
  const t = c.r32(cap + 4);
  const bar = f.bars.find((b) => b.index === (t & 7));
  if (bar === undefined) throw new Error('MSI-X table BIR names no memory BAR');
  const table = new MmioWindow(bus, bar.base + (t & ~7));
  // Function-mask while programming, as the spec advises, then enable.
  c.w16(cap + 2, (1 << 15) | (1 << 14));
  for (let i = 0; i < count; i++) {
    table.w32(i * 16 + 0, MSI_ADDRESS_BASE);
    table.w32(i * 16 + 4, 0);
    table.w32(i * 16 + 8, firstVector + i);
    table.w32(i * 16 + 12, 0); // unmask
  }
  c.w16(cap + 2, 1 << 15);
  return table;
}

/** Enables MSI with one message to `vector`. */
export function setupMsi(bus: PciBus, f: FoundFunction, vector: number): void {
  const c = new ConfigAccess(bus, f.bdf);
  const cap = findCapability(c, PCI_CAP_ID_MSI);
  if (cap === 0) throw new Error('function has no MSI capability');
  c.w32(cap + 4, MSI_ADDRESS_BASE);
  c.w32(cap + 8, 0);
  c.w16(cap + 0x0c, vector);
  c.w16(cap + 2, 1); // enable, Multiple Message Enable = 0 (one vector)
}

/** Routes INTx to `line` (the Interrupt Line register firmware fills in). */
export function setInterruptLine(bus: PciBus, f: FoundFunction, line: number): void {
  new ConfigAccess(bus, f.bdf).w8(PCI_INTERRUPT_LINE, line);
}
