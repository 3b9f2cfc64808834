/* ldrtest.exe: ntdll's loader. Loads ldrtest.dll from \KnownDlls (which
 * pulls in ldrdep.dll, relocated), calls exports found by name, by ordinal
 * and through a forwarder, checks DllMain order and load counts, and the
 * error cases. Each line is "<check>: <value>" for
 * tests/executive/ldr.test.ts. */
#include <nt.h>
#include <stdio.h>

typedef ULONG (NTAPI *BINOP)(ULONG, ULONG);
typedef ULONG (NTAPI *GETU)(void);
typedef const char *(NTAPI *GETS)(void);
typedef SIZE_T (NTAPI *COMPARE)(const VOID *, const VOID *, SIZE_T);

static NTSTATUS load(const WCHAR *name, PVOID *base)
{
  UNICODE_STRING us;
  RtlInitUnicodeString(&us, name);
  *base = NULL;
  return LdrLoadDll(NULL, NULL, &us, base);
}

static NTSTATUS proc(PVOID base, const char *name, ULONG ordinal, PVOID *p)
{
  ANSI_STRING as;
  *p = NULL;
  if (name == NULL) return LdrGetProcedureAddress(base, NULL, ordinal, p);
  RtlInitAnsiString(&as, name);
  return LdrGetProcedureAddress(base, &as, 0, p);
}

static LDR_DATA_TABLE_ENTRY *entry_of(PVOID base)
{
  LIST_ENTRY *head = &NtCurrentPeb()->Ldr->InLoadOrderModuleList;
  for (LIST_ENTRY *e = head->Flink; e != head; e = e->Flink) {
    LDR_DATA_TABLE_ENTRY *m = (LDR_DATA_TABLE_ENTRY *)e; /* InLoadOrderLinks is first */
    if (m->DllBase == base) return m;
  }
  return NULL;
}

int main(void)
{
  PVOID dll, dll2, dep, p;
  NTSTATUS st = load(L"LdrTest.DLL", &dll);
  printf("load: 0x%08lx %s\n", st, dll != NULL ? "base" : "null");
  if (!NT_SUCCESS(st)) return 1;
  UNICODE_STRING depName;
  RtlInitUnicodeString(&depName, L"ldrdep");
  st = LdrGetDllHandle(NULL, NULL, &depName, &dep);
  printf("dep handle: 0x%08lx\n", st);
  printf("dep relocated: %s\n", (ULONG)dep != 0x400000 ? "yes" : "no");

  st = proc(dll, "LdrTestAdd", 0, &p);
  printf("add by name: 0x%08lx %lu\n", st, NT_SUCCESS(st) ? ((BINOP)p)(40, 2) : 0);
  st = proc(dll, NULL, 1, &p);
  printf("add by ordinal: 0x%08lx %lu\n", st, NT_SUCCESS(st) ? ((BINOP)p)(1, 2) : 0);
  st = proc(dll, NULL, 7, &p);
  printf("mul by ordinal (noname): 0x%08lx %lu\n", st, NT_SUCCESS(st) ? ((BINOP)p)(6, 7) : 0);
  st = proc(dll, "LdrTestMul", 0, &p);
  printf("mul by name: 0x%08lx\n", st);
  st = proc(dll, "LdrTestCompare", 0, &p);
  PVOID direct = NULL;
  PVOID ntdll;
  UNICODE_STRING nt;
  RtlInitUnicodeString(&nt, L"ntdll.dll");
  LdrGetDllHandle(NULL, NULL, &nt, &ntdll);
  proc(ntdll, "RtlCompareMemory", 0, &direct);
  printf("forwarder: 0x%08lx %s %lu\n", st, p == direct && p != NULL ? "same" : "different",
         NT_SUCCESS(st) ? (ULONG)((COMPARE)p)("abcX", "abcY", 4) : 0);
  st = proc(dll, "NoSuchExport", 0, &p);
  printf("missing name: 0x%08lx\n", st);
  st = proc(dll, NULL, 99, &p);
  printf("missing ordinal: 0x%08lx\n", st);

  st = proc(dep, "LdrDepOrder", 0, &p);
  printf("init order: %s\n", NT_SUCCESS(st) ? ((GETS)p)() : "?");
  st = proc(dep, "LdrDepGreeting", 0, &p);
  printf("dep data: %s\n", NT_SUCCESS(st) ? ((GETS)p)() : "?");

  st = load(L"ldrtest.dll", &dll2);
  printf("load again: 0x%08lx %s\n", st, dll2 == dll ? "same" : "different");
  LDR_DATA_TABLE_ENTRY *e = entry_of(dll);
  printf("load count: %u\n", e != NULL ? e->LoadCount : 0);
  proc(dll, "LdrTestAttaches", 0, &p);
  printf("attaches: %lu\n", ((GETU)p)());

  /* Unloading: the first drops a load, the second detaches ldrtest then ldrdep and unmaps both. */
  st = LdrUnloadDll(dll);
  printf("unload once: 0x%08lx count %u\n", st, e != NULL ? e->LoadCount : 0);
  st = LdrUnloadDll(dll);
  PVOID h2;
  NTSTATUS gone = LdrGetDllHandle(NULL, NULL, &depName, &h2);
  MEMORY_BASIC_INFORMATION mbi;
  NtQueryVirtualMemory(NtCurrentProcess(), dll, 0, &mbi, sizeof(mbi), NULL);
  printf("unload twice: 0x%08lx dep 0x%08lx region %s\n", st, gone, mbi.State == MEM_FREE ? "free" : "mapped");
  printf("unload unknown: 0x%08lx\n", LdrUnloadDll((PVOID)0x12340000));
  printf("unload ntdll: 0x%08lx\n", LdrUnloadDll(ntdll));
  st = load(L"ldrtest", &dll);
  proc(dll, "LdrTestAttaches", 0, &p);
  printf("reload: 0x%08lx attaches %lu\n", st, NT_SUCCESS(st) ? ((GETU)p)() : 0);
  LdrGetDllHandle(NULL, NULL, &depName, &dep);
  st = proc(dep, "LdrDepOrder", 0, &p);
  printf("reload order: %s\n", NT_SUCCESS(st) ? ((GETS)p)() : "?");

  st = load(L"ldrfail.dll", &p);
  UNICODE_STRING failName;
  RtlInitUnicodeString(&failName, L"ldrfail.dll");
  PVOID h3;
  printf("init failed: 0x%08lx listed 0x%08lx\n", st, LdrGetDllHandle(NULL, NULL, &failName, &h3));
  printf("not a module: 0x%08lx\n", proc((PVOID)0x12340000, "LdrTestAdd", 0, &p));

  st = load(L"nosuch.dll", &p);
  printf("missing dll: 0x%08lx\n", st);

  /* A corrupt "image" in \KnownDlls: a pagefile section holding garbage. */
  HANDLE h;
  LARGE_INTEGER size;
  size.QuadPart = 0x2000;
  UNICODE_STRING bad;
  RtlInitUnicodeString(&bad, L"\\KnownDlls\\bad.dll");
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &bad, OBJ_CASE_INSENSITIVE, NULL, NULL);
  st = NtCreateSection(&h, 0xf001f, &oa, &size, PAGE_READWRITE, 0x8000000, NULL);
  printf("bad section: 0x%08lx\n", st);
  PVOID view = NULL;
  SIZE_T viewSize = 0;
  NtMapViewOfSection(h, NtCurrentProcess(), &view, 0, 0, NULL, &viewSize, 1, 0, PAGE_READWRITE);
  ((char *)view)[0] = 'M';
  ((char *)view)[1] = 'Z';
  ((LONG *)view)[15] = 0x7fffff00; /* e_lfanew far outside */
  NtUnmapViewOfSection(NtCurrentProcess(), view);
  st = load(L"bad.dll", &p);
  printf("corrupt dll: 0x%08lx\n", st);
  st = LdrGetDllHandle(NULL, NULL, &bad, &p);
  printf("corrupt dll listed: 0x%08lx\n", st);
  NtClose(h);

  ULONG n = 0;
  LIST_ENTRY *head = &NtCurrentPeb()->Ldr->InLoadOrderModuleList;
  printf("modules:");
  for (LIST_ENTRY *l = head->Flink; l != head && n < 16; l = l->Flink, n++) {
    LDR_DATA_TABLE_ENTRY *m = (LDR_DATA_TABLE_ENTRY *)l;
    char name[64];
    ULONG k;
    for (k = 0; k < m->BaseDllName.Length / 2 && k < 63; k++) name[k] = (char)m->BaseDllName.Buffer[k];
    name[k] = 0;
    printf(" %s", name);
  }
  printf("\n");
  return 0;
}
