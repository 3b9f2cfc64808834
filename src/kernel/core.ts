/**
 * One core running kernel threads on one Cpu: the kernel's side of the
 * trap interface (DESIGN.md). The loop is seL4's: the scheduler picks the
 * thread, it runs in user mode until it traps, the trap becomes a kernel
 * entry, and the entry ends with `schedule`.
 *
 *   Stop.SYSCALL  sysenter: a system call (abi.ts). Call/ReplyRecv try the
 *                 fastpath first (fastpath.ts). `int n` is not a gate on
 *                 seL4 (the IDT gates are DPL 0): a UserException for
 *                 #GP with error code (n << 3) | 2, as hardware raises.
 *   Stop.BUDGET   a timer tick (`timerTick`): round robin within a priority.
 *   Stop.FAULT    a fault message to the thread's fault endpoint (VMFault
 *                 for #PF, UserException otherwise); no fault endpoint:
 *                 the thread becomes Inactive and the fault is recorded.
 *
 * The CPU holds the registers of `loaded` (0: none; the TCB's save area
 * is the truth). A syscall's slow path saves them, runs the kernel
 * operation, and the next switch-in reloads from the TCB, so kernel
 * operations can write any thread's registers (badge, message info).
 * A thread preempted by the budget is saved only when another one runs.
 * On one core without the lock the eight general registers are not copied
 * at all: Cpu.reg is a view of the loaded thread's save-area words
 * (reg-views.ts): an entry saves only EFLAGS and EIP, a switch-in loads
 * those and the TLS bases (no entry saves these: user mode cannot change them).
 *
 * The x87/SSE state follows the thread (fpu.ts): loadRegs sets CR0.TS for a
 * thread that does not own the FPU, and its first FPU instruction's #NM
 * (Stop.FAULT, vector NM) hands the registers over.
 *
 * SMP (src/kernel/smp): each core worker runs one KernelCore with the big
 * kernel lock in `opts.lock`: it is held from the trap to the switch back
 * to user mode (seL4's design), never while guest code runs. Work queued
 * here by another core rings this core's doorbell; the next kernel entry
 * that sees it asks the scheduler to choose again (seL4's reschedule IPI).
 * A core running guest code is made to enter the kernel for it: the CPU
 * leaves guest code between regions when its attention word is set
 * (CORE_ATTENTION, Stop.INTERRUPT), and `run` returns INTERRUPTED.
 */
import type { Cpu } from '../cpu/cpu.js';
import { Stop, Vector } from '../cpu/fault.js';
import { cacheOf } from '../cpu/decode-cache.js';
import { DEFAULT_ENGINE, engineFromEnv, runnerFor, type CpuEngine, type Runner } from '../jit/index.js';
import { Access } from '../mmu/mmu.js';
import {
  CORE_ATTENTION, CORE_CR3, CORE_CUR, CORE_DOORBELL, CORE_STALL_ACK, CORE_STALL_REQ, CORE_STALL_TCB, type Kernel,
} from './state.js';
import { INVLPG_MAX_BYTES, ShootdownResponder } from './shootdown.js';
import type { BigKernelLock } from './lock.js';
import { handleFpuFault, releaseFpu } from './fpu.js';
import { RIGHT_GRANT, RIGHT_GRANT_REPLY, RIGHT_WRITE } from './cap.js';
import { cap_endpoint_cap } from './objecttype.js';
import { lookupCapSlot } from './cnode.js';
import { sendIPC } from './endpoint.js';
import { seL4_MessageInfo_new } from './message.js';
import { flushWakes, idleThread, rescheduleRequired, schedule, timerTick } from './scheduler.js';
import { seL4_NoError } from './errors.js';
import {
  seL4_Call, seL4_NBRecv, seL4_NBSend, seL4_Recv, seL4_Reply, seL4_ReplyRecv, seL4_Send, seL4_Yield,
} from './syscall.js';
import {
  IPCBUF_MSG, REG_EIP, REG_ESI, REG_MSGINFO, REG_NEXT_EIP, TCB_FAULT_EP, TCB_FAULT_TYPE, TCB_REGS,
  ThreadState_Inactive, ipcBufferIndex, setThreadState, isRunnableState, TCB_STATE, TCB_AFFINITY,
} from './tcb.js';
import {
  ENTRY_FAULT_SAVED, ENTRY_MRS, ENTRY_SYSRET, MAX_FAULT_LENGTH, TCB_ENTRY_FLAGS, TCB_HOST_RUN, TCB_FAULT_SAVED_ESI,
  TCB_FAULT_SAVED_MRS, TCB_SYSRESULT, loadRegs, loadRegsWithPd, saveRegs, saveSyscallEntry, seL4_Fault_UnknownSyscall,
  seL4_Fault_UserException, seL4_Fault_VMFault, seL4_SysCall, seL4_SysNBRecv, seL4_SysNBSend, seL4_SysRecv,
  seL4_SysReply, seL4_SysReplyRecv, seL4_SysSend, seL4_SysYield, seL4_UnknownSyscall_Length,
  seL4_UserException_Length, seL4_VMFault_Length, storeRegisterMRs, threadPageDirectory,
} from './abi.js';
import { fastpathCall, fastpathReplyRecv } from './fastpath.js';
import { RegisterViews } from './reg-views.js';
import type { CrossCorePath } from './smp/cross-fastpath.js';
import { Stage } from './smp/stages.js';

/** Save-area words in the order of seL4's ia32 UnknownSyscall message: EAX EBX ECX EDX ESI EDI EBP. */
const UNKNOWN_SYSCALL_REGS = [0, 3, 1, 2, 6, 7, 5] as const;

export const enum CoreExit {
  /** No thread is runnable on this core. */
  IDLE = 0,
  /** The instruction limit given to `run` was reached. */
  LIMIT = 1,
  /**
   * SMP: another core interrupted the guest code (an IPI, CORE_ATTENTION):
   * the thread stays loaded; the worker looks at its stop flag and rings,
   * and the next `run` at its doorbell.
   */
  INTERRUPTED = 2,
}

/** A fault that had no handler (the thread was made Inactive). */
export interface UnhandledFault {
  tcb: number;
  label: number;
  /** The fault message as it would have been sent. */
  msg: number[];
}

/**
 * A thread run by the host instead of the CPU (the NT executive, the root
 * task): when the scheduler picks it, the core calls `run`, which serves
 * what it received and blocks it again through the kernel operations
 * (ReplyRecv/Recv), all without leaving the core's loop.
 */
export interface HostThread {
  readonly tcb: number;
  run(): void;
}

/** Instructions per timer tick by default (CoreOptions.tickInstructions): one core's time slice. */
export const DEFAULT_TICK_INSTRUCTIONS = 100_000;

export interface CoreOptions {
  /** Instructions per timer tick (the budget of one `run` call). */
  tickInstructions?: number;
  /** Use the IPC fastpath (default true); off: every syscall takes the slow path. */
  fastpath?: boolean;
  /** The big kernel lock (SMP): taken around every kernel entry of `run`. */
  lock?: BigKernelLock;
  /**
   * Called under the lock when a slice of `tickInstructions` ran out.
   * Default: that slice was one timer tick (instruction-counted time). The
   * SMP worker takes the ticks its timer raised instead.
   */
  sliceEnd?: (k: Kernel) => void;
  /** Interpreter only, or the JIT (default: NEPTUNE_CPU_ENGINE, else DEFAULT_ENGINE; docs/jit.md). */
  engine?: CpuEngine;
  /** SMP: the cross-core fastpath (smp/cross-fastpath.ts), tried when the same-core one does not apply. */
  crossCore?: CrossCorePath;
  /**
   * Stage time stamps (smp/stages.ts): called on entering and leaving the engine. Only the
   * engine's runner is wrapped: the run loop itself carries no mark points (measured: eight
   * of them, never taken, made the one-core slow path 3-6 % slower).
   */
  stageMark?: (s: Stage) => void;
}

export class KernelCore {
  /** The thread whose registers are in the CPU (0: none). */
  loaded = 0;
  /** `run`'s instruction limit (cpu.retired), for the sysenter hook. */
  private runEnd = 0;
  /** The sysenter hook tried the fastpath and it declined: `syscall` goes to the slow path at once. */
  private fastpathDeclined = false;
  /** The sysenter hook handled the system call but left the next thread to the run loop (the engine returned). */
  private trapHandled = false;
  fastpath: boolean;
  tickInstructions: number;
  /** Counters: system calls, how many took a fastpath, faults delivered or recorded, ticks. */
  syscalls = 0;
  fastpaths = 0;
  faults = 0;
  ticks = 0;
  /** SMP: times another core interrupted guest code here (IPIs: CORE_ATTENTION). */
  interrupts = 0;
  /** SMP: other cores' remoteTCBStall requests answered, and of those, the ones that unloaded a thread (stall.ts). */
  stalls = 0;
  stallUnloads = 0;
  /** #NM traps that handed the FPU registers to another thread (the lazy FPU switch, fpu.ts). */
  fpuSwitches = 0;
  readonly unhandled: UnhandledFault[] = [];
  /** This core's doorbell as last seen (SMP), and its value when `run` last returned IDLE. */
  doorbellSeen = 0;
  private readonly lock: BigKernelLock | null;
  private readonly crossCore: CrossCorePath | null;
  private readonly sliceEnd: ((k: Kernel) => void) | null;
  private readonly doorbell: number;
  private readonly attention: number;
  /** This core's record in the kernel globals (Kernel.coreBase). */
  private readonly coreBase: number;
  /** remoteTCBStall (stall.ts): the generation answered last. */
  private stallAcked = 0;
  /** The stop the engine returned while the run loop waits for the lock (what a stall undoes), else -1. */
  private pendingStop = -1;
  /** A stall unloaded the thread while the run loop waited for the lock: its stop is not handled. */
  private stalled = false;
  /** The run loop: the interpreter's run() or the JIT's runJit() (same contract). */
  private readonly runCpu: Runner;
  /** The host-run thread (set with `setHostThread`). */
  hostThread: HostThread | null = null;

  /** The fault message being built (no allocation per fault). */
  private readonly faultMsg = new Int32Array(MAX_FAULT_LENGTH);

  constructor(readonly k: Kernel, readonly cpu: Cpu, opts: CoreOptions = {}) {
    this.fastpath = opts.fastpath ?? true;
    this.tickInstructions = opts.tickInstructions ?? DEFAULT_TICK_INSTRUCTIONS;
    this.lock = opts.lock ?? null;
    this.crossCore = opts.crossCore ?? null;
    const runner = runnerFor(opts.engine ?? engineFromEnv(DEFAULT_ENGINE));
    const mark = opts.stageMark;
    this.runCpu = mark === undefined ? runner : (c, budget) => {
      mark(Stage.ENGINE_IN);
      const stop = runner(c, budget);
      mark(Stage.ENGINE_OUT);
      return stop;
    };
    // Host writes to guest RAM (object zeroing, loaders, the executive) must drop decoded code.
    if (k.physicalWritten === null) {
      const cache = cacheOf(cpu);
      k.physicalWritten = (addr, bytes) => cache.invalidateRange(addr, bytes);
    }
    this.sliceEnd = opts.sliceEnd ?? null;
    this.coreBase = k.coreBase(k.core);
    this.doorbell = this.coreBase + CORE_DOORBELL;
    this.attention = this.coreBase + CORE_ATTENTION;
    this.doorbellSeen = Atomics.load(k.g, this.doorbell);
    // The kernel's unmaps drop this CPU's translations at once (shootdown.ts).
    const mmu = cpu.mmu;
    // Another core's unmap names its pages the same way (shootdown.ts): the same drop answers it.
    const invalidate = (pd: number, vaddr: number, bytes: number): void => {
      if (pd !== -1 && mmu.cr3 !== pd) return;
      if (pd === -1 || bytes === 0 || bytes > INVLPG_MAX_BYTES) mmu.tlb.flush();
      else for (let a = vaddr; a < vaddr + bytes; a += 4096) mmu.invalidatePage(a);
    };
    k.localTlbInvalidate = invalidate;
    if (this.lock !== null) {
      k.deferWakes = true;
      // An SMP core worker: other cores' unmaps ask this TLB to flush (shootdown.ts).
      mmu.cr3Out = k.g;
      mmu.cr3OutIndex = this.coreBase + CORE_CR3;
      // Other cores' IPIs stop this CPU's guest code (CORE_ATTENTION).
      cpu.attention = k.g;
      cpu.attentionIndex = this.attention;
      if (mmu.cr3 >= 0) Atomics.store(k.g, mmu.cr3OutIndex, mmu.cr3);
      this.shootdown = new ShootdownResponder(k.g, this.coreBase, () => mmu.tlb.flush(), invalidate);
      this.stallAcked = Atomics.load(k.g, this.coreBase + CORE_STALL_REQ);
      Atomics.store(k.g, this.coreBase + CORE_STALL_ACK, this.stallAcked);
      this.lock.onWait = this.answerRemote;
    } else if (k.numCores === 1 && k.regViews === null) {
      // One core: the running thread's registers stay in its TCB (reg-views.ts).
      k.regViews = new RegisterViews(k.memory);
    }
  }

  /** SMP: answers other cores' TLB shootdown requests (null on one core: unmaps invalidate directly). */
  readonly shootdown: ShootdownResponder | null = null;

  /**
   * SMP: answers what other cores ask of this one while it waits (in the
   * lock, idle, out of budget): TLB shootdowns and remoteTCBStall. Not
   * while it holds the lock or runs guest code.
   */
  readonly answerRemote = (): void => {
    this.shootdown!.poll();
    const g = this.k.g;
    const r = Atomics.load(g, this.coreBase + CORE_STALL_REQ);
    if (r === this.stallAcked) return;
    const t = g[this.coreBase + CORE_STALL_TCB]!;
    if (t !== 0 && t === this.loaded) {
      // The trap it stopped on is undone (seL4's stall: ThreadState_Restart): it runs again
      // with the registers the other core's operation leaves. A pending single-step is lost.
      const cpu = this.cpu;
      const stop = this.pendingStop;
      if (stop === Stop.SYSCALL) cpu.eip -= 2; // sysenter and int n are both 2 bytes
      else if (stop === Stop.FAULT && (cpu.fault.vector === Vector.BP || cpu.fault.vector === Vector.OF)) cpu.eip -= 1; // int3 (CC), into (CE)
      this.savePreempted(t);
      this.loaded = 0;
      this.stalled = this.pendingStop !== -1;
      this.stallUnloads++;
    }
    this.stallAcked = r;
    this.stalls++;
    const ack = this.coreBase + CORE_STALL_ACK;
    Atomics.store(g, ack, r);
    Atomics.notify(g, ack);
  };

  /** Releases the kernel lock, then rings the cores this entry woke (SMP). */
  private leave(): void {
    this.lock!.release();
    if (this.crossCore !== null) this.crossCore.flush();
    if (this.k.pendingWakeCount !== 0) flushWakes(this.k);
  }

  /**
   * Runs threads until none is runnable (IDLE) or `maxInstructions` more
   * have retired (LIMIT; checked between traps and ticks).
   */
  run(maxInstructions = Number.POSITIVE_INFINITY): CoreExit {
    try {
      return this.runLoop(maxInstructions);
    } finally {
      this.cpu.onSysenter = null; // the hook belongs to this loop only (also when a host thread throws)
    }
  }

  private runLoop(maxInstructions: number): CoreExit {
    const k = this.k;
    const cpu = this.cpu;
    const lock = this.lock;
    const end = cpu.retired + maxInstructions;
    const idle = idleThread(k);
    const smp = k.numCores > 1;
    this.runEnd = end;
    // One core without the lock: a fastpath system call switches threads inside the engine's loop.
    const hook = lock === null && !smp && this.fastpath ? this.sysenterHook : null;
    cpu.onSysenter = hook;
    if (lock !== null) lock.acquire(k.core); // a stall meanwhile only unloads: the loop loads again
    for (;;) {
      if (smp) {
        const bell = Atomics.load(k.g, this.doorbell);
        if (bell !== this.doorbellSeen) {
          this.doorbellSeen = bell;
          rescheduleRequired(k);
        }
      }
      let t = schedule(k);
      if (t === this.hostThread?.tcb) {
        // The Call fastpath leaves `loaded` naming it, but nothing of it is in the CPU (TCB_HOST_RUN).
        if (this.loaded !== 0 && this.loaded !== t) this.savePreempted(this.loaded);
        this.loaded = 0;
        this.hostThread.run();
        continue;
      }
      if (t !== this.loaded) {
        if (this.loaded !== 0) this.savePreempted(this.loaded);
        this.loaded = 0;
        if (t === idle) {
          // Another core may run this core's last thread next: its FPU state goes home.
          if (smp) releaseFpu(k, cpu);
          if (lock !== null) this.leave();
          return CoreExit.IDLE;
        }
        if (!loadRegs(k, cpu, t)) {
          this.noVSpace(t);
          continue;
        }
        this.loaded = t;
      }
      if (cpu.retired >= end) {
        if (lock !== null) this.leave();
        return CoreExit.LIMIT;
      }
      if (lock !== null) this.leave();
      const stop = this.runCpu(cpu, this.tickInstructions);
      if (lock !== null) {
        this.pendingStop = stop;
        lock.acquire(k.core);
        this.pendingStop = -1;
        if (this.stalled) {
          // Another core's TCB operation took the thread back (answerRemote): choose again.
          this.stalled = false;
          continue;
        }
      }
      if (hook !== null) {
        if (this.trapHandled) {
          this.trapHandled = false;
          continue;
        }
        t = this.loaded; // the hook may have switched threads inside the engine
      }
      if (smp && this.descheduledRemotely(t)) {
        // Another core suspended it or moved it while it ran (seL4 would have sent an
        // IPI): its trap is undone, so a system call runs again when it next runs.
        if (stop === Stop.SYSCALL) cpu.eip -= 2; // sysenter and int n are both 2 bytes
        this.savePreempted(t);
        this.loaded = 0;
        continue;
      }
      if (stop === Stop.SYSCALL) {
        if (cpu.fault.trapNumber === -1) this.syscall(t);
        else {
          cpu.eip -= 2; // #GP is a fault: reported at the int instruction (CD nn)
          this.exception(t, Vector.GP, (cpu.fault.trapNumber << 3) | 2);
        }
      } else if (stop === Stop.INTERRUPT) {
        // Taken here, by what acts on it: the worker's look at its stop flag and rings, then the
        // next run's at the doorbell (an IPI rings before it sets the word, so no ring is missed).
        // Set while this core was in the kernel, it stays set and stops the next guest code at once.
        Atomics.store(k.g, this.attention, 0);
        this.interrupts++;
        this.leave();
        return CoreExit.INTERRUPTED;
      } else if (stop === Stop.BUDGET) {
        this.ticks++;
        if (this.sliceEnd !== null) this.sliceEnd(k);
        else timerTick(k);
      } else if (stop === Stop.FAULT) {
        // #NM under CR0.TS: the lazy FPU switch (fpu.ts); the instruction runs again.
        if (cpu.fault.vector === Vector.NM && cpu.fpuTrap !== 0) {
          this.fpuSwitches++;
          handleFpuFault(k, cpu, t);
        } else this.exception(t, cpu.fault.vector, cpu.fault.errorCode);
      } else {
        this.exception(t, Vector.GP, 0);
      }
    }
  }

  /**
   * Cpu.onSysenter while `run` runs one core without the lock: the
   * fastpath straight from the engine's loop (no return through `run`, no
   * `schedule`: the fastpath leaves the scheduler action at "resume the
   * current thread", so the run loop would only reload what is loaded).
   * False sends the sysenter the usual way: the fastpath declined (the
   * slow path runs, without trying it twice) or the instruction limit is
   * reached; or it was handled and the run loop chooses what runs next
   * (`trapHandled`).
   */
  private readonly sysenterHook = (): boolean => {
    const k = this.k;
    const cpu = this.cpu;
    if (cpu.retired >= this.runEnd) return false;
    const t = this.loaded;
    const sys = cpu.reg[0]!;
    const next = sys === seL4_SysCall ? fastpathCall(k, cpu, t) : sys === seL4_SysReplyRecv ? fastpathReplyRecv(k, cpu, t) : 0;
    if (next === 0) {
      this.fastpathDeclined = true;
      return false;
    }
    this.syscalls++;
    this.fastpaths++;
    this.loaded = next;
    const host = this.hostThread;
    if (host === null || next !== host.tcb) return true;
    // A Call to the host-run thread (the NT executive): it serves the call here, as the run
    // loop would, and its reply usually makes the caller current again: go on with it. Any
    // other outcome (another host turn, idle, no VSpace, the instruction limit) is left to
    // the run loop, whose `schedule` then finds the choice made here.
    this.loaded = 0;
    host.run();
    const t2 = schedule(k);
    const pd = t2 === host.tcb || t2 === idleThread(k) || cpu.retired >= this.runEnd ? 0 : threadPageDirectory(k, t2);
    if (pd === 0) {
      this.trapHandled = true;
      return false;
    }
    loadRegsWithPd(k, cpu, t2, pd);
    this.loaded = t2;
    return true;
  };

  /** Did another core's kernel operation take `t` off this core while it ran guest code? */
  private descheduledRemotely(t: number): boolean {
    const k = this.k;
    const ti = t >> 2;
    return k.g[this.coreBase + CORE_CUR] !== t || !isRunnableState(k.m[ti + TCB_STATE]!) || k.m[ti + TCB_AFFINITY] !== k.core;
  }

  /** Marks `h`'s TCB host-run: the scheduler's picks of it call `h.run()` and no fastpath loads it on the CPU. */
  setHostThread(h: HostThread): void {
    this.hostThread = h;
    this.k.m[(h.tcb >> 2) + TCB_HOST_RUN] = 1;
  }

  /** A thread leaving the CPU between instructions (preempted): it resumes where it stopped. */
  private savePreempted(t: number): void {
    saveRegs(this.k, this.cpu, t);
    const b = (t >> 2) + TCB_REGS;
    this.k.m[b + REG_EIP] = this.cpu.eip;
    this.k.m[b + REG_NEXT_EIP] = this.cpu.eip;
  }

  /** Kernel entry by sysenter from the current thread `t`. */
  syscall(t: number): void {
    const k = this.k;
    const cpu = this.cpu;
    this.syscalls++;
    const sys = cpu.reg[0]!;
    const declined = this.fastpathDeclined;
    this.fastpathDeclined = false;
    if (this.fastpath && !declined) {
      const next = sys === seL4_SysCall ? fastpathCall(k, cpu, t) : sys === seL4_SysReplyRecv ? fastpathReplyRecv(k, cpu, t) : 0;
      if (next !== 0) {
        this.fastpaths++;
        this.loaded = next; // the thread the fastpath switched to
        return;
      }
      if (this.crossCore !== null && this.crossCore.trySyscall(cpu, t, sys)) {
        this.fastpaths++;
        this.loaded = 0; // saved: the partner runs on its own core, this one schedules
        return;
      }
    }
    saveSyscallEntry(k, cpu, t);
    this.loaded = 0;
    const cptr = cpu.reg[3]! >>> 0;
    const info = cpu.reg[6]!;
    let e = seL4_NoError;
    switch (sys) {
      case seL4_SysCall: storeRegisterMRs(k, cpu, t); e = seL4_Call(k, t, cptr, info); break;
      case seL4_SysReplyRecv: storeRegisterMRs(k, cpu, t); e = seL4_ReplyRecv(k, t, cptr, info); break;
      case seL4_SysSend: storeRegisterMRs(k, cpu, t); e = seL4_Send(k, t, cptr, info); break;
      case seL4_SysNBSend: storeRegisterMRs(k, cpu, t); e = seL4_NBSend(k, t, cptr, info); break;
      case seL4_SysReply: storeRegisterMRs(k, cpu, t); e = seL4_Reply(k, t, info); break;
      case seL4_SysRecv: e = seL4_Recv(k, t, cptr); break;
      case seL4_SysNBRecv: e = seL4_NBRecv(k, t, cptr); break;
      case seL4_SysYield:
        k.m[(t >> 2) + TCB_SYSRESULT] = seL4_Yield(k);
        k.m[(t >> 2) + TCB_ENTRY_FLAGS] = ENTRY_SYSRET;
        return;
      default:
        this.unknownSyscall(t, sys);
        return;
    }
    k.m[(t >> 2) + TCB_SYSRESULT] = e;
    k.m[(t >> 2) + TCB_ENTRY_FLAGS] = ENTRY_SYSRET | ENTRY_MRS;
  }

  /** A number that is no system call: seL4's UnknownSyscall fault; a reply resumes after the sysenter. */
  private unknownSyscall(t: number, sys: number): void {
    const k = this.k;
    const b = (t >> 2) + TCB_REGS;
    k.m[b + REG_EIP] = k.m[b + REG_NEXT_EIP]!;
    const f = this.faultMsg;
    for (let i = 0; i < 7; i++) f[i] = k.m[b + UNKNOWN_SYSCALL_REGS[i]!]!;
    f[7] = k.m[b + REG_NEXT_EIP]!;
    f[8] = k.m[b + 4]!;
    f[9] = k.m[b + 9]!;
    f[10] = sys;
    this.deliverFault(t, seL4_Fault_UnknownSyscall, seL4_UnknownSyscall_Length);
  }

  /** A CPU exception in user mode: VMFault for #PF, UserException for the rest. */
  private exception(t: number, vector: number, code: number): void {
    const k = this.k;
    const cpu = this.cpu;
    this.savePreempted(t);
    this.loaded = 0;
    const f = this.faultMsg;
    if (vector === Vector.PF) {
      f[0] = cpu.eip;
      f[1] = cpu.fault.address;
      f[2] = cpu.mmu.faultAccess === Access.FETCH ? 1 : 0;
      f[3] = code;
      this.deliverFault(t, seL4_Fault_VMFault, seL4_VMFault_Length);
    } else {
      f[0] = cpu.eip;
      f[1] = cpu.reg[4]!;
      f[2] = k.m[(t >> 2) + TCB_REGS + 9]!;
      f[3] = vector;
      f[4] = code;
      this.deliverFault(t, seL4_Fault_UserException, seL4_UserException_Length);
    }
  }

  /**
   * seL4's handleFault/sendFaultIPC: the faulting thread Calls its fault
   * endpoint (a CPtr in its own CSpace, needing Write and Grant or
   * GrantReply) with the fault message, and waits for the reply. The
   * message is staged in its IPC buffer and ESI (where the transfer reads
   * a sender's message); its own values come back at its next switch-in.
   */
  private deliverFault(t: number, label: number, len: number): void {
    const k = this.k;
    const m = k.m;
    const ti = t >> 2;
    this.faults++;
    const fep = m[ti + TCB_FAULT_EP]! >>> 0;
    const slot = fep === 0 ? 0 : lookupCapSlot(k, t, fep);
    const w0 = slot === 0 ? 0 : m[slot >> 2]!;
    const rights = (w0 >>> 5) & 15;
    if ((w0 & 31) !== cap_endpoint_cap || (rights & RIGHT_WRITE) === 0 || (rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY)) === 0) {
      this.unhandled.push({ tcb: t, label, msg: Array.from(this.faultMsg.subarray(0, len)) });
      setThreadState(k, t, ThreadState_Inactive);
      return;
    }
    const bi = ipcBufferIndex(k, t) + IPCBUF_MSG;
    m[ti + TCB_FAULT_SAVED_ESI] = m[ti + TCB_REGS + REG_ESI]!;
    for (let i = 0; i < MAX_FAULT_LENGTH; i++) m[ti + TCB_FAULT_SAVED_MRS + i] = m[bi + i]!;
    for (let i = 0; i < len; i++) m[bi + i] = this.faultMsg[i]!;
    m[ti + TCB_REGS + REG_MSGINFO] = seL4_MessageInfo_new(label, 0, 0, len);
    m[ti + TCB_ENTRY_FLAGS] = ENTRY_FAULT_SAVED;
    m[ti + TCB_FAULT_TYPE] = label;
    sendIPC(k, true, true, m[(slot >> 2) + 2]!, (rights & RIGHT_GRANT) !== 0, true, t, m[(slot >> 2) + 1]!);
  }

  /** A thread without a VSpace cannot run: record it as a fault and stop it. */
  private noVSpace(t: number): void {
    this.unhandled.push({ tcb: t, label: seL4_Fault_UserException, msg: [] });
    setThreadState(this.k, t, ThreadState_Inactive);
  }
}
