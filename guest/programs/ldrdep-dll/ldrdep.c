/* ldrdep.dll: the dependency of ldrtest.dll (tests/executive/ldr.test.ts).
 * Linked at 0x400000, where the program already is, so the loader must
 * relocate it. LdrDepRecord appends a letter to the initialization order
 * its DllMain starts ("D"), so the program can see that it ran before
 * ldrtest.dll's DllMain ("T"). Its DLL_PROCESS_DETACH prints a line. */
#include <nt.h>

static char order[16];
static ULONG used;
static ULONG attaches;
/* Initialized data with an absolute address in it: wrong unless relocated. */
static const char *const greeting = "relocated";

void NTAPI LdrDepRecord(char c)
{
  if (used + 1 < sizeof(order)) order[used++] = c;
}
const char *NTAPI LdrDepOrder(void) { return order; }
const char *NTAPI LdrDepGreeting(void) { return greeting; }
ULONG NTAPI LdrDepAttaches(void) { return attaches; }

BOOLEAN NTAPI DllMain(PVOID base, ULONG reason, PVOID reserved)
{
  (void)base; (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) { attaches++; LdrDepRecord('D'); }
  if (reason == DLL_PROCESS_DETACH) {
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"detach: ldrdep\n");
    NtDisplayString(&s);
  }
  return TRUE;
}
