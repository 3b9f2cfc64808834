/* ntpingpong.exe ping|pong N: two processes bounce N times over two named
 * synchronization events in \BaseNamedObjects (the first one to start
 * creates them, OBJ_OPENIF). Prints "<role> done N". Used by
 * tests/executive/ntpingpong.test.ts and bench/suites/syscall.ts. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HANDLE event_named(const WCHAR *name)
{
  UNICODE_STRING u;
  OBJECT_ATTRIBUTES oa;
  HANDLE h = NULL;
  NTSTATUS s;
  RtlInitUnicodeString(&u, name);
  InitializeObjectAttributes(&oa, &u, OBJ_OPENIF, NULL, NULL);
  s = NtCreateEvent(&h, EVENT_ALL_ACCESS, &oa, SynchronizationEvent, FALSE);
  if (!NT_SUCCESS(s)) {
    printf("NtCreateEvent: 0x%08lx\n", (unsigned long)s);
    NtTerminateProcess(NtCurrentProcess(), s);
  }
  return h;
}

int main(int argc, char **argv)
{
  unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000, i;
  int ping = argc > 1 && strcmp(argv[1], "ping") == 0;
  HANDLE a = event_named(L"\\BaseNamedObjects\\NeptunePing");
  HANDLE b = event_named(L"\\BaseNamedObjects\\NeptunePong");
  for (i = 0; i < n; i++) {
    if (ping) {
      NtSetEvent(a, NULL);
      if (NtWaitForSingleObject(b, FALSE, NULL) != STATUS_SUCCESS) break;
    } else {
      if (NtWaitForSingleObject(a, FALSE, NULL) != STATUS_SUCCESS) break;
      NtSetEvent(b, NULL);
    }
  }
  printf("%s done %lu\n", ping ? "ping" : "pong", i);
  return 0;
}
