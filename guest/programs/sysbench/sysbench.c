/* sysbench.exe N: N trivial system calls (NtClose on an invalid handle) in
 * a loop, for bench/suites/syscall.ts; prints the count of calls that
 * returned STATUS_INVALID_HANDLE (all of them). */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000, ok = 0, i;
  for (i = 0; i < n; i++)
    ok += NtClose((HANDLE)0x7ffc) == STATUS_INVALID_HANDLE;
  printf("%lu\n", ok);
  return 0;
}
