// A/B comparison of two builds' storage models for a shared (noisy)
// machine: both builds' controllers run in ONE process, and each sample
// runs A's device, A's host loop, B's device, B's host loop in turn, so
// load changes hit both alike. Ratios are device median / host median, as
// in bench/suites/storage.ts (same workloads, sizes and seeds).
//
//   node scripts/storage-ab.mjs DIST_A DIST_B [ROUNDS] [nvme,ahci]
//
// DIST_* are build outputs (a `dist` directory of `node scripts/build.mjs`,
// e.g. one copied aside before a change). COALESCE=n sets NVMe Interrupt
// Coalescing on B only (n entries). AHCI QD32 uses NCQ when the build's
// driver has it (ncqSupported) unless NO_NCQ=1. Not a benchmark of record: the bench
// suite (`node dist/bench/main.js storage`) is, on a quiet machine.
import { openSync, readSync, writeSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { tmpdir } from 'node:os';
const MB = 1 << 20;
const [da, db] = [resolve(process.argv[2]), resolve(process.argv[3])];
const rounds = +(process.argv[4] ?? 7);
const only = (process.argv[5] ?? 'nvme,ahci').split(',');
const dir = mkdtempSync(join(tmpdir(), 'neptune-storage-ab-'));
async function load(d) {
  return {
    Platform: (await import(d + '/src/devices/harness/platform.js')).Platform,
    NvmeDriver: (await import(d + '/src/devices/harness/nvme-driver.js')).NvmeDriver,
    AhciDriver: (await import(d + '/src/devices/harness/ahci-driver.js')).AhciDriver,
    startNvme: (await import(d + '/src/devices/nvme/nvme-device.js')).startNvme,
    startAhci: (await import(d + '/src/devices/ahci/ahci-device.js')).startAhci,
    A: await import(d + '/src/devices/ahci/regs.js'),
  };
}
const DISK = 256 * MB, RAND = 20480, SEQ = 128;
const lbas = new Float64Array(RAND); { let x = 12345; for (let i = 0; i < RAND; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; lbas[i] = ((x >>> 0) % (DISK / 4096)) * 8; } }
// The allocation-free QD1 calls (rwStatus, readWriteOk) when the build has them, as the bench uses.
const nvmeRw = (d) => (d.rwStatus ? (q, w, lba, n, buf) => d.rwStatus(q, w, lba, n, buf) : (q, w, lba, n, buf) => d.rw(q, w, lba, n, buf).status);
const ahciRw = (d) => (d.readWriteOk ? (p, w, lba, n, prds) => d.readWriteOk(p, w, lba, n, prds) : (p, w, lba, n, prds) => d.readWrite(p, w, lba, n, prds).ok);
function nvmeW(d, buf) {
  const q = d.io[0];
  const rw = nvmeRw(d);
  return {
    qd1() { for (let i = 0; i < lbas.length; i++) if (rw(q, false, lbas[i], 8, buf) !== 0) throw new Error('rd'); },
    qd32() {
      const slotOf = new Int32Array(65536); const total = lbas.length; let next = 0, done = 0;
      for (let k = 0; k < 32; k++) slotOf[d.enqueueRw(q, false, lbas[next++], 8, buf + k * 4096, k)] = k;
      d.ring(q);
      while (done < total) {
        let n = d.reapBatch(q);
        if (n === 0) { if (!d.waitInterrupt(q)) throw new Error('no irq'); n = d.reapBatch(q); }
        let again = 0;
        for (let i = 0; i < n; i++) { if (q.reapedStatus[i] !== 0) throw new Error('st'); done++; if (next < total) { const k = slotOf[q.reapedCid[i]]; slotOf[d.enqueueRw(q, false, lbas[next++], 8, buf + k * 4096, k)] = k; again++; } }
        if (again) d.ring(q);
      }
    },
    seq(write) { for (let i = 0; i < SEQ; i++) if (rw(q, write, i * 2048, 2048, buf) !== 0) throw new Error('seq'); },
  };
}
function ahciW(d, buf, A) {
  const port = d.ports[0]; const one = [{ addr: buf, len: 4096 }]; const big = [{ addr: buf, len: MB }];
  const slotPrds = Array.from({ length: 32 }, (_, k) => [{ addr: buf + k * 4096, len: 4096 }]);
  const rw = ahciRw(d);
  return {
    qd1() { for (let i = 0; i < lbas.length; i++) if (!rw(port, false, lbas[i], 8, one)) throw new Error('ahci'); },
    qd32() {
      if (d.ncqSupported && !process.env.NO_NCQ) {
        // NCQ (builds that have it): refill each SDB interrupt's tags with one PxSACT + PxCI write.
        const total = lbas.length; let next = 0, done = 0, mask = 0;
        for (let k = 0; k < 32; k++) { d.issueNcq(port, k, false, lbas[next++], 8, slotPrds[k], false); mask |= 1 << k; }
        d.ringNcq(port, mask);
        while (done < total) {
          if (!d.waitInterrupt()) throw new Error('ahci: no interrupt');
          d.service(port); let m = d.takeCompleted(port), again = 0;
          while (m !== 0) { const k = 31 - Math.clz32(m & -m); m &= m - 1; done++; if (next < total) { d.issueNcq(port, k, false, lbas[next++], 8, slotPrds[k], false); again |= 1 << k; } }
          if (again) d.ringNcq(port, again);
        }
        return;
      }
      const cmds = slotPrds.map((prds) => ({ command: A.ATA_READ_DMA_EXT, lba: 0, count: 8, prds }));
      const total = lbas.length; let next = 0, done = 0, mask = 0;
      for (let k = 0; k < 32; k++) { cmds[k].lba = lbas[next++]; d.issue(port, k, cmds[k], false); mask |= 1 << k; }
      d.ringSlots(port, mask);
      while (done < total) {
        if (!d.waitInterrupt()) throw new Error('ahci: no interrupt');
        d.service(port); const m = d.takeCompleted(port); let again = 0;
        for (let k = 0; k < 32; k++) { if ((m & (1 << k)) === 0) continue; done++; if (next < total) { cmds[k].lba = lbas[next++]; d.issue(port, k, cmds[k], false); again |= 1 << k; } }
        if (again) d.ringSlots(port, again);
      }
    },
    seq(write) { for (let i = 0; i < SEQ; i++) if (!rw(port, write, i * 2048, 2048, big)) throw new Error('ahci seq'); },
  };
}
function hostW(path, ram, buf) {
  const fd = openSync(path, 'r+');
  return {
    qd1() { for (let i = 0; i < lbas.length; i++) readSync(fd, ram, buf, 4096, lbas[i] * 512); },
    qd32() { for (let i = 0; i < lbas.length; i++) readSync(fd, ram, buf + (i & 31) * 4096, 4096, lbas[i] * 512); },
    seq(write) { for (let i = 0; i < SEQ; i++) write ? writeSync(fd, ram, buf, MB, i * MB) : readSync(fd, ram, buf, MB, i * MB); },
  };
}
async function setup(m, kind, tag) {
  const p = new m.Platform(64 * MB);
  const path = `${dir}/${kind}-${tag}.img`;
  let dev, w;
  const buf = () => p.pages.alloc(256);
  if (kind === 'nvme') {
    dev = await m.startNvme({ ram: p.ram, fabric: p.fabric, imagePath: path, createSize: DISK, spinUs: 200 });
    p.bus.attach({ bus: 0, device: 1, fn: 0 }, dev.fn);
    const d = m.NvmeDriver.probe(p); d.enable(); d.createIoQueues(1, 256);
    if (tag === 'b' && process.env.COALESCE) d.setInterruptCoalescing(+process.env.COALESCE);
    const b = buf(); w = nvmeW(d, b); w.host = hostW(path, p.ram.u8, b);
  } else {
    dev = await m.startAhci({ ram: p.ram, fabric: p.fabric, disks: [{ imagePath: path, createSize: DISK }], spinUs: 200 });
    p.bus.attach({ bus: 0, device: 2, fn: 0 }, dev.fn);
    const d = m.AhciDriver.probe(p); d.init();
    const b = buf(); w = ahciW(d, b, m.A); w.host = hostW(path, p.ram.u8, b);
  }
  w.dev = dev;
  return w;
}
const t = (f) => { const t0 = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t0) / 1e6; };
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mA = await load(da), mB = await load(db);
const cases = [['seq1m.write', (w) => w.seq(true)], ['seq1m.read', (w) => w.seq(false)], ['rand4k.qd1', (w) => w.qd1()], ['rand4k.qd32', (w) => w.qd32()]];
for (const kind of only) {
  const a = await setup(mA, kind, 'a'), b = await setup(mB, kind, 'b');
  for (const [name, run] of cases) {
    const ra = [], rb = [], ha = [], hb = [];
    run(a); run(b); run(a.host); run(b.host);
    for (let r = 0; r < rounds; r++) {
      ra.push(t(() => run(a))); ha.push(t(() => run(a.host)));
      rb.push(t(() => run(b))); hb.push(t(() => run(b.host)));
    }
    const A_ = med(ha) / med(ra), B_ = med(hb) / med(rb);
    console.log(`${kind}.${name}`.padEnd(20), 'A', A_.toFixed(3), 'B', B_.toFixed(3), ` (ms: A ${med(ra).toFixed(1)} hostA ${med(ha).toFixed(1)} B ${med(rb).toFixed(1)} hostB ${med(hb).toFixed(1)})`);
  }
  await a.dev.stop(); await b.dev.stop();
}
rmSync(dir, { recursive: true, force: true });
