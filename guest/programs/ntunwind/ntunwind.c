/* ntunwind.exe: unwinding, compiler-made SEH, vectored handlers and the FPU
 * state in a CONTEXT (guest/ntdll/exception.c, vectored.c,
 * except_handler3.c). Each line is "<check>: <value>" for
 * tests/executive/ntunwind.test.ts. */
#include <nt.h>
#include <stdio.h>
#include <setjmp.h>

static char log_buf[128];
static ULONG log_len;
static void note(char c)
{
  if (log_len + 1 < sizeof(log_buf)) log_buf[log_len++] = c;
  log_buf[log_len] = 0;
}
static void log_reset(void) { log_len = 0; log_buf[0] = 0; }

static void push_frame(EXCEPTION_REGISTRATION_RECORD *r, PEXCEPTION_ROUTINE h)
{
  r->Handler = h;
  r->Next = NtCurrentTeb()->NtTib.ExceptionList;
  NtCurrentTeb()->NtTib.ExceptionList = r;
}
static PEXCEPTION_REGISTRATION_RECORD chain(void) { return NtCurrentTeb()->NtTib.ExceptionList; }

/* ---- 1. compiler-made SEH: a fault three calls down, caught in main's __except */
static volatile int *volatile null_ptr;
static __attribute__((noinline)) int innermost(void)
{
  int v = 0;
  __try {
    note('i');
    v = *null_ptr; /* access violation */
    note('X');
  } __finally {
    note(AbnormalTermination() ? 'F' : 'f');
  }
  return v;
}
static __attribute__((noinline)) int middle(void)
{
  int v;
  __try {
    v = innermost();
  } __finally {
    note('M');
  }
  return v;
}
static LONG filter_seen(ULONG code)
{
  note('?');
  return code == (ULONG)STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH;
}
static __attribute__((noinline)) ULONG compiler_seh(void)
{
  ULONG code = 0;
  __try {
    middle();
  } __except (filter_seen(GetExceptionCode())) {
    code = GetExceptionCode();
    note('E');
  }
  return code;
}

/* A filter that resumes: the fault's CONTEXT is changed to skip the 2-byte load. */
static LONG skip_load(PEXCEPTION_POINTERS xp)
{
  xp->ContextRecord->Eip += 2;
  xp->ContextRecord->Ecx = 0x4242;
  return EXCEPTION_CONTINUE_EXECUTION;
}
static ULONG read_through(ULONG addr)
{
  ULONG ecx;
  __asm__ volatile("movl (%%eax), %%ecx" : "=c"(ecx) : "a"(addr) : "memory");
  return ecx;
}
static __attribute__((noinline)) ULONG continue_filter(void)
{
  ULONG v = 0;
  __try {
    v = read_through(0x30);
  } __except (skip_load(GetExceptionInformation())) {
    v = 1;
  }
  return v;
}

/* A __finally that faults while it is being unwound: the second exception's
 * unwind collides with the first one and takes over. */
static __attribute__((noinline)) int finally_faults(void)
{
  __try {
    note('t'); /* clang's try level is set at calls: a fault before any call would not be inside the __try */
    *null_ptr = 1; /* the first fault */
  } __finally {
    note('f');
    if (AbnormalTermination()) {
      note('g');
      *null_ptr = 2; /* the second fault, during the unwind */
      note('X');
    }
  }
  return 0;
}
static LONG mark(char c) { note(c); return EXCEPTION_EXECUTE_HANDLER; }
static __attribute__((noinline)) void fault_in_finally(void)
{
  __try {
    __try {
      finally_faults();
    } __except (mark('1')) {
      note('I');
    }
  } __except (mark('2')) {
    note('O');
  }
}

/* ---- 2. RtlUnwind over raw frames */
static ULONG unwind_flags, unwind_code, a_calls, b_calls;
static EXCEPTION_DISPOSITION __cdecl unwind_a(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)c; (void)dc;
  if (rec->ExceptionFlags & EXCEPTION_UNWINDING) { note('A'); unwind_flags = rec->ExceptionFlags; unwind_code = rec->ExceptionCode; }
  return ExceptionContinueSearch;
}
static EXCEPTION_DISPOSITION __cdecl unwind_b(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)c; (void)dc;
  if (rec->ExceptionFlags & EXCEPTION_UNWINDING) { note('B'); b_calls++; }
  return ExceptionContinueSearch;
}
static EXCEPTION_DISPOSITION __cdecl never(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)rec; (void)f; (void)c; (void)dc;
  note('T'); /* the target frame's handler is not called */
  return ExceptionContinueSearch;
}

/* RtlUnwind(target, TargetIp = the label below, NULL, 0x77): returns 0x77 + 1000 when it continued at TargetIp. */
static __attribute__((naked)) ULONG unwind_to_ip(PVOID target)
{
  __asm__ volatile(
      "movl 4(%esp), %eax\n\t"
      "pushl $0x77\n\t"
      "pushl $0\n\t"
      "pushl $1f\n\t"
      "pushl %eax\n\t"
      "call _RtlUnwind@16\n\t"
      "xorl %eax, %eax\n\t"           /* returned normally: TargetIp was ignored */
      "ret\n"
      "1:\n\t"
      "addl $1000, %eax\n\t"
      "ret");
}

/* ---- 3. a collided unwind: A's unwind handler unwinds again, past its own caller */
static jmp_buf collide_jb;
static EXCEPTION_REGISTRATION_RECORD *collide_target;
static EXCEPTION_DISPOSITION __cdecl collide_a(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)c; (void)dc;
  if (!(rec->ExceptionFlags & EXCEPTION_UNWINDING)) return ExceptionContinueSearch;
  note('A');
  if (++a_calls == 1) {
    RtlUnwind(collide_target, NULL, NULL, 0);
    note('r');
    longjmp(collide_jb, 1);
  }
  return ExceptionContinueSearch;
}

/* ---- 4. a nested exception raised inside a handler */
static ULONG inner_saw_nested, outer_saw_nested, nested_round;
static EXCEPTION_DISPOSITION __cdecl nest_outer(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)c; (void)dc;
  if (rec->ExceptionCode == (NTSTATUS)0xE0000002) {
    outer_saw_nested = (rec->ExceptionFlags & EXCEPTION_NESTED_CALL) ? 1 : 0;
    note('O');
    return ExceptionContinueExecution;
  }
  return ExceptionContinueSearch;
}
static EXCEPTION_DISPOSITION __cdecl nest_inner(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)dc;
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
  if (rec->ExceptionCode == (NTSTATUS)0xE0000001) {
    EXCEPTION_RECORD r2;
    RtlZeroMemory(&r2, sizeof(r2));
    r2.ExceptionCode = (NTSTATUS)0xE0000002;
    note('1');
    nested_round = 1;
    RtlRaiseException(&r2); /* handled by nest_outer, which continues here */
    note('2');
    return ExceptionContinueExecution;
  }
  if (rec->ExceptionCode == (NTSTATUS)0xE0000002) {
    inner_saw_nested = (rec->ExceptionFlags & EXCEPTION_NESTED_CALL) ? 1 : 0;
    note('N');
  }
  (void)c;
  return ExceptionContinueSearch;
}

/* ---- 5. continuing a noncontinuable exception */
static EXCEPTION_DISPOSITION __cdecl continue_anything(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)c; (void)dc;
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
  if (rec->ExceptionCode == (NTSTATUS)0xE0000003) return ExceptionContinueExecution;
  return ExceptionContinueSearch;
}
static ULONG nested_code;
static LONG take_noncontinuable(PEXCEPTION_POINTERS xp)
{
  PEXCEPTION_RECORD r = xp->ExceptionRecord;
  nested_code = r->ExceptionRecord != NULL ? (ULONG)r->ExceptionRecord->ExceptionCode : 0;
  return EXCEPTION_EXECUTE_HANDLER;
}
static __attribute__((noinline)) ULONG noncontinuable(void)
{
  ULONG code = 0;
  __try {
    EXCEPTION_REGISTRATION_RECORD f;
    EXCEPTION_RECORD r;
    push_frame(&f, continue_anything);
    RtlZeroMemory(&r, sizeof(r));
    r.ExceptionCode = (NTSTATUS)0xE0000003;
    r.ExceptionFlags = EXCEPTION_NONCONTINUABLE;
    RtlRaiseException(&r);
    note('X');
  } __except (take_noncontinuable(GetExceptionInformation())) {
    code = GetExceptionCode();
  }
  return code;
}

/* ---- 6. an unwind target that is not on the chain */
static __attribute__((noinline)) ULONG bad_target(void)
{
  ULONG code = 0;
  __try {
    EXCEPTION_REGISTRATION_RECORD a, stray;
    push_frame(&a, unwind_a);
    stray.Next = EXCEPTION_CHAIN_END;
    stray.Handler = never;
    /* `stray` is below `a` on the stack: a frame is met before the target can be. */
    RtlUnwind(&stray < &a ? (PVOID)&stray : (PVOID)((ULONG_PTR)&a - 64), NULL, NULL, 0);
    note('X');
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    code = GetExceptionCode();
  }
  return code;
}

/* ---- 7. vectored handlers */
static LONG NTAPI veh_first(PEXCEPTION_POINTERS xp) { (void)xp; note('1'); return EXCEPTION_CONTINUE_SEARCH; }
static LONG NTAPI veh_last(PEXCEPTION_POINTERS xp)
{
  note('2');
  if (xp->ExceptionRecord->ExceptionCode == STATUS_ACCESS_VIOLATION && xp->ExceptionRecord->ExceptionInformation[1] == 0x40) {
    xp->ContextRecord->Eip += 2;
    xp->ContextRecord->Ecx = 0x5151;
    return EXCEPTION_CONTINUE_EXECUTION;
  }
  return EXCEPTION_CONTINUE_SEARCH;
}
static EXCEPTION_DISPOSITION __cdecl frame_skip(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  (void)f; (void)dc;
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
  note('S');
  c->Eip += 2;
  c->Ecx = 0x6161;
  return ExceptionContinueExecution;
}

/* ---- 8. x87 and SSE state through an exception's CONTEXT */
static ULONG fpu_flags, fpu_st0_ok, fpu_st1_ok, fpu_xmm_ok, fpu_mxcsr;
/* 80-bit encodings: 1.5 = 0x3fff C000000000000000, 2.25 = 0x4000 9000000000000000, 6.5 = 0x4001 D000000000000000. */
static int is_f80(const UCHAR *p, ULONG hi, USHORT se)
{
  return *(const ULONG *)p == 0 && *(const ULONG *)(p + 4) == hi && *(const USHORT *)(p + 8) == se;
}
static void set_f80(UCHAR *p, ULONG hi, USHORT se)
{
  *(ULONG *)p = 0;
  *(ULONG *)(p + 4) = hi;
  *(USHORT *)(p + 8) = se;
}
static EXCEPTION_DISPOSITION __cdecl fpu_handler(PEXCEPTION_RECORD rec, PVOID f, PCONTEXT c, PVOID dc)
{
  ULONG *xmm;
  (void)f; (void)dc;
  if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) return ExceptionContinueSearch;
  fpu_flags = c->ContextFlags;
  /* ST0 = 2.25, ST1 = 1.5 in both images */
  fpu_st0_ok = is_f80(c->FloatSave.RegisterArea, 0x90000000, 0x4000) && is_f80(c->ExtendedRegisters + 32, 0x90000000, 0x4000);
  fpu_st1_ok = is_f80(c->FloatSave.RegisterArea + 10, 0xC0000000, 0x3fff) && is_f80(c->ExtendedRegisters + 48, 0xC0000000, 0x3fff);
  xmm = (ULONG *)(c->ExtendedRegisters + 160 + 16); /* XMM1 */
  fpu_xmm_ok = xmm[0] == 0x11111111 && xmm[1] == 0x22222222 && xmm[2] == 0x33333333 && xmm[3] == 0x44444444;
  fpu_mxcsr = *(ULONG *)(c->ExtendedRegisters + 24);
  /* change them: XMM1 through the FXSAVE image, ST0 through FloatSave (which wins for the x87) */
  xmm[0] = 0xaaaa0001; xmm[1] = 0xbbbb0002; xmm[2] = 0xcccc0003; xmm[3] = 0xdddd0004;
  set_f80(c->FloatSave.RegisterArea, 0xD0000000, 0x4001); /* 6.5 */
  c->Eip += 2;
  return ExceptionContinueExecution;
}
static const ULONG xmm_in[4] __attribute__((aligned(16))) = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
static ULONG xmm_out[4] __attribute__((aligned(16)));
static double st0_out, st1_out;
static const double one_and_half = 1.5, two_and_quarter = 2.25;

static __attribute__((noinline)) void fpu_across_exception(void)
{
  EXCEPTION_REGISTRATION_RECORD f;
  push_frame(&f, fpu_handler);
  __asm__ volatile(
      "movdqa %[xin], %%xmm1\n\t"
      "fldl %[a]\n\t"                 /* ST0 = 1.5 */
      "fldl %[b]\n\t"                 /* ST0 = 2.25, ST1 = 1.5 */
      "movl $0x50, %%eax\n\t"
      "movl (%%eax), %%ecx\n\t"       /* access violation; the handler skips it */
      "movdqa %%xmm1, %[xout]\n\t"
      "fstpl %[s0]\n\t"
      "fstpl %[s1]\n\t"
      : [xout] "=m"(xmm_out), [s0] "=m"(st0_out), [s1] "=m"(st1_out)
      : [xin] "m"(xmm_in), [a] "m"(one_and_half), [b] "m"(two_and_quarter)
      : "eax", "ecx", "xmm1", "memory");
  NtCurrentTeb()->NtTib.ExceptionList = f.Next;
}

/* ---- 9. NtGetContextThread gives the caller's SSE state too */
static CONTEXT got_ctx __attribute__((aligned(16)));
static const ULONG xmm2_in[4] __attribute__((aligned(16))) = { 0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10 };
static __attribute__((noinline)) void get_context_fpu(void)
{
  ULONG *x;
  RtlZeroMemory(&got_ctx, sizeof(got_ctx));
  got_ctx.ContextFlags = CONTEXT_EXTENDED_REGISTERS | CONTEXT_FLOATING_POINT;
  __asm__ volatile("movdqa %0, %%xmm2" : : "m"(xmm2_in) : "xmm2");
  NtGetContextThread(NtCurrentThread(), &got_ctx);
  x = (ULONG *)(got_ctx.ExtendedRegisters + 160 + 32);
  printf("getcontext.fpu: flags 0x%lx xmm2 %08lx %08lx %08lx %08lx eip %lu\n", (unsigned long)got_ctx.ContextFlags,
         (unsigned long)x[0], (unsigned long)x[1], (unsigned long)x[2], (unsigned long)x[3], (unsigned long)got_ctx.Eip);
}

static PEXCEPTION_REGISTRATION_RECORD chain_at_main;

int main(void)
{
  ULONG v;
  chain_at_main = chain();

  /* 1 */
  log_reset();
  v = compiler_seh();
  printf("eh3.code: 0x%08lx\n", (unsigned long)v);
  printf("eh3.order: %s\n", log_buf);
  printf("eh3.continue-filter: 0x%lx\n", (unsigned long)continue_filter());
  log_reset();
  fault_in_finally();
  printf("eh3.fault-in-finally: %s chain-restored %d\n", log_buf, chain() == chain_at_main);

  /* 2 */
  {
    EXCEPTION_REGISTRATION_RECORD t, b, a;
    PEXCEPTION_REGISTRATION_RECORD before = chain();
    log_reset();
    push_frame(&t, never);
    push_frame(&b, unwind_b);
    push_frame(&a, unwind_a);
    v = unwind_to_ip(&t);
    printf("unwind.order: %s\n", log_buf);
    printf("unwind.chain-at-target: %d\n", chain() == &t);
    printf("unwind.flags: 0x%lx code 0x%08lx\n", (unsigned long)unwind_flags, (unsigned long)unwind_code);
    printf("unwind.target-ip-eax: %lu\n", (unsigned long)v);
    push_frame(&b, unwind_b);
    log_reset();
    RtlUnwind(&t, NULL, NULL, 0);
    printf("unwind.return-order: %s chain-at-target %d\n", log_buf, chain() == &t);
    NtCurrentTeb()->NtTib.ExceptionList = before;
  }

  /* 3 */
  {
    EXCEPTION_REGISTRATION_RECORD t, b, a;
    PEXCEPTION_REGISTRATION_RECORD before = chain();
    log_reset();
    a_calls = 0; b_calls = 0;
    push_frame(&t, never);
    push_frame(&b, unwind_b);
    push_frame(&a, collide_a);
    collide_target = &t;
    if (setjmp(collide_jb) == 0) RtlUnwind(&t, NULL, NULL, 0);
    printf("collided.order: %s a %lu b %lu chain-at-target %d\n", log_buf, (unsigned long)a_calls, (unsigned long)b_calls, chain() == &t);
    NtCurrentTeb()->NtTib.ExceptionList = before;
  }

  /* 4 */
  {
    EXCEPTION_REGISTRATION_RECORD o, i;
    EXCEPTION_RECORD r;
    PEXCEPTION_REGISTRATION_RECORD before = chain();
    log_reset();
    push_frame(&o, nest_outer);
    push_frame(&i, nest_inner);
    RtlZeroMemory(&r, sizeof(r));
    r.ExceptionCode = (NTSTATUS)0xE0000001;
    RtlRaiseException(&r);
    printf("nested.order: %s inner-nested %lu outer-nested %lu\n", log_buf, (unsigned long)inner_saw_nested, (unsigned long)outer_saw_nested);
    NtCurrentTeb()->NtTib.ExceptionList = before;
  }

  /* 5, 6 */
  v = noncontinuable();
  printf("noncontinuable: 0x%08lx of 0x%08lx\n", (unsigned long)v, (unsigned long)nested_code);
  printf("bad-target: 0x%08lx\n", (unsigned long)bad_target());

  /* 7 */
  {
    EXCEPTION_REGISTRATION_RECORD f;
    PEXCEPTION_REGISTRATION_RECORD before = chain();
    PVOID h2 = RtlAddVectoredExceptionHandler(0, veh_last);
    PVOID h1 = RtlAddVectoredExceptionHandler(1, veh_first);
    log_reset();
    push_frame(&f, frame_skip);
    v = read_through(0x40); /* veh_last handles this one */
    printf("veh.handled: %s ecx 0x%lx\n", log_buf, (unsigned long)v);
    log_reset();
    v = read_through(0x44); /* both pass, the frame handles it */
    printf("veh.passed: %s ecx 0x%lx\n", log_buf, (unsigned long)v);
    {
      ULONG r1 = RtlRemoveVectoredExceptionHandler(h1);
      ULONG r2 = RtlRemoveVectoredExceptionHandler(h2);
      ULONG r3 = RtlRemoveVectoredExceptionHandler(h2); /* already gone */
      printf("veh.remove: %lu %lu %lu\n", (unsigned long)r1, (unsigned long)r2, (unsigned long)r3);
    }
    log_reset();
    v = read_through(0x40);
    printf("veh.removed: %s ecx 0x%lx\n", log_buf, (unsigned long)v);
    NtCurrentTeb()->NtTib.ExceptionList = before;
  }

  /* 8 */
  fpu_across_exception();
  printf("fpu.flags: 0x%lx\n", (unsigned long)fpu_flags);
  printf("fpu.seen: st0 %lu st1 %lu xmm1 %lu mxcsr 0x%lx\n", (unsigned long)fpu_st0_ok, (unsigned long)fpu_st1_ok,
         (unsigned long)fpu_xmm_ok, (unsigned long)fpu_mxcsr);
  printf("fpu.resumed: st0 %d st1 %d xmm1 %08lx %08lx %08lx %08lx\n", (int)(st0_out * 100), (int)(st1_out * 100),
         (unsigned long)xmm_out[0], (unsigned long)xmm_out[1], (unsigned long)xmm_out[2], (unsigned long)xmm_out[3]);

  /* 9 */
  get_context_fpu();

  /* last: an exit unwind (TargetFrame NULL) runs every frame, then ends the process as NT does */
  {
    EXCEPTION_REGISTRATION_RECORD b;
    push_frame(&b, unwind_b);
    b_calls = 0;
    printf("exit-unwind.next: 1\n");
    RtlUnwind(NULL, NULL, NULL, 0);
    printf("exit-unwind.survived: 1\n");
  }
  return 0;
}
