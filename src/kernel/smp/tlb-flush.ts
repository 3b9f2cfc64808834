/**
 * The stand-in for a TLB shootdown on the SMP machine, in one place.
 *
 * Each core worker's CPU has its own TLB (and the JIT its write entries).
 * When the host's root task (the NT executive) removes or downgrades a
 * mapping, `smpTlbFlushAllCores` bumps one word of the control block; every
 * core worker compares it at each kernel entry (`TlbFlushWatch.check`,
 * under the big kernel lock, before it loads a thread), flushes its whole
 * TLB when it moved and acknowledges the value (CTL_TLB_ACK + core). The
 * host then waits (HostCoreServer.waitTlbAcks, the lock let go meanwhile)
 * until every core running a thread has acknowledged: an idle core flushes
 * before it loads anything. A busy core acknowledges at its next kernel
 * entry, at the latest the end of its slice.
 *
 * A stand-in for seL4's shootdown (an IPI per core that may hold the
 * mapping, answered before the unmap returns), in one place: the whole TLB
 * is flushed on every core for any unmap. The kernel's unmap paths
 * (src/kernel/vspace.ts: finaliseFrameCap, invokePage_Unmap, page table and
 * page directory deletion) are where the real shootdown belongs; when they
 * send it, this file, CTL_TLB_FLUSH/CTL_TLB_ACK, and its callers (the NT SMP
 * boot's `invalidatePage` option, core.entry.ts's `entered` check and
 * HostCoreServer.waitTlbAcks) go.
 */
import { CTL_TLB_ACK, CTL_TLB_FLUSH } from './control.js';

/** Host side: every core flushes its TLB at its next kernel entry; returns the value each must acknowledge. */
export function smpTlbFlushAllCores(control: Int32Array): number {
  return Atomics.add(control, CTL_TLB_FLUSH, 1) + 1;
}

/** Has core `core` flushed for request `epoch`? */
export function tlbFlushAcked(control: Int32Array, core: number, epoch: number): boolean {
  return Atomics.load(control, CTL_TLB_ACK + core) - epoch >= 0;
}

/** Core side: the flush requests this core has acted on. */
export class TlbFlushWatch {
  private seen: number;
  flushes = 0;

  constructor(private readonly control: Int32Array, private readonly core: number, private readonly flush: () => void) {
    this.seen = Atomics.load(control, CTL_TLB_FLUSH);
    Atomics.store(control, CTL_TLB_ACK + core, this.seen);
  }

  check(): void {
    const v = Atomics.load(this.control, CTL_TLB_FLUSH);
    if (v === this.seen) return;
    this.seen = v;
    this.flushes++;
    this.flush();
    Atomics.store(this.control, CTL_TLB_ACK + this.core, v);
  }
}
