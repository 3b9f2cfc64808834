/**
 * A driver-side harness for the AHCI model, written the way a driver is from
 * the AHCI 1.3.1 specification (§10 "Software manipulation"): HBA reset,
 * GHC.AE, per-port command list and received-FIS setup, FRE then ST, command
 * headers and tables with PRDTs holding a Register H2D FIS, PxCI to issue,
 * interrupts (MSI or INTx) and PxIS/IS write-1-to-clear to acknowledge.
 * Queued commands (NCQ, READ/WRITE FPDMA QUEUED) set PxSACT before PxCI and
 * are complete when their PxSACT bit clears (Set Device Bits FIS).
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
const NO_PRDS: Prd[] = [];

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
  /** Slots issued and not yet seen complete: the driver's shadow of PxCI. */
  issued = 0;
  /** Slots seen complete (PxCI bit cleared) and not yet claimed. */
  completed = 0;
  /** PxIS bits acknowledged by service() and not yet reported. */
  isSeen = 0;
  /** Of `issued`, the slots issued as NCQ commands (done when their PxSACT bit clears). */
  ncq = 0;
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
      this.setPreg(i, A.PxIE, A.PxIS_DHRS | A.PxIS_PSS | A.PxIS_SDBS | A.PxIS_DPS | A.PxIS_FATAL);
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
    const port = this.ports.find((p) => p.index === i);
    if (port !== undefined) {
      // Stopping the port clears PxCI: every issued command is abandoned.
      port.issued = 0;
      port.completed = 0;
      port.isSeen = 0;
      port.ncq = 0;
    }
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) & ~A.PxCMD_ST);
    this.poll('PxCMD.CR=0', () => (this.preg(i, A.PxCMD) & A.PxCMD_CR) === 0);
    this.setPreg(i, A.PxSERR, -1);
    this.setPreg(i, A.PxIS, -1);
    this.abar.w32(A.HBA_IS, 1 << i);
    if (this.preg(i, A.PxTFD) & (A.ATA_STS_BSY | A.ATA_STS_DRQ)) this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_CLO);
    this.setPreg(i, A.PxCMD, this.preg(i, A.PxCMD) | A.PxCMD_ST);
  }

  /** Builds the command header and table in `slot` and sets its PxCI bit. */
  issue(port: AhciPort, slot: number, c: AtaCommand, ring = true): void {
    this.build(port, slot, c.command, c.features ?? 0, c.lba ?? 0, c.count ?? 0, c.write === true, c.prds ?? NO_PRDS);
    if (ring) this.setPreg(port.index, A.PxCI, 1 << slot);
  }

  /** The command header, H2D FIS and PRDT of a non-queued command in `slot` (no PxCI write). Allocation-free. */
  private build(port: AhciPort, slot: number, command: number, features: number, lba: number, count: number, write: boolean, prds: Prd[]): void {
    const u32 = this.p.ram.u32;
    const table = port.tables[slot]!;
    if (prds.length > MAX_PRDS_PER_TABLE) throw new RangeError(`too many PRDs (${prds.length})`);
    // Register H2D FIS, 5 dwords written whole (CFL = 5: the HBA reads no
    // more of the table's command area, so nothing else needs clearing).
    const hi = Math.floor(lba / 16777216);
    const t = table >>> 2;
    // type, C (command register update), command, features 7:0
    u32[t] = A.FIS_TYPE_REG_H2D | (0x80 << 8) | ((command & 0xff) << 16) | ((features & 0xff) << 24);
    u32[t + 1] = (lba & 0xffffff) | (0x40 << 24); // LBA 23:0, device: LBA mode
    u32[t + 2] = (hi & 0xffffff) | (((features >>> 8) & 0xff) << 24); // LBA 47:24, features 15:8
    u32[t + 3] = count & 0xffff; // count 15:0, ICC 0, control 0
    u32[t + 4] = 0;
    this.writePrdt(table, prds);
    const h = (port.clb + slot * A.CMD_HEADER_SIZE) >>> 2;
    u32[h] = 5 | (write ? 1 << 6 : 0) | (prds.length << 16); // CFL = 5 dwords
    u32[h + 1] = 0; // PRDBC
    u32[h + 2] = table;
    u32[h + 3] = 0;
    port.issued |= 1 << slot;
    port.ncq &= ~(1 << slot);
    port.completed &= ~(1 << slot);
  }

  /**
   * The PRDT of a command table. Entries already right (a slot reused for
   * the same buffers, as in a QD1 loop) are not rewritten: the HBA read
   * them, and a store would take the line back from its core only for the
   * HBA to fetch it again.
   */
  private writePrdt(table: number, prds: Prd[]): void {
    const u32 = this.p.ram.u32;
    for (let i = 0; i < prds.length; i++) {
      const e = (table + A.CT_PRDT + i * A.PRD_SIZE) >>> 2;
      const d = prds[i]!;
      const dw3 = (((d.len - 1) & A.PRD_DBC_MASK) | (d.irq === true ? A.PRD_I : 0)) >>> 0;
      if (u32[e] !== d.addr) u32[e] = d.addr;
      if (u32[e + 1] !== 0) u32[e + 1] = 0;
      if (u32[e + 2] !== 0) u32[e + 2] = 0;
      if (u32[e + 3] !== dw3) u32[e + 3] = dw3;
    }
  }

  /** True when the HBA (CAP.SNCQ) can queue commands. */
  get ncqSupported(): boolean {
    return (this.cap & A.CAP_SNCQ) !== 0;
  }

  /**
   * Builds READ/WRITE FPDMA QUEUED in `slot` (tag = slot, sector count in
   * FEATURES, FUA in DEVICE bit 7) and, if `ring`, sets its PxSACT then its
   * PxCI bit. Allocation-free over a caller-kept PRD list.
   */
  issueNcq(port: AhciPort, slot: number, write: boolean, lba: number, count: number, prds: Prd[], ring = true, fua = false): void {
    const u8 = this.p.ram.u8;
    const u32 = this.p.ram.u32;
    const table = port.tables[slot]!;
    if (prds.length > MAX_PRDS_PER_TABLE) throw new RangeError(`too many PRDs (${prds.length})`);
    if (count < 1 || count > 65536) throw new RangeError(`NCQ sector count ${count}`);
    const t = table >>> 2;
    const hi = Math.floor(lba / 16777216);
    const c = count & 0xffff; // 65536 is encoded as 0
    // Register H2D FIS, 5 dwords, written whole.
    u32[t] = A.FIS_TYPE_REG_H2D | (0x80 << 8) | ((write ? A.ATA_WRITE_FPDMA_QUEUED : A.ATA_READ_FPDMA_QUEUED) << 16) | ((c & 0xff) << 24);
    u32[t + 1] = (lba & 0xffffff) | ((0x40 | (fua ? A.ATA_DEV_FUA : 0)) << 24);
    u32[t + 2] = (hi & 0xffffff) | ((c >>> 8) << 24);
    u32[t + 3] = slot << 3; // COUNT 7:3 = tag
    u32[t + 4] = 0;
    this.writePrdt(table, prds);
    const h = (port.clb + slot * A.CMD_HEADER_SIZE) >>> 2;
    u32[h] = 5 | (write ? 1 << 6 : 0) | (prds.length << 16);
    u32[h + 1] = 0;
    u32[h + 2] = table;
    u32[h + 3] = 0;
    const bit = 1 << slot;
    port.issued |= bit;
    port.ncq |= bit;
    port.completed &= ~bit;
    if (ring) this.ringNcq(port, bit);
  }

  /** Issues the NCQ slots in `mask` (built with issueNcq(..., ring = false)): PxSACT, then PxCI. */
  ringNcq(port: AhciPort, mask: number): void {
    const base = A.PORT_BASE + port.index * A.PORT_SIZE;
    this.abar.w32pair(base + A.PxSACT, mask, base + A.PxCI, mask); // two posted writes, in order, one ring reservation
  }

  /**
   * NCQ error recovery (ATA8-ACS, AHCI §6.2.2.2): note the tags still
   * outstanding, restart the port (which clears PxSACT and PxCI), then read
   * General Purpose Log 10h to learn which tag failed. The caller reissues
   * the other outstanding tags. Returns failedTag -1 when the log says no
   * queued command failed (NQ).
   */
  recoverNcq(port: AhciPort): { failedTag: number; status: number; error: number; lba: number; outstanding: number; completed: number } {
    this.service(port); // completions reported with (or before) the error
    const outstanding = port.ncq;
    const completed = port.completed;
    this.recover(port.index);
    const buf = this.p.pages.alloc(1);
    try {
      const r = this.run(port, { command: A.ATA_READ_LOG_EXT, lba: A.ATA_LOG_NCQ_ERROR, count: 1, prds: [{ addr: buf, len: 512 }] });
      if (!r.ok) throw new Error(`AHCI READ LOG EXT 10h failed: TFD 0x${r.tfd.toString(16)}`);
      const u8 = this.p.ram.u8;
      const nq = (u8[buf]! & 0x80) !== 0;
      const lba = u8[buf + 4]! + u8[buf + 5]! * 256 + u8[buf + 6]! * 65536 + (u8[buf + 8]! + u8[buf + 9]! * 256 + u8[buf + 10]! * 65536) * 16777216;
      return { failedTag: nq ? -1 : u8[buf]! & 0x1f, status: u8[buf + 2]!, error: u8[buf + 3]!, lba, outstanding, completed };
    } finally {
      this.p.pages.free(buf);
      port.completed = completed & ~port.issued; // slots done before the error stay claimable
    }
  }

  /** Issues every slot in `mask` (built with issue(..., ring = false)) with one PxCI write. */
  ringSlots(port: AhciPort, mask: number): void {
    this.setPreg(port.index, A.PxCI, mask);
  }

  /**
   * The interrupt handler's work: acknowledge PxIS and IS (write 1 to clear)
   * and move slots whose PxCI bit cleared from `issued` to `completed`.
   *
   * Order matters. With MSI every event sends its own message, so PxCI is
   * read first, before the acknowledgements are posted: both reads are then
   * free when nothing else is posted. With a level-triggered INTx line, an
   * event that lands between the PxIS read and the acknowledgement raises no
   * new edge, so PxCI is read *after* the acknowledgements (a read flushes
   * posted writes) and such an event shows up in it.
   */
  service(port: AhciPort): void {
    const intx = this.vector === INTX_VECTOR_BASE + AHCI_INTX_LINE;
    // Non-queued slots are done when their PxCI bit clears, NCQ slots when
    // their PxSACT bit does; read only the register that matters.
    const legacy = port.issued & ~port.ncq;
    let ci = 0;
    let sact = 0;
    if (!intx) {
      if (legacy !== 0) ci = this.preg(port.index, A.PxCI);
      if (port.ncq !== 0) sact = this.preg(port.index, A.PxSACT);
    }
    const pxis = this.preg(port.index, A.PxIS);
    if (pxis !== 0) {
      port.isSeen |= pxis;
      // Write 1 to clear PxIS, then IS: two posted writes, in one ring reservation.
      this.abar.w32pair(A.PORT_BASE + port.index * A.PORT_SIZE + A.PxIS, pxis, A.HBA_IS, 1 << port.index);
    }
    if (intx) {
      if (legacy !== 0) ci = this.preg(port.index, A.PxCI);
      if (port.ncq !== 0) sact = this.preg(port.index, A.PxSACT);
    }
    const done = (legacy & ~ci) | (port.ncq & ~sact);
    port.issued &= ~done;
    port.ncq &= ~done;
    port.completed |= done;
  }

  /** Takes the completed-slot mask (for batch reaping); throws on a port error. */
  takeCompleted(port: AhciPort): number {
    if ((port.isSeen & A.PxIS_FATAL) !== 0) throw new Error(`AHCI: port ${port.index} error, PxIS 0x${port.isSeen.toString(16)}`);
    const m = port.completed;
    port.completed = 0;
    return m;
  }

  /** Blocks until the HBA's interrupt arrives (spin, then sleep), or `timeoutMs` passes. */
  waitInterrupt(timeoutMs = this.timeoutMs): boolean {
    return this.p.fabric.wait(this.vector, timeoutMs) !== 0;
  }

  /**
   * READ/WRITE DMA EXT in `slot`, issued and waited for; true on success.
   * The allocation-free form of readWrite() for loops that need only
   * success (no command object, no result object). On failure the port is
   * left as readWrite() leaves it (call recover()).
   */
  readWriteOk(port: AhciPort, write: boolean, lba: number, count: number, prds: Prd[], slot = 0): boolean {
    this.build(port, slot, write ? A.ATA_WRITE_DMA_EXT : A.ATA_READ_DMA_EXT, 0, lba, count, write, prds);
    this.setPreg(port.index, A.PxCI, 1 << slot);
    this.waitSlot(port, slot);
    const bit = 1 << slot;
    const ok = (port.completed & bit) !== 0 && (port.isSeen & A.PxIS_FATAL) === 0;
    port.isSeen = 0;
    port.completed &= ~bit;
    return ok;
  }

  /** Services the port until `slot` completes or the port reports an error (see wait). */
  private waitSlot(port: AhciPort, slot: number): void {
    let deadline = 0; // read the clock only if the first interrupt wait was not enough
    const bit = 1 << slot;
    for (let first = true; ; first = false) {
      if ((port.completed & bit) !== 0 || (port.isSeen & A.PxIS_FATAL) !== 0) return;
      if (!first && deadline === 0) deadline = Date.now() + this.timeoutMs;
      const left = first ? this.timeoutMs : deadline - Date.now();
      if (left <= 0) throw new Error(`AHCI: timeout on port ${port.index} slot ${slot}`);
      // The first pass services at once if the slot was never issued through
      // issue() (a caller that wrote PxCI itself): nothing else would.
      if (!first || (port.issued & bit) !== 0) this.p.fabric.wait(this.vector, Math.min(left, 100));
      else port.issued |= bit;
      this.service(port);
    }
  }

  /**
   * Waits until the slot completes or the port reports an error, as a driver
   * does: first the interrupt, then service() reads and acknowledges the
   * registers. (Reading PxCI before the interrupt would cost a round trip to
   * the HBA for nothing.)
   */
  wait(port: AhciPort, slot: number): AhciResult {
    this.waitSlot(port, slot);
    const bit = 1 << slot;
    const ok = (port.completed & bit) !== 0 && (port.isSeen & A.PxIS_FATAL) === 0;
    const prdbc = this.p.ram.u32[((port.clb + slot * A.CMD_HEADER_SIZE) >>> 2) + 1]!;
    const pxis = port.isSeen;
    port.isSeen = 0;
    port.completed &= ~bit;
    return { ok, pxis, tfd: ok ? A.ATA_STS_DRDY | A.ATA_STS_DSC : this.preg(port.index, A.PxTFD), prdbc };
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
