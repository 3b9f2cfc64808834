/*
 * ntdll's Rtl heap and critical sections (tests/executive/ntheap.test.ts
 * checks these lines): random alloc/free/realloc churn from a fixed seed
 * with content checks, zeroing, commit growth, a fixed-size heap, large
 * blocks, in-place reallocation, RtlSizeHeap, RtlValidateHeap on a sound
 * and on a corrupted heap, double and bad frees, HEAP_GENERATE_EXCEPTIONS
 * under __try/__except, two threads sharing a heap and a critical section,
 * the process heap under malloc, more vectored handlers than the old fixed
 * table held, RtlDestroyHeap. Plus the Rtl basics (rtl_*.c) against known
 * values. Each line is "name: value".
 */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ULONG seed;
static ULONG rnd(void)
{
  seed = seed * 1103515245u + 12345u;
  return seed >> 8;
}

/* Every byte of a block is a function of its tag, so a block that another
 * one overlapped or that moved without its contents is caught. */
static void fill(unsigned char *p, SIZE_T n, ULONG tag)
{
  for (SIZE_T i = 0; i < n; i++) p[i] = (unsigned char)(tag * 31 + i * 7);
}

static int check(const unsigned char *p, SIZE_T n, ULONG tag)
{
  for (SIZE_T i = 0; i < n; i++)
    if (p[i] != (unsigned char)(tag * 31 + i * 7)) return 0;
  return 1;
}

#define SLOTS 200
typedef struct {
  unsigned char *p;
  SIZE_T n;
  ULONG tag;
} SLOT;

static ULONG random_size(void)
{
  ULONG r = rnd();
  if (r % 50 == 0) return r % 65536;        /* now and then a large one */
  if (r % 7 == 0) return r % 4096;
  return r % 300;
}

/* ops random operations on h over slots; answers the number of errors. */
static ULONG churn(PVOID h, SLOT *slots, ULONG ops, ULONG tagbase)
{
  ULONG errors = 0;
  for (ULONG k = 0; k < ops; k++) {
    SLOT *s = &slots[rnd() % SLOTS];
    ULONG what = rnd() % 3;
    if (s->p && !check(s->p, s->n, s->tag)) errors++;
    if (s->p == NULL) {
      s->n = random_size();
      s->tag = tagbase + k;
      s->p = RtlAllocateHeap(h, 0, s->n);
      if (s->p == NULL) { errors++; continue; }
      if (((ULONG_PTR)s->p & 7) != 0) errors++;
      if (RtlSizeHeap(h, 0, s->p) != s->n) errors++;
      fill(s->p, s->n, s->tag);
    } else if (what == 0) {
      SIZE_T n = random_size();
      unsigned char *q = RtlReAllocateHeap(h, 0, s->p, n);
      if (q == NULL) { errors++; continue; }
      if (!check(q, n < s->n ? n : s->n, s->tag)) errors++;
      s->p = q;
      s->n = n;
      s->tag = tagbase + k;
      fill(s->p, s->n, s->tag);
    } else {
      if (!RtlFreeHeap(h, 0, s->p)) errors++;
      s->p = NULL;
    }
  }
  return errors;
}

static ULONG drain(PVOID h, SLOT *slots)
{
  ULONG errors = 0;
  for (int i = 0; i < SLOTS; i++)
    if (slots[i].p) {
      if (!check(slots[i].p, slots[i].n, slots[i].tag)) errors++;
      if (!RtlFreeHeap(h, 0, slots[i].p)) errors++;
      slots[i].p = NULL;
    }
  return errors;
}

static NTSTATUS wait_thread(HANDLE t)
{
  struct { NTSTATUS ExitStatus; PVOID Teb; CLIENT_ID ClientId; ULONG_PTR Affinity; LONG Priority, BasePriority; } tbi;
  NtWaitForSingleObject(t, FALSE, NULL);
  NtQueryInformationThread(t, 0, &tbi, sizeof(tbi), NULL);
  NtClose(t);
  return tbi.ExitStatus;
}

/* --- two threads ---------------------------------------------------------- */
static PVOID shared_heap;
static RTL_CRITICAL_SECTION cs;
static volatile ULONG counter, inside, overlap, contended;

static NTSTATUS NTAPI heap_worker(PVOID arg)
{
  static SLOT slots[2][SLOTS];
  ULONG me = (ULONG)(ULONG_PTR)arg;
  ULONG errors = 0;
  ULONG s = 1000 + me;
  for (ULONG k = 0; k < 3000; k++) {
    SLOT *sl = &slots[me][(s = s * 69069u + 1) % SLOTS];
    if (sl->p) {
      if (!check(sl->p, sl->n, sl->tag)) errors++;
      /* half from the private heap, half through malloc (the process heap) */
      if (sl->tag & 1) free(sl->p);
      else if (!RtlFreeHeap(shared_heap, 0, sl->p)) errors++;
      sl->p = NULL;
    } else {
      sl->n = (s >> 8) % 700;
      sl->tag = me * 100000 + k;
      sl->p = (sl->tag & 1) ? malloc(sl->n) : RtlAllocateHeap(shared_heap, 0, sl->n);
      if (sl->p == NULL) { errors++; continue; }
      fill(sl->p, sl->n, sl->tag);
    }
    if (k % 100 == 0) NtYieldExecution();
  }
  for (int i = 0; i < SLOTS; i++)
    if (slots[me][i].p) {
      if (!check(slots[me][i].p, slots[me][i].n, slots[me][i].tag)) errors++;
      if (slots[me][i].tag & 1) free(slots[me][i].p);
      else RtlFreeHeap(shared_heap, 0, slots[me][i].p);
    }
  return (NTSTATUS)errors;
}

static NTSTATUS NTAPI lock_worker(PVOID arg)
{
  (void)arg;
  for (ULONG k = 0; k < 2000; k++) {
    RtlEnterCriticalSection(&cs);
    RtlEnterCriticalSection(&cs); /* recursion */
    if (inside++ != 0) overlap++;
    ULONG v = counter;
    if (k % 16 == 0) NtYieldExecution(); /* let the other thread find it held */
    if (cs.LockCount > 1) contended++;   /* owner (2 levels) + a waiter */
    counter = v + 1;
    inside--;
    RtlLeaveCriticalSection(&cs);
    RtlLeaveCriticalSection(&cs);
  }
  return STATUS_SUCCESS;
}

/* --- vectored handlers ------------------------------------------------------ */
static volatile ULONG veh_calls;
static LONG NTAPI count_handler(PEXCEPTION_POINTERS ep)
{
  if (ep->ExceptionRecord->ExceptionCode == (NTSTATUS)0xE0000042) veh_calls++;
  return EXCEPTION_CONTINUE_SEARCH;
}

static NTSTATUS raise_and_catch(NTSTATUS code)
{
  NTSTATUS got = 0;
  __try {
    EXCEPTION_RECORD rec = { 0 };
    rec.ExceptionCode = code;
    RtlRaiseException(&rec);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    got = GetExceptionCode();
  }
  return got;
}

static NTSTATUS alloc_code(PVOID h, ULONG flags, SIZE_T n, PVOID *out)
{
  NTSTATUS code = 0;
  *out = NULL;
  __try {
    *out = RtlAllocateHeap(h, flags, n);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    code = GetExceptionCode();
  }
  return code;
}

static NTSTATUS free_code(PVOID h, ULONG flags, PVOID p, BOOLEAN *out)
{
  NTSTATUS code = 0;
  *out = 2;
  __try {
    *out = RtlFreeHeap(h, flags, p);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    code = GetExceptionCode();
  }
  return code;
}

static void heap_tests(void)
{
  static SLOT slots[SLOTS];
  /* A growable heap with one page committed: the churn grows it. */
  PVOID h = RtlCreateHeap(HEAP_GROWABLE, NULL, 0, 0x1000, NULL, NULL);
  printf("create: %s\n", h ? "ok" : "null");
  seed = 12345;
  ULONG errors = churn(h, slots, 20000, 0);
  printf("churn: errors %lu validate %d\n", errors, RtlValidateHeap(h, 0, NULL));
  errors = drain(h, slots);
  printf("drain: errors %lu validate %d\n", errors, RtlValidateHeap(h, 0, NULL));

  /* After everything is freed, the coalesced heap has one big free run per
   * committed range: a block of 400 KiB (well past the first page) fits. */
  unsigned char *big = RtlAllocateHeap(h, 0, 400 << 10);
  int ok = big != NULL;
  if (big) { fill(big, 400 << 10, 9); ok = check(big, 400 << 10, 9); }
  printf("growth: %d size %lu\n", ok, (unsigned long)RtlSizeHeap(h, 0, big));
  RtlFreeHeap(h, 0, big);

  /* Zeroing: dirty a block, free it, take it back zeroed. */
  unsigned char *z = RtlAllocateHeap(h, 0, 1000);
  memset(z, 0xAA, 1000);
  RtlFreeHeap(h, 0, z);
  z = RtlAllocateHeap(h, HEAP_ZERO_MEMORY, 1000);
  int zeros = 0;
  for (int i = 0; i < 1000; i++) zeros += z[i] == 0;
  memset(z, 0x55, 1000);
  z = RtlReAllocateHeap(h, HEAP_ZERO_MEMORY, z, 3000);
  int tail = 0, head = 0;
  for (int i = 0; i < 1000; i++) head += z[i] == 0x55;
  for (int i = 1000; i < 3000; i++) tail += z[i] == 0;
  printf("zero: alloc %d realloc-kept %d realloc-tail %d\n", zeros, head, tail);
  RtlFreeHeap(h, 0, z);

  /* Sizes: exactly what was asked for, 0 included; a large block. */
  PVOID s0 = RtlAllocateHeap(h, 0, 0), s13 = RtlAllocateHeap(h, 0, 13), sbig = RtlAllocateHeap(h, 0, 600000);
  printf("size: %lu %lu %lu\n", (unsigned long)RtlSizeHeap(h, 0, s0), (unsigned long)RtlSizeHeap(h, 0, s13), (unsigned long)RtlSizeHeap(h, 0, sbig));
  fill(sbig, 600000, 5);
  unsigned char *sbig2 = RtlReAllocateHeap(h, 0, sbig, 900000);
  printf("large: realloc-kept %d size %lu validate %d\n", check(sbig2, 600000, 5), (unsigned long)RtlSizeHeap(h, 0, sbig2), RtlValidateHeap(h, 0, NULL));
  RtlFreeHeap(h, 0, sbig2);
  RtlFreeHeap(h, 0, s0);
  RtlFreeHeap(h, 0, s13);

  /* In place only: blocked by a busy successor, then allowed once it is free. */
  PVOID a = RtlAllocateHeap(h, 0, 100), b = RtlAllocateHeap(h, 0, 100);
  PVOID r1 = RtlReAllocateHeap(h, HEAP_REALLOC_IN_PLACE_ONLY, a, 300);
  RtlFreeHeap(h, 0, b);
  PVOID r2 = RtlReAllocateHeap(h, HEAP_REALLOC_IN_PLACE_ONLY, a, 300);
  PVOID r3 = RtlReAllocateHeap(h, HEAP_REALLOC_IN_PLACE_ONLY, a, 40); /* shrinking is always in place */
  printf("in-place: blocked %s grown %s shrunk %s size %lu\n", r1 ? "moved" : "null", r2 == a ? "same" : "other", r3 == a ? "same" : "other",
      (unsigned long)RtlSizeHeap(h, 0, a));

  /* Double and bad frees are refused and leave the heap sound. */
  ULONG stackword[4];
  BOOLEAN f1 = RtlFreeHeap(h, 0, a);
  BOOLEAN f2 = RtlFreeHeap(h, 0, a);
  long freed_size = (long)RtlSizeHeap(h, 0, a);
  printf("bad-realloc: %s\n", RtlReAllocateHeap(h, 0, a, 10) ? "ptr" : "null");
  PVOID c = RtlAllocateHeap(h, 0, 64);
  BOOLEAN f3 = RtlFreeHeap(h, 0, (char *)c + 8);
  BOOLEAN f4 = RtlFreeHeap(h, 0, &stackword[2]);
  BOOLEAN f5 = RtlFreeHeap(h, 0, (char *)c + 1);
  printf("double-free: first %d second %d middle %d stack %d misaligned %d validate %d size-of-freed %ld\n", f1, f2, f3, f4, f5,
      RtlValidateHeap(h, 0, NULL), freed_size);

  /* A corrupted header: the block's size word overwritten. */
  PVOID d = RtlAllocateHeap(h, 0, 64), e = RtlAllocateHeap(h, 0, 64);
  ULONG *hdr = (ULONG *)e - 3; /* [PrevSize][Size][Requested][Check] before the data */
  ULONG saved = *hdr;
  *hdr ^= 0x100;
  BOOLEAN v_heap = RtlValidateHeap(h, 0, NULL), v_block = RtlValidateHeap(h, 0, e), v_free = RtlFreeHeap(h, 0, e);
  *hdr = saved;
  printf("corrupt: validate %d block %d free %d restored %d %d\n", v_heap, v_block, v_free, RtlValidateHeap(h, 0, NULL), RtlValidateHeap(h, 0, e));
  RtlFreeHeap(h, 0, d);
  RtlFreeHeap(h, 0, e);

  /* A heap that cannot grow: commits within its reserve, then fails. */
  PVOID fixed = RtlCreateHeap(0, NULL, 0x10000, 0x1000, NULL, NULL);
  PVOID x1 = RtlAllocateHeap(fixed, 0, 32768);
  PVOID x2 = RtlAllocateHeap(fixed, 0, 65536);
  printf("fixed: 32k %s 64k %s validate %d\n", x1 ? "ok" : "null", x2 ? "ok" : "null", RtlValidateHeap(fixed, 0, NULL));

  /* HEAP_GENERATE_EXCEPTIONS: per heap and per call. */
  PVOID hx = RtlCreateHeap(HEAP_GENERATE_EXCEPTIONS, NULL, 0x10000, 0x1000, NULL, NULL);
  PVOID px;
  BOOLEAN fb;
  NTSTATUS c1 = alloc_code(hx, 0, 65536, &px);
  NTSTATUS c2 = alloc_code(hx, 0, 100, &px);
  PVOID keep = px;
  NTSTATUS c3 = alloc_code(fixed, HEAP_GENERATE_EXCEPTIONS, 65536, &px);
  NTSTATUS c4 = alloc_code(h, HEAP_GENERATE_EXCEPTIONS, 0x80000000u, &px);
  NTSTATUS c5 = free_code(hx, 0, (char *)keep + 8, &fb);
  NTSTATUS c6 = free_code(h, 0, (char *)keep + 8, &fb);
  printf("exceptions: heap 0x%08lx ok 0x%08lx call 0x%08lx huge 0x%08lx bad-free 0x%08lx quiet 0x%08lx %d\n",
      (unsigned long)c1, (unsigned long)c2, (unsigned long)c3, (unsigned long)c4, (unsigned long)c5, (unsigned long)c6, fb);

  /* The heaps of the process, then destroyed. */
  PVOID heaps[8];
  ULONG nheaps = RtlGetProcessHeaps(8, heaps);
  int found = 0;
  for (ULONG i = 0; i < nheaps && i < 8; i++) found += heaps[i] == h || heaps[i] == fixed || heaps[i] == hx || heaps[i] == RtlProcessHeap();
  printf("process-heaps: %lu found %d\n", nheaps, found);
  PVOID d1 = RtlDestroyHeap(fixed), d2 = RtlDestroyHeap(hx), d3 = RtlDestroyHeap(RtlProcessHeap());
  printf("destroy: %s %s process-heap %s after %lu\n", d1 ? "kept" : "null", d2 ? "kept" : "null", d3 == RtlProcessHeap() ? "refused" : "destroyed",
      RtlGetProcessHeaps(8, heaps));
  shared_heap = h;
}

static void thread_tests(void)
{
  HANDLE t1, t2;
  CLIENT_ID cid;
  RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, heap_worker, (PVOID)0, &t1, &cid);
  RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, heap_worker, (PVOID)1, &t2, &cid);
  NTSTATUS e1 = wait_thread(t1), e2 = wait_thread(t2);
  printf("threads.heap: errors %ld %ld validate %d %d\n", (long)e1, (long)e2, RtlValidateHeap(shared_heap, 0, NULL),
      RtlValidateHeap(RtlProcessHeap(), 0, NULL));
  RtlInitializeCriticalSection(&cs);
  RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, lock_worker, NULL, &t1, &cid);
  RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, lock_worker, NULL, &t2, &cid);
  wait_thread(t1);
  wait_thread(t2);
  BOOLEAN try1 = RtlTryEnterCriticalSection(&cs), try2 = RtlTryEnterCriticalSection(&cs);
  LONG lc = cs.LockCount, rc = cs.RecursionCount;
  RtlLeaveCriticalSection(&cs);
  RtlLeaveCriticalSection(&cs);
  printf("threads.lock: counter %lu overlap %lu contended %s try %d %d counts %ld %ld free %ld\n", counter, overlap, contended ? "yes" : "no", try1, try2, (long)lc, (long)rc, (long)cs.LockCount);
  printf("threads.unowned-leave: 0x%08lx\n", (unsigned long)RtlLeaveCriticalSection(&cs));
  RtlDeleteCriticalSection(&cs);
  printf("destroy.private: %s\n", RtlDestroyHeap(shared_heap) ? "kept" : "null");
}

static void process_heap_tests(void)
{
  char *m = malloc(77);
  char *cz = calloc(10, 10);
  int zeros = 0;
  for (int i = 0; i < 100; i++) zeros += cz[i] == 0;
  printf("process-heap: %s malloc-size %lu calloc-zero %d calloc-overflow %s\n", RtlProcessHeap() ? "set" : "null",
      (unsigned long)RtlSizeHeap(RtlProcessHeap(), 0, m), zeros, calloc(0x10000, 0x10001) ? "ptr" : "null");
  m = realloc(m, 5000);
  printf("process-heap.realloc: size %lu\n", (unsigned long)RtlSizeHeap(RtlProcessHeap(), 0, m));
  free(m);
  free(cz);

  PVOID handles[100];
  for (int i = 0; i < 100; i++) handles[i] = RtlAddVectoredExceptionHandler(i & 1, count_handler);
  int added = 0;
  for (int i = 0; i < 100; i++) added += handles[i] != NULL;
  NTSTATUS code = raise_and_catch((NTSTATUS)0xE0000042);
  ULONG removed = 0;
  for (int i = 0; i < 100; i++) removed += RtlRemoveVectoredExceptionHandler(handles[i]);
  ULONG again = RtlRemoveVectoredExceptionHandler(handles[0]);
  ULONG before = veh_calls;
  raise_and_catch((NTSTATUS)0xE0000042);
  printf("vectored: added %d calls %lu code 0x%08lx removed %lu again %lu after %lu\n", added, before, (unsigned long)code, removed, again, veh_calls - before);
}

/* --- Rtl basics ------------------------------------------------------------ */
static void print_fields(const char *name, LONGLONG t)
{
  LARGE_INTEGER li, back;
  TIME_FIELDS f;
  li.QuadPart = t;
  RtlTimeToTimeFields(&li, &f);
  BOOLEAN ok = RtlTimeFieldsToTime(&f, &back);
  printf("%s: %04d-%02d-%02d %02d:%02d:%02d.%03d wd %d back %d\n", name, f.Year, f.Month, f.Day, f.Hour, f.Minute, f.Second,
      f.Milliseconds, f.Weekday, ok && back.QuadPart == t - t % 10000);
}

static void rtl_tests(void)
{
  /* time: fixed instants (the test derives them from JavaScript's Date) */
  LARGE_INTEGER t;
  RtlSecondsSince1970ToTime(0, &t);
  printf("time.epoch1970: %lld\n", (long long)t.QuadPart);
  print_fields("time.zero", 0);
  print_fields("time.1970", t.QuadPart);
  RtlSecondsSince1970ToTime(951827696, &t); /* 2000-02-29 12:34:56 */
  print_fields("time.leapday", t.QuadPart + 7891234);
  RtlSecondsSince1970ToTime(978307199, &t); /* 2000-12-31 23:59:59 */
  print_fields("time.leapyear-end", t.QuadPart + 9999999);
  RtlSecondsSince1970ToTime(4107542400u, &t); /* 2100-03-01 */
  print_fields("time.2100", t.QuadPart);
  print_fields("time.max", 0x7FFFFFFFFFFFFFFFll);
  ULONG secs = 0;
  BOOLEAN b1 = RtlTimeToSecondsSince1970(&t, &secs);
  ULONG secs80 = 0;
  RtlSecondsSince1970ToTime(315532800u + 1000, &t);
  BOOLEAN b2 = RtlTimeToSecondsSince1980(&t, &secs80);
  LARGE_INTEGER early = { .QuadPart = 1000 };
  ULONG dummy = 7;
  BOOLEAN b3 = RtlTimeToSecondsSince1970(&early, &dummy);
  printf("time.seconds: %d %lu since1980 %d %lu before1970 %d\n", b1, secs, b2, secs80, b3);
  TIME_FIELDS f = { 2100, 2, 29, 0, 0, 0, 0, 0 };
  BOOLEAN v1 = RtlTimeFieldsToTime(&f, &t);
  f.Year = 2096;
  BOOLEAN v2 = RtlTimeFieldsToTime(&f, &t);
  f.Month = 13;
  BOOLEAN v3 = RtlTimeFieldsToTime(&f, &t);
  printf("time.fields-valid: 2100-02-29 %d 2096-02-29 %d month13 %d\n", v1, v2, v3);
  /* round trips over random instants 1601..~30000 */
  seed = 777;
  ULONG bad = 0;
  for (int i = 0; i < 2000; i++) {
    LARGE_INTEGER a, c;
    TIME_FIELDS g;
    a.QuadPart = (LONGLONG)(((ULONGLONG)rnd() << 40) ^ ((ULONGLONG)rnd() << 16) ^ rnd()) & 0x00FFFFFFFFFFFFFFll;
    RtlTimeToTimeFields(&a, &g);
    if (!RtlTimeFieldsToTime(&g, &c) || c.QuadPart != a.QuadPart - a.QuadPart % 10000) bad++;
  }
  printf("time.roundtrip: bad %lu\n", bad);

  /* strings */
  WCHAR buf[12];
  UNICODE_STRING u = { 0, sizeof(buf), buf }, tail;
  NTSTATUS a1 = RtlAppendUnicodeToString(&u, L"abc");
  RtlInitUnicodeString(&tail, L"def");
  NTSTATUS a2 = RtlAppendUnicodeStringToString(&u, &tail);
  NTSTATUS a3 = RtlAppendUnicodeToString(&u, L"ghijklmnop");
  NTSTATUS a4 = RtlAppendUnicodeToString(&u, L"gh");
  printf("string.append: 0x%08lx 0x%08lx 0x%08lx 0x%08lx \"%wZ\" len %u nul %d\n", (unsigned long)a1, (unsigned long)a2, (unsigned long)a3,
      (unsigned long)a4, &u, u.Length, buf[8] == 0);
  UNICODE_STRING src, up;
  RtlInitUnicodeString(&src, L"h\u00e9llo w\u00f6rld \u0434a");
  NTSTATUS st = RtlUpcaseUnicodeString(&up, &src, TRUE);
  printf("string.upcase: 0x%08lx \"%wZ\" heap %lu\n", (unsigned long)st, &up, (unsigned long)RtlSizeHeap(RtlProcessHeap(), 0, up.Buffer));
  RtlFreeUnicodeString(&up);
  WCHAR nb[16];
  UNICODE_STRING ns = { 0, sizeof(nb), nb };
  NTSTATUS i1 = RtlIntegerToUnicodeString(0x12345678, 16, &ns);
  printf("string.int: 0x%08lx %wZ", (unsigned long)i1, &ns);
  RtlIntegerToUnicodeString(4294967295u, 0, &ns);
  printf(" %wZ", &ns);
  RtlIntegerToUnicodeString(5, 2, &ns);
  printf(" %wZ", &ns);
  RtlIntegerToUnicodeString(0, 8, &ns);
  printf(" %wZ", &ns);
  UNICODE_STRING tiny = { 0, 4, nb };
  printf(" base7 0x%08lx small 0x%08lx\n", (unsigned long)RtlIntegerToUnicodeString(5, 7, &ns), (unsigned long)RtlIntegerToUnicodeString(12345, 10, &tiny));
  static const WCHAR *const nums[] = { L"  -42", L"0x1F", L"0b101", L"0o17", L"123abc", L"+7", L"" };
  printf("string.toint:");
  for (int i = 0; i < 7; i++) {
    UNICODE_STRING x;
    ULONG v = 0xDEAD;
    RtlInitUnicodeString(&x, nums[i]);
    NTSTATUS r = RtlUnicodeStringToInteger(&x, 0, &v);
    printf(" %lu/0x%lx", (unsigned long)r, (unsigned long)v);
  }
  UNICODE_STRING hx;
  ULONG hv = 0;
  RtlInitUnicodeString(&hx, L"ff");
  NTSTATUS r16 = RtlUnicodeStringToInteger(&hx, 16, &hv);
  printf(" hex %lu/0x%lx base3 0x%08lx\n", (unsigned long)r16, (unsigned long)hv, (unsigned long)RtlUnicodeStringToInteger(&hx, 3, &hv));
  ANSI_STRING as;
  UNICODE_STRING wu;
  RtlInitAnsiString(&as, "converted");
  st = RtlAnsiStringToUnicodeString(&wu, &as, TRUE);
  printf("string.ansi-alloc: 0x%08lx %wZ heap %lu\n", (unsigned long)st, &wu, (unsigned long)RtlSizeHeap(RtlProcessHeap(), 0, wu.Buffer));
  RtlFreeUnicodeString(&wu);

  /* bitmaps: 100 bits */
  ULONG bits[4] = { 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF };
  RTL_BITMAP bm;
  RtlInitializeBitMap(&bm, bits, 100);
  RtlClearAllBits(&bm);
  RtlSetBits(&bm, 3, 7);
  RtlSetBits(&bm, 30, 11);
  printf("bitmap.set: %lu words %08lx %08lx %08lx %08lx\n", RtlNumberOfSetBits(&bm), bits[0], bits[1], bits[2], bits[3]);
  printf("bitmap.are: %d %d %d %d %d test %d %d\n", RtlAreBitsSet(&bm, 3, 7), RtlAreBitsSet(&bm, 3, 8), RtlAreBitsClear(&bm, 10, 20), RtlAreBitsClear(&bm, 10, 21),
      RtlAreBitsClear(&bm, 90, 11), RtlTestBit(&bm, 40), RtlTestBit(&bm, 41));
  ULONG f1 = RtlFindClearBits(&bm, 5, 0), f2 = RtlFindClearBits(&bm, 25, 0), f3 = RtlFindClearBitsAndSet(&bm, 20, 50);
  ULONG f4 = RtlFindClearBits(&bm, 60, 0), f5 = RtlFindSetBits(&bm, 11, 0), f6 = RtlFindClearBits(&bm, 3, 95), f7 = RtlFindClearBits(&bm, 5, 98);
  printf("bitmap.find: %lu %lu %lu 0x%lx %lu %lu %lu set %lu clear %lu\n", f1, f2, f3, f4, f5, f6, f7, RtlNumberOfSetBits(&bm), RtlNumberOfClearBits(&bm));
  ULONG f8 = RtlFindSetBitsAndClear(&bm, 20, 0);
  RtlSetAllBits(&bm);
  printf("bitmap.all: cleared-at %lu set %lu tail-word %08lx\n", f8, RtlNumberOfSetBits(&bm), bits[3]);
}

int main(void)
{
  heap_tests();
  thread_tests();
  process_heap_tests();
  rtl_tests();
  printf("done: 1\n");
  return 0;
}
