/*
 * Creating processes and threads the way NT's ntdll does, over the native
 * services:
 *
 *   RtlCreateProcessParameters   one block: the structure, its strings and
 *                                the environment, normalized
 *   RtlCreateUserThread          a stack in the target process (reserve,
 *                                commit, guard page), StartAddress(Parameter)
 *                                on it, NtCreateThread
 *   RtlCreateUserProcess         NtOpenFile + NtCreateSection(SEC_IMAGE) +
 *                                NtCreateProcess + the parameters copied into
 *                                the child (NtAllocateVirtualMemory,
 *                                NtWriteVirtualMemory, PEB->ProcessParameters)
 *                                + the first thread at the image entry,
 *                                suspended (the caller resumes it)
 *
 * The new thread starts in the child's ntdll (LdrInitializeThunk, startup.c),
 * which binds the program's imports and runs DLL initialization before the
 * entry point is reached. ntdll is at the same base in every process, so the
 * return thunks' addresses here are valid in the child too.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define PAGE 0x1000u
#define ALLOCATION_GRANULARITY 0x10000u
#define DEFAULT_STACK_RESERVE 0x100000u
#define DEFAULT_STACK_COMMIT 0x10000u


/* Bytes of an environment block, both terminating NULs included. */
static ULONG env_bytes(PCWSTR env)
{
  ULONG n = 0;
  if (env == NULL) return 4;
  while (env[n] != 0 || env[n + 1] != 0) n++;
  return (n + 2) * 2;
}

/* Appends `src` (or an empty string) to the block at *at as `dst`. */
static void put_string(PRTL_USER_PROCESS_PARAMETERS p, ULONG *at, PUNICODE_STRING dst, PCUNICODE_STRING src)
{
  USHORT len = src != NULL && src->Buffer != NULL ? src->Length : 0;
  PWSTR buf = (PWSTR)((char *)p + *at);
  if (len != 0) RtlCopyMemory(buf, src->Buffer, len);
  buf[len / 2] = 0;
  dst->Length = len;
  dst->MaximumLength = (USHORT)(len + 2);
  dst->Buffer = buf;
  *at += (len + 2 + 3) & ~3u;
}

static ULONG string_room(PCUNICODE_STRING s) { return (((s != NULL && s->Buffer != NULL ? s->Length : 0) + 2 + 3) & ~3u); }

NTSTATUS NTAPI RtlCreateProcessParameters(PRTL_USER_PROCESS_PARAMETERS *ProcessParameters, PUNICODE_STRING ImagePathName,
    PUNICODE_STRING DllPath, PUNICODE_STRING CurrentDirectory, PUNICODE_STRING CommandLine, PWSTR Environment,
    PUNICODE_STRING WindowTitle, PUNICODE_STRING DesktopInfo, PUNICODE_STRING ShellInfo, PUNICODE_STRING RuntimeData)
{
  /* The structure here ends at Environment: window title, desktop, shell
   * and runtime data have no fields to go to and are not kept. */
  (void)WindowTitle; (void)DesktopInfo; (void)ShellInfo; (void)RuntimeData;
  if (ProcessParameters == NULL || ImagePathName == NULL || ImagePathName->Buffer == NULL) return STATUS_INVALID_PARAMETER;
  PRTL_USER_PROCESS_PARAMETERS mine = NtCurrentPeb()->ProcessParameters;
  UNICODE_STRING empty = { 0, 0, NULL };
  if (DllPath == NULL) DllPath = mine != NULL ? &mine->DllPath : &empty;
  if (CurrentDirectory == NULL) CurrentDirectory = mine != NULL ? &mine->CurrentDirectory.DosPath : &empty;
  if (CommandLine == NULL) CommandLine = ImagePathName;
  if (Environment == NULL && mine != NULL) Environment = mine->Environment;
  ULONG size = (sizeof(RTL_USER_PROCESS_PARAMETERS) + 3) & ~3u;
  size += string_room(CurrentDirectory) + string_room(DllPath) + string_room(ImagePathName) + string_room(CommandLine);
  size += env_bytes(Environment);
  PVOID base = NULL;
  SIZE_T region = size;
  NTSTATUS st = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &region, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(st)) return st;
  PRTL_USER_PROCESS_PARAMETERS p = base; /* committed memory reads as zero */
  p->MaximumLength = size;
  p->Length = size;
  p->Flags = RTL_USER_PROC_PARAMS_NORMALIZED;
  ULONG at = (sizeof(RTL_USER_PROCESS_PARAMETERS) + 3) & ~3u;
  put_string(p, &at, &p->CurrentDirectory.DosPath, CurrentDirectory);
  put_string(p, &at, &p->DllPath, DllPath);
  put_string(p, &at, &p->ImagePathName, ImagePathName);
  put_string(p, &at, &p->CommandLine, CommandLine);
  p->Environment = (PWSTR)((char *)p + at);
  if (Environment != NULL) RtlCopyMemory(p->Environment, Environment, env_bytes(Environment));
  *ProcessParameters = p;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlDestroyProcessParameters(PRTL_USER_PROCESS_PARAMETERS ProcessParameters)
{
  PVOID base = ProcessParameters;
  SIZE_T size = 0;
  return NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE);
}

/* The strings' Buffers as offsets from the block (denormalized) or absolute (normalized). */
#define FOR_EACH_STRING(p, S) S(p->CurrentDirectory.DosPath) S(p->DllPath) S(p->ImagePathName) S(p->CommandLine)

PRTL_USER_PROCESS_PARAMETERS NTAPI RtlNormalizeProcessParams(PRTL_USER_PROCESS_PARAMETERS p)
{
  if (p == NULL || (p->Flags & RTL_USER_PROC_PARAMS_NORMALIZED)) return p;
#define NORMALIZE(s) if ((s).Buffer != NULL) (s).Buffer = (PWSTR)((char *)p + (ULONG_PTR)(s).Buffer);
  FOR_EACH_STRING(p, NORMALIZE)
  p->Flags |= RTL_USER_PROC_PARAMS_NORMALIZED;
  return p;
}

PRTL_USER_PROCESS_PARAMETERS NTAPI RtlDeNormalizeProcessParams(PRTL_USER_PROCESS_PARAMETERS p)
{
  if (p == NULL || !(p->Flags & RTL_USER_PROC_PARAMS_NORMALIZED)) return p;
#define DENORMALIZE(s) if ((s).Buffer != NULL) (s).Buffer = (PWSTR)((char *)(s).Buffer - (char *)p);
  FOR_EACH_STRING(p, DENORMALIZE)
  p->Flags &= ~RTL_USER_PROC_PARAMS_NORMALIZED;
  return p;
}

/* DLL_THREAD_DETACH (and the thread's TLS freed), then the thread ends. */
VOID NTAPI RtlExitUserThread(NTSTATUS Status)
{
  LdrShutdownThread();
  NtTerminateThread(NtCurrentThread(), Status);
}

/* The return address under a thread routine made by RtlCreateUserThread: RtlExitUserThread(EAX). */
__attribute__((naked)) static void RtlpThreadReturnThunk(void)
{
  __asm__ volatile(
      "pushl %eax\n\t"                          /* Status */
      "call _RtlExitUserThread@4\n\t"
      "ud2");
}

static void free_in(HANDLE process, PVOID base)
{
  SIZE_T size = 0;
  NtFreeVirtualMemory(process, &base, &size, MEM_RELEASE);
}

/* RtlCreateUserThread with the return address the routine gets. */
static NTSTATUS create_thread(HANDLE process, BOOLEAN suspended, SIZE_T reserve, SIZE_T commit, PVOID start, PVOID parameter,
    PVOID returnAddress, PHANDLE thread, PCLIENT_ID cid)
{
  if (start == NULL) return STATUS_INVALID_PARAMETER;
  if (reserve == 0) reserve = DEFAULT_STACK_RESERVE;
  if (commit == 0) commit = DEFAULT_STACK_COMMIT;
  reserve = (reserve + ALLOCATION_GRANULARITY - 1) & ~(ALLOCATION_GRANULARITY - 1);
  commit = (commit + PAGE - 1) & ~(PAGE - 1);
  if (reserve < commit + 2 * PAGE) reserve = (commit + 2 * PAGE + ALLOCATION_GRANULARITY - 1) & ~(ALLOCATION_GRANULARITY - 1);
  PVOID base = NULL;
  SIZE_T size = reserve;
  NTSTATUS st = NtAllocateVirtualMemory(process, &base, 0, &size, MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(st)) return st;
  char *top = (char *)base + reserve;
  PVOID at = top - commit;
  size = commit;
  st = NtAllocateVirtualMemory(process, &at, 0, &size, MEM_COMMIT, PAGE_READWRITE);
  PVOID guard = top - commit - PAGE;
  size = PAGE;
  if (NT_SUCCESS(st)) st = NtAllocateVirtualMemory(process, &guard, 0, &size, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  /* [ESP] = return address, [ESP+4] = parameter; ESP + 4 16-byte aligned as after a call. */
  ULONG frame[2] = { (ULONG)(ULONG_PTR)returnAddress, (ULONG)(ULONG_PTR)parameter };
  char *sp = top - 16 - sizeof(frame);
  if (NT_SUCCESS(st)) st = NtWriteVirtualMemory(process, sp, frame, sizeof(frame), NULL);
  if (!NT_SUCCESS(st)) { free_in(process, base); return st; }
  CONTEXT ctx;
  RtlZeroMemory(&ctx, sizeof(ctx));
  ctx.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
  ctx.Eip = (ULONG)(ULONG_PTR)start;
  ctx.Esp = (ULONG)(ULONG_PTR)sp;
  ctx.EFlags = 0x202;
  INITIAL_TEB teb;
  RtlZeroMemory(&teb, sizeof(teb));
  teb.StackBase = top;
  teb.StackLimit = top - commit;
  teb.AllocatedStackBase = base;
  HANDLE h;
  CLIENT_ID id;
  st = NtCreateThread(&h, THREAD_ALL_ACCESS, NULL, process, &id, &ctx, &teb, suspended);
  if (!NT_SUCCESS(st)) { free_in(process, base); return st; }
  if (thread != NULL) *thread = h; else NtClose(h);
  if (cid != NULL) *cid = id;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlCreateUserThread(HANDLE Process, PVOID ThreadSecurityDescriptor, BOOLEAN CreateSuspended, ULONG StackZeroBits,
    SIZE_T StackReserve, SIZE_T StackCommit, PUSER_THREAD_START_ROUTINE StartAddress, PVOID Parameter, PHANDLE Thread, PCLIENT_ID ClientId)
{
  (void)ThreadSecurityDescriptor; (void)StackZeroBits; /* no security descriptors; stacks go anywhere */
  return create_thread(Process, CreateSuspended, StackReserve, StackCommit, (PVOID)StartAddress, Parameter,
                       (PVOID)RtlpThreadReturnThunk, Thread, ClientId);
}

/*
 * Copies the parameter block into `process` and points its PEB at it. The
 * copy's strings (and the environment, when it is inside the block) are
 * rebased to where the block lands; an environment outside the block is
 * copied on its own.
 */
static NTSTATUS copy_parameters(HANDLE process, PPEB childPeb, PRTL_USER_PROCESS_PARAMETERS params)
{
  BOOLEAN normalized = (params->Flags & RTL_USER_PROC_PARAMS_NORMALIZED) != 0;
  ULONG size = params->MaximumLength > params->Length ? params->MaximumLength : params->Length;
  if (size < sizeof(RTL_USER_PROCESS_PARAMETERS)) return STATUS_INVALID_PARAMETER;
  char *env = (char *)params->Environment;
  BOOLEAN envInside = env >= (char *)params && env < (char *)params + size;
  ULONG envSize = env != NULL && !envInside ? env_bytes(params->Environment) : 0;
  PVOID remote = NULL;
  SIZE_T region = size + envSize;
  NTSTATUS st = NtAllocateVirtualMemory(process, &remote, 0, &region, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(st)) return st;
  PVOID local = NULL;
  region = size;
  st = NtAllocateVirtualMemory(NtCurrentProcess(), &local, 0, &region, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(st)) return st;
  RtlCopyMemory(local, params, size);
  PRTL_USER_PROCESS_PARAMETERS copy = local;
  ULONG_PTR from = normalized ? (ULONG_PTR)params : 0, to = (ULONG_PTR)remote;
#define REBASE(s) if ((s).Buffer != NULL) (s).Buffer = (PWSTR)((ULONG_PTR)(s).Buffer - from + to);
  FOR_EACH_STRING(copy, REBASE)
  copy->Flags |= RTL_USER_PROC_PARAMS_NORMALIZED;
  if (envInside) copy->Environment = (PWSTR)((ULONG_PTR)env - (ULONG_PTR)params + to);
  else if (env != NULL) {
    copy->Environment = (PWSTR)(to + size);
    st = NtWriteVirtualMemory(process, (char *)remote + size, env, envSize, NULL);
  }
  if (NT_SUCCESS(st)) st = NtWriteVirtualMemory(process, remote, copy, size, NULL);
  if (NT_SUCCESS(st)) st = NtWriteVirtualMemory(process, &childPeb->ProcessParameters, &remote, sizeof(remote), NULL);
  free_in(NtCurrentProcess(), local);
  return st;
}

NTSTATUS NTAPI RtlCreateUserProcess(PUNICODE_STRING NtImagePathName, ULONG Attributes, PRTL_USER_PROCESS_PARAMETERS ProcessParameters,
    PVOID ProcessSecurityDescriptor, PVOID ThreadSecurityDescriptor, HANDLE ParentProcess, BOOLEAN InheritHandles,
    HANDLE DebugPort, HANDLE ExceptionPort, PRTL_USER_PROCESS_INFORMATION ProcessInformation)
{
  (void)ThreadSecurityDescriptor;
  if (NtImagePathName == NULL || ProcessParameters == NULL || ProcessInformation == NULL) return STATUS_INVALID_PARAMETER;
  OBJECT_ATTRIBUTES oa;
  IO_STATUS_BLOCK iosb;
  HANDLE file, section, process;
  InitializeObjectAttributes(&oa, NtImagePathName, Attributes, NULL, ProcessSecurityDescriptor);
  NTSTATUS st = NtOpenFile(&file, SYNCHRONIZE | FILE_READ_DATA | FILE_EXECUTE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_DELETE,
                           FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
  if (!NT_SUCCESS(st)) return st;
  st = NtCreateSection(&section, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, file);
  NtClose(file);
  if (!NT_SUCCESS(st)) return st;
  st = NtCreateProcess(&process, PROCESS_ALL_ACCESS, NULL, ParentProcess != NULL ? ParentProcess : NtCurrentProcess(),
                       InheritHandles, section, DebugPort, ExceptionPort);
  if (NT_SUCCESS(st)) {
    st = NtQuerySection(section, SectionImageInformation, &ProcessInformation->ImageInformation, sizeof(SECTION_IMAGE_INFORMATION), NULL);
    if (!NT_SUCCESS(st)) { NtTerminateProcess(process, st); NtClose(process); }
  }
  NtClose(section);
  if (!NT_SUCCESS(st)) return st;
  PROCESS_BASIC_INFORMATION pbi;
  st = NtQueryInformationProcess(process, 0, &pbi, sizeof(pbi), NULL);
  if (NT_SUCCESS(st)) st = copy_parameters(process, pbi.PebBaseAddress, ProcessParameters);
  if (NT_SUCCESS(st)) {
    SECTION_IMAGE_INFORMATION *ii = &ProcessInformation->ImageInformation;
    st = create_thread(process, TRUE, ii->MaximumStackSize, ii->CommittedStackSize, ii->TransferAddress, pbi.PebBaseAddress,
                       (PVOID)LdrpProcessReturnThunk, &ProcessInformation->Thread, &ProcessInformation->ClientId);
  }
  if (!NT_SUCCESS(st)) {
    NtTerminateProcess(process, st);
    NtClose(process);
    return st;
  }
  ProcessInformation->Length = sizeof(RTL_USER_PROCESS_INFORMATION);
  ProcessInformation->Process = process;
  return STATUS_SUCCESS;
}
