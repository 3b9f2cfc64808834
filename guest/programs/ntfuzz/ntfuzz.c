/* ntfuzz.exe SEED COUNT [SKIP...]: COUNT system calls through the real
 * path (sysenter Call on the service endpoint) with random service numbers
 * (some past the end of the table) and random argument blocks: NULL, -1,
 * pointers into a scratch buffer of random bytes, unmapped and kernel
 * addresses, small numbers, plausible handles. Service numbers listed as
 * SKIP (those that block or change the thread's control flow) are not
 * called. Prints how many calls were made and how many answered each
 * class of status; every call must come back. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>

static ULONG state;
static ULONG rnd(void) { state = state * 1664525u + 1013904223u; return state; }

static UCHAR scratch[8192];
static ULONG args[16];

static ULONG pick(void)
{
  ULONG r = rnd();
  switch (r % 8) {
  case 0: return 0;
  case 1: return 0xffffffff;
  case 2: return (ULONG)(ULONG_PTR)&scratch[(r >> 8) % (sizeof(scratch) - 64)];
  case 3: return 0x10;
  case 4: return 0xc0000000;
  case 5: return (r >> 4) & 0xff;
  case 6: return 4 + ((r >> 8) % 16) * 4;
  default: return rnd();
  }
}

static ULONG raw_call(ULONG n, ULONG *a)
{
  ULONG eax = (ULONG)-1, edi = (ULONG)(ULONG_PTR)a;
  ULONG info = (n << 12) | 1;
  __asm__ volatile("pushl %%ebp\n\t"
                   "movl $1, %%ebx\n\t"
                   "sysenter\n\t"
                   "popl %%ebp"
                   : "+a"(eax), "+D"(edi), "+S"(info)
                   :
                   : "ebx", "ecx", "edx", "memory", "cc");
  return eax == 0 ? edi : 0xC000001C;
}

int main(int argc, char **argv)
{
  ULONG count = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000, i, j, made = 0, ok = 0, err = 0, other = 0;
  UCHAR skip[256] = {0};
  state = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
  for (i = 3; i < (ULONG)argc; i++) skip[strtoul(argv[i], NULL, 0) & 0xff] = 1;
  for (i = 0; i < count; i++) {
    ULONG n = rnd() % (NT_SERVICE_COUNT + 4), s;
    if (n < 256 && skip[n]) continue;
    for (j = 0; j < sizeof(scratch); j += 4) *(ULONG *)&scratch[j] = (rnd() & 1) ? pick() : rnd();
    for (j = 0; j < 16; j++) args[j] = pick();
    s = raw_call(n, args);
    made++;
    if (NT_SUCCESS(s)) ok++;
    else if ((s & 0xC0000000) == 0xC0000000) err++;
    else other++;
  }
  printf("calls %lu success %lu errors %lu other %lu\n", (unsigned long)made, (unsigned long)ok, (unsigned long)err, (unsigned long)other);
  return 0;
}
