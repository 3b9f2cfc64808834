/* ntthread.exe: threads, waits across threads, suspend/resume, mutants
 * (recursion, abandonment) and semaphores. Lines "<check>: <value>" for
 * tests/executive/ntthread.test.ts. */
#include <nt.h>
#include <stdio.h>

static void report(const char *what, NTSTATUS s)
{
  printf("%s: 0x%08lx\n", what, (unsigned long)s);
}

static volatile LONG shared;
static HANDLE ev_go, ev_done, mutant, sem;

static void sleep_ms(LONG ms)
{
  LARGE_INTEGER t;
  t.QuadPart = -(LONGLONG)ms * 10000;
  NtDelayExecution(FALSE, &t);
}

/* Thread bodies: stdcall (PVOID), never return (they end with NtTerminateThread). */
static void __stdcall signaller(PVOID p)
{
  shared = (LONG)(ULONG_PTR)p;
  NtSetEvent(ev_done, NULL);
  NtWaitForSingleObject(ev_go, FALSE, NULL);
  shared += 1;
  NtTerminateThread(NtCurrentThread(), 7);
}

static void __stdcall self_suspender(PVOID p)
{
  (void)p;
  shared = 1;
  NtSuspendThread(NtCurrentThread(), NULL);
  shared = 2;
  NtTerminateThread(NtCurrentThread(), 0);
}

static void __stdcall mutant_taker(PVOID p)
{
  (void)p;
  shared = (LONG)NtWaitForSingleObject(mutant, FALSE, NULL);
  NtTerminateThread(NtCurrentThread(), 0); /* still owning it: abandoned */
}

static void __stdcall sem_releaser(PVOID p)
{
  (void)p;
  NtReleaseSemaphore(sem, 2, NULL);
  NtTerminateThread(NtCurrentThread(), 0);
}

static NTSTATUS spawn(void (__stdcall *fn)(PVOID), PVOID arg, BOOLEAN suspended, HANDLE *h, CLIENT_ID *cid)
{
  PVOID base = NULL;
  SIZE_T size = 0x10000;
  CONTEXT ctx;
  INITIAL_TEB teb;
  ULONG *sp;
  NTSTATUS s = NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(s)) return s;
  sp = (ULONG *)((char *)base + size) - 4;
  sp[0] = 0;                   /* return address: the body never returns */
  sp[1] = (ULONG)(ULONG_PTR)arg;
  RtlZeroMemory(&ctx, sizeof(ctx));
  ctx.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
  ctx.Eip = (ULONG)(ULONG_PTR)fn;
  ctx.Esp = (ULONG)(ULONG_PTR)sp;
  ctx.EFlags = 0x202;
  RtlZeroMemory(&teb, sizeof(teb));
  teb.StackBase = (char *)base + size;
  teb.StackLimit = base;
  teb.AllocatedStackBase = base;
  return NtCreateThread(h, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), cid, &ctx, &teb, suspended);
}

static volatile LONG apc_sum, apc_order;
static void NTAPI apc_add(PVOID ctx, PVOID a1, PVOID a2)
{
  apc_sum += (LONG)(ULONG_PTR)ctx + (LONG)(ULONG_PTR)a1 + (LONG)(ULONG_PTR)a2;
  apc_order = apc_order * 10 + (LONG)(ULONG_PTR)ctx;
}
static volatile LONG timer_apc_hits;
static void NTAPI timer_apc(PVOID ctx, PVOID low, PVOID high)
{
  (void)low; (void)high;
  timer_apc_hits += (LONG)(ULONG_PTR)ctx;
}
static void __stdcall alertable_waiter(PVOID p)
{
  LARGE_INTEGER t;
  t.QuadPart = -1000 * 10000; /* 1 s: an APC must end it early */
  shared = (LONG)NtWaitForSingleObject(ev_go, TRUE, &t);
  (void)p;
  NtTerminateThread(NtCurrentThread(), 0);
}

static void __stdcall body_a(PVOID p) { (void)p; shared = 100; NtTerminateThread(NtCurrentThread(), 0); }
static void __stdcall body_b(PVOID p) { (void)p; shared = 200; NtTerminateThread(NtCurrentThread(), 0); }

int main(void)
{
  HANDLE th = NULL;
  CLIENT_ID cid;
  LARGE_INTEGER zero;
  ULONG prev = 99;
  LONG count = -1;
  zero.QuadPart = 0;

  NtCreateEvent(&ev_go, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
  NtCreateEvent(&ev_done, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);

  /* 1. a thread that signals us, then waits for us */
  report("thread.create", spawn(signaller, (PVOID)40, FALSE, &th, &cid));
  printf("thread.client-id: %d\n", cid.UniqueThread != NtCurrentTeb()->ClientId.UniqueThread && cid.UniqueProcess == NtCurrentTeb()->ClientId.UniqueProcess);
  report("thread.wait-its-event", NtWaitForSingleObject(ev_done, FALSE, NULL));
  printf("thread.shared-before-go: %ld\n", (long)shared);
  report("thread.wait-running-thread-timeout", NtWaitForSingleObject(th, FALSE, &zero));
  NtSetEvent(ev_go, NULL);
  report("thread.wait-thread-end", NtWaitForSingleObject(th, FALSE, NULL));
  printf("thread.shared-after: %ld\n", (long)shared);
  report("thread.resume-ended", NtResumeThread(th, NULL));
  NtClose(th);

  /* 2. created suspended: runs only after the resume */
  shared = 0;
  NtResetEvent(ev_done, NULL);
  NtResetEvent(ev_go, NULL);
  report("suspended.create", spawn(signaller, (PVOID)5, TRUE, &th, NULL));
  sleep_ms(20);
  printf("suspended.shared-while-suspended: %ld\n", (long)shared);
  report("suspended.resume", NtResumeThread(th, &prev));
  printf("suspended.previous-count: %lu\n", (unsigned long)prev);
  report("suspended.wait-its-event", NtWaitForSingleObject(ev_done, FALSE, NULL));
  /* suspend it while it waits for ev_go: answered, it must not run until resumed */
  report("suspended.suspend-waiting", NtSuspendThread(th, &prev));
  NtSetEvent(ev_go, NULL);
  sleep_ms(20);
  printf("suspended.shared-after-go-while-suspended: %ld\n", (long)shared);
  NtResumeThread(th, NULL);
  report("suspended.wait-end", NtWaitForSingleObject(th, FALSE, NULL));
  printf("suspended.shared-after: %ld\n", (long)shared);
  NtClose(th);

  /* 3. a thread suspending itself */
  shared = 0;
  spawn(self_suspender, NULL, FALSE, &th, NULL);
  sleep_ms(20);
  printf("self.shared-while-suspended: %ld\n", (long)shared);
  NtResumeThread(th, &prev);
  printf("self.previous-count: %lu\n", (unsigned long)prev);
  NtWaitForSingleObject(th, FALSE, NULL);
  printf("self.shared-after: %ld\n", (long)shared);
  NtClose(th);

  /* 4. mutants: recursion, ownership, abandonment */
  report("mutant.create-owned", NtCreateMutant(&mutant, MUTANT_ALL_ACCESS, NULL, TRUE));
  report("mutant.wait-owned-again", NtWaitForSingleObject(mutant, FALSE, &zero));
  report("mutant.release-1", NtReleaseMutant(mutant, NULL));
  report("mutant.release-2", NtReleaseMutant(mutant, NULL));
  report("mutant.release-not-owned", NtReleaseMutant(mutant, NULL));
  shared = -1;
  spawn(mutant_taker, NULL, FALSE, &th, NULL);
  NtWaitForSingleObject(th, FALSE, NULL);
  NtClose(th);
  printf("mutant.thread-got: 0x%lx\n", (unsigned long)shared);
  report("mutant.wait-abandoned", NtWaitForSingleObject(mutant, FALSE, NULL));
  report("mutant.release-after-abandoned", NtReleaseMutant(mutant, NULL));

  /* 5. semaphores */
  report("sem.create", NtCreateSemaphore(&sem, SEMAPHORE_ALL_ACCESS, NULL, 0, 2));
  report("sem.wait-empty", NtWaitForSingleObject(sem, FALSE, &zero));
  spawn(sem_releaser, NULL, FALSE, &th, NULL);
  report("sem.wait-1", NtWaitForSingleObject(sem, FALSE, NULL));
  report("sem.wait-2", NtWaitForSingleObject(sem, FALSE, NULL));
  report("sem.wait-3", NtWaitForSingleObject(sem, FALSE, &zero));
  NtWaitForSingleObject(th, FALSE, NULL);
  report("sem.release", NtReleaseSemaphore(sem, 2, &count));
  printf("sem.previous: %ld\n", (long)count);
  report("sem.release-over-max", NtReleaseSemaphore(sem, 1, NULL));
  report("sem.bad-create", NtCreateSemaphore(&th, SEMAPHORE_ALL_ACCESS, NULL, 3, 2));

  /* 6. timers: one-shot relative, periodic (synchronization), cancel */
  {
    HANDLE tm = NULL, tp = NULL;
    LARGE_INTEGER due, c0, c1, f;
    BOOLEAN state = 9;
    int ticks = 0, i;
    report("timer.create", NtCreateTimer(&tm, 0x1f0003, NULL, 0));
    report("timer.wait-unset", NtWaitForSingleObject(tm, FALSE, &zero));
    due.QuadPart = -15 * 10000;
    NtQueryPerformanceCounter(&c0, &f);
    report("timer.set", NtSetTimer(tm, &due, NULL, NULL, FALSE, 0, &state));
    printf("timer.previous-state: %d\n", state);
    report("timer.wait", NtWaitForSingleObject(tm, FALSE, NULL));
    NtQueryPerformanceCounter(&c1, NULL);
    printf("timer.waited-at-least-15ms: %d\n", (c1.QuadPart - c0.QuadPart) * 1000 / f.QuadPart >= 15);
    report("timer.stays-signalled", NtWaitForSingleObject(tm, FALSE, &zero));
      report("timer.create-periodic", NtCreateTimer(&tp, 0x1f0003, NULL, 1));
    due.QuadPart = -5 * 10000;
    NtSetTimer(tp, &due, NULL, NULL, FALSE, 5, NULL);
    for (i = 0; i < 3; i++) ticks += NtWaitForSingleObject(tp, FALSE, NULL) == STATUS_SUCCESS;
    printf("timer.periodic-ticks: %d\n", ticks);
    report("timer.cancel", NtCancelTimer(tp, &state));
    NtWaitForSingleObject(tp, FALSE, &zero); /* a tick that came before the cancel is consumed here */
    due.QuadPart = -30 * 10000;
    report("timer.after-cancel", NtWaitForSingleObject(tp, FALSE, &due));
  }
  /* 7. user APCs: not run outside an alertable wait; run in order by NtTestAlert and alertable waits */
  {
    LARGE_INTEGER d;
    HANDLE tm = NULL;
    apc_sum = 0; apc_order = 0;
    report("apc.queue-1", NtQueueApcThread(NtCurrentThread(), (PVOID)apc_add, (PVOID)1, (PVOID)10, (PVOID)100));
    report("apc.queue-2", NtQueueApcThread(NtCurrentThread(), (PVOID)apc_add, (PVOID)2, 0, 0));
    d.QuadPart = -1 * 10000;
    report("apc.non-alertable-delay", NtDelayExecution(FALSE, &d));
    printf("apc.not-yet: %ld\n", (long)apc_sum);
    report("apc.test-alert", NtTestAlert());
    printf("apc.ran: sum %ld order %ld\n", (long)apc_sum, (long)apc_order);
    NtQueueApcThread(NtCurrentThread(), (PVOID)apc_add, (PVOID)3, 0, 0);
    report("apc.alertable-wait-pending", NtWaitForSingleObject(ev_done, TRUE, NULL));
    printf("apc.after-alertable-wait: order %ld\n", (long)apc_order);
    /* an APC queued to a thread blocked in an alertable wait ends it */
    NtResetEvent(ev_go, NULL);
    shared = -1;
    spawn(alertable_waiter, NULL, FALSE, &th, NULL);
    d.QuadPart = -20 * 10000;
    NtDelayExecution(FALSE, &d);
    report("apc.queue-to-waiter", NtQueueApcThread(th, (PVOID)apc_add, (PVOID)4, 0, 0));
    NtWaitForSingleObject(th, FALSE, NULL);
    NtClose(th);
    printf("apc.waiter-woke-with: 0x%lx order %ld\n", (unsigned long)shared, (long)apc_order);
    /* a timer APC runs in the thread that set the timer, at its next alertable wait */
    NtCreateTimer(&tm, 0x1f0003, NULL, 0);
    d.QuadPart = -5 * 10000;
    report("apc.timer-set", NtSetTimer(tm, &d, (PVOID)timer_apc, (PVOID)7, FALSE, 0, NULL));
    d.QuadPart = -500 * 10000;
    report("apc.timer-alertable-delay", NtDelayExecution(TRUE, &d));
    printf("apc.timer-hits: %ld\n", (long)timer_apc_hits);
  }

  /* 8. thread contexts: read a suspended thread's start, redirect it, read our own */
  {
    CONTEXT c;
    RtlZeroMemory(&c, sizeof(c));
    shared = 0;
    spawn(body_a, NULL, TRUE, &th, NULL);
    c.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
    report("context.get", NtGetContextThread(th, &c));
    printf("context.start-is-a: %d\n", c.Eip == (ULONG)(ULONG_PTR)body_a);
    c.Eip = (ULONG)(ULONG_PTR)body_b;
    report("context.set", NtSetContextThread(th, &c));
    NtResumeThread(th, NULL);
    NtWaitForSingleObject(th, FALSE, NULL);
    NtClose(th);
    printf("context.ran-b: %ld\n", (long)shared);
    RtlZeroMemory(&c, sizeof(c));
    c.ContextFlags = CONTEXT_CONTROL;
    report("context.get-self", NtGetContextThread(NtCurrentThread(), &c));
    printf("context.self-eip-in-ntdll: %d esp-on-stack: %d\n", c.Eip >= 0x7c900000 && c.Eip < 0x7ca00000,
           c.Esp <= (ULONG)(ULONG_PTR)NtCurrentTeb()->NtTib.StackBase && c.Esp >= (ULONG)(ULONG_PTR)NtCurrentTeb()->NtTib.StackLimit);
  }
  return 0;
}
