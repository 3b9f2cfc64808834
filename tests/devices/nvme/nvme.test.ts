import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Platform } from '../../../src/devices/harness/platform.js';
import { NvmeDriver, PAGE } from '../../../src/devices/harness/nvme-driver.js';
import { startNvme, type NvmeDevice } from '../../../src/devices/nvme/nvme-device.js';
import * as R from '../../../src/devices/nvme/regs.js';
import { tempImage, fillPattern, readFile, writeFile, equalBytes } from '../helpers.js';

const DISK = 16 * 1024 * 1024;

async function setup(mode: 'inline' | 'worker') {
  const p = new Platform(32 * 1024 * 1024);
  const img = tempImage('nvme.img');
  // The worker run also starts an I/O worker (a worker of the device worker).
  const ioWorkers = mode === 'worker' ? 1 : 0;
  const dev = await startNvme({ ram: p.ram, fabric: p.fabric, imagePath: img.path, createSize: DISK, mode, serial: 'SN-TEST-1234', model: 'Test NVMe', ioWorkers });
  p.bus.attach({ bus: 0, device: 3, fn: 0 }, dev.fn);
  const drv = NvmeDriver.probe(p);
  return { p, img, dev, drv };
}

type Ctx = Awaited<ReturnType<typeof setup>>;

describe('NVMe controller (in-thread)', () => {
  let c: Ctx;
  before(async () => {
    c = await setup('inline');
  });
  after(async () => {
    await c.dev.stop();
    c.img.cleanup();
  });

  test('controller registers: reset values and read-only fields', () => {
    const b = c.drv.bar0;
    const capLo = b.r32(R.NVME_REG_CAP);
    const capHi = b.r32(R.NVME_REG_CAP + 4);
    assert.equal(capLo & 0xffff, 4095, 'MQES');
    assert.ok(capLo & R.CAP_CQR, 'CQR');
    assert.equal((capLo >>> 24) & 0xff, 20, 'TO');
    assert.equal(capHi & 0xf, 0, 'DSTRD');
    assert.ok(capHi & R.CAP_HI_CSS_NVM, 'CSS NVM');
    assert.equal((capHi >>> 16) & 0xf, 0, 'MPSMIN');
    assert.equal(b.r32(R.NVME_REG_VS), 0x00010400);
    assert.equal(b.r32(R.NVME_REG_CC), 0);
    assert.equal(b.r32(R.NVME_REG_CSTS), 0);
    b.w32(R.NVME_REG_CAP, 0);
    b.w32(R.NVME_REG_VS, 0x12345678);
    b.w32(R.NVME_REG_CSTS, 0xffffffff);
    assert.equal(b.r32(R.NVME_REG_CAP), capLo, 'CAP is RO');
    assert.equal(b.r32(R.NVME_REG_VS), 0x00010400, 'VS is RO');
    assert.equal(b.r32(R.NVME_REG_CSTS), 0, 'CSTS is RO');
    b.w32(R.NVME_REG_INTMS, 0x5);
    assert.equal(b.r32(R.NVME_REG_INTMS), 0x5);
    assert.equal(b.r32(R.NVME_REG_INTMC), 0x5);
    b.w32(R.NVME_REG_INTMC, 0x1);
    assert.equal(b.r32(R.NVME_REG_INTMS), 0x4);
    b.w32(R.NVME_REG_INTMC, 0xffffffff);
    b.w32(R.NVME_REG_ASQ, 0x12345);
    assert.equal(b.r32(R.NVME_REG_ASQ), 0x12000, 'ASQ bits 11:0 reserved');
  });

  test('a bad admin queue configuration sets CSTS.CFS', () => {
    const b = c.drv.bar0;
    b.w32(R.NVME_REG_AQA, 0); // one-entry queues are invalid
    b.w32(R.NVME_REG_CC, R.CC_EN);
    assert.equal(b.r32(R.NVME_REG_CSTS) & (R.CSTS_CFS | R.CSTS_RDY), R.CSTS_CFS);
    b.w32(R.NVME_REG_CC, 0);
    assert.equal(b.r32(R.NVME_REG_CSTS) & R.CSTS_CFS, 0);
  });

  test('enable sequence and Identify contents', () => {
    c.drv.enable();
    const b = c.drv.bar0;
    assert.equal(b.r32(R.NVME_REG_CSTS) & R.CSTS_RDY, 1);
    const id = c.drv.identifyController!;
    const dv = new DataView(id.buffer);
    assert.equal(dv.getUint16(0, true), c.dev.fn.cfg.read16(0), 'VID matches PCI');
    assert.equal(new TextDecoder().decode(id.subarray(4, 24)), 'SN-TEST-1234'.padEnd(20));
    assert.equal(new TextDecoder().decode(id.subarray(24, 64)), 'Test NVMe'.padEnd(40));
    assert.equal(id[77], 8, 'MDTS = 1 MiB');
    assert.equal(dv.getUint32(80, true), 0x00010400, 'VER');
    assert.equal(id[512], 0x66, 'SQES');
    assert.equal(id[513], 0x44, 'CQES');
    assert.equal(dv.getUint32(516, true), 1, 'NN');
    assert.equal(dv.getUint16(520, true) & 0xc, 0xc, 'ONCS: DSM + Write Zeroes');
    const ns = new DataView(c.drv.identifyNamespace!.buffer);
    assert.equal(Number(ns.getBigUint64(0, true)), DISK / 512, 'NSZE');
    assert.equal(Number(ns.getBigUint64(8, true)), DISK / 512, 'NCAP');
    assert.equal(c.drv.identifyNamespace![25], 0, 'NLBAF');
    assert.equal((ns.getUint32(128, true) >>> 16) & 0xff, 9, 'LBAF0.LBADS = 512 B');
    // Active namespace list (CNS 02h).
    const buf = c.p.pages.alloc(1);
    c.drv.check(c.drv.adminCmd({ opcode: R.ADM_IDENTIFY, prp1: buf, cdw10: R.CNS_ACTIVE_NS_LIST }), 'CNS 2');
    assert.equal(c.p.ram.u32[buf >>> 2], 1);
    assert.equal(c.p.ram.u32[(buf >>> 2) + 1], 0);
    // Unknown CNS → Invalid Field; namespace 2 does not exist.
    assert.equal(c.drv.adminCmd({ opcode: R.ADM_IDENTIFY, prp1: buf, cdw10: 0x55 }).status & 0x7ff, R.SC_INVALID_FIELD);
    assert.equal(c.drv.adminCmd({ opcode: R.ADM_IDENTIFY, nsid: 2, prp1: buf, cdw10: 0 }).status & 0x7ff, R.SC_INVALID_NAMESPACE);
    c.p.pages.free(buf);
  });

  test('features: Number of Queues, unknown FID, not saveable', () => {
    const d = c.drv;
    let r = d.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: R.FID_NUMBER_OF_QUEUES, cdw11: (3 << 16) | 3 });
    assert.equal(r.status, 0);
    assert.equal(r.dw0, (3 << 16) | 3);
    r = d.adminCmd({ opcode: R.ADM_GET_FEATURES, cdw10: R.FID_NUMBER_OF_QUEUES });
    assert.equal(r.dw0, (3 << 16) | 3);
    r = d.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: R.FID_NUMBER_OF_QUEUES, cdw11: 0xffff });
    assert.equal(r.status & 0x7ff, R.SC_INVALID_FIELD);
    r = d.adminCmd({ opcode: R.ADM_GET_FEATURES, cdw10: 0x7e });
    assert.equal(r.status & 0x7ff, R.SC_INVALID_FIELD, 'unknown FID');
    assert.ok(r.status & R.STATUS_DNR, 'DNR set');
    r = d.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: 0x80000000 | R.FID_VOLATILE_WRITE_CACHE, cdw11: 1 });
    assert.equal(r.status & 0x7ff, R.SC_FEATURE_NOT_SAVEABLE);
    r = d.adminCmd({ opcode: 0xc5 });
    assert.equal(r.status & 0x7ff, R.SC_INVALID_OPCODE, 'admin invalid opcode');
  });

  test('queue creation errors: bad queue id, bad size, bad CQ, bad vector, deletion order', () => {
    const d = c.drv;
    d.createIoQueues(2, 4, 4); // 4 allocated; queues 1 and 2, 4 entries each: used by the tests below
    const mem = c.p.pages.alloc(1);
    const st = (r: { status: number }) => r.status & 0x7ff;
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (15 << 16) | 0, cdw11: 3 })), R.SC_INVALID_QUEUE_ID, 'CQ id 0');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (15 << 16) | 9, cdw11: 3 })), R.SC_INVALID_QUEUE_ID, 'above allocated (4)');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (0 << 16) | 3, cdw11: 3 })), R.SC_INVALID_QUEUE_SIZE);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (15 << 16) | 3, cdw11: (200 << 16) | 3 })), R.SC_INVALID_INTERRUPT_VECTOR);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem + 8, cdw10: (15 << 16) | 3, cdw11: 3 })), R.SC_PRP_OFFSET_INVALID);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (15 << 16) | 1, cdw11: 3 })), R.SC_INVALID_QUEUE_ID, 'CQ 1 exists');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_SQ, prp1: mem, cdw10: (15 << 16) | 3, cdw11: (3 << 16) | 1 })), R.SC_CQ_INVALID, 'CQ 3 does not exist');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_SQ, prp1: mem, cdw10: (15 << 16) | 3, cdw11: (0 << 16) | 1 })), R.SC_CQ_INVALID, 'the admin CQ');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_DELETE_IO_SQ, cdw10: 3 })), R.SC_INVALID_QUEUE_ID);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_DELETE_IO_CQ, cdw10: 0 })), R.SC_INVALID_QUEUE_ID);
    // A CQ with an SQ attached cannot be deleted first.
    const sqm = c.p.pages.alloc(1);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_CQ, prp1: mem, cdw10: (15 << 16) | 4, cdw11: (1 << 16) | 3 })), 0);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_SQ, prp1: sqm, cdw10: (15 << 16) | 4, cdw11: (4 << 16) | 1 })), 0);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_CREATE_IO_SQ, prp1: sqm, cdw10: (15 << 16) | 4, cdw11: (4 << 16) | 1 })), R.SC_INVALID_QUEUE_ID, 'exists');
    assert.equal(st(d.adminCmd({ opcode: R.ADM_DELETE_IO_CQ, cdw10: 4 })), R.SC_INVALID_QUEUE_DELETION);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_DELETE_IO_SQ, cdw10: 4 })), 0);
    assert.equal(st(d.adminCmd({ opcode: R.ADM_DELETE_IO_CQ, cdw10: 4 })), 0);
    c.p.pages.free(mem);
    c.p.pages.free(sqm);
    // Number of Queues cannot change once I/O queues exist.
    assert.equal(st(d.adminCmd({ opcode: R.ADM_SET_FEATURES, cdw10: R.FID_NUMBER_OF_QUEUES, cdw11: 0 })), R.SC_COMMAND_SEQUENCE_ERROR);
  });

  test('read after write equals the host file, both ways', () => {
    const d = c.drv;
    const q = d.io[0]!;
    const buf = c.p.pages.alloc(4);
    fillPattern(c.p.ram.u8, buf, 16384, 7);
    assert.equal(d.rw(q, true, 100, 32, buf).status, 0);
    assert.ok(equalBytes(readFile(c.img.path, 100 * 512, 16384), c.p.ram.u8.slice(buf, buf + 16384)), 'file has the written data');
    const host = new Uint8Array(8192);
    fillPattern(host, 0, host.length, 99);
    writeFile(c.img.path, 5000 * 512, host);
    c.p.ram.u8.fill(0, buf, buf + 16384);
    assert.equal(d.rw(q, false, 5000, 16, buf).status, 0);
    assert.ok(equalBytes(c.p.ram.u8.slice(buf, buf + 8192), host), 'read returns the file data');
    // Reading back what was written through the device.
    assert.equal(d.rw(q, false, 100, 32, buf).status, 0);
    assert.ok(equalBytes(c.p.ram.u8.slice(buf, buf + 16384), readFile(c.img.path, 100 * 512, 16384)));
    c.p.pages.free(buf, 4);
  });

  test('PRP list with an unaligned PRP1, scattered pages and a list chained across pages', () => {
    const d = c.drv;
    const q = d.io[1]!;
    const ram = c.p.ram;
    // 6 scattered pages, data starting 512 bytes into the first: 5 pages + 3.5 KiB... use 40 blocks.
    const pages = [5, 1, 4, 2, 0, 3].map(() => c.p.pages.alloc(1)).reverse();
    pages[0]! += 512;
    const bytes = 40 * 512; // 20 KiB: 3.5 KiB in page 0, then 4 full pages + 0.5 KiB
    const listPage = c.p.pages.alloc(1);
    const chainPage = c.p.pages.alloc(1);
    // The list starts 16 bytes before the end of its page: one data entry, then the chain pointer.
    let next = listPage + PAGE - 16;
    const lists = [next, chainPage];
    const prps = d.buildPrps(pages, bytes, () => lists.shift()!);
    assert.equal(prps.prp2, next);
    const src = new Uint8Array(bytes);
    fillPattern(src, 0, bytes, 1234);
    // Scatter the source into the pages.
    let off = 0;
    for (let i = 0; off < bytes; i++) {
      const room = PAGE - (pages[i]! & (PAGE - 1));
      const n = Math.min(room, bytes - off);
      ram.u8.set(src.subarray(off, off + n), pages[i]!);
      off += n;
    }
    const w = d.submit(q, { opcode: R.NVM_WRITE, nsid: 1, prp1: prps.prp1, prp2: prps.prp2, cdw10: 2048, cdw12: 39 });
    assert.equal(w.status, 0);
    assert.ok(equalBytes(readFile(c.img.path, 2048 * 512, bytes), src));
    for (const pg of pages) ram.u8.fill(0, pg & ~(PAGE - 1), (pg & ~(PAGE - 1)) + PAGE);
    next = 0;
    const r = d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: prps.prp1, prp2: prps.prp2, cdw10: 2048, cdw12: 39 });
    assert.equal(r.status, 0);
    const back = new Uint8Array(bytes);
    off = 0;
    for (let i = 0; off < bytes; i++) {
      const room = PAGE - (pages[i]! & (PAGE - 1));
      const n = Math.min(room, bytes - off);
      back.set(ram.u8.subarray(pages[i]!, pages[i]! + n), off);
      off += n;
    }
    assert.ok(equalBytes(back, src));
  });

  test('I/O error status codes', () => {
    const d = c.drv;
    const q = d.io[0]!;
    const buf = c.p.pages.alloc(2);
    const st = (r: { status: number }) => r.status & 0x7ff;
    assert.equal(st(d.submit(q, { opcode: 0x7f, nsid: 1 })), R.SC_INVALID_OPCODE);
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, cdw10: DISK / 512 - 1, cdw12: 1 })), R.SC_LBA_OUT_OF_RANGE);
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, cdw10: 0, cdw11: 1 })), R.SC_LBA_OUT_OF_RANGE, 'SLBA above 2^32');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 7, prp1: buf, cdw10: 0 })), R.SC_INVALID_NAMESPACE);
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf + 2, cdw10: 0 })), R.SC_PRP_OFFSET_INVALID, 'PRP1 not dword aligned');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, prp2: buf + PAGE + 512, cdw10: 0, cdw12: 15 })), R.SC_PRP_OFFSET_INVALID, 'PRP2 data pointer with offset');
    const list = c.p.pages.alloc(1);
    c.p.ram.u32[list >>> 2] = buf + PAGE + 4; // list entry with an offset
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, prp2: list, cdw10: 0, cdw12: 23 })), R.SC_PRP_OFFSET_INVALID, 'list entry with offset');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, prp2: list + 4, cdw10: 0, cdw12: 23 })), R.SC_PRP_OFFSET_INVALID, 'list pointer not qword aligned');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: 0x7ff00000, cdw10: 0 })), R.SC_DATA_TRANSFER_ERROR, 'PRP outside RAM');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, cdw10: 0, flags: 1 << 14 })), R.SC_INVALID_FIELD, 'SGL (PSDT) unsupported');
    assert.equal(st(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: buf, cdw10: 0, cdw12: 4095 })), R.SC_INVALID_FIELD, 'above MDTS');
    assert.equal(st(d.submit(q, { opcode: R.NVM_DATASET_MANAGEMENT, nsid: 1, prp1: buf, cdw11: 4 })), 0, 'deallocate accepted');
    c.p.pages.free(buf, 2);
    c.p.pages.free(list);
  });

  test('Write Zeroes and Flush reach the file', () => {
    const d = c.drv;
    const q = d.io[0]!;
    writeFile(c.img.path, 300 * 512, new Uint8Array(4096).fill(0xaa));
    assert.equal(d.submit(q, { opcode: R.NVM_WRITE_ZEROES, nsid: 1, cdw10: 300, cdw12: 7 }).status, 0);
    assert.ok(readFile(c.img.path, 300 * 512, 4096).every((x) => x === 0));
    assert.equal(d.flush(q).status, 0);
    assert.equal(d.submit(q, { opcode: R.NVM_FLUSH, nsid: 0xffffffff }).status, 0, 'broadcast flush');
  });

  test('queue wraparound: SQ head and the phase tag flip every lap', () => {
    const d = c.drv;
    const q = d.io[1]!; // 4 entries
    const buf = c.p.pages.alloc(1);
    const seenPhases = new Set<number>();
    for (let i = 0; i < 11; i++) {
      const slot = q.cqHead;
      const r = d.rw(q, i % 2 === 0, 64 + i, 1, buf);
      assert.equal(r.status, 0);
      assert.equal(r.sqHead, q.sqTail, 'SQ head reported after consuming the command');
      assert.equal(r.sqId, q.qid);
      const dw3 = c.p.ram.u32[((q.cqAddr + slot * 16) >>> 2) + 3]!;
      seenPhases.add((dw3 >>> 16) & 1);
    }
    assert.deepEqual([...seenPhases].sort(), [0, 1]);
    // A batch that fills the queue: 3 commands behind one doorbell (size 4 holds 3).
    const cids = [0, 1, 2].map((i) => d.enqueueRw(q, false, i, 1, buf));
    d.ring(q);
    for (const cid of cids) assert.equal(d.wait(q, cid).status, 0);
    c.p.pages.free(buf);
  });

  test('host calls: a 1 MiB command over contiguous pages is one pread/pwrite; a gap between pages splits it', () => {
    const d = c.drv;
    const q = d.io[0]!;
    const store = c.dev.store!;
    const big = c.p.pages.alloc(256);
    fillPattern(c.p.ram.u8, big, 1 << 20, 99);
    let w0 = store.writeCalls;
    assert.equal(d.rw(q, true, 8192, 2048, big).status, 0);
    assert.equal(store.writeCalls - w0, 1, 'one pwrite for 256 contiguous pages');
    let r0 = store.readCalls;
    assert.equal(d.rw(q, false, 8192, 2048, big).status, 0);
    assert.equal(store.readCalls - r0, 1, 'one pread for 256 contiguous pages');
    // Four pages: two adjacent, a gap, two adjacent → two host calls, data intact.
    const pages = [big, big + PAGE, big + 3 * PAGE, big + 4 * PAGE];
    const list = c.p.pages.alloc(1);
    const prps = d.buildPrps(pages, 4 * PAGE, () => list);
    const src = c.p.ram.u8.slice(big, big + 5 * PAGE);
    w0 = store.writeCalls;
    assert.equal(d.submit(q, { opcode: R.NVM_WRITE, nsid: 1, prp1: prps.prp1, prp2: prps.prp2, cdw10: 100, cdw12: 31 }).status, 0);
    assert.equal(store.writeCalls - w0, 2);
    const file = readFile(c.img.path, 100 * 512, 4 * PAGE);
    assert.ok(equalBytes(file.subarray(0, 2 * PAGE), src.subarray(0, 2 * PAGE)));
    assert.ok(equalBytes(file.subarray(2 * PAGE), src.subarray(3 * PAGE, 5 * PAGE)), 'the page in the gap is skipped');
    r0 = store.readCalls;
    assert.equal(d.submit(q, { opcode: R.NVM_READ, nsid: 1, prp1: prps.prp1, prp2: prps.prp2, cdw10: 100, cdw12: 31 }).status, 0);
    assert.equal(store.readCalls - r0, 2);
    c.p.pages.free(big, 256);
    c.p.pages.free(list);
  });

  test('Interrupt Coalescing: one MSI-X message per THR + 1 completions, and one at the end of a batch', () => {
    const d = c.drv;
    const q = d.io[1]!;
    const buf = c.p.pages.alloc(1);
    const batch = (n: number): number => {
      c.p.fabric.take(q.vector);
      const cids = [];
      for (let i = 0; i < n; i++) cids.push(d.enqueueRw(q, false, i, 1, buf));
      d.ring(q); // in-thread: the controller runs the whole batch here
      const irqs = c.p.fabric.take(q.vector);
      for (const cid of cids) assert.equal(d.wait(q, cid).status, 0);
      return irqs;
    };
    assert.equal(batch(3), 3, 'default: one interrupt per completion');
    d.setInterruptCoalescing(2);
    assert.equal(batch(3), 2, 'THR = 1: after entries 2, then at the end of the batch');
    assert.equal(batch(2), 1);
    d.setInterruptCoalescing(1);
    assert.equal(batch(3), 3);
    assert.throws(() => d.setInterruptCoalescing(0), RangeError);
    c.p.pages.free(buf);
  });

  test('CQ head doorbell on a full 4-entry queue: every entry reported, no stall', () => {
    const d = c.drv;
    const q = d.io[1]!; // 4 entries: batch of 1, at most 3 outstanding
    const buf = c.p.pages.alloc(1);
    d.timeoutMs = 1000; // a stalled controller fails fast
    for (let lap = 0; lap < 20; lap++) {
      const cids = [0, 1, 2].map((i) => d.enqueueRw(q, false, lap * 3 + i, 1, buf));
      d.ring(q);
      for (const cid of cids) assert.equal(d.wait(q, cid).status, 0);
      assert.equal(q.inFlight, 0);
    }
    assert.equal(q.cqDoorbellBatch, 1);
    d.timeoutMs = 5000;
    c.p.pages.free(buf);
  });

  test('shutdown notification sets CSTS.SHST', () => {
    c.drv.shutdown();
    assert.equal((c.drv.bar0.r32(R.NVME_REG_CSTS) >>> 2) & 3, R.SHST_COMPLETE);
  });
});

describe('NVMe controller (worker)', () => {
  let c: Ctx;
  before(async () => {
    c = await setup('worker');
  });
  after(async () => {
    await c.dev.stop();
    c.img.cleanup();
  });

  test('enable, queues, writes and reads at depth 32 through MSI-X', () => {
    const d = c.drv;
    d.enable();
    d.createIoQueues(2, 64);
    const q = d.io[1]!;
    const n = 32;
    const buf = c.p.pages.alloc(n * 2);
    fillPattern(c.p.ram.u8, buf, n * 8192, 42);
    const expect = c.p.ram.u8.slice(buf, buf + n * 8192);
    const cids = [];
    for (let i = 0; i < n; i++) cids.push(d.enqueueRw(q, true, i * 16, 16, buf + i * 8192, i));
    d.ring(q);
    for (const cid of cids) assert.equal(d.wait(q, cid).status, 0);
    assert.equal(d.flush(q).status, 0);
    assert.ok(equalBytes(readFile(c.img.path, 0, n * 8192), expect));
    c.p.ram.u8.fill(0, buf, buf + n * 8192);
    const rc = [];
    for (let i = 0; i < n; i++) rc.push(d.enqueueRw(q, false, i * 16, 16, buf + i * 8192, i));
    d.ring(q);
    for (const cid of rc) assert.equal(d.wait(q, cid).status, 0);
    assert.ok(equalBytes(c.p.ram.u8.slice(buf, buf + n * 8192), expect));
    // 1 MiB in one command (PRP list of 255 entries).
    const big = c.p.pages.alloc(256);
    fillPattern(c.p.ram.u8, big, 1 << 20, 5);
    const bigData = c.p.ram.u8.slice(big, big + (1 << 20));
    assert.equal(d.rw(q, true, 8192, 2048, big).status, 0);
    c.p.ram.u8.fill(0, big, big + (1 << 20));
    assert.equal(d.rw(q, false, 8192, 2048, big).status, 0);
    assert.ok(equalBytes(c.p.ram.u8.slice(big, big + (1 << 20)), bigData));
    assert.ok(c.p.fabric.strayMessages === 0);
  });

  test('CQ head doorbell: batched, yet reported before the controller could find the CQ full', () => {
    const d = c.drv;
    const q = d.io[0]!; // 64 entries: the head is reported every 16 reaped entries
    assert.equal(q.cqDoorbellBatch, 16);
    const buf = c.p.pages.alloc(64);
    d.timeoutMs = 2000; // a stalled controller fails fast
    const before = q.cqUnrung;
    assert.equal(d.rw(q, false, 0, 8, buf).status, 0);
    assert.equal(q.cqUnrung, (before + 1) % 16, 'one entry is not worth a doorbell');
    // 63 outstanding (the most a 64-entry queue holds): the controller needs
    // every CQ slot, so the held-back head must be reported (by ring(), or
    // at the latest by the next reap) or the controller stalls.
    for (let lap = 0; lap < 8; lap++) {
      const cids = [];
      for (let i = 0; i < 63; i++) cids.push(d.enqueueRw(q, false, (lap * 63 + i) * 8, 8, buf + i * PAGE));
      d.ring(q);
      for (const cid of cids) assert.equal(d.wait(q, cid).status, 0);
      assert.equal(q.inFlight, 0);
    }
    d.timeoutMs = 5000;
    c.p.pages.free(buf, 64);
  });
});

describe('NVMe controller with an I/O worker (commands overlap)', () => {
  let c: Ctx;
  before(async () => {
    const p = new Platform(32 * 1024 * 1024);
    const img = tempImage('nvme-io.img');
    const dev = await startNvme({ ram: p.ram, fabric: p.fabric, imagePath: img.path, createSize: DISK, mode: 'inline', ioWorkers: 1 });
    p.bus.attach({ bus: 0, device: 3, fn: 0 }, dev.fn);
    const drv = NvmeDriver.probe(p);
    drv.enable();
    drv.createIoQueues(1, 64);
    c = { p, img, dev, drv };
  });
  after(async () => {
    await c.dev.stop();
    c.img.cleanup();
  });

  test('32 queued reads: transfers run on the I/O worker, every CID completes once with its own data', () => {
    const d = c.drv;
    const q = d.io[0]!;
    const n = 32;
    const file = new Uint8Array(n * 4096);
    fillPattern(file, 0, file.length, 321);
    writeFile(c.img.path, 64 * 4096, file);
    const buf = c.p.pages.alloc(n);
    c.p.ram.u8.fill(0, buf, buf + n * 4096);
    const slotOf = new Map<number, number>();
    // Slot k reads file page (k * 7) % 32 so that a CID mix-up shows in the data.
    for (let k = 0; k < n; k++) slotOf.set(d.enqueueRw(q, false, (64 + ((k * 7) % n)) * 8, 8, buf + k * 4096, k), k);
    const before = c.dev.controller!.ioDispatched;
    d.ring(q); // in-thread: the controller runs the batch and waits for its jobs here
    const seen = new Set<number>();
    let reaped = 0;
    while (reaped < n) {
      const m = d.reapBatch(q);
      assert.ok(m > 0, 'every completion is in the CQ once the doorbell write returns');
      for (let i = 0; i < m; i++) {
        const cid = q.reapedCid[i]!;
        assert.equal(q.reapedStatus[i], 0);
        assert.ok(slotOf.has(cid) && !seen.has(cid), `CID ${cid} expected once`);
        seen.add(cid);
      }
      reaped += m;
    }
    assert.ok(c.dev.controller!.ioDispatched > before, 'some transfers ran on the I/O worker');
    for (let k = 0; k < n; k++) {
      const page = (k * 7) % n;
      assert.ok(equalBytes(c.p.ram.u8.slice(buf + k * 4096, buf + (k + 1) * 4096), file.subarray(page * 4096, (page + 1) * 4096)), `slot ${k}`);
    }
    c.p.pages.free(buf, n);
  });

  test('Flush after queued writes: the writes complete first and reach the file, then fdatasync', () => {
    const d = c.drv;
    const q = d.io[0]!;
    const n = 32;
    const buf = c.p.pages.alloc(n);
    fillPattern(c.p.ram.u8, buf, n * 4096, 654);
    const expect = c.p.ram.u8.slice(buf, buf + n * 4096);
    const writes = new Set<number>();
    for (let k = 0; k < n; k++) writes.add(d.enqueueRw(q, true, (512 + k) * 8, 8, buf + k * 4096, k));
    const flushCid = d.enqueue(q, { opcode: R.NVM_FLUSH, nsid: 1 });
    const store = c.dev.store!;
    const flushes = store.flushCalls;
    const dispatched = c.dev.controller!.ioDispatched;
    d.ring(q);
    const order: number[] = [];
    while (order.length < n + 1) {
      const m = d.reapBatch(q);
      assert.ok(m > 0);
      for (let i = 0; i < m; i++) {
        assert.equal(q.reapedStatus[i], 0);
        order.push(q.reapedCid[i]!);
      }
    }
    assert.ok(c.dev.controller!.ioDispatched > dispatched, 'some writes ran on the I/O worker');
    assert.equal(order[order.length - 1], flushCid, 'Flush completes after every write submitted before it');
    assert.deepEqual(new Set(order.slice(0, n)), writes);
    assert.equal(store.flushCalls, flushes + 1);
    assert.ok(equalBytes(readFile(c.img.path, 512 * 4096, n * 4096), expect));
    c.p.pages.free(buf, n);
  });
});
