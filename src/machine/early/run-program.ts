/**
 * Runs one native program to completion on one core, with the early service
 * layer serving its system calls: the path behind `neptune run`.
 *
 *   run(cpu) ──Stop.SYSCALL (int 0x2e)──> dispatchEarlyService ──> run(cpu) ...
 *            ──Stop.FAULT──> unhandled exception: the process ends with its code
 *            ──Stop.BUDGET──> (a time slice ended) continue
 */
import { NTSTATUS } from '../../abi/ntstatus.js';
import { Cpu } from '../../cpu/cpu.js';
import { Stop } from '../../cpu/fault.js';
import { DEFAULT_ENGINE, engineFromEnv, runnerFor, type CpuEngine } from '../../jit/index.js';
import { PhysAllocator } from '../phys-alloc.js';
import { GuestRam } from '../ram.js';
import { describeUnhandled, exceptionCode } from './exceptions.js';
import { EarlyProcess, type ProcessOptions } from './process.js';
import { dispatchEarlyService } from './services.js';

/** The NT system call vector. */
export const SYSCALL_VECTOR = 0x2e;
/** Instructions per run() call: the granularity at which the host can interrupt. */
const SLICE = 1 << 20;

export interface RunResult {
  /** The process's exit status (NTSTATUS or the program's return code). */
  readonly exitStatus: number;
  /** Set when the process ended because of an unhandled exception. */
  readonly exception?: string;
  readonly instructions: number;
}

export interface RunOptions extends ProcessOptions {
  /** Guest RAM in bytes. */
  readonly memory: number;
  /** Stop after this many instructions (0 = no limit). */
  readonly maxInstructions?: number;
  /** Interpreter only, or the JIT (default: NEPTUNE_CPU_ENGINE, else DEFAULT_ENGINE). */
  readonly engine?: CpuEngine;
}

export function runProgram(options: RunOptions): RunResult {
  const ram = new GuestRam(options.memory);
  const frames = new PhysAllocator(ram);
  const cpu = new Cpu(ram);
  const proc = new EarlyProcess(ram, frames, options);
  proc.build(cpu);
  const limit = options.maxInstructions ?? 0;
  const run = runnerFor(options.engine ?? engineFromEnv(DEFAULT_ENGINE));
  for (;;) {
    const stop = run(cpu, SLICE);
    if (stop === Stop.SYSCALL) {
      if (cpu.fault.trapNumber === SYSCALL_VECTOR) {
        dispatchEarlyService(proc, cpu);
      } else {
        // Not the NT call gate (e.g. int 0x80 from a Linux binary, or sysenter
        // before the kernel's ABI exists): NT raises an access violation.
        const what = cpu.fault.trapNumber < 0 ? 'sysenter' : `int 0x${cpu.fault.trapNumber.toString(16)}`;
        const message = `${what} at 0x${(cpu.eip >>> 0).toString(16)} (${proc.where(cpu.eip)}) is not a system call gate of this system (int 0x2e is)`;
        proc.terminate(NTSTATUS.STATUS_ACCESS_VIOLATION);
        return { exitStatus: NTSTATUS.STATUS_ACCESS_VIOLATION, exception: message, instructions: cpu.retired };
      }
      if (proc.exitStatus !== null) return { exitStatus: proc.exitStatus, instructions: cpu.retired };
    } else if (stop === Stop.FAULT) {
      const code = exceptionCode(cpu.fault);
      const message = describeUnhandled(cpu.fault, cpu.eip, proc.where(cpu.eip));
      proc.terminate(code);
      return { exitStatus: code, exception: message, instructions: cpu.retired };
    }
    if (limit > 0 && cpu.retired >= limit) {
      return { exitStatus: NTSTATUS.STATUS_TIMEOUT, exception: `stopped after ${cpu.retired} instructions (--max-instructions)`, instructions: cpu.retired };
    }
  }
}
