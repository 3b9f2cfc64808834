/*
 * Thread start. The executive starts every thread of a process here, with
 * the CONTEXT it was really started with (NtCreateThread's, or the image
 * entry for a process the host made) on its stack:
 *
 *   ESP → [0][&CONTEXT][ntdll base] ... CONTEXT ... | the thread's stack
 *
 * The first thread of a process creates the process heap (heap.c,
 * PEB->ProcessHeap) and runs the loader's process initialization
 * (ldr.c: the program relocated, its imports bound, static TLS, DLLs
 * initialized in dependency order); a failure ends the process with its
 * status and one line on the console. Every later thread gets its TLS
 * block and DLL_THREAD_ATTACH calls. Then the thread continues where it
 * was meant to start: NtContinue(CONTEXT, TestAlert = TRUE).
 *
 * Threads are created one at a time (by the parent or an existing thread),
 * so no lock guards the first-thread check yet.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

NTSTATUS RtlpInitializeHeapManager(void);
NTSTATUS LdrpInitializeProcess(void);
NTSTATUS LdrpInitializeThread(void);

static BOOLEAN LdrpProcessInitialized;

/* "ntdll: process initialization failed: 0xc0000135" on the console. */
static void report_failure(NTSTATUS st)
{
  static const char text[] = "ntdll: process initialization failed: 0x";
  WCHAR buf[sizeof(text) + 10];
  ULONG n = 0;
  for (; text[n] != 0; n++) buf[n] = (WCHAR)text[n];
  for (int shift = 28; shift >= 0; shift -= 4) buf[n++] = (WCHAR)"0123456789abcdef"[((ULONG)st >> shift) & 15];
  buf[n++] = '\n';
  UNICODE_STRING us = { (USHORT)(n * 2), (USHORT)(n * 2), buf };
  NtDisplayString(&us);
}

VOID NTAPI LdrInitializeThunk(PCONTEXT Context, PVOID NtdllBase)
{
  (void)NtdllBase;
  if (!LdrpProcessInitialized) {
    LdrpProcessInitialized = TRUE;
    /* PEB->ProcessHeap first: DLL initialization and the CRT use it. */
    NTSTATUS st = RtlpInitializeHeapManager();
    if (NT_SUCCESS(st)) st = LdrpInitializeProcess();
    if (!NT_SUCCESS(st)) {
      report_failure(st);
      NtTerminateProcess(NtCurrentProcess(), st);
    }
  } else {
    NTSTATUS st = LdrpInitializeThread(); /* its TLS, DLL_THREAD_ATTACH */
    if (!NT_SUCCESS(st)) NtTerminateThread(NtCurrentThread(), st);
  }
  NtContinue(Context, TRUE);
  NtTerminateThread(NtCurrentThread(), STATUS_UNSUCCESSFUL); /* NtContinue does not return */
}
