/**
 * Stage time stamps of a core worker (SmpOptions.traceStages, `neptune run
 * --cores N --trace-stages`): where a core's time goes between two
 * waits, step by step, without a profiler.
 *
 * A sampling profiler gives CPU time by function; it cannot tell a core
 * waiting for a wake-up or a cache line from a core working. With stages
 * on, the core worker stamps `performance.now()` at fixed points of its
 * loop (the idle spin, the kernel lock taken and let go, the engine's
 * entry and exit, the cross-core fastpath); at the end it reports, for each pair of
 * consecutive stamps (A → B), how often it happened and the median and
 * 90th percentile of the time between them. Times are per core (each
 * worker has its own clock origin): a round trip between cores shows as
 * one core's steps plus its wait in the idle spin.
 *
 * Off (the default), nothing is stamped and the hot paths carry no mark
 * points: the stamps live in objects only a traced core has (StampedLock,
 * the engine runner's wrapper in KernelCore, CrossCoreFastpath's mark). On,
 * each stamp costs one clock read, ~50-60 ns here, which the figures
 * include: compare steps with each other, not with untraced runs.
 */

import { BigKernelLock } from '../lock.js';

/** The stamp points, in the order a cross-core hand-off usually passes them. */
export const enum Stage {
  /** The idle spin saw work (a hand-off, its doorbell). */
  WAKE = 0,
  /** The big kernel lock taken (a kernel entry, the run loop's start). */
  LOCKED = 1,
  /** The lock let go (before the engine; before returning idle, hand-offs published after it). */
  UNLOCKED = 2,
  /** The engine entered, and returned (a trap, the budget). */
  ENGINE_IN = 3,
  ENGINE_OUT = 4,
  /** A Call/ReplyRecv's same-core fastpath declined; the cross-core one is tried. */
  FASTPATH_DECLINED = 5,
  /** The cross-core fastpath committed a hand-off. */
  HANDED_OFF = 6,
  /** The idle spin starts. */
  SPIN = 7,
  /** The core goes to sleep on its doorbell, and wakes. */
  SLEEP = 8,
  WOKEN = 9,
}

export const STAGE_NAMES: readonly string[] = [
  'wake', 'locked', 'unlocked', 'engine-in', 'engine-out', 'fastpath-declined', 'handed-off', 'spin', 'sleep', 'woken',
];

/** The big kernel lock with LOCKED/UNLOCKED stamps (only when stages are on: the lock itself stays unmarked). */
export class StampedLock extends BigKernelLock {
  constructor(globals: SharedArrayBuffer | Int32Array, private readonly stamp: (s: Stage) => void) {
    super(globals);
  }

  override acquire(core: number): void {
    super.acquire(core);
    this.stamp(Stage.LOCKED);
  }

  override release(): void {
    super.release();
    this.stamp(Stage.UNLOCKED);
  }
}

/** One row of a core's stage report: the time from one stamp to the next. */
export interface StageRow {
  from: string;
  to: string;
  count: number;
  medianNs: number;
  p90Ns: number;
}

/** Stamps kept per core; the oldest are overwritten (a run's steady state is what matters). */
const CAPACITY = 1 << 20;

export class StageRecorder {
  private readonly ids = new Uint8Array(CAPACITY);
  private readonly times = new Float64Array(CAPACITY);
  private n = 0;

  /** Stamps stage `s` now. */
  readonly mark = (s: Stage): void => {
    const i = this.n & (CAPACITY - 1);
    this.ids[i] = s;
    this.times[i] = performance.now();
    this.n++;
  };

  /** The rows, most frequent first (allocates: call once, at the end). */
  summary(): StageRow[] {
    const count = Math.min(this.n, CAPACITY);
    const first = this.n - count;
    const spans = new Map<number, number[]>();
    for (let k = first + 1; k < this.n; k++) {
      const a = this.ids[(k - 1) & (CAPACITY - 1)]!;
      const b = this.ids[k & (CAPACITY - 1)]!;
      const ns = (this.times[k & (CAPACITY - 1)]! - this.times[(k - 1) & (CAPACITY - 1)]!) * 1e6;
      const key = a * 256 + b;
      let list = spans.get(key);
      if (list === undefined) spans.set(key, (list = []));
      list.push(ns);
    }
    const rows: StageRow[] = [];
    for (const [key, list] of spans) {
      list.sort((x, y) => x - y);
      rows.push({
        from: STAGE_NAMES[key >> 8]!, to: STAGE_NAMES[key & 255]!, count: list.length,
        medianNs: list[list.length >> 1]!, p90Ns: list[Math.floor(list.length * 0.9)]!,
      });
    }
    rows.sort((x, y) => y.count - x.count);
    return rows;
  }
}

/** The rows as a table for people: one line per step, the rarest steps (< 1 % of the busiest) left out. */
export function formatStages(core: number, rows: readonly StageRow[]): string[] {
  const top = rows.length > 0 ? rows[0]!.count : 0;
  const out = [`core ${core}: step (stamp to stamp)         count    median ns    p90 ns`];
  for (const r of rows) {
    if (r.count * 100 < top) continue;
    out.push(`  ${`${r.from} -> ${r.to}`.padEnd(34)} ${String(r.count).padStart(8)} ${r.medianNs.toFixed(0).padStart(12)} ${r.p90Ns.toFixed(0).padStart(9)}`);
  }
  return out;
}
