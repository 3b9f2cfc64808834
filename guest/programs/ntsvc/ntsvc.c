/* ntsvc.exe: conformance checks of the Ps set-information, Se token and
 * access-check, and Ex hard-error/locale/shutdown services. Each line is
 *   <check>: <NTSTATUS in hex> | <detail>
 * and tests/executive/ntsvc.test.ts compares them with what NT answers.
 * With the argument "shutdown" it ends by shutting the system down. */
#include <nt.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_QUERY 0x0008
#define THREAD_QUERY_INFORMATION 0x0040
#define PROCESS_QUERY_INFORMATION 0x0400

static void report(const char *what, NTSTATUS s)
{
  printf("%s: 0x%08lx\n", what, (unsigned long)s);
}

static void ps(void)
{
  LONG v;
  ULONG u;
  PROCESS_PRIORITY_CLASS pc;
  PROCESS_BASIC_INFORMATION pbi;
  THREAD_BASIC_INFORMATION tbi;
  HANDLE limited = NULL;
  ULONG ret;

  v = 12;
  report("thread.priority-set", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &v, sizeof(v)));
  NtQueryInformationThread(NtCurrentThread(), 0, &tbi, sizeof(tbi), &ret);
  printf("thread.priority: %ld\n", (long)tbi.Priority);
  v = 0;
  report("thread.priority-zero", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &v, sizeof(v)));
  v = 32;
  report("thread.priority-32", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &v, sizeof(v)));
  report("thread.priority-short", NtSetInformationThread(NtCurrentThread(), ThreadPriority, &v, 2));
  v = 2;
  report("thread.base-priority", NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &v, sizeof(v)));
  NtQueryInformationThread(NtCurrentThread(), 0, &tbi, sizeof(tbi), &ret);
  printf("thread.base-priority-value: %ld\n", (long)tbi.Priority);
  v = 3;
  report("thread.base-priority-3", NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &v, sizeof(v)));
  v = 0;
  NtSetInformationThread(NtCurrentThread(), ThreadBasePriority, &v, sizeof(v));
  u = 1;
  report("thread.affinity", NtSetInformationThread(NtCurrentThread(), ThreadAffinityMask, &u, sizeof(u)));
  u = 0;
  report("thread.affinity-zero", NtSetInformationThread(NtCurrentThread(), ThreadAffinityMask, &u, sizeof(u)));
  u = 0x80000000u;
  report("thread.affinity-outside", NtSetInformationThread(NtCurrentThread(), ThreadAffinityMask, &u, sizeof(u)));
  report("thread.hide", NtSetInformationThread(NtCurrentThread(), ThreadHideFromDebugger, NULL, 0));
  {
    BOOLEAN hidden = 0;
    report("thread.hide-query", NtQueryInformationThread(NtCurrentThread(), ThreadHideFromDebugger, &hidden, 1, NULL));
    printf("thread.hidden: %d\n", hidden);
  }
  report("thread.hide-length", NtSetInformationThread(NtCurrentThread(), ThreadHideFromDebugger, &u, 4));
  ((PVOID *)((UCHAR *)NtCurrentTeb() + 0xE10))[5] = (PVOID)0x1234;
  u = 5;
  report("thread.zero-tls", NtSetInformationThread(NtCurrentThread(), ThreadZeroTlsCell, &u, sizeof(u)));
  printf("thread.tls-cell: %lu\n", (unsigned long)(ULONG_PTR)((PVOID *)((UCHAR *)NtCurrentTeb() + 0xE10))[5]);
  report("thread.bad-class", NtSetInformationThread(NtCurrentThread(), 99, &u, sizeof(u)));
  report("thread.am-last", NtQueryInformationThread(NtCurrentThread(), ThreadAmILastThread, &u, sizeof(u), NULL));
  printf("thread.am-last-value: %lu\n", (unsigned long)u);
  {
    CLIENT_ID cid;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
    cid.UniqueProcess = 0;
    cid.UniqueThread = NtCurrentTeb()->ClientId.UniqueThread;
    NtOpenThread(&limited, THREAD_QUERY_INFORMATION, &oa, &cid);
    v = 9;
    report("thread.set-without-access", NtSetInformationThread(limited, ThreadPriority, &v, sizeof(v)));
    NtClose(limited);
    cid.UniqueProcess = NtCurrentTeb()->ClientId.UniqueProcess;
    NtOpenProcess(&limited, PROCESS_QUERY_INFORMATION, &oa, &cid);
    u = 1;
    report("process.set-without-access", NtSetInformationProcess(limited, ProcessAffinityMask, &u, sizeof(u)));
    NtClose(limited);
  }

  pc.Foreground = 0;
  pc.PriorityClass = PROCESS_PRIORITY_CLASS_HIGH;
  report("process.priority-class", NtSetInformationProcess(NtCurrentProcess(), ProcessPriorityClass, &pc, sizeof(pc)));
  memset(&pc, 0, sizeof(pc));
  report("process.priority-class-query", NtQueryInformationProcess(NtCurrentProcess(), ProcessPriorityClass, &pc, sizeof(pc), NULL));
  NtQueryInformationProcess(NtCurrentProcess(), 0, &pbi, sizeof(pbi), NULL);
  NtQueryInformationThread(NtCurrentThread(), 0, &tbi, sizeof(tbi), &ret);
  printf("process.priority-class-value: %u base %ld thread %ld\n", pc.PriorityClass, (long)pbi.BasePriority, (long)tbi.Priority);
  pc.PriorityClass = 7;
  report("process.priority-class-bad", NtSetInformationProcess(NtCurrentProcess(), ProcessPriorityClass, &pc, sizeof(pc)));
  v = 8;
  report("process.base-priority", NtSetInformationProcess(NtCurrentProcess(), ProcessBasePriority, &v, sizeof(v)));
  v = 40;
  report("process.base-priority-bad", NtSetInformationProcess(NtCurrentProcess(), ProcessBasePriority, &v, sizeof(v)));
  u = 1;
  report("process.affinity", NtSetInformationProcess(NtCurrentProcess(), ProcessAffinityMask, &u, sizeof(u)));
  u = 6;
  report("process.affinity-bad", NtSetInformationProcess(NtCurrentProcess(), ProcessAffinityMask, &u, sizeof(u)));
  u = 7;
  report("process.hard-error-mode", NtSetInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &u, sizeof(u)));
  u = 0;
  NtQueryInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &u, sizeof(u), NULL);
  printf("process.hard-error-mode-value: %lu\n", (unsigned long)u);
  report("process.hard-error-mode-length", NtSetInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &u, 8));
  u = 0;
  report("process.exception-port", NtSetInformationProcess(NtCurrentProcess(), ProcessExceptionPort, &u, sizeof(u)));
  report("process.debug-port-query", NtQueryInformationProcess(NtCurrentProcess(), ProcessDebugPort, &u, sizeof(u), NULL));
  printf("process.debug-port: %lu\n", (unsigned long)u);
  report("process.wow64", NtQueryInformationProcess(NtCurrentProcess(), ProcessWow64Information, &u, sizeof(u), NULL));
  report("process.bad-class", NtSetInformationProcess(NtCurrentProcess(), 99, &u, sizeof(u)));
}

/* A self-relative security descriptor: owner, group, and a DACL of `n` ACEs (or none / NULL DACL). */
static UCHAR sd[256];
static const UCHAR SID_SYSTEM[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
static const UCHAR SID_USERS[] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x21, 2, 0, 0};
static const UCHAR SID_EVERYONE[] = {1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
static const UCHAR SID_GUESTS[] = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x22, 2, 0, 0};

struct ace { UCHAR type; const UCHAR *sid; ULONG sidlen; ULONG mask; };

static void build_sd(int dacl, const struct ace *aces, int n)
{
  ULONG at = 20, aclat, i;
  memset(sd, 0, sizeof(sd));
  sd[0] = 1;
  *(USHORT *)&sd[2] = SE_SELF_RELATIVE | (dacl ? SE_DACL_PRESENT : 0);
  *(ULONG *)&sd[4] = at; memcpy(&sd[at], SID_USERS, sizeof(SID_USERS)); at += sizeof(SID_USERS);   /* owner: not us */
  *(ULONG *)&sd[8] = at; memcpy(&sd[at], SID_USERS, sizeof(SID_USERS)); at += sizeof(SID_USERS);   /* group */
  if (dacl < 2) return;                                                                           /* 0: no DACL, 1: NULL DACL */
  *(ULONG *)&sd[16] = aclat = at;
  at += 8;
  for (i = 0; i < (ULONG)n; i++) {
    sd[at] = aces[i].type;
    *(USHORT *)&sd[at + 2] = (USHORT)(8 + aces[i].sidlen);
    *(ULONG *)&sd[at + 4] = aces[i].mask;
    memcpy(&sd[at + 8], aces[i].sid, aces[i].sidlen);
    at += 8 + aces[i].sidlen;
  }
  sd[aclat] = 2;
  *(USHORT *)&sd[aclat + 2] = (USHORT)(at - aclat);
  *(USHORT *)&sd[aclat + 4] = (USHORT)n;
}

static GENERIC_MAPPING map = {0x1, 0x2, 0x4, 0xf};

static void check(const char *what, HANDLE tok, ACCESS_MASK want)
{
  PRIVILEGE_SET ps;
  ULONG pslen = sizeof(ps);
  ACCESS_MASK granted = 0xdead;
  NTSTATUS st = 0x1234, s = NtAccessCheck(sd, tok, want, &map, &ps, &pslen, &granted, &st);
  printf("%s: 0x%08lx status 0x%08lx granted 0x%lx\n", what, (unsigned long)s, (unsigned long)st, (unsigned long)granted);
}

static void se(void)
{
  HANDLE tok = NULL, imp = NULL, anon = NULL, prim = NULL, got = NULL;
  OBJECT_ATTRIBUTES oa;
  SECURITY_QUALITY_OF_SERVICE qos;
  struct { ULONG Count; LUID_AND_ATTRIBUTES P[4]; } tp, prev;
  ULONG ret = 0;
  BOOLEAN result = 9;
  struct { ULONG Count, Control; LUID_AND_ATTRIBUTES P[2]; } set;

  report("token.open-ex", NtOpenProcessTokenEx(NtCurrentProcess(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES | TOKEN_DUPLICATE, 0, &tok));
  /* Shutdown privilege: held, disabled. */
  tp.Count = 1; tp.P[0].Luid.LowPart = SE_SHUTDOWN_PRIVILEGE; tp.P[0].Luid.HighPart = 0; tp.P[0].Attributes = SE_PRIVILEGE_ENABLED;
  report("adjust.prev-too-small", NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, 4, (PVOID)&prev, &ret));
  printf("adjust.prev-needs: %lu\n", (unsigned long)ret);
  report("adjust.enable", NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, sizeof(prev), (PVOID)&prev, &ret));
  printf("adjust.previous: %lu luid %lu attributes %lu\n", (unsigned long)prev.Count, (unsigned long)prev.P[0].Luid.LowPart, (unsigned long)prev.P[0].Attributes);
  report("adjust.enable-again", NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, sizeof(prev), (PVOID)&prev, &ret));
  printf("adjust.previous-again: %lu\n", (unsigned long)prev.Count);
  tp.P[0].Attributes = 0;
  report("adjust.disable", NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, 0, NULL, NULL));
  tp.P[0].Luid.LowPart = SE_CREATE_TOKEN_PRIVILEGE; tp.P[0].Attributes = SE_PRIVILEGE_ENABLED;
  report("adjust.not-held", NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, 0, NULL, NULL));
  report("adjust.no-state", NtAdjustPrivilegesToken(tok, FALSE, NULL, 0, NULL, NULL));

  /* Privilege checks on the primary token. */
  set.Count = 2; set.Control = PRIVILEGE_SET_ALL_NECESSARY;
  set.P[0].Luid.LowPart = SE_CHANGE_NOTIFY_PRIVILEGE; set.P[0].Luid.HighPart = 0; set.P[0].Attributes = 0;
  set.P[1].Luid.LowPart = SE_SHUTDOWN_PRIVILEGE; set.P[1].Luid.HighPart = 0; set.P[1].Attributes = 0;
  report("privcheck.all", NtPrivilegeCheck(tok, (PVOID)&set, &result));
  printf("privcheck.all-result: %d used 0x%lx 0x%lx\n", result, (unsigned long)set.P[0].Attributes, (unsigned long)set.P[1].Attributes);
  set.Control = 0;
  NtPrivilegeCheck(tok, (PVOID)&set, &result);
  printf("privcheck.any-result: %d\n", result);

  /* Duplicates: an impersonation token at SecurityImpersonation, one with no QOS (anonymous), a primary one. */
  qos.Length = sizeof(qos); qos.ImpersonationLevel = SecurityImpersonation; qos.ContextTrackingMode = 0; qos.EffectiveOnly = 0;
  InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
  oa.SecurityQualityOfService = &qos;
  report("dup.impersonation", NtDuplicateToken(tok, TOKEN_ALL_ACCESS, &oa, FALSE, TokenImpersonation, &imp));
  InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
  report("dup.anonymous", NtDuplicateToken(tok, TOKEN_ALL_ACCESS, &oa, FALSE, TokenImpersonation, &anon));
  report("dup.primary", NtDuplicateToken(tok, TOKEN_ALL_ACCESS, NULL, FALSE, TokenPrimary, &prim));
  report("dup.bad-type", NtDuplicateToken(tok, TOKEN_ALL_ACCESS, NULL, FALSE, 3, &got));
  {
    ULONG type = 0, n = 0;
    NtQueryInformationToken(imp, 8, &type, sizeof(type), &n);
    printf("dup.type: %lu\n", (unsigned long)type);
  }

  /* NtAccessCheck. Everyone is one of our groups; Guests is not. */
  build_sd(2, NULL, 0);
  check("access.primary-token", prim, 1);
  check("access.anonymous-token", anon, 1);
  build_sd(0, NULL, 0);
  check("access.no-dacl", imp, 3);
  build_sd(1, NULL, 0);
  check("access.null-dacl-maximum", imp, MAXIMUM_ALLOWED);
  build_sd(2, NULL, 0);
  check("access.empty-dacl", imp, 1);
  {
    struct ace a1[] = {{ACCESS_ALLOWED_ACE_TYPE, SID_EVERYONE, sizeof(SID_EVERYONE), 0x3}};
    struct ace a2[] = {{ACCESS_DENIED_ACE_TYPE, SID_EVERYONE, sizeof(SID_EVERYONE), 0x2}, {ACCESS_ALLOWED_ACE_TYPE, SID_SYSTEM, sizeof(SID_SYSTEM), 0x3}};
    struct ace a3[] = {{ACCESS_ALLOWED_ACE_TYPE, SID_SYSTEM, sizeof(SID_SYSTEM), 0x3}, {ACCESS_DENIED_ACE_TYPE, SID_EVERYONE, sizeof(SID_EVERYONE), 0x2}};
    struct ace a4[] = {{ACCESS_ALLOWED_ACE_TYPE, SID_GUESTS, sizeof(SID_GUESTS), 0xf}};
    build_sd(2, a1, 1);
    check("access.allowed", imp, 0x3);
    check("access.partly", imp, 0x7);
    check("access.generic-read", imp, GENERIC_READ);
    check("access.generic-all", imp, GENERIC_ALL);
    check("access.maximum", imp, MAXIMUM_ALLOWED);
    build_sd(2, a2, 2);
    check("access.denied-first", imp, 0x2);
    check("access.denied-first-other-right", imp, 0x1);
    check("access.denied-first-maximum", imp, MAXIMUM_ALLOWED);
    build_sd(2, a3, 2);
    check("access.allowed-first", imp, 0x2);
    build_sd(2, a4, 1);
    check("access.other-sid", imp, 0x1);
  }
  sd[0] = 7;
  check("access.bad-revision", imp, 1);

  /* Impersonation: a thread takes the impersonation token, opens it back, reverts. */
  report("thread-token.none", NtOpenThreadTokenEx(NtCurrentThread(), TOKEN_QUERY, FALSE, 0, &got));
  report("impersonate.primary", NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &prim, sizeof(HANDLE)));
  report("impersonate", NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &imp, sizeof(HANDLE)));
  report("thread-token.open", NtOpenThreadToken(NtCurrentThread(), TOKEN_QUERY, FALSE, &got));
  NtClose(got);
  got = NULL;
  report("revert", NtSetInformationThread(NtCurrentThread(), ThreadImpersonationToken, &got, sizeof(HANDLE)));
  report("thread-token.after-revert", NtOpenThreadTokenEx(NtCurrentThread(), TOKEN_QUERY, FALSE, 0, &got));
  NtClose(imp); NtClose(anon); NtClose(prim); NtClose(tok);
}

static void ex(BOOLEAN shutdown)
{
  ULONG lcid = 0, response = 99;
  UNICODE_STRING dll;
  ULONG_PTR params[2];
  HANDLE tok = NULL;
  struct { ULONG Count; LUID_AND_ATTRIBUTES P[1]; } tp;

  report("locale.query-user", NtQueryDefaultLocale(TRUE, &lcid));
  printf("locale.user: 0x%lx\n", (unsigned long)lcid);
  report("locale.set-user", NtSetDefaultLocale(TRUE, 0x407));
  NtQueryDefaultLocale(TRUE, &lcid);
  printf("locale.user-after: 0x%lx\n", (unsigned long)lcid);
  NtQueryDefaultLocale(FALSE, &lcid);
  printf("locale.system-unchanged: 0x%lx\n", (unsigned long)lcid);
  report("locale.set-bad", NtSetDefaultLocale(FALSE, 0x12345678));

  RtlInitUnicodeString(&dll, L"missing.dll");
  params[0] = (ULONG_PTR)&dll;
  params[1] = 0x42;
  report("harderror.ok", NtRaiseHardError(0xC0000135, 2, 1, params, OptionOk, &response));
  printf("harderror.ok-response: %lu\n", (unsigned long)response);
  report("harderror.yesno", NtRaiseHardError(0xC0000005, 0, 0, NULL, OptionYesNo, &response));
  printf("harderror.yesno-response: %lu\n", (unsigned long)response);
  report("harderror.too-many", NtRaiseHardError(0xC0000005, 6, 0, params, OptionOk, &response));
  report("harderror.bad-option", NtRaiseHardError(0xC0000005, 0, 0, NULL, 9, &response));

  report("shutdown.not-held", NtShutdownSystem(ShutdownPowerOff));
  report("shutdown.bad-action", NtShutdownSystem(3));
  if (!shutdown) return;
  NtOpenProcessToken(NtCurrentProcess(), TOKEN_ADJUST_PRIVILEGES, &tok);
  tp.Count = 1; tp.P[0].Luid.LowPart = SE_SHUTDOWN_PRIVILEGE; tp.P[0].Luid.HighPart = 0; tp.P[0].Attributes = SE_PRIVILEGE_ENABLED;
  NtAdjustPrivilegesToken(tok, FALSE, (PVOID)&tp, 0, NULL, NULL);
  printf("shutdown: now\n");
  NtShutdownSystem(ShutdownPowerOff);
  printf("shutdown: returned\n");
}

int main(int argc, char **argv)
{
  ps();
  se();
  ex(argc > 1 && strcmp(argv[1], "shutdown") == 0);
  return 0;
}
