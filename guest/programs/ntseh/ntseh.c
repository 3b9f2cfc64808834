/* ntseh.exe: structured exception handling through ntdll's dispatcher.
 * Handlers are raw SEH frames on the stack (EXCEPTION_REGISTRATION_RECORD
 * on TEB->ExceptionList), as compilers' __try builds them. Each line is
 * "<check>: <value>" for tests/executive/ntseh.test.ts. */
#include <nt.h>
#include <stdio.h>
#include <setjmp.h>

static ULONG seen_code, seen_info0, seen_info1, seen_flags, order;
static PVOID seen_addr;

static void push_frame(EXCEPTION_REGISTRATION_RECORD *r, PEXCEPTION_ROUTINE h)
{
  r->Handler = h;
  r->Next = NtCurrentTeb()->NtTib.ExceptionList;
  NtCurrentTeb()->NtTib.ExceptionList = r;
}
static void pop_frame(EXCEPTION_REGISTRATION_RECORD *r)
{
  NtCurrentTeb()->NtTib.ExceptionList = r->Next;
}

/* Records the exception, skips the 2-byte faulting instruction, sets ECX. */
static EXCEPTION_DISPOSITION __cdecl skip2(PEXCEPTION_RECORD rec, PVOID frame, PCONTEXT ctx, PVOID dc)
{
  (void)frame; (void)dc;
  seen_code = rec->ExceptionCode;
  seen_addr = rec->ExceptionAddress;
  seen_flags = rec->ExceptionFlags;
  seen_info0 = rec->NumberParameters > 0 ? rec->ExceptionInformation[0] : 0xffffffff;
  seen_info1 = rec->NumberParameters > 1 ? rec->ExceptionInformation[1] : 0xffffffff;
  ctx->Eip += 2;
  ctx->Ecx = 0x1234;
  order = order * 10 + 2;
  return ExceptionContinueExecution;
}

static EXCEPTION_DISPOSITION __cdecl pass(PEXCEPTION_RECORD rec, PVOID frame, PCONTEXT ctx, PVOID dc)
{
  (void)rec; (void)frame; (void)ctx; (void)dc;
  order = order * 10 + 1;
  return ExceptionContinueSearch;
}

/* Reads [addr] with a 2-byte instruction (8B 08: movl (%eax), %ecx); returns ECX. */
static ULONG read_through(ULONG addr, ULONG *fault_ip)
{
  ULONG ecx;
  __asm__ volatile("movl $1f, %1\n\t"
                   "1: movl (%%eax), %%ecx\n\t"
                   : "=c"(ecx), "=m"(*fault_ip)
                   : "a"(addr)
                   : "memory");
  return ecx;
}

static jmp_buf resume_jb;
static void resume_here(void) { longjmp(resume_jb, 1); }
static ULONG alt_stack[4096];

static EXCEPTION_DISPOSITION __cdecl software(PEXCEPTION_RECORD rec, PVOID frame, PCONTEXT ctx, PVOID dc)
{
  (void)frame; (void)ctx; (void)dc;
  seen_code = rec->ExceptionCode;
  seen_info0 = rec->NumberParameters > 0 ? rec->ExceptionInformation[0] : 0xffffffff;
  return ExceptionContinueExecution;
}

int main(void)
{
  EXCEPTION_REGISTRATION_RECORD outer, inner;
  ULONG ip = 0, v;

  /* 1. an access violation handled by the only frame */
  push_frame(&outer, skip2);
  v = read_through(0x10, &ip);
  pop_frame(&outer);
  printf("av.code: 0x%08lx\n", (unsigned long)seen_code);
  printf("av.address-is-instruction: %d\n", seen_addr == (PVOID)ip);
  printf("av.info: %lu 0x%lx\n", (unsigned long)seen_info0, (unsigned long)seen_info1);
  printf("av.resumed-with-ecx: 0x%lx\n", (unsigned long)v);

  /* 2. nested frames: the inner one passes, the outer one handles */
  order = 0;
  push_frame(&outer, skip2);
  push_frame(&inner, pass);
  v = read_through(0x20, &ip);
  pop_frame(&inner);
  pop_frame(&outer);
  printf("nested.order: %lu\n", (unsigned long)order);
  printf("nested.info1: 0x%lx\n", (unsigned long)seen_info1);

  /* 3. a guard page: STATUS_GUARD_PAGE_VIOLATION once, then the page is ordinary */
  {
    PVOID g = NULL;
    SIZE_T gs = 0x1000;
    NtAllocateVirtualMemory(NtCurrentProcess(), &g, 0, &gs, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD);
    seen_code = 0;
    push_frame(&outer, skip2);
    read_through((ULONG)g, &ip);
    pop_frame(&outer);
    printf("guard.code: 0x%08lx\n", (unsigned long)seen_code);
    seen_code = 0;
    push_frame(&outer, skip2);
    v = read_through((ULONG)g, &ip);
    pop_frame(&outer);
    printf("guard.second-touch-code: 0x%08lx value %lu\n", (unsigned long)seen_code, (unsigned long)v);
  }

  /* 4. a software exception raised first-chance; the handler resumes the CONTEXT */
  if (setjmp(resume_jb) == 0) {
    EXCEPTION_RECORD rec;
    CONTEXT ctx;
    RtlZeroMemory(&rec, sizeof(rec));
    RtlZeroMemory(&ctx, sizeof(ctx));
    rec.ExceptionCode = (NTSTATUS)0xE0000001;
    rec.NumberParameters = 1;
    rec.ExceptionInformation[0] = 77;
    ctx.ContextFlags = CONTEXT_CONTROL;
    ctx.Eip = (ULONG)resume_here;
    ctx.Esp = (ULONG)&alt_stack[4096 - 16];
    ctx.EFlags = 0x202;
    seen_code = 0;
    push_frame(&outer, software);
    NtRaiseException(&rec, &ctx, TRUE);
    printf("software.not-reached: 1\n");
  }
  pop_frame(&outer);
  printf("software.code: 0x%08lx info %lu\n", (unsigned long)seen_code, (unsigned long)seen_info0);

  /* 5. no handler left: the second chance ends the process (exit status = the code) */
  printf("unhandled.next: 1\n");
  *(volatile int *)0 = 1;
  printf("unhandled.survived: 1\n");
  return 0;
}
