/**
 * The floor of a big-kernel-lock cross-core IPC on this machine: a model,
 * in plain JS over one SAB, of the cache lines one Call + ReplyRecv round
 * trip between two cores must move when the kernel's objects are shared
 * under one lock (seL4's SMP design, and this kernel's), with no kernel or
 * guest work at all. The ipc bench runs it next to the real round trip
 * (`ipc.limit.cross-core.bkl`).
 *
 * Side 0 is the client, side 1 the server. Per round trip i:
 *
 *   client (Call)       lock; the endpoint's head (the waiting server);
 *                       its TCB (affinity, then state := running); its
 *                       core's record (current := server); the endpoint
 *                       (idle) and the client's TCB (blocked); unlock;
 *                       the slot (c → s) published.
 *   server (wake)       sees the slot; lock; its core record and TCB
 *                       (written by the client) checked; unlock.
 *   server (ReplyRecv)  lock; the caller's TCB (affinity, state := running)
 *                       and core record; the endpoint (recv, head := server)
 *                       and its own TCB (blocked); unlock; the slot (s → c).
 *   client (wake)       sees the slot; lock; its record and TCB checked; unlock.
 *
 * Every one of those lines was written last by the other core, as in the
 * kernel: the lock word, the endpoint, the partner's TCB and core record,
 * the slot. What the kernel does besides (capability lookup, message
 * copy, scheduler, register load, the guest's instructions) is the
 * same-core round trip's work; the model plus that work is a lower bound
 * for any big-lock design here, whatever its code.
 */

/** Word layout (each object on its own 64-byte line). */
const LOCK = 0;
const SLOTS = 256; // two directions x 16 rotating slot lines: the hand-off ring's lines
const EP = 1024; // [state, head]
const TCB = 1040; // + 16 * side: [state, affinity]
const CORE = 1072; // + 16 * core: [current]
export const BKL_FLOOR_WORDS = 1104;

const RUNNING = 1;
const BLOCKED = 2;
const EP_IDLE = 0;
const EP_RECV = 1;

/** Sets up the shared objects: the server waits on the endpoint, each side has its own core. */
export function bklFloorInit(a: Int32Array): void {
  a.fill(0, 0, BKL_FLOOR_WORDS);
  a[EP] = EP_RECV;
  a[EP + 1] = 1;
  for (let s = 0; s < 2; s++) {
    a[TCB + 16 * s] = s === 0 ? RUNNING : BLOCKED;
    a[TCB + 16 * s + 1] = s;
    a[CORE + 16 * s] = s === 0 ? 0 : -1;
  }
}

function lock(a: Int32Array): void {
  while (Atomics.compareExchange(a, LOCK, 0, 1) !== 0) {
    while (Atomics.load(a, LOCK) !== 0) { /* spin: a kernel entry is short */ }
  }
}

const slot = (dir: number, i: number): number => SLOTS + dir * 256 + (i & 15) * 16;

/** Waits for slot `i` of direction `dir`, then the woken side's locked check of its record and TCB. */
function wake(a: Int32Array, dir: number, i: number, me: number): void {
  const s = slot(dir, i);
  while (Atomics.load(a, s) !== i) { /* the idle core's spin */ }
  lock(a);
  if (a[CORE + 16 * me] !== me || a[TCB + 16 * me] !== RUNNING || a[s + 1] !== i) throw new Error('bkl-floor: hand-off lost');
  Atomics.exchange(a, LOCK, 0);
}

/** Hands `partner` (found by the caller) the CPU of its core, blocks `me`, and publishes slot `i` of `dir`. */
function handOff(a: Int32Array, partner: number, me: number, dir: number, i: number): void {
  const pt = TCB + 16 * partner;
  const core = a[pt + 1]!;
  a[pt] = RUNNING;
  a[CORE + 16 * core] = partner;
  a[TCB + 16 * me] = BLOCKED;
  Atomics.exchange(a, LOCK, 0);
  const s = slot(dir, i);
  a[s + 1] = i;
  Atomics.store(a, s, i);
}

/** The client's side of `n` round trips (round trips 1..n). */
export function bklFloorClient(a: Int32Array, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    lock(a);
    const server = a[EP + 1]!;
    if (a[EP] !== EP_RECV) throw new Error('bkl-floor: no receiver');
    a[EP] = EP_IDLE;
    handOff(a, server, 0, 0, i);
    wake(a, 1, i, 0);
  }
}

/** The server's side of `n` round trips. */
export function bklFloorServer(a: Int32Array, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    wake(a, 0, i, 1);
    lock(a);
    a[EP] = EP_RECV;
    a[EP + 1] = 1;
    handOff(a, 0, 1, 1, i);
  }
}

/** The model's objects as named values (tests): after whole round trips the server waits and the client runs. */
export function bklFloorSnapshot(a: Int32Array): { epReceiving: boolean; epHead: number; clientRunning: boolean; serverBlocked: boolean; core0Current: number; core1Current: number } {
  return {
    epReceiving: a[EP] === EP_RECV,
    epHead: a[EP + 1]!,
    clientRunning: a[TCB] === RUNNING,
    serverBlocked: a[TCB + 16] === BLOCKED,
    core0Current: a[CORE]!,
    core1Current: a[CORE + 16]!,
  };
}
