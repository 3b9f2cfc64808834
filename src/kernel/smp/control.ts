import type { CpuEngine } from '../../jit/index.js';
import type { StageRow } from './stages.js';
/**
 * The SMP machine's control block (a small SAB next to the kernel's two):
 * what the host says to the core workers and the timer, outside the kernel.
 */
export const CTL_STOP = 0;
/**
 * Threads awake on the machine's behalf: core workers running guest code, in
 * the kernel or spinning idle, plus the host's root-task thread unless it
 * said it waits (SmpMachine.until); sleepers are not counted.
 */
export const CTL_ACTIVE = 16;
/**
 * Per core c, word CTL_PROGRESS + c: the system calls it has handled, as of
 * its last return from KernelCore.run (one plain store per return, so the
 * host can sample progress without a lock: the bench's chunked medians).
 */
export const CTL_PROGRESS = 32;
/** The guest-atomics lock every core's CPU takes around a locked instruction (cpu/ops/locked.ts), alone on its 64-byte line. */
export const CTL_GUEST_ATOMICS = CTL_PROGRESS + 128;
/**
 * The instruction limit (`--max-instructions`, SmpOptions.maxInstructions),
 * in 64-bit words of the same buffer (BigInt64Array indexes; Int32 word
 * 2 * i and 2 * i + 1). Written only when a limit is set, so a run without
 * one pays nothing (a BigInt store costs some 35 ns, per return from
 * KernelCore.run):
 *
 *   CTL64_RETIRED + c  guest instructions core c had retired when it last
 *                      left KernelCore.run (Atomics.store; the host sums
 *                      them without the lock: SmpMachine.retired)
 *   CTL64_BUDGET       instructions not yet reserved by any core: the
 *                      host stores the limit; a core reserves the most its
 *                      next run can retire with compareExchange and gives
 *                      back what it did not use after (core.entry.ts,
 *                      docs/kernel.md: the instruction limit)
 *
 * CTL64_RETIRED starts at byte 704 (after the guest-atomics line), one
 * word per core for up to 64; CTL64_BUDGET is alone on the line at byte
 * 1216 (every core's compareExchange goes there).
 */
export const CTL64_RETIRED = (CTL_GUEST_ATOMICS + 16) / 2;
export const CTL64_BUDGET = CTL64_RETIRED + 64;
export const CONTROL_BYTES = (CTL64_BUDGET + 8) * 8;

export interface CoreWorkerData {
  memory: SharedArrayBuffer;
  globals: SharedArrayBuffer;
  control: SharedArrayBuffer;
  core: number;
  fastpath: boolean;
  /** Guest instructions between checks of the doorbell, the timer and the stop flag. */
  sliceInstructions: number;
  /** Instructions all cores together may retire (CTL64_BUDGET); 0: no limit. */
  maxInstructions: number;
  /** Longest wall time an idle core polls its doorbell before it sleeps (µs; SpinPolicy adapts below it). */
  idleSpinUs: number;
  /** The shortest spin SpinPolicy adapts down to (µs). */
  idleSpinMinUs: number;
  /** An idle core spins only while at most this many threads are awake (CTL_ACTIVE; the host's cores). */
  spinners: number;
  /** The JIT's CodeMap buffers, shared by every core: code written on one core drops the others' translations. */
  codeMap: { bits: SharedArrayBuffer; gen: SharedArrayBuffer };
  /** The cross-core fastpath's hand-off rings (smp/handoff.ts) between the cores and the host core N: index a * (N + 1) + b for ring a → b. */
  handoffs: (SharedArrayBuffer | null)[];
  /** The CPU engine (default: NEPTUNE_CPU_ENGINE, else DEFAULT_ENGINE). */
  engine?: CpuEngine;
  /** Sample where the worker's time goes (smp/profile.ts) and put it in the report. */
  profile: boolean;
  /** Stamp the run loop's stages (smp/stages.ts) and put their times in the report. */
  traceStages: boolean;
}

export interface TimerWorkerData {
  globals: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** The CPU cores (0..cores-1) that receive ticks. */
  cores: number;
  tickMs: number;
}

/** What a core worker reports when it stops. */
export interface CoreReport {
  core: number;
  syscalls: number;
  fastpaths: number;
  faults: number;
  ticks: number;
  /** Guest instructions retired. */
  retired: number;
  /** Times the idle core slept in Atomics.wait (vs. woken while spinning). */
  sleeps: number;
  spinWakes: number;
  /** Wall time spent polling the doorbell idle, and asleep in Atomics.wait (ms). */
  spinMs: number;
  sleptMs: number;
  /** Cross-core fastpath hand-offs this core committed (sender) and took (receiver). */
  handoffsSent: number;
  handoffsTaken: number;
  /** Kernel-lock acquisitions that found it held, and those that slept. */
  lockContended: number;
  lockSlept: number;
  /** Other cores' TLB shootdown requests this core honoured, and those that flushed its whole TLB (the rest dropped named pages). */
  shootdowns: number;
  shootdownWholes: number;
  /** Times other cores' IPIs (CORE_ATTENTION) made this core leave guest code. */
  interrupts: number;
  /** Other cores' remoteTCBStall requests this core answered, and those that took a loaded thread back into its TCB. */
  stalls: number;
  stallUnloads: number;
  /** With SmpOptions.profile: share of profiler samples per bucket (smp/profile.ts). */
  profile?: Record<string, number>;
  /** With SmpOptions.traceStages: the time between consecutive stage stamps (smp/stages.ts). */
  stages?: StageRow[];
  /** Faults that had no handler (the thread was stopped). */
  unhandled: { tcb: number; label: number; msg: number[] }[];
}
