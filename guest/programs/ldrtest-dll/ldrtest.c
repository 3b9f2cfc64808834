/* ldrtest.dll: exports by name, by ordinal only (ldrtest.def) and a
 * forwarder to ntdll; imports ldrdep.dll, whose DllMain must run first
 * (and whose DLL_PROCESS_DETACH must run after this one's). */
#include <nt.h>

void NTAPI LdrDepRecord(char c);
static ULONG attaches;

ULONG NTAPI LdrTestAdd(ULONG a, ULONG b) { return a + b; }
ULONG NTAPI LdrTestMul(ULONG a, ULONG b) { return a * b; }
ULONG NTAPI LdrTestAttaches(void) { return attaches; }

BOOLEAN NTAPI DllMain(PVOID base, ULONG reason, PVOID reserved)
{
  (void)base; (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) { attaches++; LdrDepRecord('T'); }
  if (reason == DLL_PROCESS_DETACH) { /* before ldrdep's: it is still loaded */
    UNICODE_STRING s;
    RtlInitUnicodeString(&s, L"detach: ldrtest\n");
    NtDisplayString(&s);
  }
  return TRUE;
}
