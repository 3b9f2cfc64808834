/**
 * An NT process as the early service layer builds it, before the executive
 * exists: an address space, ntdll and the program mapped by the PE loader,
 * the PEB with its process parameters, one thread's TEB and stack, and the
 * initial register state:
 *
 *   EIP = program entry (NtProcessStartup(PPEB), stdcall)
 *   [ESP]   = ntdll!LdrpProcessReturnThunk   (returning ends the process with EAX)
 *   [ESP+4] = PEB
 *   FS base = TEB
 *
 * The executive (issue 5) builds processes over seL4 objects instead, and
 * ntdll's own loader resolves imports then; this builder keeps the same
 * guest-visible layout so programs do not notice the change.
 */
import { PEB, PROCESS_PARAMETERS, TEB, MEM_COMMIT, MEM_RESERVE, MEM_TOP_DOWN, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../../abi/layouts.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { Cpu } from '../../cpu/cpu.js';
import { GuestMemory } from '../../mmu/guest-memory.js';
import { directorySource, loadProgram, PROT_EXECUTE, PROT_READ, PROT_WRITE, type ImageTarget, type LoadedModule } from '../../pe/index.js';
import type { PhysAllocator } from '../phys-alloc.js';
import type { GuestRam } from '../ram.js';
import { EarlyAddressSpace } from './address-space.js';

export interface ProcessOptions {
  /** Host path of the program image. */
  readonly image: string;
  /** Arguments after the program name. */
  readonly args: readonly string[];
  /** Directories searched for DLLs (ntdll.dll first of all). */
  readonly dllPath: readonly string[];
  /** NAME=VALUE strings for the environment block. */
  readonly env?: readonly string[];
  /** Stack reservation in bytes (committed up front until demand commit exists). */
  readonly stackSize?: number;
  readonly numberOfProcessors?: number;
  /** Where console output goes. */
  readonly console: (text: string) => void;
  /** Diagnostic lines (--trace-syscalls); undefined = off. */
  readonly trace?: (line: string) => void;
}

const RETURN_THUNK = 'LdrpProcessReturnThunk';
const NT_INITIAL_FPU_CW = 0x027f;
const DEFAULT_STACK = 1024 * 1024;

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

export class EarlyProcess {
  readonly space: EarlyAddressSpace;
  readonly mem: GuestMemory;
  modules: readonly LoadedModule[] = [];
  main!: LoadedModule;
  peb = 0;
  teb = 0;
  exitStatus: number | null = null;
  readonly tracing: boolean;
  private readonly traceSink: ((line: string) => void) | undefined;
  private readonly consoleSink: (text: string) => void;

  constructor(ram: GuestRam, frames: PhysAllocator, private readonly options: ProcessOptions) {
    this.space = new EarlyAddressSpace(ram, frames);
    this.mem = new GuestMemory(ram, this.space.tables.directory);
    this.consoleSink = options.console;
    this.traceSink = options.trace;
    this.tracing = options.trace !== undefined;
  }

  console(text: string): void {
    this.consoleSink(text);
  }

  trace(line: string): void {
    this.traceSink?.(line);
  }

  terminate(status: number): void {
    if (this.exitStatus === null) this.exitStatus = status >>> 0;
  }

  /** Which module holds `va`: "name+0xoffset", or '' when none. */
  where(va: number): string {
    va >>>= 0;
    const m = this.modules.find((x) => va >= x.base && va < x.base + x.size);
    return m ? `${m.name}+0x${(va - m.base).toString(16)}` : '';
  }

  /** Loads the images and builds PEB, parameters, TEB and stack; sets up `cpu` to start the program. */
  build(cpu: Cpu): void {
    const space = this.space;
    const target: ImageTarget = {
      reserve: (base, size) => {
        if (base % 0x10000 !== 0 || !space.isFree(base, size)) return false;
        space.allocate(base, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 'image');
        return true;
      },
      write: (va, bytes) => this.mem.writeBytes(va, bytes),
      protect: (va, size, prot) => { space.protect(va, size, protectionFor(prot)); },
    };
    // ntdll first, at its preferred base, as NT maps it into every process.
    const source = directorySource(this.options.dllPath);
    const loaded = loadProgram(this.options.image, { target, source, findFreeRange: (size) => space.freeRange(size) });
    const ntdll = loaded.loader.find('ntdll.dll') ?? loaded.loader.loadDll('ntdll.dll', loaded.main.name);
    this.modules = loaded.loader.modules;
    this.main = loaded.main;
    const thunk = loaded.loader.exportAddress(ntdll, RETURN_THUNK);
    if (thunk === undefined) throw new NtStatusError(NTSTATUS.STATUS_ENTRYPOINT_NOT_FOUND, `ntdll.dll does not export ${RETURN_THUNK} (is it the SDK's ntdll?)`);

    this.peb = this.alloc(PEB.SIZE);
    const params = this.buildParameters();
    const mem = this.mem;
    mem.writeU32(this.peb + PEB.ImageBaseAddress, this.main.base);
    mem.writeU32(this.peb + PEB.ProcessParameters, params);
    mem.writeU32(this.peb + PEB.NumberOfProcessors, this.options.numberOfProcessors ?? 1);

    const stackSize = this.options.stackSize ?? DEFAULT_STACK;
    const [stackBase] = space.allocate(0, stackSize, MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN, PAGE_READWRITE);
    const stackTop = stackBase + stackSize;
    this.teb = this.alloc(TEB.SIZE);
    mem.writeU32(this.teb + TEB.ExceptionList, 0xffffffff);
    mem.writeU32(this.teb + TEB.StackBase, stackTop);
    mem.writeU32(this.teb + TEB.StackLimit, stackBase);
    mem.writeU32(this.teb + TEB.Self, this.teb);
    mem.writeU32(this.teb + TEB.UniqueProcess, 4);
    mem.writeU32(this.teb + TEB.UniqueThread, 8);
    mem.writeU32(this.teb + TEB.ProcessEnvironmentBlock, this.peb);

    let esp = (stackTop - 16) & ~15;
    esp -= 4; mem.writeU32(esp, this.peb);
    esp -= 4; mem.writeU32(esp, thunk);

    cpu.mmu.setCr3(space.tables.directory);
    space.onUnmap = (va) => cpu.mmu.invalidatePage(va);
    cpu.reg.fill(0);
    cpu.reg[4] = esp;
    cpu.eip = this.main.entry;
    cpu.fsBase = this.teb;
    cpu.setEflags(0x202, 0xffffffff);
    // NT starts threads with the x87 at 53-bit precision (FCW 0x027F), not FNINIT's 0x037F.
    cpu.x87.cw = NT_INITIAL_FPU_CW;
  }

  private alloc(size: number): number {
    return this.space.allocate(0, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE)[0];
  }

  /** RTL_USER_PROCESS_PARAMETERS, normalized, with its strings after it in the same allocation. */
  private buildParameters(): number {
    const o = this.options;
    const imagePath = o.image;
    const commandLine = [imagePath, ...o.args].map(quoteArgument).join(' ');
    const currentDirectory = 'C:\\';
    const env = (o.env ?? []).join('\0') + '\0\0';
    const strings = [currentDirectory, o.dllPath.join(';'), imagePath, commandLine];
    const stringBytes = strings.reduce((n, s) => n + (s.length + 1) * 2, 0) + env.length * 2;
    const size = PROCESS_PARAMETERS.SIZE + stringBytes;
    const base = this.alloc(size);
    const mem = this.mem;
    mem.writeU32(base + PROCESS_PARAMETERS.MaximumLength, size);
    mem.writeU32(base + PROCESS_PARAMETERS.Length, size);
    mem.writeU32(base + PROCESS_PARAMETERS.Flags, PROCESS_PARAMETERS.FLAG_NORMALIZED);
    let at = base + PROCESS_PARAMETERS.SIZE;
    const put = (field: number, s: string) => {
      if (s.length * 2 > 0xfffc) throw new NtStatusError(NTSTATUS.STATUS_NAME_TOO_LONG, `process parameter is too long (${s.length} characters)`);
      const bytes = Buffer.from(s + '\0', 'utf16le');
      mem.writeBytes(at, bytes);
      mem.writeU16(base + field, s.length * 2);
      mem.writeU16(base + field + 2, s.length * 2 + 2);
      mem.writeU32(base + field + 4, at);
      at += bytes.length;
    };
    put(PROCESS_PARAMETERS.CurrentDirectoryDosPath, currentDirectory);
    put(PROCESS_PARAMETERS.DllPath, strings[1]!);
    put(PROCESS_PARAMETERS.ImagePathName, imagePath);
    put(PROCESS_PARAMETERS.CommandLine, commandLine);
    mem.writeBytes(at, Buffer.from(env, 'utf16le'));
    mem.writeU32(base + PROCESS_PARAMETERS.Environment, at);
    return base;
  }

  destroy(): void {
    this.space.destroy();
  }
}
