/**
 * Ps: building a process over seL4 objects (psCreateProcess) and its
 * threads (psCreateThread, psCreateThreadWithContext). The guest-visible
 * layout is NT's:
 *
 *   ntdll.dll (\KnownDlls\ntdll.dll) and the program's image section
 *     mapped as views (the program at its preferred base when free, else
 *     elsewhere: ntdll relocates it); nothing bound: ntdll's loader
 *     resolves the program's imports when the first thread starts
 *   PEB (ImageBaseAddress, NumberOfProcessors; ProcessParameters is
 *     written by the creator: the host for `neptune run`, the parent's
 *     ntdll (RtlCreateUserProcess) for NtCreateProcess)
 *   per thread: TEB (FS base), IPC buffer page (GS base), a stack
 *
 * Every thread starts in ntdll!LdrInitializeThunk(PCONTEXT, NtdllBase)
 * with the CONTEXT of where it is really going on its stack, as NT starts
 * user threads (a thread created suspended gets that frame when it is
 * first resumed, so until then its context is its start): the first one initializes the process (loader), each one
 * then continues with NtContinue(CONTEXT). The host's first thread goes to
 * the image entry (NtProcessStartup(PPEB), stdcall) with
 * [ESP] = ntdll!LdrpProcessReturnThunk, [ESP+4] = PEB.
 *
 * Kernel side per thread: a TCB (priority NT_THREAD_PRIORITY) configured
 * with its own CNode (service endpoint at NT_SERVICE_CPTR, fault endpoint
 * at FAULT_CPTR, both badged with the thread id), the process's page
 * directory and its IPC buffer frame.
 */
import { MEM_COMMIT, MEM_RESERVE, MEM_TOP_DOWN, PAGE_GUARD, PAGE_READWRITE, PEB, PROCESS_PARAMETERS, TEB } from '../../abi/layouts.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { NT_SERVICE_CPTR } from '../../abi/services.js';
import {
  IPCBUF_USERDATA, RIGHT_GRANT_REPLY, RIGHT_WRITE, RIGHTS_ALL, cnodeCapData, invokeCNode_Mint, invokeTCB_Configure,
  invokeTCB_Resume, invokeTCB_SetPriority, invokeTCB_WriteRegisters, seL4_CapInitThreadCNode, seL4_CapInitThreadTCB,
  seL4_CapTableObject, seL4_NoError, seL4_TCBObject, slotPtr, ERROR_NAMES,
} from '../../kernel/index.js';
import type { ThreadPlacement } from './placement.js';
import type { KernelObjects } from '../ke/objects.js';
import { CONTEXT_SIZE, buildContext } from '../ke/exception-dispatch.js';
import { AddressSpace, PAGE } from '../mm/address-space.js';
import { mmMapImageView, type ImageSection } from '../mm/image-section.js';
import { EProcess, EThread, FAULT_BADGE, FAULT_CPTR, THREAD_CNODE_BITS } from './process.js';

export const NT_THREAD_PRIORITY = 100;
const DEFAULT_STACK = 1024 * 1024;
const STACK_COMMIT = 16 * PAGE;

export interface CreateProcessOptions {
  /** Host path of the image. */
  readonly image: string;
  readonly args: readonly string[];
  /** Directories searched for DLLs. */
  readonly dllPath: readonly string[];
  readonly env?: readonly string[];
  readonly numberOfProcessors?: number;
}

/** Windows command-line quoting of one argument (the rules CommandLineToArgvW and the CRT undo). */
export function quoteArgument(a: string): string {
  if (a !== '' && !/[\s"]/.test(a)) return a;
  let out = '"';
  let backslashes = 0;
  for (const ch of a) {
    if (ch === '\\') { backslashes++; continue; }
    if (ch === '"') { out += '\\'.repeat(backslashes * 2 + 1) + '"'; backslashes = 0; continue; }
    out += '\\'.repeat(backslashes) + ch;
    backslashes = 0;
  }
  return out + '\\'.repeat(backslashes * 2) + '"';
}

function check(e: number, what: string): void {
  if (e !== seL4_NoError) throw new Error(`${what} failed: ${ERROR_NAMES[e]}`);
}

export interface ProcessServices {
  readonly ko: KernelObjects;
  /** Root CNode slot of the executive's service endpoint. */
  readonly endpointSlot: number;
  /** Which CPU core runs each thread (ps/placement.ts). */
  readonly placement: ThreadPlacement;
  newId(): number;
}

/** The ntdll exports the executive starts threads and exceptions in. */
const NTDLL_ENTRIES = ['LdrInitializeThunk', 'LdrpProcessReturnThunk', 'KiUserExceptionDispatcher', 'KiUserApcDispatcher'] as const;

/**
 * A process with ntdll and `image` mapped and a PEB; no thread and no
 * process parameters yet. Throws NtStatusError when a view cannot be made.
 */
export function psCreateProcess(ex: ProcessServices, image: ImageSection, ntdll: ImageSection, imageName: string, numberOfProcessors: number): EProcess {
  const space = new AddressSpace(ex.ko);
  const p = new EProcess(ex.newId(), imageName, space);
  p.affinity = ex.placement.systemAffinity; // every processor, as NT starts a process
  try {
    const n = mmMapImageView(ex.ko, ntdll, space, 0);
    if (!n.atBase) throw new NtStatusError(NTSTATUS.STATUS_CONFLICTING_ADDRESSES, `ntdll.dll could not be mapped at its base 0x${ntdll.imageBase.toString(16)}`);
    const [thunk, ret, exc, apc] = NTDLL_ENTRIES.map((e) => {
      const rva = ntdll.exportRva(e);
      return rva === undefined ? 0 : n.base + rva;
    });
    if (thunk === 0 || ret === 0) throw new NtStatusError(NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND, 'ntdll.dll does not export LdrInitializeThunk and LdrpProcessReturnThunk (is it the SDK\'s ntdll?)');
    p.ntdllBase = n.base;
    p.startThunk = thunk!;
    p.processReturnThunk = ret!;
    p.exceptionDispatcher = exc!;
    p.apcDispatcher = apc!;
    const m = mmMapImageView(ex.ko, image, space, 0);
    p.imageBase = m.base;
    p.imageEntry = image.info.entryRva === 0 ? 0 : m.base + image.info.entryRva;
    p.modules = [{ name: imageName, base: m.base, size: image.size }, { name: 'ntdll.dll', base: n.base, size: ntdll.size }];
    p.peb = alloc(space, PEB.SIZE);
    space.writeBytes(p.peb, words([[PEB.ImageBaseAddress, m.base], [PEB.NumberOfProcessors, numberOfProcessors]], PEB.SIZE), true);
    return p;
  } catch (e) {
    space.destroy();
    throw e;
  }
}

/** The host as creator (`neptune run`): parameters built here, written into the new process, PEB->ProcessParameters set. */
export function psWriteHostParameters(p: EProcess, o: CreateProcessOptions): void {
  const params = buildParameters(p.space, o);
  p.space.writeBytes(p.peb + PEB.ProcessParameters, words([[0, params]], 4), true);
}

/** A page-sized block with little-endian words at the given offsets. */
function words(pairs: [number, number][], size: number): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  for (const [off, v] of pairs) dv.setUint32(off, v >>> 0, true);
  return b;
}

function alloc(space: AddressSpace, size: number): number {
  return space.allocate(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)[0];
}

function buildParameters(space: AddressSpace, o: CreateProcessOptions): number {
  const imagePath = o.image;
  const commandLine = [imagePath, ...o.args].map(quoteArgument).join(' ');
  const currentDirectory = 'C:\\';
  const env = (o.env ?? []).join('\0') + '\0\0';
  const dllPath = o.dllPath.join(';');
  const strings = [currentDirectory, dllPath, imagePath, commandLine];
  const size = PROCESS_PARAMETERS.SIZE + strings.reduce((n, s) => n + (s.length + 1) * 2, 0) + env.length * 2;
  const base = alloc(space, size);
  const block = new Uint8Array(size);
  const dv = new DataView(block.buffer);
  dv.setUint32(PROCESS_PARAMETERS.MaximumLength, size, true);
  dv.setUint32(PROCESS_PARAMETERS.Length, size, true);
  dv.setUint32(PROCESS_PARAMETERS.Flags, PROCESS_PARAMETERS.FLAG_NORMALIZED, true);
  let at = PROCESS_PARAMETERS.SIZE;
  const put = (field: number, s: string) => {
    if (s.length * 2 > 0xfffc) throw new NtStatusError(NTSTATUS.STATUS_NAME_TOO_LONG, `process parameter is too long (${s.length} characters)`);
    const bytes = Buffer.from(s + '\0', 'utf16le');
    block.set(bytes, at);
    dv.setUint16(field, s.length * 2, true);
    dv.setUint16(field + 2, s.length * 2 + 2, true);
    dv.setUint32(field + 4, base + at, true);
    at += bytes.length;
  };
  put(PROCESS_PARAMETERS.CurrentDirectoryDosPath, currentDirectory);
  put(PROCESS_PARAMETERS.DllPath, dllPath);
  put(PROCESS_PARAMETERS.ImagePathName, imagePath);
  put(PROCESS_PARAMETERS.CommandLine, commandLine);
  block.set(Buffer.from(env, 'utf16le'), at);
  dv.setUint32(PROCESS_PARAMETERS.Environment, base + at, true);
  space.writeBytes(base, block, true);
  return base;
}

/**
 * A thread of `p` starting at `entry` with `stackArgs` pushed (the first is
 * the return address it sees). Resumed at once.
 */
export function psCreateThread(ex: ProcessServices, p: EProcess, entry: number, stackArgs: readonly number[], stackSize = DEFAULT_STACK): EThread {
  const space = p.space;
  const t = new EThread(ex.newId(), p);
  t.startAddress = entry;
  // Stack: reserved, top committed, a guard page below (grows on demand).
  const [stackBase] = space.allocate(0, stackSize, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 'stack');
  const stackTop = stackBase + stackSize;
  t.stackLow = stackBase;
  t.stackHigh = stackTop;
  space.allocate(stackTop - STACK_COMMIT, STACK_COMMIT, MEM_COMMIT, PAGE_READWRITE);
  space.allocate(stackTop - STACK_COMMIT - PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  const { ipc, ipcFrame } = threadPages(space, p, t, stackTop, stackTop - STACK_COMMIT);

  let esp = (stackTop - 16) & ~15;
  const argBytes = words(stackArgs.map((v, i) => [i * 4, v] as [number, number]), stackArgs.length * 4);
  esp -= argBytes.length;
  space.writeBytes(esp, argBytes, true);

  startThread(ex, t, [entry, esp, 0x202, 0, 0, 0, 0, 0, 0, 0], ipc, ipcFrame, false);
  return t;
}

/**
 * NT's user thread start: the registers the thread is really started with
 * become a CONTEXT on its stack, and it enters
 * ntdll!LdrInitializeThunk(PCONTEXT Context, PVOID NtdllBase) (stdcall,
 * never returns: it ends in NtContinue(Context)). Throws NtStatusError
 * when the stack cannot take the frame.
 */
export function throughStartThunk(p: EProcess, regs: readonly number[]): number[] {
  if (p.startThunk === 0) return [...regs];
  const [eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp] = regs as [number, number, number, number, number, number, number, number, number, number];
  const ctx = buildContext({ eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp });
  const ctxAt = ((esp - CONTEXT_SIZE) & ~15) >>> 0;
  const frame = ctxAt - 12;
  try {
    p.space.writeBytes(ctxAt, ctx, true);
    p.space.writeBytes(frame, words([[0, 0], [4, ctxAt], [8, p.ntdllBase]], 12), true);
  } catch (e) {
    if (!(e instanceof NtStatusError)) throw e;
    throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `the new thread's stack cannot take its start frame below 0x${esp.toString(16)}: ${e.message}`);
  }
  return [p.startThunk, frame, 0x202, 0, 0, 0, 0, 0, 0, 0];
}

/**
 * Kernel objects of a thread and its start: CNode (guarded so CPtr = slot)
 * with the badged endpoint caps, TCB configured with the process's VSpace
 * and the IPC buffer, registers (eip esp eflags eax ebx ecx edx esi edi
 * ebp), resumed unless `suspended`.
 */
function startThread(ex: ProcessServices, t: EThread, regs: readonly number[], ipc: number, ipcFrame: number, suspended: boolean): void {
  const ko = ex.ko;
  const k = ko.k;
  const p = t.process;
  const space = p.space;
  // A thread created suspended enters the thunk when it is first resumed (Executive.resumeThread), as
  // NT queues LdrInitializeThunk for the first run: until then its context is the start it was given.
  if (!suspended) regs = throughStartThunk(p, regs);
  else t.startPending = p.startThunk !== 0;
  t.cnodeSlot = ko.retypeReclaimable(seL4_CapTableObject, THREAD_CNODE_BITS);
  t.guardedCNodeSlot = ko.allocSlot();
  const root = ko.slot(seL4_CapInitThreadCNode);
  check(invokeCNode_Mint(k, root, t.guardedCNodeSlot, 32, root, t.cnodeSlot, 32, RIGHTS_ALL, cnodeCapData(0, 32 - THREAD_CNODE_BITS)), 'CNode_Mint(guard)');
  const cnode = ko.slot(t.cnodeSlot);
  check(invokeCNode_Mint(k, cnode, NT_SERVICE_CPTR, THREAD_CNODE_BITS, root, ex.endpointSlot, 32, RIGHT_WRITE | RIGHT_GRANT_REPLY, t.tid), 'CNode_Mint(service)');
  check(invokeCNode_Mint(k, cnode, FAULT_CPTR, THREAD_CNODE_BITS, root, ex.endpointSlot, 32, RIGHT_WRITE | RIGHT_GRANT_REPLY, t.tid | FAULT_BADGE), 'CNode_Mint(fault)');
  t.tcbSlot = ko.retypeReclaimable(seL4_TCBObject);
  t.tcb = slotPtr(k, ko.slot(t.tcbSlot));
  check(invokeTCB_Configure(k, t.tcb, FAULT_CPTR, ko.slot(t.guardedCNodeSlot), ko.slot(space.vspace.pdSlot), ipc, ko.slot(ipcFrame)), 'TCB_Configure');
  // A new thread starts at its process's base priority (NtSetInformationProcess may have moved it from 8).
  t.priority = p.basePriority;
  t.affinity = p.affinity;
  check(invokeTCB_SetPriority(k, t.tcb, ko.slot(seL4_CapInitThreadTCB), NT_THREAD_PRIORITY - 8 + t.priority), 'TCB_SetPriority');
  // seL4_UserContext: eip esp eflags eax ebx ecx edx esi edi ebp fs_base gs_base
  check(invokeTCB_WriteRegisters(k, t.tcb, false, 12, [...regs, t.teb, ipc]), 'TCB_WriteRegisters');
  ex.placement.place(t);
  p.threads.add(t);
  t.suspendCount = suspended ? 1 : 0;
  if (!suspended) check(invokeTCB_Resume(k, t.tcb), 'TCB_Resume');
}

/** TEB and IPC buffer of a new thread whose stack the caller made ([stackLimit, stackBase)). */
function threadPages(space: AddressSpace, p: EProcess, t: EThread, stackBase: number, stackLimit: number): { ipc: number; ipcFrame: number } {
  t.teb = space.allocate(0, TEB.SIZE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 'system')[0];
  space.writeBytes(t.teb, words([
    [TEB.ExceptionList, 0xffffffff], [TEB.StackBase, stackBase], [TEB.StackLimit, stackLimit], [TEB.Self, t.teb],
    [TEB.UniqueProcess, p.pid], [TEB.UniqueThread, t.tid], [TEB.ProcessEnvironmentBlock, p.peb],
  ], TEB.SIZE), true);
  const ipc = space.allocate(0, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 'system')[0];
  space.writeBytes(ipc + IPCBUF_USERDATA * 4, words([[0, ipc]], 4), true);
  return { ipc, ipcFrame: space.frameOf(ipc) };
}

/**
 * NtCreateThread: a thread of `p` with the given start registers
 * (eip esp eflags eax ebx ecx edx esi edi ebp) on a stack the caller
 * allocated.
 */
export function psCreateThreadWithContext(ex: ProcessServices, p: EProcess, regs: readonly number[], stackBase: number, stackLimit: number, suspended: boolean): EThread {
  const t = new EThread(ex.newId(), p);
  t.startAddress = regs[0]!;
  const v = p.space.find(stackLimit);
  if (v !== undefined && v.base <= stackLimit) {
    t.stackLow = v.base;
    t.stackHigh = v.base + v.size;
    // The caller's reservation is this thread's stack now: its guard page moves down as it grows (NT checks the thread's stack range).
    if (v.kind === 'private') v.kind = 'stack';
  }
  const { ipc, ipcFrame } = threadPages(p.space, p, t, stackBase, stackLimit);
  startThread(ex, t, regs, ipc, ipcFrame, suspended);
  return t;
}

