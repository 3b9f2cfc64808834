/**
 * The SMP machine's host core (core N) serving a host-run thread: the
 * service loop of a root task that runs on the host, not on a CPU core (the
 * NT executive, KernelCore.hostThread on one core).
 *
 *   core c: guest thread Calls the host thread's endpoint (slow path)
 *       └─> the host thread's TCB becomes runnable on core N, whose
 *           doorbell rings (notified only when the host said it sleeps)
 *   host:  wait(ms) ─ Atomics.wait on core N's doorbell (never a spin)
 *          serve()  ─ under the big kernel lock: schedule core N; while it
 *                     picks the host thread, call its run() (which answers
 *                     and blocks it again with the kernel's operations)
 *
 * The host thread's operations wake threads on CPU cores; those doorbells
 * ring after the lock is released (as a core worker's do), so a woken core
 * does not run into the lock the host still holds.
 *
 * With the fastpath on, a Call that finds the host core idle skips the
 * ready queue and the doorbell: it comes over a hand-off ring, and replies
 * to idle cores go back the same way (host-handoff.ts). The host's wait
 * polls those rings with its doorbell.
 *
 * `allIdle()` tells an idle machine apart from one that is merely quiet
 * now: under the lock, no CPU core has a current thread, a pending
 * scheduler decision or a ready thread, and the host core has nothing to
 * run. Only the host itself (its timers) can then wake anyone.
 *
 * `waitOffCpu(tcb)`: a thread another CPU core is running when the host
 * thread suspends or deletes it keeps running until that core's next
 * kernel entry (a system call, a fault or the end of its slice: seL4
 * sends an IPI, a worker here notices at the entry). Before the host reads
 * the thread's registers or frees its TCB it waits, with the lock
 * released, until no core has the thread current; that core saves the
 * registers (and its FPU state: SMP switches the FPU eagerly) first.
 */
import { CORE_ACTION, CORE_CUR, CORE_DOORBELL, CORE_IDLE, CORE_L1, CORE_SLEEPING, SchedulerAction_ResumeCurrentThread } from '../state.js';
import { TCB_HOST_RUN } from '../abi.js';
import { flushWakes, rescheduleRequired, remoteWake, schedule } from '../scheduler.js';
import type { HostThread } from '../core.js';
import { CTL_ACTIVE, CTL_STOP } from './control.js';
import { HostHandoff } from './host-handoff.js';
import { DEFAULT_IDLE_SPIN_MIN_US, DEFAULT_IDLE_SPIN_US, type SmpMachine } from './machine.js';
import { availableParallelism } from 'node:os';
import { SpinPolicy } from '../../machine/spin-policy.js';
import type { CodeMap } from '../../jit/code-map.js';

export class HostCoreServer {
  private readonly ctl: Int32Array;
  private readonly bell: number;
  private readonly sleeping: number;
  /** The host core's doorbell as seen under the lock at the last `serve`. */
  private seen = 0;
  /** Messages the host thread served (its run() calls). */
  served = 0;
  /** Times `waitOffCpu` let go of the lock for a thread still running on a core. */
  offCpuWaits = 0;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  /** Times the host slept on its doorbell, and woke while polling it. */
  sleeps = 0;
  spinWakes = 0;
  private readonly policy = new SpinPolicy(DEFAULT_IDLE_SPIN_US, DEFAULT_IDLE_SPIN_MIN_US);
  /** The host polls only while at most this many threads are awake (the host's cores, as the core workers). */
  private readonly spinners = availableParallelism();
  /** The host core's hand-off rings (calls in, replies out). */
  readonly handoff: HostHandoff;

  constructor(readonly m: SmpMachine, readonly host: HostThread) {
    const k = m.k;
    this.ctl = new Int32Array(m.control);
    this.bell = k.coreBase(m.hostCore) + CORE_DOORBELL;
    this.sleeping = k.coreBase(m.hostCore) + CORE_SLEEPING;
    k.m[(host.tcb >> 2) + TCB_HOST_RUN] = 1; // no fastpath loads it on a CPU
    k.deferWakes = true; // doorbells ring after the lock's release (`leave`)
    this.handoff = new HostHandoff(k, m.handoffs, m.cores, m.opts.fastpath ?? true);
  }

  /** Runs `fn` under the big kernel lock as the host core, ringing the doorbells it caused afterwards. */
  locked<T>(fn: () => T): T {
    this.m.lock.acquire(this.m.hostCore);
    try {
      return fn();
    } finally {
      this.leave();
    }
  }

  private leave(): void {
    this.m.lock.release();
    this.handoff.flush();
    if (this.m.k.pendingWakeCount !== 0) flushWakes(this.m.k);
  }

  /** Under the lock: serves the host thread while the host core's scheduler picks it. */
  serve(): void {
    const k = this.m.k;
    const g = k.g;
    const bell = Atomics.load(g, this.bell);
    if (bell !== this.seen) {
      this.seen = bell;
      rescheduleRequired(k);
    }
    this.handoff.drain(); // a handed-over call: the host thread is already current here
    const idle = g[k.coreBase(this.m.hostCore) + CORE_IDLE]!;
    for (;;) {
      const t = schedule(k);
      if (t === idle) return;
      if (t !== this.host.tcb) throw new Error(`thread 0x${t.toString(16)} is queued on the host core (only the host thread runs there)`);
      this.served++;
      this.host.run();
    }
  }

  /**
   * Under the lock: nothing can run on any core (CPU cores idle with empty
   * queues and no decision pending; the host thread blocked). Only a timer
   * of the host thread can change that.
   */
  allIdle(): boolean {
    const k = this.m.k;
    const g = k.g;
    for (let c = 0; c <= this.m.cores; c++) {
      const b = k.coreBase(c);
      if (g[b + CORE_CUR] !== g[b + CORE_IDLE] || g[b + CORE_L1] !== 0 || g[b + CORE_ACTION] !== SchedulerAction_ResumeCurrentThread) return false;
    }
    return true;
  }

  /**
   * Waits on the host core's doorbell until it rings, a core hands a call
   * over (host-handoff.ts), `ms` pass, or the machine stops. Call without the lock. As an idle core worker does, it
   * first polls the doorbell for a short, adaptive while (SpinPolicy) when
   * the threads awake fit on the host's cores, then sleeps (not counting as
   * awake): a guest thread's next system call usually comes within µs.
   */
  wait(ms: number): void {
    const g = this.m.k.g;
    let spun = false;
    if (Atomics.load(this.ctl, CTL_ACTIVE) <= this.spinners) {
      if (this.policy.spin(this.rung)) { this.spinWakes++; return; }
      spun = true;
      ms -= this.policy.lastSpinMs; // the spin's own clock reads: none of ours on a call's path
      if (ms <= 0) return;
    }
    const w0 = spun ? performance.now() : 0;
    Atomics.sub(this.ctl, CTL_ACTIVE, 1);
    Atomics.store(g, this.sleeping, 1);
    if (Atomics.load(g, this.bell) === this.seen && !this.handoff.pending() && Atomics.load(this.ctl, CTL_STOP) === 0) {
      this.sleeps++;
      if (Atomics.wait(g, this.bell, this.seen, ms) !== 'timed-out' && spun) this.policy.blocked(performance.now() - w0);
    }
    Atomics.store(g, this.sleeping, 0);
    Atomics.add(this.ctl, CTL_ACTIVE, 1);
  }

  private readonly rung = (): boolean =>
    Atomics.load(this.m.k.g, this.bell) !== this.seen || this.handoff.pending() || Atomics.load(this.ctl, CTL_STOP) !== 0;

  /** A core worker stopped the machine (an engine failure there). */
  stopped(): boolean {
    return Atomics.load(this.ctl, CTL_STOP) !== 0;
  }

  /**
   * Under the lock, after `tcb` was suspended or made inactive: returns once
   * no CPU core has it current (see the header), letting go of the lock
   * meanwhile. A core that has it current is running its guest code; its
   * doorbell is rung so that an idle-looking core schedules at once.
   */
  waitOffCpu(tcb: number): void {
    const k = this.m.k;
    const g = k.g;
    for (;;) {
      let on = -1;
      for (let c = 0; c < this.m.cores; c++) if (g[k.coreBase(c) + CORE_CUR] === tcb) { on = c; break; }
      if (on < 0) return;
      if (this.stopped()) throw new Error('the machine stopped while a thread was being taken off its core');
      this.offCpuWaits++;
      rescheduleRequired(k, on);
      remoteWake(k, on, true);
      this.leave();
      Atomics.wait(this.pause, 0, 0, 0.05); // the core notices within a region's quantum (the IPI)
      this.m.lock.acquire(this.m.hostCore);
    }
  }
}

/**
 * Kernel.physicalWritten for the host's writes to guest RAM on the SMP
 * machine (loaders, image sections, the root task's copies into process
 * memory): a page holding code any core decoded or translated is dropped
 * in the shared CodeMap, so every core drops its own blocks and regions of
 * it before it runs anything from that page again (jit/runtime.ts catchUp).
 * Pages without code cost one read of their chunk bits.
 */
export function smpHostWrites(codeMap: CodeMap): (addr: number, bytes: number) => void {
  return (addr, bytes) => {
    if (bytes <= 0) return;
    const last = Math.min((addr + bytes - 1) >>> 12, codeMap.pages - 1);
    for (let pfn = addr >>> 12; pfn <= last; pfn++) if (codeMap.pageHasCode(pfn)) codeMap.dropPage(pfn);
  };
}
