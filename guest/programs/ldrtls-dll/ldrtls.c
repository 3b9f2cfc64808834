/* ldrtls.dll: static TLS in a DLL the program imports, and a count of its
 * DLL_THREAD_ATTACH / DLL_THREAD_DETACH calls. */
#include <nt.h>

static __declspec(thread) ULONG dll_tls = 7;
static volatile LONG thread_attaches, thread_detaches, process_attach_tls;

ULONG NTAPI LdrTlsDllGet(void) { return dll_tls; }
VOID NTAPI LdrTlsDllSet(ULONG v) { dll_tls = v; }
ULONG NTAPI LdrTlsDllCounts(void) { return (ULONG)(process_attach_tls * 10000 + thread_attaches * 100 + thread_detaches); }

BOOLEAN NTAPI DllMain(PVOID base, ULONG reason, PVOID reserved)
{
  (void)base; (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) process_attach_tls = (LONG)dll_tls; /* TLS is there before DllMain runs */
  if (reason == DLL_THREAD_ATTACH) { thread_attaches++; dll_tls += 100; } /* the new thread's own copy */
  if (reason == DLL_THREAD_DETACH) thread_detaches++;
  return TRUE;
}
