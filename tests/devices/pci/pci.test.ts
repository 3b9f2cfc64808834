import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PciBus } from '../../../src/devices/pci/bus.js';
import { findCapability } from '../../../src/devices/pci/capabilities.js';
import * as C from '../../../src/devices/pci/config-space.js';
import { MsixTable, msixFromConfig } from '../../../src/devices/pci/msix.js';
import { NvmeFunction } from '../../../src/devices/nvme/nvme-function.js';
import { AhciFunction } from '../../../src/devices/ahci/ahci-function.js';
import { IrqFabric } from '../../../src/devices/irq.js';
import { FunctionInterrupts } from '../../../src/devices/pci/interrupts.js';
import { Platform } from '../../../src/devices/harness/platform.js';
import { assignAndEnable, scanBus, setupMsix, ConfigAccess } from '../../../src/devices/harness/pci-enum.js';
import type { SyncDevice } from '../../../src/devices/mmio.js';

const at = { bus: 0, device: 2, fn: 0 };

test('identity, class codes and read-only header fields', () => {
  const bus = new PciBus();
  bus.attach(at, new NvmeFunction());
  bus.attach({ bus: 0, device: 5, fn: 0 }, new AhciFunction());
  assert.equal(bus.configRead({ bus: 0, device: 9, fn: 0 }, 0, 4), 0xffffffff, 'absent function reads all-ones');
  assert.equal(bus.configRead(at, C.PCI_VENDOR_ID, 2), 0x4e54);
  assert.equal(bus.configRead(at, C.PCI_CLASS, 1), 0x01);
  assert.equal(bus.configRead(at, C.PCI_SUBCLASS, 1), 0x08);
  assert.equal(bus.configRead(at, C.PCI_PROG_IF, 1), 0x02);
  bus.configWrite(at, 0, 4, 0);
  assert.equal(bus.configRead(at, C.PCI_VENDOR_ID, 2), 0x4e54, 'vendor ID is read-only');
  bus.configWrite(at, C.PCI_COMMAND, 2, 0xffff);
  assert.equal(bus.configRead(at, C.PCI_COMMAND, 2), 0x0546, 'only MEM, BME, PERR, SERR, INTx-disable are writable');
  assert.ok(bus.configRead(at, C.PCI_STATUS, 2) & C.PCI_STATUS_CAP_LIST);
  bus.configWrite(at, C.PCI_INTERRUPT_LINE, 1, 10);
  assert.equal(bus.configRead(at, C.PCI_INTERRUPT_LINE, 1), 10);
  assert.equal(bus.configRead(at, C.PCI_INTERRUPT_PIN, 1), 1);
  const found = scanBus(bus);
  assert.deepEqual(found.map((f) => [f.bdf.device, f.subclass]), [[2, 0x08], [5, 0x06]]);
});

test('BAR sizing: write all-ones, read the mask back; 64-bit and 32-bit BARs', () => {
  const bus = new PciBus();
  bus.attach(at, new NvmeFunction());
  bus.configWrite(at, 0x10, 4, 0xffffffff);
  assert.equal(bus.configRead(at, 0x10, 4), 0xffffc004, 'NVMe BAR0: 16 KiB, 64-bit memory');
  bus.configWrite(at, 0x14, 4, 0xffffffff);
  assert.equal(bus.configRead(at, 0x14, 4), 0xffffffff, 'upper half fully writable');
  bus.configWrite(at, 0x18, 4, 0xffffffff);
  assert.equal(bus.configRead(at, 0x18, 4), 0, 'BAR2 unimplemented');
  const ahci = { bus: 0, device: 3, fn: 0 };
  bus.attach(ahci, new AhciFunction());
  bus.configWrite(ahci, 0x24, 4, 0xffffffff);
  assert.equal(bus.configRead(ahci, 0x24, 4), 0xffffe000, 'AHCI ABAR: 8 KiB, 32-bit memory');
  const f = scanBus(bus);
  assert.deepEqual(f[0]!.bars.map((b) => [b.index, b.size, b.is64]), [[0, 16384, true]]);
  assert.deepEqual(f[1]!.bars.map((b) => [b.index, b.size, b.is64]), [[5, 8192, false]]);
  const window = { next: 0xe0000000 };
  assignAndEnable(bus, f[0]!, window);
  assignAndEnable(bus, f[1]!, window);
  assert.equal(bus.configRead(at, 0x10, 4), 0xe0000004);
  assert.equal(bus.configRead(ahci, 0x24, 4), 0xe0004000);
  assert.equal(bus.resolveMmio(0xe0000008)?.offset, 8);
  assert.equal(bus.resolveMmio(0xe0004010)?.offset, 0x10);
  assert.equal(bus.resolveMmio(0xe0006000), undefined);
  bus.configWrite(at, C.PCI_COMMAND, 2, 0);
  assert.equal(bus.resolveMmio(0xe0000008), undefined, 'no decode with Memory Space disabled');
});

test('capability list: MSI-X (table and PBA in BAR0) and MSI', () => {
  const fn = new NvmeFunction();
  const x = findCapability(fn.cfg, C.PCI_CAP_ID_MSIX);
  const m = findCapability(fn.cfg, C.PCI_CAP_ID_MSI);
  assert.ok(x >= 0x40 && m >= 0x40 && x !== m);
  assert.equal((fn.cfg.read16(x + 2) & 0x7ff) + 1, 64, 'table size');
  assert.equal(fn.cfg.read32(x + 4), 0x2000, 'table offset, BIR 0');
  assert.equal(fn.cfg.read32(x + 8), 0x3000, 'PBA offset, BIR 0');
  fn.cfg.write(x + 2, 2, 0xffff);
  assert.equal(fn.cfg.read16(x + 2), 0xc03f, 'only Enable and Function Mask are writable');
  assert.equal((fn.cfg.read16(m + 2) >>> 1) & 7, 3, 'MSI: 8 messages capable');
  assert.ok(fn.cfg.read16(m + 2) & 0x80, 'MSI: 64-bit');
});

test('MSI-X: reset masked, pending bit while masked, delivered on unmask', () => {
  const fn = new NvmeFunction();
  const fabric = new IrqFabric();
  const cap = msixFromConfig(fn.cfg, findCapability(fn.cfg, C.PCI_CAP_ID_MSIX));
  const table = new MsixTable(cap, fn.regs, fabric);
  const dev: SyncDevice = { mmioWrite: (d, v, mk) => table.write(d, v, mk), poll: () => false };
  fn.regs.attachSync(dev);
  assert.equal(fn.regs.read32(0x2000 + 12), 1, 'vector control: masked at reset');
  fn.cfg.write(C.PCI_COMMAND, 2, C.PCI_COMMAND_MASTER | C.PCI_COMMAND_MEMORY);
  fn.cfg.write(cap.off + 2, 2, 0x8000);
  fn.regs.write32(0x2000 + 16 * 3, 0xfee00000);
  fn.regs.write32(0x2000 + 16 * 3 + 8, 0x55);
  table.signal(3);
  assert.equal(fabric.pending(0x55), 0);
  assert.equal(fn.regs.read32(0x3000), 1 << 3, 'PBA bit set');
  fn.regs.write32(0x2000 + 16 * 3 + 12, 0); // unmask
  assert.equal(fabric.take(0x55), 1, 'delivered on unmask');
  assert.equal(fn.regs.read32(0x3000), 0);
  fn.regs.write32(0x3000, 0xffffffff);
  assert.equal(fn.regs.read32(0x3000), 0, 'PBA is read-only');
});

test('harness MSI-X setup through the bus', () => {
  const p = new Platform(1 << 20);
  const fn = new NvmeFunction();
  p.bus.attach(at, fn);
  const f = scanBus(p.bus)[0]!;
  assignAndEnable(p.bus, f, p.mmioWindow);
  const c = new ConfigAccess(p.bus, f.bdf);
  assert.equal(c.r16(C.PCI_COMMAND) & 6, 6, 'memory + bus master enabled');
  const cap = msixFromConfig(fn.cfg, findCapability(fn.cfg, C.PCI_CAP_ID_MSIX));
  const table = new MsixTable(cap, fn.regs, p.fabric);
  fn.regs.attachSync({ mmioWrite: (d, v, mk) => table.write(d, v, mk), poll: () => false });
  setupMsix(p.bus, f, 4, 0x70);
  table.signal(2);
  assert.equal(p.fabric.take(0x72), 1);
});

test('FunctionInterrupts follows config writes (cached per config generation): MSI data, MME, Bus Master, mode', () => {
  const fn = new AhciFunction();
  const fabric = new IrqFabric();
  const msi = fn.msiCapability();
  const irq = new FunctionInterrupts(fn.cfg, fabric, null, null, msi);
  assert.ok(irq.usesIntx, 'INTx until MSI is enabled');
  irq.signal(0);
  assert.equal(fabric.pending(0x61), 0, 'no message while MSI is off');
  const g0 = fn.cfg.generation;
  fn.cfg.write(C.PCI_COMMAND, 2, C.PCI_COMMAND_MASTER | C.PCI_COMMAND_MEMORY);
  fn.cfg.write(msi.off + 4, 4, 0xfee00000);
  fn.cfg.write(msi.off + 0x0c, 2, 0x61);
  fn.cfg.write(msi.off + 2, 2, 1); // enable, one message
  assert.ok(fn.cfg.generation !== g0, 'software writes move the generation');
  assert.ok(irq.msiEnabled && !irq.usesIntx && irq.busMaster);
  irq.signal(0);
  assert.equal(fabric.take(0x61), 1);
  fn.cfg.write(msi.off + 0x0c, 2, 0x64); // new message data
  irq.signal(0);
  assert.equal(fabric.take(0x64), 1, 'the new data is used at once');
  fn.cfg.write(msi.off + 2, 2, 1 | (2 << 4)); // four messages: index folds into the low bits
  irq.signal(3);
  assert.equal(fabric.take(0x67), 1);
  fn.cfg.write(C.PCI_COMMAND, 2, C.PCI_COMMAND_MEMORY); // Bus Master off
  irq.signal(0);
  assert.equal(fabric.pending(0x64), 0, 'no message without Bus Master Enable');
  assert.ok(!irq.busMaster);
  fn.cfg.write(msi.off + 2, 2, 0);
  assert.ok(irq.usesIntx, 'back to INTx');
});
