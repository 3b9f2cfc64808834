/**
 * The NVMe controller model (NVM Express Base Specification 1.4).
 *
 * A driver reaches it only through BAR0 (posted writes arrive in mmioWrite),
 * guest RAM (queues, PRPs, data) and interrupts. Work happens in poll():
 * every submission queue whose tail doorbell moved past its head is consumed
 * in order, each command executed synchronously against the backing store
 * (reads and writes go straight between the image file and guest RAM), its
 * completion posted with the current phase tag, and the CQ's interrupt
 * fired once its unsignalled entries reach the Interrupt Coalescing
 * aggregation threshold (Set Features 08h, THR + 1 entries; 1 by default)
 * or the batch ends, whichever comes first.
 *
 * Like hardware, whose register interface runs beside its command engine,
 * the controller applies posted register writes between commands, so a
 * doorbell rung while a long batch runs is seen at once and a register read
 * never waits for the batch to finish.
 *
 * Queue state lives in typed arrays indexed by queue ID, and the hot path
 * (doorbell → fetch → execute → complete) allocates nothing.
 */
import type { GuestRam } from '../../machine/ram.js';
import type { BackingStore } from '../backing-store.js';
import type { MmioRegion, SyncDevice } from '../mmio.js';
import { mergeBytes } from '../mmio.js';
import type { FunctionInterrupts } from '../pci/interrupts.js';
import type { ConfigSpace } from '../pci/config-space.js';
import type { MsixTable } from '../pci/msix.js';
import type { IoPool } from '../io-pool.js';
import { PrpWalker } from './prp.js';
import { identifyController, identifyNamespace, type NvmeIdentity } from './identify.js';
import { NVME_MAX_QUEUES, NVME_MDTS, NVME_MSIX_VECTORS } from './layout.js';
import * as R from './regs.js';

const DB_DW = R.NVME_REG_DBS >>> 2;
const DB_END_DW = DB_DW + NVME_MAX_QUEUES * 2;
const MQES = 4095; // 0-based: 4096 entries per queue
const MPSMAX = 4; // 64 KiB pages
const NO_COMPLETION = -1;
/** ioCommand handed the transfer to an I/O worker: the completion comes later. */
const DISPATCHED = -2;
/** Commands taken from one queue per poll before moving on (fairness). */
const BURST = 64;

export interface NvmeControllerDeps {
  ram: GuestRam;
  regs: MmioRegion;
  cfg: ConfigSpace;
  irq: FunctionInterrupts;
  msix: MsixTable;
  store: BackingStore;
  identity: NvmeIdentity;
}

export class NvmeController implements SyncDevice {
  private readonly ram: GuestRam;
  private readonly u32: Uint32Array;
  private readonly i32: Int32Array;
  private readonly regs: MmioRegion;
  private readonly cfg: ConfigSpace;
  private readonly irq: FunctionInterrupts;
  private readonly msix: MsixTable;
  private readonly store: BackingStore;
  private readonly prp: PrpWalker;
  private readonly idCtrl: Uint8Array;
  private readonly idNs: Uint8Array;
  private readonly scratch = new Uint8Array(4096);
  private readonly zeros = new Uint8Array(64 * 1024);
  readonly blocks: number;
  private readonly lbaShift: number;
  private readonly mdtsBytes: number;

  // Controller state (shadows of CC, CSTS, INTMS).
  private cc = 0;
  private csts = 0;
  private intms = 0;
  private pageSize = 4096;
  /** Result DW0 of the command just executed. */
  private result = 0;

  // Queues, indexed by queue ID.
  private readonly sqBase = new Float64Array(NVME_MAX_QUEUES);
  private readonly sqSize = new Int32Array(NVME_MAX_QUEUES);
  private readonly sqHead = new Int32Array(NVME_MAX_QUEUES);
  private readonly sqTail = new Int32Array(NVME_MAX_QUEUES);
  private readonly sqCqid = new Int32Array(NVME_MAX_QUEUES);
  private readonly sqValid = new Uint8Array(NVME_MAX_QUEUES);
  private readonly cqBase = new Float64Array(NVME_MAX_QUEUES);
  private readonly cqSize = new Int32Array(NVME_MAX_QUEUES);
  private readonly cqHead = new Int32Array(NVME_MAX_QUEUES);
  private readonly cqTail = new Int32Array(NVME_MAX_QUEUES);
  private readonly cqPhase = new Uint8Array(NVME_MAX_QUEUES);
  private readonly cqIv = new Int32Array(NVME_MAX_QUEUES);
  private readonly cqIen = new Uint8Array(NVME_MAX_QUEUES);
  private readonly cqValid = new Uint8Array(NVME_MAX_QUEUES);
  private readonly cqSqCount = new Int32Array(NVME_MAX_QUEUES);
  private readonly cqPosted = new Uint8Array(NVME_MAX_QUEUES);
  /** Completions posted to each CQ since its last interrupt (for the aggregation threshold). */
  private readonly cqUnsignalled = new Int32Array(NVME_MAX_QUEUES);
  /**
   * Valid SQ IDs, and CQs with entries posted in this batch, as short lists:
   * scanning all 64 queue slots twice per command cost more than the rest of
   * the command path together.
   */
  private readonly sqActive = new Int32Array(NVME_MAX_QUEUES);
  private sqActiveCount = 0;
  private readonly cqPostedList = new Int32Array(NVME_MAX_QUEUES);
  private cqPostedCount = 0;
  /** Interrupt Coalescing: entries per interrupt (THR + 1). */
  private aggregationThreshold = 1;

  /**
   * I/O workers (worker mode only): while more commands wait in the SQ, a
   * single-segment read or write may run on an idle I/O worker as the
   * controller runs the next command itself. Completions then come out of
   * order, each with its own CID (the spec allows any order). Per job: the
   * CQ, SQ and CID its completion needs.
   */
  private pool: IoPool | null = null;
  private jobCq = new Int32Array(0);
  private jobSq = new Int32Array(0);
  private jobCid = new Int32Array(0);
  private jobsInFlight = 0;
  /** Transfers handed to I/O workers so far (for tests and diagnostics). */
  ioDispatched = 0;
  /** SQ being processed and CID of the command being executed (for dispatch). */
  private curSq = 0;
  private curCid = 0;

  // Features.
  private ioQueuesAllocated = NVME_MAX_QUEUES - 1;
  private ioQueuesCreated = 0;
  private outstandingAers = 0;
  private featArbitration = 0;
  private featTempThreshold = 0x0157;
  private featVwc = 1;
  private featIntCoalescing = 0;

  constructor(d: NvmeControllerDeps) {
    this.ram = d.ram;
    this.u32 = d.ram.u32;
    this.i32 = d.ram.i32;
    this.regs = d.regs;
    this.cfg = d.cfg;
    this.irq = d.irq;
    this.msix = d.msix;
    this.store = d.store;
    this.lbaShift = 9;
    this.blocks = Math.floor(d.store.size / 512);
    this.mdtsBytes = 4096 * 2 ** NVME_MDTS; // MDTS is in units of CAP.MPSMIN (4 KiB)
    this.prp = new PrpWalker(d.ram, (this.mdtsBytes >>> 12) + 2);
    this.idCtrl = identifyController(d.identity);
    this.idNs = identifyNamespace(this.blocks, this.lbaShift);
    this.regs.set32(R.NVME_REG_CAP, MQES | R.CAP_CQR | (20 << R.CAP_TO_SHIFT)); // TO: 10 s
    this.regs.set32(R.NVME_REG_CAP + 4, R.CAP_HI_CSS_NVM | (0 << R.CAP_HI_MPSMIN_SHIFT) | (MPSMAX << R.CAP_HI_MPSMAX_SHIFT));
    this.regs.set32(R.NVME_REG_VS, R.NVME_VS_1_4);
    this.controllerReset();
  }

  /** Lets reads and writes run on `pool`'s I/O workers (see `pool`). */
  attachIoPool(pool: IoPool): void {
    this.pool = pool;
    this.jobCq = new Int32Array(pool.size);
    this.jobSq = new Int32Array(pool.size);
    this.jobCid = new Int32Array(pool.size);
  }

  /** Waits for every job in flight and posts its completion (then stops the workers when `stop`). */
  drainIo(stop = false): void {
    while (this.jobsInFlight !== 0) this.reapIo();
    if (this.cqPostedCount !== 0) this.fireInterrupts();
    if (stop && this.pool !== null) this.pool.stop();
  }

  /** Posts the completions of finished jobs; true when there were any. */
  private reapIo(): boolean {
    const pool = this.pool!;
    let n = 0;
    for (let i = 0; i < pool.size; i++) {
      if (!pool.done(i)) continue;
      const failed = pool.take(i);
      this.jobsInFlight--;
      n++;
      this.result = 0;
      this.complete(this.jobCq[i]!, this.jobSq[i]!, this.jobCid[i]!, failed ? R.SC_INTERNAL_ERROR : 0);
    }
    return n !== 0;
  }

  // ---------------------------------------------------------------- registers

  mmioWrite(dw: number, value: number, mask: number): void {
    if (dw >= DB_DW) {
      if (dw < DB_END_DW) this.doorbell(dw - DB_DW, value);
      else if (this.msix.owns(dw)) this.msix.write(dw, value, mask);
      return;
    }
    switch (dw) {
      case R.NVME_REG_INTMS >>> 2:
        this.setIntms(this.intms | mergeBytes(0, value, mask));
        break;
      case R.NVME_REG_INTMC >>> 2:
        this.setIntms(this.intms & ~mergeBytes(0, value, mask));
        break;
      case R.NVME_REG_CC >>> 2:
        this.writeCc(mergeBytes(this.cc, value, mask) & R.CC_WRITABLE);
        break;
      case R.NVME_REG_AQA >>> 2:
        this.regs.set32(R.NVME_REG_AQA, mergeBytes(this.regs.get32(R.NVME_REG_AQA), value, mask) & 0x0fff0fff);
        break;
      case R.NVME_REG_ASQ >>> 2:
      case R.NVME_REG_ACQ >>> 2:
        this.regs.set32(dw * 4, mergeBytes(this.regs.get32(dw * 4), value, mask) & ~0xfff); // page aligned
        break;
      case (R.NVME_REG_ASQ >>> 2) + 1:
      case (R.NVME_REG_ACQ >>> 2) + 1:
        this.regs.set32(dw * 4, mergeBytes(this.regs.get32(dw * 4), value, mask));
        break;
      default:
        break; // CAP, VS, CSTS, NSSR (unsupported) and reserved space are read-only
    }
  }

  private setIntms(v: number): void {
    this.intms = v >>> 0;
    this.regs.set32(R.NVME_REG_INTMS, v);
    this.regs.set32(R.NVME_REG_INTMC, v);
    this.updateIntx();
  }

  private writeCc(v: number): void {
    const old = this.cc;
    this.cc = v;
    this.regs.set32(R.NVME_REG_CC, v);
    if ((old & R.CC_EN) === 0 && (v & R.CC_EN) !== 0) this.enable();
    else if ((old & R.CC_EN) !== 0 && (v & R.CC_EN) === 0) this.controllerReset();
    const shn = (v >>> R.CC_SHN_SHIFT) & 3;
    if (shn !== 0 && ((old >>> R.CC_SHN_SHIFT) & 3) === 0) this.shutdown();
  }

  private setCsts(v: number): void {
    this.csts = v;
    this.regs.set32(R.NVME_REG_CSTS, v);
  }

  /** CC.EN 0→1: validate the configuration and bring up the admin queue pair. */
  private enable(): void {
    const css = (this.cc >>> R.CC_CSS_SHIFT) & 7;
    const mps = (this.cc >>> R.CC_MPS_SHIFT) & 0xf;
    const ams = (this.cc >>> R.CC_AMS_SHIFT) & 7;
    const aqa = this.regs.get32(R.NVME_REG_AQA);
    const asqs = (aqa & R.AQA_ASQS_MASK) + 1;
    const acqs = ((aqa >>> R.AQA_ACQS_SHIFT) & 0xfff) + 1;
    const asq = this.regs.get32(R.NVME_REG_ASQ);
    const acq = this.regs.get32(R.NVME_REG_ACQ);
    const hiZero = this.regs.get32(R.NVME_REG_ASQ + 4) === 0 && this.regs.get32(R.NVME_REG_ACQ + 4) === 0;
    this.pageSize = 4096 << mps;
    const ok = css === 0 && ams === 0 && mps <= MPSMAX && asqs >= 2 && acqs >= 2 && hiZero &&
      (asq & (this.pageSize - 1)) === 0 && (acq & (this.pageSize - 1)) === 0 &&
      this.ram.contains(asq, asqs * R.SQE_SIZE) && this.ram.contains(acq, acqs * R.CQE_SIZE);
    if (!ok) {
      // Invalid configuration: the controller reports a fatal status rather than
      // running with garbage queues (the spec leaves this undefined).
      this.setCsts(R.CSTS_CFS);
      return;
    }
    this.makeCq(0, acq, acqs, 0, true);
    this.makeSq(0, asq, asqs, 0);
    this.setCsts(R.CSTS_RDY);
  }

  /** Controller reset (CC.EN 1→0): queues deleted, features back to defaults; AQA/ASQ/ACQ kept. */
  private controllerReset(): void {
    if (this.jobsInFlight !== 0) this.drainIo(); // no DMA may continue past a reset
    this.sqValid.fill(0);
    this.cqValid.fill(0);
    this.cqSqCount.fill(0);
    this.cqPosted.fill(0);
    this.cqPostedCount = 0;
    this.sqActiveCount = 0;
    this.cqUnsignalled.fill(0);
    this.aggregationThreshold = 1;
    this.ioQueuesAllocated = NVME_MAX_QUEUES - 1;
    this.ioQueuesCreated = 0;
    this.outstandingAers = 0;
    this.featArbitration = 0;
    this.featTempThreshold = 0x0157;
    this.featVwc = 1;
    this.featIntCoalescing = 0;
    this.intms = 0;
    this.regs.set32(R.NVME_REG_INTMS, 0);
    this.regs.set32(R.NVME_REG_INTMC, 0);
    this.setCsts(this.csts & R.CSTS_SHST_MASK);
    this.updateIntx();
  }

  /** CC.SHN set: write back everything, then report shutdown complete. */
  private shutdown(): void {
    if (this.jobsInFlight !== 0) this.drainIo();
    this.setCsts((this.csts & ~R.CSTS_SHST_MASK) | (R.SHST_OCCURRING << R.CSTS_SHST_SHIFT));
    this.store.flush();
    this.setCsts((this.csts & ~R.CSTS_SHST_MASK) | (R.SHST_COMPLETE << R.CSTS_SHST_SHIFT));
  }

  /** A doorbell write (index: 2*qid for SQ tail, 2*qid+1 for CQ head). Invalid writes are ignored. */
  private doorbell(index: number, value: number): void {
    const q = index >>> 1;
    const v = value & 0xffff;
    if ((index & 1) === 0) {
      if (this.sqValid[q] === 0 || v >= this.sqSize[q]!) return;
      this.sqTail[q] = v;
    } else {
      if (this.cqValid[q] === 0 || v >= this.cqSize[q]!) return;
      this.cqHead[q] = v;
      this.updateIntx();
    }
  }

  // ------------------------------------------------------------------ queues

  private makeSq(q: number, base: number, size: number, cqid: number): void {
    this.sqBase[q] = base;
    this.sqSize[q] = size;
    this.sqHead[q] = 0;
    this.sqTail[q] = 0;
    this.sqCqid[q] = cqid;
    this.sqValid[q] = 1;
    this.cqSqCount[cqid]!++;
    this.rebuildSqActive();
  }

  private rebuildSqActive(): void {
    let n = 0;
    for (let q = 0; q < NVME_MAX_QUEUES; q++) if (this.sqValid[q] !== 0) this.sqActive[n++] = q;
    this.sqActiveCount = n;
  }

  private makeCq(q: number, base: number, size: number, iv: number, ien: boolean): void {
    this.cqBase[q] = base;
    this.cqSize[q] = size;
    this.cqHead[q] = 0;
    this.cqTail[q] = 0;
    this.cqPhase[q] = 1;
    this.cqIv[q] = iv;
    this.cqIen[q] = ien ? 1 : 0;
    this.cqValid[q] = 1;
    this.cqSqCount[q] = 0;
    this.cqPosted[q] = 0;
    this.cqUnsignalled[q] = 0;
  }

  poll(): boolean {
    if ((this.csts & (R.CSTS_RDY | R.CSTS_CFS)) !== R.CSTS_RDY) return false;
    let worked = false;
    if (this.jobsInFlight !== 0) worked = this.reapIo();
    let dmaChecked = false;
    for (let i = 0; i < this.sqActiveCount; i++) {
      const q = this.sqActive[i]!;
      if (this.sqValid[q] !== 0 && this.sqHead[q] !== this.sqTail[q]) {
        // No DMA until Bus Master Enable (a config-space read: only when there is work).
        if (!dmaChecked) {
          if (!this.irq.busMaster) return false;
          dmaChecked = true;
        }
        if (this.processSq(q)) worked = true;
      }
    }
    if (worked) this.fireInterrupts();
    // Jobs still in flight: keep polling (each takes about a microsecond).
    return worked || this.jobsInFlight !== 0;
  }

  private processSq(q: number): boolean {
    const cq = this.sqCqid[q]!;
    const u32 = this.u32;
    let n = 0;
    while (this.sqHead[q] !== this.sqTail[q] && n < BURST) {
      // Register writes posted meanwhile (doorbells, CQ heads, CC) take
      // effect between commands; one atomic load when there are none.
      if (n !== 0 && this.regs.hasPosted()) this.regs.drain(this);
      if (this.sqValid[q] === 0) break; // deleted by the command just run
      if (this.jobsInFlight !== 0) {
        this.reapIo();
        // Admin commands (queue deletion, features) see no I/O in flight.
        if (q === 0) this.drainIo();
      }
      // CQ full, counting the slots jobs in flight will take: wait for its head doorbell.
      let free = this.cqHead[cq]! - this.cqTail[cq]! - 1; // no modulo (an integer division) per command
      if (free < 0) free += this.cqSize[cq]!;
      if (free <= this.jobsInFlight) break;
      const w = (this.sqBase[q]! + this.sqHead[q]! * R.SQE_SIZE) >>> 2;
      const head = this.sqHead[q]! + 1;
      this.sqHead[q] = head === this.sqSize[q] ? 0 : head;
      const cdw0 = u32[w]!;
      this.result = 0;
      this.curSq = q;
      this.curCid = cdw0 >>> 16;
      const status = q === 0 ? this.adminCommand(w, cdw0) : this.ioCommand(w, cdw0);
      n++;
      if (status !== NO_COMPLETION && status !== DISPATCHED) this.complete(cq, q, cdw0 >>> 16, status);
    }
    return n > 0;
  }

  /** Posts a completion queue entry; DW3 (with the phase tag) is stored last, atomically. */
  private complete(cq: number, sq: number, cid: number, status: number): void {
    const t = this.cqTail[cq]!;
    const a = (this.cqBase[cq]! + t * R.CQE_SIZE) >>> 2;
    let field = status;
    if (status !== 0 && status !== R.SC_DATA_TRANSFER_ERROR && status !== R.SC_INTERNAL_ERROR) field |= R.STATUS_DNR;
    this.u32[a] = this.result;
    this.u32[a + 1] = 0;
    this.u32[a + 2] = this.sqHead[sq]! | (sq << 16);
    Atomics.store(this.i32, a + 3, cid | (this.cqPhase[cq]! << 16) | (field << 17));
    const nt = t + 1;
    if (nt === this.cqSize[cq]) {
      this.cqTail[cq] = 0;
      this.cqPhase[cq]! ^= 1;
    } else {
      this.cqTail[cq] = nt;
    }
    if (this.cqPosted[cq] === 0) {
      this.cqPosted[cq] = 1;
      this.cqPostedList[this.cqPostedCount++] = cq;
    }
    // Aggregation threshold reached: signal now, so the host can reap and
    // resubmit while the rest of the batch runs. (INTx is a level, updated
    // once at the end of the batch.)
    if (++this.cqUnsignalled[cq]! >= this.aggregationThreshold && !this.irq.usesIntx) this.signalCq(cq);
  }

  /** Sends CQ `q`'s message interrupt (MSI-X / MSI), unless disabled or masked. */
  private signalCq(q: number): void {
    this.cqUnsignalled[q] = 0;
    if (this.cqIen[q] === 0) return;
    const iv = this.cqIv[q]!;
    if (this.intms !== 0 && this.irq.msiEnabled && (this.intms & (1 << iv)) !== 0) return; // INTMS masks MSI vectors
    this.irq.signal(iv);
  }

  /** End of a batch: every CQ with unsignalled entries gets its interrupt. */
  private fireInterrupts(): void {
    const intx = this.irq.usesIntx;
    for (let i = 0; i < this.cqPostedCount; i++) {
      const q = this.cqPostedList[i]!;
      this.cqPosted[q] = 0;
      if (!intx && this.cqUnsignalled[q] !== 0) this.signalCq(q);
    }
    this.cqPostedCount = 0;
    if (intx) this.updateIntx();
  }

  /** INTx level: some enabled CQ holds entries the host has not consumed, and vector 0 is unmasked. */
  private updateIntx(): void {
    if (!this.irq.usesIntx) return;
    let level = false;
    if ((this.intms & 1) === 0) {
      for (let q = 0; q < NVME_MAX_QUEUES; q++) {
        if (this.cqValid[q] !== 0 && this.cqIen[q] !== 0 && this.cqHead[q] !== this.cqTail[q]) {
          level = true;
          break;
        }
      }
    }
    this.irq.setIntx(level);
  }

  // ---------------------------------------------------------- admin commands

  private adminCommand(w: number, cdw0: number): number {
    if ((cdw0 & 0xc300) !== 0) return R.SC_INVALID_FIELD; // PSDT (SGLs) and fused ops unsupported
    const u32 = this.u32;
    const cdw10 = u32[w + 10]!;
    const cdw11 = u32[w + 11]!;
    switch (cdw0 & 0xff) {
      case R.ADM_IDENTIFY:
        return this.identify(w, cdw10);
      case R.ADM_CREATE_IO_CQ:
        return this.createIoCq(w, cdw10, cdw11);
      case R.ADM_CREATE_IO_SQ:
        return this.createIoSq(w, cdw10, cdw11);
      case R.ADM_DELETE_IO_SQ: {
        const q = cdw10 & 0xffff;
        if (q === 0 || q >= NVME_MAX_QUEUES || this.sqValid[q] === 0) return R.SC_INVALID_QUEUE_ID;
        this.sqValid[q] = 0;
        this.cqSqCount[this.sqCqid[q]!]!--;
        this.rebuildSqActive();
        return 0;
      }
      case R.ADM_DELETE_IO_CQ: {
        const q = cdw10 & 0xffff;
        if (q === 0 || q >= NVME_MAX_QUEUES || this.cqValid[q] === 0) return R.SC_INVALID_QUEUE_ID;
        if (this.cqSqCount[q]! > 0) return R.SC_INVALID_QUEUE_DELETION;
        this.cqValid[q] = 0;
        return 0;
      }
      case R.ADM_SET_FEATURES:
        return this.setFeatures(cdw10, cdw11);
      case R.ADM_GET_FEATURES:
        return this.getFeatures(cdw10);
      case R.ADM_GET_LOG_PAGE:
        return this.getLogPage(w, cdw10, cdw11);
      case R.ADM_ABORT:
        this.result = 1; // commands complete as they are fetched: nothing left to abort
        return 0;
      case R.ADM_ASYNC_EVENT_REQUEST:
        // No asynchronous events are ever reported; the request stays outstanding.
        if (this.outstandingAers >= 4) return R.SC_AER_LIMIT_EXCEEDED;
        this.outstandingAers++;
        return NO_COMPLETION;
      default:
        return R.SC_INVALID_OPCODE;
    }
  }

  /** Copies `len` bytes of `src` to the command's data buffer (PRP1/PRP2). */
  private dataOut(w: number, src: Uint8Array, len: number): number {
    const u32 = this.u32;
    const st = this.prp.walk(u32[w + 6]!, u32[w + 7]!, u32[w + 8]!, u32[w + 9]!, len, this.pageSize);
    if (st !== 0) return st;
    let off = 0;
    for (let i = 0; i < this.prp.count; i++) {
      const l = this.prp.len[i]!;
      this.ram.u8.set(src.subarray(off, off + l), this.prp.addr[i]!);
      off += l;
    }
    return 0;
  }

  private identify(w: number, cdw10: number): number {
    const nsid = this.u32[w + 1]!;
    switch (cdw10 & 0xff) {
      case R.CNS_CONTROLLER:
        return this.dataOut(w, this.idCtrl, 4096);
      case R.CNS_NAMESPACE:
        if (nsid !== 1 && nsid !== 0xffffffff) return R.SC_INVALID_NAMESPACE;
        return this.dataOut(w, this.idNs, 4096);
      case R.CNS_ACTIVE_NS_LIST: {
        if (nsid >= 0xfffffffe) return R.SC_INVALID_NAMESPACE;
        const b = this.scratch;
        b.fill(0);
        if (nsid < 1) b[0] = 1; // NSIDs greater than CDW1.NSID, ascending: just namespace 1
        return this.dataOut(w, b, 4096);
      }
      default:
        return R.SC_INVALID_FIELD;
    }
  }

  private vectorValid(iv: number): boolean {
    if (this.irq.msixEnabled) return iv < NVME_MSIX_VECTORS;
    if (this.irq.msiEnabled) return iv < 8;
    return iv === 0;
  }

  private ioQueueEntrySizesOk(): boolean {
    return ((this.cc >>> R.CC_IOSQES_SHIFT) & 0xf) === 6 && ((this.cc >>> R.CC_IOCQES_SHIFT) & 0xf) === 4;
  }

  private createIoCq(w: number, cdw10: number, cdw11: number): number {
    const q = cdw10 & 0xffff;
    const size = (cdw10 >>> 16) + 1;
    const iv = cdw11 >>> 16;
    const base = this.u32[w + 6]!;
    if (q === 0 || q > this.ioQueuesAllocated || this.cqValid[q] !== 0) return R.SC_INVALID_QUEUE_ID;
    if (size < 2 || size > MQES + 1) return R.SC_INVALID_QUEUE_SIZE;
    if ((cdw11 & 1) === 0) return R.SC_INVALID_FIELD; // CAP.CQR: only physically contiguous queues
    if (!this.ioQueueEntrySizesOk()) return R.SC_INVALID_FIELD;
    if (!this.vectorValid(iv)) return R.SC_INVALID_INTERRUPT_VECTOR;
    if ((base & (this.pageSize - 1)) !== 0) return R.SC_PRP_OFFSET_INVALID;
    if (this.u32[w + 7] !== 0 || !this.ram.contains(base, size * R.CQE_SIZE)) return R.SC_DATA_TRANSFER_ERROR;
    this.makeCq(q, base, size, iv, (cdw11 & 2) !== 0);
    this.ioQueuesCreated++;
    return 0;
  }

  private createIoSq(w: number, cdw10: number, cdw11: number): number {
    const q = cdw10 & 0xffff;
    const size = (cdw10 >>> 16) + 1;
    const cqid = cdw11 >>> 16;
    const base = this.u32[w + 6]!;
    if (q === 0 || q > this.ioQueuesAllocated || this.sqValid[q] !== 0) return R.SC_INVALID_QUEUE_ID;
    if (size < 2 || size > MQES + 1) return R.SC_INVALID_QUEUE_SIZE;
    if (cqid === 0 || cqid >= NVME_MAX_QUEUES || this.cqValid[cqid] === 0) return R.SC_CQ_INVALID;
    if ((cdw11 & 1) === 0) return R.SC_INVALID_FIELD;
    if (!this.ioQueueEntrySizesOk()) return R.SC_INVALID_FIELD;
    if ((base & (this.pageSize - 1)) !== 0) return R.SC_PRP_OFFSET_INVALID;
    if (this.u32[w + 7] !== 0 || !this.ram.contains(base, size * R.SQE_SIZE)) return R.SC_DATA_TRANSFER_ERROR;
    this.makeSq(q, base, size, cqid);
    this.ioQueuesCreated++;
    return 0;
  }

  private setFeatures(cdw10: number, cdw11: number): number {
    if ((cdw10 & 0x80000000) !== 0) return R.SC_FEATURE_NOT_SAVEABLE;
    switch (cdw10 & 0xff) {
      case R.FID_NUMBER_OF_QUEUES: {
        const nsqr = cdw11 & 0xffff;
        const ncqr = cdw11 >>> 16;
        if (nsqr === 0xffff || ncqr === 0xffff) return R.SC_INVALID_FIELD;
        if (this.ioQueuesCreated !== 0) return R.SC_COMMAND_SEQUENCE_ERROR;
        const n = Math.min(Math.max(nsqr, ncqr) + 1, NVME_MAX_QUEUES - 1);
        this.ioQueuesAllocated = n;
        this.result = (n - 1) | ((n - 1) << 16);
        return 0;
      }
      case R.FID_VOLATILE_WRITE_CACHE:
        this.featVwc = cdw11 & 1;
        return 0;
      case R.FID_ARBITRATION:
        this.featArbitration = cdw11;
        return 0;
      case R.FID_POWER_MANAGEMENT:
        return (cdw11 & 0x1f) === 0 ? 0 : R.SC_INVALID_FIELD; // only power state 0
      case R.FID_TEMPERATURE_THRESHOLD:
        this.featTempThreshold = cdw11 & 0xffff;
        return 0;
      case R.FID_INTERRUPT_COALESCING:
        // THR (bits 7:0, 0's based) is honoured; TIME (15:8) is a permitted
        // maximum delay, and the end of a batch always signals, so it is 0 here.
        this.featIntCoalescing = cdw11 & 0xffff;
        this.aggregationThreshold = (cdw11 & 0xff) + 1;
        return 0;
      default:
        return R.SC_INVALID_FIELD; // unsupported Feature Identifier
    }
  }

  private getFeatures(cdw10: number): number {
    const sel = (cdw10 >>> 8) & 7;
    const fid = cdw10 & 0xff;
    const supported = fid === R.FID_NUMBER_OF_QUEUES || fid === R.FID_VOLATILE_WRITE_CACHE || fid === R.FID_ARBITRATION ||
      fid === R.FID_POWER_MANAGEMENT || fid === R.FID_TEMPERATURE_THRESHOLD || fid === R.FID_INTERRUPT_COALESCING;
    if (!supported) return R.SC_INVALID_FIELD;
    if (sel === 3) {
      this.result = 0x4; // capabilities: changeable, not saveable, not namespace specific
      return 0;
    }
    if (sel > 3) return R.SC_INVALID_FIELD;
    const dflt = sel !== 0; // default and saved (not saveable → default) values
    switch (fid) {
      case R.FID_NUMBER_OF_QUEUES: {
        const n = (dflt ? NVME_MAX_QUEUES - 1 : this.ioQueuesAllocated) - 1;
        this.result = n | (n << 16);
        break;
      }
      case R.FID_VOLATILE_WRITE_CACHE:
        this.result = dflt ? 1 : this.featVwc;
        break;
      case R.FID_ARBITRATION:
        this.result = dflt ? 0 : this.featArbitration;
        break;
      case R.FID_POWER_MANAGEMENT:
        this.result = 0;
        break;
      case R.FID_TEMPERATURE_THRESHOLD:
        this.result = dflt ? 0x0157 : this.featTempThreshold;
        break;
      case R.FID_INTERRUPT_COALESCING:
        this.result = dflt ? 0 : this.featIntCoalescing;
        break;
    }
    return 0;
  }

  private getLogPage(w: number, cdw10: number, cdw11: number): number {
    const lid = cdw10 & 0xff;
    const dwords = (((cdw11 & 0xffff) << 16) | (cdw10 >>> 16)) + 1;
    const bytes = dwords * 4;
    if (bytes > 4096) return R.SC_INVALID_FIELD;
    const b = this.scratch;
    b.fill(0);
    switch (lid) {
      case 0x01: // Error Information: no errors logged
      case 0x03: // Firmware Slot Information
        break;
      case 0x02: // SMART / Health Information
        b[1] = 0x2b; // Composite Temperature: 299 K
        b[2] = 0x01;
        b[3] = 100; // Available Spare
        b[4] = 10; // Available Spare Threshold
        break;
      default:
        return R.SC_INVALID_LOG_PAGE;
    }
    return this.dataOut(w, b, bytes);
  }

  // ------------------------------------------------------------- I/O commands

  private ioCommand(w: number, cdw0: number): number {
    if ((cdw0 & 0xc300) !== 0) return R.SC_INVALID_FIELD; // PSDT (SGLs) and fused ops unsupported
    const u32 = this.u32;
    const opc = cdw0 & 0xff;
    const nsid = u32[w + 1]!;
    if (opc === R.NVM_FLUSH) {
      if (nsid !== 1 && nsid !== 0xffffffff) return R.SC_INVALID_NAMESPACE;
      // Writes still running on I/O workers were submitted before this
      // Flush: they reach the page cache (and complete) before fdatasync.
      if (this.jobsInFlight !== 0) this.drainIo();
      this.store.flush();
      return 0;
    }
    if (opc !== R.NVM_READ && opc !== R.NVM_WRITE && opc !== R.NVM_WRITE_ZEROES && opc !== R.NVM_DATASET_MANAGEMENT) {
      return R.SC_INVALID_OPCODE;
    }
    if (nsid !== 1) return R.SC_INVALID_NAMESPACE;
    if (opc === R.NVM_DATASET_MANAGEMENT) return 0; // deallocate is advisory (DLFEAT = 0): nothing to do
    const cdw12 = u32[w + 12]!;
    const slba = u32[w + 10]! + u32[w + 11]! * 4294967296;
    const nlb = (cdw12 & 0xffff) + 1;
    if (slba + nlb > this.blocks) return R.SC_LBA_OUT_OF_RANGE;
    const bytes = nlb << this.lbaShift;
    let pos = slba * 512;
    if (opc === R.NVM_WRITE_ZEROES) {
      for (let left = bytes; left > 0; ) {
        const l = left < this.zeros.length ? left : this.zeros.length;
        this.store.write(this.zeros, 0, l, pos);
        pos += l;
        left -= l;
      }
      return 0;
    }
    if (bytes > this.mdtsBytes) return R.SC_INVALID_FIELD;
    const prp = this.prp;
    const st = prp.walk(u32[w + 6]!, u32[w + 7]!, u32[w + 8]!, u32[w + 9]!, bytes, this.pageSize);
    if (st !== 0) return st;
    const u8 = this.ram.u8;
    const fua = opc === R.NVM_WRITE && (cdw12 & (1 << 30)) !== 0;
    if (this.pool !== null && prp.count === 1 && !fua) {
      // Overlap: another command waits in this SQ, so hand this transfer to
      // an idle I/O worker and let the controller's thread run the next one.
      const q = this.curSq;
      if (this.sqHead[q] !== this.sqTail[q]) {
        const pool = this.pool;
        for (let i = 0; i < pool.size; i++) {
          if (!pool.idle(i)) continue;
          this.jobCq[i] = this.sqCqid[q]!;
          this.jobSq[i] = q;
          this.jobCid[i] = this.curCid;
          this.jobsInFlight++;
          this.ioDispatched++;
          pool.submit(i, opc === R.NVM_WRITE, prp.addr[0]!, prp.len[0]!, pos);
          return DISPATCHED;
        }
      }
    }
    if (opc === R.NVM_READ) {
      for (let i = 0; i < prp.count; i++) {
        const l = prp.len[i]!;
        this.store.read(u8, prp.addr[i]!, l, pos);
        pos += l;
      }
    } else {
      for (let i = 0; i < prp.count; i++) {
        const l = prp.len[i]!;
        this.store.write(u8, prp.addr[i]!, l, pos);
        pos += l;
      }
      if (fua) {
        if (this.jobsInFlight !== 0) this.drainIo(); // FUA: earlier writes too, as with Flush
        this.store.flush();
      }
    }
    return 0;
  }
}
