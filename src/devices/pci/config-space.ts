/**
 * PCI configuration space of one function (type 0 header, 4 KiB as in PCIe).
 *
 * The space lives in a SharedArrayBuffer next to two masks of the same size:
 * which bits software may write (WMASK) and which bits are write-1-to-clear
 * (W1CMASK). Config writes are pure masking, with no device action needed, so
 * whoever holds the SAB (the bus in the driver's thread, later a CPU worker)
 * applies them directly, and the device worker just reads the result
 * (Command.BME, MSI and MSI-X control, Interrupt Line).
 *
 * A generation counter after the masks counts software writes, so a device
 * model can cache what it derives from config space (Bus Master Enable, the
 * interrupt mode, the MSI message) and recheck it with one atomic load per
 * use instead of several byte loads (see FunctionInterrupts). Device-side raw
 * stores do not count: they never change what such caches derive from.
 *
 * BAR sizing falls out of the masks: a BAR's writable bits are its address
 * bits above the size, so writing all-ones reads back ~(size-1) plus the
 * read-only type bits, exactly as the PCI spec's sizing protocol expects.
 */

export const CFG_SIZE = 4096;

// Type 0 header offsets (PCI Local Bus spec 3.0, §6.1).
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
export const PCI_PROG_IF = 0x09;
export const PCI_SUBCLASS = 0x0a;
export const PCI_CLASS = 0x0b;
export const PCI_CACHE_LINE_SIZE = 0x0c;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BAR0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_EXPANSION_ROM = 0x30;
export const PCI_CAP_PTR = 0x34;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;

// Command register bits.
export const PCI_COMMAND_IO = 1 << 0;
export const PCI_COMMAND_MEMORY = 1 << 1;
export const PCI_COMMAND_MASTER = 1 << 2;
export const PCI_COMMAND_PARITY = 1 << 6;
export const PCI_COMMAND_SERR = 1 << 8;
export const PCI_COMMAND_INTX_DISABLE = 1 << 10;
// Status register bits.
export const PCI_STATUS_INTERRUPT = 1 << 3;
export const PCI_STATUS_CAP_LIST = 1 << 4;

// Capability IDs.
export const PCI_CAP_ID_PM = 0x01;
export const PCI_CAP_ID_MSI = 0x05;
export const PCI_CAP_ID_EXP = 0x10;
export const PCI_CAP_ID_MSIX = 0x11;

// BAR low bits.
export const PCI_BAR_IO = 0x1;
export const PCI_BAR_MEM_TYPE_64 = 0x4;
export const PCI_BAR_MEM_PREFETCH = 0x8;

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  revisionId: number;
  classCode: number;
  subclass: number;
  progIf: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** 1 = INTA#, 0 = no INTx pin. */
  interruptPin: number;
}

export class ConfigSpace {
  readonly sab: SharedArrayBuffer;
  readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly wmask: Uint8Array;
  private readonly w1cmask: Uint8Array;
  /** [0]: software writes so far (see generation). */
  private readonly gen: Int32Array;
  /** Next free byte for a capability (capabilities go after the header). */
  private capNext = 0x40;
  private capLast = 0;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(CFG_SIZE * 3 + 64);
    this.u8 = new Uint8Array(this.sab, 0, CFG_SIZE);
    this.i32 = new Int32Array(this.sab, 0, CFG_SIZE >> 2);
    this.wmask = new Uint8Array(this.sab, CFG_SIZE, CFG_SIZE);
    this.w1cmask = new Uint8Array(this.sab, CFG_SIZE * 2, CFG_SIZE);
    this.gen = new Int32Array(this.sab, CFG_SIZE * 3, 1);
  }

  /** Changes whenever software writes configuration space (see the file comment). */
  get generation(): number {
    return Atomics.load(this.gen, 0);
  }

  /** Lays down the header a device model starts with. */
  initHeader(id: PciIdentity): void {
    this.raw16(PCI_VENDOR_ID, id.vendorId);
    this.raw16(PCI_DEVICE_ID, id.deviceId);
    this.u8[PCI_REVISION_ID] = id.revisionId;
    this.u8[PCI_PROG_IF] = id.progIf;
    this.u8[PCI_SUBCLASS] = id.subclass;
    this.u8[PCI_CLASS] = id.classCode;
    this.u8[PCI_HEADER_TYPE] = 0x00; // type 0, single function
    this.raw16(PCI_SUBSYSTEM_VENDOR_ID, id.subsystemVendorId ?? id.vendorId);
    this.raw16(PCI_SUBSYSTEM_ID, id.subsystemId ?? id.deviceId);
    this.u8[PCI_INTERRUPT_PIN] = id.interruptPin;
    // Writable: Command (memory space, bus master, parity, SERR, INTx disable),
    // cache line size, latency timer, interrupt line.
    this.setWmask16(PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    this.wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    this.wmask[PCI_LATENCY_TIMER] = 0xff;
    this.wmask[PCI_INTERRUPT_LINE] = 0xff;
    // Status error bits (15:11, 8) are write-1-to-clear.
    this.w1cmask[PCI_STATUS] = 0x00;
    this.w1cmask[PCI_STATUS + 1] = 0xf9;
  }

  /** Declares a memory BAR of `size` bytes (a power of two ≥ 16). A 64-bit BAR takes index and index+1. */
  defineMemBar(index: number, size: number, is64: boolean, prefetchable = false): void {
    if (size < 16 || (size & (size - 1)) !== 0) throw new RangeError(`BAR size must be a power of two ≥ 16 (got ${size})`);
    const off = PCI_BAR0 + index * 4;
    const typeBits = (is64 ? PCI_BAR_MEM_TYPE_64 : 0) | (prefetchable ? PCI_BAR_MEM_PREFETCH : 0);
    this.raw32(off, typeBits);
    this.setWmask32(off, ~(size - 1) & ~0xf);
    if (is64) {
      this.raw32(off + 4, 0);
      this.setWmask32(off + 4, 0xffffffff); // sizes < 4 GiB: the whole upper dword is address
    }
  }

  /** Decoded base address of a memory BAR (combining both halves of a 64-bit BAR). */
  barAddress(index: number): number {
    const off = PCI_BAR0 + index * 4;
    const lo = this.read32(off);
    if (lo & PCI_BAR_IO) return lo & ~3;
    const base = (lo & ~0xf) >>> 0;
    if ((lo & 0x6) === PCI_BAR_MEM_TYPE_64) return base + this.read32(off + 4) * 2 ** 32;
    return base;
  }

  /** Adds a capability of `len` bytes with `id`, links it into the list, returns its offset. */
  addCapability(id: number, len: number): number {
    const off = this.capNext;
    this.capNext = (off + len + 3) & ~3;
    if (this.capNext > 0x100) throw new RangeError('PCI capability list overflows the 256-byte space');
    this.u8[off] = id;
    this.u8[off + 1] = 0;
    if (this.capLast === 0) this.u8[PCI_CAP_PTR] = off;
    else this.u8[this.capLast + 1] = off;
    this.capLast = off;
    this.raw16(PCI_STATUS, this.read16(PCI_STATUS) | PCI_STATUS_CAP_LIST);
    return off;
  }

  // ---- software (driver) access: masked writes ----

  read8(off: number): number {
    return Atomics.load(this.u8, off);
  }

  read16(off: number): number {
    return this.read8(off) | (this.read8(off + 1) << 8);
  }

  read32(off: number): number {
    if ((off & 3) === 0) return Atomics.load(this.i32, off >> 2) >>> 0;
    return (this.read16(off) | (this.read16(off + 2) << 16)) >>> 0;
  }

  read(off: number, width: 1 | 2 | 4): number {
    return width === 1 ? this.read8(off) : width === 2 ? this.read16(off) : this.read32(off);
  }

  /** A configuration write as software issues it: RO bits keep their value, RW1C bits clear on 1. */
  write(off: number, width: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < width; i++) {
      const a = off + i;
      const b = (value >>> (i * 8)) & 0xff;
      const old = this.u8[a]!;
      const wm = this.wmask[a]!;
      const cm = this.w1cmask[a]!;
      const nv = ((old & ~wm) | (b & wm)) & ~(b & cm);
      if (nv !== old) Atomics.store(this.u8, a, nv);
    }
    Atomics.add(this.gen, 0, 1); // after the bytes: a reader that sees the new generation sees them
  }

  // ---- device-model access: raw stores and mask setup ----

  raw8(off: number, v: number): void {
    Atomics.store(this.u8, off, v & 0xff);
  }

  raw16(off: number, v: number): void {
    this.raw8(off, v);
    this.raw8(off + 1, v >>> 8);
  }

  raw32(off: number, v: number): void {
    this.raw16(off, v);
    this.raw16(off + 2, v >>> 16);
  }

  setWmask8(off: number, m: number): void {
    this.wmask[off] = m & 0xff;
  }

  setWmask16(off: number, m: number): void {
    this.setWmask8(off, m);
    this.setWmask8(off + 1, m >>> 8);
  }

  setWmask32(off: number, m: number): void {
    this.setWmask16(off, m);
    this.setWmask16(off + 2, m >>> 16);
  }

  /** Command.BME: the function may master the bus (DMA, MSI). */
  get busMaster(): boolean {
    return (this.read8(PCI_COMMAND) & PCI_COMMAND_MASTER) !== 0;
  }

  get intxDisabled(): boolean {
    return (this.read16(PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) !== 0;
  }

  /** Interrupt Status (Status bit 3): mirrors the function's INTx assertion. */
  setInterruptStatus(on: boolean): void {
    const s = this.read8(PCI_STATUS);
    this.raw8(PCI_STATUS, on ? s | PCI_STATUS_INTERRUPT : s & ~PCI_STATUS_INTERRUPT);
  }
}
