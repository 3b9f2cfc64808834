/**
 * The i386 user ABI of the kernel's system calls (docs/kernel.md, "The
 * i386 user ABI") and the moves between a Cpu and a TCB's register save
 * area that kernel entry and exit make.
 *
 *   sysenter  EAX  in: syscall number (seL4's numbers)  out: seL4_Error (0 = ok)
 *             EBX  in: CPtr                             out: badge
 *             ESI  in/out: seL4_MessageInfo
 *             EDI  in/out: MR0        EBP  in/out: MR1
 *             everything else preserved; MR2.. in the IPC buffer
 *
 * The kernel operations (syscall.ts, message.ts) read and write message
 * registers in the IPC buffer, so on entry EDI/EBP are stored into the
 * buffer's msg[0]/msg[1] and on the way back out they are loaded from it:
 * the buffer mirrors the two register MRs.
 *
 * Words 80-95 of a TCB (free in tcb.ts's layout) hold what the CPU wiring
 * keeps per thread between entry and exit.
 */
import type { Cpu } from '../cpu/cpu.js';
import type { Kernel } from './state.js';
import { slotPtr, slotType } from './cap.js';
import { switchFpu } from './fpu.js';
import { cap_page_directory_cap } from './objecttype.js';
import {
  IPCBUF_MSG, REG_EFLAGS, REG_EIP, REG_ESI, REG_FS_BASE, REG_GS_BASE, REG_NEXT_EIP, TCB_REGS,
  TCB_STATE, ThreadState_Restart, ThreadState_Running, ipcBufferIndex, tcbSlot, tcbVTable,
} from './tcb.js';

// seL4's system call numbers (non-MCS): EAX at sysenter.
export const seL4_SysCall = -1;
export const seL4_SysReplyRecv = -2;
export const seL4_SysSend = -3;
export const seL4_SysNBSend = -4;
export const seL4_SysRecv = -5;
export const seL4_SysReply = -6;
export const seL4_SysYield = -7;
export const seL4_SysNBRecv = -8;

/** sysenter is 0F 34: the syscall's own address is EIP - 2 (a restarted syscall runs it again). */
export const SYSENTER_BYTES = 2;

// Fault labels (seL4_FaultType, non-MCS ia32) and message lengths.
export const seL4_Fault_NullFault = 0;
export const seL4_Fault_CapFault = 1;
export const seL4_Fault_UnknownSyscall = 2;
export const seL4_Fault_UserException = 3;
export const seL4_Fault_VMFault = 5;
export const seL4_VMFault_Length = 4; // IP, Addr, PrefetchFault, FSR
export const seL4_UserException_Length = 5; // FaultIP, Stack, FLAGS, Number, Code
export const seL4_UnknownSyscall_Length = 11; // EAX EBX ECX EDX ESI EDI EBP FaultIP SP FLAGS Syscall
export const MAX_FAULT_LENGTH = 11;

// ---- per-thread words of the CPU wiring ------------------------------------
/** Bits below: what to do to the registers when the thread next runs. */
export const TCB_ENTRY_FLAGS = 80;
/** The seL4_Error of the thread's last system call (EAX on return). */
export const TCB_SYSRESULT = 81;
/** ESI and msg[0..10] as they were when a fault message replaced them. */
export const TCB_FAULT_SAVED_ESI = 82;
export const TCB_FAULT_SAVED_MRS = 84; // 11 words, to 94
/**
 * Non-zero: the thread is run by the host (KernelCore.hostThread), never
 * loaded on the CPU. A TCB word of tcb.ts's cache line of the endpoint
 * links (words 48-63, free after TCB_FAULT_DATA): the cross-core fastpath
 * reads it from a partner that another core ran last, and that line
 * crosses anyway (EP_NEXT, IPCBUF, FAULT_TYPE); at word 95 it shared the
 * line of TCB_ENTRY_FLAGS, which every kernel entry of the partner writes,
 * one more line to fetch per hand-off.
 */
export const TCB_HOST_RUN = 62;

/** Returning from a system call: EAX = TCB_SYSRESULT. */
export const ENTRY_SYSRET = 1;
/** Returning from a system call: EDI/EBP = msg[0]/msg[1] of the IPC buffer. */
export const ENTRY_MRS = 2;
/** A fault message was staged in the buffer and ESI: put the thread's own back. */
export const ENTRY_FAULT_SAVED = 4;

/** Physical address of a thread's page directory, or 0 when it has no VSpace. */
export function threadPageDirectory(k: Kernel, t: number): number {
  const s = tcbSlot(t, tcbVTable);
  return slotType(k, s) === cap_page_directory_cap ? slotPtr(k, s) : 0;
}

/**
 * Stores the CPU's registers (not EIP) into `t`'s save area. Not the FS/GS
 * bases: user mode cannot change them (no segment register load moves a
 * base here, and 32-bit mode has no WRFSBASE), so the CPU's are the ones
 * `loadRegs` took from this save area; as in seL4, the TCB's TLS base is
 * the truth and only kernel operations write it.
 */
export function saveRegs(k: Kernel, cpu: Cpu, t: number): void {
  const m = k.m;
  const b = (t >> 2) + TCB_REGS;
  const r = cpu.reg;
  // The save area's first 8 words are in the CPU's register order; on one core
  // Cpu.reg is those very words (reg-views.ts) and nothing moves.
  const views = k.regViews;
  if (views === null || !views.isViewOf(r, t)) {
    m[b] = r[0]!; m[b + 1] = r[1]!; m[b + 2] = r[2]!; m[b + 3] = r[3]!;
    m[b + 4] = r[4]!; m[b + 5] = r[5]!; m[b + 6] = r[6]!; m[b + 7] = r[7]!;
  }
  m[b + REG_EFLAGS] = cpu.getEflags();
}

/** Kernel entry by sysenter: registers saved, restart address = the sysenter. */
export function saveSyscallEntry(k: Kernel, cpu: Cpu, t: number): void {
  saveRegs(k, cpu, t);
  const b = (t >> 2) + TCB_REGS;
  k.m[b + REG_EIP] = cpu.eip - SYSENTER_BYTES;
  k.m[b + REG_NEXT_EIP] = cpu.eip;
}

/** EDI/EBP into the IPC buffer's msg[0]/msg[1] (the sending half of every IPC syscall). */
export function storeRegisterMRs(k: Kernel, cpu: Cpu, t: number): void {
  const bi = ipcBufferIndex(k, t) + IPCBUF_MSG;
  k.m[bi] = cpu.reg[7]!;
  k.m[bi + 1] = cpu.reg[5]!;
}

/**
 * Switch-in: loads `t`'s registers into the CPU and its page directory
 * into CR3 (only when it changes: same-VSpace switches keep the TLB). A
 * thread in Restart runs from its restart address (seL4's activateThread),
 * any other from the next one. Returns false when it has no VSpace.
 */
export function loadRegs(k: Kernel, cpu: Cpu, t: number): boolean {
  const pd = threadPageDirectory(k, t);
  if (pd === 0) return false;
  loadRegsWithPd(k, cpu, t, pd);
  return true;
}

/** ENTRY_FAULT_SAVED on switch-in: the thread's own ESI and message words replace the fault message staged there. */
export function restoreFaultSaved(k: Kernel, cpu: Cpu, t: number): void {
  const m = k.m;
  const ti = t >> 2;
  cpu.reg[6] = m[ti + TCB_FAULT_SAVED_ESI]!;
  m[ti + TCB_REGS + REG_ESI] = cpu.reg[6]!;
  const bi = ipcBufferIndex(k, t) + IPCBUF_MSG;
  for (let i = 0; i < MAX_FAULT_LENGTH; i++) m[bi + i] = m[ti + TCB_FAULT_SAVED_MRS + i]!;
}

/**
 * Switch-in of the eight general registers: on one core Cpu.reg becomes a
 * view of `t`'s save-area words (reg-views.ts), else they are copied into
 * it. Returns Cpu.reg.
 */
export function loadGeneralRegs(k: Kernel, cpu: Cpu, t: number): Int32Array {
  const views = k.regViews;
  if (views !== null) return (cpu.reg = views.of(t));
  const m = k.m;
  const b = (t >> 2) + TCB_REGS;
  const r = cpu.reg;
  r[0] = m[b]!; r[1] = m[b + 1]!; r[2] = m[b + 2]!; r[3] = m[b + 3]!;
  r[4] = m[b + 4]!; r[5] = m[b + 5]!; r[6] = m[b + 6]!; r[7] = m[b + 7]!;
  return r;
}

/** loadRegs for a caller that has looked up `t`'s page directory `pd` already (the fastpaths). */
export function loadRegsWithPd(k: Kernel, cpu: Cpu, t: number, pd: number): void {
  const m = k.m;
  const ti = t >> 2;
  const b = ti + TCB_REGS;
  const r = loadGeneralRegs(k, cpu, t);
  cpu.setEflags(m[b + REG_EFLAGS]!);
  cpu.fsBase = m[b + REG_FS_BASE]!;
  cpu.gsBase = m[b + REG_GS_BASE]!;
  const flags = m[ti + TCB_ENTRY_FLAGS]!;
  if (m[ti + TCB_STATE] === ThreadState_Restart) {
    m[b + REG_NEXT_EIP] = m[b + REG_EIP]!;
    m[ti + TCB_STATE] = ThreadState_Running;
  } else if (flags !== 0) {
    if ((flags & ENTRY_SYSRET) !== 0) r[0] = m[ti + TCB_SYSRESULT]!;
    if ((flags & ENTRY_MRS) !== 0) {
      const bi = ipcBufferIndex(k, t) + IPCBUF_MSG;
      r[7] = m[bi]!;
      r[5] = m[bi + 1]!;
    }
  }
  if ((flags & ENTRY_FAULT_SAVED) !== 0) restoreFaultSaved(k, cpu, t);
  m[ti + TCB_ENTRY_FLAGS] = 0;
  cpu.eip = m[b + REG_NEXT_EIP]! >>> 0;
  if (cpu.mmu.cr3 !== pd) cpu.mmu.setCr3(pd);
  switchFpu(k, cpu, t);
}
