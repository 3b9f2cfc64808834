/**
 * Booting the NT personality and running one program to completion: the
 * path behind `neptune run`.
 *
 *   GuestRam ─> bootKernel (root CNode, untyped) ─> Executive (root task,
 *   host-run TCB) ─> createProcess(image) ─> KernelCore.run() slices,
 *   firing the executive's timers between slices and sleeping when every
 *   thread waits for one.
 */
import { NTSTATUS } from '../abi/ntstatus.js';
import { Cpu } from '../cpu/cpu.js';
import { bootKernel, KernelCore, CoreExit } from '../kernel/index.js';
import type { CpuEngine } from '../jit/index.js';
import { GuestRam } from '../machine/ram.js';
import { Executive, type ProcessExit } from './executive.js';
import type { CreateProcessOptions } from './ps/create.js';
import { exShutdownRecord } from './ex/system.js';

/** NT starts threads with the x87 at 53-bit precision (FCW 0x027F), not FNINIT's 0x037F. */
const NT_INITIAL_FPU_CW = 0x027f;
/** Instructions per core slice: how often timers are looked at while threads run. */
const SLICE = 1 << 18;
/** log2 slots of the executive's root CNode (every frame, table and TCB takes one). */
const ROOT_CNODE_BITS = 17;

export interface NtRunOptions extends CreateProcessOptions {
  /** Guest RAM in bytes. */
  readonly memory: number;
  /** Stop after this many instructions (0 = no limit). */
  readonly maxInstructions?: number;
  readonly console: (text: string) => void;
  readonly trace?: (line: string) => void;
  /** Use the kernel's IPC fastpath (default true). */
  readonly fastpath?: boolean;
  /** The CPU engine (default: NEPTUNE_CPU_ENGINE, else the JIT; docs/jit.md). */
  readonly engine?: CpuEngine;
}

export interface NtRunResult {
  readonly exitStatus: number;
  readonly exception?: string;
  /** Set when a process shut the system down (NtShutdownSystem): which action, by whom. */
  readonly shutdown?: string;
  readonly instructions: number;
  readonly executive: Executive;
  readonly core: KernelCore;
}

export interface NtMachine {
  readonly ram: GuestRam;
  readonly cpu: Cpu;
  readonly core: KernelCore;
  readonly executive: Executive;
}

/** Boots the kernel with the executive as its root task (no process yet). */
export function bootNt(o: { memory: number; console: (text: string) => void; trace?: (line: string) => void; fastpath?: boolean; engine?: CpuEngine }): NtMachine {
  const ram = new GuestRam(o.memory);
  const { kernel: k, bootInfo: info } = bootKernel({ memory: ram.sab, rootCNodeBits: ROOT_CNODE_BITS });
  const cpu = new Cpu(ram);
  cpu.x87.cw = NT_INITIAL_FPU_CW;
  const core = new KernelCore(k, cpu, {
    ...(o.fastpath === undefined ? {} : { fastpath: o.fastpath }),
    ...(o.engine === undefined ? {} : { engine: o.engine }),
  });
  const executive = new Executive(k, info, {
    console: o.console,
    ...(o.trace ? { trace: o.trace } : {}),
    cpu,
  });
  executive.fastReply = o.fastpath ?? true;
  core.setHostThread(executive);
  return { ram, cpu, core, executive };
}

/**
 * Runs the machine until `done()` or the instruction limit; sleeps while
 * only timers can wake anyone. With a limit, `core.run` gets at most what
 * is left of it, and it stops between the core's slices: the run retires
 * maxInstructions to maxInstructions + tickInstructions - 1 (the slice is
 * this core's time slice, which a limit must not shorten).
 */
export function runUntil(m: NtMachine, done: () => boolean, maxInstructions = 0): 'done' | 'limit' | 'deadlock' {
  const { core, cpu, executive } = m;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const exit = core.run(maxInstructions > 0 ? Math.min(SLICE, maxInstructions - cpu.retired) : SLICE);
    const fired = executive.timersFired;
    const next = executive.pollTimers();
    if (done()) return 'done';
    if (maxInstructions > 0 && cpu.retired >= maxInstructions) return 'limit';
    if (exit === CoreExit.IDLE && executive.timersFired === fired) {
      if (next === undefined) return 'deadlock';
      const ms = Number(next - executive.now()) / 1e6;
      if (ms > 0) Atomics.wait(sleeper, 0, 0, Math.min(ms, 1000));
    }
  }
}

/** Boots, runs `image` until its process ends, and reports its exit. Throws NtStatusError for an image that cannot run. */
export function runNtProgram(o: NtRunOptions): NtRunResult {
  const m = bootNt(o);
  const p = m.executive.createProcess(o);
  let exit: ProcessExit | undefined;
  m.executive.onProcessExit = (e) => { if (e.process === p) exit = e; };
  const r = runUntil(m, () => exit !== undefined, o.maxInstructions ?? 0);
  const sd = exShutdownRecord(m.executive);
  const base = { instructions: m.cpu.retired, executive: m.executive, core: m.core, ...(sd === undefined ? {} : { shutdown: `${sd.action} by ${sd.by}` }) };
  if (r === 'limit') return { ...base, exitStatus: NTSTATUS.STATUS_TIMEOUT, exception: `stopped after ${m.cpu.retired} instructions (--max-instructions)` };
  if (r === 'deadlock') {
    return { ...base, exitStatus: NTSTATUS.STATUS_UNSUCCESSFUL, exception: 'every thread is waiting and no timer is armed (deadlock)' };
  }
  return exit!.exception === undefined ? { ...base, exitStatus: exit!.status } : { ...base, exitStatus: exit!.status, exception: exit!.exception };
}
