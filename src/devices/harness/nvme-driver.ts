/**
 * A driver-side harness for the NVMe model, written the way a driver is from
 * the NVMe base specification: it touches the controller only through PCI
 * configuration, BAR0 registers, memory it allocated in guest RAM, and
 * interrupts (MSI-X vector per queue).
 *
 * Bring-up (§7.6.1): disable and wait for CSTS.RDY=0, set up the admin queue
 * (AQA/ASQ/ACQ), enable with IOSQES=6/IOCQES=4/MPS=0 and wait for RDY=1,
 * Identify, Set Features (Number of Queues), Create I/O CQs then SQs.
 */
import type { Platform } from './platform.js';
import { assignAndEnable, MmioWindow, scanBus, setupMsix, type FoundFunction } from './pci-enum.js';
import * as R from '../nvme/regs.js';

export const PAGE = 4096;
/** MSI-X entry i is routed to fabric vector NVME_VECTOR_BASE + i. */
export const NVME_VECTOR_BASE = 0x40;
const DEFAULT_TIMEOUT_MS = 5000;

export interface Completion {
  dw0: number;
  sqHead: number;
  sqId: number;
  cid: number;
  /** Status field without the phase bit: (SCT << 8) | SC, plus DNR at bit 14. */
  status: number;
}

/** The 16 dwords of a submission queue entry; unspecified dwords are zero. */
export interface Sqe {
  opcode: number;
  /** Extra CDW0 flag bits (FUSE at 9:8, PSDT at 15:14) for negative tests. */
  flags?: number;
  nsid?: number;
  prp1?: number;
  prp2?: number;
  cdw10?: number;
  cdw11?: number;
  cdw12?: number;
  cdw13?: number;
  cdw14?: number;
  cdw15?: number;
  /** Raw 64-bit PRP halves for negative tests (high dwords). */
  prp1Hi?: number;
  prp2Hi?: number;
}

export class QueuePair {
  sqTail = 0;
  cqHead = 0;
  phase = 1;
  /** Commands submitted (written to the SQ) and not yet reaped. */
  inFlight = 0;
  /** CQ entries reaped since the CQ head doorbell was last written. */
  cqUnrung = 0;
  /**
   * Reaped entries that trigger a CQ head doorbell write. The head only tells
   * the controller which CQ slots are free again (§4.1), so a driver may
   * report it in batches, as long as the controller can never find the CQ
   * full while commands are outstanding (see reapBatch and ring). Each
   * doorbell is a posted write the controller must apply, so at QD1 this
   * halves the register traffic per command.
   */
  readonly cqDoorbellBatch: number;
  private nextCid = 0;
  /** Completions reaped but not yet claimed, by CID. */
  readonly done = new Map<number, Completion>();
  /** One PRP list page per possible CID slot, for transfers above two pages. */
  readonly prpLists: number[] = [];
  /** What each slot's list describes: the buffer and how many pages of it (see enqueueRw). */
  readonly prpListBuf: number[] = [];
  readonly prpListPages: number[] = [];
  /** What reapBatch() found, in CQ order: CID, status (as Completion.status), DW0, DW2. */
  readonly reapedCid: Int32Array;
  readonly reapedStatus: Int32Array;
  readonly reapedDw0: Uint32Array;
  readonly reapedDw2: Uint32Array;

  constructor(
    readonly qid: number,
    readonly size: number,
    readonly sqAddr: number,
    readonly cqAddr: number,
    readonly msixEntry: number,
  ) {
    this.reapedCid = new Int32Array(size);
    this.reapedStatus = new Int32Array(size);
    this.reapedDw0 = new Uint32Array(size);
    this.reapedDw2 = new Uint32Array(size);
    this.cqDoorbellBatch = Math.max(1, size >>> 2);
  }

  get vector(): number {
    return NVME_VECTOR_BASE + this.msixEntry;
  }

  allocCid(): number {
    const c = this.nextCid;
    this.nextCid = (this.nextCid + 1) & 0xffff;
    return c;
  }
}

export class NvmeDriver {
  readonly fn: FoundFunction;
  readonly bar0: MmioWindow;
  readonly admin: QueuePair;
  readonly io: QueuePair[] = [];
  capLo = 0;
  capHi = 0;
  identifyController?: Uint8Array;
  identifyNamespace?: Uint8Array;
  /** Namespace size in 512-byte blocks (from Identify Namespace NSZE). */
  blocks = 0;
  timeoutMs = DEFAULT_TIMEOUT_MS;

  private constructor(readonly p: Platform, fn: FoundFunction, adminSize: number) {
    this.fn = fn;
    this.bar0 = new MmioWindow(p.bus, fn.bars[0]!.base);
    this.admin = this.newQueuePair(0, adminSize, 0);
  }

  /** Finds the first NVMe function (class 01h/08h/02h) and assigns its BAR and MSI-X. */
  static probe(p: Platform, opts: { adminSize?: number; msixVectors?: number } = {}): NvmeDriver {
    const fn = scanBus(p.bus).find((f) => f.classCode === 0x01 && f.subclass === 0x08 && f.progIf === 0x02);
    if (fn === undefined) throw new Error('no NVMe controller on the bus');
    assignAndEnable(p.bus, fn, p.mmioWindow);
    setupMsix(p.bus, fn, opts.msixVectors ?? 8, NVME_VECTOR_BASE);
    return new NvmeDriver(p, fn, opts.adminSize ?? 32);
  }

  private newQueuePair(qid: number, size: number, msixEntry: number): QueuePair {
    const sq = this.p.pages.allocBytes(size * R.SQE_SIZE);
    const cq = this.p.pages.allocBytes(size * R.CQE_SIZE);
    return new QueuePair(qid, size, sq, cq, msixEntry);
  }

  private waitCsts(mask: number, want: number, what: string): void {
    const deadline = Date.now() + Math.max(this.timeoutMs, ((this.capLo >>> 24) & 0xff) * 500);
    for (;;) {
      const csts = this.bar0.r32(R.NVME_REG_CSTS);
      if ((csts & mask) === want) return;
      if (csts & R.CSTS_CFS) throw new Error(`NVMe: controller fatal status while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`NVMe: timeout waiting for ${what} (CSTS=0x${csts.toString(16)})`);
    }
  }

  /** Controller reset and enable (§7.6.1), then Identify. */
  enable(): void {
    this.capLo = this.bar0.r32(R.NVME_REG_CAP);
    this.capHi = this.bar0.r32(R.NVME_REG_CAP + 4);
    if ((this.capHi & R.CAP_HI_CSS_NVM) === 0) throw new Error('NVMe: NVM command set not supported');
    if (this.bar0.r32(R.NVME_REG_CC) & R.CC_EN) this.bar0.w32(R.NVME_REG_CC, 0);
    this.waitCsts(R.CSTS_RDY, 0, 'CSTS.RDY=0');
    const a = this.admin;
    this.bar0.w32(R.NVME_REG_AQA, ((a.size - 1) << R.AQA_ACQS_SHIFT) | (a.size - 1));
    this.bar0.w64(R.NVME_REG_ASQ, a.sqAddr);
    this.bar0.w64(R.NVME_REG_ACQ, a.cqAddr);
    this.bar0.w32(R.NVME_REG_CC, R.CC_EN | (6 << R.CC_IOSQES_SHIFT) | (4 << R.CC_IOCQES_SHIFT));
    this.waitCsts(R.CSTS_RDY, R.CSTS_RDY, 'CSTS.RDY=1');
    const buf = this.p.pages.alloc(1);
    this.check(this.adminCmd({ opcode: R.ADM_IDENTIFY, prp1: buf, cdw10: R.CNS_CONTROLLER }), 'Identify Controller');
    this.identifyController = this.p.ram.u8.slice(buf, buf + PAGE);
    this.check(this.adminCmd({ opcode: R.ADM_IDENTIFY, nsid: 1, prp1: buf, cdw10: R.CNS_NAMESPACE }), 'Identify Namespace');
    this.identifyNamespace = this.p.ram.u8.slice(buf, buf + PAGE);
    this.blocks = Number(new DataView(this.identifyNamespace.buffer).getBigUint64(0, true));
    this.p.pages.free(buf);
  }

  /** Set Features (Number of Queues), then one CQ+SQ pair per queue, each on its own MSI-X vector. */
  createIoQueues(count: number, size: number, allocate = count): void {
    const r = this.check(this.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: R.FID_NUMBER_OF_QUEUES, cdw11: ((allocate - 1) << 16) | (allocate - 1) }), 'Set Features');
    const granted = Math.min((r.dw0 & 0xffff) + 1, (r.dw0 >>> 16) + 1);
    if (granted < count) throw new Error(`NVMe: asked for ${count} I/O queues, got ${granted}`);
    for (let i = 1; i <= count; i++) {
      const q = this.newQueuePair(i, size, i);
      this.check(this.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: q.cqAddr, cdw10: ((size - 1) << 16) | i, cdw11: (q.msixEntry << 16) | 0x3 }), 'Create I/O CQ');
      this.check(this.adminCmd({ opcode: R.ADM_CREATE_IO_SQ, prp1: q.sqAddr, cdw10: ((size - 1) << 16) | i, cdw11: (i << 16) | 0x1 }), 'Create I/O SQ');
      this.io.push(q);
    }
  }

  /**
   * Interrupt Coalescing (Set Features 08h): one interrupt per `entries`
   * completions (THR = entries - 1; the controller still signals at the end
   * of each batch it runs, so nothing waits for a timer). At high queue
   * depth a driver reaps and refills `entries` commands per interrupt and
   * rings one doorbell for them, instead of one of each per command.
   */
  setInterruptCoalescing(entries: number): void {
    if (entries < 1 || entries > 256) throw new RangeError(`aggregation threshold must be 1..256 entries (got ${entries})`);
    this.check(this.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: R.FID_INTERRUPT_COALESCING, cdw11: entries - 1 }), 'Set Features (Interrupt Coalescing)');
  }

  check(c: Completion, what: string): Completion {
    if ((c.status & 0x7ff) !== 0) throw new Error(`NVMe ${what} failed: status 0x${c.status.toString(16)}`);
    return c;
  }

  /** Writes an SQE at the queue's tail (no doorbell); returns its CID. */
  enqueue(q: QueuePair, e: Sqe): number {
    const cid = q.allocCid();
    const u32 = this.p.ram.u32;
    const w = (q.sqAddr + q.sqTail * R.SQE_SIZE) >>> 2;
    u32[w] = (e.opcode & 0xff) | (e.flags ?? 0) | (cid << 16);
    u32[w + 1] = e.nsid ?? 0;
    u32[w + 2] = 0;
    u32[w + 3] = 0;
    u32[w + 4] = 0;
    u32[w + 5] = 0;
    u32[w + 6] = e.prp1 ?? 0;
    u32[w + 7] = e.prp1Hi ?? 0;
    u32[w + 8] = e.prp2 ?? 0;
    u32[w + 9] = e.prp2Hi ?? 0;
    u32[w + 10] = e.cdw10 ?? 0;
    u32[w + 11] = e.cdw11 ?? 0;
    u32[w + 12] = e.cdw12 ?? 0;
    u32[w + 13] = e.cdw13 ?? 0;
    u32[w + 14] = e.cdw14 ?? 0;
    u32[w + 15] = e.cdw15 ?? 0;
    q.sqTail = (q.sqTail + 1) % q.size;
    q.inFlight++;
    return cid;
  }

  /** The I/O fast path of enqueue(): an NVM Read/Write SQE written field by field, no objects. */
  private enqueueIo(q: QueuePair, opcode: number, prp1: number, prp2: number, slba: number, nlb: number): number {
    const cid = q.allocCid();
    const u32 = this.p.ram.u32;
    const w = (q.sqAddr + q.sqTail * R.SQE_SIZE) >>> 2;
    // Sixteen plain stores: TypedArray.fill on 3-4 elements cost more than
    // the rest of the SQE (a builtin call each).
    u32[w] = opcode | (cid << 16);
    u32[w + 1] = 1; // NSID
    u32[w + 2] = 0;
    u32[w + 3] = 0;
    u32[w + 4] = 0;
    u32[w + 5] = 0;
    u32[w + 6] = prp1;
    u32[w + 7] = 0;
    u32[w + 8] = prp2;
    u32[w + 9] = 0;
    u32[w + 10] = slba % 4294967296;
    u32[w + 11] = Math.floor(slba / 4294967296);
    u32[w + 12] = nlb - 1;
    u32[w + 13] = 0;
    u32[w + 14] = 0;
    u32[w + 15] = 0;
    const t = q.sqTail + 1;
    q.sqTail = t === q.size ? 0 : t;
    q.inFlight++;
    return cid;
  }

  /**
   * Rings the queue's SQ tail doorbell (DSTRD from CAP). A CQ head held back
   * by reapBatch is reported first if the controller could otherwise find
   * the CQ full: every outstanding command needs a free CQ slot.
   */
  ring(q: QueuePair): void {
    const stride = 4 << (this.capHi & 0xf);
    if (q.cqUnrung !== 0 && q.cqUnrung + q.inFlight >= q.size - 1) this.ringCqHead(q);
    this.bar0.w32(R.NVME_REG_DBS + 2 * q.qid * stride, q.sqTail);
  }

  /** Reports the CQ head to the controller (the CQ head doorbell). */
  ringCqHead(q: QueuePair): void {
    const stride = 4 << (this.capHi & 0xf);
    q.cqUnrung = 0;
    this.bar0.w32(R.NVME_REG_DBS + (2 * q.qid + 1) * stride, q.cqHead);
  }

  /**
   * Consumes every new completion (phase tag matches) into the queue's
   * reaped* arrays. The CQ head doorbell is written once per
   * cqDoorbellBatch entries, or at once when the entries not yet reported
   * plus the commands still outstanding could fill the CQ (the controller
   * would stall waiting for a head that never comes).
   * Allocation-free: the batch path of an interrupt handler.
   */
  reapBatch(q: QueuePair): number {
    const u32 = this.p.ram.u32;
    const i32 = this.p.ram.i32;
    let n = 0;
    for (;;) {
      const w = (q.cqAddr + q.cqHead * R.CQE_SIZE) >>> 2;
      const dw3 = Atomics.load(i32, w + 3);
      if (((dw3 >>> 16) & 1) !== q.phase) break;
      q.reapedCid[n] = dw3 & 0xffff;
      q.reapedStatus[n] = (dw3 >>> 17) & 0x7fff;
      q.reapedDw0[n] = u32[w]!;
      q.reapedDw2[n] = u32[w + 2]!;
      q.cqHead++;
      if (q.cqHead === q.size) {
        q.cqHead = 0;
        q.phase ^= 1;
      }
      n++;
    }
    if (n > 0) {
      q.inFlight -= n;
      q.cqUnrung += n;
      if (q.cqUnrung >= q.cqDoorbellBatch || q.cqUnrung + q.inFlight >= q.size - 1) this.ringCqHead(q);
    }
    return n;
  }

  /** Consumes every new completion into q.done (by CID), then writes the CQ head doorbell. */
  reap(q: QueuePair): number {
    const n = this.reapBatch(q);
    for (let i = 0; i < n; i++) q.done.set(q.reapedCid[i]!, this.reaped(q, i));
    return n;
  }

  /** Blocks until `q`'s interrupt arrives (spin, then sleep), or `timeoutMs` passes. */
  waitInterrupt(q: QueuePair, timeoutMs = this.timeoutMs): boolean {
    return this.p.fabric.wait(q.vector, timeoutMs) !== 0;
  }

  /**
   * Waits for the completion of `cid`: reap, else sleep on the queue's
   * interrupt. Completions of other commands are kept in q.done for their
   * own wait(); the common case (the one command we wait for) touches no Map.
   */
  wait(q: QueuePair, cid: number): Completion {
    if (q.done.size !== 0) {
      const c = q.done.get(cid);
      if (c !== undefined) {
        q.done.delete(cid);
        return c;
      }
    }
    let deadline = 0; // read the clock only if the first interrupt wait was not enough
    for (let first = true; ; first = false) {
      const n = this.reapBatch(q);
      let found: Completion | undefined;
      for (let i = 0; i < n; i++) {
        const c = this.reaped(q, i);
        if (c.cid === cid) found = c;
        else q.done.set(c.cid, c);
      }
      if (found !== undefined) return found;
      if (!first && deadline === 0) deadline = Date.now() + this.timeoutMs;
      const left = first ? this.timeoutMs : deadline - Date.now();
      if (left <= 0) throw new Error(`NVMe: timeout waiting for CID ${cid} on queue ${q.qid}`);
      this.p.fabric.wait(q.vector, Math.min(left, 100));
    }
  }

  /**
   * wait() for the common case that needs only the status: returns the
   * status field of `cid`'s completion (as Completion.status) and allocates
   * nothing when that completion is the only one reaped. Completions of
   * other commands still go to q.done for their own wait().
   */
  waitStatus(q: QueuePair, cid: number): number {
    if (q.done.size !== 0) {
      const c = q.done.get(cid);
      if (c !== undefined) {
        q.done.delete(cid);
        return c.status;
      }
    }
    let deadline = 0;
    for (let first = true; ; first = false) {
      const n = this.reapBatch(q);
      let status = -1;
      for (let i = 0; i < n; i++) {
        if (q.reapedCid[i] === cid) status = q.reapedStatus[i]!;
        else q.done.set(q.reapedCid[i]!, this.reaped(q, i));
      }
      if (status >= 0) return status;
      if (!first && deadline === 0) deadline = Date.now() + this.timeoutMs;
      const left = first ? this.timeoutMs : deadline - Date.now();
      if (left <= 0) throw new Error(`NVMe: timeout waiting for CID ${cid} on queue ${q.qid}`);
      this.p.fabric.wait(q.vector, Math.min(left, 100));
    }
  }

  /** Entry `i` of the last reapBatch() as a Completion. */
  private reaped(q: QueuePair, i: number): Completion {
    const dw2 = q.reapedDw2[i]!;
    return { dw0: q.reapedDw0[i]!, sqHead: dw2 & 0xffff, sqId: dw2 >>> 16, cid: q.reapedCid[i]!, status: q.reapedStatus[i]! };
  }

  submit(q: QueuePair, e: Sqe): Completion {
    const cid = this.enqueue(q, e);
    this.ring(q);
    return this.wait(q, cid);
  }

  adminCmd(e: Sqe): Completion {
    return this.submit(this.admin, e);
  }

  /**
   * Builds PRP1/PRP2 for a transfer over `pages` (physical page addresses, in
   * order; the first may carry an offset). A list goes in `listAddr` (which may
   * start mid-page; the list then chains to `chainPage` when it crosses a page).
   */
  buildPrps(pages: number[], bytes: number, listAddr: () => number): { prp1: number; prp2: number } {
    const prp1 = pages[0]!;
    const firstLen = PAGE - (prp1 & (PAGE - 1));
    if (bytes <= firstLen) return { prp1, prp2: 0 };
    if (bytes <= firstLen + PAGE) return { prp1, prp2: pages[1]! };
    const u32 = this.p.ram.u32;
    const start = listAddr();
    let list = start;
    for (let i = 1; i < pages.length; i++) {
      const slotsLeft = (PAGE - (list & (PAGE - 1))) / 8;
      if (slotsLeft === 1 && i < pages.length - 1) {
        const next = listAddr();
        u32[list >>> 2] = next;
        u32[(list >>> 2) + 1] = 0;
        list = next;
      }
      u32[list >>> 2] = pages[i]!;
      u32[(list >>> 2) + 1] = 0;
      list += 8;
    }
    return { prp1, prp2: start };
  }

  /** Read or write `nlb` blocks at `slba` to/from a physically contiguous buffer. */
  rw(q: QueuePair, write: boolean, slba: number, nlb: number, buf: number): Completion {
    const cid = this.enqueueRw(q, write, slba, nlb, buf);
    this.ring(q);
    return this.wait(q, cid);
  }

  /** rw() returning only the status field (0 = success): the allocation-free path of a QD1 loop. */
  rwStatus(q: QueuePair, write: boolean, slba: number, nlb: number, buf: number): number {
    const cid = this.enqueueRw(q, write, slba, nlb, buf);
    this.ring(q);
    return this.waitStatus(q, cid);
  }

  /** Queues a read/write (no doorbell) to a contiguous buffer, using the queue's PRP list page for CID slot `slot`. */
  enqueueRw(q: QueuePair, write: boolean, slba: number, nlb: number, buf: number, slot = 0): number {
    const bytes = nlb * 512;
    let prp2 = 0;
    if (bytes > PAGE) {
      const pages = Math.ceil(bytes / PAGE);
      if (pages === 2) prp2 = buf + PAGE;
      else {
        while (q.prpLists.length <= slot) {
          q.prpLists.push(this.p.pages.alloc(1));
          q.prpListBuf.push(-1);
          q.prpListPages.push(0);
        }
        const list = q.prpLists[slot]!;
        // A list that already describes this buffer (the slot's last
        // transfer used it too) is not rewritten: the controller read it,
        // and each store would take a line back from its core only for the
        // controller to fetch it again (a 1 MiB transfer has 32 lines of
        // list). The driver owns the list pages, so what it wrote is there.
        if (q.prpListBuf[slot] !== buf || q.prpListPages[slot]! < pages) {
          const u32 = this.p.ram.u32;
          for (let i = 1; i < pages; i++) {
            u32[(list >>> 2) + (i - 1) * 2] = buf + i * PAGE;
            u32[(list >>> 2) + (i - 1) * 2 + 1] = 0;
          }
          q.prpListBuf[slot] = buf;
          q.prpListPages[slot] = pages;
        }
        prp2 = list;
      }
    }
    return this.enqueueIo(q, write ? R.NVM_WRITE : R.NVM_READ, buf, prp2, slba, nlb);
  }

  flush(q: QueuePair): Completion {
    return this.submit(q, { opcode: R.NVM_FLUSH, nsid: 1 });
  }

  /** Normal shutdown (CC.SHN = 01b) and wait for CSTS.SHST = complete. */
  shutdown(): void {
    const cc = this.bar0.r32(R.NVME_REG_CC);
    this.bar0.w32(R.NVME_REG_CC, (cc & ~(3 << R.CC_SHN_SHIFT)) | (1 << R.CC_SHN_SHIFT));
    this.waitCsts(R.CSTS_SHST_MASK, R.SHST_COMPLETE << R.CSTS_SHST_SHIFT, 'shutdown complete');
  }
}
