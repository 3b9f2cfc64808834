/**
 * The test platform the harness drives: guest RAM, the interrupt fabric, a
 * PCI bus, a page allocator for DMA memory and an MMIO window for BARs.
 */
import { GuestRam } from '../../machine/ram.js';
import { IrqFabric } from '../irq.js';
import { PciBus } from '../pci/bus.js';
import { PageAllocator } from './page-allocator.js';

/** BARs are assigned from here up: above any RAM size the harness uses, below 4 GiB. */
export const MMIO_WINDOW_BASE = 0xe0000000;

export class Platform {
  readonly ram: GuestRam;
  readonly fabric = new IrqFabric();
  readonly bus = new PciBus();
  readonly pages: PageAllocator;
  readonly mmioWindow = { next: MMIO_WINDOW_BASE };

  constructor(ramBytes = 64 * 1024 * 1024) {
    this.ram = new GuestRam(ramBytes);
    this.pages = new PageAllocator(this.ram);
  }
}
