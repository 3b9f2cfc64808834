/* fault.exe: writes through an unmapped address on purpose. The engine must
 * report the access violation (STATUS_ACCESS_VIOLATION, the faulting address
 * 0x00000010 and the write access) instead of crashing or hanging. */
#include <stdio.h>

int main(void)
{
  printf("fault.exe: writing to address 0x10 now\n");
  fflush(stdout);
  volatile int *bad = (volatile int *)0x10;
  *bad = 42;
  printf("fault.exe: survived the write (the engine did not raise an access violation)\n");
  return 1;
}
