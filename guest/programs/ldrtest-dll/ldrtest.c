/* ldrtest.dll: exports by name, by ordinal only (ldrtest.def) and a
 * forwarder to ntdll; imports ldrdep.dll, whose DllMain must run first. */
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
  return TRUE;
}
