/**
 * `--cores N`: the kernel on N CPU workers over one guest RAM and one set
 * of kernel globals (seL4's SMP design: a big kernel lock around every
 * kernel entry, per-core ready queues, thread affinity, IPIs as doorbells).
 *
 *   host thread   the root task: boots the kernel, builds spaces and
 *                 threads (SpaceBuilder), and talks to them with kernel
 *                 operations, all under the big kernel lock as core N
 *                 (a core of its own whose only thread is the root thread,
 *                 so its kernel operations never schedule a CPU core).
 *   core workers  core.entry.ts, one per core 0..N-1: a Cpu + KernelCore.
 *   timer worker  timer.entry.ts: the tick (preemption, round robin).
 *
 * N may exceed the host's cores: a busy core is a busy worker, but an idle
 * one spins only while the awake threads fit on the host's cores
 * (`spinners`) and otherwise sleeps on its doorbell at once. The host
 * thread counts as awake (CTL_ACTIVE starts at 1) except while it waits
 * in `until`, between its polls.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { GuestRam } from '../../machine/ram.js';
import { deviceWorkerUrl } from '../../devices/worker-url.js';
import { bootKernel, type BootInfo } from '../boot.js';
import { BigKernelLock } from '../lock.js';
import { CORE_ATTENTION, CORE_DOORBELL, Kernel } from '../state.js';
import { SpaceBuilder, type BuiltThread, type ThreadSpec } from '../space-builder.js';
import { CodeMap } from '../../jit/code-map.js';
import type { CpuEngine } from '../../jit/index.js';
import { createHandoffBuffers, type HandoffBuffers } from './handoff.js';
import {
  CONTROL_BYTES, CTL64_BUDGET, CTL64_RETIRED, CTL_ACTIVE, CTL_PROGRESS, CTL_STOP, type CoreReport, type CoreWorkerData, type TimerWorkerData,
} from './control.js';

/**
 * An idle core's longest spin (µs): longer than a partner's answer when both
 * run (a few µs), shorter than a host time slice, so a spinner that waits
 * for a partner the host has not scheduled gives its core back soon.
 */
export const DEFAULT_IDLE_SPIN_US = 100;
/** An idle core's shortest spin (µs): SpinPolicy's own minimum. */
export const DEFAULT_IDLE_SPIN_MIN_US = 2;
/** Guest instructions per slice between a core's doorbell/timer checks (SmpOptions.sliceInstructions). */
export const DEFAULT_SLICE_INSTRUCTIONS = 20_000;

export interface SmpOptions {
  /** CPU cores (workers). */
  cores: number;
  /** Guest RAM = kernel object memory (default 32 MiB). */
  ramBytes?: number;
  rootCNodeBits?: number;
  fastpath?: boolean;
  /** Timer period (default 2 ms, seL4's default tick); 0: no timer. */
  tickMs?: number;
  /** Guest instructions per slice between doorbell/timer checks (default DEFAULT_SLICE_INSTRUCTIONS). */
  sliceInstructions?: number;
  /**
   * Guest instructions all cores together may retire (0 or absent: no
   * limit). The cores stop running guest code when exactly that many have
   * retired (core.entry.ts; docs/kernel.md, "The instruction limit"); the
   * host sees it with `limitReached` and stops the machine.
   */
  maxInstructions?: number;
  /** Longest wall time an idle core polls its doorbell before it sleeps, in µs (default 100; it adapts below). */
  idleSpinUs?: number;
  /** The shortest idle spin it adapts down to, in µs (default DEFAULT_IDLE_SPIN_MIN_US). */
  idleSpinMinUs?: number;
  /** An idle core spins only while at most this many threads are awake, the host's included (default: the host's cores). */
  spinners?: number;
  /** The CPU engine of every core (default: NEPTUNE_CPU_ENGINE, else DEFAULT_ENGINE; docs/jit.md). */
  engine?: CpuEngine;
  /** Profile each core worker (smp/profile.ts; CoreReport.profile). */
  profile?: boolean;
  /** Stage time stamps in each core worker (smp/stages.ts; CoreReport.stages). */
  traceStages?: boolean;
}

export class SmpMachine {
  readonly ram: GuestRam;
  /** Which physical bytes hold code, for every core's JIT (src/jit/code-map.ts). */
  readonly codeMap: CodeMap;
  /** The host's handle on the kernel: core `hostCore`, the root task's. */
  readonly k: Kernel;
  readonly info: BootInfo;
  readonly lock: BigKernelLock;
  private builder: SpaceBuilder | null = null;
  readonly cores: number;
  readonly hostCore: number;
  readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  /** The cross-core fastpath's rings, one per ordered pair of cores, the host core N included (handoff.ts). */
  readonly handoffs: HandoffBuffers;
  private workers: Worker[] = [];
  private reports: Promise<CoreReport>[] = [];
  private timer: Worker | null = null;
  /** A word nobody notifies: hostSleep waits on it. */
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));
  /** The control block's 64-bit words (CTL64_RETIRED, CTL64_BUDGET). */
  private readonly ctl64 = new BigInt64Array(this.control);
  /** SmpOptions.maxInstructions (0: none). */
  readonly maxInstructions: number;

  constructor(readonly opts: SmpOptions) {
    const cores = opts.cores;
    if (!(Number.isInteger(cores) && cores >= 1 && cores <= 63)) throw new RangeError(`cores must be 1..63, not ${cores}`);
    const limit = opts.maxInstructions ?? 0;
    if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`maxInstructions must be a non-negative integer, not ${limit}`);
    this.maxInstructions = limit;
    Atomics.store(this.ctl64, CTL64_BUDGET, BigInt(limit));
    this.cores = cores;
    this.hostCore = cores;
    this.handoffs = createHandoffBuffers(cores + 1);
    this.ram = new GuestRam(opts.ramBytes ?? 32 << 20);
    this.codeMap = new CodeMap(this.ram.size);
    const { kernel, bootInfo } = bootKernel({
      memory: this.ram.sab, cores: cores + 1, rootCore: cores, rootCNodeBits: opts.rootCNodeBits ?? 12,
    });
    this.k = new Kernel(kernel.shared, cores); // boot's handle is core 0's
    this.info = bootInfo;
    this.lock = new BigKernelLock(kernel.globals);
    // The host's root-task thread is awake (it is running this constructor).
    Atomics.store(new Int32Array(this.control), CTL_ACTIVE, 1);
  }

  /**
   * The root task's SpaceBuilder, made at first use (it takes root CNode
   * slots and a page directory; a root task with its own object allocator,
   * such as the NT executive, never asks for it).
   */
  get b(): SpaceBuilder {
    if (this.builder === null) {
      const make = () => new SpaceBuilder(this.k, this.info);
      this.builder = this.lock.owner() === this.hostCore ? make() : this.kernel(make);
    }
    return this.builder;
  }

  /** The root thread (on the host core). */
  get root(): number {
    return this.info.rootThread;
  }

  /** Runs `fn` under the big kernel lock as the host core (every kernel operation of the root task). */
  kernel<T>(fn: () => T): T {
    return this.lock.with(this.hostCore, fn);
  }

  /** A thread built by the SpaceBuilder on CPU core `core` (not started). */
  thread(spec: ThreadSpec & { core: number }): BuiltThread {
    if (!(spec.core >= 0 && spec.core < this.cores)) throw new RangeError(`core ${spec.core} is not a CPU core (0..${this.cores - 1})`);
    return this.kernel(() => this.b.thread(spec));
  }

  start(th: BuiltThread): void {
    this.kernel(() => this.b.start(th));
  }

  /** Spawns the core workers and the timer; resolves when every core is ready. */
  async boot(): Promise<void> {
    const o = this.opts;
    const url = deviceWorkerUrl(import.meta.url, 'kernel/smp/core.entry');
    const ready: Promise<void>[] = [];
    for (let c = 0; c < this.cores; c++) {
      const data: CoreWorkerData = {
        memory: this.ram.sab, globals: this.k.globals, control: this.control, core: c,
        fastpath: o.fastpath ?? true, sliceInstructions: o.sliceInstructions ?? DEFAULT_SLICE_INSTRUCTIONS, maxInstructions: this.maxInstructions,
        idleSpinUs: o.idleSpinUs ?? DEFAULT_IDLE_SPIN_US, idleSpinMinUs: o.idleSpinMinUs ?? DEFAULT_IDLE_SPIN_MIN_US, spinners: o.spinners ?? availableParallelism(),
        codeMap: this.codeMap.buffers, profile: o.profile ?? false, traceStages: o.traceStages ?? false, handoffs: this.handoffs,
        ...(o.engine !== undefined ? { engine: o.engine } : {}),
      };
      const w = new Worker(url, { workerData: data });
      this.workers.push(w);
      let onReady!: () => void;
      ready.push(new Promise<void>((res) => { onReady = res; }));
      this.reports.push(new Promise<CoreReport>((res, rej) => {
        w.on('message', (m: { ready?: boolean; report?: CoreReport }) => {
          if (m.ready === true) onReady();
          else if (m.report !== undefined) res(m.report);
        });
        w.once('error', rej);
        w.once('exit', (code) => rej(new Error(`core ${c} worker exited (code ${code}) without a report`)));
      }));
    }
    await Promise.race([Promise.all(ready), Promise.all(this.reports)]);
    const tickMs = o.tickMs ?? 2;
    if (tickMs > 0) {
      const data: TimerWorkerData = { globals: this.k.globals, control: this.control, cores: this.cores, tickMs };
      this.timer = new Worker(deviceWorkerUrl(import.meta.url, 'kernel/smp/timer.entry'), { workerData: data });
    }
  }

  /**
   * Polls `pred` under the kernel lock every `everyMs` until it holds (true)
   * or `timeoutMs` passes (false). The host never blocks the workers; between
   * polls it does not count as awake, so idle cores may spin on its core.
   */
  async until(pred: () => boolean, timeoutMs = 10_000, everyMs = 1): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    const ctl = new Int32Array(this.control);
    for (;;) {
      if (this.kernel(pred)) return true;
      if (Date.now() > end) return false;
      Atomics.sub(ctl, CTL_ACTIVE, 1);
      try {
        await new Promise((r) => setTimeout(r, everyMs));
      } finally {
        Atomics.add(ctl, CTL_ACTIVE, 1);
      }
    }
  }

  /**
   * Blocks the host thread for `ms` without counting it as awake (idle
   * cores may spin on its host core meanwhile). For hosts that only watch,
   * such as the bench sampling `progress`.
   */
  hostSleep(ms: number): void {
    const ctl = new Int32Array(this.control);
    Atomics.sub(ctl, CTL_ACTIVE, 1);
    Atomics.wait(this.sleepWord, 0, 0, ms);
    Atomics.add(ctl, CTL_ACTIVE, 1);
  }

  /** System calls core `core` had handled when it last left KernelCore.run. */
  progress(core: number): number {
    if (!(core >= 0 && core < this.cores)) throw new RangeError(`core ${core} is not a CPU core (0..${this.cores - 1})`);
    return Atomics.load(new Int32Array(this.control), CTL_PROGRESS + core);
  }

  /**
   * Guest instructions core `core` had retired when it last left
   * KernelCore.run; published only under an instruction limit (else 0).
   */
  retired(core: number): number {
    if (!(core >= 0 && core < this.cores)) throw new RangeError(`core ${core} is not a CPU core (0..${this.cores - 1})`);
    return Number(Atomics.load(this.ctl64, CTL64_RETIRED + core));
  }

  /**
   * The instruction limit is reached: the cores' published counts add up
   * to it (never more: core.entry.ts). No core runs guest code then (none
   * can reserve budget), so the host stops the machine.
   */
  limitReached(): boolean {
    if (this.maxInstructions === 0) return false;
    let total = 0;
    for (let c = 0; c < this.cores; c++) total += Number(Atomics.load(this.ctl64, CTL64_RETIRED + c));
    return total >= this.maxInstructions;
  }

  /** Stops every worker (guest threads stop where they are) and returns the cores' reports. */
  async shutdown(): Promise<CoreReport[]> {
    const ctl = new Int32Array(this.control);
    Atomics.store(ctl, CTL_STOP, 1);
    Atomics.notify(ctl, CTL_STOP);
    for (let c = 0; c < this.cores; c++) {
      const i = this.k.coreBase(c) + CORE_DOORBELL;
      Atomics.add(this.k.g, i, 1);
      Atomics.store(this.k.g, this.k.coreBase(c) + CORE_ATTENTION, 1); // a core in guest code leaves it now
      Atomics.notify(this.k.g, i);
    }
    const reports = await Promise.all(this.reports);
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.timer !== null) await this.timer.terminate();
    this.workers = [];
    return reports;
  }
}
