/**
 * CPU exceptions and the stop reasons of the run loop.
 *
 * A fault never leaves half an instruction done: handlers read and check
 * everything that can fault before they write registers, and the run loop
 * rewinds EIP to the start of the faulting instruction. The interrupt
 * vectors follow the Intel SDM, vol. 3, table 6-1.
 */
export const enum Vector {
  DE = 0, // divide error
  DB = 1, // debug (single-step)
  BP = 3, // int3
  OF = 4, // into
  BR = 5, // bound
  UD = 6, // invalid opcode
  NM = 7, // device not available
  GP = 13, // general protection
  PF = 14, // page fault
  MF = 16, // x87 floating-point error
  AC = 17, // alignment check
  XM = 19, // SIMD floating-point
}

/** Page-fault error code bits (SDM 4.7). */
export const PF_PRESENT = 1;
export const PF_WRITE = 2;
export const PF_USER = 4;


/** Why `run` returned. */
export const enum Stop {
  /** The instruction budget ran out; the thread can continue. */
  BUDGET = 0,
  /** A software interrupt (int n) or sysenter: the kernel's trap; EIP is after the instruction. */
  SYSCALL = 1,
  /** A fault or trap (see Cpu.fault): EIP is at the faulting instruction (after it for traps: int3, single-step, into). */
  FAULT = 2,
  /** hlt (privileged in user mode: raised as #GP, so this is used only by the engine's own stop requests). */
  HALT = 3,
  /**
   * Another core asked this one to enter the kernel (an IPI: a doorbell, a
   * TLB shootdown, a stop; Cpu.attention). Between instructions: the thread
   * can continue.
   */
  INTERRUPT = 4,
}

/** The record of the last fault; one per CPU, reused (no allocation on the hot path). */
export class FaultInfo {
  vector = 0;
  errorCode = 0;
  /** CR2 for #PF: the faulting linear address. */
  address = 0;
  /** For SYSCALL stops: the interrupt number (0x2e, 0x80, ...) or -1 for sysenter. */
  trapNumber = 0;
}

/**
 * The exception thrown inside the interpreter. One preallocated instance per
 * CPU is thrown; the run loop catches it and fills FaultInfo. Not an Error:
 * no stack capture.
 */
export class CpuException {
  constructor(readonly cpu: unknown) {}
}
