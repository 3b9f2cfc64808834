/**
 * Offsets of the NT x86 user-mode structures the engine writes for a process
 * (the same offsets as Windows NT on i386; the guest headers in
 * guest/sdk/include static-assert them). Imported by the host side that
 * builds processes and by the tests; owned by neither.
 */
export const TEB = {
  ExceptionList: 0x00,
  StackBase: 0x04,
  StackLimit: 0x08,
  Self: 0x18,
  UniqueProcess: 0x20,
  UniqueThread: 0x24,
  ProcessEnvironmentBlock: 0x30,
  LastErrorValue: 0x34,
  SIZE: 0x1000,
} as const;

export const PEB = {
  ImageBaseAddress: 0x08,
  Ldr: 0x0c,
  ProcessParameters: 0x10,
  ProcessHeap: 0x18,
  NumberOfProcessors: 0x64,
  SIZE: 0x1000,
} as const;

export const PROCESS_PARAMETERS = {
  MaximumLength: 0x00,
  Length: 0x04,
  Flags: 0x08,
  ConsoleHandle: 0x10,
  StandardInput: 0x18,
  StandardOutput: 0x1c,
  StandardError: 0x20,
  CurrentDirectoryDosPath: 0x24,
  CurrentDirectoryHandle: 0x2c,
  DllPath: 0x30,
  ImagePathName: 0x38,
  CommandLine: 0x40,
  Environment: 0x48,
  /** sizeof(RTL_USER_PROCESS_PARAMETERS) on x86 NT 5.x. */
  SIZE: 0x290,
  /** Flags: pointers are absolute addresses, not offsets. */
  FLAG_NORMALIZED: 1,
} as const;

/** UNICODE_STRING: Length (bytes, u16), MaximumLength (u16), Buffer (pointer). */
export const UNICODE_STRING_SIZE = 8;

/** The pseudo-handle NtCurrentProcess(): (HANDLE)-1. */
export const NT_CURRENT_PROCESS = 0xffffffff;
/** NtCurrentThread(): (HANDLE)-2. */
export const NT_CURRENT_THREAD = 0xfffffffe;

/** MEM_* allocation types and PAGE_* protections (winnt.h). */
export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_DECOMMIT = 0x4000;
export const MEM_RELEASE = 0x8000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_TOP_DOWN = 0x100000;

export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;

/** Lowest and highest user addresses of an NT x86 process (the first 64 KiB and the last 64 KiB below 2 GiB are never mapped). */
export const MM_LOWEST_USER_ADDRESS = 0x10000;
export const MM_HIGHEST_USER_ADDRESS = 0x7ffeffff;
/** KUSER_SHARED_DATA, read-only in every process. */
export const KUSER_SHARED_DATA = 0x7ffe0000;
/** Allocation granularity of NtAllocateVirtualMemory reservations. */
export const ALLOCATION_GRANULARITY = 0x10000;
