/**
 * Locked read-modify-writes across cores (the SMP machine): several core
 * workers run guest code over one guest RAM SharedArrayBuffer, and a LOCK-
 * prefixed instruction (or xchg with memory, locked without the prefix)
 * must be atomic with respect to every other core, as on hardware: ntdll's
 * critical sections, interlocked counters and spinlocks depend on it.
 *
 *   decode (Cpu.atomicLock set: an SMP core)
 *     lock add [m], r   ─> row 'lock add Ev,Gv' (lockedRow[row]): a handler
 *     xchg [m], r       ─> 'lock xchg Ev,Gv'    with no JIT template or hot
 *                                                kind, so every engine calls it
 *
 * Every locked handler runs the instruction's own handler under one
 * machine-wide guest-atomics lock (a futex word shared by the cores), so
 * locked instructions are atomic with respect to each other whatever their
 * size, alignment or operation. The spinlock primitives (xchg, xadd,
 * cmpxchg on an aligned dword of RAM) also do their memory access with one
 * Atomics operation, so that a plain store another core makes to the same
 * word (a spinlock's release by `mov [lock], 0`) is never lost between
 * their read and their write. One core decodes the plain rows: nothing
 * else runs between its instructions.
 */
import type { Cpu } from '../cpu.js';
import type { Exec } from '../table/types.js';
import { TLB_VALID } from '../../mmu/tlb.js';
import { add32, sub32 } from './alu.js';

/** Takes the machine-wide guest-atomics lock (word `cpu.atomicLockIndex` of `cpu.atomicLock`). */
function acquire(l: Int32Array, i: number): void {
  if (Atomics.compareExchange(l, i, 0, 1) === 0) return;
  for (let n = 0; ; n++) {
    if (Atomics.load(l, i) === 0 && Atomics.compareExchange(l, i, 0, 1) === 0) return;
    // The holder runs one instruction; if the host descheduled it, give the core away briefly.
    if (n >= 256) Atomics.wait(l, i, 1, 0.02);
  }
}

/** The instruction's handler under the guest-atomics lock. */
export function lockedExec(exec: Exec): Exec {
  return (cpu, s) => {
    const l = cpu.atomicLock!, i = cpu.atomicLockIndex;
    acquire(l, i);
    try {
      exec(cpu, s);
    } finally {
      Atomics.store(l, i, 0);
    }
  };
}

/**
 * The word index in cpu.i32 of an aligned dword of RAM at linear `a` that
 * can be written without the slow path (a write TLB entry: RAM, no decoded
 * code on the page), else -1 (the instruction's own handler does it).
 */
function atomicIndex(cpu: Cpu, a: number): number {
  if ((a & 3) !== 0) return -1;
  cpu.probeWrite(a, 4); // faults as the handler would, before anything changes
  const e = cpu.tlbW[a >>> 12]!;
  return (e & 0xfff) === TLB_VALID ? ((e & ~0xfff) ^ a) >> 2 : -1;
}

/** xchg Ev,Gv (32-bit, memory): Atomics.exchange. */
export function lockedXchg32(fallback: Exec): Exec {
  return lockedExec((cpu, s) => {
    const a = cpu.ea(s), w = atomicIndex(cpu, a);
    if (w < 0) { fallback(cpu, s); return; }
    const g = cpu.d.reg[s]!;
    cpu.reg[g] = Atomics.exchange(cpu.i32, w, cpu.reg[g]!);
  });
}

/** xadd Ev,Gv (32-bit, memory): Atomics.add; flags of the addition. */
export function lockedXadd32(fallback: Exec): Exec {
  return lockedExec((cpu, s) => {
    const a = cpu.ea(s), w = atomicIndex(cpu, a);
    if (w < 0) { fallback(cpu, s); return; }
    const g = cpu.d.reg[s]!, src = cpu.reg[g]!;
    const x = Atomics.add(cpu.i32, w, src);
    cpu.reg[g] = x;
    add32(cpu, x, src);
  });
}

/** cmpxchg Ev,Gv (32-bit, memory): Atomics.compareExchange; flags of EAX - [m]. */
export function lockedCmpxchg32(fallback: Exec): Exec {
  return lockedExec((cpu, s) => {
    const a = cpu.ea(s), w = atomicIndex(cpu, a);
    if (w < 0) { fallback(cpu, s); return; }
    const acc = cpu.reg[0]!;
    const x = Atomics.compareExchange(cpu.i32, w, acc, cpu.reg[cpu.d.reg[s]!]!);
    if (x !== acc) cpu.reg[0] = x;
    sub32(cpu, acc, x);
  });
}
