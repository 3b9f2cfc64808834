/*
 * LdrpProcessReturnThunk: the return address the engine pushes under a
 * process's entry point (NtProcessStartup(PPEB), stdcall). When the entry
 * returns, its NTSTATUS is in EAX and its argument has been popped; ending
 * the process here means a program that simply returns from its entry gets
 * the right exit status without any help from the CRT.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

__attribute__((naked)) VOID NTAPI LdrpProcessReturnThunk(void)
{
  __asm__ volatile(
      "pushl %eax\n\t"                          /* ExitStatus */
      "pushl $-1\n\t"                           /* NtCurrentProcess() */
      "call _NtTerminateProcess@8\n\t"
      "ud2");                                   /* never reached: terminate does not return */
}
