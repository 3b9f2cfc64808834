/*
 * The frame handler of compiler-made SEH: what clang (and MSVC) emit for
 * __try/__except/__finally on x86 is one registration per function that
 * names _except_handler3, NT x86's public frame layout (described in Matt
 * Pietrek's "A Crash Course on the Depths of Win32 Structured Exception
 * Handling"):
 *
 *   reg-8  the function's ESP, saved after its prologue
 *   reg-4  the EXCEPTION_POINTERS of the exception being filtered
 *   reg+0  Next, reg+4 Handler (= _except_handler3)
 *   reg+8  scope table: {previous try level, filter (NULL: __finally), handler}
 *   reg+12 current try level (-1: outside every __try)
 *
 * Filters, __except blocks and __finally blocks expect EBP = reg+16 (the
 * compiler reaches the function's locals from there). During dispatch the
 * try levels are asked from the innermost out; a filter that answers
 * EXCEPTION_EXECUTE_HANDLER makes a global unwind to this frame (RtlUnwind:
 * the frames above run their __finally blocks), then a local one (this
 * function's __finally blocks inside that __try), then the __except block
 * runs with the function's ESP. A filter that answers
 * EXCEPTION_CONTINUE_EXECUTION resumes the faulting CONTEXT. An unwind
 * passing through runs every __finally block still open.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

typedef struct _SCOPE_ENTRY {
  LONG PreviousLevel;
  PVOID Filter;  /* NULL: the entry is a __finally block */
  PVOID Handler; /* the __except block, or the __finally funclet */
} SCOPE_ENTRY;

typedef struct _EH3_REGISTRATION {
  EXCEPTION_REGISTRATION_RECORD Reg;
  SCOPE_ENTRY *Scope;
  volatile LONG TryLevel;
} EH3_REGISTRATION;

/* Calls a filter or __finally funclet with EBP = the frame's; EAX = 1 (clang's finally funclets read "abnormal termination" from it). */
static __attribute__((naked)) LONG call_with_ebp(PVOID fn, ULONG_PTR ebp)
{
  __asm__ volatile(
      "pushl %ebp\n\t"
      "pushl %ebx\n\t"
      "pushl %esi\n\t"
      "pushl %edi\n\t"
      "movl 20(%esp), %ecx\n\t"
      "movl 24(%esp), %ebp\n\t"
      "movl $1, %eax\n\t"
      "call *%ecx\n\t"
      "popl %edi\n\t"
      "popl %esi\n\t"
      "popl %ebx\n\t"
      "popl %ebp\n\t"
      "ret");
}

/* Enters an __except block: it restores its own ESP from reg-8. */
static __attribute__((naked, noreturn)) void jump_with_ebp(PVOID fn, ULONG_PTR ebp)
{
  __asm__ volatile(
      "movl 4(%esp), %eax\n\t"
      "movl 8(%esp), %ebp\n\t"
      "jmp *%eax");
}

static ULONG_PTR frame_ebp(EH3_REGISTRATION *r)
{
  return (ULONG_PTR)r + 16;
}

/* Runs the __finally blocks of `reg` from its current try level out to `stop` (not included). */
void __cdecl _local_unwind2(PEXCEPTION_REGISTRATION_RECORD reg, LONG stop)
{
  EH3_REGISTRATION *r = (EH3_REGISTRATION *)reg;
  while (r->TryLevel != -1 && r->TryLevel != stop) {
    SCOPE_ENTRY *s = &r->Scope[r->TryLevel];
    r->TryLevel = s->PreviousLevel; /* first, so a fault inside the block does not run it again */
    if (s->Filter == NULL) call_with_ebp(s->Handler, frame_ebp(r));
  }
}

/* Unwinds every frame above `reg` (RtlUnwind to it, returning here). */
void __cdecl _global_unwind2(PEXCEPTION_REGISTRATION_RECORD reg)
{
  RtlUnwind(reg, NULL, NULL, NULL);
}

EXCEPTION_DISPOSITION __cdecl _except_handler3(PEXCEPTION_RECORD rec, PVOID establisher, PCONTEXT ctx, PVOID dc)
{
  EH3_REGISTRATION *r = (EH3_REGISTRATION *)establisher;
  EXCEPTION_POINTERS xp;
  LONG level;
  (void)dc;
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) {
    _local_unwind2(&r->Reg, -1);
    return ExceptionContinueSearch;
  }
  xp.ExceptionRecord = rec;
  xp.ContextRecord = ctx;
  ((volatile PEXCEPTION_POINTERS *)r)[-1] = &xp;
  for (level = r->TryLevel; level != -1; level = r->Scope[level].PreviousLevel) {
    SCOPE_ENTRY *s = &r->Scope[level];
    LONG verdict;
    if (s->Filter == NULL) continue;
    verdict = call_with_ebp(s->Filter, frame_ebp(r));
    if (verdict < 0) return ExceptionContinueExecution;
    if (verdict > 0) {
      _global_unwind2(&r->Reg);
      _local_unwind2(&r->Reg, level);
      r->TryLevel = s->PreviousLevel;
      jump_with_ebp(s->Handler, frame_ebp(r));
    }
  }
  return ExceptionContinueSearch;
}
