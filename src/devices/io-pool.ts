/**
 * A controller's I/O workers: extra threads that move data between the
 * backing file and guest RAM while the controller's own thread runs the next
 * command. This is the parallelism a queue depth above 1 exists for: an SSD
 * keeps several commands in flight across its channels. On the 2-core
 * development machine, 4 KiB page-cache preads from two threads (the device
 * worker and one I/O worker) run 1.4x as fast as from one, even with the
 * driver thread spinning beside them.
 *
 * One job slot per worker, each on its own 64-byte line of a
 * SharedArrayBuffer: STATE (FREE → SUBMITTED by the controller → DONE by the
 * worker → FREE when the controller takes it), the operation, length, RAM
 * offset and file position, and an error flag. A worker spins for a while
 * after a job (SpinPolicy), then sets SLEEPING and blocks; the controller
 * notifies only a sleeping worker. Each worker opens the image itself (its
 * own descriptor on the same file: the page cache and fdatasync are per
 * file, so a flush from the controller covers the workers' writes).
 *
 * Allocation-free on the hot path: submit / done / take touch only the slot.
 */
import { Worker } from 'node:worker_threads';
import { deviceWorkerUrl } from './worker-url.js';

export const IO_FREE = 0;
export const IO_SUBMITTED = 1;
export const IO_DONE = 2;
export const IO_STOP = 3;

/** Int32 word indexes inside a slot (16 words = 64 bytes). */
export const J_STATE = 0;
export const J_WRITE = 1;
export const J_LEN = 2;
export const J_SLEEPING = 3;
export const J_ERROR = 4;
/** Float64 indexes inside a slot (byte 32 on): RAM offset, file position. */
export const J_RAM = 4;
export const J_POS = 5;
export const SLOT_BYTES = 64;

export interface IoWorkerData {
  ramSab: SharedArrayBuffer;
  poolSab: SharedArrayBuffer;
  index: number;
  imagePath: string;
  spinUs: number;
}

export class IoPool {
  readonly size: number;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly workers: Worker[] = [];

  private constructor(readonly sab: SharedArrayBuffer) {
    this.size = sab.byteLength / SLOT_BYTES;
    this.i32 = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
  }

  /** Starts `count` I/O workers on the image (count ≥ 1). */
  static start(count: number, ramSab: SharedArrayBuffer, imagePath: string, spinUs: number): IoPool {
    if (!Number.isInteger(count) || count < 1 || count > 16) throw new RangeError(`I/O workers: 1..16 (got ${count})`);
    const pool = new IoPool(new SharedArrayBuffer(count * SLOT_BYTES));
    const url = deviceWorkerUrl(import.meta.url, 'devices/io-worker.entry');
    for (let i = 0; i < count; i++) {
      const data: IoWorkerData = { ramSab, poolSab: pool.sab, index: i, imagePath, spinUs };
      const w = new Worker(url, { workerData: data });
      w.on('error', (e) => console.error('NVMe I/O worker failed:', e));
      w.unref();
      pool.workers.push(w);
    }
    return pool;
  }

  /** True when worker `i` can take a job. */
  idle(i: number): boolean {
    return Atomics.load(this.i32, i * 16 + J_STATE) === IO_FREE;
  }

  submit(i: number, write: boolean, ramOff: number, len: number, pos: number): void {
    const w = i * 16;
    const i32 = this.i32;
    i32[w + J_WRITE] = write ? 1 : 0;
    i32[w + J_LEN] = len;
    i32[w + J_ERROR] = 0;
    this.f64[i * 8 + J_RAM] = ramOff;
    this.f64[i * 8 + J_POS] = pos;
    Atomics.store(i32, w + J_STATE, IO_SUBMITTED);
    if (Atomics.load(i32, w + J_SLEEPING) !== 0) Atomics.notify(i32, w + J_STATE);
  }

  done(i: number): boolean {
    return Atomics.load(this.i32, i * 16 + J_STATE) === IO_DONE;
  }

  /** Frees a done slot; returns true when the host call failed. */
  take(i: number): boolean {
    const failed = this.i32[i * 16 + J_ERROR] !== 0;
    Atomics.store(this.i32, i * 16 + J_STATE, IO_FREE);
    return failed;
  }

  /** Asks every worker to exit (call with no job in flight). */
  stop(): void {
    for (let i = 0; i < this.size; i++) {
      Atomics.store(this.i32, i * 16 + J_STATE, IO_STOP);
      Atomics.notify(this.i32, i * 16 + J_STATE);
    }
  }
}
