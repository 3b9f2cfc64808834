/**
 * The SMP machine's control block (a small SAB next to the kernel's two):
 * what the host says to the core workers and the timer, outside the kernel.
 */
export const CTL_STOP = 0;
/** Core workers awake (running guest code, in the kernel, or spinning idle); sleepers are not counted. */
export const CTL_ACTIVE = 16;
export const CONTROL_BYTES = 128;

export interface CoreWorkerData {
  memory: SharedArrayBuffer;
  globals: SharedArrayBuffer;
  control: SharedArrayBuffer;
  core: number;
  fastpath: boolean;
  /** Guest instructions between checks of the doorbell, the timer and the stop flag. */
  sliceInstructions: number;
  /** Doorbell polls an idle core makes before it sleeps (when the spin gate lets it spin). */
  idleSpin: number;
  /** An idle core spins only while at most this many workers are awake (the host's cores). */
  spinners: number;
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
  /** Faults that had no handler (the thread was stopped). */
  unhandled: { tcb: number; label: number; msg: number[] }[];
}
