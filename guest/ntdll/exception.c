/*
 * User-mode exception dispatch. The executive turns a fault it cannot
 * resolve into an EXCEPTION_RECORD and a CONTEXT on the thread's stack and
 * resumes the thread here with
 *     [ESP] = PEXCEPTION_RECORD, [ESP+4] = PCONTEXT
 * RtlDispatchException walks the thread's SEH chain (TEB->ExceptionList);
 * a handler that returns ExceptionContinueExecution resumes the CONTEXT it
 * may have changed (NtContinue); when none handles it, the second chance
 * (NtRaiseException with FirstChance = FALSE) ends the process.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define EXCEPTION_STACK_INVALID 0x08

static VOID raise_second_chance(NTSTATUS code, PEXCEPTION_RECORD nested, PCONTEXT ctx)
{
  EXCEPTION_RECORD r;
  RtlZeroMemory(&r, sizeof(r));
  r.ExceptionCode = code;
  r.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
  r.ExceptionRecord = nested;
  r.ExceptionAddress = nested->ExceptionAddress;
  NtRaiseException(&r, ctx, FALSE);
}

BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD rec, PCONTEXT ctx)
{
  PTEB teb = NtCurrentTeb();
  ULONG_PTR low = (ULONG_PTR)teb->NtTib.StackLimit;
  ULONG_PTR high = (ULONG_PTR)teb->NtTib.StackBase;
  PEXCEPTION_REGISTRATION_RECORD f = teb->NtTib.ExceptionList;
  while (f != EXCEPTION_CHAIN_END && f != NULL) {
    ULONG_PTR a = (ULONG_PTR)f;
    EXCEPTION_DISPOSITION d;
    if (a < low || a + sizeof(*f) > high || (a & 3) != 0) {
      rec->ExceptionFlags |= EXCEPTION_STACK_INVALID;
      return FALSE;
    }
    d = f->Handler(rec, f, ctx, NULL);
    if (d == ExceptionContinueExecution) {
      if (rec->ExceptionFlags & EXCEPTION_NONCONTINUABLE)
        raise_second_chance(STATUS_NONCONTINUABLE_EXCEPTION, rec, ctx);
      return TRUE;
    }
    if (d != ExceptionContinueSearch)
      raise_second_chance(STATUS_INVALID_DISPOSITION, rec, ctx);
    f = f->Next;
  }
  return FALSE;
}

__attribute__((naked)) VOID NTAPI KiUserExceptionDispatcher(void)
{
  __asm__ volatile(
      "movl (%esp), %ecx\n\t"              /* ExceptionRecord */
      "movl 4(%esp), %edx\n\t"             /* Context */
      "pushl %edx\n\t"
      "pushl %ecx\n\t"
      "call _RtlDispatchException@8\n\t"
      "movl (%esp), %ecx\n\t"
      "movl 4(%esp), %edx\n\t"
      "testb %al, %al\n\t"
      "jz 1f\n\t"
      "pushl $0\n\t"                       /* TestAlert */
      "pushl %edx\n\t"
      "call _NtContinue@8\n\t"             /* returns only for a bad CONTEXT */
      "movl (%esp), %ecx\n\t"
      "movl 4(%esp), %edx\n"
      "1:\n\t"
      "pushl $0\n\t"                       /* FirstChance = FALSE: nobody handled it */
      "pushl %edx\n\t"
      "pushl %ecx\n\t"
      "call _NtRaiseException@12\n\t"
      "ud2");
}
