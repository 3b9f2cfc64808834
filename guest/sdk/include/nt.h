/*
 * nt.h: the native NT API for guest programs on neptune (i686, PE32).
 *
 * Native types, the user-mode structures the system builds for a process
 * (TEB, PEB, RTL_USER_PROCESS_PARAMETERS) with their real NT x86 offsets
 * (static-asserted below, since the engine writes them from
 * src/abi/layouts.ts), the Nt* system services (generated from
 * src/abi/services.ts) and the Rtl* functions ntdll.dll exports.
 */
#ifndef NEPTUNE_NT_H
#define NEPTUNE_NT_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__i386__)
#error "nt.h describes the i386 NT ABI: compile with --target=i686-pc-windows-msvc"
#endif

/* --- calling conventions and linkage ---------------------------------- */
#define NTAPI __stdcall
#define WINAPI __stdcall
#define CDECL __cdecl
/* Inside ntdll the functions are defined; everywhere else they are imported
 * (call [__imp__Name@N] instead of going through a jump thunk). */
#ifdef NEPTUNE_BUILDING_NTDLL
#define NTSYSAPI
#else
#define NTSYSAPI __declspec(dllimport)
#endif

#define IN
#define OUT
#define OPTIONAL
#define FALSE 0
#define TRUE 1
#ifndef NULL
#define NULL ((void *)0)
#endif

/* --- base types (ILP32) --------------------------------------------------- */
typedef void VOID, *PVOID, **PPVOID;
typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE, BOOLEAN, *PBOOLEAN;
typedef short SHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT, WORD, *PWORD;
typedef uint16_t WCHAR, *PWCHAR, *PWSTR, *LPWSTR;
typedef const uint16_t *PCWSTR, *LPCWSTR;
typedef int INT, *PINT, BOOL;
typedef unsigned int UINT, *PUINT;
typedef long LONG, *PLONG;
typedef unsigned long ULONG, *PULONG, DWORD, *PDWORD;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef int32_t LONG_PTR, *PLONG_PTR;
typedef uint32_t ULONG_PTR, *PULONG_PTR, SIZE_T, *PSIZE_T, DWORD_PTR;
typedef int32_t SSIZE_T;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef PVOID HANDLE, *PHANDLE;
typedef ULONG ACCESS_MASK;
typedef ULONG LOGICAL;

typedef union _LARGE_INTEGER {
  struct { ULONG LowPart; LONG HighPart; };
  struct { ULONG LowPart; LONG HighPart; } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  struct { ULONG LowPart; ULONG HighPart; };
  struct { ULONG LowPart; ULONG HighPart; } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

/* Counted strings: Length and MaximumLength are in bytes, Buffer need not be
 * NUL-terminated. */
typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
  USHORT Length;
  USHORT MaximumLength;
  PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING;

typedef struct _CLIENT_ID {
  HANDLE UniqueProcess;
  HANDLE UniqueThread;
} CLIENT_ID, *PCLIENT_ID;

/* LPC messages: a 24-byte header, then up to 256 bytes of data. */
typedef struct _PORT_MESSAGE {
  USHORT DataLength;
  USHORT TotalLength;
  USHORT Type;
  USHORT DataInfoOffset;
  CLIENT_ID ClientId;
  ULONG MessageId;
  ULONG ClientViewSize;
} PORT_MESSAGE, *PPORT_MESSAGE;
#define LPC_REQUEST 1
#define LPC_REPLY 2
#define LPC_PORT_CLOSED 5
#define LPC_CONNECTION_REQUEST 10
/* NtLpcBindPort's answer (private to ntdll's LPC data path, guest/ntdll/lpc.c). */
typedef struct _LPC_BIND_INFO {
  ULONG EndpointCPtr; /* the port's endpoint in the calling thread's CNode */
  ULONG SelfCPtr;     /* 0: SaveCaller is asked of the executive (Mode 0x40000000 | slot) */
  ULONG ReplyFirst;   /* [ReplyFirst, ReplyEnd): slots for saved reply caps */
  ULONG ReplyEnd;
  ULONG Badge;        /* a client port's badge */
  PVOID Context;      /* a badge's PortContext (query) */
} LPC_BIND_INFO, *PLPC_BIND_INFO;
#define PORT_MAXIMUM_MESSAGE_LENGTH 256
/* LPC port views: a section mapped into both sides at connection. */
typedef struct _PORT_VIEW {
  ULONG Length;          /* sizeof(PORT_VIEW) = 24 */
  HANDLE SectionHandle;
  ULONG SectionOffset;
  SIZE_T ViewSize;
  PVOID ViewBase;        /* out: the view here */
  PVOID ViewRemoteBase;  /* out: the view in the other process */
} PORT_VIEW, *PPORT_VIEW;
typedef struct _REMOTE_PORT_VIEW {
  ULONG Length;          /* sizeof(REMOTE_PORT_VIEW) = 12 */
  SIZE_T ViewSize;
  PVOID ViewBase;        /* out: the other side's view as mapped here */
} REMOTE_PORT_VIEW, *PREMOTE_PORT_VIEW;
_Static_assert(sizeof(PORT_VIEW) == 24, "PORT_VIEW is 24 bytes");
_Static_assert(sizeof(REMOTE_PORT_VIEW) == 12, "REMOTE_PORT_VIEW is 12 bytes");

/* The stack a thread is created on (NtCreateThread). */
typedef struct _INITIAL_TEB {
  PVOID PreviousStackBase;
  PVOID PreviousStackLimit;
  PVOID StackBase;
  PVOID StackLimit;
  PVOID AllocatedStackBase;
} INITIAL_TEB, *PINITIAL_TEB;

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY *Flink;
  struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)
#define NtCurrentThread() ((HANDLE)(LONG_PTR)-2)

#include <ntstatus.gen.h>

/* --- memory manager constants (winnt.h) ----------------------------------- */
#define MEM_COMMIT 0x1000
#define MEM_RESERVE 0x2000
#define MEM_DECOMMIT 0x4000
#define MEM_RELEASE 0x8000
#define MEM_TOP_DOWN 0x100000
#define PAGE_NOACCESS 0x01
#define PAGE_READONLY 0x02
#define PAGE_READWRITE 0x04
#define PAGE_WRITECOPY 0x08
#define PAGE_EXECUTE 0x10
#define PAGE_EXECUTE_READ 0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_GUARD 0x100

/* --- process structures ----------------------------------------------------- */
typedef struct _CURDIR {
  UNICODE_STRING DosPath;
  HANDLE Handle;
} CURDIR, *PCURDIR;

/* What the system hands a process about its start: command line, environment,
 * standard handles. Flags bit 0 (RTL_USER_PROC_PARAMS_NORMALIZED) = the Buffer
 * pointers are absolute addresses; neptune always passes it normalized. */
#define RTL_USER_PROC_PARAMS_NORMALIZED 0x00000001
typedef struct _RTL_USER_PROCESS_PARAMETERS {
  ULONG MaximumLength;          /* 0x00 */
  ULONG Length;                 /* 0x04 */
  ULONG Flags;                  /* 0x08 */
  ULONG DebugFlags;             /* 0x0C */
  HANDLE ConsoleHandle;         /* 0x10 */
  ULONG ConsoleFlags;           /* 0x14 */
  HANDLE StandardInput;         /* 0x18 */
  HANDLE StandardOutput;        /* 0x1C */
  HANDLE StandardError;         /* 0x20 */
  CURDIR CurrentDirectory;      /* 0x24 */
  UNICODE_STRING DllPath;       /* 0x30 */
  UNICODE_STRING ImagePathName; /* 0x38 */
  UNICODE_STRING CommandLine;   /* 0x40 */
  PWSTR Environment;            /* 0x48: NAME=VALUE\0 ... \0\0 in UTF-16 */
} RTL_USER_PROCESS_PARAMETERS, *PRTL_USER_PROCESS_PARAMETERS;

typedef struct _PEB_LDR_DATA *PPEB_LDR_DATA;

/* Only the fields neptune fills are named; the rest is padding that keeps
 * the NT x86 offsets. */
typedef struct _PEB {
  BOOLEAN InheritedAddressSpace;   /* 0x00 */
  BOOLEAN ReadImageFileExecOptions;
  BOOLEAN BeingDebugged;
  BOOLEAN SpareBool;
  HANDLE Mutant;                   /* 0x04 */
  PVOID ImageBaseAddress;          /* 0x08 */
  PPEB_LDR_DATA Ldr;               /* 0x0C */
  PRTL_USER_PROCESS_PARAMETERS ProcessParameters; /* 0x10 */
  PVOID SubSystemData;             /* 0x14 */
  PVOID ProcessHeap;               /* 0x18 */
  UCHAR Reserved1C[0x64 - 0x1C];
  ULONG NumberOfProcessors;        /* 0x64 */
  ULONG NtGlobalFlag;              /* 0x68 */
} PEB, *PPEB;

typedef struct _EXCEPTION_REGISTRATION_RECORD *PEXCEPTION_REGISTRATION_RECORD;

typedef struct _NT_TIB {
  PEXCEPTION_REGISTRATION_RECORD ExceptionList; /* 0x00 */
  PVOID StackBase;                 /* 0x04 */
  PVOID StackLimit;                /* 0x08 */
  PVOID SubSystemTib;              /* 0x0C */
  PVOID FiberData;                 /* 0x10 */
  PVOID ArbitraryUserPointer;      /* 0x14 */
  struct _NT_TIB *Self;            /* 0x18 */
} NT_TIB, *PNT_TIB;

typedef struct _TEB {
  NT_TIB NtTib;                    /* 0x00 */
  PVOID EnvironmentPointer;        /* 0x1C */
  CLIENT_ID ClientId;              /* 0x20 */
  PVOID ActiveRpcHandle;           /* 0x28 */
  PVOID ThreadLocalStoragePointer; /* 0x2C */
  PPEB ProcessEnvironmentBlock;    /* 0x30 */
  ULONG LastErrorValue;            /* 0x34 */
} TEB, *PTEB;

#define NT_ASSERT_OFFSET(t, f, o) _Static_assert(offsetof(t, f) == (o), #t "." #f " must be at " #o)
NT_ASSERT_OFFSET(TEB, NtTib.ExceptionList, 0x00);
NT_ASSERT_OFFSET(TEB, NtTib.StackBase, 0x04);
NT_ASSERT_OFFSET(TEB, NtTib.StackLimit, 0x08);
NT_ASSERT_OFFSET(TEB, NtTib.Self, 0x18);
NT_ASSERT_OFFSET(TEB, ClientId.UniqueProcess, 0x20);
NT_ASSERT_OFFSET(TEB, ClientId.UniqueThread, 0x24);
NT_ASSERT_OFFSET(TEB, ProcessEnvironmentBlock, 0x30);
NT_ASSERT_OFFSET(TEB, LastErrorValue, 0x34);
NT_ASSERT_OFFSET(PEB, ImageBaseAddress, 0x08);
NT_ASSERT_OFFSET(PEB, Ldr, 0x0C);
NT_ASSERT_OFFSET(PEB, ProcessParameters, 0x10);
NT_ASSERT_OFFSET(PEB, ProcessHeap, 0x18);
NT_ASSERT_OFFSET(PEB, NumberOfProcessors, 0x64);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, MaximumLength, 0x00);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, Length, 0x04);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, Flags, 0x08);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, ConsoleHandle, 0x10);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardInput, 0x18);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardOutput, 0x1C);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, StandardError, 0x20);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CurrentDirectory.DosPath, 0x24);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CurrentDirectory.Handle, 0x2C);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, DllPath, 0x30);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, ImagePathName, 0x38);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, CommandLine, 0x40);
NT_ASSERT_OFFSET(RTL_USER_PROCESS_PARAMETERS, Environment, 0x48);
_Static_assert(sizeof(UNICODE_STRING) == 8, "UNICODE_STRING is 8 bytes");
_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 8 bytes");

/* The TEB of the calling thread: FS:[0x18] is its own linear address. */
static __inline PTEB NtCurrentTeb(void)
{
  PTEB teb;
  __asm__("movl %%fs:0x18, %0" : "=r"(teb));
  return teb;
}
#define NtCurrentPeb() (NtCurrentTeb()->ProcessEnvironmentBlock)

/* --- system services (generated from src/abi/services.ts) ---------------- */
/* Object attributes (OBJ_* flags) for the Ob services. */
#define OBJ_INHERIT 0x00000002L
#define OBJ_PERMANENT 0x00000010L
#define OBJ_EXCLUSIVE 0x00000020L
#define OBJ_CASE_INSENSITIVE 0x00000040L
#define OBJ_OPENIF 0x00000080L
#define OBJ_OPENLINK 0x00000100L
typedef struct _OBJECT_ATTRIBUTES {
  ULONG Length;
  HANDLE RootDirectory;
  PUNICODE_STRING ObjectName;
  ULONG Attributes;
  PVOID SecurityDescriptor;
  PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES, *POBJECT_ATTRIBUTES;
_Static_assert(sizeof(OBJECT_ATTRIBUTES) == 24, "OBJECT_ATTRIBUTES is 24 bytes");
#define InitializeObjectAttributes(p, n, a, r, s) do { \
    (p)->Length = sizeof(OBJECT_ATTRIBUTES); (p)->RootDirectory = (r); (p)->Attributes = (a); \
    (p)->ObjectName = (n); (p)->SecurityDescriptor = (s); (p)->SecurityQualityOfService = NULL; } while (0)

typedef struct _MEMORY_BASIC_INFORMATION {
  PVOID BaseAddress;
  PVOID AllocationBase;
  ULONG AllocationProtect;
  SIZE_T RegionSize;
  ULONG State;
  ULONG Protect;
  ULONG Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

/* --- exceptions (i386 layouts) ------------------------------------------- */
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#define EXCEPTION_NONCONTINUABLE 0x01
#define EXCEPTION_UNWINDING 0x02
#define EXCEPTION_EXIT_UNWIND 0x04
#define EXCEPTION_NESTED_CALL 0x10
typedef struct _EXCEPTION_RECORD {
  NTSTATUS ExceptionCode;
  ULONG ExceptionFlags;
  struct _EXCEPTION_RECORD *ExceptionRecord;
  PVOID ExceptionAddress;
  ULONG NumberParameters;
  ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;
_Static_assert(sizeof(EXCEPTION_RECORD) == 0x50, "EXCEPTION_RECORD is 0x50 bytes");

#define CONTEXT_i386 0x00010000
#define CONTEXT_CONTROL (CONTEXT_i386 | 0x01)
#define CONTEXT_INTEGER (CONTEXT_i386 | 0x02)
#define CONTEXT_SEGMENTS (CONTEXT_i386 | 0x04)
#define CONTEXT_FLOATING_POINT (CONTEXT_i386 | 0x08)
#define CONTEXT_EXTENDED_REGISTERS (CONTEXT_i386 | 0x20)
#define CONTEXT_FULL (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS)
typedef struct _FLOATING_SAVE_AREA {
  ULONG ControlWord, StatusWord, TagWord, ErrorOffset, ErrorSelector, DataOffset, DataSelector;
  UCHAR RegisterArea[80];
  ULONG Cr0NpxState;
} FLOATING_SAVE_AREA;
typedef struct _CONTEXT {
  ULONG ContextFlags;
  ULONG Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
  FLOATING_SAVE_AREA FloatSave;
  ULONG SegGs, SegFs, SegEs, SegDs;
  ULONG Edi, Esi, Ebx, Edx, Ecx, Eax;
  ULONG Ebp, Eip, SegCs, EFlags, Esp, SegSs;
  UCHAR ExtendedRegisters[512];
} CONTEXT, *PCONTEXT;
_Static_assert(sizeof(CONTEXT) == 0x2cc, "CONTEXT is 0x2cc bytes");

typedef enum _EXCEPTION_DISPOSITION {
  ExceptionContinueExecution = 0,
  ExceptionContinueSearch = 1,
  ExceptionNestedException = 2,
  ExceptionCollidedUnwind = 3,
} EXCEPTION_DISPOSITION;
typedef EXCEPTION_DISPOSITION (__cdecl *PEXCEPTION_ROUTINE)(PEXCEPTION_RECORD, PVOID EstablisherFrame, PCONTEXT, PVOID DispatcherContext);
typedef struct _EXCEPTION_REGISTRATION_RECORD {
  struct _EXCEPTION_REGISTRATION_RECORD *Next;
  PEXCEPTION_ROUTINE Handler;
} EXCEPTION_REGISTRATION_RECORD;
#define EXCEPTION_CHAIN_END ((PEXCEPTION_REGISTRATION_RECORD)-1)

/* Unwinding, raising and vectored handlers (guest/ntdll/exception.c,
 * vectored.c) and the frame handler of compiler-made __try/__except/
 * __finally (except_handler3.c). */
typedef struct _EXCEPTION_POINTERS {
  PEXCEPTION_RECORD ExceptionRecord;
  PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;
typedef LONG (NTAPI *PVECTORED_EXCEPTION_HANDLER)(PEXCEPTION_POINTERS ExceptionInfo);
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
/* clang's intrinsics for __except filters and blocks, and __finally blocks. */
unsigned long __cdecl _exception_code(void);
void *__cdecl _exception_info(void);
int __cdecl _abnormal_termination(void);
#define GetExceptionCode() ((NTSTATUS)_exception_code())
#define GetExceptionInformation() ((PEXCEPTION_POINTERS)_exception_info())
#define AbnormalTermination() _abnormal_termination()
NTSYSAPI VOID NTAPI RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue);
NTSYSAPI VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD ExceptionRecord);
NTSYSAPI VOID NTAPI RtlCaptureContext(PCONTEXT ContextRecord);
NTSYSAPI PVOID NTAPI RtlAddVectoredExceptionHandler(ULONG First, PVECTORED_EXCEPTION_HANDLER Handler);
NTSYSAPI ULONG NTAPI RtlRemoveVectoredExceptionHandler(PVOID Handle);
EXCEPTION_DISPOSITION __cdecl _except_handler3(PEXCEPTION_RECORD, PVOID, PCONTEXT, PVOID);
void __cdecl _local_unwind2(PEXCEPTION_REGISTRATION_RECORD Registration, LONG StopLevel);
void __cdecl _global_unwind2(PEXCEPTION_REGISTRATION_RECORD Registration);

#define DUPLICATE_CLOSE_SOURCE 0x00000001
#define DUPLICATE_SAME_ACCESS 0x00000002
#define NotificationEvent 0
#define SynchronizationEvent 1
#define WaitAll 0
#define WaitAny 1
#define EVENT_ALL_ACCESS 0x001F0003
#define MUTANT_ALL_ACCESS 0x001F0001
#define SEMAPHORE_ALL_ACCESS 0x001F0003
#define THREAD_ALL_ACCESS 0x001F03FF
#define DIRECTORY_ALL_ACCESS 0x000F000F
#define SYMBOLIC_LINK_ALL_ACCESS 0x000F0001
#define MEM_FREE 0x10000
#define MEM_PRIVATE 0x20000
#define MEM_IMAGE 0x1000000

/* --- files and sections (boot modules: \BootModules\<name>) --------------- */
typedef struct _IO_STATUS_BLOCK {
  union { NTSTATUS Status; PVOID Pointer; };
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;
#define FILE_READ_DATA 0x0001
#define FILE_WRITE_DATA 0x0002
#define FILE_APPEND_DATA 0x0004
#define FILE_EXECUTE 0x0020
#define FILE_READ_ATTRIBUTES 0x0080
#define SYNCHRONIZE 0x00100000L
#define GENERIC_READ 0x80000000L
#define GENERIC_WRITE 0x40000000L
#define GENERIC_EXECUTE 0x20000000L
#define GENERIC_ALL 0x10000000L
#define FILE_SHARE_READ 0x1
#define FILE_SHARE_WRITE 0x2
#define FILE_SHARE_DELETE 0x4
#define FILE_SUPERSEDE 0
#define FILE_OPEN 1
#define FILE_CREATE 2
#define FILE_OPEN_IF 3
#define FILE_OVERWRITE 4
#define FILE_OVERWRITE_IF 5
#define FILE_DIRECTORY_FILE 0x00000001
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE 0x00000040
#define FILE_OPENED 1
#define SEC_FILE 0x00800000
#define SEC_IMAGE 0x01000000
#define SEC_COMMIT 0x08000000
#define SECTION_QUERY 0x0001
#define SECTION_MAP_WRITE 0x0002
#define SECTION_MAP_READ 0x0004
#define SECTION_MAP_EXECUTE 0x0008
#define SECTION_ALL_ACCESS 0x000F001F
#define PROCESS_ALL_ACCESS 0x001F0FFF
#define SectionBasicInformation 0
#define SectionImageInformation 1
typedef struct _SECTION_BASIC_INFORMATION {
  PVOID BaseAddress;
  ULONG AllocationAttributes;
  LARGE_INTEGER MaximumSize;
} SECTION_BASIC_INFORMATION, *PSECTION_BASIC_INFORMATION;
typedef struct _SECTION_IMAGE_INFORMATION {
  PVOID TransferAddress;           /* the entry point at the preferred base */
  ULONG ZeroBits;
  SIZE_T MaximumStackSize;         /* SizeOfStackReserve */
  SIZE_T CommittedStackSize;       /* SizeOfStackCommit */
  ULONG SubSystemType;
  USHORT SubSystemMinorVersion;
  USHORT SubSystemMajorVersion;
  ULONG GpValue;
  USHORT ImageCharacteristics;
  USHORT DllCharacteristics;
  USHORT Machine;
  BOOLEAN ImageContainsCode;
  UCHAR ImageFlags;
  ULONG LoaderFlags;
  ULONG ImageFileSize;
  ULONG CheckSum;
} SECTION_IMAGE_INFORMATION, *PSECTION_IMAGE_INFORMATION;
_Static_assert(sizeof(SECTION_IMAGE_INFORMATION) == 0x30, "SECTION_IMAGE_INFORMATION is 0x30 bytes");
_Static_assert(sizeof(SECTION_BASIC_INFORMATION) == 16, "SECTION_BASIC_INFORMATION is 16 bytes");
typedef struct _PROCESS_BASIC_INFORMATION {
  NTSTATUS ExitStatus;
  PPEB PebBaseAddress;
  ULONG_PTR AffinityMask;
  LONG BasePriority;
  ULONG_PTR UniqueProcessId;
  ULONG_PTR InheritedFromUniqueProcessId;
} PROCESS_BASIC_INFORMATION, *PPROCESS_BASIC_INFORMATION;

#include <ntsyscalls.gen.h>

/* --- runtime library exported by ntdll.dll ---------------------------------- */
NTSYSAPI VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source);
NTSYSAPI VOID NTAPI RtlInitAnsiString(PANSI_STRING Destination, PCSZ Source);
NTSYSAPI VOID NTAPI RtlInitString(PSTRING Destination, PCSZ Source);
NTSYSAPI VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSYSAPI BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTSYSAPI LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive);
NTSYSAPI NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source, BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source, BOOLEAN AllocateDestinationString);
NTSYSAPI VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
NTSYSAPI VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString);
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR SourceCharacter);
NTSYSAPI VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill);
NTSYSAPI VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length);
NTSYSAPI BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT Context);
NTSYSAPI VOID NTAPI KiUserExceptionDispatcher(void);
NTSYSAPI VOID NTAPI KiUserApcDispatcher(void);
typedef VOID (NTAPI *PKNORMAL_ROUTINE)(PVOID NormalContext, PVOID SystemArgument1, PVOID SystemArgument2);
NTSYSAPI VOID NTAPI RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
NTSYSAPI VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length);
NTSYSAPI SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);

/* --- the loader (guest/ntdll/ldr.c) ----------------------------------------- */
/* The loaded-module list PEB->Ldr points at (NT's x86 layouts, the fields
 * neptune keeps). */
typedef struct _PEB_LDR_DATA {
  ULONG Length;
  BOOLEAN Initialized;
  PVOID SsHandle;
  LIST_ENTRY InLoadOrderModuleList;
  LIST_ENTRY InMemoryOrderModuleList;
  LIST_ENTRY InInitializationOrderModuleList;
} PEB_LDR_DATA;
typedef struct _LDR_DATA_TABLE_ENTRY {
  LIST_ENTRY InLoadOrderLinks;
  LIST_ENTRY InMemoryOrderLinks;
  LIST_ENTRY InInitializationOrderLinks;
  PVOID DllBase;
  PVOID EntryPoint;
  ULONG SizeOfImage;
  UNICODE_STRING FullDllName;
  UNICODE_STRING BaseDllName;
  ULONG Flags;
  USHORT LoadCount;         /* 0xffff: pinned (ntdll, the program) */
  USHORT TlsIndex;
} LDR_DATA_TABLE_ENTRY, *PLDR_DATA_TABLE_ENTRY;
#define LDRP_ENTRY_PROCESSED 0x00004000
#define LDRP_PROCESS_ATTACH_CALLED 0x00080000
#define DLL_PROCESS_DETACH 0
#define DLL_PROCESS_ATTACH 1
NTSYSAPI NTSTATUS NTAPI LdrLoadDll(PWSTR SearchPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *BaseAddress);
NTSYSAPI NTSTATUS NTAPI LdrGetDllHandle(PWSTR SearchPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *BaseAddress);
NTSYSAPI NTSTATUS NTAPI LdrGetProcedureAddress(PVOID BaseAddress, PANSI_STRING Name, ULONG Ordinal, PVOID *ProcedureAddress);
NTSYSAPI NTSTATUS NTAPI LdrUnloadDll(PVOID BaseAddress);

/* Where a process's initial thread returns to: ends the process with EAX. */
NTSYSAPI VOID NTAPI LdrpProcessReturnThunk(void);
/* Where every thread starts (the executive puts the CONTEXT it is really
 * started with on its stack): the first initializes the process, each one
 * then continues with NtContinue(Context). Never returns. */
NTSYSAPI VOID NTAPI LdrInitializeThunk(PCONTEXT Context, PVOID NtdllBase);
/* DLL_THREAD_DETACH for the calling thread (RtlExitUserThread calls it), its TLS freed. */
NTSYSAPI VOID NTAPI LdrShutdownThread(void);
#define DLL_THREAD_ATTACH 2
#define DLL_THREAD_DETACH 3
typedef VOID (NTAPI *PIMAGE_TLS_CALLBACK)(PVOID DllHandle, ULONG Reason, PVOID Reserved);

/* --- process and thread creation (guest/ntdll/process.c) ------------------ */
/* RtlCreateProcessParameters: one block (the structure, its strings and the
 * environment) allocated in the caller, normalized (absolute pointers).
 * NULL arguments: DllPath, CurrentDirectory and Environment are the
 * caller's; CommandLine is the image path. */
NTSYSAPI NTSTATUS NTAPI RtlCreateProcessParameters(PRTL_USER_PROCESS_PARAMETERS *ProcessParameters, PUNICODE_STRING ImagePathName,
    PUNICODE_STRING DllPath, PUNICODE_STRING CurrentDirectory, PUNICODE_STRING CommandLine, PWSTR Environment,
    PUNICODE_STRING WindowTitle, PUNICODE_STRING DesktopInfo, PUNICODE_STRING ShellInfo, PUNICODE_STRING RuntimeData);
NTSYSAPI NTSTATUS NTAPI RtlDestroyProcessParameters(PRTL_USER_PROCESS_PARAMETERS ProcessParameters);
NTSYSAPI PRTL_USER_PROCESS_PARAMETERS NTAPI RtlNormalizeProcessParams(PRTL_USER_PROCESS_PARAMETERS ProcessParameters);
NTSYSAPI PRTL_USER_PROCESS_PARAMETERS NTAPI RtlDeNormalizeProcessParams(PRTL_USER_PROCESS_PARAMETERS ProcessParameters);
typedef NTSTATUS (NTAPI *PUSER_THREAD_START_ROUTINE)(PVOID ThreadParameter);
/* A thread of any process: its stack reserved (StackReserve, default 1 MiB)
 * with StackCommit committed and a guard page, StartAddress(Parameter)
 * called with a return address that ends the thread with the returned
 * status. */
NTSYSAPI NTSTATUS NTAPI RtlCreateUserThread(HANDLE Process, PVOID ThreadSecurityDescriptor, BOOLEAN CreateSuspended, ULONG StackZeroBits,
    SIZE_T StackReserve, SIZE_T StackCommit, PUSER_THREAD_START_ROUTINE StartAddress, PVOID Parameter, PHANDLE Thread, PCLIENT_ID ClientId);
NTSYSAPI VOID NTAPI RtlExitUserThread(NTSTATUS Status);
typedef struct _RTL_USER_PROCESS_INFORMATION {
  ULONG Length;
  HANDLE Process;
  HANDLE Thread;
  CLIENT_ID ClientId;
  SECTION_IMAGE_INFORMATION ImageInformation;
} RTL_USER_PROCESS_INFORMATION, *PRTL_USER_PROCESS_INFORMATION;
/* NT's whole sequence: NtOpenFile(NtImagePathName) + NtCreateSection(SEC_IMAGE)
 * + NtCreateProcess + the parameters copied into the child (PEB->ProcessParameters)
 * + its first thread at the image entry, created SUSPENDED (NtResumeThread starts it). */
NTSYSAPI NTSTATUS NTAPI RtlCreateUserProcess(PUNICODE_STRING NtImagePathName, ULONG Attributes, PRTL_USER_PROCESS_PARAMETERS ProcessParameters,
    PVOID ProcessSecurityDescriptor, PVOID ThreadSecurityDescriptor, HANDLE ParentProcess, BOOLEAN InheritHandles,
    HANDLE DebugPort, HANDLE ExceptionPort, PRTL_USER_PROCESS_INFORMATION ProcessInformation);

/* --- the Rtl heap and critical sections (ntdll/heap.c, critsec.c) ----------- */
typedef struct _RTL_CRITICAL_SECTION {
  PVOID DebugInfo;        /* 0x00: always NULL here */
  LONG LockCount;         /* 0x04: -1 free; otherwise owner + waiters - 1 */
  LONG RecursionCount;    /* 0x08 */
  HANDLE OwningThread;    /* 0x0C: the owner's ClientId.UniqueThread */
  HANDLE LockSemaphore;   /* 0x10: a SynchronizationEvent the waiters block on */
  ULONG_PTR SpinCount;    /* 0x14: accepted, not used (no spinning) */
} RTL_CRITICAL_SECTION, *PRTL_CRITICAL_SECTION;
_Static_assert(sizeof(RTL_CRITICAL_SECTION) == 24, "RTL_CRITICAL_SECTION is 24 bytes");
NTSYSAPI NTSTATUS NTAPI RtlInitializeCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);
NTSYSAPI NTSTATUS NTAPI RtlInitializeCriticalSectionAndSpinCount(PRTL_CRITICAL_SECTION CriticalSection, ULONG SpinCount);
NTSYSAPI NTSTATUS NTAPI RtlDeleteCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);
NTSYSAPI NTSTATUS NTAPI RtlEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);
NTSYSAPI NTSTATUS NTAPI RtlLeaveCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);
NTSYSAPI BOOLEAN NTAPI RtlTryEnterCriticalSection(PRTL_CRITICAL_SECTION CriticalSection);

#define HEAP_NO_SERIALIZE 0x00000001
#define HEAP_GROWABLE 0x00000002
#define HEAP_GENERATE_EXCEPTIONS 0x00000004
#define HEAP_ZERO_MEMORY 0x00000008
#define HEAP_REALLOC_IN_PLACE_ONLY 0x00000010
NTSYSAPI PVOID NTAPI RtlCreateHeap(ULONG Flags, PVOID HeapBase, SIZE_T ReserveSize, SIZE_T CommitSize, PVOID Lock, PVOID Parameters);
NTSYSAPI PVOID NTAPI RtlDestroyHeap(PVOID HeapHandle);
NTSYSAPI PVOID NTAPI RtlAllocateHeap(PVOID HeapHandle, ULONG Flags, SIZE_T Size);
NTSYSAPI BOOLEAN NTAPI RtlFreeHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress);
NTSYSAPI PVOID NTAPI RtlReAllocateHeap(PVOID HeapHandle, ULONG Flags, PVOID BaseAddress, SIZE_T Size);
NTSYSAPI SIZE_T NTAPI RtlSizeHeap(PVOID HeapHandle, ULONG Flags, const VOID *BaseAddress);
NTSYSAPI BOOLEAN NTAPI RtlValidateHeap(PVOID HeapHandle, ULONG Flags, const VOID *BaseAddress);
NTSYSAPI ULONG NTAPI RtlGetProcessHeaps(ULONG NumberOfHeaps, PVOID *ProcessHeaps);
#define RtlProcessHeap() (NtCurrentPeb()->ProcessHeap)

/* --- Rtl basics: strings, bitmaps, time (ntdll/rtl_string_ops.c, rtl_bitmap.c, rtl_time.c) */
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source);
NTSYSAPI NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source);
NTSYSAPI NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source, BOOLEAN AllocateDestinationString);
NTSYSAPI NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
NTSYSAPI NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value);

typedef struct _RTL_BITMAP {
  ULONG SizeOfBitMap; /* bits */
  PULONG Buffer;
} RTL_BITMAP, *PRTL_BITMAP;
NTSYSAPI VOID NTAPI RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap);
NTSYSAPI BOOLEAN NTAPI RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber);
NTSYSAPI VOID NTAPI RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet);
NTSYSAPI VOID NTAPI RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear);
NTSYSAPI VOID NTAPI RtlSetAllBits(PRTL_BITMAP BitMapHeader);
NTSYSAPI VOID NTAPI RtlClearAllBits(PRTL_BITMAP BitMapHeader);
NTSYSAPI BOOLEAN NTAPI RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
NTSYSAPI BOOLEAN NTAPI RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length);
NTSYSAPI ULONG NTAPI RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlFindSetBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlFindSetBitsAndClear(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex);
NTSYSAPI ULONG NTAPI RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader);
NTSYSAPI ULONG NTAPI RtlNumberOfClearBits(PRTL_BITMAP BitMapHeader);

typedef short CSHORT;
typedef struct _TIME_FIELDS {
  CSHORT Year, Month, Day, Hour, Minute, Second, Milliseconds;
  CSHORT Weekday; /* 0 = Sunday */
} TIME_FIELDS, *PTIME_FIELDS;
_Static_assert(sizeof(TIME_FIELDS) == 16, "TIME_FIELDS is 16 bytes");
NTSYSAPI VOID NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields);
NTSYSAPI BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time);
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds);
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1980(PLARGE_INTEGER Time, PULONG ElapsedSeconds);
NTSYSAPI VOID NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time);
NTSYSAPI VOID NTAPI RtlSecondsSince1980ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time);
/* ---- Ps set-information, Se tokens and access checks, Ex hard errors and shutdown (services branch) ---- */
#define ProcessBasePriority 5
#define ProcessDebugPort 7
#define ProcessExceptionPort 8
#define ProcessDefaultHardErrorMode 12
#define ProcessPriorityClass 18
#define ProcessAffinityMask 21
#define ProcessWow64Information 26
#define ThreadPriority 2
#define ThreadBasePriority 3
#define ThreadAffinityMask 4
#define ThreadImpersonationToken 5
#define ThreadZeroTlsCell 10
#define ThreadAmILastThread 12
#define ThreadHideFromDebugger 17
typedef struct _PROCESS_PRIORITY_CLASS { BOOLEAN Foreground; UCHAR PriorityClass; } PROCESS_PRIORITY_CLASS;
#define PROCESS_PRIORITY_CLASS_IDLE 1
#define PROCESS_PRIORITY_CLASS_NORMAL 2
#define PROCESS_PRIORITY_CLASS_HIGH 3
typedef struct _THREAD_BASIC_INFORMATION {
  NTSTATUS ExitStatus; PVOID TebBaseAddress; CLIENT_ID ClientId; ULONG_PTR AffinityMask; LONG Priority; LONG BasePriority;
} THREAD_BASIC_INFORMATION;
typedef struct _LUID { ULONG LowPart; LONG HighPart; } LUID;
typedef struct _LUID_AND_ATTRIBUTES { LUID Luid; ULONG Attributes; } LUID_AND_ATTRIBUTES;
typedef struct _TOKEN_PRIVILEGES { ULONG PrivilegeCount; LUID_AND_ATTRIBUTES Privileges[1]; } TOKEN_PRIVILEGES;
typedef struct _PRIVILEGE_SET { ULONG PrivilegeCount; ULONG Control; LUID_AND_ATTRIBUTES Privilege[1]; } PRIVILEGE_SET;
typedef struct _GENERIC_MAPPING { ACCESS_MASK GenericRead, GenericWrite, GenericExecute, GenericAll; } GENERIC_MAPPING;
typedef struct _SECURITY_QUALITY_OF_SERVICE { ULONG Length; ULONG ImpersonationLevel; BOOLEAN ContextTrackingMode; BOOLEAN EffectiveOnly; } SECURITY_QUALITY_OF_SERVICE;
#define TOKEN_DUPLICATE 0x0002
#define TOKEN_IMPERSONATE 0x0004
#define TOKEN_ADJUST_PRIVILEGES 0x0020
#define TOKEN_ALL_ACCESS 0xf01ff
#define TokenPrimary 1
#define TokenImpersonation 2
#define SecurityAnonymous 0
#define SecurityIdentification 1
#define SecurityImpersonation 2
#define SE_PRIVILEGE_ENABLED 0x2
#define SE_PRIVILEGE_REMOVED 0x4
#define SE_PRIVILEGE_USED_FOR_ACCESS 0x80000000L
#define PRIVILEGE_SET_ALL_NECESSARY 1
#define SE_TCB_PRIVILEGE 7
#define SE_SHUTDOWN_PRIVILEGE 19
#define SE_CHANGE_NOTIFY_PRIVILEGE 23
#define SE_CREATE_TOKEN_PRIVILEGE 2
#define MAXIMUM_ALLOWED 0x02000000L
#define ACCESS_ALLOWED_ACE_TYPE 0
#define ACCESS_DENIED_ACE_TYPE 1
#define SE_DACL_PRESENT 0x0004
#define SE_SELF_RELATIVE 0x8000
#define OptionOk 1
#define OptionYesNo 4
#define ResponseNotHandled 1
#define ResponseOk 6
#define ShutdownNoReboot 0
#define ShutdownPowerOff 2

/* The entry point of a native program (the CRT's crt0 provides it). */
NTSTATUS NTAPI NtProcessStartup(PPEB Peb);

#endif /* NEPTUNE_NT_H */
