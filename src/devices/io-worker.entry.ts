/**
 * Worker entry of one controller I/O worker (see io-pool.ts): waits for a
 * job in its slot, runs the host read or write straight between the image
 * file and guest RAM, marks the job done, and exits on STOP.
 */
import { workerData } from 'node:worker_threads';
import { BackingStore } from './backing-store.js';
import { IO_DONE, IO_STOP, IO_SUBMITTED, J_ERROR, J_LEN, J_POS, J_RAM, J_SLEEPING, J_STATE, J_WRITE, SLOT_BYTES, type IoWorkerData } from './io-pool.js';
import { SpinPolicy } from '../machine/spin-policy.js';

const d = workerData as IoWorkerData;
const store = new BackingStore(d.imagePath);
const ram = new Uint8Array(d.ramSab);
const w = new Int32Array(d.poolSab, d.index * SLOT_BYTES, 16);
const f = new Float64Array(d.poolSab, d.index * SLOT_BYTES, 8);
const policy = new SpinPolicy(d.spinUs);
const ready = (): boolean => {
  const s = Atomics.load(w, J_STATE);
  return s === IO_SUBMITTED || s === IO_STOP;
};

for (;;) {
  const s = Atomics.load(w, J_STATE);
  if (s === IO_STOP) break;
  if (s !== IO_SUBMITTED) {
    if (policy.spin(ready)) continue;
    Atomics.store(w, J_SLEEPING, 1);
    const t0 = performance.now();
    const now = Atomics.load(w, J_STATE);
    if (now !== IO_SUBMITTED && now !== IO_STOP) Atomics.wait(w, J_STATE, now, 1000);
    Atomics.store(w, J_SLEEPING, 0);
    policy.blocked(performance.now() - t0);
    continue;
  }
  try {
    if (w[J_WRITE] !== 0) store.write(ram, f[J_RAM]!, w[J_LEN]!, f[J_POS]!);
    else store.read(ram, f[J_RAM]!, w[J_LEN]!, f[J_POS]!);
  } catch {
    w[J_ERROR] = 1; // reported to the driver as Internal Error
  }
  Atomics.store(w, J_STATE, IO_DONE);
}
store.close();
