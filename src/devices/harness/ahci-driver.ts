/**
 * A driver-side harness for the AHCI model, written the way a driver is from
 * the AHCI 1.3.1 specification (§10 "Software manipulation"): HBA reset,
 * GHC.AE, per-port command list and received-FIS setup, FRE then ST, command
 * headers and tables with PRDTs holding a Register H2D FIS, PxCI to issue,
 * interrupts (MSI or INTx) and PxIS/IS write-1-to-clear to acknowledge.
 */
import type { Platform } from './platform.js';
import { assignAndEnable, MmioWindow, scanBus, setInterruptLine, setupMsi, type FoundFunction } from './pci-enum.js';
import { INTX_VECTOR_BASE } from '../irq.js';
import * as A from '../ahci/regs.js';

export const AHCI_MSI_VECTOR = 0x60;
export const AHCI_INTX_LINE = 11;
const DEFAULT_TIMEOUT_MS = 5000;
/** Pages per command table: 128-byte header area + 504 PRD entries. */
const TABLE_PAGES = 2;
export const MAX_PRDS_PER_TABLE = (TABLE_PAGES * 4096 - A.CT_PRDT) / A.PRD_SIZE;

export interface Prd {
  addr: number;
  /** Byte count (even, ≤ 4 MiB). */
  len: number;
  /** Interrupt on completion of this entry. */
  irq?: boolean;
}

export interface AtaCommand {
  command: number;
  features?: number;
  lba?: number;
  count?: number;
  /** Host to device data (sets the header's W bit). */
  write?: boolean;
  prds?: Prd[];
}

export interface AhciResult {
  ok: boolean;
  /** PxIS bits seen when the command ended. */
  pxis: number;
  tfd: number;
  /** Bytes the HBA reported transferred (PRDBC). */
  prdbc: number;
}

export class AhciPort {
  clb = 0;
  fb = 0;
  readonly tables: number[] = [];
  constructor(readonly index: number) {}
}

export class AhciDriver {
  readonly fn: FoundFunction;
  readonly abar: MmioWindow;
  readonly ports: AhciPort[] = [];
  cap = 0;
  pi = 0;
  vector: number;
  timeoutMs = DEFAULT_TIMEOUT_MS;

  private constructor(readonly p: Platform, fn: FoundFunction, vector: number) {
    this.fn = fn;
    this.abar = new MmioWindow(p.bus, fn.bars.find((b) => b.index === 5)!.base);
    this.vector = vector;
  }

  /** Finds the first AHCI HBA (class 01h/06h/01h), assigns ABAR, enables it, sets up MSI or INTx. */
  static probe(p: Platform, opts: { interrupts?: 'msi' | 'intx' } = {}): AhciDriver {
    const fn = scanBus(p.bus).find((f) => f.classCode === 0x01 && f.subclass === 0x06 && f.progIf === 0x01);
    if (fn === undefined) throw new Error('no AHCI HBA on the bus');
    assignAndEnable(p.bus, fn, p.mmioWindow);
    if (opts.interrupts === 'intx') {
      setInterruptLine(p.bus, fn, AHCI_INTX_LINE);
      return new AhciDriver(p, fn, INTX_VECTOR_BASE + AHCI_INTX_LINE);
    }
    setupMsi(p.bus, fn, AHCI_MSI_VECTOR);
    return new AhciDriver(p, fn, AHCI_MSI_VECTOR);
  }

  private preg(port: number, r: number): number {
    return this.abar.r32(A.PORT_BASE + port * A.PORT_SIZE + r);
  }

  private setPreg(port: number, r: number, v: number): void {
    this.abar.w32(A.PORT_BASE + port * A.PORT_SIZE + r, v);
  }

  private poll(what: string, cond: () => boolean): void {
    const deadline = Date.now() + this.timeoutMs;
    while (!cond()) if (Date.now() > deadline) throw new Error(`AHCI: timeout waiting for ${what}`);
  }

  /** HBA reset, AHCI mode, then every implemented port with a device brought up. */
  init(): void {
    this.abar.w32(A.HBA_GHC, A.GHC_AE);
    this.abar.w32(A.HBA_GHC, A.GHC_AE | A.GHC_HR);
    this.poll('GHC.HR to clear', () => (this.abar.r32(A.HBA_GHC) & A.GHC_HR) === 0);
    this.abar.w32(A.HBA_GHC, A.GHC_AE);
    this.cap = this.abar.r32(A.HBA_CAP);
    this.pi = this.abar.r32(A.HBA_PI);
    const slots = ((this.cap >>> A.CAP_NCS_SHIFT) & 0x1f) + 1;
    for (let i = 0; i < 32; i++) {
      if ((this.pi & (1 << i)) === 0) continue;
      const port = new AhciPort(i);
      this.stopPort(i);
      port.clb = this.p.pages.alloc(1); // 1 KiB command list (in a page)
      port.fb = this.p.pages.alloc(1); // 256-byte received-FIS area
      for (let s = 0; s < slots; s++) port.tables.push(this.p.pages.alloc(TABLE_PAGES));
      this.setPreg(i, A.PxCLB, port.clb);
      this.setPreg(i, A.PxCLBU, 0);
      this.setPreg(i, A.PxFB, port.fb);
      this.setPreg(i, A.PxFBU, 0);
      this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_FRE);
      this.setPreg(i, A.PxSERR, -1);
      this.setPreg(i, A.PxIS, -1);
      this.setPreg(i, A.PxIE, A.PxIS_DHRS | A.PxIS_PSS | A.PxIS_DPS | A.PxIS_FATAL);
      if ((this.preg(i, A.PxSSTS) & 0xf) !== 3) continue; // no device
      this.poll('PxTFD BSY/DRQ clear', () => (this.preg(i, A.PxTFD) & (A.ATA_STS_BSY | A.ATA_STS_DRQ)) === 0);
      this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_ST);
      this.ports.push(port);
    }
    this.abar.w32(A.HBA_IS, -1);
    this.abar.w32(A.HBA_GHC, A.GHC_AE | A.GHC_IE);
  }

  /** Clears ST and FRE and waits for CR and FR to drop (§10.1.2). */
  stopPort(i: number): void {
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) & ~A.PxCMD_ST);
    this.poll('PxCMD.CR=0', () => (this.preg(i, A.PxCMD) & A.PxCMD_CR) === 0);
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) & ~A.PxCMD_FRE);
    this.poll('PxCMD.FR=0', () => (this.preg(i, A.PxCMD) & A.PxCMD_FR) === 0);
  }

  /** Error recovery (§6.2.2.1): stop the port, clear SERR and IS, start it again. */
  recover(i: number): void {
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) & ~A.PxCMD_ST);
    this.poll('PxCMD.CR=0', () => (this.preg(i, A.PxCMD) & A.PxCMD_CR) === 0);
    this.setPreg(i, A.PxSERR, -1);
    this.setPreg(i, A.PxIS, -1);
    this.abar.w32(A.HBA_IS, 1 << i);
    if (this.preg(i, A.PxTFD) & (A.ATA_STS_BSY | A.ATA_STS_DRQ)) this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_CLO);
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_ST);
  }

  /** Builds the command header and table in `slot` and sets its PxCI bit. */
  issue(port: AhciPort, slot: number, c: AtaCommand): void {
    const ram = this.p.ram;
    const u8 = ram.u8;
    const u32 = ram.u32;
    const table = port.tables[slot]!;
    const prds = c.prds ?? [];
    if (prds.length > MAX_PRDS_PER_TABLE) throw new RangeError(`too many PRDs (${prds.length})`);
    // Register H2D FIS (5 dwords).
    u8.fill(0, table, table + A.CT_PRDT);
    const lba = c.lba ?? 0;
    const hi = Math.floor(lba / 16777216);
    const count = c.count ?? 0;
    u8[table + 0] = A.FIS_TYPE_REG_H2D;
    u8[table + 1] = 0x80; // C: command register update
    u8[table + 2] = c.command;
    u8[table + 3] = (c.features ?? 0) & 0xff;
    u8[table + 4] = lba & 0xff;
    u8[table + 5] = (lba >>> 8) & 0xff;
    u8[table + 6] = (lba >>> 16) & 0xff;
    u8[table + 7] = 0x40; // device: LBA mode
    u8[table + 8] = hi & 0xff;
    u8[table + 9] = (hi >>> 8) & 0xff;
    u8[table + 10] = (hi >>> 16) & 0xff;
    u8[table + 11] = ((c.features ?? 0) >>> 8) & 0xff;
    u8[table + 12] = count & 0xff;
    u8[table + 13] = (count >>> 8) & 0xff;
    for (let i = 0; i < prds.length; i++) {
      const e = (table + A.CT_PRDT + i * A.PRD_SIZE) >>> 2;
      u32[e] = prds[i]!.addr;
      u32[e + 1] = 0;
      u32[e + 2] = 0;
      u32[e + 3] = ((prds[i]!.len - 1) & A.PRD_DBC_MASK) | (prds[i]!.irq ? A.PRD_I : 0);
    }
    const h = (port.clb + slot * A.CMD_HEADER_SIZE) >>> 2;
    u32[h] = 5 | (c.write ? 1 << 6 : 0) | (prds.length << 16); // CFL = 5 dwords
    u32[h + 1] = 0; // PRDBC
    u32[h + 2] = table;
    u32[h + 3] = 0;
    this.setPreg(port.index, A.PxCI, 1 << slot);
  }

  /** Waits until the slot's PxCI bit clears or the port reports an error; acknowledges interrupts. */
  wait(port: AhciPort, slot: number): AhciResult {
    const deadline = Date.now() + this.timeoutMs;
    const bit = 1 << slot;
    let seen = 0;
    for (;;) {
      // Read PxIS and PxCI before acknowledging: a read must wait for every
      // posted write to reach the HBA (PCI ordering), so reads that follow the
      // W1C writes would each cost a round trip to the device.
      // PxCI first: the HBA sets PxIS before it clears the slot's PxCI bit,
      // so a cleared bit guarantees the status read next is complete.
      const ci = this.preg(port.index, A.PxCI);
      const pxis = this.preg(port.index, A.PxIS);
      if (pxis !== 0) {
        seen |= pxis;
        this.setPreg(port.index, A.PxIS, pxis); // write 1 to clear
        this.abar.w32(A.HBA_IS, 1 << port.index);
      }
      if ((ci & bit) === 0 || (seen & A.PxIS_FATAL) !== 0) {
        const prdbc = this.p.ram.u32[((port.clb + slot * A.CMD_HEADER_SIZE) >>> 2) + 1]!;
        const ok = (ci & bit) === 0 && (seen & A.PxIS_FATAL) === 0;
        return { ok, pxis: seen, tfd: ok ? A.ATA_STS_DRDY | A.ATA_STS_DSC : this.preg(port.index, A.PxTFD), prdbc };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`AHCI: timeout on port ${port.index} slot ${slot}`);
      this.p.fabric.wait(this.vector, Math.min(left, 100));
    }
  }

  run(port: AhciPort, c: AtaCommand, slot = 0): AhciResult {
    this.issue(port, slot, c);
    return this.wait(port, slot);
  }

  /** IDENTIFY DEVICE into a fresh page; returns the 512 bytes. */
  identify(port: AhciPort): Uint8Array {
    const buf = this.p.pages.alloc(1);
    const r = this.run(port, { command: A.ATA_IDENTIFY_DEVICE, prds: [{ addr: buf, len: 512, irq: true }] });
    if (!r.ok) throw new Error(`AHCI IDENTIFY failed: TFD 0x${r.tfd.toString(16)}`);
    const out = this.p.ram.u8.slice(buf, buf + 512);
    this.p.pages.free(buf);
    return out;
  }

  /** PRDs covering a physically contiguous buffer, `chunk` bytes per entry. */
  static prdsFor(addr: number, bytes: number, chunk = 4 * 1024 * 1024): Prd[] {
    const out: Prd[] = [];
    for (let off = 0; off < bytes; off += chunk) out.push({ addr: addr + off, len: Math.min(chunk, bytes - off) });
    return out;
  }

  readWrite(port: AhciPort, write: boolean, lba: number, count: number, prds: Prd[], slot = 0): AhciResult {
    return this.run(port, { command: write ? A.ATA_WRITE_DMA_EXT : A.ATA_READ_DMA_EXT, lba, count, write, prds }, slot);
  }

  flush(port: AhciPort): AhciResult {
    return this.run(port, { command: A.ATA_FLUSH_CACHE_EXT });
  }
}
