/**
 * The host core's ends of the cross-core fastpath (smp/cross-fastpath.ts,
 * handoff.ts): how an NT system call from a core worker reaches the
 * executive (the host-run thread served by HostCoreServer) and its answer
 * gets back, without the slow path's ready queues and doorbells.
 *
 *   core c  Call on the executive's endpoint while it waits in Recv and
 *           the host core is idle: CrossCoreFastpath commits the slow
 *           path's end state under the lock (message, badge, reply cap,
 *           the executive current on core N) and publishes a slot on ring
 *           (c → N) after the release, notifying the host only if it
 *           sleeps on its doorbell
 *   host    HostCoreServer's wait sees the ring (`pending`), serve takes
 *           the slots (`drain`) and its schedule finds the executive
 *           current: Executive.run serves the call as on the slow path
 *   reply   the executive's ReplyRecv (the kernel's slow-path operation)
 *           wakes the caller through possibleSwitchTo, whose
 *           Kernel.remoteSwitch is this core's CrossCoreFastpath: when
 *           core c is idle the caller becomes its current thread and a
 *           slot goes over (N → c), published by `flush` after the lock's
 *           release; core c's idle loop, polling its rings, runs it.
 *
 * Only the rings and their wake-ups are new here; every check and state
 * change is CrossCoreFastpath's, so a call that does not fit (a busy host
 * core, a long message, caps, a busy caller core) takes the slow path.
 */
import type { Kernel } from '../state.js';
import { HandoffRings, type HandoffBuffers } from './handoff.js';
import { CrossCoreFastpath } from './cross-fastpath.js';

export class HostHandoff {
  private readonly rings: HandoffRings;
  /** The reply side (null with the fastpath off: every wake goes through the ready queues). */
  private readonly reply: CrossCoreFastpath | null;

  /** `k` is the host's kernel handle (core N = `cores`); `buffers` the machine's hand-off rings. */
  constructor(k: Kernel, buffers: HandoffBuffers, cores: number, fastpath: boolean) {
    this.rings = new HandoffRings(buffers, cores + 1, cores);
    this.reply = fastpath ? new CrossCoreFastpath(k, this.rings) : null;
  }

  /** Calls handed to the host core by the cores (slots taken). */
  get taken(): number {
    return this.rings.taken;
  }

  /** Wake-ups (replies, mostly) handed from the host core to idle cores. */
  get sent(): number {
    return this.reply?.committed ?? 0;
  }

  /** Of those, the host thread's answers committed by its own fastpath (`replyRecv`). */
  get fastReplies(): number {
    return this.reply?.hostReplies ?? 0;
  }

  /** Has a core published a call for the host? (The host's wait polls this, as a core's idle loop does.) */
  pending(): boolean {
    return this.rings.pending();
  }

  /** Under the lock: consumes the published slots (their threads are already the host core's current one). */
  drain(): void {
    this.rings.drain();
  }

  /**
   * Under the lock: the host thread `t` answers its caller with one word
   * and waits on `cptr` again, the caller handed to its idle core over the
   * ring (CrossCoreFastpath.hostReplyRecv). False: nothing changed (or the
   * fastpath is off); answer with seL4_ReplyRecv.
   */
  replyRecv(t: number, cptr: number, mr0: number): boolean {
    return this.reply !== null && this.reply.hostReplyRecv(t, cptr, mr0);
  }

  /** Right after the lock's release: publishes the hand-offs to cores committed under it. */
  flush(): void {
    if (this.reply !== null) this.reply.flush();
  }
}
