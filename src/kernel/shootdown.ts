/**
 * TLB shootdown (seL4's invalidateTranslation IPIs): after the kernel
 * removes or weakens a mapping, no core may go on using a translation it
 * cached before, and the operation that unmapped must not return until
 * that holds.
 *
 * Every unmap path of the kernel (vspace.ts: Page_Unmap, a Page_Map that
 * changes an existing mapping, PageTable_Unmap, deleting a mapped frame,
 * page table or page directory, deleting an ASID pool) calls
 * `invalidateTranslations` after it changed the tables. It drops the
 * calling core's own entries at once (Kernel.localTlbInvalidate, which
 * KernelCore installs for its CPU: per page, INVLPG style) and, on the SMP
 * machine, asks every other core whose MMU holds that page directory
 * (CORE_CR3, published by the core's Mmu on each CR3 load) to flush its
 * TLB, then waits for them:
 *
 *   initiator (holds the big kernel lock)   core c
 *   G_SHOOT_GEN = gen                       honours at: the lock's spin and
 *   CORE_SHOOT_REQ[c] = gen                 sleep loop (lock.ts onWait), its
 *   wake lock sleepers (G_LOCK = 3)          idle spin and before and after
 *   wait until CORE_SHOOT_ACK[c] = gen      an idle sleep (smp/core.entry.ts):
 *     or c sleeps idle (CORE_SLEEPING)       flush TLB, ACK = REQ, notify
 *
 * A core that runs guest code reaches the lock at the end of its slice at
 * the latest; as the initiator holds the lock it spins or sleeps there, and
 * honours. A core asleep idle is not waited for: it honours when it wakes,
 * before it can take the lock and run anything (it stores CORE_SLEEPING
 * before it checks the request, the initiator stores the request before it
 * reads CORE_SLEEPING: one of the two sees the other). So nothing here
 * waits for a core that needs the lock first, and the fast paths (the
 * fastpaths, the run loop) carry no check at all: the cost is only on
 * unmaps, lock contention and idle.
 *
 * A request names its pages (CORE_SHOOT_PD/VADDR/BYTES), and the core
 * drops just those, as the initiator drops its own: up to INVLPG_MAX_BYTES
 * page by page, else its whole TLB. A TLB that outgrew its list of filled
 * entries clears 8 MiB on a whole flush, and every entry it held must be
 * walked again, so a neighbour's one-page unmap should not cost that.
 * The fields are one set per core, written by the initiator under the
 * big kernel lock, but read by the core outside it: the initiator writes
 * them only when the core has acknowledged every earlier request (so it
 * is not reading them); else, and for every address space or a larger
 * range, it sets CORE_SHOOT_WHOLE instead, which the core exchanges for 0
 * before it flushes everything (so a flag set meanwhile is either seen
 * now or left for its next look).
 */
import type { Kernel } from './state.js';
import {
  CORE_ATTENTION, CORE_CR3, CORE_SHOOT_ACK, CORE_SHOOT_BYTES, CORE_SHOOT_PD, CORE_SHOOT_REQ, CORE_SHOOT_VADDR, CORE_SHOOT_WHOLE,
  CORE_SLEEPING, G_LOCK, G_SHOOT_GEN,
} from './state.js';

/** The largest range a TLB drops page by page (INVLPG style); above it, the whole TLB goes. */
export const INVLPG_MAX_BYTES = 64 * 4096;

/** Loads of an ACK word before the initiator sleeps (a remote core usually answers within a slice). */
const SPIN = 2048;
/** Each sleep of the initiator is bounded, and it wakes lock sleepers again after it. */
const WAIT_MS = 1;

/** The lock word's value while a shootdown waits: "held", and unlike 2 it makes a lock sleeper's Atomics.wait return. */
export const LOCK_SHOOTDOWN = 3;

/**
 * Shootdowns this process initiated, those that waited for at least one
 * other core, and the requests to a core that named pages (tests, counters).
 */
export const shootdownStats = { requests: 0, remoteWaits: 0, named: 0 };

/**
 * Drops every core's cached translations of page directory `pd` for
 * [vaddr, vaddr + bytes) (bytes 0: the whole address space; pd -1: every
 * address space), returning once each core that may hold one has done so.
 * Called under the big kernel lock on the SMP machine.
 */
export function invalidateTranslations(k: Kernel, pd: number, vaddr: number, bytes: number): void {
  if (k.localTlbInvalidate !== null) k.localTlbInvalidate(pd, vaddr, bytes);
  if (k.numCores > 1) shootdownRemote(k, pd, vaddr, bytes);
}

function shootdownRemote(k: Kernel, pd: number, vaddr: number, bytes: number): void {
  const g = k.g;
  const gen = nextGeneration(g, G_SHOOT_GEN);
  const named = pd !== -1 && bytes !== 0 && bytes <= INVLPG_MAX_BYTES;
  let targets = 0;
  for (let c = 0; c < k.numCores; c++) {
    if (c === k.core) continue;
    const base = k.coreBase(c);
    const cr3 = Atomics.load(g, base + CORE_CR3);
    if (cr3 === 0 || (pd !== -1 && cr3 !== pd)) continue;
    // Caught up (nothing unacknowledged): it reads no fields now, and reads these only after the request below.
    if (named && Atomics.load(g, base + CORE_SHOOT_ACK) === Atomics.load(g, base + CORE_SHOOT_REQ)) {
      g[base + CORE_SHOOT_PD] = pd;
      g[base + CORE_SHOOT_VADDR] = vaddr;
      g[base + CORE_SHOOT_BYTES] = bytes;
      shootdownStats.named++;
    } else {
      Atomics.store(g, base + CORE_SHOOT_WHOLE, 1);
    }
    Atomics.store(g, base + CORE_SHOOT_REQ, gen);
    Atomics.store(g, base + CORE_ATTENTION, 1); // the IPI: a core in guest code leaves it to answer
    targets++;
  }
  shootdownStats.requests++;
  if (targets === 0) return;
  shootdownStats.remoteWaits++;
  for (let c = 0; c < k.numCores; c++) {
    if (c === k.core) continue;
    const base = k.coreBase(c);
    if (Atomics.load(g, base + CORE_SHOOT_REQ) !== gen) continue;
    waitForCore(g, base, base + CORE_SHOOT_ACK, gen);
  }
}

/** Bumps the request generation in word `index` (under the lock), skipping 0 (a core's "none yet"). */
export function nextGeneration(g: Int32Array, index: number): number {
  let gen = (g[index]! + 1) | 0;
  if (gen === 0) gen = 1;
  g[index] = gen;
  return gen;
}

/**
 * Until the core at `base` has copied `gen` into its word `ack` or sleeps
 * idle (it answers when it wakes, before it runs anything). The caller
 * holds the big kernel lock, and the core answers where it waits for it;
 * also the wait of remoteTCBStall (stall.ts).
 */
export function waitForCore(g: Int32Array, base: number, ack: number, gen: number): void {
  const sleeping = base + CORE_SLEEPING;
  for (let i = 0; i < SPIN; i++) {
    if (Atomics.load(g, ack) === gen || Atomics.load(g, sleeping) !== 0) return;
  }
  for (;;) {
    // A core asleep on the lock must wake to honour: a word that is not 2 ends its wait.
    Atomics.store(g, G_LOCK, LOCK_SHOOTDOWN);
    Atomics.notify(g, G_LOCK);
    const seen = Atomics.load(g, ack);
    if (seen === gen || Atomics.load(g, sleeping) !== 0) return;
    Atomics.wait(g, ack, seen, WAIT_MS);
  }
}

/**
 * The answering side, for the core whose TLB this is: honours a pending
 * request, dropping the pages it names (`invalidate`, the core's own
 * INVLPG-style drop, which also sees whether that page directory is loaded)
 * or the whole TLB (`flush`). One load when there is none. Called by the
 * core's worker where it waits (lock, idle), never while another core
 * waits for something it holds.
 */
export class ShootdownResponder {
  private acked = 0;
  private readonly req: number;
  private readonly ack: number;
  private readonly base: number;
  /** Requests honoured, and of those, the ones that flushed the whole TLB. */
  honoured = 0;
  wholeFlushes = 0;

  constructor(
    private readonly g: Int32Array,
    base: number,
    private readonly flush: () => void,
    private readonly invalidate: (pd: number, vaddr: number, bytes: number) => void,
  ) {
    this.base = base;
    this.req = base + CORE_SHOOT_REQ;
    this.ack = base + CORE_SHOOT_ACK;
    this.acked = Atomics.load(g, this.req);
    Atomics.store(g, this.ack, this.acked);
  }

  readonly poll = (): void => {
    const g = this.g;
    const r = Atomics.load(g, this.req);
    if (r === this.acked) return;
    // Exchanged before the flush: a WHOLE set after this (for a later request) is seen at the next look.
    if (Atomics.exchange(g, this.base + CORE_SHOOT_WHOLE, 0) !== 0) {
      this.flush();
      this.wholeFlushes++;
    } else {
      const b = this.base;
      this.invalidate(g[b + CORE_SHOOT_PD]!, g[b + CORE_SHOOT_VADDR]!, g[b + CORE_SHOOT_BYTES]!);
    }
    this.acked = r;
    this.honoured++;
    Atomics.store(g, this.ack, r);
    Atomics.notify(g, this.ack);
  };
}
