/**
 * The SMP machine's timer device: every `tickMs` it raises one tick on each
 * CPU core (CORE_TICKS); a core takes its ticks at the end of its current
 * slice (timerTick: round robin within a priority). It sleeps in
 * Atomics.wait between ticks, so it never spins; idle cores are not woken
 * (a tick on an idle core has nothing to preempt).
 */
import { workerData } from 'node:worker_threads';
import { CORE_STRIDE, CORE_TICKS, G_CORES } from '../state.js';
import { CTL_STOP, type TimerWorkerData } from './control.js';

const d = workerData as TimerWorkerData;
const g = new Int32Array(d.globals);
const ctl = new Int32Array(d.control);
while (Atomics.load(ctl, CTL_STOP) === 0) {
  Atomics.wait(ctl, CTL_STOP, 0, d.tickMs);
  for (let c = 0; c < d.cores; c++) Atomics.add(g, G_CORES + c * CORE_STRIDE + CORE_TICKS, 1);
}
