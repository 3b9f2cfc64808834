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
import { CTL_ACTIVE, CTL_GUEST_ATOMICS, CTL_PROGRESS, CTL_STOP, type CoreReport, type CoreWorkerData } from './control.js';

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
const lock = new BigKernelLock(d.globals);
const rings = new HandoffRings(d.handoffs, Math.round(Math.sqrt(d.handoffs.length)), d.core);
const cross = d.fastpath ? new CrossCoreFastpath(k, rings) : null;
const core = new KernelCore(k, cpu, {
  lock,
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
function rung(): boolean {
  shootdown.poll(); // idle: answer TLB shootdowns (shootdown.ts); also after CORE_SLEEPING is set, before the sleep
  return Atomics.load(g, bell) !== seen || rings.pending() || Atomics.load(ctl, CTL_STOP) !== 0;
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
  core.run(5_000_000);
  ctl[CTL_PROGRESS + d.core] = core.syscalls;
  if (Atomics.load(ctl, CTL_STOP) !== 0) break;
  if (core.loaded !== 0) continue; // LIMIT: still busy
  seen = core.doorbellSeen;
  // Spin only while the threads that run or spin fit on the host's cores.
  let spun = false;
  if (Atomics.load(ctl, CTL_ACTIVE) <= d.spinners) {
    // The policy's own clock reads time the spin: none after the wake-up, on the hand-off's path.
    const woke = policy.spin(rung);
    spinMs += policy.lastSpinMs;
    if (woke) {
      spinWakes++;
      continue;
    }
    spun = true;
  }
  Atomics.sub(ctl, CTL_ACTIVE, 1);
  Atomics.store(g, base + CORE_SLEEPING, 1);
  if (!rung()) {
    sleeps++;
    const w0 = performance.now();
    Atomics.wait(g, bell, seen);
    const ms = performance.now() - w0;
    sleptMs += ms;
    if (spun) policy.blocked(ms);
  }
  Atomics.store(g, base + CORE_SLEEPING, 0);
  shootdown.poll(); // a shootdown that did not wait for this sleeper: before anything runs here again
  Atomics.add(ctl, CTL_ACTIVE, 1);
}
}

const report: CoreReport = {
  core: d.core, syscalls: core.syscalls, fastpaths: core.fastpaths, faults: core.faults, ticks: core.ticks,
  retired: cpu.retired, sleeps, spinWakes, spinMs, sleptMs, handoffsSent: cross?.committed ?? 0, handoffsTaken: rings.taken, lockContended: lock.contended, lockSlept: lock.slept,
  unhandled: core.unhandled,
};
if (profiler !== null) report.profile = await profiler.stop();
parentPort!.postMessage({ report });
