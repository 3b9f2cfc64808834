/* ntconf.exe: native API conformance checks. Each line is
 *   <check>: <NTSTATUS in hex> [detail]
 * and tests/executive/ntconf.test.ts compares them with what NT returns.
 * The program only reports; it decides nothing. */
#include <nt.h>
#include <stdio.h>
#include <string.h>

static void report(const char *what, NTSTATUS s)
{
  printf("%s: 0x%08lx\n", what, (unsigned long)s);
}

static void init_name(UNICODE_STRING *u, const WCHAR *s)
{
  RtlInitUnicodeString(u, s);
}

static void handles(void)
{
  HANDLE ev = NULL, dup = NULL;
  report("close.invalid", NtClose((HANDLE)0x1234));
  report("event.create", NtCreateEvent(&ev, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE));
  report("dup.same", NtDuplicateObject(NtCurrentProcess(), ev, NtCurrentProcess(), &dup, 0, 0, DUPLICATE_SAME_ACCESS));
  printf("dup.distinct: %d\n", dup != ev && dup != NULL);
  report("close.first", NtClose(ev));
  report("close.twice", NtClose(ev));
  report("set.through-dup", NtSetEvent(dup, NULL));
  report("wait.signalled", NtWaitForSingleObject(dup, FALSE, NULL));
  report("dup.close-source", NtDuplicateObject(NtCurrentProcess(), dup, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE));
  report("close.after-close-source", NtClose(dup));
  report("close.pseudo-process", NtClose(NtCurrentProcess()));
}

static void namespace_(void)
{
  UNICODE_STRING name, target, got;
  OBJECT_ATTRIBUTES oa;
  HANDLE dir = NULL, link = NULL, ev = NULL, ev2 = NULL, probe = NULL;
  WCHAR buf[64];
  ULONG ret = 0;
  init_name(&name, L"\\BaseNamedObjects\\ntconf");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("dir.create", NtCreateDirectoryObject(&dir, DIRECTORY_ALL_ACCESS, &oa));
  report("dir.create-again", NtCreateDirectoryObject(&probe, DIRECTORY_ALL_ACCESS, &oa));
  oa.Attributes = OBJ_OPENIF;
  report("dir.openif", NtCreateDirectoryObject(&probe, DIRECTORY_ALL_ACCESS, &oa));
  NtClose(probe);
  init_name(&name, L"ev");
  InitializeObjectAttributes(&oa, &name, 0, dir, NULL);
  report("event.create-named-relative", NtCreateEvent(&ev, EVENT_ALL_ACCESS, &oa, SynchronizationEvent, FALSE));
  init_name(&name, L"\\BaseNamedObjects\\NTCONF\\EV");
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
  report("event.open-case-insensitive", NtOpenEvent(&ev2, EVENT_ALL_ACCESS, &oa));
  NtClose(ev2);
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("event.open-case-sensitive", NtOpenEvent(&ev2, EVENT_ALL_ACCESS, &oa));
  init_name(&name, L"\\??\\NtconfLink");
  init_name(&target, L"\\BaseNamedObjects\\ntconf");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("link.create", NtCreateSymbolicLinkObject(&link, SYMBOLIC_LINK_ALL_ACCESS, &oa, &target));
  init_name(&name, L"\\DosDevices\\NtconfLink\\ev");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("event.open-through-two-links", NtOpenEvent(&ev2, EVENT_ALL_ACCESS, &oa));
  report("event.set-via-link-handle", NtSetEvent(ev2, NULL));
  report("event.wait-sync", NtWaitForSingleObject(ev, FALSE, NULL));
  NtClose(ev2);
  got.Buffer = buf; got.Length = 0; got.MaximumLength = sizeof(buf);
  report("link.query", NtQuerySymbolicLinkObject(link, &got, &ret));
  printf("link.target: %.*ls (%lu)\n", got.Length / 2, got.Buffer, (unsigned long)ret);
  got.MaximumLength = 4;
  report("link.query-small", NtQuerySymbolicLinkObject(link, &got, &ret));
  report("object.make-permanent", NtMakePermanentObject(ev));
  NtClose(ev);
  init_name(&name, L"\\BaseNamedObjects\\ntconf\\ev");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("event.open-permanent-after-close", NtOpenEvent(&ev, EVENT_ALL_ACCESS, &oa));
  report("object.make-temporary", NtMakeTemporaryObject(ev));
  NtClose(ev);
  report("event.open-temporary-after-close", NtOpenEvent(&ev, EVENT_ALL_ACCESS, &oa));
  {
    struct { UNICODE_STRING s; WCHAR c[64]; } info;
    report("object.query-name", NtQueryObject(dir, 1, &info, sizeof(info), &ret));
    printf("object.name: %.*ls\n", info.s.Length / 2, info.s.Buffer);
    report("object.query-type", NtQueryObject(link, 2, &info, sizeof(info), &ret));
    printf("object.type: %.*ls\n", info.s.Length / 2, info.s.Buffer);
  }
  init_name(&name, L"relative");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  report("name.relative-without-root", NtOpenEvent(&ev, EVENT_ALL_ACCESS, &oa));
  init_name(&name, L"\\Nope\\x");
  report("name.missing-path", NtOpenEvent(&ev, EVENT_ALL_ACCESS, &oa));
  report("type.mismatch", NtSetEvent(dir, NULL));
  NtClose(link);
  NtClose(dir);
}

static void waits(void)
{
  HANDLE a = NULL, b = NULL, h[2];
  LARGE_INTEGER t, c0, c1, f;
  report("event.create-a", NtCreateEvent(&a, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE));
  report("event.create-b", NtCreateEvent(&b, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, TRUE));
  t.QuadPart = 0;
  report("wait.poll-unsignalled", NtWaitForSingleObject(a, FALSE, &t));
  t.QuadPart = -20 * 10000; /* 20 ms */
  NtQueryPerformanceCounter(&c0, &f);
  report("wait.timeout-20ms", NtWaitForSingleObject(a, FALSE, &t));
  NtQueryPerformanceCounter(&c1, NULL);
  printf("wait.timeout-took-at-least-20ms: %d\n", (c1.QuadPart - c0.QuadPart) * 1000 / f.QuadPart >= 20);
  h[0] = a; h[1] = b;
  report("wait.any", NtWaitForMultipleObjects(2, h, WaitAny, FALSE, &t));
  report("wait.all-timeout", NtWaitForMultipleObjects(2, h, WaitAll, FALSE, &t));
  NtSetEvent(a, NULL);
  NtSetEvent(b, NULL);
  report("wait.all", NtWaitForMultipleObjects(2, h, WaitAll, FALSE, &t));
  report("wait.sync-consumed", NtWaitForSingleObject(b, FALSE, &t));
  report("wait.notification-stays", NtWaitForSingleObject(a, FALSE, &t));
  report("wait.bad-count", NtWaitForMultipleObjects(0, h, WaitAny, FALSE, NULL));
  t.QuadPart = -10 * 10000;
  NtQueryPerformanceCounter(&c0, NULL);
  report("delay.10ms", NtDelayExecution(FALSE, &t));
  NtQueryPerformanceCounter(&c1, NULL);
  printf("delay.took-at-least-10ms: %d\n", (c1.QuadPart - c0.QuadPart) * 1000 / f.QuadPart >= 10);
  report("yield", NtYieldExecution());
  report("wait.on-process", NtWaitForSingleObject(NtCurrentProcess(), FALSE, &t));
  NtClose(a);
  NtClose(b);
}

static void memory(void)
{
  PVOID base = NULL, p;
  SIZE_T size = 0x20000;
  ULONG old = 0;
  MEMORY_BASIC_INFORMATION mbi;
  SIZE_T n = 0;
  char src[16] = "0123456789abcde", dst[16];
  report("mem.reserve", NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESERVE, PAGE_READWRITE));
  report("mem.query-reserved", NtQueryVirtualMemory(NtCurrentProcess(), base, 0, &mbi, sizeof(mbi), NULL));
  printf("mem.reserved-state: 0x%lx size 0x%lx\n", (unsigned long)mbi.State, (unsigned long)mbi.RegionSize);
  p = (char *)base + 0x1000;
  size = 0x2000;
  report("mem.commit", NtAllocateVirtualMemory(NtCurrentProcess(), &p, 0, &size, MEM_COMMIT, PAGE_READWRITE));
  ((volatile char *)p)[0x1800] = 42; /* first touch: a demand-commit fault */
  report("mem.query-committed", NtQueryVirtualMemory(NtCurrentProcess(), p, 0, &mbi, sizeof(mbi), NULL));
  printf("mem.committed: state 0x%lx protect 0x%lx size 0x%lx\n", (unsigned long)mbi.State, (unsigned long)mbi.Protect, (unsigned long)mbi.RegionSize);
  report("mem.protect-readonly", NtProtectVirtualMemory(NtCurrentProcess(), &p, &size, PAGE_READONLY, &old));
  printf("mem.old-protect: 0x%lx value %d\n", (unsigned long)old, ((volatile char *)p)[0x1800]);
  report("mem.display-from-readonly-ok", NtQueryVirtualMemory(NtCurrentProcess(), p, 0, &mbi, sizeof(mbi), NULL));
  report("mem.write-service-into-readonly", NtQueryVirtualMemory(NtCurrentProcess(), p, 0, (PVOID)p, sizeof(mbi), NULL));
  report("mem.unmapped-out-pointer", NtQuerySystemTime((PLARGE_INTEGER)0x10));
  report("mem.unmapped-in-string", NtDisplayString((PUNICODE_STRING)0x7fff0000));
  report("mem.write-own", NtWriteVirtualMemory(NtCurrentProcess(), src, src + 8, 4, &n));
  report("mem.read-own", NtReadVirtualMemory(NtCurrentProcess(), src, dst, 16, &n));
  printf("mem.copied: %.16s %lu\n", dst, (unsigned long)n);
  report("mem.read-unmapped", NtReadVirtualMemory(NtCurrentProcess(), (PVOID)0x10, dst, 4, &n));
  report("mem.commit-outside", NtAllocateVirtualMemory(NtCurrentProcess(), &(PVOID){(PVOID)0x10000}, 0, &size, MEM_COMMIT, PAGE_READWRITE));
  size = 0;
  report("mem.release-not-base", NtFreeVirtualMemory(NtCurrentProcess(), &p, &size, MEM_RELEASE));
  report("mem.release", NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE));
  report("mem.query-released", NtQueryVirtualMemory(NtCurrentProcess(), base, 0, &mbi, sizeof(mbi), NULL));
  printf("mem.released-state: 0x%lx\n", (unsigned long)mbi.State);
  report("mem.bad-protection", NtAllocateVirtualMemory(NtCurrentProcess(), &(PVOID){NULL}, 0, &(SIZE_T){4096}, MEM_COMMIT | MEM_RESERVE, 0x3));
  {
    /* A guard page: the first touch raises STATUS_GUARD_PAGE_VIOLATION (unhandled until SEH exists), so only query it. */
    PVOID g = NULL;
    SIZE_T gs = 0x1000;
    report("mem.guard-commit", NtAllocateVirtualMemory(NtCurrentProcess(), &g, 0, &gs, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE | PAGE_GUARD));
    NtQueryVirtualMemory(NtCurrentProcess(), g, 0, &mbi, sizeof(mbi), NULL);
    printf("mem.guard-protect: 0x%lx\n", (unsigned long)mbi.Protect);
  }
}

/* Touches its frame from the top down, as stack probes do, so each new stack page is met at the guard page. */
__attribute__((noinline)) static int stack_growth(int depth)
{
  char pad[3000];
  int i, r;
  for (i = (int)sizeof(pad) - 1; i >= 0; i -= 512)
    pad[i] = (char)depth;
  pad[0] = (char)depth;
  __asm__ volatile("" : : "r"(pad) : "memory"); /* the whole frame exists */
  r = depth > 0 ? stack_growth(depth - 1) : 0;
  return r + pad[0];
}

/* NtQuerySystemInformation's other classes: processor, time of day, the process and thread
 * list (this process, this thread, its image name), the module list. */
static UCHAR sysbuf[16384];

static void system_lists(void)
{
  ULONG ret = 0, off = 0, found = 0, i, n;
  UCHAR small[8];
  LARGE_INTEGER now;
  ULONG pid = (ULONG)NtCurrentTeb()->ClientId.UniqueProcess, tid = (ULONG)NtCurrentTeb()->ClientId.UniqueThread;
  report("sysinfo.processor", NtQuerySystemInformation(1, sysbuf, 12, NULL));
  printf("sysinfo.processor-fields: arch %u level %u\n", *(USHORT *)sysbuf, *(USHORT *)(sysbuf + 2));
  report("sysinfo.timeofday", NtQuerySystemInformation(3, sysbuf, 48, &ret));
  NtQuerySystemTime(&now);
  printf("sysinfo.timeofday-fields: %lu boot<=current %d current<=now %d\n", (unsigned long)ret,
         *(LONGLONG *)sysbuf <= *(LONGLONG *)(sysbuf + 8), *(LONGLONG *)(sysbuf + 8) <= now.QuadPart);
  report("sysinfo.process-too-small", NtQuerySystemInformation(5, small, sizeof(small), &ret));
  printf("sysinfo.process-needed: %d\n", ret >= 0xb8 + 0x40);
  report("sysinfo.process", NtQuerySystemInformation(5, sysbuf, sizeof(sysbuf), &ret));
  for (;;) {
    UCHAR *e = sysbuf + off;
    if (*(ULONG *)(e + 0x44) == pid) {
      UNICODE_STRING *name = (UNICODE_STRING *)(e + 0x38);
      UCHAR *th = e + 0xb8;
      found = 1;
      printf("sysinfo.process-self: threads %lu name-ok %d\n", (unsigned long)*(ULONG *)(e + 4),
             name->Length == 20 && name->Buffer[0] == 'n' && name->Buffer[6] == '.');
      for (i = 0; i < *(ULONG *)(e + 4); i++, th += 0x40)
        if (*(ULONG *)(th + 0x24) == tid)
          printf("sysinfo.thread-self: pid-ok %d state %lu\n", *(ULONG *)(th + 0x20) == pid, (unsigned long)*(ULONG *)(th + 0x34));
    }
    if (*(ULONG *)e == 0) break;
    off += *(ULONG *)e;
  }
  printf("sysinfo.process-found: %lu\n", (unsigned long)found);
  report("sysinfo.module", NtQuerySystemInformation(11, sysbuf, sizeof(sysbuf), &ret));
  n = *(ULONG *)sysbuf;
  found = 0;
  for (i = 0; i < n; i++) {
    UCHAR *m = sysbuf + 4 + i * 0x11c;
    const char *file = (const char *)m + 0x1c + *(USHORT *)(m + 0x1a);
    ULONG base = *(ULONG *)(m + 8), size = *(ULONG *)(m + 0xc);
    if (strcmp(file, "ntdll.dll") == 0 && (ULONG)&NtClose - base < size) found |= 1;
    if (strcmp(file, "ntconf.exe") == 0 && base == (ULONG)NtCurrentPeb()->ImageBaseAddress) found |= 2;
  }
  printf("sysinfo.module-found: %lu\n", (unsigned long)found);
  report("sysinfo.bad-class", NtQuerySystemInformation(999, sysbuf, sizeof(sysbuf), NULL));
}

static void queries(void)
{
  ULONG pbi[6], tbi[7], ret = 0;
  UCHAR sbi[44];
  HANDLE h = NULL;
  CLIENT_ID cid;
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
  report("query.process", NtQueryInformationProcess(NtCurrentProcess(), 0, pbi, sizeof(pbi), &ret));
  printf("query.process-fields: %d %d %lu\n", pbi[1] == (ULONG)NtCurrentPeb(), pbi[4] == (ULONG)NtCurrentTeb()->ClientId.UniqueProcess, (unsigned long)ret);
  report("query.process-bad-length", NtQueryInformationProcess(NtCurrentProcess(), 0, pbi, 4, &ret));
  report("query.process-bad-class", NtQueryInformationProcess(NtCurrentProcess(), 999, pbi, sizeof(pbi), NULL));
  report("query.thread", NtQueryInformationThread(NtCurrentThread(), 0, tbi, sizeof(tbi), NULL));
  printf("query.thread-fields: %d %d\n", tbi[1] == (ULONG)NtCurrentTeb(), tbi[3] == (ULONG)NtCurrentTeb()->ClientId.UniqueThread);
  report("query.system", NtQuerySystemInformation(0, sbi, sizeof(sbi), NULL));
  printf("query.system-fields: page %lu processors %u\n", (unsigned long)*(ULONG *)(sbi + 8), sbi[40]);
  system_lists();
  cid.UniqueProcess = NtCurrentTeb()->ClientId.UniqueProcess;
  cid.UniqueThread = NULL;
  report("open.process-self", NtOpenProcess(&h, 0x1f0fff, &oa, &cid));
  report("open.process-handle-works", NtQueryInformationProcess(h, 0, pbi, sizeof(pbi), NULL));
  NtClose(h);
  cid.UniqueThread = NtCurrentTeb()->ClientId.UniqueThread;
  report("open.thread-self", NtOpenThread(&h, 0x1f03ff, &oa, &cid));
  NtClose(h);
  cid.UniqueProcess = (HANDLE)0x7770;
  report("open.process-bad-cid", NtOpenProcess(&h, 0x1f0fff, &oa, &cid));
}

static void tokens(void)
{
  HANDLE tok = NULL, none = NULL;
  ULONG buf[32], ret = 0;
  UCHAR *sid;
  report("token.open-process", NtOpenProcessToken(NtCurrentProcess(), 0x8 /* TOKEN_QUERY */, &tok));
  report("token.user-small", NtQueryInformationToken(tok, 1, buf, 4, &ret));
  printf("token.user-needs: %lu\n", (unsigned long)ret);
  report("token.user", NtQueryInformationToken(tok, 1, buf, sizeof(buf), &ret));
  sid = (UCHAR *)buf[0];
  printf("token.user-sid: S-%u-%u-%lu\n", sid[0], sid[7], (unsigned long)*(ULONG *)(sid + 8));
  report("token.groups", NtQueryInformationToken(tok, 2, buf, sizeof(buf), &ret));
  sid = (UCHAR *)buf[1];
  printf("token.groups-list: %lu first S-%u-%u-%lu-%lu\n", (unsigned long)buf[0], sid[0], sid[7], (unsigned long)*(ULONG *)(sid + 8), (unsigned long)*(ULONG *)(sid + 12));
  report("token.privileges", NtQueryInformationToken(tok, 3, buf, sizeof(buf), &ret));
  printf("token.privileges-list: %lu luid %lu attributes %lu\n", (unsigned long)buf[0], (unsigned long)buf[1], (unsigned long)buf[3]);
  report("token.type", NtQueryInformationToken(tok, 8, buf, sizeof(buf), &ret));
  printf("token.type-value: %lu\n", (unsigned long)buf[0]);
  report("token.bad-class", NtQueryInformationToken(tok, 77, buf, sizeof(buf), &ret));
  report("token.thread", NtOpenThreadToken(NtCurrentThread(), 0x8, FALSE, &none));
  NtClose(tok);
}

static void sections(void)
{
  HANDLE sec = NULL;
  LARGE_INTEGER max;
  PVOID v1 = NULL, v2 = NULL, v3 = NULL;
  SIZE_T s1 = 0, s2 = 0, s3 = 0, n = 0;
  MEMORY_BASIC_INFORMATION mbi;
  ULONG one = 1;
  max.QuadPart = 0x10000;
  report("section.create", NtCreateSection(&sec, 0xf001f, NULL, &max, PAGE_READWRITE, 0x8000000, NULL));
  report("section.file-backed", NtCreateSection(&sec, 0xf001f, NULL, &max, PAGE_READWRITE, 0x8000000, (HANDLE)4));
  report("section.map-1", NtMapViewOfSection(sec, NtCurrentProcess(), &v1, 0, 0, NULL, &s1, 1, 0, PAGE_READWRITE));
  report("section.map-2", NtMapViewOfSection(sec, NtCurrentProcess(), &v2, 0, 0, NULL, &s2, 1, 0, PAGE_READWRITE));
  report("section.map-readonly", NtMapViewOfSection(sec, NtCurrentProcess(), &v3, 0, 0, NULL, &s3, 1, 0, PAGE_READONLY));
  printf("section.views: distinct %d size 0x%lx\n", v1 != v2 && v2 != v3, (unsigned long)s1);
  ((volatile ULONG *)v1)[100] = 0xfeedf00d;
  printf("section.shared: 0x%lx 0x%lx\n", (unsigned long)((volatile ULONG *)v2)[100], (unsigned long)((volatile ULONG *)v3)[100]);
  NtQueryVirtualMemory(NtCurrentProcess(), v1, 0, &mbi, sizeof(mbi), NULL);
  printf("section.query: type 0x%lx state 0x%lx\n", (unsigned long)mbi.Type, (unsigned long)mbi.State);
  report("section.write-readonly-view", NtWriteVirtualMemory(NtCurrentProcess(), v3, &one, 4, &n));
  report("section.close-handle", NtClose(sec));
  printf("section.still-mapped: 0x%lx\n", (unsigned long)((volatile ULONG *)v2)[100]);
  report("section.unmap-1", NtUnmapViewOfSection(NtCurrentProcess(), v1));
  report("section.unmap-again", NtUnmapViewOfSection(NtCurrentProcess(), v1));
  report("section.unmap-2", NtUnmapViewOfSection(NtCurrentProcess(), v2));
  report("section.unmap-3", NtUnmapViewOfSection(NtCurrentProcess(), v3));
}

static void shared_data(void)
{
  volatile ULONG *kusd = (volatile ULONG *)0x7ffe0000;
  ULONG t0 = kusd[0x14 / 4], t1;
  LARGE_INTEGER d;
  ULONG v = 1;
  SIZE_T n = 0;
  printf("kusd.version: %lu.%lu machine 0x%x\n", (unsigned long)kusd[0x26c / 4], (unsigned long)kusd[0x270 / 4], *(volatile USHORT *)0x7ffe002c);
  printf("kusd.system-root: %.10ls\n", (const WCHAR *)0x7ffe0030);
  d.QuadPart = -30 * 10000;
  NtDelayExecution(FALSE, &d);
  t1 = kusd[0x14 / 4];
  printf("kusd.system-time-advances: %d\n", t1 != t0);
  report("kusd.write-is-refused", NtWriteVirtualMemory(NtCurrentProcess(), (PVOID)0x7ffe0000, &v, 4, &n));
}

/* A file outside \BootModules: the I/O manager and file systems are not built. */
static void not_implemented(void)
{
  static WCHAR path[] = { '\\', '?', '?', '\\', 'C', ':', '\\', 'n', 'e', 'p', 't', 'u', 'n', 'e', '.', 't', 'x', 't', 0 };
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  IO_STATUS_BLOCK iosb;
  HANDLE h;
  RtlInitUnicodeString(&name, path);
  InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
  report("not-implemented", NtCreateFile(&h, FILE_READ_DATA, &oa, &iosb, NULL, 0, FILE_SHARE_READ, FILE_OPEN, 0, NULL, 0));
}

int main(void)
{
  handles();
  namespace_();
  waits();
  memory();
  queries();
  shared_data();
  tokens();
  sections();
  printf("stack.grew: %d\n", stack_growth(100) == 5050); /* ~300 KiB: through the stack's guard page many times */
  not_implemented();
  return 0;
}
