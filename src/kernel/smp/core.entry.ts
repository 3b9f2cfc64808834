/**
 * One CPU core of the SMP machine (smp/machine.ts): a worker running a
 * KernelCore over the shared guest RAM and kernel globals, entering the
 * kernel under the big kernel lock.
 *
 * Idle: the core remembers its doorbell as seen under the lock when it
 * found nothing to run, polls it for a while if the workers that are awake
 * (running guest code or spinning, CTL_ACTIVE) fit on the host's cores
 * (`spinners`), then sets its CORE_SLEEPING flag, checks the doorbell once
 * more and Atomics.waits on it. remoteWake notifies only when the flag is
 * set. So with more cores than the host has, idle cores sleep at once and
 * the busy ones keep the host's cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GuestRam } from '../../machine/ram.js';
import { Cpu } from '../../cpu/cpu.js';
import { Kernel, CORE_DOORBELL, CORE_SLEEPING, CORE_TICKS } from '../state.js';
import { BigKernelLock } from '../lock.js';
import { KernelCore } from '../core.js';
import { timerTick } from '../scheduler.js';
import { CTL_ACTIVE, CTL_STOP, type CoreReport, type CoreWorkerData } from './control.js';

const d = workerData as CoreWorkerData;
const ram = new GuestRam(d.memory);
const k = new Kernel({ memory: d.memory, globals: d.globals }, d.core);
const ctl = new Int32Array(d.control);
const cpu = new Cpu(ram);
cpu.coreId = d.core;
const base = k.coreBase(d.core);
const ticks = base + CORE_TICKS;
const core = new KernelCore(k, cpu, {
  lock: new BigKernelLock(d.globals),  // the same lock word as `lock` below
  fastpath: d.fastpath,
  tickInstructions: d.sliceInstructions,
  sliceEnd: (kk) => {
    let n = Atomics.exchange(kk.g, ticks, 0);
    if (n > 8) n = 8; // a core that was descheduled by the host for long catches up a little, not forever
    while (n-- > 0) timerTick(kk);
  },
});

let sleeps = 0;
let spinWakes = 0;
const bell = base + CORE_DOORBELL;
const g = k.g;
const lock = new BigKernelLock(d.globals);
Atomics.add(ctl, CTL_ACTIVE, 1);
parentPort!.postMessage({ ready: true });
try {
  loop();
} catch (e) {
  // An engine bug, not a guest error (those are faults): never leave the lock held.
  if (lock.owner() === d.core) lock.release();
  Atomics.store(ctl, CTL_STOP, 1);
  throw e;
}

function loop(): void {
for (;;) {
  // Run in chunks so a core that never idles still sees the stop flag.
  core.run(5_000_000);
  if (Atomics.load(ctl, CTL_STOP) !== 0) break;
  if (core.loaded !== 0) continue; // LIMIT: still busy
  const seen = core.doorbellSeen;
  let woke = false;
  // Spin only while the workers that run or spin fit on the host's cores.
  if (Atomics.load(ctl, CTL_ACTIVE) <= d.spinners) {
    for (let i = 0; i < d.idleSpin; i++) {
      if (Atomics.load(g, bell) !== seen || Atomics.load(ctl, CTL_STOP) !== 0) { woke = true; break; }
    }
  }
  if (woke) {
    spinWakes++;
    continue;
  }
  Atomics.sub(ctl, CTL_ACTIVE, 1);
  Atomics.store(g, base + CORE_SLEEPING, 1);
  if (Atomics.load(g, bell) === seen && Atomics.load(ctl, CTL_STOP) === 0) {
    sleeps++;
    Atomics.wait(g, bell, seen);
  }
  Atomics.store(g, base + CORE_SLEEPING, 0);
  Atomics.add(ctl, CTL_ACTIVE, 1);
}
}

const report: CoreReport = {
  core: d.core, syscalls: core.syscalls, fastpaths: core.fastpaths, faults: core.faults, ticks: core.ticks,
  retired: cpu.retired, sleeps, spinWakes, unhandled: core.unhandled,
};
parentPort!.postMessage({ report });
