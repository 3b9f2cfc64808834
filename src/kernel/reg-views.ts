/**
 * The running thread's general registers kept in its TCB (one core only).
 *
 * On a one-core kernel without the SMP lock (KernelCore turns this on),
 * Cpu.reg is not a private array the kernel copies a thread's eight general
 * registers into at every switch-in and out of at every kernel entry: it is
 * an Int32Array view of those eight words of the thread's save area
 * (TCB_REGS + 0..7) in guest RAM, and a switch points Cpu.reg at the next
 * thread's words. The TCB stays the truth (seL4's rule): what a kernel
 * operation reads or writes there is what the thread runs with, and while a
 * thread runs the words are its live registers, which only it can see
 * (kernel operations on a thread that is not running find what they always
 * found: the values of its last kernel entry).
 *
 * Not with SMP: a core worker may still be running a thread's old slice when
 * another core has taken the thread (KernelCore.descheduledRemotely); its
 * registers must then be the worker's own copy, dropped when it notices.
 *
 * One view per TCB, made on first use: a small direct-mapped table in front
 * of a Map keeps the switch to an array load and an offset compare.
 */
import { TCB_REGS } from './tcb.js';
import { seL4_TCBBits } from './objecttype.js';

const SLOTS = 256;

export class RegisterViews {
  /** The TCB each slot's view belongs to (0: empty). */
  private readonly keys = new Int32Array(SLOTS);
  private readonly slots: Int32Array[] = new Array<Int32Array>(SLOTS);
  private readonly all = new Map<number, Int32Array>();

  constructor(private readonly memory: SharedArrayBuffer) {
    const none = new Int32Array(8);
    for (let i = 0; i < SLOTS; i++) this.slots[i] = none;
  }

  /** The view of TCB `t`'s eight general-register words. */
  of(t: number): Int32Array {
    const i = (t >>> seL4_TCBBits) & (SLOTS - 1);
    return this.keys[i] === t ? this.slots[i]! : this.miss(t, i);
  }

  private miss(t: number, i: number): Int32Array {
    let v = this.all.get(t);
    if (v === undefined) {
      v = new Int32Array(this.memory, t + TCB_REGS * 4, 8);
      this.all.set(t, v);
    }
    this.keys[i] = t;
    this.slots[i] = v;
    return v;
  }

  /** Is `r` TCB `t`'s view (Cpu.reg of the thread running on this core)? */
  isViewOf(r: Int32Array, t: number): boolean {
    const i = (t >>> seL4_TCBBits) & (SLOTS - 1);
    return this.keys[i] === t && this.slots[i] === r;
  }
}
