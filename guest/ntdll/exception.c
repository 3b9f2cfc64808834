/*
 * User-mode exception dispatch and unwinding (NT's x86 model).
 *
 * The executive turns a fault it cannot resolve into an EXCEPTION_RECORD and
 * a CONTEXT on the thread's stack and resumes the thread here with
 *     [ESP] = PEXCEPTION_RECORD, [ESP+4] = PCONTEXT
 * RtlDispatchException first asks the vectored handlers (vectored.c), then
 * walks the thread's SEH chain (TEB->ExceptionList); a handler that returns
 * ExceptionContinueExecution resumes the CONTEXT it may have changed
 * (NtContinue); when none handles it, the second chance (NtRaiseException
 * with FirstChance = FALSE) ends the process.
 *
 * Every handler runs under a small protecting frame of ours, as NT does, so
 * that an exception raised inside a handler is recognised:
 *  - during dispatch, the protector answers ExceptionNestedException and
 *    names the frame whose handler was running; the nested dispatch marks
 *    the frames up to that one with EXCEPTION_NESTED_CALL;
 *  - during an unwind, the protector of an unwind handler answers
 *    ExceptionCollidedUnwind when a second unwind passes it, and that
 *    unwind carries on from the frame the first one had reached.
 *
 * RtlUnwind(TargetFrame, TargetIp, ExceptionRecord, ReturnValue) calls each
 * frame's handler above TargetFrame with EXCEPTION_UNWINDING (and
 * EXCEPTION_EXIT_UNWIND when TargetFrame is NULL), removes it from the
 * chain, and then continues its caller's CONTEXT with EAX = ReturnValue:
 * after the RtlUnwind call, or at TargetIp when one is given (with the
 * stack and callee-saved registers of the caller). A TargetFrame that is
 * not on the chain (a frame lower on the stack than the target is met, or
 * the target is off the stack) raises STATUS_INVALID_UNWIND_TARGET, a
 * frame outside the stack STATUS_BAD_STACK, a bad disposition
 * STATUS_INVALID_DISPOSITION, all noncontinuable; an exit unwind (NULL)
 * that reaches the end of the chain raises the record's exception as a
 * second chance (the process ends), as on NT.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define EXCEPTION_STACK_INVALID 0x08
#define EXCEPTION_UNWIND (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)

/* CONTEXT offsets used by the assembly below (checked against nt.h). */
_Static_assert(offsetof(CONTEXT, Ebp) == 0xb4, "CONTEXT.Ebp");
_Static_assert(offsetof(CONTEXT, Eip) == 0xb8, "CONTEXT.Eip");
_Static_assert(offsetof(CONTEXT, Esp) == 0xc4, "CONTEXT.Esp");

BOOLEAN RtlpCallVectoredHandlers(PEXCEPTION_RECORD rec, PCONTEXT ctx); /* vectored.c */

/* Our frame around a handler call: the registration, then the frame whose handler runs. */
typedef struct _PROTECT_FRAME {
  EXCEPTION_REGISTRATION_RECORD Reg;
  PEXCEPTION_REGISTRATION_RECORD Frame;
} PROTECT_FRAME;

static inline volatile PEXCEPTION_REGISTRATION_RECORD *exception_list(void)
{
  return (volatile PEXCEPTION_REGISTRATION_RECORD *)&NtCurrentTeb()->NtTib.ExceptionList;
}

static EXCEPTION_DISPOSITION __cdecl protect_dispatch(PEXCEPTION_RECORD rec, PVOID establisher, PCONTEXT ctx, PVOID dc)
{
  (void)ctx;
  if (rec->ExceptionFlags & EXCEPTION_UNWIND) return ExceptionContinueSearch;
  *(PVOID *)dc = ((PROTECT_FRAME *)establisher)->Frame;
  return ExceptionNestedException;
}

static EXCEPTION_DISPOSITION __cdecl protect_unwind(PEXCEPTION_RECORD rec, PVOID establisher, PCONTEXT ctx, PVOID dc)
{
  (void)ctx;
  if (!(rec->ExceptionFlags & EXCEPTION_UNWIND)) return ExceptionContinueSearch;
  *(PVOID *)dc = ((PROTECT_FRAME *)establisher)->Frame;
  return ExceptionCollidedUnwind;
}

/* Calls f's handler with our protecting frame on top of the chain. */
static __attribute__((noinline)) EXCEPTION_DISPOSITION execute_handler(PEXCEPTION_RECORD rec, PEXCEPTION_REGISTRATION_RECORD f,
                                                                       PCONTEXT ctx, PVOID *dc, PEXCEPTION_ROUTINE protector)
{
  volatile PROTECT_FRAME pf;
  EXCEPTION_DISPOSITION d;
  pf.Reg.Handler = protector;
  pf.Frame = f;
  pf.Reg.Next = *exception_list();
  *exception_list() = (PEXCEPTION_REGISTRATION_RECORD)&pf.Reg;
  d = f->Handler(rec, f, ctx, dc);
  *exception_list() = pf.Reg.Next;
  return d;
}

static BOOLEAN frame_on_stack(PEXCEPTION_REGISTRATION_RECORD f)
{
  PTEB teb = NtCurrentTeb();
  ULONG_PTR a = (ULONG_PTR)f;
  return a >= (ULONG_PTR)teb->NtTib.StackLimit && a + sizeof(*f) <= (ULONG_PTR)teb->NtTib.StackBase && (a & 3) == 0;
}

/* A noncontinuable exception `code` about `nested` (NT raises these in user mode too). */
static VOID raise_status(NTSTATUS code, PEXCEPTION_RECORD nested)
{
  EXCEPTION_RECORD r;
  RtlZeroMemory(&r, sizeof(r));
  r.ExceptionCode = code;
  r.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
  r.ExceptionRecord = nested;
  r.ExceptionAddress = nested != NULL ? nested->ExceptionAddress : NULL;
  RtlRaiseException(&r);
}

BOOLEAN NTAPI RtlDispatchException(PEXCEPTION_RECORD rec, PCONTEXT ctx)
{
  PEXCEPTION_REGISTRATION_RECORD f, nested = NULL;
  if (RtlpCallVectoredHandlers(rec, ctx)) return TRUE;
  for (f = *exception_list(); f != EXCEPTION_CHAIN_END && f != NULL; f = f->Next) {
    PVOID dc = NULL;
    EXCEPTION_DISPOSITION d;
    if (!frame_on_stack(f)) {
      rec->ExceptionFlags |= EXCEPTION_STACK_INVALID;
      return FALSE;
    }
    d = execute_handler(rec, f, ctx, &dc, protect_dispatch);
    if (nested == f) { /* past the frame whose handler raised this one */
      rec->ExceptionFlags &= ~EXCEPTION_NESTED_CALL;
      nested = NULL;
    }
    switch (d) {
    case ExceptionContinueExecution:
      if (rec->ExceptionFlags & EXCEPTION_NONCONTINUABLE) {
        raise_status(STATUS_NONCONTINUABLE_EXCEPTION, rec);
        break; /* not reached: the new exception is noncontinuable too */
      }
      return TRUE;
    case ExceptionContinueSearch:
      if (rec->ExceptionFlags & EXCEPTION_STACK_INVALID) return FALSE;
      break;
    case ExceptionNestedException:
      rec->ExceptionFlags |= EXCEPTION_NESTED_CALL;
      if ((ULONG_PTR)dc > (ULONG_PTR)nested) nested = (PEXCEPTION_REGISTRATION_RECORD)dc;
      break;
    default:
      raise_status(STATUS_INVALID_DISPOSITION, rec);
      break;
    }
  }
  return FALSE;
}

/*
 * The caller's registers as it will see them after this call returns:
 * EIP = the return address, ESP past the argument (stdcall), EBX ESI EDI
 * EBP and EFLAGS unchanged, EAX ECX EDX as they were.
 */
__attribute__((naked)) VOID NTAPI RtlCaptureContext(PCONTEXT ctx)
{
  __asm__ volatile(
      "pushl %ebx\n\t"
      "movl 8(%esp), %ebx\n\t"              /* ctx */
      "movl %eax, 0xb0(%ebx)\n\t"
      "movl %ecx, 0xac(%ebx)\n\t"
      "movl %edx, 0xa8(%ebx)\n\t"
      "movl (%esp), %eax\n\t"
      "movl %eax, 0xa4(%ebx)\n\t"           /* the caller's EBX */
      "movl %esi, 0xa0(%ebx)\n\t"
      "movl %edi, 0x9c(%ebx)\n\t"
      "movl %ebp, 0xb4(%ebx)\n\t"
      "movl 4(%esp), %eax\n\t"
      "movl %eax, 0xb8(%ebx)\n\t"           /* EIP: our return address */
      "leal 12(%esp), %eax\n\t"
      "movl %eax, 0xc4(%ebx)\n\t"           /* ESP after ret 4 */
      "pushfl\n\t"
      "popl 0xc0(%ebx)\n\t"
      "xorl %eax, %eax\n\t"
      "movw %cs, %ax\n\t"
      "movl %eax, 0xbc(%ebx)\n\t"
      "movw %ss, %ax\n\t"
      "movl %eax, 0xc8(%ebx)\n\t"
      "movw %ds, %ax\n\t"
      "movl %eax, 0x98(%ebx)\n\t"
      "movw %es, %ax\n\t"
      "movl %eax, 0x94(%ebx)\n\t"
      "movw %fs, %ax\n\t"
      "movl %eax, 0x90(%ebx)\n\t"
      "movw %gs, %ax\n\t"
      "movl %eax, 0x8c(%ebx)\n\t"
      "movl $0x10007, (%ebx)\n\t"           /* CONTEXT_CONTROL | INTEGER | SEGMENTS */
      "movl 0xb0(%ebx), %eax\n\t"
      "popl %ebx\n\t"
      "ret $4");
}

/* RtlRaiseException's body: the CONTEXT is its caller's, taken on entry. */
VOID NTAPI RtlpRaiseFrom(PEXCEPTION_RECORD rec, PCONTEXT ctx)
{
  NTSTATUS s;
  rec->ExceptionAddress = (PVOID)ctx->Eip;
  if (RtlDispatchException(rec, ctx))
    s = NtContinue(ctx, FALSE);
  else
    s = NtRaiseException(rec, ctx, FALSE);
  /* Only a CONTEXT or record the executive refuses comes back here. */
  raise_status(s, rec);
}

/*
 * The start of a naked function that needs its caller's CONTEXT: a frame with
 * room for a CONTEXT (0x2d0 bytes, 16-aligned) at ESP, filled by
 * RtlCaptureContext and then corrected to the caller's view: EBP and EIP from
 * our frame, ESP as it will be after our `ret` (EBP + `esp_after`). EAX ends
 * pointing at the CONTEXT.
 */
#define CAPTURE_CALLERS_CONTEXT(esp_after) \
      "pushl %ebp\n\t" \
      "movl %esp, %ebp\n\t" \
      "subl $0x2d0, %esp\n\t" \
      "andl $-16, %esp\n\t" \
      "pushl %esp\n\t" \
      "call _RtlCaptureContext@4\n\t" \
      "movl %esp, %eax\n\t" \
      "movl 0(%ebp), %ecx\n\t" \
      "movl %ecx, 0xb4(%eax)\n\t" /* the caller's EBP */ \
      "movl 4(%ebp), %ecx\n\t" \
      "movl %ecx, 0xb8(%eax)\n\t" /* EIP: after the call to us */ \
      "leal " esp_after "(%ebp), %ecx\n\t" \
      "movl %ecx, 0xc4(%eax)\n\t"

/* A software exception, dispatched in user mode first (NT's order); the caller resumes when a handler continues it. */
__attribute__((naked)) VOID NTAPI RtlRaiseException(PEXCEPTION_RECORD rec)
{
  __asm__ volatile(
      CAPTURE_CALLERS_CONTEXT("12")           /* ESP after ret 4 */
      "pushl %eax\n\t"
      "pushl 8(%ebp)\n\t"
      "call _RtlpRaiseFrom@8\n\t"
      "ud2");
}

/* RtlUnwind's body, on its caller's CONTEXT. */
VOID NTAPI RtlpUnwindFrom(PEXCEPTION_REGISTRATION_RECORD target, PVOID targetIp, PEXCEPTION_RECORD rec, PVOID retval, PCONTEXT ctx)
{
  EXCEPTION_RECORD local;
  PEXCEPTION_REGISTRATION_RECORD f;
  if (rec == NULL) {
    RtlZeroMemory(&local, sizeof(local));
    local.ExceptionCode = STATUS_UNWIND;
    local.ExceptionAddress = (PVOID)ctx->Eip;
    rec = &local;
  }
  rec->ExceptionFlags |= EXCEPTION_UNWINDING;
  if (target == NULL) rec->ExceptionFlags |= EXCEPTION_EXIT_UNWIND;
  ctx->Eax = (ULONG)retval;
  if (targetIp != NULL) ctx->Eip = (ULONG)targetIp;

  f = *exception_list();
  while (f != EXCEPTION_CHAIN_END && f != NULL) {
    PVOID dc = NULL;
    EXCEPTION_DISPOSITION d;
    if (f == target) {
      NtContinue(ctx, FALSE);
      raise_status(STATUS_INVALID_UNWIND_TARGET, rec); /* a CONTEXT the executive refused */
    }
    if (target != NULL && (ULONG_PTR)target < (ULONG_PTR)f) raise_status(STATUS_INVALID_UNWIND_TARGET, rec);
    if (!frame_on_stack(f)) raise_status(STATUS_BAD_STACK, rec);
    d = execute_handler(rec, f, ctx, &dc, protect_unwind);
    switch (d) {
    case ExceptionContinueSearch:
      break;
    case ExceptionCollidedUnwind:
      /* An unwind that runs inside another one's handler: go on from where that one was. */
      f = (PEXCEPTION_REGISTRATION_RECORD)dc;
      break;
    default:
      raise_status(STATUS_INVALID_DISPOSITION, rec);
      break;
    }
    /* Unlink f (and, after a collision, whatever was above it). */
    *exception_list() = f->Next;
    f = f->Next;
  }
  if (target == EXCEPTION_CHAIN_END) NtContinue(ctx, FALSE);
  /* An exit unwind that ran every frame, or a target that was never met. */
  NtRaiseException(rec, ctx, FALSE);
}

__attribute__((naked)) VOID NTAPI RtlUnwind(PVOID TargetFrame, PVOID TargetIp, PEXCEPTION_RECORD ExceptionRecord, PVOID ReturnValue)
{
  __asm__ volatile(
      CAPTURE_CALLERS_CONTEXT("24")           /* ESP after ret 16 */
      "pushl %eax\n\t"
      "pushl 20(%ebp)\n\t"
      "pushl 16(%ebp)\n\t"
      "pushl 12(%ebp)\n\t"
      "pushl 8(%ebp)\n\t"
      "call _RtlpUnwindFrom@20\n\t"
      "ud2");
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
