/**
 * The cross-core IPC fastpath: Call and ReplyRecv with a register-sized
 * message (≤ 2 words, no caps) whose other side waits on another CPU core
 * that is idle. seL4's own fastpath gives up when the partner has another
 * affinity; here the slow path's cross-core route costs the partner core
 * a reschedule (doorbell, ready queue, chooseThread) and made it find the
 * kernel lock still held (docs/kernel.md: where a cross-core round trip
 * goes). This path, under the big kernel lock like every kernel entry:
 *
 *   1. checks what fastpath.ts checks for the same core, except that the
 *      partner's affinity is another CPU core `b` whose current thread is
 *      its idle thread with no scheduler decision pending and no ready
 *      thread above the partner's priority (so the slow path's enqueue +
 *      doorbell would make `b` choose exactly the partner), and that the
 *      hand-off ring (this core → b) has room;
 *   2. commits exactly the state the slow path leaves once `b` has
 *      scheduled: the message in the partner's IPC buffer and registers,
 *      the endpoint queue / reply cap, the partner Running and current on
 *      `b`, the caller blocked and this core choosing a new thread;
 *   3. writes a hand-off slot (smp/handoff.ts) and publishes it after the
 *      lock is released (`flush`, from KernelCore.leave), waking `b` only
 *      if it sleeps.
 *
 * `b`'s idle loop, polling its rings, enters its run loop, whose `schedule`
 * finds the partner current with nothing to decide and loads it.
 * The partner may be the host-run thread (the NT executive) waiting on the
 * host core N: its ring is (this core → N), served by HostCoreServer,
 * whose replies come back over (N → this core) through `switchRemote`.
 * Everything else (longer messages, caps, a busy partner core) takes the
 * slow path; tests run the same guest programs with the fastpath on and
 * off and compare what they report.
 */
import type { Cpu } from '../../cpu/cpu.js';
import type { Kernel } from '../state.js';
import {
  CORE_ACTION, CORE_CUR, CORE_DOORBELL, CORE_IDLE, CORE_SLEEPING, SchedulerAction_ChooseNewThread,
  SchedulerAction_ResumeCurrentThread,
} from '../state.js';
import { RIGHT_GRANT, RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, replyIsMaster } from '../cap.js';
import { cap_endpoint_cap, cap_reply_cap } from '../objecttype.js';
import { lookupCapSlot } from '../cnode.js';
import { cteDeleteOne } from '../cdt.js';
import { EP_HEAD, EP_STATE, EP_TAIL, EPState_Idle, EPState_Recv, EPState_Send } from '../endpoint.js';
import { getHighestPrio } from '../scheduler.js';
import { setupCallerCap } from '../reply.js';
import { blockOnReceive } from '../fastpath.js';
import {
  BLOCK_CAN_GRANT, IPCBUF_MSG, REG_BADGE, REG_MSGINFO, TCB_AFFINITY, TCB_BLOCKING_FLAGS, TCB_BOUND_NTFN,
  TCB_EP_NEXT, TCB_EP_PREV, TCB_FAULT_TYPE, TCB_IPCBUF, TCB_PRIO, TCB_REGS, TCB_STATE,
  ThreadState_BlockedOnReply, ThreadState_Running, tcbCaller, tcbSlot,
} from '../tcb.js';
import {
  ENTRY_MRS, ENTRY_SYSRET, TCB_ENTRY_FLAGS, TCB_HOST_RUN, TCB_SYSRESULT, saveSyscallEntry, seL4_SysCall,
  seL4_SysReplyRecv, threadPageDirectory,
} from '../abi.js';
import { HOST_REPLY_INFO, commitHostReply } from '../host-fastpath.js';
import { HandoffRings, HO_BADGE, HO_INFO, HO_MR0, HO_MR1, HO_THREAD } from './handoff.js';
import type { SpscRing } from '../../ipc-fastpath/ring.js';
import { Stage } from './stages.js';

/** What KernelCore needs of a cross-core fastpath (CoreOptions.crossCore). */
export interface CrossCorePath {
  /** Tries system call `sys` of the current thread `t` (registers in `cpu`) across cores; true: committed, `t` left the CPU. */
  trySyscall(cpu: Cpu, t: number, sys: number): boolean;
  /** Publishes the hand-offs committed under the lock (called right after its release). */
  flush(): void;
}

const fitsInRegisters = (info: number): boolean => (info & 0x7f) <= 2 && (info & 0x180) === 0;
const receivedInfo = (info: number): number => info & ~0xf80;

export class CrossCoreFastpath implements CrossCorePath {
  /** Hand-offs committed (this core as the sender). */
  committed = 0;
  /** Of those, the host-run thread's one-word answers (`hostReplyRecv`). */
  hostReplies = 0;
  /** Rings with slots written and not yet published, and how many each. */
  private readonly pendRing: SpscRing[] = [];
  private readonly pendCore: number[] = [];
  // At most one slot per ring per kernel entry in practice (a handed-to core is no longer idle).
  private pendCount = 0;

  /** `mark`: stage time stamps (smp/stages.ts), or null. */
  constructor(readonly k: Kernel, readonly rings: HandoffRings, private readonly mark: ((s: Stage) => void) | null = null) {
    k.remoteSwitch = (t, b) => this.switchRemote(t, b);
  }

  /**
   * The slow path's cross-core wake (possibleSwitchTo, from a Send, Reply,
   * Signal, ... on this core): when `t`'s core would pick `t` at once, `t`
   * becomes its current thread and goes over the ring, as the fastpaths do,
   * instead of into its ready queue with a doorbell.
   */
  private switchRemote(t: number, b: number): boolean {
    const m = this.k.m;
    const ti = t >> 2;
    if (m[ti + TCB_HOST_RUN] !== 0 || b === this.rings.hostCore) return false;
    const ring = this.idlePartnerCore(b, m[ti + TCB_PRIO]!);
    if (ring === null) return false;
    this.place(ring, b, t, m[ti + TCB_REGS + REG_MSGINFO]!, m[ti + TCB_REGS + REG_BADGE]!, 0, 0);
    return true;
  }

  trySyscall(cpu: Cpu, t: number, sys: number): boolean {
    const mark = this.mark;
    if (mark !== null) mark(Stage.FASTPATH_DECLINED); // this is tried once the same-core fastpath declined
    const done = sys === seL4_SysCall ? this.call(cpu, t) : sys === seL4_SysReplyRecv ? this.replyRecv(cpu, t) : false;
    if (done && mark !== null) mark(Stage.HANDED_OFF);
    return done;
  }

  /**
   * Core `b`'s ring if `b` would run `partner` (priority `prio`) at once
   * when the slow path queued it there: another CPU core, idle, nothing to
   * decide, nothing ready above `prio`, and room in the ring. Else null.
   */
  private idlePartnerCore(b: number, prio: number): SpscRing | null {
    const k = this.k;
    if (b === k.core) return null;
    const ring = this.rings.to(b);
    if (ring === null) return null;
    const base = k.coreBase(b);
    const g = k.g;
    if (g[base + CORE_CUR] !== g[base + CORE_IDLE] || g[base + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return null;
    if (getHighestPrio(k, b) > prio) return null;
    if (ring.freeSlots() <= this.pendingOn(ring)) return null;
    return ring;
  }

  /** seL4_Call to a receiver waiting on another, idle core. */
  private call(cpu: Cpu, t: number): boolean {
    const k = this.k;
    const m = k.m;
    const r = cpu.reg;
    const info = r[6]!;
    if (!fitsInRegisters(info)) return false;
    const here = k.coreBase(k.core);
    if (k.g[here + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return false;
    const slot = lookupCapSlot(k, t, r[3]! >>> 0);
    if (slot === 0) return false;
    const si = slot >> 2;
    const w0 = m[si]!;
    const rights = (w0 >>> 5) & 15;
    if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_WRITE) === 0 || (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY)) === 0) return false;
    const ep = m[si + 1]!;
    const ei = ep >> 2;
    if (m[ei + EP_STATE] !== EPState_Recv) return false;
    const dest = m[ei + EP_HEAD]!;
    const di = dest >> 2;
    // A host-run receiver (the executive) is core N's thread: it goes over the ring to the host core
    // (host-handoff.ts); no other thread does (the root thread of a host without a HostCoreServer).
    if (m[di + TCB_HOST_RUN] === 0 && m[di + TCB_AFFINITY] === this.rings.hostCore) return false;
    const ring = this.idlePartnerCore(m[di + TCB_AFFINITY]!, m[di + TCB_PRIO]!);
    if (ring === null) return false;
    if (threadPageDirectory(k, dest) === 0) return false;

    // Commit: sendIPC's state, then `b`'s schedule choosing dest, then ours choosing again.
    this.enter(cpu, t);
    const next = m[di + TCB_EP_NEXT]!;
    m[ei + EP_HEAD] = next;
    if (next === 0) {
      m[ei + EP_TAIL] = 0;
      m[ei + EP_STATE] = EPState_Idle;
    } else {
      m[(next >> 2) + TCB_EP_PREV] = 0;
    }
    m[di + TCB_EP_NEXT] = 0;
    m[di + TCB_EP_PREV] = 0;
    const badge = m[si + 2]!;
    this.copyMRs(cpu, t, dest, info & 0x7f);
    m[di + TCB_REGS + REG_MSGINFO] = receivedInfo(info);
    m[di + TCB_REGS + REG_BADGE] = badge;
    const replyCanGrant = (m[di + TCB_BLOCKING_FLAGS]! & BLOCK_CAN_GRANT) !== 0;
    m[di + TCB_STATE] = ThreadState_Running;
    setupCallerCap(k, t, dest, replyCanGrant);
    this.handOff(ring, m[di + TCB_AFFINITY]!, dest, receivedInfo(info), badge, cpu);
    return true;
  }

  /** seL4_ReplyRecv answering a caller that waits on another, idle core. */
  private replyRecv(cpu: Cpu, t: number): boolean {
    const k = this.k;
    const m = k.m;
    const info = cpu.reg[6]!;
    if (!fitsInRegisters(info)) return false;
    const caller = this.replyTarget(t, cpu.reg[3]! >>> 0);
    if (caller === 0) return false;
    const ci = caller >> 2;

    // Commit: doReplyTransfer, receiveIPC blocking, the caller's core choosing it, ours choosing again.
    this.enter(cpu, t);
    this.copyMRs(cpu, t, caller, info & 0x7f);
    m[ci + TCB_REGS + REG_MSGINFO] = receivedInfo(info);
    m[ci + TCB_REGS + REG_BADGE] = 0;
    cteDeleteOne(k, tcbSlot(t, tcbCaller));
    m[ci + TCB_STATE] = ThreadState_Running;
    blockOnReceive(k, t, this.foundEp, this.foundRights);
    this.handOff(this.foundRing!, m[ci + TCB_AFFINITY]!, caller, receivedInfo(info), 0, cpu);
    return true;
  }

  /** What `replyTarget` found besides the caller. */
  private foundEp = 0;
  private foundRights = 0;
  private foundRing: SpscRing | null = null;

  /**
   * The checks of a ReplyRecv by `t` (receiving on `cptr` again) whose
   * caller waits on another CPU core that is idle: the caller, with the
   * endpoint, the rights of its cap and the ring to the caller's core in
   * `found*`; 0 when the slow path must answer.
   */
  private replyTarget(t: number, cptr: number): number {
    const k = this.k;
    const m = k.m;
    if (k.g[k.coreBase(k.core) + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return 0;
    if (m[(t >> 2) + TCB_BOUND_NTFN] !== 0) return 0;
    const callerSlot = tcbSlot(t, tcbCaller);
    const cw0 = m[callerSlot >> 2]!;
    if ((cw0 & 31) !== cap_reply_cap || replyIsMaster(cw0)) return 0;
    const caller = m[(callerSlot >> 2) + 1]!;
    const ci = caller >> 2;
    if (m[ci + TCB_STATE] !== ThreadState_BlockedOnReply || m[ci + TCB_FAULT_TYPE] !== 0) return 0;
    if (m[ci + TCB_HOST_RUN] !== 0 || m[ci + TCB_AFFINITY] === this.rings.hostCore) return 0;
    const slot = lookupCapSlot(k, t, cptr);
    if (slot === 0) return 0;
    const w0 = m[slot >> 2]!;
    const rights = (w0 >>> 5) & 15;
    if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_READ) === 0) return 0;
    const ep = m[(slot >> 2) + 1]!;
    if (m[(ep >> 2) + EP_STATE] === EPState_Send) return 0;
    const ring = this.idlePartnerCore(m[ci + TCB_AFFINITY]!, m[ci + TCB_PRIO]!);
    if (ring === null) return 0;
    if (threadPageDirectory(k, caller) === 0) return 0;
    this.foundEp = ep;
    this.foundRights = rights;
    this.foundRing = ring;
    return caller;
  }

  /**
   * The host-run thread's ReplyRecv (the NT executive answering on the host
   * core, smp/host-handoff.ts): host-fastpath.ts's checks and commit, with
   * the caller waiting on another CPU core that is idle, which takes it
   * over the ring as `replyRecv` hands callers over. A one-word reply
   * (`mr0`). False: nothing changed, and the caller answers with
   * seL4_ReplyRecv (whose wake of the caller still goes over the ring
   * through `switchRemote` when it can).
   */
  hostReplyRecv(t: number, cptr: number, mr0: number): boolean {
    const k = this.k;
    const here = k.coreBase(k.core);
    if (k.g[here + CORE_CUR] !== t) return false;
    const caller = this.replyTarget(t, cptr);
    if (caller === 0) return false;
    commitHostReply(k, t, caller, tcbSlot(t, tcbCaller), this.foundEp, this.foundRights, mr0);
    k.g[here + CORE_ACTION] = SchedulerAction_ChooseNewThread;
    this.place(this.foundRing!, k.m[(caller >> 2) + TCB_AFFINITY]!, caller, HOST_REPLY_INFO, 0, mr0, 0);
    this.hostReplies++;
    return true;
  }

  /** The caller's entry bookkeeping, as the slow path's entry does it. */
  private enter(cpu: Cpu, t: number): void {
    const k = this.k;
    saveSyscallEntry(k, cpu, t);
    const ti = t >> 2;
    k.m[ti + TCB_ENTRY_FLAGS] = ENTRY_SYSRET | ENTRY_MRS;
    k.m[ti + TCB_SYSRESULT] = 0;
  }

  /** EDI/EBP into the sender's IPC buffer (as storeRegisterMRs) and `len` of them into the receiver's. */
  private copyMRs(cpu: Cpu, from: number, to: number, len: number): void {
    const m = this.k.m;
    const sb = (m[(from >> 2) + TCB_IPCBUF]! >> 2) + IPCBUF_MSG;
    const rb = (m[(to >> 2) + TCB_IPCBUF]! >> 2) + IPCBUF_MSG;
    const mr0 = cpu.reg[7]!;
    const mr1 = cpu.reg[5]!;
    m[sb] = mr0;
    m[sb + 1] = mr1;
    if (len > 0) m[rb] = mr0;
    if (len > 1) m[rb + 1] = mr1;
  }

  /** `to` becomes core `b`'s current thread; this core's blocked thread leaves; the slot waits for `flush`. */
  private handOff(ring: SpscRing, b: number, to: number, info: number, badge: number, cpu: Cpu): void {
    this.k.g[this.k.coreBase(this.k.core) + CORE_ACTION] = SchedulerAction_ChooseNewThread;
    this.place(ring, b, to, info, badge, cpu.reg[7]!, cpu.reg[5]!);
  }

  /** Slots written and not yet published on `ring`. */
  private pendingOn(ring: SpscRing): number {
    let n = 0;
    for (let i = 0; i < this.pendCount; i++) if (this.pendRing[i] === ring) n++;
    return n;
  }

  /** Makes `to` core `b`'s current thread (what b's schedule would choose) and writes its slot. */
  private place(ring: SpscRing, b: number, to: number, info: number, badge: number, mr0: number, mr1: number): void {
    const g = this.k.g;
    const there = this.k.coreBase(b);
    g[there + CORE_CUR] = to;
    g[there + CORE_ACTION] = SchedulerAction_ResumeCurrentThread;
    const o = ring.writeOffset(this.pendingOn(ring));
    const w = ring.words;
    w[o + HO_THREAD] = to;
    w[o + HO_INFO] = info;
    w[o + HO_BADGE] = badge;
    w[o + HO_MR0] = mr0;
    w[o + HO_MR1] = mr1;
    this.pendRing[this.pendCount] = ring;
    this.pendCore[this.pendCount] = b;
    this.pendCount++;
    this.committed++;
  }

  flush(): void {
    const k = this.k;
    const g = k.g;
    for (let i = 0; i < this.pendCount; i++) {
      this.pendRing[i]!.publish(1);
      // A core that said it sleeps waits on its doorbell (see core.entry.ts); one notify per sleep.
      const base = k.coreBase(this.pendCore[i]!);
      if (Atomics.load(g, base + CORE_SLEEPING) !== 0 && Atomics.exchange(g, base + CORE_SLEEPING, 0) !== 0) {
        Atomics.add(g, base + CORE_DOORBELL, 1);
        Atomics.notify(g, base + CORE_DOORBELL);
      }
    }
    this.pendCount = 0;
  }
}
