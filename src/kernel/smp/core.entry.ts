/**
 * One CPU core of the SMP machine (smp/machine.ts): a worker running a
 * KernelCore over the shared guest RAM and kernel globals, entering the
 * kernel under the big kernel lock.
 *
 * Idle: the core remembers its doorbell as seen under the lock when it
 * found nothing to run and, if the threads that are awake (core workers
 * running guest code, in the kernel or spinning, and the host's root-task
 * thread: CTL_ACTIVE) fit on the host's cores (`spinners`), polls it for
 * at most `idleSpinUs` microseconds of wall time (SpinPolicy: the budget
 * shrinks when spinning out only delayed a partner that needed this host
 * core, and grows again when spins catch their wake-ups). Only then does it
 * set its CORE_SLEEPING flag, check the doorbell once more and
 * Atomics.wait on it; remoteWake notifies only when the flag is set. So
 * with more cores than the host has, idle cores sleep at once and the busy
 * ones keep the host's cores.
 *
 * TLB shootdowns (../shootdown.ts) are answered while the core waits: in
 * the lock (KernelCore wires lock.onWait), in the idle spin, and right
 * after an idle sleep.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GuestRam } from '../../machine/ram.js';
import { Cpu } from '../../cpu/cpu.js';
import { Kernel, CORE_DOORBELL, CORE_SLEEPING, CORE_TICKS } from '../state.js';
import { BigKernelLock } from '../lock.js';
import { KernelCore } from '../core.js';
import { timerTick } from '../scheduler.js';
import { SpinPolicy } from '../../machine/spin-policy.js';
import { CodeMap, DEFAULT_ENGINE, engineFromEnv, jitOf } from '../../jit/index.js';
import { CoreProfiler } from './profile.js';
import { HandoffRings } from './handoff.js';
import { CrossCoreFastpath } from './cross-fastpath.js';
import { Stage, StageRecorder, StampedLock } from './stages.js';
import { CTL64_BUDGET, CTL64_RETIRED, CTL_ACTIVE, CTL_GUEST_ATOMICS, CTL_PROGRESS, CTL_STOP, type CoreReport, type CoreWorkerData } from './control.js';

/** Guest instructions per KernelCore.run call without a limit: a core that never idles still sees the stop flag. */
const CHUNK = 5_000_000;
/** How long a core out of instruction budget sleeps between looks at the budget, its doorbell and the stop flag (ms). */
const BUDGET_POLL_MS = 0.05;

const d = workerData as CoreWorkerData;
const ram = new GuestRam(d.memory);
const k = new Kernel({ memory: d.memory, globals: d.globals }, d.core);
const ctl = new Int32Array(d.control);
const cpu = new Cpu(ram);
cpu.coreId = d.core;
// Locked instructions are atomic across the cores (cpu/ops/locked.ts).
cpu.atomicLock = ctl;
cpu.atomicLockIndex = CTL_GUEST_ATOMICS;
// The JIT state of this core over the machine's shared CodeMap (before KernelCore picks the engine).
// `interp` runs the decode-cache blocks through the same loop with translation off: that loop
// is what follows the shared map, so code dropped on another core or by the host (its writes to
// guest RAM, smp/host-core.ts) is dropped here too before anything runs from that page.
const engine = d.engine ?? engineFromEnv(DEFAULT_ENGINE);
const threshold = engine === 'jit-eager' ? 0 : engine === 'interp' ? Number.POSITIVE_INFINITY : null;
jitOf(cpu, { codeMap: new CodeMap(ram.size, d.codeMap), ...(threshold !== null ? { threshold } : {}) });
const base = k.coreBase(d.core);
const ticks = base + CORE_TICKS;
const stages = d.traceStages ? new StageRecorder() : null;
const mark = stages === null ? null : stages.mark;
const lock = mark === null ? new BigKernelLock(d.globals) : new StampedLock(d.globals, mark);
const rings = new HandoffRings(d.handoffs, Math.round(Math.sqrt(d.handoffs.length)), d.core);
const cross = d.fastpath ? new CrossCoreFastpath(k, rings, mark) : null;
const core = new KernelCore(k, cpu, {
  lock,
  ...(mark !== null ? { stageMark: mark } : {}),
  ...(cross !== null ? { crossCore: cross } : {}),
  fastpath: d.fastpath,
  engine: engine === 'interp' ? 'jit' : engine,
  tickInstructions: d.sliceInstructions,
  sliceEnd: (kk) => {
    let n = Atomics.exchange(kk.g, ticks, 0);
    if (n > 8) n = 8; // a core that was descheduled by the host for long catches up a little, not forever
    while (n-- > 0) timerTick(kk);
  },
});

let sleeps = 0;
let spinWakes = 0;
let spinMs = 0;
let sleptMs = 0;
const policy = new SpinPolicy(d.idleSpinUs, d.idleSpinMinUs);
const bell = base + CORE_DOORBELL;
const g = k.g;
/** The doorbell value this idle core saw last under the lock. */
let seen = 0;
const shootdown = core.shootdown!;
/** Answers TLB shootdowns and TCB stalls (KernelCore.answerRemote). */
const answer = core.answerRemote;
function rung(): boolean {
  answer(); // idle: answer TLB shootdowns and stalls (shootdown.ts, stall.ts); also after CORE_SLEEPING is set, before the sleep
  return Atomics.load(g, bell) !== seen || rings.pending() || Atomics.load(ctl, CTL_STOP) !== 0;
}

/*
 * The instruction limit (d.maxInstructions > 0; control.ts CTL64_BUDGET),
 * exact on any number of cores. KernelCore.run(g) checks its end before
 * each slice and a slice ends exactly on its budget (the engines'
 * contract), so with slices of at most min(slice, g) it retires at most
 * g + min(slice, g) - 1 instructions. Before each run the core reserves
 * that many from the budget left (its share: min(CHUNK, ceil(left / N))
 * for N CPU cores, so every core gets some), runs, publishes its retired
 * count and gives back what it did not run. No core can overrun its
 * reservation, so the budget never goes below 0 and the total never above
 * the limit; a core with a runnable thread keeps reserving while any is
 * left, so the total reaches the limit exactly, and the host, seeing the
 * published counts add up to it (SmpMachine.limitReached), stops the
 * machine. The checks are here, at chunk boundaries: the CPU loop, the
 * fastpaths and the JIT's code are the same with or without a limit. On
 * SMP a slice's end only looks at the timer's wall-clock ticks (sliceEnd),
 * so the shorter slices near the limit change no scheduling decision.
 */
const limited = d.maxInstructions > 0;
const ctl64 = new BigInt64Array(d.control);
/** CPU cores; the host's core is the last kernel core. */
const cpuCores = k.numCores - 1;
const hostBell = k.coreBase(cpuCores) + CORE_DOORBELL;
/** The last reservation, and the length of the run it covers (reserveBudget). */
let reserved = 0;
let grant = 0;

/** Reserves instructions for the next run from the budget (sets `reserved` and `grant`); false: none left. */
function reserveBudget(): boolean {
  const slice = d.sliceInstructions;
  for (;;) {
    const left = Atomics.load(ctl64, CTL64_BUDGET);
    if (left <= 0n) return false;
    let share = (left + BigInt(cpuCores - 1)) / BigInt(cpuCores);
    if (share > BigInt(CHUNK)) share = BigInt(CHUNK);
    const s = Number(share);
    // The longest run whose most, run + min(slice, run) - 1, fits in the share.
    const half = Math.floor((s + 1) / 2);
    const run = half <= slice ? half : s - slice + 1;
    const most = run + Math.min(slice, run) - 1;
    if (Atomics.compareExchange(ctl64, CTL64_BUDGET, left, left - BigInt(most)) === left) {
      reserved = most;
      grant = run;
      return true;
    }
  }
}

/**
 * One KernelCore.run within the instruction budget. Out of budget, the
 * core enters the kernel without running guest code (run(0): it still
 * lets go of a thread the host suspends or ends, takes its hand-offs and
 * schedules) and, with a thread loaded, waits answering TLB shootdowns
 * until another core gives budget back or the host stops the machine;
 * with none, its caller's idle path sleeps on the doorbell.
 */
function runBudgeted(): void {
  let told = false;
  let enter = true;
  for (;;) {
    if (reserveBudget()) {
      core.tickInstructions = Math.min(d.sliceInstructions, grant);
      const r0 = cpu.retired;
      core.run(grant);
      Atomics.store(ctl64, CTL64_RETIRED + d.core, BigInt(cpu.retired));
      Atomics.add(ctl64, CTL64_BUDGET, BigInt(reserved - (cpu.retired - r0)));
      return;
    }
    if (enter) {
      rings.drain();
      core.run(0);
    }
    if (core.loaded === 0 || Atomics.load(ctl, CTL_STOP) !== 0) return;
    if (!told) {
      // The host looks at the published counts now rather than at its next tick.
      told = true;
      Atomics.add(g, hostBell, 1);
      Atomics.notify(g, hostBell);
    }
    answer();
    Atomics.wait(ctl, CTL_STOP, 0, BUDGET_POLL_MS);
    enter = Atomics.load(g, bell) !== core.doorbellSeen || rings.pending();
  }
}

const profiler = d.profile ? new CoreProfiler() : null;
if (profiler !== null) await profiler.start();
Atomics.add(ctl, CTL_ACTIVE, 1);
parentPort!.postMessage({ ready: true });
try {
  loop();
} catch (e) {
  // An engine bug, not a guest error (those are faults): never leave the lock held.
  if (lock.owner() === d.core) lock.release();
  Atomics.store(g, base + CORE_SLEEPING, 1); // and never make a TLB shootdown wait for this core
  Atomics.store(ctl, CTL_STOP, 1);
  throw e;
}
// Stopped: asleep for good, so no TLB shootdown waits for an answer from this core.
Atomics.store(g, base + CORE_SLEEPING, 1);

function loop(): void {
for (;;) {
  // Run in chunks so a core that never idles still sees the stop flag.
  rings.drain(); // the hand-offs' threads are already this core's current thread: run() loads them
  if (limited) runBudgeted();
  else core.run(CHUNK);
  ctl[CTL_PROGRESS + d.core] = core.syscalls;
  if (Atomics.load(ctl, CTL_STOP) !== 0) break;
  if (core.loaded !== 0) continue; // LIMIT: still busy
  seen = core.doorbellSeen;
  // Spin only while the threads that run or spin fit on the host's cores.
  let spun = false;
  if (Atomics.load(ctl, CTL_ACTIVE) <= d.spinners) {
    // The policy's own clock reads time the spin: none after the wake-up, on the hand-off's path.
    if (mark !== null) mark(Stage.SPIN);
    const woke = policy.spin(rung);
    spinMs += policy.lastSpinMs;
    if (woke) {
      if (mark !== null) mark(Stage.WAKE);
      spinWakes++;
      continue;
    }
    spun = true;
  }
  Atomics.sub(ctl, CTL_ACTIVE, 1);
  Atomics.store(g, base + CORE_SLEEPING, 1);
  if (!rung()) {
    sleeps++;
    if (mark !== null) mark(Stage.SLEEP);
    const w0 = performance.now();
    Atomics.wait(g, bell, seen);
    const ms = performance.now() - w0;
    if (mark !== null) mark(Stage.WOKEN);
    sleptMs += ms;
    if (spun) policy.blocked(ms);
  }
  Atomics.store(g, base + CORE_SLEEPING, 0);
  answer(); // a shootdown that did not wait for this sleeper: before anything runs here again
  Atomics.add(ctl, CTL_ACTIVE, 1);
}
}

const report: CoreReport = {
  core: d.core, syscalls: core.syscalls, fastpaths: core.fastpaths, faults: core.faults, ticks: core.ticks,
  retired: cpu.retired, sleeps, spinWakes, spinMs, sleptMs, handoffsSent: cross?.committed ?? 0, handoffsTaken: rings.taken, lockContended: lock.contended, lockSlept: lock.slept,
  shootdowns: shootdown.honoured, shootdownWholes: shootdown.wholeFlushes, interrupts: core.interrupts,
  stalls: core.stalls, stallUnloads: core.stallUnloads,
  unhandled: core.unhandled,
};
if (profiler !== null) report.profile = await profiler.stop();
if (stages !== null) report.stages = stages.summary();
parentPort!.postMessage({ report });
