/**
 * The AHCI host bus adapter model (Serial ATA AHCI 1.3.1) with one SATA disk
 * per implemented port.
 *
 * A driver reaches it only through ABAR (posted writes arrive in mmioWrite),
 * guest RAM (command lists, command tables with PRDTs, received-FIS areas,
 * data) and interrupts. When software sets PxCI bits on a started port,
 * poll() fetches each command header, decodes the Register H2D FIS in its
 * command table, runs the ATA command against the port's backing store
 * (DMA goes straight between the image file and guest RAM, split only at
 * PRD boundaries that are not physically adjacent), writes PRDBC, posts the
 * device's answer FIS into the received-FIS area, clears the PxCI bit and
 * raises PxIS → IS → interrupt. Posted register writes are applied between
 * commands, as hardware's register interface runs beside its command engine.
 *
 * Errors follow §6.1: a failing ATA command sets PxTFD.STS.ERR with the ATA
 * error, PxIS.TFES, and leaves its PxCI bit set with PxCMD.CCS naming it; the
 * port stops fetching until software clears PxCMD.ST (which clears PxCI) and
 * sets it again.
 *
 * Native Command Queuing (CAP.SNCQ = 1, IDENTIFY words 75/76): software sets
 * a slot's PxSACT bit, then its PxCI bit, for READ/WRITE FPDMA QUEUED with
 * the tag (= slot) in COUNT 7:3. The disk accepts every queued command at
 * once (its PxCI bit clears, as the device's BSY-clear Register FIS does on
 * hardware), runs them in its own order (round robin from the slot after the
 * last one served, not issue order), and reports them done in Set Device Bits
 * FISes: one per NCQ_SDB_BATCH completions and one when the queue runs dry.
 * The HBA clears the FIS's bits in PxSACT before it raises PxIS.SDBS, so a
 * handler that reads PxSACT sees them done. A failing queued command posts an
 * SDB FIS with ERR (and the completions not yet reported), sets TFD and
 * PxIS.TFES, halts the port with the failed and unstarted tags still in
 * PxSACT, and records the failure in General Purpose Log 10h (READ LOG EXT),
 * which software reads after restarting the port (ATA8-ACS NCQ error
 * recovery). Non-queued commands issued while the queue is busy run after it.
 */
import type { GuestRam } from '../../machine/ram.js';
import type { BackingStore } from '../backing-store.js';
import type { MmioRegion, SyncDevice } from '../mmio.js';
import { byteMaskBits, mergeBytes } from '../mmio.js';
import type { ConfigSpace } from '../pci/config-space.js';
import type { FunctionInterrupts } from '../pci/interrupts.js';
import { ataIdentify } from './identify.js';
import { NCQ_SDB_BATCH } from './layout.js';
import { AHCI_SLOTS } from './layout.js';
import * as A from './regs.js';

/** Most PRD entries one command may carry (PRDTL is 16 bits). */
const MAX_PRDS = 65535;

export interface AhciDisk {
  store: BackingStore;
  serial: string;
  model: string;
}

export interface AhciHbaDeps {
  ram: GuestRam;
  regs: MmioRegion;
  cfg: ConfigSpace;
  irq: FunctionInterrupts;
  disks: AhciDisk[];
}

export class AhciHba implements SyncDevice {
  private readonly ram: GuestRam;
  private readonly u8: Uint8Array;
  private readonly u32: Uint32Array;
  private readonly regs: MmioRegion;
  private readonly cfg: ConfigSpace;
  private readonly irq: FunctionInterrupts;
  private readonly disks: AhciDisk[];
  private readonly identify: Uint8Array[];
  private readonly sectors: number[];
  readonly ports: number;
  /** Port stopped by a fatal error until PxCMD.ST is cleared. */
  private readonly halted: Uint8Array;
  /** Slot to look at first (round robin after the last one served). */
  private readonly nextSlot: Int32Array;
  // Scatter list of the command being executed (preallocated: allocation-free).
  private readonly segAddr = new Float64Array(MAX_PRDS);
  private readonly segLen = new Int32Array(MAX_PRDS);
  private segCount = 0;
  /** Scratch for a log page read. */
  private readonly logPage = new Uint8Array(512);
  private prdInterrupt = false;
  /** Slot of the command being executed. */
  private curSlot = 0;
  /** NCQ tags the disk has accepted (PxCI cleared) and not yet run. */
  private readonly ncqQueued: Int32Array;
  /** NCQ tags run successfully and not yet reported in an SDB FIS. */
  private readonly sdbPending: Int32Array;
  /** Log 10h contents per port: failed tag (-1 none), status, error, LBA. */
  private readonly ncqErrTag: Int32Array;
  private readonly ncqErrStatus: Uint8Array;
  private readonly ncqErrError: Uint8Array;
  private readonly ncqErrLba: Float64Array;

  constructor(d: AhciHbaDeps) {
    if (d.disks.length < 1 || d.disks.length > 32) throw new RangeError('an AHCI HBA has 1..32 ports');
    this.ram = d.ram;
    this.u8 = d.ram.u8;
    this.u32 = d.ram.u32;
    this.regs = d.regs;
    this.cfg = d.cfg;
    this.irq = d.irq;
    this.disks = d.disks;
    this.ports = d.disks.length;
    this.sectors = d.disks.map((k) => Math.floor(k.store.size / 512));
    this.identify = d.disks.map((k, i) => ataIdentify(this.sectors[i]!, k.serial, k.model, '0.1'));
    this.halted = new Uint8Array(this.ports);
    this.nextSlot = new Int32Array(this.ports);
    this.ncqQueued = new Int32Array(this.ports);
    this.sdbPending = new Int32Array(this.ports);
    this.ncqErrTag = new Int32Array(this.ports).fill(-1);
    this.ncqErrStatus = new Uint8Array(this.ports);
    this.ncqErrError = new Uint8Array(this.ports);
    this.ncqErrLba = new Float64Array(this.ports);
    const cap = (this.ports - 1) | ((AHCI_SLOTS - 1) << A.CAP_NCS_SHIFT) | (3 << A.CAP_ISS_SHIFT) | A.CAP_SCLO | A.CAP_S64A | A.CAP_SNCQ;
    this.regs.set32(A.HBA_CAP, cap);
    this.regs.set32(A.HBA_PI, this.ports === 32 ? -1 : (1 << this.ports) - 1);
    this.regs.set32(A.HBA_VS, A.AHCI_VS_1_3);
    this.regs.set32(A.HBA_CAP2, 0);
    this.hbaReset();
  }

  private preg(p: number, r: number): number {
    return this.regs.get32(A.PORT_BASE + p * A.PORT_SIZE + r);
  }

  private setPreg(p: number, r: number, v: number): void {
    this.regs.set32(A.PORT_BASE + p * A.PORT_SIZE + r, v);
  }

  /** GHC.HR: every port and the global registers back to their reset values; CLB/FB survive. */
  private hbaReset(): void {
    this.regs.set32(A.HBA_GHC, 0);
    this.regs.set32(A.HBA_IS, 0);
    for (let p = 0; p < this.ports; p++) {
      this.setPreg(p, A.PxIS, 0);
      this.setPreg(p, A.PxIE, 0);
      this.setPreg(p, A.PxCMD, A.PxCMD_SUD | A.PxCMD_POD);
      this.setPreg(p, A.PxSCTL, 0);
      this.setPreg(p, A.PxSACT, 0);
      this.setPreg(p, A.PxCI, 0);
      this.portReset(p);
    }
    this.updateInterrupt(-1);
  }

  /** COMRESET outcome: the disk is present and has sent its signature. */
  private portReset(p: number): void {
    this.halted[p] = 0;
    this.nextSlot[p] = 0;
    this.ncqQueued[p] = 0;
    this.sdbPending[p] = 0;
    this.ncqErrTag[p] = -1;
    this.setPreg(p, A.PxSERR, 0);
    this.setPreg(p, A.PxSSTS, A.SSTS_ACTIVE_GEN3);
    this.setPreg(p, A.PxSIG, A.SIG_ATA);
    this.setPreg(p, A.PxTFD, A.ATA_STS_DRDY | A.ATA_STS_DSC);
  }

  // ---------------------------------------------------------------- registers

  mmioWrite(dw: number, value: number, mask: number): void {
    const off = dw * 4;
    if (off < A.PORT_BASE) {
      this.ghcWrite(off, value, mask);
      return;
    }
    const p = (off - A.PORT_BASE) >>> 7;
    if (p >= this.ports) return;
    if ((this.regs.get32(A.HBA_GHC) & A.GHC_AE) === 0) return; // AHCI registers need GHC.AE
    this.portWrite(p, off & (A.PORT_SIZE - 1), value, mask);
  }

  private ghcWrite(off: number, value: number, mask: number): void {
    switch (off) {
      case A.HBA_GHC: {
        const v = mergeBytes(this.regs.get32(A.HBA_GHC), value, mask);
        if (v & A.GHC_HR) {
          this.hbaReset(); // completes at once: HR reads back 0
          return;
        }
        this.regs.set32(A.HBA_GHC, v & (A.GHC_AE | A.GHC_IE));
        this.updateInterrupt(-1);
        return;
      }
      case A.HBA_IS: {
        // Write 1 to clear; a port whose PxIS still has enabled bits keeps its bit.
        let is = this.regs.get32(A.HBA_IS) & ~(value & byteMaskBits(mask));
        for (let p = 0; p < this.ports; p++) if (this.preg(p, A.PxIS) & this.preg(p, A.PxIE)) is |= 1 << p;
        this.regs.set32(A.HBA_IS, is);
        this.updateInterrupt(-1);
        return;
      }
      default:
        return; // CAP, PI, VS, CAP2 are read-only; CCC, EM and BOHC are not implemented
    }
  }

  private portWrite(p: number, r: number, value: number, mask: number): void {
    const bits = value & byteMaskBits(mask);
    switch (r) {
      case A.PxCLB:
        this.setPreg(p, r, mergeBytes(this.preg(p, r), value, mask) & ~0x3ff); // 1 KiB aligned
        return;
      case A.PxFB:
        this.setPreg(p, r, mergeBytes(this.preg(p, r), value, mask) & ~0xff); // 256-byte aligned
        return;
      case A.PxCLBU:
      case A.PxFBU:
      case A.PxSCTL:
        this.setPreg(p, r, mergeBytes(this.preg(p, r), value, mask));
        if (r === A.PxSCTL) this.sctlWrite(p);
        return;
      case A.PxIS:
        this.setPreg(p, A.PxIS, this.preg(p, A.PxIS) & ~bits);
        this.syncGlobalIs(p);
        return;
      case A.PxIE:
        this.setPreg(p, A.PxIE, mergeBytes(this.preg(p, r), value, mask) & A.PxIS_VALID);
        this.syncGlobalIs(p);
        return;
      case A.PxCMD:
        this.cmdWrite(p, mergeBytes(this.preg(p, r), value, mask));
        return;
      case A.PxSERR:
        this.setPreg(p, A.PxSERR, this.preg(p, A.PxSERR) & ~bits);
        return;
      case A.PxCI:
        // Software can only set bits, and only while the port runs.
        if (this.preg(p, A.PxCMD) & A.PxCMD_ST) this.setPreg(p, A.PxCI, this.preg(p, A.PxCI) | bits);
        return;
      case A.PxSACT:
        if (this.preg(p, A.PxCMD) & A.PxCMD_ST) this.setPreg(p, A.PxSACT, this.preg(p, A.PxSACT) | bits);
        return;
      default:
        return; // PxTFD, PxSIG, PxSSTS read-only; SNTF/FBS/DEVSLP not implemented
    }
  }

  private cmdWrite(p: number, v: number): void {
    const old = this.preg(p, A.PxCMD);
    let cmd = (old & ~A.PxCMD_WRITABLE) | (v & A.PxCMD_WRITABLE);
    if (cmd & A.PxCMD_CLO) {
      // Command List Override: clear BSY/DRQ so a port can be restarted; self-clearing.
      this.setPreg(p, A.PxTFD, this.preg(p, A.PxTFD) & ~(A.ATA_STS_BSY | A.ATA_STS_DRQ));
      cmd &= ~A.PxCMD_CLO;
    }
    const fisReceiveStarted = (cmd & A.PxCMD_FRE) !== 0 && (old & A.PxCMD_FRE) === 0;
    if (fisReceiveStarted) {
      cmd |= A.PxCMD_FR;
    } else if (!(cmd & A.PxCMD_FRE)) {
      cmd &= ~A.PxCMD_FR;
    }
    if ((cmd & A.PxCMD_ST) && !(old & A.PxCMD_ST)) {
      cmd |= A.PxCMD_CR;
      cmd &= ~(0x1f << A.PxCMD_CCS_SHIFT);
      this.nextSlot[p] = 0;
    } else if (!(cmd & A.PxCMD_ST) && (old & A.PxCMD_ST)) {
      // Stopping the port abandons every issued command and clears the error state.
      cmd &= ~(A.PxCMD_CR | (0x1f << A.PxCMD_CCS_SHIFT));
      this.setPreg(p, A.PxCI, 0);
      this.setPreg(p, A.PxSACT, 0);
      this.ncqQueued[p] = 0;
      this.sdbPending[p] = 0;
      this.halted[p] = 0;
    }
    this.setPreg(p, A.PxCMD, cmd);
    if (fisReceiveStarted) this.postSignatureFis(p);
  }

  /** PxSCTL.DET = 1 holds COMRESET; releasing it (DET = 0) re-establishes the link. */
  private sctlWrite(p: number): void {
    const det = this.preg(p, A.PxSCTL) & 0xf;
    if (det === 1) {
      this.setPreg(p, A.PxSSTS, 0);
      this.setPreg(p, A.PxTFD, 0x7f);
    } else if (det === 0 && (this.preg(p, A.PxSSTS) & 0xf) !== 3) {
      this.portReset(p);
      this.postSignatureFis(p);
    }
  }

  /** The disk's initial D2H Register FIS (its signature), if the FIS area is enabled. */
  private postSignatureFis(p: number): void {
    if (!(this.preg(p, A.PxCMD) & A.PxCMD_FRE) && !(this.preg(p, A.PxCMD) & A.PxCMD_FR)) return;
    const fb = this.preg(p, A.PxFB);
    if (fb === 0 || !this.ram.contains(fb + A.RFIS_RFIS, 20)) return;
    const f = fb + A.RFIS_RFIS;
    this.u8.fill(0, f, f + 20);
    this.u8[f] = A.FIS_TYPE_REG_D2H;
    this.u8[f + 2] = A.ATA_STS_DRDY | A.ATA_STS_DSC;
    this.u8[f + 3] = 1; // error register after diagnostics: no error
    this.u8[f + 4] = 1; // signature: sector count 1, LBA 0 (ATA)
    this.u8[f + 12] = 1;
  }

  // -------------------------------------------------------------- interrupts

  /** Sets PxIS bits; an enabled one sets the port's IS bit and signals. */
  private raise(p: number, bits: number): void {
    this.setPreg(p, A.PxIS, this.preg(p, A.PxIS) | bits);
    if ((bits & this.preg(p, A.PxIE)) === 0) return;
    this.regs.set32(A.HBA_IS, this.regs.get32(A.HBA_IS) | (1 << p));
    this.updateInterrupt(p);
  }

  private syncGlobalIs(p: number): void {
    if (this.preg(p, A.PxIS) & this.preg(p, A.PxIE)) {
      this.regs.set32(A.HBA_IS, this.regs.get32(A.HBA_IS) | (1 << p));
      this.updateInterrupt(p);
    } else {
      this.updateInterrupt(-1);
    }
  }

  /** INTx follows the level (GHC.IE && IS != 0); MSI gets a message for each new event of `port`. */
  private updateInterrupt(port: number): void {
    const ie = (this.regs.get32(A.HBA_GHC) & A.GHC_IE) !== 0;
    const is = this.regs.get32(A.HBA_IS);
    if (this.irq.usesIntx) {
      this.irq.setIntx(ie && is !== 0);
    } else if (port >= 0 && ie && (is & (1 << port)) !== 0) {
      this.irq.signal(port); // MSI: message index = port (folded by Multiple Message Enable)
    }
  }

  // ------------------------------------------------------------ command list

  poll(): boolean {
    if (!this.irq.busMaster) return false;
    let worked = false;
    for (let p = 0; p < this.ports; p++) {
      if (this.halted[p] !== 0 || !(this.preg(p, A.PxCMD) & A.PxCMD_ST)) continue;
      if ((this.preg(p, A.PxSACT) & this.preg(p, A.PxCI)) !== 0 || this.ncqQueued[p] !== 0) {
        if (this.serveNcq(p, worked)) worked = true;
        if (this.halted[p] !== 0 || !(this.preg(p, A.PxCMD) & A.PxCMD_ST)) continue;
      }
      const ci = this.preg(p, A.PxCI);
      if (ci === 0) continue;
      // Serve issued slots round robin from the one after the last served.
      const start = this.nextSlot[p]!;
      for (let i = 0; i < AHCI_SLOTS; i++) {
        // Like hardware, whose registers answer while commands run: apply
        // writes posted meanwhile (PxCI sets, PxIS/IS acknowledgements) so a
        // driver's register read never waits for a whole batch of commands.
        if (worked && this.regs.hasPosted()) this.regs.drain(this);
        // Jump to the next issued slot at or after position i (PxCI rotated
        // so that bit 0 is slot `start`): no walk over 32 empty slots.
        const now = this.preg(p, A.PxCI);
        const left = (start === 0 ? now : (now >>> start) | (now << (AHCI_SLOTS - start))) >>> i;
        if (left === 0) break;
        i += 31 - Math.clz32(left & -left);
        const slot = (start + i) & (AHCI_SLOTS - 1);
        if (this.halted[p] !== 0 || !(this.preg(p, A.PxCMD) & A.PxCMD_ST)) break; // stopped or reset meanwhile
        worked = true;
        this.setPreg(p, A.PxCMD, (this.preg(p, A.PxCMD) & ~(0x1f << A.PxCMD_CCS_SHIFT)) | (slot << A.PxCMD_CCS_SHIFT));
        this.curSlot = slot;
        if ((this.preg(p, A.PxSACT) & (1 << slot)) !== 0) {
          // A queued command issued meanwhile: the NCQ pass takes it.
          if (this.serveNcq(p, true)) continue;
          break;
        }
        const ok = this.execute(p, slot, false); // a success clears the slot's PxCI bit (see complete())
        if (!ok) break; // port halted: the failed slot stays in PxCI
        this.nextSlot[p] = (slot + 1) & (AHCI_SLOTS - 1);
      }
    }
    return worked;
  }

  /** The disk accepts every issued slot whose PxSACT bit is set (PxCI clears at once). */
  private acceptNcq(p: number): void {
    const take = this.preg(p, A.PxCI) & this.preg(p, A.PxSACT);
    if (take === 0) return;
    this.ncqQueued[p] = this.ncqQueued[p]! | take;
    this.setPreg(p, A.PxCI, this.preg(p, A.PxCI) & ~take);
  }

  /**
   * Runs the port's queued (NCQ) commands until none is left, taking new
   * ones between commands; reports completions in SDB FISes. Returns true
   * when it ran anything.
   */
  private serveNcq(p: number, workedBefore: boolean): boolean {
    let worked = false;
    let since = 0;
    for (;;) {
      if ((worked || workedBefore) && this.regs.hasPosted()) this.regs.drain(this);
      if (this.halted[p] !== 0 || !(this.preg(p, A.PxCMD) & A.PxCMD_ST)) return worked; // stopped or reset meanwhile
      this.acceptNcq(p);
      const q = this.ncqQueued[p]!;
      if (q === 0) break;
      const start = this.nextSlot[p]!;
      const rot = start === 0 ? q : (q >>> start) | (q << (AHCI_SLOTS - start));
      const slot = (start + 31 - Math.clz32(rot & -rot)) & (AHCI_SLOTS - 1);
      worked = true;
      this.ncqQueued[p] = q & ~(1 << slot);
      this.setPreg(p, A.PxCMD, (this.preg(p, A.PxCMD) & ~(0x1f << A.PxCMD_CCS_SHIFT)) | (slot << A.PxCMD_CCS_SHIFT));
      this.curSlot = slot;
      if (!this.execute(p, slot, true)) return true; // error: reported, port halted
      this.nextSlot[p] = (slot + 1) & (AHCI_SLOTS - 1);
      if (++since >= NCQ_SDB_BATCH) {
        this.postSdb(p, 0);
        since = 0;
      }
    }
    if (this.sdbPending[p] !== 0) this.postSdb(p, 0);
    return worked;
  }

  /**
   * Set Device Bits FIS: the tags in sdbPending are done (their PxSACT bits
   * clear before PxIS.SDBS is raised); `error` != 0 reports an NCQ failure
   * with STS.ERR, which also sets PxIS.TFES.
   */
  private postSdb(p: number, error: number): void {
    const bits = this.sdbPending[p]!;
    this.sdbPending[p] = 0;
    const sts = A.ATA_STS_DRDY | A.ATA_STS_DSC | (error !== 0 ? A.ATA_STS_ERR : 0);
    this.setPreg(p, A.PxSACT, this.preg(p, A.PxSACT) & ~bits);
    this.setPreg(p, A.PxTFD, (error << 8) | sts);
    if (this.preg(p, A.PxCMD) & A.PxCMD_FRE) {
      const fb = this.preg(p, A.PxFB);
      if (fb !== 0 && this.ram.contains(fb + A.RFIS_SDBFIS, 8)) {
        const f = fb + A.RFIS_SDBFIS;
        this.u8[f] = A.FIS_TYPE_SDB;
        this.u8[f + 1] = 0x40; // I: interrupt
        this.u8[f + 2] = sts & 0x77; // Status-Hi 6:4, Status-Lo 2:0
        this.u8[f + 3] = error;
        this.u32[(f + 4) >>> 2] = bits; // SActive: the tags completed
      }
    }
    this.raise(p, A.PxIS_SDBS | (error !== 0 ? A.PxIS_TFES : 0));
  }

  /**
   * A queued command failed: the SDB FIS carries ERR (and completions not yet
   * reported), Log 10h records the tag, and the port halts with the failed
   * and unstarted tags still set in PxSACT.
   */
  private ncqError(p: number, hdr: number, slot: number, error: number, lba: number): boolean {
    this.u32[(hdr >>> 2) + 1] = 0;
    this.ncqErrTag[p] = slot;
    this.ncqErrStatus[p] = A.ATA_STS_DRDY | A.ATA_STS_DSC | A.ATA_STS_ERR;
    this.ncqErrError[p] = error;
    this.ncqErrLba[p] = lba;
    this.ncqQueued[p] = 0; // the disk aborts the rest of its queue
    this.halted[p] = 1;
    this.postSdb(p, error);
    return false;
  }

  /** General Purpose Log 10h (NCQ Command Error), 512 bytes; reading it clears the error. */
  private ncqErrorLog(p: number, out: Uint8Array): void {
    out.fill(0);
    const tag = this.ncqErrTag[p]!;
    if (tag < 0) {
      out[0] = 0x80; // NQ: no queued command failed
    } else {
      const lba = this.ncqErrLba[p]!;
      const hi = Math.floor(lba / 16777216);
      out[0] = tag;
      out[2] = this.ncqErrStatus[p]!;
      out[3] = this.ncqErrError[p]!;
      out[4] = lba & 0xff;
      out[5] = (lba >>> 8) & 0xff;
      out[6] = (lba >>> 16) & 0xff;
      out[7] = 0x40;
      out[8] = hi & 0xff;
      out[9] = (hi >>> 8) & 0xff;
      out[10] = (hi >>> 16) & 0xff;
    }
    let sum = 0;
    for (let i = 0; i < 511; i++) sum += out[i]!;
    out[511] = (256 - (sum & 0xff)) & 0xff;
    this.ncqErrTag[p] = -1;
  }

  /**
   * Runs the command in `slot`; false when it failed fatally (port halted).
   * `queued`: the slot came through PxSACT (NCQ): only FPDMA commands belong
   * there, and their completion goes into the next SDB FIS.
   */
  private execute(p: number, slot: number, queued: boolean): boolean {
    const clb = this.preg(p, A.PxCLB);
    const hdr = clb + slot * A.CMD_HEADER_SIZE;
    if (this.preg(p, A.PxCLBU) !== 0 || !this.ram.contains(hdr, A.CMD_HEADER_SIZE)) return this.fatal(p, A.PxIS_HBFS);
    const dw0 = this.u32[hdr >>> 2]!;
    const ctba = this.u32[(hdr >>> 2) + 2]!;
    if (this.u32[(hdr >>> 2) + 3] !== 0 || (ctba & 0x7f) !== 0 || !this.ram.contains(ctba, A.CT_PRDT)) return this.fatal(p, A.PxIS_HBFS);
    const cfl = dw0 & 0x1f;
    const prdtl = dw0 >>> 16;
    const fis = ctba + A.CT_CFIS;
    const u8 = this.u8;
    if (cfl < 5 || u8[fis] !== A.FIS_TYPE_REG_H2D || (u8[fis + 1]! & 0x80) === 0) {
      // Not a command FIS the disk understands: it answers with an aborted command.
      return this.ataError(p, hdr, A.ATA_ERR_ABRT, 0);
    }
    const command = u8[fis + 2]!;
    this.u32[(hdr >>> 2) + 1] = 0; // PRDBC
    if (queued !== (command === A.ATA_READ_FPDMA_QUEUED || command === A.ATA_WRITE_FPDMA_QUEUED)) {
      // A queued command without its PxSACT bit, or a non-queued one with it: the disk aborts it.
      return queued ? this.ncqError(p, hdr, slot, A.ATA_ERR_ABRT, 0) : this.ataError(p, hdr, A.ATA_ERR_ABRT, 0);
    }
    switch (command) {
      case A.ATA_READ_FPDMA_QUEUED:
      case A.ATA_WRITE_FPDMA_QUEUED: {
        if (u8[fis + 12]! >>> 3 !== slot) return this.ncqError(p, hdr, slot, A.ATA_ERR_ABRT, 0); // tag must name the slot
        const lba = (u8[fis + 4]! | (u8[fis + 5]! << 8) | (u8[fis + 6]! << 16)) + (u8[fis + 8]! + u8[fis + 9]! * 256 + u8[fis + 10]! * 65536) * 16777216;
        const count = u8[fis + 3]! | (u8[fis + 11]! << 8) || 65536;
        if (lba + count > this.sectors[p]!) return this.ncqError(p, hdr, slot, A.ATA_ERR_IDNF, lba);
        const bytes = count * 512;
        const st = this.mapPrdt(p, ctba, prdtl, bytes);
        if (st !== 0) return this.fatal(p, st);
        const store = this.disks[p]!.store;
        const write = command === A.ATA_WRITE_FPDMA_QUEUED;
        let pos = lba * 512;
        for (let i = 0; i < this.segCount; i++) {
          const l = this.segLen[i]!;
          if (write) store.write(u8, this.segAddr[i]!, l, pos);
          else store.read(u8, this.segAddr[i]!, l, pos);
          pos += l;
        }
        if (write && (u8[fis + 7]! & A.ATA_DEV_FUA) !== 0) store.flush();
        this.u32[(hdr >>> 2) + 1] = bytes;
        this.sdbPending[p] = this.sdbPending[p]! | (1 << slot);
        if (this.prdInterrupt) this.raise(p, A.PxIS_DPS);
        return true;
      }
      case A.ATA_READ_LOG_EXT: {
        // PIO data-in; only log 10h (NCQ Command Error), one page.
        const count = u8[fis + 12]! | (u8[fis + 13]! << 8);
        if (u8[fis + 4] !== A.ATA_LOG_NCQ_ERROR || count !== 1) return this.ataError(p, hdr, A.ATA_ERR_ABRT, 0);
        const st = this.mapPrdt(p, ctba, prdtl, 512);
        if (st !== 0) return this.fatal(p, st);
        this.ncqErrorLog(p, this.logPage); // reading the log clears the error: only once the PRDT is good
        return this.pioDataIn(p, hdr, this.logPage);
      }
      case A.ATA_IDENTIFY_DEVICE: {
        const st = this.mapPrdt(p, ctba, prdtl, 512);
        if (st !== 0) return this.fatal(p, st);
        return this.pioDataIn(p, hdr, this.identify[p]!);
      }
      case A.ATA_READ_DMA_EXT:
      case A.ATA_WRITE_DMA_EXT:
      case A.ATA_READ_DMA:
      case A.ATA_WRITE_DMA: {
        const ext = command === A.ATA_READ_DMA_EXT || command === A.ATA_WRITE_DMA_EXT;
        const write = command === A.ATA_WRITE_DMA_EXT || command === A.ATA_WRITE_DMA;
        let lba = u8[fis + 4]! | (u8[fis + 5]! << 8) | (u8[fis + 6]! << 16);
        let count: number;
        if (ext) {
          lba = (lba + (u8[fis + 8]! + u8[fis + 9]! * 256 + u8[fis + 10]! * 65536) * 16777216);
          count = u8[fis + 12]! | (u8[fis + 13]! << 8) || 65536;
        } else {
          lba += (u8[fis + 7]! & 0xf) * 16777216;
          count = u8[fis + 12]! || 256;
        }
        if (lba + count > this.sectors[p]!) return this.ataError(p, hdr, A.ATA_ERR_IDNF, lba);
        const bytes = count * 512;
        const st = this.mapPrdt(p, ctba, prdtl, bytes);
        if (st !== 0) return this.fatal(p, st);
        const store = this.disks[p]!.store;
        let pos = lba * 512;
        for (let i = 0; i < this.segCount; i++) {
          const l = this.segLen[i]!;
          if (write) store.write(u8, this.segAddr[i]!, l, pos);
          else store.read(u8, this.segAddr[i]!, l, pos);
          pos += l;
        }
        this.u32[(hdr >>> 2) + 1] = bytes;
        this.d2hDone(p, this.prdInterrupt);
        return true;
      }
      case A.ATA_FLUSH_CACHE:
      case A.ATA_FLUSH_CACHE_EXT:
        this.disks[p]!.store.flush();
        this.d2hDone(p, false);
        return true;
      case A.ATA_SET_FEATURES: {
        const sub = u8[fis + 3]!;
        // Write cache enable/disable, transfer mode, read look-ahead: accepted (no effect on the model).
        if (sub !== 0x02 && sub !== 0x82 && sub !== 0x03 && sub !== 0xaa && sub !== 0x55) return this.ataError(p, hdr, A.ATA_ERR_ABRT, 0);
        this.d2hDone(p, false);
        return true;
      }
      default:
        return this.ataError(p, hdr, A.ATA_ERR_ABRT, 0);
    }
  }

  /**
   * Maps the PRDT onto a scatter list covering `bytes`; returns 0 or the PxIS
   * fatal bit: OFS when the PRDT is shorter than the transfer, HBDS when an
   * entry points outside guest RAM. Adjacent entries merge into one segment.
   */
  private mapPrdt(p: number, ctba: number, prdtl: number, bytes: number): number {
    this.segCount = 0;
    this.prdInterrupt = false;
    if (!this.ram.contains(ctba + A.CT_PRDT, prdtl * A.PRD_SIZE)) return A.PxIS_HBFS;
    const u32 = this.u32;
    let rem = bytes;
    for (let i = 0; i < prdtl && rem > 0; i++) {
      const e = (ctba + A.CT_PRDT + i * A.PRD_SIZE) >>> 2;
      const dba = u32[e]! & ~1; // bit 0 reserved: word aligned
      const dw3 = u32[e + 3]!;
      const dbc = (dw3 & A.PRD_DBC_MASK) + 1;
      if (u32[e + 1] !== 0) return A.PxIS_HBDS;
      const l = dbc < rem ? dbc : rem;
      if (!this.ram.contains(dba, l)) return A.PxIS_HBDS;
      if ((dw3 & A.PRD_I) !== 0 && l === dbc) this.prdInterrupt = true;
      const c = this.segCount;
      if (c > 0 && this.segAddr[c - 1]! + this.segLen[c - 1]! === dba) this.segLen[c - 1] = this.segLen[c - 1]! + l;
      else {
        this.segAddr[c] = dba;
        this.segLen[c] = l;
        this.segCount = c + 1;
      }
      rem -= l;
    }
    void p;
    return rem === 0 ? 0 : A.PxIS_OFS;
  }

  /** Writes the D2H Register FIS (status, error, LBA, count) into the received-FIS area. */
  private writeD2h(p: number, status: number, error: number, lba: number): void {
    if (!(this.preg(p, A.PxCMD) & A.PxCMD_FRE)) return;
    const fb = this.preg(p, A.PxFB);
    if (fb === 0 || !this.ram.contains(fb + A.RFIS_RFIS, 20)) return;
    // Five dwords written whole (FB is 256-byte aligned, so these are aligned).
    const d = (fb + A.RFIS_RFIS) >>> 2;
    const u32 = this.u32;
    u32[d] = A.FIS_TYPE_REG_D2H | (0x40 << 8) | (status << 16) | (error << 24); // I: interrupt
    u32[d + 1] = (lba & 0xffffff) | (0x40 << 24); // device: LBA mode
    u32[d + 2] = Math.floor(lba / 16777216) & 0xffffff;
    u32[d + 3] = 0;
    u32[d + 4] = 0;
  }

  /**
   * The command in curSlot finished: its PxCI bit clears *before* the
   * interrupt, so an interrupt handler that reads PxCI sees it done.
   */
  private complete(p: number): void {
    this.setPreg(p, A.PxCI, this.preg(p, A.PxCI) & ~(1 << this.curSlot));
  }

  private d2hDone(p: number, dps: boolean): void {
    const sts = A.ATA_STS_DRDY | A.ATA_STS_DSC;
    this.setPreg(p, A.PxTFD, sts);
    this.writeD2h(p, sts, 0, 0);
    this.complete(p);
    this.raise(p, A.PxIS_DHRS | (dps ? A.PxIS_DPS : 0));
  }

  /** PIO data-in finished: the PIO Setup FIS carries the ending status (E_Status). */
  private pioDone(p: number, dps: boolean): void {
    const sts = A.ATA_STS_DRDY | A.ATA_STS_DSC;
    this.setPreg(p, A.PxTFD, sts);
    if (this.preg(p, A.PxCMD) & A.PxCMD_FRE) {
      const fb = this.preg(p, A.PxFB);
      if (fb !== 0 && this.ram.contains(fb + A.RFIS_PSFIS, 20)) {
        const f = fb + A.RFIS_PSFIS;
        this.u8.fill(0, f, f + 20);
        this.u8[f] = A.FIS_TYPE_PIO_SETUP;
        this.u8[f + 1] = 0x60; // D: device to host, I: interrupt
        this.u8[f + 2] = A.ATA_STS_DRDY | A.ATA_STS_DSC | A.ATA_STS_DRQ;
        this.u8[f + 15] = sts; // E_Status
        this.u8[f + 16] = 0; // transfer count 512
        this.u8[f + 17] = 2;
      }
    }
    this.complete(p);
    this.raise(p, A.PxIS_PSS | (dps ? A.PxIS_DPS : 0));
  }

  /** The disk reported an error: TFD.STS.ERR + error, D2H FIS, PxIS.TFES; the port halts. */
  private ataError(p: number, hdr: number, error: number, lba: number): boolean {
    const sts = A.ATA_STS_DRDY | A.ATA_STS_DSC | A.ATA_STS_ERR;
    this.u32[(hdr >>> 2) + 1] = 0;
    this.setPreg(p, A.PxTFD, (error << 8) | sts);
    this.writeD2h(p, sts, error, lba);
    this.halted[p] = 1;
    this.raise(p, A.PxIS_TFES | A.PxIS_DHRS);
    return false;
  }

  /** A host-side fatal error (bad PRDT, bad addresses): the port halts. */
  /** A PIO data-in command's 512 bytes `src` into the segments mapPrdt found, then its completion. */
  private pioDataIn(p: number, hdr: number, src: Uint8Array): boolean {
    let off = 0;
    for (let i = 0; i < this.segCount; i++) {
      const l = this.segLen[i]!;
      this.u8.set(src.subarray(off, off + l), this.segAddr[i]!);
      off += l;
    }
    this.u32[(hdr >>> 2) + 1] = 512;
    this.pioDone(p, this.prdInterrupt);
    return true;
  }

  private fatal(p: number, bit: number): boolean {
    this.halted[p] = 1;
    this.ncqQueued[p] = 0;
    if (this.sdbPending[p] !== 0) this.postSdb(p, 0); // queued commands that did finish are reported
    this.raise(p, bit);
    return false;
  }
}
