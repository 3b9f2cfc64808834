/* sysbench.exe N [time]: N trivial system calls (NtClose on an invalid
 * handle) in a loop, for bench/suites/syscall.ts; prints the count of calls
 * that returned STATUS_INVALID_HANDLE (all of them). With "time" it also
 * prints the loop's duration as the guest measured it with
 * NtQueryPerformanceCounter ("ticks T per F": T counts, F per second), so
 * that a benchmark can leave the machine's boot and the process start out
 * of its figure, as one would time a loop on Windows. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
  unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000, ok = 0, i;
  int timed = argc > 2 && strcmp(argv[2], "time") == 0;
  LARGE_INTEGER t0, t1, freq;
  if (timed && !NT_SUCCESS(NtQueryPerformanceCounter(&t0, &freq))) return 1;
  for (i = 0; i < n; i++)
    ok += NtClose((HANDLE)0x7ffc) == STATUS_INVALID_HANDLE;
  if (timed && !NT_SUCCESS(NtQueryPerformanceCounter(&t1, NULL))) return 1;
  printf("%lu\n", ok);
  if (timed)
    printf("ticks %llu per %llu\n", (unsigned long long)(t1.QuadPart - t0.QuadPart), (unsigned long long)freq.QuadPart);
  return 0;
}
