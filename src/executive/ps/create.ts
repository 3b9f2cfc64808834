/**
 * Ps: building a process over seL4 objects (psCreateProcess) and its first
 * thread (psCreateThread). The guest-visible layout is NT's:
 *
 *   ntdll.dll and the image mapped by the PE loader (imports bound)
 *   PEB → RTL_USER_PROCESS_PARAMETERS (image path, command line, current
 *         directory, DLL path, environment)
 *   per thread: TEB (FS base), IPC buffer page (GS base), a 1 MiB stack
 *     reservation with its top pages committed and a guard page below
 *   EIP = image entry (NtProcessStartup(PPEB), stdcall),
 *   [ESP] = ntdll!LdrpProcessReturnThunk, [ESP+4] = PEB
 *
 * Kernel side per thread: a TCB (priority NT_THREAD_PRIORITY) configured
 * with its own CNode (service endpoint at NT_SERVICE_CPTR, fault endpoint
 * at FAULT_CPTR, both badged with the thread id), the process's page
 * directory and its IPC buffer frame.
 */
import { MEM_COMMIT, MEM_RESERVE, MEM_TOP_DOWN, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE, PEB, PROCESS_PARAMETERS, TEB } from '../../abi/layouts.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { NT_SERVICE_CPTR } from '../../abi/services.js';
import {
  IPCBUF_USERDATA, RIGHT_GRANT_REPLY, RIGHT_WRITE, RIGHTS_ALL, cnodeCapData, invokeCNode_Mint, invokeTCB_Configure,
  invokeTCB_Resume, invokeTCB_SetPriority, invokeTCB_WriteRegisters, seL4_CapInitThreadCNode, seL4_CapInitThreadTCB,
  seL4_CapTableObject, seL4_NoError, seL4_TCBObject, slotPtr, ERROR_NAMES,
} from '../../kernel/index.js';
import { directorySource, loadProgram, PROT_EXECUTE, PROT_READ, PROT_WRITE, type ImageTarget } from '../../pe/index.js';
import type { KernelObjects } from '../ke/objects.js';
import { AddressSpace, PAGE } from '../mm/address-space.js';
import { EProcess, EThread, FAULT_BADGE, FAULT_CPTR, THREAD_CNODE_BITS } from './process.js';

export const NT_THREAD_PRIORITY = 100;
const RETURN_THUNK = 'LdrpProcessReturnThunk';
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

function protectionFor(prot: number): number {
  if ((prot & PROT_EXECUTE) !== 0) return (prot & PROT_WRITE) !== 0 ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ;
  if ((prot & PROT_WRITE) !== 0) return PAGE_READWRITE;
  if ((prot & PROT_READ) !== 0) return PAGE_READONLY;
  return PAGE_NOACCESS;
}

function check(e: number, what: string): void {
  if (e !== seL4_NoError) throw new Error(`${what} failed: ${ERROR_NAMES[e]}`);
}

export interface ProcessServices {
  readonly ko: KernelObjects;
  /** Root CNode slot of the executive's service endpoint. */
  readonly endpointSlot: number;
  newId(): number;
}

/** Maps the images and builds PEB and parameters; no thread yet. Throws NtStatusError for a bad image. */
export function psCreateProcess(ex: ProcessServices, o: CreateProcessOptions, imageName: string): { process: EProcess; entry: number; returnThunk: number } {
  const space = new AddressSpace(ex.ko);
  const p = new EProcess(ex.newId(), imageName, space);
  try {
    const target: ImageTarget = {
      reserve: (base, size) => {
        if (base % 0x10000 !== 0 || !space.isFree(base, size)) return false;
        space.allocate(base, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 'image');
        return true;
      },
      write: (va, bytes) => space.writeBytes(va, bytes, true),
      protect: (va, size, prot) => { space.protect(va, size, protectionFor(prot)); },
    };
    const loaded = loadProgram(o.image, { target, source: directorySource(o.dllPath), findFreeRange: (size) => space.freeRange(size) });
    const ntdll = loaded.loader.find('ntdll.dll') ?? loaded.loader.loadDll('ntdll.dll', loaded.main.name);
    p.modules = loaded.loader.modules;
    const thunk = loaded.loader.exportAddress(ntdll, RETURN_THUNK);
    if (thunk === undefined) throw new NtStatusError(NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND, `ntdll.dll does not export ${RETURN_THUNK} (is it the SDK's ntdll?)`);
    p.exceptionDispatcher = loaded.loader.exportAddress(ntdll, 'KiUserExceptionDispatcher') ?? 0;
    p.apcDispatcher = loaded.loader.exportAddress(ntdll, 'KiUserApcDispatcher') ?? 0;
    p.peb = alloc(space, PEB.SIZE);
    const params = buildParameters(space, o);
    space.writeBytes(p.peb, words([[PEB.ImageBaseAddress, loaded.main.base], [PEB.ProcessParameters, params], [PEB.NumberOfProcessors, o.numberOfProcessors ?? 1]], PEB.SIZE), true);
    return { process: p, entry: loaded.main.entry, returnThunk: thunk };
  } catch (e) {
    space.destroy();
    throw e;
  }
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
  check(invokeTCB_SetPriority(k, t.tcb, ko.slot(seL4_CapInitThreadTCB), NT_THREAD_PRIORITY), 'TCB_SetPriority');
  // seL4_UserContext: eip esp eflags eax ebx ecx edx esi edi ebp fs_base gs_base
  check(invokeTCB_WriteRegisters(k, t.tcb, false, 12, [...regs, t.teb, ipc]), 'TCB_WriteRegisters');
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
  const v = p.space.find(stackLimit);
  if (v !== undefined && v.base <= stackLimit) { t.stackLow = v.base; t.stackHigh = v.base + v.size; }
  const { ipc, ipcFrame } = threadPages(p.space, p, t, stackBase, stackLimit);
  startThread(ex, t, regs, ipc, ipcFrame, suspended);
  return t;
}

