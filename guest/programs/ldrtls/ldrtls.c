/* ldrtls.exe: static TLS (__declspec(thread)) of the program and of a DLL
 * it imports (ldrtls.dll), TLS callbacks, and DLL_THREAD_ATTACH/DETACH for
 * new threads; tests/executive/ldrtls.test.ts checks the lines. */
#include <nt.h>
#include <stdio.h>

ULONG NTAPI LdrTlsDllGet(void);
VOID NTAPI LdrTlsDllSet(ULONG v);
ULONG NTAPI LdrTlsDllCounts(void);

static __declspec(thread) ULONG counter = 5;
static __declspec(thread) char zeroed[100];
static volatile LONG callbacks[4];

static void NTAPI tls_callback(PVOID image, ULONG reason, PVOID reserved)
{
  (void)image; (void)reserved;
  if (reason < 4) callbacks[reason]++;
}
__attribute__((section(".CRT$XLB"), used)) PIMAGE_TLS_CALLBACK ldrtls_callback = tls_callback;

static NTSTATUS NTAPI thread_routine(PVOID arg)
{
  ULONG mine = counter, dll = LdrTlsDllGet(), z = 0;
  for (int i = 0; i < 100; i++) z |= (ULONG)zeroed[i];
  counter = 99;
  zeroed[3] = 1;
  LdrTlsDllSet(1234);
  /* packed: its copies as it found them */
  return (NTSTATUS)(mine * 1000000 + dll * 10 + z + (ULONG)(ULONG_PTR)arg);
}

static void __stdcall raw_routine(PVOID arg)
{
  (void)arg;
  counter = 77;
  NtTerminateThread(NtCurrentThread(), (NTSTATUS)LdrTlsDllGet()); /* no DLL_THREAD_DETACH: not through RtlExitUserThread */
}

static NTSTATUS exit_code(HANDLE t)
{
  struct { NTSTATUS ExitStatus; PVOID Teb; CLIENT_ID ClientId; ULONG_PTR Affinity; LONG Priority, BasePriority; } tbi;
  NtWaitForSingleObject(t, FALSE, NULL);
  NtQueryInformationThread(t, 0, &tbi, sizeof(tbi), NULL);
  NtClose(t);
  return tbi.ExitStatus;
}

int main(void)
{
  HANDLE t;
  CLIENT_ID cid;
  printf("main.start: counter %lu dll %lu zeroed %d\n", counter, LdrTlsDllGet(), zeroed[3]);
  printf("callbacks.start: %ld %ld %ld %ld\n", callbacks[0], callbacks[1], callbacks[2], callbacks[3]);
  counter = 6;
  LdrTlsDllSet(8);
  printf("dll.counts.start: %lu\n", LdrTlsDllCounts());
  NTSTATUS st = RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, thread_routine, (PVOID)0, &t, &cid);
  printf("thread.create: 0x%08lx\n", (unsigned long)st);
  printf("thread.saw: %ld\n", (long)exit_code(t)); /* 5000000 + 107*10 + 0: the template, its own DLL copy after DLL_THREAD_ATTACH */
  printf("main.after: counter %lu dll %lu zeroed %d\n", counter, LdrTlsDllGet(), zeroed[3]);
  printf("dll.counts.after: %lu\n", LdrTlsDllCounts());
  printf("callbacks.after: %ld %ld %ld %ld\n", callbacks[0], callbacks[1], callbacks[2], callbacks[3]);
  /* A thread made with NtCreateThread directly that ends with NtTerminateThread: attach, no detach. */
  static ULONG stack[4096];
  CONTEXT ctx;
  INITIAL_TEB teb;
  RtlZeroMemory(&ctx, sizeof(ctx));
  RtlZeroMemory(&teb, sizeof(teb));
  stack[4092] = 0;
  ctx.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
  ctx.Eip = (ULONG)(ULONG_PTR)raw_routine;
  ctx.Esp = (ULONG)(ULONG_PTR)&stack[4092];
  ctx.EFlags = 0x202;
  teb.StackBase = &stack[4096];
  teb.StackLimit = &stack[0];
  st = NtCreateThread(&t, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), &cid, &ctx, &teb, FALSE);
  printf("raw.create: 0x%08lx\n", (unsigned long)st);
  printf("raw.saw: %ld\n", (long)exit_code(t));
  printf("main.end: counter %lu\n", counter);
  printf("dll.counts.end: %lu\n", LdrTlsDllCounts());
  printf("callbacks.end: %ld %ld %ld %ld\n", callbacks[0], callbacks[1], callbacks[2], callbacks[3]);
  return 0;
}
