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
 * Syscall ABI (x86, the foundation form): EAX = service number, EDX = address
 * of the first argument on the caller's stack (the stub is
 * `mov eax, N; lea edx, [esp+4]; int 0x2e; ret 4*slots`), NTSTATUS in EAX.
 */

/** Direction of the data an argument points to (for by-value arguments: 'in'). */
export type ArgDirection = 'in' | 'out' | 'inout';

/** Which part of the system serves the call (the early layer comes first, the executive replaces it). */
export type ServiceLayer = 'early' | 'executive';

export interface ServiceArg {
  /** Parameter name as in the NT headers (BaseAddress, RegionSize...). */
  readonly name: string;
  /** C type as the guest headers spell it (HANDLE, PVOID *, PUNICODE_STRING, ULONG...). */
  readonly type: string;
  /** Direction of the data: 'in' for values and read-only pointers, 'out'/'inout' for what the service writes. */
  readonly dir: ArgDirection;
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
  readonly layer: ServiceLayer;
  /** What the service does here, and what of NT's behaviour is (not yet) covered. */
  readonly note: string;
}

function arg(name: string, type: string, dir: ArgDirection = 'in', extra: Partial<Pick<ServiceArg, 'optional' | 'note' | 'slots'>> = {}): ServiceArg {
  return { name, type, dir, ...extra };
}

/** The table. Index = service number; append only. */
export const SERVICES: readonly ServiceDef[] = [
  {
    name: 'NtTerminateProcess',
    args: [
      arg('ProcessHandle', 'HANDLE', 'in', { optional: true, note: 'NtCurrentProcess() = (HANDLE)-1; NULL also means the caller\'s process' }),
      arg('ExitStatus', 'NTSTATUS'),
    ],
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'Ends the process with ExitStatus as its exit code; does not return when the target is the caller.',
  },
  {
    name: 'NtDisplayString',
    args: [arg('String', 'PUNICODE_STRING', 'in', { note: 'UTF-16, Length in bytes, at most 32 KiB per call' })],
    returns: 'NTSTATUS',
    layer: 'early',
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
      arg('Protect', 'ULONG', 'in', { note: 'PAGE_*' }),
    ],
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'Reserves and/or commits a region of the process address space; new pages read as zero.',
  },
  {
    name: 'NtFreeVirtualMemory',
    args: [
      arg('ProcessHandle', 'HANDLE'),
      arg('BaseAddress', 'PVOID *', 'inout'),
      arg('RegionSize', 'PSIZE_T', 'inout', { note: '0 with MEM_RELEASE: the whole reservation' }),
      arg('FreeType', 'ULONG', 'in', { note: 'MEM_DECOMMIT or MEM_RELEASE' }),
    ],
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'Decommits or releases a region.',
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
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'Changes the protection of committed pages; returns the old protection of the first page.',
  },
  {
    name: 'NtQueryPerformanceCounter',
    args: [
      arg('PerformanceCounter', 'PLARGE_INTEGER', 'out'),
      arg('PerformanceFrequency', 'PLARGE_INTEGER', 'out', { optional: true }),
    ],
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'A monotonic counter and its frequency in counts per second.',
  },
  {
    name: 'NtQuerySystemTime',
    args: [arg('SystemTime', 'PLARGE_INTEGER', 'out', { note: '100 ns units since 1601-01-01 UTC' })],
    returns: 'NTSTATUS',
    layer: 'early',
    note: 'The current system time (UTC).',
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
