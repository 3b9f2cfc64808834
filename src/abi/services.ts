/**
 * The NT system service table: the single source of truth for the native API.
 *
 * The service number of an entry is its index in SERVICES. From this one
 * table are generated (never hand-written):
 *  - the guest's ntdll stubs and prototypes (guest/tools/gen-sdk.mjs →
 *    guest/ntdll/syscalls.gen.c, guest/sdk/include/ntsyscalls.gen.h and the
 *    syscall part of guest/ntdll/ntdll.def);
 *  - the executive's dispatch (argument count, which arguments are guest
 *    pointers, in which direction data moves) and the docs.
 * So the two sides can never disagree. Append new services at the end:
 * renumbering an existing service changes the ABI of every built image.
 *
 * Syscall ABI (seL4 IPC, docs/executive.md): the stub is a seL4_Call on the
 * thread's badged copy of the executive's service endpoint (CPtr
 * NT_SERVICE_CPTR): EAX = seL4_SysCall, EBX = the CPtr, ESI = message info
 * (label = service number, length 1), EDI = MR0 = address of the caller's
 * stack arguments (the executive reads them through the caller's VSpace,
 * probing every pointer); the reply's MR0 (EDI) is the NTSTATUS.
 */

/** Direction of the data an argument points to (for by-value arguments: 'in'). */
export type ArgDirection = 'in' | 'out' | 'inout';

/**
 * How the executive marshals an argument (derived from its C type, so the
 * table stays the one source): 'value' is taken as is, 'handle' is looked up
 * in the caller's handle table by the service, 'pointer' is probed by the
 * dispatcher before the service runs (readable for 'in', writable for
 * 'out'/'inout', `size` bytes; NULL allowed only when optional).
 */
export type ArgKind = 'value' | 'handle' | 'pointer';

/** Is the service served yet? Not-implemented ones answer STATUS_NOT_IMPLEMENTED with a message. */
export type ServiceStatus = 'implemented' | 'not-implemented';

export interface ServiceArg {
  /** Parameter name as in the NT headers (BaseAddress, RegionSize...). */
  readonly name: string;
  /** C type as the guest headers spell it (HANDLE, PVOID *, PUNICODE_STRING, ULONG...). */
  readonly type: string;
  /** Direction of the data: 'in' for values and read-only pointers, 'out'/'inout' for what the service writes. */
  readonly dir: ArgDirection;
  readonly kind: ArgKind;
  /** For pointers: bytes the dispatcher probes (0: the service probes a variable-size buffer itself). */
  readonly size: number;
  /** NULL (or 0) is allowed for this argument. */
  readonly optional?: boolean;
  /** Number of 32-bit stack slots; 1 unless a 64-bit value is passed by value. */
  readonly slots?: 1 | 2;
  /** Free-form remark for the docs. */
  readonly note?: string;
}

export interface ServiceDef {
  readonly name: `Nt${string}`;
  readonly args: readonly ServiceArg[];
  readonly returns: 'NTSTATUS';
  readonly status: ServiceStatus;
  /** The executive component serving it (docs). */
  readonly component: 'Ps' | 'Mm' | 'Ob' | 'Ke' | 'Ex' | 'Io' | 'Cm' | 'Se' | 'Lpc';
  /** What the service does here, and what of NT's behaviour is (not yet) covered. */
  readonly note: string;
  /**
   * ntdll implements the Nt name itself in user mode (guest/ntdll/lpc.c: the
   * LPC data path on seL4 endpoints); the system call stub is then emitted
   * and exported as `Ki<name without Nt>` for ntdll's fallback.
   */
  readonly userMode?: true;
}

/** Bytes the dispatcher probes behind a pointer type (the pointee's fixed size). */
const POINTEE_BYTES: Record<string, number> = {
  'PVOID *': 4, PSIZE_T: 4, PULONG: 4, PHANDLE: 4, PLARGE_INTEGER: 8, PUNICODE_STRING: 8,
  POBJECT_ATTRIBUTES: 24, PPORT_MESSAGE: 24, PBOOLEAN: 1, PLONG: 4, PMEMORY_BASIC_INFORMATION: 28, PCONTEXT: 0x2cc,
  PEXCEPTION_RECORD: 0x50, PCLIENT_ID: 8, PINITIAL_TEB: 20, PIO_STATUS_BLOCK: 8, PVOID: 0, 'const HANDLE *': 0,
};

function kindOf(type: string): ArgKind {
  if (type === 'HANDLE') return 'handle';
  if (type.endsWith('*') || /^P[A-Z_]+$/.test(type)) return 'pointer';
  return 'value';
}

type ArgExtra = Partial<Pick<ServiceArg, 'optional' | 'note' | 'slots' | 'size'>>;

function arg(name: string, type: string, dir: ArgDirection = 'in', extra: ArgExtra = {}): ServiceArg {
  const kind = kindOf(type);
  const size = extra.size ?? (kind === 'pointer' ? POINTEE_BYTES[type] ?? 0 : 0);
  return { name, type, dir, kind, ...extra, size };
}

/** The table. Index = service number; append only. */
export const SERVICES: readonly ServiceDef[] = [
  {
    name: 'NtTerminateProcess',
    args: [
      arg('ProcessHandle', 'HANDLE', 'in', { optional: true, note: 'NtCurrentProcess() = (HANDLE)-1; NULL also means the caller\'s process' }),
      arg('ExitStatus', 'NTSTATUS'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Ends the process (every thread) with ExitStatus as its exit code; does not return when the target is the caller.',
  },
  {
    name: 'NtDisplayString',
    args: [arg('String', 'PUNICODE_STRING', 'in', { note: 'UTF-16, Length in bytes, at most 32 KiB per call' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'Writes the string to the console (the CRT sends stdout and stderr through it).',
  },
  {
    name: 'NtAllocateVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID *', 'inout', { note: 'NULL contents: the system chooses; rounded down to 64 KiB for a reservation, 4 KiB for a commit' }),
      arg('ZeroBits', 'ULONG_PTR'),
      arg('RegionSize', 'PSIZE_T', 'inout', { note: 'rounded up to whole pages' }),
      arg('AllocationType', 'ULONG', 'in', { note: 'MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN' }),
      arg('Protect', 'ULONG', 'in', { note: 'PAGE_* (PAGE_GUARD allowed with a commit)' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Reserves and/or commits a region (a VAD); committed pages get frames on first touch (VMFault) and read as zero.',
  },
  {
    name: 'NtFreeVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID *', 'inout'),
      arg('RegionSize', 'PSIZE_T', 'inout', { note: '0 with MEM_RELEASE: the whole reservation' }),
      arg('FreeType', 'ULONG', 'in', { note: 'MEM_DECOMMIT or MEM_RELEASE' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Decommits or releases a region; its frames go back to the executive\'s pool.',
  },
  {
    name: 'NtProtectVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID *', 'inout'),
      arg('RegionSize', 'PSIZE_T', 'inout'),
      arg('NewProtect', 'ULONG'),
      arg('OldProtect', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Changes the protection of committed pages (remaps their frames); returns the old protection of the first page.',
  },
  {
    name: 'NtQueryPerformanceCounter',
    args: [
      arg('PerformanceCounter', 'PLARGE_INTEGER', 'out'),
      arg('PerformanceFrequency', 'PLARGE_INTEGER', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'A monotonic counter (host clock) and its frequency, 10 MHz.',
  },
  {
    name: 'NtQuerySystemTime',
    args: [arg('SystemTime', 'PLARGE_INTEGER', 'out', { note: '100 ns units since 1601-01-01 UTC' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'The current system time (UTC).',
  },
  {
    name: 'NtClose',
    args: [arg('Handle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Closes a handle of the caller\'s handle table (STATUS_INVALID_HANDLE when there is none); the object goes when its last reference does, unless permanent.',
  },
  {
    name: 'NtTerminateThread',
    args: [
      arg('ThreadHandle', 'HANDLE', 'in', { optional: true, note: 'NtCurrentThread() = (HANDLE)-2; NULL: the caller' }),
      arg('ExitStatus', 'NTSTATUS'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Ends one thread; the last thread of a process ends the process with the same status.',
  },
  {
    name: 'NtDuplicateObject',
    args: [
      arg('SourceProcessHandle', 'HANDLE'),
      arg('SourceHandle', 'HANDLE'),
      arg('TargetProcessHandle', 'HANDLE', 'in', { optional: true }),
      arg('TargetHandle', 'PHANDLE', 'out', { optional: true }),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('HandleAttributes', 'ULONG'),
      arg('Options', 'ULONG', 'in', { note: 'DUPLICATE_CLOSE_SOURCE 1, DUPLICATE_SAME_ACCESS 2' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Copies a handle (same or reduced access) into a process\'s handle table.',
  },
  {
    name: 'NtQueryObject',
    args: [
      arg('Handle', 'HANDLE'),
      arg('ObjectInformationClass', 'ULONG', 'in', { note: '1 ObjectNameInformation, 2 ObjectTypeInformation' }),
      arg('ObjectInformation', 'PVOID', 'out', { optional: true }),
      arg('ObjectInformationLength', 'ULONG'),
      arg('ReturnLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'The object\'s full name or its type name as a UNICODE_STRING followed by the characters.',
  },
  {
    name: 'NtCreateDirectoryObject',
    args: [
      arg('DirectoryHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'A directory in the object namespace (temporary unless OBJ_PERMANENT).',
  },
  {
    name: 'NtOpenDirectoryObject',
    args: [
      arg('DirectoryHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Opens a directory of the namespace by name.',
  },
  {
    name: 'NtCreateSymbolicLinkObject',
    args: [
      arg('LinkHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
      arg('LinkTarget', 'PUNICODE_STRING'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'A symbolic link; lookups through it reparse to the target path.',
  },
  {
    name: 'NtOpenSymbolicLinkObject',
    args: [
      arg('LinkHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Opens the link itself (the last name component is not followed).',
  },
  {
    name: 'NtQuerySymbolicLinkObject',
    args: [
      arg('LinkHandle', 'HANDLE'),
      arg('LinkTarget', 'PUNICODE_STRING', 'inout', { note: 'Buffer and MaximumLength in, Length out' }),
      arg('ReturnedLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'The link\'s target; STATUS_BUFFER_TOO_SMALL with the needed length when it does not fit.',
  },
  {
    name: 'NtMakeTemporaryObject',
    args: [arg('Handle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Clears the permanent flag: the name goes with the last handle.',
  },
  {
    name: 'NtMakePermanentObject',
    args: [arg('Handle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ob',
    note: 'Sets the permanent flag: the object stays in the namespace with no handle open.',
  },
  {
    name: 'NtCreateEvent',
    args: [
      arg('EventHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }),
      arg('EventType', 'ULONG', 'in', { note: '0 NotificationEvent, 1 SynchronizationEvent' }),
      arg('InitialState', 'BOOLEAN'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'An event object, named (in the namespace) or not.',
  },
  {
    name: 'NtOpenEvent',
    args: [
      arg('EventHandle', 'PHANDLE', 'out'),
      arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Opens a named event.',
  },
  {
    name: 'NtSetEvent',
    args: [arg('EventHandle', 'HANDLE'), arg('PreviousState', 'PLONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Signals the event: wakes every waiter (notification) or one (synchronization, which stays unsignalled then).',
  },
  {
    name: 'NtResetEvent',
    args: [arg('EventHandle', 'HANDLE'), arg('PreviousState', 'PLONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Unsignals the event and returns the previous state.',
  },
  {
    name: 'NtClearEvent',
    args: [arg('EventHandle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Unsignals the event.',
  },
  {
    name: 'NtWaitForSingleObject',
    args: [
      arg('Handle', 'HANDLE'),
      arg('Alertable', 'BOOLEAN', 'in', { note: 'TRUE: queued user APCs end the wait with STATUS_USER_APC and run' }),
      arg('Timeout', 'PLARGE_INTEGER', 'in', { optional: true, note: 'NULL: forever; negative: relative 100 ns units; positive: absolute system time' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Waits for a dispatcher object (event, process, thread); the caller\'s reply capability is kept until it is signalled or the timeout passes.',
  },
  {
    name: 'NtWaitForMultipleObjects',
    args: [
      arg('Count', 'ULONG', 'in', { note: '1..64' }),
      arg('Handles', 'const HANDLE *', 'in', { note: 'Count handles' }),
      arg('WaitType', 'ULONG', 'in', { note: '0 WaitAll, 1 WaitAny' }),
      arg('Alertable', 'BOOLEAN'),
      arg('Timeout', 'PLARGE_INTEGER', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Wait-any (STATUS_WAIT_0 + index) or wait-all over up to 64 objects, with a timeout.',
  },
  {
    name: 'NtDelayExecution',
    args: [
      arg('Alertable', 'BOOLEAN'),
      arg('DelayInterval', 'PLARGE_INTEGER', 'in', { note: 'negative: relative 100 ns units; positive: absolute' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Sleeps; the executive answers when the interval has passed.',
  },
  {
    name: 'NtYieldExecution',
    args: [],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Gives the rest of the time slice to another ready thread (STATUS_NO_YIELD_PERFORMED is not distinguished).',
  },
  {
    name: 'NtQueryVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID'),
      arg('MemoryInformationClass', 'ULONG', 'in', { note: '0 MemoryBasicInformation' }),
      arg('MemoryInformation', 'PVOID', 'out', { note: 'MEMORY_BASIC_INFORMATION, 28 bytes' }),
      arg('MemoryInformationLength', 'SIZE_T'),
      arg('ReturnLength', 'PSIZE_T', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'MEMORY_BASIC_INFORMATION of the region holding BaseAddress (pages of the same state and protection).',
  },
  {
    name: 'NtReadVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID', 'in', { note: 'in the target process' }),
      arg('Buffer', 'PVOID', 'out', { note: 'in the caller' }),
      arg('NumberOfBytesToRead', 'SIZE_T'),
      arg('NumberOfBytesRead', 'PSIZE_T', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Copies from a process\'s memory (STATUS_ACCESS_VIOLATION when either side is not accessible; nothing partial).',
  },
  {
    name: 'NtWriteVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID', 'in', { note: 'in the target process' }),
      arg('Buffer', 'PVOID', 'in', { note: 'in the caller' }),
      arg('NumberOfBytesToWrite', 'SIZE_T'),
      arg('NumberOfBytesWritten', 'PSIZE_T', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Copies into a process\'s memory (its pages must be writable).',
  },
  {
    name: 'NtContinue',
    args: [arg('Context', 'PCONTEXT', 'in', { note: 'CONTEXT_CONTROL, CONTEXT_INTEGER, CONTEXT_FLOATING_POINT and CONTEXT_EXTENDED_REGISTERS are applied (an MXCSR with reserved bits: STATUS_INVALID_PARAMETER)' }), arg('TestAlert', 'BOOLEAN', 'in', { note: 'TRUE: the queued user APCs run first' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Resumes the calling thread with the registers of a CONTEXT (the end of a handled exception); does not return.',
  },
  {
    name: 'NtRaiseException',
    args: [arg('ExceptionRecord', 'PEXCEPTION_RECORD'), arg('Context', 'PCONTEXT'), arg('FirstChance', 'BOOLEAN')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'First chance: the record and context go to ntdll\'s KiUserExceptionDispatcher on the context\'s stack; second chance: the process ends naming the exception, address and module.',
  },
  {
    name: 'NtCreateProcess',
    args: [
      arg('ProcessHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }), arg('ParentProcess', 'HANDLE'),
      arg('InheritObjectTable', 'BOOLEAN'), arg('SectionHandle', 'HANDLE', 'in', { optional: true }),
      arg('DebugPort', 'HANDLE', 'in', { optional: true }), arg('ExceptionPort', 'HANDLE', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'A process of an image section (NtCreateSection(SEC_IMAGE) of a \\BootModules file): ntdll and the image mapped, a PEB, no thread and no parameters (the creator writes them and makes the first thread: ntdll\'s RtlCreateUserProcess does the whole sequence). InheritObjectTable copies OBJ_INHERIT handles. No section (fork), a DLL image (STATUS_INVALID_IMAGE_FORMAT), debug or exception ports: not built (STATUS_NOT_IMPLEMENTED).',
  },
  {
    name: 'NtCreateThread',
    args: [
      arg('ThreadHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }), arg('ProcessHandle', 'HANDLE'),
      arg('ClientId', 'PCLIENT_ID', 'out', { optional: true }), arg('ThreadContext', 'PCONTEXT', 'in', { note: 'CONTEXT_CONTROL and CONTEXT_INTEGER: the start registers' }),
      arg('InitialTeb', 'PINITIAL_TEB', 'in', { note: 'the stack the caller allocated (StackBase, StackLimit)' }),
      arg('CreateSuspended', 'BOOLEAN'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'A thread in a process (TCB, CNode with its badged endpoint caps, IPC buffer, TEB) starting with the CONTEXT\'s registers on the caller-provided stack.',
  },
  {
    name: 'NtResumeThread',
    args: [arg('ThreadHandle', 'HANDLE'), arg('SuspendCount', 'PULONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Decrements the suspend count; the thread runs again at zero.',
  },
  {
    name: 'NtQueryInformationProcess',
    args: [
      arg('ProcessHandle', 'HANDLE'), arg('ProcessInformationClass', 'ULONG', 'in', { note: '0 Basic, 7 DebugPort, 12 DefaultHardErrorMode, 18 PriorityClass, 22 PriorityBoost, 24 SessionInformation, 26 Wow64Information, 29 BreakOnTermination' }),
      arg('ProcessInformation', 'PVOID', 'out', { optional: true }), arg('ProcessInformationLength', 'ULONG'),
      arg('ReturnLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'ProcessBasicInformation (exit status, PEB, affinity, base priority, ids), and what NtSetInformationProcess sets: PriorityClass, DefaultHardErrorMode, PriorityBoost, BreakOnTermination; DebugPort (0: never debugged), SessionInformation (0), Wow64Information (0: native); other classes STATUS_INVALID_INFO_CLASS.',
  },
  {
    name: 'NtCreateFile',
    args: [
      arg('FileHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
      arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'), arg('AllocationSize', 'PLARGE_INTEGER', 'in', { optional: true }),
      arg('FileAttributes', 'ULONG'), arg('ShareAccess', 'ULONG'), arg('CreateDisposition', 'ULONG'),
      arg('CreateOptions', 'ULONG'), arg('EaBuffer', 'PVOID', 'in', { optional: true }), arg('EaLength', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Io',
    note: 'Opens an existing boot module (\\BootModules\\<name>: the files of the run\'s image directories) for reading or executing (FILE_OPEN or FILE_OPEN_IF; asking to modify: STATUS_ACCESS_DENIED). Every other path answers STATUS_NOT_IMPLEMENTED: the I/O manager and file system drivers are a later issue.',
  },
  {
    name: 'NtSuspendThread',
    args: [arg('ThreadHandle', 'HANDLE'), arg('PreviousSuspendCount', 'PULONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Increments the suspend count; the thread stops (a thread inside a service call stops when it is answered; suspending oneself waits for the resume).',
  },
  {
    name: 'NtCreateMutant',
    args: [
      arg('MutantHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }), arg('InitialOwner', 'BOOLEAN'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'A mutant (mutex): owned recursively by a thread; abandoned when its owner ends (waiters get STATUS_ABANDONED_WAIT_0).',
  },
  {
    name: 'NtOpenMutant',
    args: [arg('MutantHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Opens a named mutant.',
  },
  {
    name: 'NtReleaseMutant',
    args: [arg('MutantHandle', 'HANDLE'), arg('PreviousCount', 'PLONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Releases one level of ownership (STATUS_MUTANT_NOT_OWNED when the caller does not own it).',
  },
  {
    name: 'NtCreateSemaphore',
    args: [
      arg('SemaphoreHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }), arg('InitialCount', 'LONG'), arg('MaximumCount', 'LONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'A counting semaphore; each satisfied wait takes one.',
  },
  {
    name: 'NtOpenSemaphore',
    args: [arg('SemaphoreHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Opens a named semaphore.',
  },
  {
    name: 'NtReleaseSemaphore',
    args: [arg('SemaphoreHandle', 'HANDLE'), arg('ReleaseCount', 'LONG'), arg('PreviousCount', 'PLONG', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Adds to the count (STATUS_SEMAPHORE_LIMIT_EXCEEDED past the maximum) and wakes waiters.',
  },
  {
    name: 'NtQueryInformationThread',
    args: [
      arg('ThreadHandle', 'HANDLE'), arg('ThreadInformationClass', 'ULONG', 'in', { note: '0 Basic, 12 AmILastThread, 14 PriorityBoost, 17 HideFromDebugger, 18 BreakOnTermination, 20 IsTerminated' }),
      arg('ThreadInformation', 'PVOID', 'out', { optional: true }), arg('ThreadInformationLength', 'ULONG'),
      arg('ReturnLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'ThreadBasicInformation (exit status, TEB, client id, affinity, priority, base priority), AmILastThread, PriorityBoost, HideFromDebugger, BreakOnTermination, IsTerminated; other classes STATUS_INVALID_INFO_CLASS.',
  },
  {
    name: 'NtQuerySystemInformation',
    args: [
      arg('SystemInformationClass', 'ULONG', 'in', { note: '0 Basic, 1 Processor, 3 TimeOfDay, 5 Process, 11 Module' }),
      arg('SystemInformation', 'PVOID', 'out', { optional: true }), arg('SystemInformationLength', 'ULONG'),
      arg('ReturnLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'SystemBasicInformation (page size, physical pages, user address range, processors from the kernel), SystemProcessorInformation, SystemTimeOfDayInformation, SystemProcessInformation (processes with their threads and image names), SystemModuleInformation (the images mapped into running processes); other classes STATUS_INVALID_INFO_CLASS.',
  },
  {
    name: 'NtOpenProcess',
    args: [
      arg('ProcessHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'), arg('ClientId', 'PCLIENT_ID', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'A handle to a running process by ClientId.UniqueProcess.',
  },
  {
    name: 'NtOpenThread',
    args: [
      arg('ThreadHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'), arg('ClientId', 'PCLIENT_ID', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'A handle to a running thread by ClientId.UniqueThread (and UniqueProcess when not 0).',
  },
  {
    name: 'NtCreateTimer',
    args: [
      arg('TimerHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }),
      arg('TimerType', 'ULONG', 'in', { note: '0 NotificationTimer, 1 SynchronizationTimer' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'A waitable timer object (unsignalled, not set).',
  },
  {
    name: 'NtOpenTimer',
    args: [arg('TimerHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Opens a named timer.',
  },
  {
    name: 'NtSetTimer',
    args: [
      arg('TimerHandle', 'HANDLE'), arg('DueTime', 'PLARGE_INTEGER', 'in', { note: 'negative: relative 100 ns units; positive: absolute' }),
      arg('TimerApcRoutine', 'PVOID', 'in', { optional: true, note: 'VOID NTAPI (PVOID TimerContext, ULONG TimerLowValue, LONG TimerHighValue), queued as a user APC when due' }),
      arg('TimerContext', 'PVOID', 'in', { optional: true }), arg('ResumeTimer', 'BOOLEAN'),
      arg('Period', 'LONG', 'in', { note: 'ms; 0: one-shot' }), arg('PreviousState', 'PBOOLEAN', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Arms the timer (absolute or relative, optionally periodic); it is signalled when due.',
  },
  {
    name: 'NtCancelTimer',
    args: [arg('TimerHandle', 'HANDLE'), arg('CurrentState', 'PBOOLEAN', 'out', { optional: true })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Disarms the timer (its signal state stays as it is).',
  },
  {
    name: 'NtOpenProcessToken',
    args: [arg('ProcessHandle', 'HANDLE'), arg('DesiredAccess', 'ACCESS_MASK'), arg('TokenHandle', 'PHANDLE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'The process\'s primary token. Every process runs as LocalSystem (there are no user accounts).',
  },
  {
    name: 'NtOpenThreadToken',
    args: [arg('ThreadHandle', 'HANDLE'), arg('DesiredAccess', 'ACCESS_MASK'), arg('OpenAsSelf', 'BOOLEAN'), arg('TokenHandle', 'PHANDLE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'The thread\'s impersonation token (NtSetInformationThread(ThreadImpersonationToken)); STATUS_NO_TOKEN when it has none.',
  },
  {
    name: 'NtQueryInformationToken',
    args: [
      arg('TokenHandle', 'HANDLE'), arg('TokenInformationClass', 'ULONG', 'in', { note: '1 User, 2 Groups, 3 Privileges, 8 Type, 9 ImpersonationLevel' }),
      arg('TokenInformation', 'PVOID', 'out', { optional: true }), arg('TokenInformationLength', 'ULONG'),
      arg('ReturnLength', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'User S-1-5-18 (LocalSystem); groups Administrators (owner) and Everyone; privileges SeTcb, SeSecurity (disabled), SeIncreaseBasePriority, SeShutdown (disabled), SeDebug, SeChangeNotify, SeImpersonate, as adjusted since; the token type and (impersonation tokens) level. Other classes STATUS_INVALID_INFO_CLASS.',
  },
  {
    name: 'NtQueueApcThread',
    args: [
      arg('ThreadHandle', 'HANDLE'), arg('ApcRoutine', 'PVOID', 'in', { note: 'VOID NTAPI (PVOID NormalContext, PVOID SystemArgument1, PVOID SystemArgument2)' }),
      arg('NormalContext', 'PVOID', 'in', { optional: true }), arg('SystemArgument1', 'PVOID', 'in', { optional: true }),
      arg('SystemArgument2', 'PVOID', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Queues a user APC; it runs (through ntdll\'s KiUserApcDispatcher) when the thread waits alertably or calls NtTestAlert.',
  },
  {
    name: 'NtTestAlert',
    args: [],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ke',
    note: 'Runs the caller\'s queued user APCs now (STATUS_SUCCESS; the APCs run before the call returns).',
  },
  {
    name: 'NtGetContextThread',
    args: [arg('ThreadHandle', 'HANDLE'), arg('ThreadContext', 'PCONTEXT', 'inout', { note: 'ContextFlags in; control, integer, segment registers and the x87 (FLOATING_SAVE_AREA) and FXSAVE (ExtendedRegisters) images out' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'A thread\'s registers where it will resume (for the caller: the return from this call).',
  },
  {
    name: 'NtSetContextThread',
    args: [arg('ThreadHandle', 'HANDLE'), arg('ThreadContext', 'PCONTEXT', 'in')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Sets a thread\'s control/integer registers and its x87/SSE state (the caller: continues there). Not for a thread suspended inside a wait (STATUS_NOT_IMPLEMENTED).',
  },
  {
    name: 'NtCreatePort',
    args: [
      arg('PortHandle', 'PHANDLE', 'out'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
      arg('MaxConnectionInfoLength', 'ULONG'), arg('MaxMessageLength', 'ULONG'), arg('MaxPoolUsage', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'A named LPC connection port (messages of up to 24 + 256 bytes).',
  },
  {
    name: 'NtListenPort',
    args: [arg('PortHandle', 'HANDLE'), arg('ConnectionRequest', 'PPORT_MESSAGE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'Waits for a connection request on a connection port.',
  },
  {
    name: 'NtAcceptConnectPort',
    args: [
      arg('PortHandle', 'PHANDLE', 'out'), arg('PortContext', 'PVOID', 'in', { optional: true }),
      arg('ConnectionRequest', 'PPORT_MESSAGE', 'in'), arg('AcceptConnection', 'BOOLEAN'),
      arg('ServerView', 'PVOID', 'inout', { optional: true, note: 'PORT_VIEW: the server\'s section, mapped into both processes (ViewBase, ViewRemoteBase out)' }),
      arg('ClientView', 'PVOID', 'out', { optional: true, note: 'REMOTE_PORT_VIEW: the client\'s view as mapped in the server' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'Accepts (a server communication port) or refuses a connection request.',
  },
  {
    name: 'NtCompleteConnectPort',
    args: [arg('PortHandle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'Lets the accepted client\'s NtConnectPort return with its communication port.',
  },
  {
    name: 'NtConnectPort',
    args: [
      arg('PortHandle', 'PHANDLE', 'out'), arg('PortName', 'PUNICODE_STRING'), arg('SecurityQos', 'PVOID', 'in', { optional: true }),
      arg('ClientView', 'PVOID', 'inout', { optional: true, note: 'PORT_VIEW: the client\'s section, mapped into both processes (ViewBase, ViewRemoteBase out)' }),
      arg('ServerView', 'PVOID', 'out', { optional: true, note: 'REMOTE_PORT_VIEW: the server\'s view as mapped in the client' }), arg('MaxMessageLength', 'PULONG', 'out', { optional: true }),
      arg('ConnectionInformation', 'PVOID', 'inout', { optional: true }), arg('ConnectionInformationLength', 'PULONG', 'inout', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'Connects to a named port; waits until the server accepts and completes (or refuses: STATUS_PORT_CONNECTION_REFUSED).',
  },
  {
    name: 'NtRequestWaitReplyPort',
    args: [arg('PortHandle', 'HANDLE'), arg('RequestMessage', 'PPORT_MESSAGE', 'in'), arg('ReplyMessage', 'PPORT_MESSAGE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc', userMode: true,
    note: 'Sends a request to the server and waits for its reply.',
  },
  {
    name: 'NtReplyWaitReceivePort',
    args: [
      arg('PortHandle', 'HANDLE'), arg('PortContext', 'PVOID *', 'out', { optional: true }),
      arg('ReplyMessage', 'PPORT_MESSAGE', 'in', { optional: true }), arg('ReceiveMessage', 'PPORT_MESSAGE', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc', userMode: true,
    note: 'Replies (optional), then waits for the next request or connection request on the server\'s connection port.',
  },
  {
    name: 'NtReplyPort',
    args: [arg('PortHandle', 'HANDLE'), arg('ReplyMessage', 'PPORT_MESSAGE', 'in')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc', userMode: true,
    note: 'Replies to a request without waiting.',
  },
  {
    name: 'NtCreateSection',
    args: [
      arg('SectionHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true }),
      arg('MaximumSize', 'PLARGE_INTEGER', 'in', { optional: true, note: 'bytes, rounded up to pages (at most 64 MiB here); not used (may be NULL) for SEC_IMAGE' }),
      arg('SectionPageProtection', 'ULONG'), arg('AllocationAttributes', 'ULONG', 'in', { note: 'SEC_COMMIT, or SEC_IMAGE with a file' }),
      arg('FileHandle', 'HANDLE', 'in', { optional: true, note: 'NULL: pagefile-backed; a boot module with SEC_IMAGE; data sections of files need the I/O manager (STATUS_NOT_IMPLEMENTED)' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'A pagefile-backed section: zeroed frames that every view of it maps (shared between processes). SEC_IMAGE of a boot module (FILE_EXECUTE access): an image section, the image laid out at its preferred base (one per file, shared by later requests); not a PE image: STATUS_INVALID_IMAGE_FORMAT.',
  },
  {
    name: 'NtOpenSection',
    args: [arg('SectionHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Opens a named section (\\KnownDlls\\<name>.dll: the image sections the executive made for the DLLs of the DLL search directories; ntdll\'s LdrLoadDll opens them).',
  },
  {
    name: 'NtMapViewOfSection',
    args: [
      arg('SectionHandle', 'HANDLE'), arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID *', 'inout', { note: 'NULL contents: the system chooses (64 KiB aligned)' }),
      arg('ZeroBits', 'ULONG_PTR'), arg('CommitSize', 'SIZE_T'),
      arg('SectionOffset', 'PLARGE_INTEGER', 'inout', { optional: true, note: 'page aligned' }),
      arg('ViewSize', 'PSIZE_T', 'inout', { note: '0: from the offset to the end' }),
      arg('InheritDisposition', 'ULONG'), arg('AllocationType', 'ULONG'),
      arg('Win32Protect', 'ULONG', 'in', { note: 'PAGE_READWRITE or PAGE_READONLY (ignored for an image section)' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Maps (part of) a pagefile-backed section into a process: the same physical frames in every view. An image section (\\KnownDlls) maps whole, as a private copy per view with its sections\' protections, at its preferred base if free (else elsewhere: STATUS_IMAGE_NOT_AT_BASE, the caller relocates).',
  },
  {
    name: 'NtUnmapViewOfSection',
    args: [arg('ProcessHandle', 'HANDLE'), arg('BaseAddress', 'PVOID')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'Removes a view; the section lives on while handles or views remain.',
  },
  // ---- process creation from boot modules (issue 5) ----
  {
    name: 'NtOpenFile',
    args: [
      arg('FileHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
      arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'), arg('ShareAccess', 'ULONG'), arg('OpenOptions', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Io',
    note: 'Opens a boot module (\\BootModules\\<name>, case-insensitive) for reading or executing; asking to modify: STATUS_ACCESS_DENIED; a name not there: STATUS_OBJECT_NAME_NOT_FOUND. Every other path answers STATUS_NOT_IMPLEMENTED: the I/O manager and file systems are not built.',
  },
  {
    name: 'NtQuerySection',
    args: [
      arg('SectionHandle', 'HANDLE'), arg('SectionInformationClass', 'ULONG', 'in', { note: '0 SectionBasicInformation, 1 SectionImageInformation' }),
      arg('SectionInformation', 'PVOID', 'out'), arg('SectionInformationLength', 'ULONG'),
      arg('ResultLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Mm',
    note: 'SectionBasicInformation (attributes, size) of any section; SectionImageInformation (entry point at the preferred base, stack reserve/commit, subsystem and version, characteristics, machine) of an image section (others: STATUS_SECTION_NOT_IMAGE).',
  },
  // ---- every NeptuneOS service present (issue 5, services branch): Ps set-information ----
  {
    name: 'NtSetInformationProcess',
    args: [
      arg('ProcessHandle', 'HANDLE', 'in', { note: 'PROCESS_SET_INFORMATION' }),
      arg('ProcessInformationClass', 'ULONG', 'in', { note: '5 BasePriority, 7 DebugPort, 8 ExceptionPort, 12 DefaultHardErrorMode, 18 PriorityClass, 21 AffinityMask, 22 PriorityBoost, 29 BreakOnTermination' }),
      arg('ProcessInformation', 'PVOID', 'in'), arg('ProcessInformationLength', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Sets the base priority (1..31; every thread of the process follows it on its TCB), priority class (idle 4, below normal 6, normal 8, above normal 10, high 13, realtime 24), affinity (a non-empty subset of the processors), hard error mode, priority boost and break-on-termination flags; the NtQueryInformationProcess classes report them. Debug and exception ports need the debugging subsystem: STATUS_NOT_IMPLEMENTED. Other classes STATUS_INVALID_INFO_CLASS; a wrong length STATUS_INFO_LENGTH_MISMATCH; a value out of range STATUS_INVALID_PARAMETER.',
  },
  {
    name: 'NtSetInformationThread',
    args: [
      arg('ThreadHandle', 'HANDLE', 'in', { note: 'THREAD_SET_INFORMATION' }),
      arg('ThreadInformationClass', 'ULONG', 'in', { note: '2 Priority, 3 BasePriority, 4 AffinityMask, 5 ImpersonationToken, 10 ZeroTlsCell, 14 PriorityBoost, 17 HideFromDebugger, 18 BreakOnTermination' }),
      arg('ThreadInformation', 'PVOID', 'in', { optional: true }), arg('ThreadInformationLength', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ps',
    note: 'Sets the priority (1..31) or base priority increment (-2..2, or -15/15 saturation) — both go to the thread\'s TCB priority —, the affinity (non-empty, within the process\'s), the impersonation token (an impersonation token handle with TOKEN_IMPERSONATE; NULL reverts), zeroes a TLS slot in every thread of the process, and the priority boost, hide-from-debugger and break-on-termination flags; NtQueryInformationThread reports them.',
  },
  // ---- Se: privileges, token duplication, access checks ----
  {
    name: 'NtAdjustPrivilegesToken',
    args: [
      arg('TokenHandle', 'HANDLE', 'in', { note: 'TOKEN_ADJUST_PRIVILEGES (and TOKEN_QUERY with PreviousState)' }),
      arg('DisableAllPrivileges', 'BOOLEAN'),
      arg('NewState', 'PVOID', 'in', { optional: true, note: 'TOKEN_PRIVILEGES: SE_PRIVILEGE_ENABLED enables, 0 disables, SE_PRIVILEGE_REMOVED removes' }),
      arg('BufferLength', 'ULONG', 'in', { note: 'bytes at PreviousState' }),
      arg('PreviousState', 'PVOID', 'out', { optional: true, note: 'TOKEN_PRIVILEGES: the privileges that changed, with their previous attributes' }),
      arg('ReturnLength', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'Enables, disables or removes privileges the token holds; a privilege it does not hold is skipped and the answer is STATUS_NOT_ALL_ASSIGNED. PreviousState too small: STATUS_BUFFER_TOO_SMALL with the length, nothing changed.',
  },
  {
    name: 'NtDuplicateToken',
    args: [
      arg('ExistingTokenHandle', 'HANDLE', 'in', { note: 'TOKEN_DUPLICATE' }), arg('DesiredAccess', 'ACCESS_MASK'),
      arg('ObjectAttributes', 'POBJECT_ATTRIBUTES', 'in', { optional: true, note: 'SecurityQualityOfService gives the impersonation level (none: SecurityAnonymous)' }),
      arg('EffectiveOnly', 'BOOLEAN', 'in', { note: 'TRUE: disabled privileges and groups are left out' }),
      arg('TokenType', 'ULONG', 'in', { note: '1 TokenPrimary, 2 TokenImpersonation' }),
      arg('NewTokenHandle', 'PHANDLE', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'A new token with the same user, groups and privileges (a copy: later adjustments of either do not affect the other), primary or impersonation at the SQOS level.',
  },
  {
    name: 'NtAccessCheck',
    args: [
      arg('SecurityDescriptor', 'PVOID', 'in', { note: 'SECURITY_DESCRIPTOR, self-relative or absolute; owner and group required' }),
      arg('ClientToken', 'HANDLE', 'in', { note: 'an impersonation token (SecurityIdentification or above), TOKEN_QUERY' }),
      arg('DesiredAccess', 'ACCESS_MASK', 'in', { note: 'generic rights are mapped; MAXIMUM_ALLOWED asks for all the DACL grants' }),
      arg('GenericMapping', 'PVOID', 'in', { size: 16, note: 'GENERIC_MAPPING' }),
      arg('PrivilegeSet', 'PVOID', 'out', { note: 'PRIVILEGE_SET: the privileges used (none)' }),
      arg('PrivilegeSetLength', 'PULONG', 'inout'),
      arg('GrantedAccess', 'PULONG', 'out'), arg('AccessStatus', 'PNTSTATUS', 'out', { size: 4 }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'Evaluates the DACL against the token\'s user and enabled groups: ACCESS_ALLOWED/ACCESS_DENIED ACEs in order (inherit-only ones skipped), the owner implicitly gets READ_CONTROL and WRITE_DAC, a NULL DACL grants everything, an empty DACL nothing. AccessStatus is STATUS_SUCCESS or STATUS_ACCESS_DENIED; the call itself fails for a bad descriptor or token.',
  },
  {
    name: 'NtPrivilegeCheck',
    args: [
      arg('ClientToken', 'HANDLE', 'in', { note: 'TOKEN_QUERY' }),
      arg('RequiredPrivileges', 'PVOID', 'inout', { note: 'PRIVILEGE_SET; Control PRIVILEGE_SET_ALL_NECESSARY (1): all, else any; SE_PRIVILEGE_USED_FOR_ACCESS marks the enabled ones' }),
      arg('Result', 'PBOOLEAN', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'Whether the token has the privileges enabled.',
  },
  {
    name: 'NtOpenProcessTokenEx',
    args: [arg('ProcessHandle', 'HANDLE'), arg('DesiredAccess', 'ACCESS_MASK'), arg('HandleAttributes', 'ULONG', 'in', { note: 'OBJ_INHERIT' }), arg('TokenHandle', 'PHANDLE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'NtOpenProcessToken with handle attributes.',
  },
  {
    name: 'NtOpenThreadTokenEx',
    args: [arg('ThreadHandle', 'HANDLE'), arg('DesiredAccess', 'ACCESS_MASK'), arg('OpenAsSelf', 'BOOLEAN'), arg('HandleAttributes', 'ULONG'), arg('TokenHandle', 'PHANDLE', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Se',
    note: 'The thread\'s impersonation token (set by NtSetInformationThread(ThreadImpersonationToken)); STATUS_NO_TOKEN when it has none. OpenAsSelf makes no difference here (access is not checked against tokens).',
  },
  // ---- Ex: hard errors, shutdown, locale ----
  {
    name: 'NtRaiseHardError',
    args: [
      arg('ErrorStatus', 'NTSTATUS'), arg('NumberOfParameters', 'ULONG', 'in', { note: 'at most 5' }),
      arg('UnicodeStringParameterMask', 'ULONG', 'in', { note: 'bit i: parameter i is a PUNICODE_STRING' }),
      arg('Parameters', 'PULONG_PTR', 'in', { optional: true }),
      arg('ValidResponseOptions', 'ULONG', 'in', { note: 'OptionAbortRetryIgnore 0 .. OptionCancelTryContinue 8' }),
      arg('Response', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'Prints the error (status name and text, parameters) on the console. There is no user to ask: OptionOk and OptionOkNoWait answer ResponseOk (the only choice), every other option ResponseNotHandled; OptionShutdownSystem needs SeShutdownPrivilege (STATUS_PRIVILEGE_NOT_HELD) and does not shut down.',
  },
  {
    name: 'NtShutdownSystem',
    args: [arg('Action', 'ULONG', 'in', { note: '0 ShutdownNoReboot, 1 ShutdownReboot, 2 ShutdownPowerOff' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'Needs SeShutdownPrivilege enabled in the caller\'s token (STATUS_PRIVILEGE_NOT_HELD). Prints a line, ends every process (exit status STATUS_SUCCESS) and the run stops; a reboot is not performed (the run ends the same way and says so).',
  },
  {
    name: 'NtSetDefaultLocale',
    args: [arg('UserProfile', 'BOOLEAN', 'in', { note: 'TRUE: the user locale, FALSE: the system locale' }), arg('DefaultLocaleId', 'ULONG', 'in', { note: 'LCID; 0 with UserProfile: back to the system locale' })],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'Sets the user or system default locale the executive keeps (both start as 0x409, en-US). An LCID with reserved bits or language 0: STATUS_INVALID_PARAMETER.',
  },
  {
    name: 'NtQueryDefaultLocale',
    args: [arg('UserProfile', 'BOOLEAN'), arg('DefaultLocaleId', 'PULONG', 'out')],
    returns: 'NTSTATUS', status: 'implemented', component: 'Ex',
    note: 'The user or system default locale.',
  },
  // ---- Io and Cm: need the I/O manager and the registry (a later issue) ----
  {
    name: 'NtReadFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('Event', 'HANDLE', 'in', { optional: true }), arg('ApcRoutine', 'PVOID', 'in', { optional: true }),
      arg('ApcContext', 'PVOID', 'in', { optional: true }), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'),
      arg('Buffer', 'PVOID', 'out'), arg('Length', 'ULONG'), arg('ByteOffset', 'PLARGE_INTEGER', 'in', { optional: true }),
      arg('Key', 'PULONG', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Io',
    note: 'Reads a \\BootModules file (FILE_READ_DATA) at ByteOffset, synchronously (IoStatusBlock.Information: the bytes read). Boot module handles share one File object with no file pointer, so ByteOffset is required (NULL or FILE_USE_FILE_POINTER_POSITION: STATUS_INVALID_PARAMETER); at or past the end: STATUS_END_OF_FILE. An Event or APC routine (asynchronous completion) and every other file: STATUS_NOT_IMPLEMENTED.',
  },
  {
    name: 'NtWriteFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('Event', 'HANDLE', 'in', { optional: true }), arg('ApcRoutine', 'PVOID', 'in', { optional: true }),
      arg('ApcContext', 'PVOID', 'in', { optional: true }), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'),
      arg('Buffer', 'PVOID', 'in'), arg('Length', 'ULONG'), arg('ByteOffset', 'PLARGE_INTEGER', 'in', { optional: true }),
      arg('Key', 'PULONG', 'in', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems (boot modules are read-only).',
  },
  {
    name: 'NtDeleteFile',
    args: [arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtDeviceIoControlFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('Event', 'HANDLE', 'in', { optional: true }), arg('ApcRoutine', 'PVOID', 'in', { optional: true }),
      arg('ApcContext', 'PVOID', 'in', { optional: true }), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'),
      arg('IoControlCode', 'ULONG'), arg('InputBuffer', 'PVOID', 'in', { optional: true }), arg('InputBufferLength', 'ULONG'),
      arg('OutputBuffer', 'PVOID', 'out', { optional: true }), arg('OutputBufferLength', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and drivers.',
  },
  {
    name: 'NtFsControlFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('Event', 'HANDLE', 'in', { optional: true }), arg('ApcRoutine', 'PVOID', 'in', { optional: true }),
      arg('ApcContext', 'PVOID', 'in', { optional: true }), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'),
      arg('FsControlCode', 'ULONG'), arg('InputBuffer', 'PVOID', 'in', { optional: true }), arg('InputBufferLength', 'ULONG'),
      arg('OutputBuffer', 'PVOID', 'out', { optional: true }), arg('OutputBufferLength', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtSetInformationFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'), arg('FileInformation', 'PVOID', 'in'),
      arg('Length', 'ULONG'), arg('FileInformationClass', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtQueryAttributesFile',
    args: [arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'), arg('FileInformation', 'PVOID', 'out', { note: 'FILE_BASIC_INFORMATION, 40 bytes' })],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtQueryVolumeInformationFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'), arg('FsInformation', 'PVOID', 'out'),
      arg('Length', 'ULONG'), arg('FsInformationClass', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtQueryInformationFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'), arg('FileInformation', 'PVOID', 'out'),
      arg('Length', 'ULONG'), arg('FileInformationClass', 'ULONG', 'in', { note: '5 FileStandardInformation' }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Io',
    note: 'FileStandardInformation (allocation size and end of file, one link, not a directory) of a \\BootModules file; a length below the structure STATUS_INFO_LENGTH_MISMATCH. Other classes (FilePositionInformation too: boot module handles have no file pointer) and other files: STATUS_NOT_IMPLEMENTED (they need the I/O manager).',
  },
  {
    name: 'NtQueryDirectoryFile',
    args: [
      arg('FileHandle', 'HANDLE'), arg('Event', 'HANDLE', 'in', { optional: true }), arg('ApcRoutine', 'PVOID', 'in', { optional: true }),
      arg('ApcContext', 'PVOID', 'in', { optional: true }), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out'),
      arg('FileInformation', 'PVOID', 'out'), arg('Length', 'ULONG'), arg('FileInformationClass', 'ULONG'),
      arg('ReturnSingleEntry', 'BOOLEAN'), arg('FileName', 'PUNICODE_STRING', 'in', { optional: true }), arg('RestartScan', 'BOOLEAN'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtFlushBuffersFile',
    args: [arg('FileHandle', 'HANDLE'), arg('IoStatusBlock', 'PIO_STATUS_BLOCK', 'out')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager and file systems.',
  },
  {
    name: 'NtLoadDriver',
    args: [arg('DriverServiceName', 'PUNICODE_STRING', 'in', { note: 'a registry path \\Registry\\Machine\\System\\CurrentControlSet\\Services\\<name>' })],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager, driver processes and the registry.',
  },
  {
    name: 'NtPlugPlayControl',
    args: [arg('PlugPlayControlClass', 'ULONG'), arg('Buffer', 'PVOID', 'inout'), arg('BufferLength', 'ULONG')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager\'s Plug and Play manager.',
  },
  {
    name: 'NtGetPlugPlayEvent',
    args: [arg('EventHandle', 'HANDLE'), arg('Context', 'PVOID', 'in', { optional: true }), arg('EventBlock', 'PVOID', 'out'), arg('EventBufferSize', 'ULONG')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Io', note: 'Needs the I/O manager\'s Plug and Play manager.',
  },
  {
    name: 'NtOpenKey',
    args: [arg('KeyHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtCreateKey',
    args: [
      arg('KeyHandle', 'PHANDLE', 'out'), arg('DesiredAccess', 'ACCESS_MASK'), arg('ObjectAttributes', 'POBJECT_ATTRIBUTES'),
      arg('TitleIndex', 'ULONG'), arg('Class', 'PUNICODE_STRING', 'in', { optional: true }), arg('CreateOptions', 'ULONG'),
      arg('Disposition', 'PULONG', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtQueryValueKey',
    args: [
      arg('KeyHandle', 'HANDLE'), arg('ValueName', 'PUNICODE_STRING'), arg('KeyValueInformationClass', 'ULONG'),
      arg('KeyValueInformation', 'PVOID', 'out', { optional: true }), arg('Length', 'ULONG'), arg('ResultLength', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtSetValueKey',
    args: [
      arg('KeyHandle', 'HANDLE'), arg('ValueName', 'PUNICODE_STRING'), arg('TitleIndex', 'ULONG'), arg('Type', 'ULONG'),
      arg('Data', 'PVOID', 'in', { optional: true }), arg('DataSize', 'ULONG'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtDeleteKey',
    args: [arg('KeyHandle', 'HANDLE')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtDeleteValueKey',
    args: [arg('KeyHandle', 'HANDLE'), arg('ValueName', 'PUNICODE_STRING')],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtEnumerateKey',
    args: [
      arg('KeyHandle', 'HANDLE'), arg('Index', 'ULONG'), arg('KeyInformationClass', 'ULONG'),
      arg('KeyInformation', 'PVOID', 'out', { optional: true }), arg('Length', 'ULONG'), arg('ResultLength', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtEnumerateValueKey',
    args: [
      arg('KeyHandle', 'HANDLE'), arg('Index', 'ULONG'), arg('KeyValueInformationClass', 'ULONG'),
      arg('KeyValueInformation', 'PVOID', 'out', { optional: true }), arg('Length', 'ULONG'), arg('ResultLength', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  {
    name: 'NtQueryKey',
    args: [
      arg('KeyHandle', 'HANDLE'), arg('KeyInformationClass', 'ULONG'),
      arg('KeyInformation', 'PVOID', 'out', { optional: true }), arg('Length', 'ULONG'), arg('ResultLength', 'PULONG', 'out'),
    ],
    returns: 'NTSTATUS', status: 'not-implemented', component: 'Cm', note: 'Needs the registry (Cm).',
  },
  // ---- LPC direct data path (issue 5; private to ntdll's guest/ntdll/lpc.c) ----
  {
    name: 'NtLpcBindPort',
    args: [
      arg('PortHandle', 'HANDLE'),
      arg('Mode', 'ULONG', 'in', { note: '0: bind to send (a client port), 1: bind to receive (a connection or server port), 0x80000000 | badge: the PortContext of the client port with that badge, 0x40000000 | slot: CNode_SaveCaller of the caller into that slot of its CNode' }),
      arg('BindInfo', 'PLPC_BIND_INFO', 'out', { size: 24 }),
    ],
    returns: 'NTSTATUS', status: 'implemented', component: 'Lpc',
    note: 'Private (ntdll\'s LPC data path, src/executive/lpc/direct.ts): mints the port\'s seL4 endpoint into the calling thread\'s CNode (a client port: send, badged with the port; a connection or server port: receive, with a notification bound to the thread for connection requests and closes) and says where, with the reply-cap slots ntdll may use; or gives a client badge\'s PortContext.',
  },
];

const byName = new Map<string, number>(SERVICES.map((s, i) => [s.name, i]));
if (byName.size !== SERVICES.length) throw new Error('services.ts: duplicate service name');

/** The service of that name, or undefined. */
export function serviceByName(name: string): ServiceDef | undefined {
  const n = byName.get(name);
  return n === undefined ? undefined : SERVICES[n];
}

/** The service number of that name; throws for an unknown name (a typo must not become a silent -1). */
export function serviceNumber(name: string): number {
  const n = byName.get(name);
  if (n === undefined) throw new Error(`unknown NT service ${name}`);
  return n;
}

/** The name of the service's system call stub in ntdll: the Nt name, or Ki<rest> when ntdll implements the Nt name (userMode). */
export function stubName(s: ServiceDef): string {
  return s.userMode === true ? `Ki${s.name.slice(2)}` : s.name;
}

/** Number of 32-bit argument slots the service takes from the stack. */
export function serviceArgSlots(s: ServiceDef): number {
  let n = 0;
  for (const a of s.args) n += a.slots ?? 1;
  return n;
}

/** Bytes of arguments the stub pops (`ret N`): 4 per slot. */
export function serviceArgBytes(s: ServiceDef): number {
  return 4 * serviceArgSlots(s);
}

/** The CPtr of the executive's service endpoint in every NT thread's CSpace (the stub's EBX). */
export const NT_SERVICE_CPTR = 1;
