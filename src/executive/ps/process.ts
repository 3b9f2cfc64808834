/**
 * Ps: processes and threads as the executive keeps them. An EPROCESS owns
 * an address space (Mm), a handle table (Ob) and its threads; an ETHREAD
 * owns a TCB, a small CNode holding its two endpoint caps (the service
 * endpoint badged with its id at NT_SERVICE_CPTR, the fault endpoint badged
 * with its id | FAULT_BADGE at FAULT_CPTR), its IPC buffer page, TEB and
 * stack. Both are dispatcher objects: signalled when they end.
 */
import { systemTime } from '../ke/time.js';
import type { AddressSpace } from '../mm/address-space.js';
import { HandleTable } from '../ob/handles.js';
import { DispatcherObject, type WaitBlock } from '../ke/dispatcher.js';
import type { ObObject, ObjectType } from '../ob/object.js';

export const ProcessType: ObjectType = {
  name: 'Process',
  generic: { read: 0x20410, write: 0x20bea, execute: 0x120000, all: 0x1f0fff },
  // A process that never got a thread (NtCreateProcess, then the creator gave up) goes when its last handle closes.
  close(o) {
    const p = o as EProcess;
    if (!p.terminated && p.threads.size === 0) p.onLastHandleWithoutThreads?.();
  },
};
export const ThreadType: ObjectType = {
  name: 'Thread',
  generic: { read: 0x20048, write: 0x20037, execute: 0x120000, all: 0x1f03ff },
};

/** Badge bit of fault endpoint caps (badges are 28 bits). */
export const FAULT_BADGE = 1 << 27;
/** CPtr of the fault endpoint in a thread's CNode. */
export const FAULT_CPTR = 2;
/** Radix of a thread's CNode: slots 1-2 the service and fault endpoints, 3.. LPC (lpc/direct.ts). */
export const THREAD_CNODE_BITS = 6;

export class EProcess extends DispatcherObject {
  readonly threads = new Set<EThread>();
  readonly handles = new HandleTable();
  /** The images the executive mapped (the program and ntdll), for naming addresses in messages. */
  modules: readonly { readonly name: string; readonly base: number; readonly size: number }[] = [];
  peb = 0;
  /** Where ntdll and the program were mapped, and the program's entry point (0: none). */
  ntdllBase = 0;
  imageBase = 0;
  imageEntry = 0;
  /** ntdll!LdrInitializeThunk: where every thread starts (0: this ntdll has none; threads start where asked). */
  startThunk = 0;
  /** ntdll!LdrpProcessReturnThunk: the return address under a first thread's entry. */
  processReturnThunk = 0;
  /** ntdll!KiUserExceptionDispatcher (0: this ntdll has none; exceptions then end the process at once). */
  exceptionDispatcher = 0;
  /** ntdll!KiUserApcDispatcher (0: none; APCs then stay queued). */
  apcDispatcher = 0;
  /** Its primary token, made on first open (se/token.ts). */
  token: ObObject | undefined;
  /** NtSetInformationProcess state (ps/information.ts): base priority 1..31, PROCESS_PRIORITY_CLASS, affinity, flags. */
  basePriority = 8;
  priorityClass = 2; // PROCESS_PRIORITY_CLASS_NORMAL
  affinity = 1;
  hardErrorMode = 0;
  priorityBoostDisabled = false;
  breakOnTermination = false;
  exitStatus = 0x103; // STATUS_PENDING: still running
  terminated = false;
  /** The unhandled exception that is ending it, if any. */
  exception: string | undefined;
  /** Set by the executive: ends a process nobody can start any more (ProcessType.close). */
  onLastHandleWithoutThreads: (() => void) | undefined;
  /** When it was created (NT time: 100 ns since 1601) and by whom (0: the executive itself). */
  readonly createTime = systemTime();
  parentPid = 0;
  constructor(readonly pid: number, readonly imageName: string, readonly space: AddressSpace) {
    super(ProcessType);
  }

  /** "module+0xoffset" for an address, or ''. */
  where(va: number): string {
    va >>>= 0;
    const m = this.modules.find((x) => va >= x.base && va < x.base + x.size);
    return m ? `${m.name}+0x${(va - m.base).toString(16)}` : '';
  }
}

export class EThread extends DispatcherObject {
  tcb = 0;
  tcbSlot = 0;
  cnodeSlot = 0;
  guardedCNodeSlot = 0;
  teb = 0;
  /** The stack reservation [stackLow, stackHigh). */
  stackLow = 0;
  stackHigh = 0;
  /** Why the last fault raised as an exception happened ("page not mapped"...), for the unhandled report. */
  lastFaultReason = '';
  /** The code and address of the fault `lastFaultReason` explains (a later software exception gets no reason). */
  lastFaultCode = 0;
  lastFaultAddress = 0;
  exitStatus = 0x103;
  terminated = false;
  /** Created suspended and not run yet: it enters ntdll!LdrInitializeThunk when first resumed. */
  startPending = false;
  /** NtSuspendThread count: the thread runs only at 0. */
  suspendCount = 0;
  /** It suspended itself: its NtSuspendThread is answered by the resume. */
  selfSuspended = false;
  /** Mutants it owns (abandoned when it ends). */
  readonly mutants = new Set<DispatcherObject>();
  /** User APCs queued for it: routine and its three arguments. */
  readonly apcs: { routine: number; args: [number, number, number] }[] = [];
  /** The wait it is blocked in is alertable (a queued APC ends it). */
  alertable = false;
  /** The wait the thread is blocked in (its reply is owed), if any. */
  wait: WaitBlock | null = null;
  /** NtSetInformationThread state (ps/information.ts): priority 1..31 (its TCB's follows), affinity, flags. */
  priority = 8;
  affinity = 1;
  priorityBoostDisabled = false;
  hideFromDebugger = false;
  breakOnTermination = false;
  /** The impersonation token it took (NtSetInformationThread(ThreadImpersonationToken)), if any. */
  impersonationToken: ObObject | undefined;
  /** Root CNode slot of a reply capability saved for a later answer (0: none). */
  savedReply = 0;
  /** When it was created (NT time) and the address it was started at (SystemProcessInformation). */
  readonly createTime = systemTime();
  startAddress = 0;
  constructor(readonly tid: number, readonly process: EProcess) {
    super(ThreadType);
  }
}
