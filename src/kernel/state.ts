/**
 * Kernel state: two SharedArrayBuffers that every core worker wraps.
 *
 *   object memory  physical memory; every kernel object (CNode slots, TCBs,
 *                  endpoints, notifications, page tables, frames) is a
 *                  record at its physical address, exactly where Untyped
 *                  Retype placed it. Pass the guest RAM's SAB here and
 *                  frames are guest pages.
 *   globals        seL4's kernel globals: the big kernel lock (own cache
 *                  line), machine configuration, IRQ states, the ASID table,
 *                  and per core: current thread, idle thread, scheduler
 *                  action, the priority bitmap and 256 ready queues.
 *
 * A `Kernel` is one worker's handle on that state; it also holds what seL4
 * keeps per kernel entry (current_syscall_error, scratch caps), which is
 * never shared. Every operation runs under the big kernel lock (lock.ts)
 * when more than one worker can enter.
 */
import { SyscallError } from './errors.js';
import type { RegisterViews } from './reg-views.js';

// ---- globals layout (int32 word indices) -----------------------------------
export const G_LOCK = 0;
export const G_LOCK_OWNER = 1;
export const G_LOCK_WAITERS = 2;
export const G_MAGIC = 16;
export const G_NUM_CORES = 17;
export const G_NUM_IRQS = 18;
export const G_MEM_BYTES = 19;
export const G_IRQ_NODE = 20;
export const G_TIME_SLICE = 21;
/** x86KSASIDTable: 4 pool pointers (asidHighBits = 2 on ia32). */
export const G_ASID_TABLE = 24;
export const ASID_HIGH_BITS = 2;
export const ASID_LOW_BITS = 10;
/** TLB shootdown (shootdown.ts): the generation of the last request, bumped under the lock. */
export const G_SHOOT_GEN = 28;
/** remoteTCBStall (stall.ts): the generation of the last stall request, bumped under the lock. */
export const G_STALL_GEN = 29;
/** Per-IRQ state (irq.ts): one word each, up to MAX_IRQS. */
export const G_IRQ_STATE = 64;
export const MAX_IRQS = 256;
/** Per-core records. */
export const G_CORES = G_IRQ_STATE + MAX_IRQS;
export const MAX_CORES = 64;

// Per-core record fields (offset from the core's base).
export const CORE_CUR = 0;
export const CORE_IDLE = 1;
/** 0 = ResumeCurrentThread, 1 = ChooseNewThread, else: SwitchToThread(this TCB). */
export const CORE_ACTION = 2;
/** Set when another core queued work here (an IPI); the worker's doorbell word. */
export const CORE_DOORBELL = 3;
export const CORE_L1 = 4;
export const CORE_L2 = 8;
export const CORE_HEADS = 16;
export const CORE_TAILS = CORE_HEADS + 256;
/** Set by an idle core's worker before it sleeps on its doorbell (remoteWake notifies only then). */
export const CORE_SLEEPING = CORE_TAILS + 256;
/** The thread whose x87/SSE state is live in this core's CPU (fpu.ts), 0: none. */
export const CORE_FPU_OWNER = CORE_TAILS + 257;
/** Timer ticks raised for this core and not yet taken (the SMP machine's timer adds, the core takes). */
export const CORE_TICKS = CORE_TAILS + 258;
/**
 * TLB shootdown (shootdown.ts): the page directory in this core's MMU (CR3;
 * 0: none published, i.e. no CPU of its own or not an SMP worker), the
 * shootdown generation requested of it and the one it has honoured.
 */
export const CORE_CR3 = CORE_TAILS + 259;
export const CORE_SHOOT_REQ = CORE_TAILS + 260;
export const CORE_SHOOT_ACK = CORE_TAILS + 261;
/**
 * The pages a shootdown request names (page directory, first byte, length;
 * written before CORE_SHOOT_REQ, only while the core has acknowledged every
 * earlier request), and the flag that asks for the whole TLB instead
 * (set when it had not, or for every address space).
 */
export const CORE_SHOOT_PD = CORE_TAILS + 262;
export const CORE_SHOOT_VADDR = CORE_TAILS + 263;
export const CORE_SHOOT_BYTES = CORE_TAILS + 264;
export const CORE_SHOOT_WHOLE = CORE_TAILS + 265;
/**
 * The IPI: set by another core after it rang this core's doorbell, asked
 * it for a TLB shootdown, or stopped the machine; the core's CPU
 * (Cpu.attention) leaves guest code when it sees it between regions, and
 * the core clears it on its next kernel entry before it looks at its
 * doorbell. So a core running guest code answers within a region's
 * quantum, not at its slice's end.
 */
export const CORE_ATTENTION = CORE_TAILS + 266;
/**
 * remoteTCBStall (stall.ts): the stall generation requested of this core,
 * the thread it names, and the generation the core has answered.
 */
export const CORE_STALL_REQ = CORE_TAILS + 267;
export const CORE_STALL_TCB = CORE_TAILS + 268;
export const CORE_STALL_ACK = CORE_TAILS + 269;
export const CORE_STRIDE = CORE_TAILS + 256 + 16;

export const GLOBALS_WORDS = G_CORES + MAX_CORES * CORE_STRIDE;
const MAGIC = 0x73654c34; // 'seL4'

export const SchedulerAction_ResumeCurrentThread = 0;
export const SchedulerAction_ChooseNewThread = 1;

export interface KernelShared {
  memory: SharedArrayBuffer;
  globals: SharedArrayBuffer;
}

export class Kernel {
  readonly memory: SharedArrayBuffer;
  readonly globals: SharedArrayBuffer;
  /** Object memory as int32 words: field f of the record at p is m[(p >> 2) + f]. */
  readonly m: Int32Array;
  /** The same memory as doubles (the x87 registers of saved FPU states, fpu.ts). */
  readonly f64: Float64Array;
  /** The same memory as bytes. */
  readonly u8: Uint8Array;
  readonly g: Int32Array;
  /** The core this handle enters the kernel from. */
  readonly core: number;
  readonly numCores: number;
  /** Details of the last failed operation. */
  readonly err = new SyscallError();
  /** Scratch cap registers (cap.ts). */
  readonly capA = new Int32Array(4);
  readonly capB = new Int32Array(4);
  readonly capC = new Int32Array(4);
  /** resolveAddressBits' second result. */
  bitsRemaining = 0;
  /** Extra-cap slots looked up for a message transfer. */
  readonly extraCapSlots = new Int32Array(3);
  /** Objects being finalised in the current operation (deletion cycles). */
  readonly finalising = new Set<number>();
  /**
   * SMP: while set (a core worker inside the kernel lock), remoteWake only
   * notes the core here; its doorbell is rung (and a sleeper notified)
   * after the lock is released (flushWakes), so the woken core does not
   * wake up just to find the lock still held.
   */
  deferWakes = false;
  readonly pendingWakes = new Int32Array(MAX_CORES);
  pendingWakeCount = 0;
  /**
   * Invalidates this core's own translations of `pd` for [vaddr, vaddr +
   * bytes) (bytes 0: all of `pd`; pd -1: every address space). KernelCore
   * installs it for its CPU; the kernel's unmap paths call it through
   * shootdown.ts, which also makes the other cores drop theirs.
   */
  localTlbInvalidate: ((pd: number, vaddr: number, bytes: number) => void) | null = null;
  /** Called when a thread is made runnable on another core (an IPI). */
  onRemoteWake: ((core: number) => void) | null = null;
  /**
   * SMP: offered every thread woken for another core (possibleSwitchTo);
   * true when it was handed to that core directly (smp/cross-fastpath.ts)
   * instead of queued there with a doorbell.
   */
  remoteSwitch: ((t: number, core: number) => boolean) | null = null;
  /**
   * One core (set by KernelCore): Cpu.reg is a view of the running thread's
   * register words in its TCB instead of a copy (reg-views.ts). Null: copies.
   */
  regViews: RegisterViews | null = null;

  constructor(shared: KernelShared, core = 0) {
    this.memory = shared.memory;
    this.globals = shared.globals;
    this.m = new Int32Array(shared.memory);
    this.f64 = new Float64Array(shared.memory, 0, shared.memory.byteLength >> 3);
    this.u8 = new Uint8Array(shared.memory);
    this.g = new Int32Array(shared.globals);
    if (this.g[G_MAGIC] !== MAGIC) throw new Error('kernel globals are not initialised (use bootKernel)');
    this.numCores = this.g[G_NUM_CORES]!;
    if (!(core >= 0 && core < this.numCores)) throw new RangeError(`core ${core} out of range 0..${this.numCores - 1}`);
    this.core = core;
  }

  get shared(): KernelShared {
    return { memory: this.memory, globals: this.globals };
  }

  /** Word index of core `c`'s record in the globals. */
  coreBase(c: number): number {
    return G_CORES + c * CORE_STRIDE;
  }

  /**
   * Told of every write the host makes to guest physical memory (Retype's
   * zeroing, a reused frame, the executive writing into a process): the
   * core's decode cache and JIT drop code they decoded from those bytes, as
   * a CPU store to a code page would. KernelCore installs it for its CPU.
   */
  physicalWritten: ((addr: number, bytes: number) => void) | null = null;

  /** Zeroes [addr, addr + bytes) of object memory (both multiples of 4). */
  zero(addr: number, bytes: number): void {
    this.m.fill(0, addr >> 2, (addr + bytes) >> 2);
    if (this.physicalWritten !== null) this.physicalWritten(addr, bytes);
  }
}

/** Creates fresh globals for a machine of `cores` cores and `numIRQs` IRQs. */
export function createGlobals(memoryBytes: number, cores: number, numIRQs: number, timeSlice: number): SharedArrayBuffer {
  if (!(cores >= 1 && cores <= MAX_CORES)) throw new RangeError(`cores must be 1..${MAX_CORES}`);
  if (!(numIRQs >= 1 && numIRQs <= MAX_IRQS)) throw new RangeError(`numIRQs must be 1..${MAX_IRQS}`);
  const sab = new SharedArrayBuffer(GLOBALS_WORDS * 4);
  const g = new Int32Array(sab);
  g[G_MAGIC] = MAGIC;
  g[G_NUM_CORES] = cores;
  g[G_NUM_IRQS] = numIRQs;
  g[G_MEM_BYTES] = memoryBytes;
  g[G_TIME_SLICE] = timeSlice;
  return sab;
}
