/** Walking a function's capability list (as both drivers and device models do). */
import { ConfigSpace, PCI_CAP_PTR, PCI_STATUS, PCI_STATUS_CAP_LIST } from './config-space.js';

/** Offset of the first capability with `id`, or 0 when absent. Bounded against loops. */
export function findCapability(cfg: { read8(off: number): number; read16(off: number): number }, id: number): number {
  if ((cfg.read16(PCI_STATUS) & PCI_STATUS_CAP_LIST) === 0) return 0;
  let off = cfg.read8(PCI_CAP_PTR) & 0xfc;
  for (let guard = 0; off !== 0 && guard < 48; guard++) {
    if (cfg.read8(off) === id) return off;
    off = cfg.read8(off + 1) & 0xfc;
  }
  return 0;
}

export type { ConfigSpace };
