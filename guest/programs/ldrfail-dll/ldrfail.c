/* ldrfail.dll: a DllMain that refuses DLL_PROCESS_ATTACH, so LdrLoadDll
 * must answer STATUS_DLL_INIT_FAILED and leave nothing loaded. */
#include <nt.h>

ULONG NTAPI LdrFailValue(void) { return 7; }

BOOLEAN NTAPI DllMain(PVOID base, ULONG reason, PVOID reserved)
{
  (void)base; (void)reserved;
  return reason != DLL_PROCESS_ATTACH;
}
