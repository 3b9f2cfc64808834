/* memhog.exe MB: commits MB megabytes and touches every page. With less
 * guest RAM than that, a touch finds no frame: the process must end with
 * STATUS_NO_MEMORY and one line, and the engine must keep running. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  SIZE_T size = (SIZE_T)(argc > 1 ? strtoul(argv[1], NULL, 0) : 64) << 20, i;
  PVOID base = NULL;
  NTSTATUS s = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  printf("commit: 0x%08lx\n", (unsigned long)s);
  for (i = 0; i < size; i += 4096)
    ((volatile char *)base)[i] = 1;
  printf("touched all %lu MiB\n", (unsigned long)(size >> 20));
  return 0;
}
