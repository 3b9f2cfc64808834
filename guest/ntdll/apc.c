/*
 * User APC delivery. The executive resumes a thread that has a user APC to
 * run here, with
 *     [ESP] = NormalRoutine, [ESP+4..12] = NormalContext, SystemArgument1,
 *     SystemArgument2, then the CONTEXT the thread was about to resume with.
 * The routine is called (stdcall, three arguments) and NtContinue(CONTEXT,
 * TestAlert = TRUE) resumes the thread, running any further queued APC
 * first.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

__attribute__((naked)) VOID NTAPI KiUserApcDispatcher(void)
{
  __asm__ volatile(
      "leal 16(%esp), %edi\n\t"            /* CONTEXT (EDI survives the stdcall) */
      "popl %eax\n\t"                      /* NormalRoutine; ESP -> its three arguments */
      "call *%eax\n\t"                     /* pops them: ESP -> CONTEXT */
      "pushl $1\n\t"                       /* TestAlert */
      "pushl %edi\n\t"
      "call _NtContinue@8\n\t"
      "ud2");                              /* NtContinue does not return for a valid CONTEXT */
}
