/* ntspin.exe THREADS [ROUNDS] [syscall]: THREADS threads (the main one
 * included, 1..32) each run ROUNDS rounds of a loop, or forever when ROUNDS
 * is 0 or absent: a runaway guest on every core for `--max-instructions`
 * (tests/executive/smp.test.ts, tests/cli/run.test.ts). A round is an
 * increment of the thread's counter in memory; with "syscall" it is also
 * one system call (NtClose on an invalid handle, served by the executive).
 * When every thread has finished, prints the rounds counted and exits 0. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 32

static volatile ULONG counts[MAX_THREADS];
static ULONG rounds;
static int syscalls;

static void spin(ULONG me)
{
  for (ULONG i = 0; rounds == 0 || i < rounds; i++) {
    counts[me]++;
    if (syscalls) NtClose((HANDLE)0x7ffc);
  }
}

static NTSTATUS NTAPI thread_main(PVOID p)
{
  spin((ULONG)(ULONG_PTR)p);
  return STATUS_SUCCESS;
}

int main(int argc, char **argv)
{
  ULONG threads = argc > 1 ? strtoul(argv[1], NULL, 0) : 1, i, total = 0;
  HANDLE h[MAX_THREADS];
  CLIENT_ID cid;
  rounds = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
  syscalls = argc > 3 && strcmp(argv[3], "syscall") == 0;
  if (threads < 1 || threads > MAX_THREADS) {
    printf("ntspin: THREADS must be 1..%d\n", MAX_THREADS);
    return 2;
  }
  for (i = 1; i < threads; i++) {
    NTSTATUS s = RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, thread_main, (PVOID)(ULONG_PTR)i, &h[i], &cid);
    if (!NT_SUCCESS(s)) {
      printf("ntspin: RtlCreateUserThread: 0x%08lx\n", (unsigned long)s);
      return 1;
    }
  }
  spin(0);
  for (i = 1; i < threads; i++) {
    NtWaitForSingleObject(h[i], FALSE, NULL);
    NtClose(h[i]);
  }
  for (i = 0; i < threads; i++) total += counts[i];
  printf("ntspin: %lu threads, %lu rounds\n", (unsigned long)threads, (unsigned long)total);
  return 0;
}
