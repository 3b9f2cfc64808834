/**
 * The hand-off rings of the cross-core fastpath (smp/cross-fastpath.ts):
 * one single-producer/single-consumer ring (src/ipc-fastpath/ring.ts) per
 * ordered pair of the machine's cores, in SharedArrayBuffers the
 * SmpMachine creates and every core worker attaches to. The host core
 * (core N, a host-run thread's: smp/host-core.ts) is one of them: a Call
 * from a CPU core to the executive goes over (c → N), the executive's
 * replies over (N → c). Core `a` is the only producer of ring (a → b),
 * core `b` its only consumer.
 *
 * A slot is one 64-byte cache line: the ring's sequence word and 15
 * payload words, of which [thread handed over, message info, badge, MR0,
 * MR1] are used. The kernel state the slot summarises (the thread's TCB,
 * its IPC buffer, the receiving core's current thread) was written under
 * the big kernel lock before the slot is published, after the lock's
 * release: the receiving core, spinning idle on its incoming rings, starts
 * on the thread at once and does not find the lock still held.
 */
import { SpscRing } from '../../ipc-fastpath/ring.js';

export const HANDOFF_SLOT_WORDS = 15;
export const HANDOFF_CAPACITY = 16;
/** Slot words. */
export const HO_THREAD = 0;
export const HO_INFO = 1;
export const HO_BADGE = 2;
export const HO_MR0 = 3;
export const HO_MR1 = 4;

/** The rings' buffers: index a * cores + b is ring (a → b); the diagonal is null. */
export type HandoffBuffers = (SharedArrayBuffer | null)[];

export function createHandoffBuffers(cores: number): HandoffBuffers {
  const out: HandoffBuffers = [];
  for (let a = 0; a < cores; a++) {
    for (let b = 0; b < cores; b++) out.push(a === b ? null : SpscRing.create(HANDOFF_CAPACITY, HANDOFF_SLOT_WORDS).sab);
  }
  return out;
}

/** One core's ends of the hand-off rings: producer of (core → b), consumer of (a → core). */
export class HandoffRings {
  /** outgoing[b]: ring (core → b), null for b = core. */
  private readonly outgoing: (SpscRing | null)[] = [];
  private readonly incoming: SpscRing[] = [];
  /** Hand-offs received (consumed slots). */
  taken = 0;

  constructor(buffers: HandoffBuffers, readonly cores: number, readonly core: number) {
    if (buffers.length !== cores * cores) throw new RangeError(`hand-off buffers for ${Math.sqrt(buffers.length)} cores, not ${cores}`);
    for (let b = 0; b < cores; b++) {
      const sab = buffers[core * cores + b];
      this.outgoing.push(sab === null || sab === undefined ? null : new SpscRing(sab));
    }
    for (let a = 0; a < cores; a++) {
      const sab = buffers[a * cores + core];
      if (sab !== null && sab !== undefined) this.incoming.push(new SpscRing(sab));
    }
  }

  /** The ring to core `b` (a CPU core or the host core), or null (b is this core, or no such core). */
  to(b: number): SpscRing | null {
    return b >= 0 && b < this.cores ? this.outgoing[b]! : null;
  }

  /**
   * The host core (the last of the matrix, SmpMachine's core N): its ring
   * carries only calls to its host-run thread, the one thread HostCoreServer
   * serves from it (host-handoff.ts).
   */
  get hostCore(): number {
    return this.cores - 1;
  }

  /** Has any core handed something to this one? (The idle loop's probe: plain loads of the heads.) */
  pending(): boolean {
    const r = this.incoming;
    for (let i = 0; i < r.length; i++) if (r[i]!.available() !== 0) return true;
    return false;
  }

  /** Consumes every slot handed to this core; returns how many. */
  drain(): number {
    let n = 0;
    const r = this.incoming;
    for (let i = 0; i < r.length; i++) {
      const a = r[i]!.available();
      if (a !== 0) {
        r[i]!.release(a);
        n += a;
      }
    }
    this.taken += n;
    return n;
  }
}
