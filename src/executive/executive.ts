/**
 * The NT executive: the kernel's root task, run by the host.
 *
 *   guest thread ──sysenter seL4_Call(service ep, label = service)──┐
 *                                                                   v
 *   KernelCore loop ── scheduler picks the executive's TCB ──> Executive.run()
 *        ^                                                          │ dispatch (table-driven)
 *        └──── seL4_ReplyRecv (MR0 = NTSTATUS) / SaveCaller+Recv ───┘
 *
 * The executive owns the root CNode and all untyped memory (ke/objects.ts).
 * Its TCB is the root thread, marked host-run in the KernelCore: it never
 * runs on the CPU; when it is scheduled (a message arrived) the core calls
 * `run`, which serves the message and blocks again through the kernel's
 * own operations. Fault messages arrive on the same endpoint with badges
 * that have FAULT_BADGE set.
 *
 * Single-threaded. A service that must wait returns PENDING: the caller's
 * reply capability is moved out of the executive's caller slot (CNode
 * SaveCaller) and the answer is sent through it later (Send on that slot),
 * from a signal or a timer. Answers produced while the executive is itself
 * serving a message are deferred until it has blocked again, so that kernel
 * operations never see the executive both running and receiving.
 */
import { systemTime } from './ke/time.js';
import { NTSTATUS, NtStatusError, ntStatusMessage, ntStatusName } from '../abi/ntstatus.js';
import {
  getBadge, getMR, getMsgInfo, invokeTCB_Suspend, invokeTCB_Resume, seL4_MessageInfo_new, seL4_EndpointObject, seL4_Recv,
  seL4_ReplyRecv, seL4_Send, setMR, handleYield, hostFastpathReplyRecv, type BootInfo, type HostThread, type Kernel,
  seL4_Fault_VMFault, seL4_Fault_UserException, seL4_Fault_UnknownSyscall,
  TCB_REGS, REG_EIP, REG_MSGINFO, REG_EFLAGS, REG_NEXT_EIP, TCB_ENTRY_FLAGS, TCB_FAULT_SAVED_ESI, ENTRY_SYSRET, ENTRY_MRS,
  TCB_SYSRESULT, IPCBUF_MSG, ipcBufferIndex,
} from '../kernel/index.js';
import { invokeCNode_SaveCaller } from '../kernel/save-caller.js';
import { KernelObjects } from './ke/objects.js';
import { SharedUserData } from './ke/shared-data.js';
import { TokenType } from './se/token.js';
import { LpcState, PortType } from './lpc/port.js';
import { lpcThreadExit } from './lpc/direct.js';
import { SectionType } from './mm/section.js';
import { ServiceDispatcher, PENDING, type ServiceHandler } from './dispatch.js';
import { EProcess, EThread, FAULT_BADGE, ProcessType, ThreadType } from './ps/process.js';
import { psCreateProcess, psCreateThread, psWriteHostParameters, throughStartThunk, type CreateProcessOptions } from './ps/create.js';
import { ioBootModulesDirectory, ioCreateBootModules, FileObject, FileType } from './io/bootmodules.js';
import { mmImageSectionOfFile } from './mm/services.js';
import { obCheckDelete, obReferenceObject } from './ob/object.js';
import { parsePeImage, readImageFile } from '../pe/index.js';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FaultResolution } from './mm/address-space.js';
import { ObNamespace } from './ob/namespace.js';
import { ImageSection, mmCreateImageSection, mmCreateKnownDlls } from './mm/image-section.js';
import { EventType, KMutant, MutantType, SemaphoreType, TimerType, keSignal, type Timer, type WaitBlock } from './ke/dispatcher.js';
import { describeException, exceptionForFault } from './ke/exceptions.js';
import {
  CONTEXT_SIZE, EXCEPTION_RECORD_SIZE, applyContext, buildContext, buildExceptionRecord, type RecordView, type Registers,
} from './ke/exception-dispatch.js';
import { CONTEXT_EXTENDED_REGISTERS, CONTEXT_FLOATING_POINT, readContextFpu, writeContextFpu } from './ke/context-fpu.js';
import { fpuReadThread, fpuWriteThread, newFpuImage, type FpuImage } from '../kernel/fpu-context.js';
import type { Cpu } from '../cpu/cpu.js';
import { SERVICE_HANDLERS } from './services.js';
import { ThreadPlacement } from './ps/placement.js';

export interface ExecutiveOptions {
  /** Console output (NtDisplayString). */
  readonly console: (text: string) => void;
  /** Diagnostic lines (--trace-syscalls); undefined = off. */
  readonly trace?: (line: string) => void;
  readonly numberOfProcessors?: number;
  /** The CPU of the core the executive runs on: CONTEXTs then carry the FPU parts (x87, SSE). */
  readonly cpu?: Cpu;
  /**
   * SMP (no CPU of its own): CONTEXTs carry the FPU parts read from the TCBs,
   * where every thread's state is while the executive sees it (the cores
   * switch the FPU eagerly, kernel/fpu.ts).
   */
  readonly fpuInTcb?: boolean;
  /**
   * SMP: after a thread was suspended or stopped, returns once no CPU core
   * runs it any more, so its registers in the TCB are current and its TCB
   * may be deleted (smp/host-core.ts waitOffCpu). One core: not needed, the
   * executive runs when no thread does.
   */
  readonly waitOffCpu?: (tcb: number) => void;
}

export interface ProcessExit {
  readonly process: EProcess;
  readonly status: number;
  /** Set when an unhandled exception ended it. */
  readonly exception?: string;
}

export class Executive implements HostThread {
  readonly tcb: number;
  readonly ko: KernelObjects;
  readonly endpointSlot: number;
  readonly namespace = new ObNamespace([ProcessType, ThreadType, EventType, MutantType, SemaphoreType, TimerType, TokenType, PortType, SectionType, FileType]);
  readonly threads = new Map<number, EThread>();
  readonly processes = new Map<number, EProcess>();
  readonly exits: ProcessExit[] = [];
  onProcessExit: (e: ProcessExit) => void = () => {};
  readonly tracing: boolean;
  /** Processors the kernel runs (SystemBasicInformation, PEB.NumberOfProcessors). */
  readonly cores: number;
  /** When the executive started (SystemTimeOfDayInformation.BootTime). */
  readonly bootTime = systemTime();
  /** KUSER_SHARED_DATA, mapped read-only into every process. */
  readonly sharedData: SharedUserData;
  /** LPC connections and requests waiting for an answer. */
  readonly lpc = new LpcState();
  /** Counters: messages served, services, faults, pending replies answered later. */
  messages = 0;
  services = 0;
  faults = 0;
  latereplies = 0;
  timersFired = 0;
  /** Timers armed so far (a host loop that polls only when one may be due sees new ones by this). */
  timersArmed = 0;
  /** DLL search directories whose DLLs are in \\KnownDlls already (mm/image-section.ts). */
  private readonly knownDllDirs = new Set<string>();
  private nextId = 4;
  private readonly dispatcher: ServiceDispatcher;
  private readonly deferred: (() => void)[] = [];
  private running = false;
  private readonly timers: Timer[] = [];
  private readonly epoch = process.hrtime.bigint();
  /** Which CPU core runs each thread (ps/placement.ts). */
  readonly placement: ThreadPlacement;

  constructor(readonly k: Kernel, readonly info: BootInfo, readonly options: ExecutiveOptions, handlers: Record<string, ServiceHandler> = SERVICE_HANDLERS) {
    this.tcb = info.rootThread;
    this.ko = new KernelObjects(k, info);
    this.endpointSlot = this.ko.retype(seL4_EndpointObject);
    this.dispatcher = new ServiceDispatcher(handlers);
    this.tracing = options.trace !== undefined;
    this.cores = options.numberOfProcessors ?? 1;
    this.placement = new ThreadPlacement(k, this.cores);
    this.sharedData = new SharedUserData(this.ko, this.cores);
    // The root thread waits for the first message.
    seL4_Recv(k, this.tcb, this.endpointSlot);
  }

  newId(): number {
    const id = this.nextId;
    this.nextId += 4;
    return id;
  }

  trace(line: string): void {
    this.options.trace?.(line);
  }

  // ---- processes ------------------------------------------------------------------
  /**
   * Creates a process of a host file with its first thread running (the
   * path of `neptune run`: the host is the creator, so it also writes the
   * process parameters). Throws NtStatusError for a bad image.
   */
  createProcess(o: CreateProcessOptions): EProcess {
    const name = o.image.replace(/^.*[\\/]/, '');
    this.addImageDirectories(o.dllPath);
    const ntdll = this.hostNtdll(o.dllPath);
    const image = this.hostImageSection(o.image, name);
    let p: EProcess;
    try {
      p = this.createProcessFromSection(image, ntdll, name, o.numberOfProcessors);
    } finally {
      obCheckDelete(image); // the view holds it now (or nothing does: its frames go back)
    }
    psWriteHostParameters(p, o);
    const t = psCreateThread(this, p, p.imageEntry, [p.processReturnThunk, p.peb]);
    this.threads.set(t.tid, t);
    return p;
  }

  /**
   * The image section of a host program: the one \\BootModules keeps for the
   * file when the file is there (one section per file, as NT keeps it, so
   * every process of the program shares its pages), else a section of its own.
   */
  private hostImageSection(path: string, name: string): ImageSection {
    const f = ioBootModulesDirectory(this.namespace).find(name, true);
    if (f instanceof FileObject && resolve(f.hostPath) === resolve(path)) return mmImageSectionOfFile(this.ko, f);
    return mmCreateImageSection(this.ko, readImageFile(path).bytes, name);
  }

  /** The DLL search directories of a run: their DLLs go to \\KnownDlls, all their files to \\BootModules. */
  addImageDirectories(dirs: readonly string[]): void {
    const newDirs = dirs.filter((d) => !this.knownDllDirs.has(d));
    if (newDirs.length === 0) return;
    for (const d of newDirs) this.knownDllDirs.add(d);
    mmCreateKnownDlls(this.ko, this.namespace, newDirs, (l) => this.trace(l));
    ioCreateBootModules(this.namespace, newDirs, (l) => this.trace(l));
  }

  /**
   * \\KnownDlls\\ntdll.dll: the ntdll every process gets. The executive
   * keeps a reference to the first one found, so that a process making the
   * name temporary cannot take it from later processes.
   */
  knownNtdll(): ImageSection {
    if (this.ntdll !== undefined) return this.ntdll;
    const s = this.namespace.lookup('\\KnownDlls\\ntdll.dll', null, true, false).object;
    if (!(s instanceof ImageSection)) throw new NtStatusError(NTSTATUS.STATUS_DLL_NOT_FOUND, 'ntdll.dll is not in \\KnownDlls (no DLL search directory holds a valid one)');
    obReferenceObject(s);
    this.ntdll = s;
    return s;
  }
  private ntdll: ImageSection | undefined;

  /**
   * The host's ntdll for a run: the first ntdll.dll of the search path must
   * be a valid image (a broken one is reported, not skipped in favour of a
   * later directory's), and it is the one \\KnownDlls holds.
   */
  private hostNtdll(dirs: readonly string[]): ImageSection {
    for (const d of dirs) {
      let f: string | undefined;
      try { f = readdirSync(d).find((x) => x.toLowerCase() === 'ntdll.dll'); } catch { continue; }
      if (f === undefined) continue;
      const s = this.knownNtdll();
      if (s.source !== join(d, f)) parsePeImage(readImageFile(join(d, f)).bytes, 'ntdll.dll'); // throws the reason it was skipped
      return s;
    }
    throw new NtStatusError(NTSTATUS.STATUS_DLL_NOT_FOUND, `ntdll.dll was not found in ${dirs.join(', ')}`);
  }

  /** A process of an image section, with ntdll and the image mapped, a PEB and KUSER_SHARED_DATA; no thread. */
  createProcessFromSection(image: ImageSection, ntdll: ImageSection, name: string, numberOfProcessors?: number): EProcess {
    const p = psCreateProcess(this, image, ntdll, name, numberOfProcessors ?? this.options.numberOfProcessors ?? 1);
    this.sharedData.mapInto(p.space);
    this.processes.set(p.pid, p);
    p.onLastHandleWithoutThreads = () => this.terminateProcess(p, NTSTATUS.STATUS_SUCCESS);
    return p;
  }

  /**
   * Stops a thread (suspend count went 1). A thread inside a service call
   * (its reply is owed) stops when it is answered, so that its reply
   * capability is not lost.
   */
  suspendThread(t: EThread): void {
    if (t.savedReply === 0) this.stopThread(t);
  }

  /**
   * seL4 Suspend; a later Resume restarts the thread at its restart address,
   * which after a system call is the sysenter itself. A thread whose return
   * from a call is still pending gets that return applied first (EAX, EDI,
   * EBP, resume after the sysenter), so the resume does not repeat the call.
   */
  private stopThread(t: EThread): void {
    this.materializeReturn(t);
    invokeTCB_Suspend(this.k, t.tcb);
    this.options.waitOffCpu?.(t.tcb);
  }

  /** Runs a thread again (suspend count went 0). */
  resumeThread(t: EThread): void {
    if (t.selfSuspended) {
      t.selfSuspended = false;
      this.completeLater(t, NTSTATUS.STATUS_SUCCESS);
      return;
    }
    if (t.startPending) {
      t.startPending = false;
      const r = this.readRegisters(t, false);
      let start: number[];
      try {
        start = throughStartThunk(t.process, [r.eip, r.esp, r.eflags, r.eax, r.ebx, r.ecx, r.edx, r.esi, r.edi, r.ebp]);
      } catch (e) {
        if (!(e instanceof NtStatusError)) throw e;
        this.trace(`thread ${t.tid} cannot start: ${e.message}`);
        this.terminateThread(t, e.status);
        return;
      }
      const [eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp] = start as [number, number, number, number, number, number, number, number, number, number];
      this.writeRegisters(t, { eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp }, true);
    }
    if (t.savedReply === 0) invokeTCB_Resume(this.k, t.tcb);
  }

  /** Ends a thread: its TCB stops, a wait it was in is dropped; the last thread ends the process. */
  terminateThread(t: EThread, status: number): void {
    if (t.terminated) return;
    t.terminated = true;
    t.exitStatus = status >>> 0;
    t.wait?.cancel();
    t.wait = null;
    lpcThreadExit(this, t); // callers of its direct LPC receives are answered before its CNode goes
    invokeTCB_Suspend(this.k, t.tcb);
    this.options.waitOffCpu?.(t.tcb); // another core may still run it: its TCB is deleted below
    if (t.savedReply !== 0) { this.ko.deleteCap(t.savedReply); t.savedReply = 0; }
    this.threads.delete(t.tid);
    for (const m of [...t.mutants]) (m as KMutant).abandon();
    t.mutants.clear();
    t.signalState = 1;
    keSignal(t);
    const p = t.process;
    p.threads.delete(t);
    this.ko.deleteCap(t.tcbSlot);
    this.ko.deleteCap(t.guardedCNodeSlot);
    this.ko.deleteCap(t.cnodeSlot);
    if (p.threads.size === 0) this.processEnded(p, t.exitStatus, p.exception);
  }

  terminateProcess(p: EProcess, status: number, exception?: string): void {
    if (p.terminated) return;
    p.exitStatus = status >>> 0;
    p.exception = exception;
    for (const t of [...p.threads]) this.terminateThread(t, status);
    if (!p.terminated) this.processEnded(p, status, exception);
  }

  private processEnded(p: EProcess, status: number, exception?: string): void {
    if (p.terminated) return;
    p.terminated = true;
    p.exitStatus = status >>> 0;
    p.handles.closeAll();
    p.space.destroy();
    this.processes.delete(p.pid);
    p.signalState = 1;
    keSignal(p);
    const e: ProcessExit = exception === undefined ? { process: p, status: p.exitStatus } : { process: p, status: p.exitStatus, exception };
    this.exits.push(e);
    this.onProcessExit(e);
  }

  // ---- the message loop -------------------------------------------------------------
  /** Called by the KernelCore when the executive's TCB is scheduled: one message has arrived. */
  run(): void {
    const k = this.k;
    this.messages++;
    this.running = true;
    const badge = getBadge(k, this.tcb);
    const info = getMsgInfo(k, this.tcb);
    let reply: number;
    if ((badge & FAULT_BADGE) !== 0) reply = this.fault(badge & ~FAULT_BADGE, info >>> 12);
    else reply = this.service(badge, info >>> 12, getMR(k, this.tcb, 0) >>> 0);
    if (reply === PENDING) {
      seL4_Recv(k, this.tcb, this.endpointSlot);
    } else if (reply === FAULT_RESTART) {
      seL4_ReplyRecv(k, this.tcb, this.endpointSlot, seL4_MessageInfo_new(0, 0, 0, 0));
    } else {
      if (!this.fastReply || !this.fastReplyPath(k, this.tcb, this.endpointSlot, reply | 0)) {
        setMR(k, this.tcb, 0, reply | 0);
        seL4_ReplyRecv(k, this.tcb, this.endpointSlot, seL4_MessageInfo_new(0, 0, 0, 1));
      }
      if (this.yieldAfterReply) { this.yieldAfterReply = false; handleYield(k); }
    }
    this.running = false;
    this.flushDeferred();
  }

  /** Answer through the kernel's host-thread ReplyRecv fastpath when it applies (off: always the slow path). */
  fastReply = true;

  /**
   * The fast answer itself: the kernel's host-thread ReplyRecv fastpath (callers on the
   * executive's own core); the SMP machine installs its cross-core one (smp-boot.ts).
   */
  fastReplyPath: (k: Kernel, t: number, cptr: number, mr0: number) => boolean = hostFastpathReplyRecv;

  /** Set by NtYieldExecution: after the reply the caller goes to the back of its ready queue. */
  yieldAfterReply = false;

  private service(badge: number, n: number, argp: number): number {
    const t = this.threads.get(badge);
    if (t === undefined) return NTSTATUS.STATUS_INVALID_HANDLE; // a badge of a thread that is gone
    this.services++;
    const status = this.dispatcher.dispatch(this, t, n, argp);
    if (t.terminated) { // it ended itself: nobody to answer
      if (this.tracing) this.trace(`${this.dispatcher.name(n)} -> (thread ended)`);
      return PENDING;
    }
    if (status === PENDING) {
      t.savedReply = this.ko.allocSlot();
      invokeCNode_SaveCaller(this.k, this.tcb, this.ko.slot(t.savedReply));
      if (this.tracing) this.trace(`${this.dispatcher.name(n)} -> (waiting)`);
      return PENDING;
    }
    if (this.tracing) this.trace(`${this.dispatcher.name(n)} -> ${ntStatusName(status)}`);
    return status;
  }

  /** Answers a thread whose reply was saved (PENDING), now or once the executive has blocked again. */
  completeLater(t: EThread, status: number, after?: () => void): void {
    const send = () => {
      if (t.terminated || t.savedReply === 0) return;
      const slot = t.savedReply;
      t.savedReply = 0;
      t.wait = null;
      this.latereplies++;
      if (this.tracing) this.trace(`  (answer to thread ${t.tid}) -> ${ntStatusName(status)}`);
      // The Send uses the executive's message info and MR0. On several cores its Recv may
      // already hold the next message (a caller queued while it served): keep that intact.
      const k = this.k;
      const infoAt = (this.tcb >> 2) + TCB_REGS + REG_MSGINFO;
      const info = k.m[infoAt]!, mr0 = getMR(k, this.tcb, 0);
      setMR(k, this.tcb, 0, status | 0);
      seL4_Send(k, this.tcb, slot, seL4_MessageInfo_new(0, 0, 0, 1));
      k.m[infoAt] = info;
      setMR(k, this.tcb, 0, mr0);
      this.ko.deleteCap(slot);
      after?.();
      // Suspended while it waited: it stops now that it has its answer.
      if (t.suspendCount > 0 && !t.selfSuspended) this.stopThread(t);
    };
    if (this.running) this.deferred.push(send);
    else send();
  }

  private flushDeferred(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  /** Puts `t` in a wait: answered by `completeLater` when the block finishes. */
  beginWait(t: EThread, w: WaitBlock): void {
    t.wait = w;
  }

  // ---- faults and exceptions ------------------------------------------------------
  private fault(tid: number, label: number): number {
    const t = this.threads.get(tid);
    if (t === undefined) return PENDING;
    this.faults++;
    const k = this.k;
    const mr = (i: number) => getMR(k, this.tcb, i) >>> 0;
    const p = t.process;
    if (label === seL4_Fault_VMFault) {
      const ip = mr(0), addr = mr(1), fsr = mr(3);
      const write = (fsr & 2) !== 0;
      let r: FaultResolution;
      try {
        r = p.space.resolveFault(addr, write);
      } catch (e) {
        // No frame (or CNode slot) left to back a committed page: the access fails with the reason.
        if (!(e instanceof NtStatusError)) throw e;
        return this.raiseFromFault(t, e.status, ip, [write ? 1 : 0, addr], e.message.replace(/ \[STATUS_\w+\]$/, ''));
      }
      if (p.space.stackLimit !== 0) this.updateStackLimit(t);
      if (r === FaultResolution.RESOLVED) return FAULT_RESTART;
      if (r === FaultResolution.STACK_OVERFLOW) return this.raiseFromFault(t, NTSTATUS.STATUS_STACK_OVERFLOW, ip, [0, addr], 'the stack cannot grow further');
      const code = r === FaultResolution.GUARD ? NTSTATUS.STATUS_GUARD_PAGE_VIOLATION : NTSTATUS.STATUS_ACCESS_VIOLATION;
      const reason = (fsr & 1) !== 0 || r === FaultResolution.GUARD ? 'protection violation' : 'page not mapped';
      return this.raiseFromFault(t, code, ip, [write ? 1 : 0, addr], reason);
    }
    if (label === seL4_Fault_UserException) {
      const ip = mr(0), vector = mr(3), code = mr(4);
      const reason = vector === 13 && (code & 2) !== 0 ? `int 0x${(code >>> 3).toString(16)} is not a system call gate here (ntdll calls the executive by sysenter)` : '';
      const nt = exceptionForFault(vector);
      // int3 is a trap: NT reports the breakpoint at the int3 itself.
      return this.raiseFromFault(t, nt, nt === NTSTATUS.STATUS_BREAKPOINT ? ip - 1 : ip, nt === NTSTATUS.STATUS_PRIVILEGED_INSTRUCTION ? [] : [0], reason);
    }
    if (label === seL4_Fault_UnknownSyscall) {
      return this.raiseFromFault(t, NTSTATUS.STATUS_ILLEGAL_INSTRUCTION, mr(7) - 2, [], `unknown kernel system call ${mr(10) | 0}`);
    }
    this.unhandled(t, NTSTATUS.STATUS_UNHANDLED_EXCEPTION, 0, `: fault type ${label}`);
    return PENDING;
  }

  /** TEB.StackLimit follows the stack's guard page down. */
  private updateStackLimit(t: EThread): void {
    const limit = t.process.space.stackLimit;
    t.process.space.stackLimit = 0;
    if (limit >= t.stackLow && limit < t.stackHigh) t.process.space.writeBytes(t.teb + 8, u32(limit), true);
  }

  /** The thread's registers from its TCB (`fault`: ESI is where the fault message put it aside). */
  readRegisters(t: EThread, fault: boolean): Registers {
    const m = this.k.m;
    const b = (t.tcb >> 2) + TCB_REGS;
    return {
      eax: m[b]! >>> 0, ecx: m[b + 1]! >>> 0, edx: m[b + 2]! >>> 0, ebx: m[b + 3]! >>> 0, esp: m[b + 4]! >>> 0,
      ebp: m[b + 5]! >>> 0, esi: (fault ? m[(t.tcb >> 2) + TCB_FAULT_SAVED_ESI]! : m[b + 6]!) >>> 0, edi: m[b + 7]! >>> 0,
      eip: m[b + REG_EIP]! >>> 0, eflags: m[b + REG_EFLAGS]! >>> 0,
    };
  }

  /**
   * Writes a thread's registers so it continues with them: for a thread that
   * is running again after a reply (`afterReply`) every register and the
   * resume address; for a faulted thread about to be restarted only ESP and
   * EIP (the kernel puts its own ESI back at the restart).
   */
  writeRegisters(t: EThread, r: Registers, afterReply: boolean): void {
    const m = this.k.m;
    const ti = t.tcb >> 2;
    const b = ti + TCB_REGS;
    m[b + 4] = r.esp;
    m[b + REG_EIP] = r.eip;
    if (!afterReply) return;
    m[b] = r.eax; m[b + 1] = r.ecx; m[b + 2] = r.edx; m[b + 3] = r.ebx; m[b + 5] = r.ebp; m[b + 6] = r.esi; m[b + 7] = r.edi;
    m[b + REG_EFLAGS] = r.eflags;
    m[b + REG_NEXT_EIP] = r.eip;
    m[ti + TCB_ENTRY_FLAGS] = 0;
  }

  /**
   * Puts an EXCEPTION_RECORD and a CONTEXT (`regs`) on the thread's stack and
   * returns the registers that enter ntdll's KiUserExceptionDispatcher, or
   * undefined when the stack cannot take them.
   */
  private exceptionFrame(t: EThread, code: number, flags: number, address: number, info: readonly number[], regs: Registers, fpuFrom?: Uint8Array): Registers | undefined {
    const p = t.process;
    const ctxAt = ((regs.esp - CONTEXT_SIZE) & ~3) >>> 0;
    const recAt = ctxAt - EXCEPTION_RECORD_SIZE;
    const esp = recAt - 8;
    try {
      p.space.writeBytes(ctxAt, this.contextWithFpu(t, regs, fpuFrom));
      p.space.writeBytes(recAt, buildExceptionRecord(code, flags, address, info));
      p.space.writeBytes(esp, new Uint8Array([...u32(recAt), ...u32(ctxAt)]));
    } catch (e) {
      if (e instanceof Error && 'status' in e) return undefined;
      throw e;
    }
    return { ...regs, esp, eip: p.exceptionDispatcher };
  }

  /** A fault becomes a first-chance exception in user mode; without a usable stack or dispatcher the process ends. */
  private raiseFromFault(t: EThread, code: number, ip: number, info: number[], reason: string): number {
    const p = t.process;
    t.lastFaultReason = reason;
    t.lastFaultCode = code;
    t.lastFaultAddress = ip;
    const regs = this.readRegisters(t, true);
    const entry = p.exceptionDispatcher === 0 ? undefined : this.exceptionFrame(t, code, 0, ip, info, regs);
    if (entry === undefined) {
      this.unhandled(t, code, ip, describeDetail(code, info, reason) + (p.exceptionDispatcher === 0 ? '' : ' (no room on the stack for the exception)'));
      return PENDING;
    }
    if (this.tracing) this.trace(`exception ${ntStatusName(code)} at 0x${ip.toString(16)} → KiUserExceptionDispatcher`);
    this.writeRegisters(t, entry, false);
    return FAULT_RESTART;
  }

  /** NtRaiseException, first chance: the exception goes to the dispatcher on the context's stack after the reply. */
  raiseFromService(t: EThread, rec: RecordView, ctx: Uint8Array): boolean {
    const regs = applyContext(ctx, this.readRegisters(t, false));
    const entry = t.process.exceptionDispatcher === 0 ? undefined : this.exceptionFrame(t, rec.code, rec.flags, rec.address, rec.info, regs, ctx);
    if (entry === undefined) return false;
    this.completeLater(t, NTSTATUS.STATUS_SUCCESS, () => this.writeRegisters(t, entry, true));
    return true;
  }

  /**
   * NtContinue: after the reply the thread runs with the CONTEXT's registers
   * (then its APCs, with TestAlert). The caller checked the FPU parts
   * (contextFpuAcceptable).
   */
  continueWith(t: EThread, ctx: Uint8Array, testAlert: boolean): void {
    this.applyContextFpu(t, ctx);
    const regs = applyContext(ctx, this.readRegisters(t, false));
    this.completeLater(t, NTSTATUS.STATUS_SUCCESS, () => {
      this.writeRegisters(t, regs, true);
      if (testAlert) this.deliverApc(t);
    });
  }

  /** The thread's x87/SSE state, or undefined when the executive was given no CPU (no FPU parts in CONTEXTs). */
  readFpu(t: EThread): FpuImage | undefined {
    const cpu = this.options.cpu ?? null;
    if (cpu === null && this.options.fpuInTcb !== true) return undefined;
    const img = newFpuImage();
    fpuReadThread(this.k, cpu, t.tcb, img);
    return img;
  }

  /**
   * A CONTEXT of `regs` with the FPU parts of the thread's state, or, when
   * `from` is given, of that CONTEXT's FPU parts over the thread's state
   * (NtRaiseException's CONTEXT); the thread's own state is not changed.
   */
  private contextWithFpu(t: EThread, regs: Registers, from?: Uint8Array): Uint8Array {
    const ctx = buildContext(regs);
    const img = this.readFpu(t);
    if (img === undefined) return ctx;
    if (from !== undefined) readContextFpu(from, new DataView(from.buffer, from.byteOffset).getUint32(0, true), img);
    writeContextFpu(ctx, img);
    const dv = new DataView(ctx.buffer);
    dv.setUint32(0, dv.getUint32(0, true) | CONTEXT_FLOATING_POINT | CONTEXT_EXTENDED_REGISTERS, true);
    return ctx;
  }

  /** Applies the FPU parts a CONTEXT names to the thread (checked by contextFpuAcceptable first). */
  private applyContextFpu(t: EThread, ctx: Uint8Array): void {
    const flags = new DataView(ctx.buffer, ctx.byteOffset).getUint32(0, true);
    if ((flags & CONTEXT_FLOATING_POINT) !== CONTEXT_FLOATING_POINT && (flags & CONTEXT_EXTENDED_REGISTERS) !== CONTEXT_EXTENDED_REGISTERS) return;
    const img = this.readFpu(t);
    if (img === undefined) return; // no CPU given: the FPU parts are not served (docs/executive.md)
    if (readContextFpu(ctx, flags, img)) fpuWriteThread(this.k, this.options.cpu ?? null, t.tcb, img);
  }

  /** NtGetContextThread: the registers `t` resumes with (the caller: after its current call). */
  threadContext(t: EThread, caller: EThread): Uint8Array {
    if (t !== caller && t.savedReply === 0) this.materializeReturn(t);
    const regs = this.readRegisters(t, false);
    if (t === caller || t.savedReply !== 0) regs.eip = this.k.m[(t.tcb >> 2) + TCB_REGS + REG_NEXT_EIP]! >>> 0;
    return this.contextWithFpu(t, regs);
  }

  /** NtSetContextThread on another thread: stopped (if running), registers replaced, running again. False when it is inside a wait. */
  setThreadContext(t: EThread, ctx: Uint8Array): boolean {
    if (t.savedReply !== 0 || t.selfSuspended) return false;
    this.applyContextFpu(t, ctx);
    const running = t.suspendCount === 0;
    if (running) this.stopThread(t);
    else this.materializeReturn(t);
    this.writeRegisters(t, applyContext(ctx, this.readRegisters(t, false)), true);
    if (running) invokeTCB_Resume(this.k, t.tcb);
    return true;
  }

  /** Queues a user APC; an alertable wait of the thread ends with STATUS_USER_APC and the APC runs. */
  queueApc(t: EThread, routine: number, args: [number, number, number]): void {
    t.apcs.push({ routine, args });
    if (t.wait !== null && t.alertable) t.wait.finish(NTSTATUS.STATUS_USER_APC);
  }

  /**
   * Runs the thread's first queued APC when it next runs: the registers it
   * would resume with become a CONTEXT on its stack under
   * [routine, context, arg1, arg2], and it continues in ntdll's
   * KiUserApcDispatcher (which calls the routine, then NtContinue(ctx, TRUE)
   * for the next one). Called after the thread's reply went out.
   */
  deliverApc(t: EThread): void {
    const apc = t.apcs[0];
    const p = t.process;
    if (apc === undefined || p.apcDispatcher === 0 || t.terminated) return;
    this.materializeReturn(t);
    const regs = this.readRegisters(t, false);
    const ctxAt = ((regs.esp - CONTEXT_SIZE) & ~3) >>> 0;
    const esp = ctxAt - 16;
    try {
      p.space.writeBytes(ctxAt, this.contextWithFpu(t, regs));
      p.space.writeBytes(esp, new Uint8Array([...u32(apc.routine), ...u32(apc.args[0]), ...u32(apc.args[1]), ...u32(apc.args[2])]));
    } catch (e) {
      if (!(e instanceof NtStatusError)) throw e;
      this.unhandled(t, e.status, regs.eip, ': no room on the stack for a user APC');
      return;
    }
    t.apcs.shift();
    this.writeRegisters(t, { ...regs, esp, eip: p.apcDispatcher }, true);
  }

  /** A thread answered by a reply that it has not run yet: apply that return (EAX, EDI, EBP, after the sysenter) to its save area. */
  private materializeReturn(t: EThread): void {
    const m = this.k.m;
    const ti = t.tcb >> 2;
    const b = ti + TCB_REGS;
    const flags = m[ti + TCB_ENTRY_FLAGS]!;
    if ((flags & (ENTRY_SYSRET | ENTRY_MRS)) === 0) return;
    if ((flags & ENTRY_SYSRET) !== 0) m[b] = m[ti + TCB_SYSRESULT]!;
    if ((flags & ENTRY_MRS) !== 0) {
      const bi = ipcBufferIndex(this.k, t.tcb) + IPCBUF_MSG;
      m[b + 7] = m[bi]!;
      m[b + 5] = m[bi + 1]!;
    }
    m[b + REG_EIP] = m[b + REG_NEXT_EIP]!;
    m[ti + TCB_ENTRY_FLAGS] = flags & ~(ENTRY_SYSRET | ENTRY_MRS);
  }

  /** NtRaiseException, second chance (nobody handled it): the process ends with one line. */
  unhandledException(t: EThread, rec: RecordView): void {
    const fromFault = rec.code === t.lastFaultCode && rec.address === t.lastFaultAddress;
    this.unhandled(t, rec.code, rec.address, describeDetail(rec.code, rec.info, fromFault ? t.lastFaultReason : ''));
  }

  /**
   * An exception nobody handles: the process ends with the exception code
   * and one line naming it, the address and the module.
   */
  private unhandled(t: EThread, code: number, ip: number, detail: string): void {
    const message = describeException(code, ip, t.process.where(ip), detail);
    this.trace(message);
    this.terminateProcess(t.process, code, message);
  }

  // ---- time -----------------------------------------------------------------------
  /** Nanoseconds on the host's monotonic clock since boot. */
  now(): bigint {
    return process.hrtime.bigint() - this.epoch;
  }

  addTimer(deadline: bigint, fire: () => void): Timer {
    const tm: Timer = { deadline, fire, cancelled: false };
    this.timers.push(tm);
    this.timersArmed++;
    return tm;
  }

  /** Fires due timers; returns the next deadline (ns since boot) or undefined when none is armed. */
  pollTimers(): bigint | undefined {
    const now = this.now();
    this.sharedData.update(now);
    let next: bigint | undefined;
    for (let i = 0; i < this.timers.length;) {
      const tm = this.timers[i]!;
      if (tm.cancelled) { this.timers.splice(i, 1); continue; }
      if (tm.deadline <= now) {
        this.timers.splice(i, 1);
        this.timersFired++;
        tm.fire();
        continue;
      }
      if (next === undefined || tm.deadline < next) next = tm.deadline;
      i++;
    }
    return next;
  }

  /** A one-line summary of the state, for `--debug`. */
  describe(): string {
    return `executive: ${this.messages} messages, ${this.services} services, ${this.faults} faults, ${this.ko.framesInUse} frames in use`;
  }

  statusText(status: number): string {
    return ntStatusMessage(status);
  }
}

/** Internal: answer a fault by restarting the thread (reply with label 0, no words). */
const FAULT_RESTART = -2 >>> 0;

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** ": write to 0x00000010 (page not mapped)" for an access violation; the reason alone otherwise. */
function describeDetail(code: number, info: readonly number[], reason: string): string {
  if ((code === NTSTATUS.STATUS_ACCESS_VIOLATION || code === NTSTATUS.STATUS_GUARD_PAGE_VIOLATION || code === NTSTATUS.STATUS_NO_MEMORY) && info.length >= 2) {
    const kind = info[0] === 1 ? 'write to' : info[0] === 8 ? 'execution of' : 'read of';
    return `: ${kind} 0x${(info[1]! >>> 0).toString(16).padStart(8, '0')}${reason ? ` (${reason})` : ''}`;
  }
  return reason ? `: ${reason}` : '';
}
