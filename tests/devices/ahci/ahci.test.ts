import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Platform } from '../../../src/devices/harness/platform.js';
import { AhciDriver, type AhciPort } from '../../../src/devices/harness/ahci-driver.js';
import { startAhci, type AhciDevice } from '../../../src/devices/ahci/ahci-device.js';
import * as A from '../../../src/devices/ahci/regs.js';
import { tempImage, fillPattern, readFile, writeFile, equalBytes } from '../helpers.js';

const DISK = 8 * 1024 * 1024;

async function setup(mode: 'inline' | 'worker', interrupts: 'msi' | 'intx' = 'msi', ports = 1) {
  const p = new Platform(32 * 1024 * 1024);
  const imgs = Array.from({ length: ports }, (_, i) => tempImage(`ahci${i}.img`));
  const dev: AhciDevice = await startAhci({
    ram: p.ram,
    fabric: p.fabric,
    disks: imgs.map((m, i) => ({ imagePath: m.path, createSize: DISK * (i + 1), serial: `SER${i}`, model: 'Test SATA Disk' })),
    mode,
  });
  p.bus.attach({ bus: 0, device: 4, fn: 0 }, dev.fn);
  const drv = AhciDriver.probe(p, { interrupts });
  return { p, imgs, dev, drv, cleanup: async () => { await dev.stop(); imgs.forEach((m) => m.cleanup()); } };
}

/** ATA string from IDENTIFY words (first character in the high byte). */
function ataString(id: Uint8Array, word: number, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += String.fromCharCode(id[2 * (word + i) + 1]!, id[2 * (word + i)]!);
  return s.trimEnd();
}

describe('AHCI HBA (in-thread, MSI)', () => {
  let c: Awaited<ReturnType<typeof setup>>;
  let port: AhciPort;
  before(async () => {
    c = await setup('inline', 'msi', 2);
  });
  after(() => c.cleanup());

  test('generic host control: reset values and read-only registers', () => {
    const b = c.drv.abar;
    const cap = b.r32(A.HBA_CAP);
    assert.equal(cap & 0x1f, 1, 'CAP.NP = 2 ports');
    assert.equal((cap >>> 8) & 0x1f, 31, 'CAP.NCS = 32 slots');
    assert.ok(cap & A.CAP_S64A, 'S64A');
    assert.equal(cap & A.CAP_SNCQ, 0, 'no NCQ');
    assert.equal(cap & A.CAP_SAM, 0, 'AE is writable');
    assert.equal(b.r32(A.HBA_PI), 0b11);
    assert.equal(b.r32(A.HBA_VS), 0x00010300);
    assert.equal(b.r32(A.HBA_GHC), 0);
    b.w32(A.HBA_CAP, 0);
    b.w32(A.HBA_PI, 0);
    assert.equal(b.r32(A.HBA_CAP), cap);
    assert.equal(b.r32(A.HBA_PI), 0b11);
    // Port registers ignore writes until GHC.AE is set.
    b.w32(0x100 + A.PxCLB, 0x10000);
    assert.equal(b.r32(0x100 + A.PxCLB), 0);
    b.w32(A.HBA_GHC, A.GHC_AE);
    b.w32(0x100 + A.PxCLB, 0x10123);
    assert.equal(b.r32(0x100 + A.PxCLB), 0x10000, 'CLB is 1 KiB aligned');
    b.w32(0x100 + A.PxFB, 0x20080);
    assert.equal(b.r32(0x100 + A.PxFB), 0x20000, 'FB is 256-byte aligned');
    assert.equal(b.r32(0x100 + A.PxSIG), A.SIG_ATA);
    assert.equal(b.r32(0x100 + A.PxSSTS), 0x133);
    assert.equal(b.r32(0x100 + A.PxTFD), 0x50);
    b.w32(0x100 + A.PxTFD, 0xff);
    assert.equal(b.r32(0x100 + A.PxTFD), 0x50, 'TFD is read-only');
    b.w32(0x100 + A.PxCI, 1);
    assert.equal(b.r32(0x100 + A.PxCI), 0, 'PxCI ignored while ST = 0');
    b.w32(A.HBA_GHC, A.GHC_AE | A.GHC_HR);
    assert.equal(b.r32(A.HBA_GHC), 0, 'HR self-clears and AE resets');
  });

  test('init: HBA reset, port start; PxCMD FR/CR follow FRE/ST', () => {
    c.drv.init();
    assert.equal(c.drv.ports.length, 2);
    port = c.drv.ports[0]!;
    const cmd = c.drv.abar.r32(0x100 + A.PxCMD);
    assert.ok(cmd & A.PxCMD_ST && cmd & A.PxCMD_CR && cmd & A.PxCMD_FRE && cmd & A.PxCMD_FR);
    // The signature FIS landed in the received-FIS area when FRE was set.
    assert.equal(c.p.ram.u8[port.fb + A.RFIS_RFIS], A.FIS_TYPE_REG_D2H);
    assert.equal(c.p.ram.u8[port.fb + A.RFIS_RFIS + 12], 1);
  });

  test('IDENTIFY DEVICE: model, serial, LBA48 capacity, checksum', () => {
    const id = c.drv.identify(port);
    const w = (i: number) => id[2 * i]! | (id[2 * i + 1]! << 8);
    assert.equal(ataString(id, 27, 20), 'Test SATA Disk');
    assert.equal(ataString(id, 10, 10), 'SER0');
    assert.ok(w(49) & (1 << 9), 'LBA supported');
    assert.ok(w(83) & (1 << 10), '48-bit address');
    assert.ok(w(83) & (1 << 13), 'FLUSH CACHE EXT');
    const lba48 = w(100) + w(101) * 65536 + w(102) * 2 ** 32;
    assert.equal(lba48, DISK / 512);
    assert.equal(w(60) | (w(61) << 16), DISK / 512, 'LBA28 count');
    assert.equal(id[510], 0xa5);
    assert.equal(id.reduce((a, b) => a + b, 0) & 0xff, 0, 'integrity checksum');
    // The second port's disk is twice as big.
    const id1 = c.drv.identify(c.drv.ports[1]!);
    assert.equal(id1[200]! | (id1[201]! << 8) | (id1[202]! << 16), (2 * DISK) / 512);
    // PIO setup FIS with ending status was received.
    assert.equal(c.p.ram.u8[port.fb + A.RFIS_PSFIS], A.FIS_TYPE_PIO_SETUP);
  });

  test('multi-PRDT write and read equal the host file; PRDBC and DPS', () => {
    const ram = c.p.ram;
    // 5 scattered chunks of different (even) sizes: 24 sectors = 12 KiB in total.
    const sizes = [512, 4096, 1024, 2560, 4096];
    const prds = sizes.map((len, i) => ({ addr: c.p.pages.alloc(2) + (i % 2) * 256, len, irq: i === sizes.length - 1 }));
    const total = sizes.reduce((a, b) => a + b, 0);
    const src = new Uint8Array(total);
    fillPattern(src, 0, total, 77);
    let off = 0;
    for (const d of prds) {
      ram.u8.set(src.subarray(off, off + d.len), d.addr);
      off += d.len;
    }
    const w = c.drv.readWrite(port, true, 1000, total / 512, prds);
    assert.ok(w.ok);
    assert.equal(w.prdbc, total);
    assert.ok(w.pxis & A.PxIS_DHRS, 'D2H Register FIS interrupt');
    assert.ok(w.pxis & A.PxIS_DPS, 'descriptor processed (I bit)');
    assert.ok(equalBytes(readFile(c.imgs[0]!.path, 1000 * 512, total), src));
    for (const d of prds) ram.u8.fill(0, d.addr, d.addr + d.len);
    const host = new Uint8Array(total);
    fillPattern(host, 0, total, 78);
    writeFile(c.imgs[0]!.path, 3000 * 512, host);
    const r = c.drv.readWrite(port, false, 3000, total / 512, prds, 5);
    assert.ok(r.ok);
    off = 0;
    const back = new Uint8Array(total);
    for (const d of prds) {
      back.set(ram.u8.subarray(d.addr, d.addr + d.len), off);
      off += d.len;
    }
    assert.ok(equalBytes(back, host));
    assert.equal(c.p.ram.u8[port.fb + A.RFIS_RFIS + 2], 0x50, 'D2H status');
  });

  test('host calls: adjacent PRDs merge into one pread/pwrite, a gap between them splits it', () => {
    const store = c.dev.stores![0]!;
    const big = c.p.pages.alloc(256);
    fillPattern(c.p.ram.u8, big, 1 << 20, 31);
    // 256 PRDs of 4 KiB over contiguous pages: one host call.
    const pages = Array.from({ length: 256 }, (_, i) => ({ addr: big + i * 4096, len: 4096 }));
    let w0 = store.writeCalls;
    assert.ok(c.drv.readWrite(port, true, 6144, 2048, pages).ok);
    assert.equal(store.writeCalls - w0, 1);
    let r0 = store.readCalls;
    assert.ok(c.drv.readWrite(port, false, 6144, 2048, pages).ok);
    assert.equal(store.readCalls - r0, 1);
    // Two adjacent entries, a gap, one more: two calls, and the gap's bytes are not transferred.
    const src = c.p.ram.u8.slice(big, big + 4 * 4096);
    const gap = [{ addr: big, len: 4096 }, { addr: big + 4096, len: 4096 }, { addr: big + 3 * 4096, len: 4096 }];
    w0 = store.writeCalls;
    assert.ok(c.drv.readWrite(port, true, 500, 24, gap).ok);
    assert.equal(store.writeCalls - w0, 2);
    const file = readFile(c.imgs[0]!.path, 500 * 512, 3 * 4096);
    assert.ok(equalBytes(file.subarray(0, 8192), src.subarray(0, 8192)));
    assert.ok(equalBytes(file.subarray(8192), src.subarray(3 * 4096, 4 * 4096)));
    r0 = store.readCalls;
    assert.ok(c.drv.readWrite(port, false, 500, 24, gap).ok);
    assert.equal(store.readCalls - r0, 2);
    c.p.pages.free(big, 256);
  });

  test('LBA out of range: TFES, TFD.ERR with IDNF, port halts until restarted', () => {
    const buf = c.p.pages.alloc(1);
    const r = c.drv.readWrite(port, false, DISK / 512 - 2, 8, [{ addr: buf, len: 4096 }], 3);
    assert.equal(r.ok, false);
    assert.ok(r.pxis & A.PxIS_TFES);
    assert.equal(r.tfd & 0xff, 0x51, 'STS: DRDY|DSC|ERR');
    assert.equal((r.tfd >>> 8) & 0xff, A.ATA_ERR_IDNF);
    assert.ok(c.drv.abar.r32(0x100 + A.PxCI) & (1 << 3), 'failed slot stays issued');
    assert.equal((c.drv.abar.r32(0x100 + A.PxCMD) >>> 8) & 0x1f, 3, 'CCS names it');
    assert.equal(c.p.ram.u8[port.fb + A.RFIS_RFIS + 3], A.ATA_ERR_IDNF, 'D2H FIS error');
    c.drv.recover(0);
    assert.equal(c.drv.abar.r32(0x100 + A.PxCI), 0);
    assert.ok(c.drv.readWrite(port, false, 0, 8, [{ addr: buf, len: 4096 }]).ok, 'works again after recovery');
    // An unknown ATA command is aborted.
    const u = c.drv.run(port, { command: 0x99 });
    assert.equal(u.ok, false);
    assert.equal((u.tfd >>> 8) & 0xff, A.ATA_ERR_ABRT);
    c.drv.recover(0);
    // A PRDT shorter than the transfer is an overflow (fatal).
    const o = c.drv.readWrite(port, false, 0, 16, [{ addr: buf, len: 4096 }]);
    assert.equal(o.ok, false);
    assert.ok(o.pxis & A.PxIS_OFS);
    c.drv.recover(0);
    c.p.pages.free(buf);
  });

  test('FLUSH CACHE EXT and READ/WRITE DMA (28-bit)', () => {
    const buf = c.p.pages.alloc(1);
    fillPattern(c.p.ram.u8, buf, 4096, 3);
    assert.ok(c.drv.run(port, { command: A.ATA_WRITE_DMA, lba: 77, count: 8, write: true, prds: [{ addr: buf, len: 4096 }] }).ok);
    assert.ok(c.drv.flush(port).ok);
    assert.ok(equalBytes(readFile(c.imgs[0]!.path, 77 * 512, 4096), c.p.ram.u8.slice(buf, buf + 4096)));
    assert.ok(c.drv.run(port, { command: A.ATA_SET_FEATURES, features: 0x02 }).ok, 'SET FEATURES: write cache');
    c.p.pages.free(buf);
  });

  test('queued slots all complete, one PRD of 1 MiB', () => {
    const big = c.p.pages.alloc(256);
    fillPattern(c.p.ram.u8, big, 1 << 20, 11);
    const data = c.p.ram.u8.slice(big, big + (1 << 20));
    assert.ok(c.drv.readWrite(port, true, 4096, 2048, AhciDriver.prdsFor(big, 1 << 20)).ok);
    c.p.ram.u8.fill(0, big, big + (1 << 20));
    for (let s = 0; s < 32; s++) c.drv.issue(port, s, { command: A.ATA_READ_DMA_EXT, lba: 4096 + s * 64, count: 64, prds: [{ addr: big + s * 32768, len: 32768 }] });
    for (let s = 0; s < 32; s++) assert.ok(c.drv.wait(port, s).ok);
    assert.ok(equalBytes(c.p.ram.u8.slice(big, big + (1 << 20)), data));
  });
});

describe('AHCI HBA (worker, INTx)', () => {
  let c: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    c = await setup('worker', 'intx');
  });
  after(() => c.cleanup());

  test('init, IDENTIFY, write/flush/read through a worker with a level-triggered line', () => {
    c.drv.init();
    const port = c.drv.ports[0]!;
    const id = c.drv.identify(port);
    assert.equal(ataString(id, 27, 20), 'Test SATA Disk');
    const buf = c.p.pages.alloc(16);
    fillPattern(c.p.ram.u8, buf, 65536, 9);
    const data = c.p.ram.u8.slice(buf, buf + 65536);
    const prds = Array.from({ length: 16 }, (_, i) => ({ addr: buf + (15 - i) * 4096, len: 4096 }));
    assert.ok(c.drv.readWrite(port, true, 200, 128, prds).ok);
    assert.ok(c.drv.flush(port).ok);
    const expect = new Uint8Array(65536);
    for (let i = 0; i < 16; i++) expect.set(data.subarray((15 - i) * 4096, (16 - i) * 4096), i * 4096);
    assert.ok(equalBytes(readFile(c.imgs[0]!.path, 200 * 512, 65536), expect));
    c.p.ram.u8.fill(0, buf, buf + 65536);
    assert.ok(c.drv.readWrite(port, false, 200, 128, prds).ok);
    assert.ok(equalBytes(c.p.ram.u8.slice(buf, buf + 65536), data));
    assert.equal(c.p.fabric.lineLevel(11), false, 'line deasserted after IS was cleared');
  });
});
