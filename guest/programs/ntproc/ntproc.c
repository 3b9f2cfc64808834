/* ntproc.exe: processes creating processes, from \BootModules.
 *
 *   ntproc.exe [NOTPE]      the checks below; NOTPE names a boot module that
 *                           is not a PE image (the test plants one)
 *   ntproc.exe child N ARG  a child: reports what it was started with, makes
 *                           its own child (N-1) while N > 0, exits with
 *                           40 (N = 0) or its child's code + 1
 *   ntproc.exe inherit H    sets the inherited event handle H, exits 0
 *
 * Each line is <check>: <value>; tests/executive/ntproc.test.ts decides. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report(const char *what, NTSTATUS s)
{
  printf("%s: 0x%08lx\n", what, (unsigned long)s);
}

static WCHAR wbuf[4][256];

/* A UNICODE_STRING of an ASCII string (one of four static buffers). */
static UNICODE_STRING *ustr(int slot, const char *s)
{
  static UNICODE_STRING u[4];
  ULONG n = 0;
  for (; s[n] != 0 && n < 255; n++) wbuf[slot][n] = (WCHAR)(unsigned char)s[n];
  wbuf[slot][n] = 0;
  RtlInitUnicodeString(&u[slot], wbuf[slot]);
  return &u[slot];
}

static NTSTATUS open_module(const char *path, ACCESS_MASK access, HANDLE *h)
{
  OBJECT_ATTRIBUTES oa;
  IO_STATUS_BLOCK iosb;
  InitializeObjectAttributes(&oa, ustr(0, path), OBJ_CASE_INSENSITIVE, NULL, NULL);
  return NtOpenFile(h, access, &oa, &iosb, FILE_SHARE_READ, FILE_NON_DIRECTORY_FILE);
}

static NTSTATUS image_section(const char *path, HANDLE *section)
{
  HANDLE file;
  NTSTATUS st = open_module(path, SYNCHRONIZE | FILE_READ_DATA | FILE_EXECUTE, &file);
  if (!NT_SUCCESS(st)) return st;
  st = NtCreateSection(section, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, file);
  NtClose(file);
  return st;
}

/* Creates `image` with `cmdline` through RtlCreateUserProcess; resumes it; *code = its exit status. */
static NTSTATUS run(const char *image, const char *cmdline, BOOLEAN inherit, NTSTATUS *code)
{
  PRTL_USER_PROCESS_PARAMETERS params;
  RTL_USER_PROCESS_INFORMATION info;
  NTSTATUS st = RtlCreateProcessParameters(&params, ustr(1, image), NULL, NULL, ustr(2, cmdline), NULL, NULL, NULL, NULL, NULL);
  if (!NT_SUCCESS(st)) return st;
  st = RtlCreateUserProcess(ustr(3, image), OBJ_CASE_INSENSITIVE, params, NULL, NULL, NULL, inherit, NULL, NULL, &info);
  RtlDestroyProcessParameters(params);
  if (!NT_SUCCESS(st)) return st;
  ULONG count = 99;
  st = NtResumeThread(info.Thread, &count);
  if (NT_SUCCESS(st) && count != 1) st = STATUS_UNSUCCESSFUL; /* it was created suspended */
  if (NT_SUCCESS(st)) st = NtWaitForSingleObject(info.Process, FALSE, NULL);
  PROCESS_BASIC_INFORMATION pbi;
  if (NT_SUCCESS(st)) st = NtQueryInformationProcess(info.Process, 0, &pbi, sizeof(pbi), NULL);
  if (NT_SUCCESS(st)) *code = pbi.ExitStatus;
  NtClose(info.Thread);
  NtClose(info.Process);
  return st;
}

/* The PE headers of this program. */
typedef struct {
  ULONG Signature; USHORT Machine, NumberOfSections; ULONG TimeDateStamp, PointerToSymbolTable, NumberOfSymbols;
  USHORT SizeOfOptionalHeader, Characteristics; USHORT Magic; UCHAR MajorLinker, MinorLinker;
  ULONG SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData, AddressOfEntryPoint, BaseOfCode, BaseOfData, ImageBase;
  ULONG SectionAlignment, FileAlignment; USHORT MajorOs, MinorOs, MajorImage, MinorImage, MajorSubsystem, MinorSubsystem;
  ULONG Win32Version, SizeOfImage, SizeOfHeaders, CheckSum; USHORT Subsystem, DllCharacteristics;
  ULONG StackReserve, StackCommit;
} HEADERS;
extern char __ImageBase[];

static void query_section(void)
{
  HANDLE s = NULL, data = NULL;
  SECTION_IMAGE_INFORMATION ii;
  SECTION_BASIC_INFORMATION bi;
  ULONG ret = 0;
  HEADERS *h = (HEADERS *)(__ImageBase + *(LONG *)(__ImageBase + 0x3c));
  report("section.image", image_section("\\BootModules\\ntproc.exe", &s));
  report("query.image", NtQuerySection(s, SectionImageInformation, &ii, sizeof(ii), &ret));
  printf("query.image.length: %lu\n", ret);
  printf("query.entry: %s\n", (ULONG)ii.TransferAddress == h->ImageBase + h->AddressOfEntryPoint ? "ok" : "wrong");
  printf("query.stack: %s %lu %lu\n", ii.MaximumStackSize == h->StackReserve && ii.CommittedStackSize == h->StackCommit ? "ok" : "wrong",
         (unsigned long)ii.MaximumStackSize, (unsigned long)ii.CommittedStackSize);
  printf("query.subsystem: %lu %u.%u\n", ii.SubSystemType, ii.SubSystemMajorVersion, ii.SubSystemMinorVersion);
  printf("query.machine: 0x%x chars %s code %d\n", ii.Machine, ii.ImageCharacteristics == h->Characteristics ? "ok" : "wrong", ii.ImageContainsCode);
  report("query.basic", NtQuerySection(s, SectionBasicInformation, &bi, sizeof(bi), &ret));
  printf("query.basic.values: 0x%lx %s %lu\n", bi.AllocationAttributes,
         bi.MaximumSize.QuadPart == (LONGLONG)((h->SizeOfImage + 0xfff) & ~0xfffu) ? "ok" : "wrong", ret);
  report("query.short", NtQuerySection(s, SectionImageInformation, &ii, sizeof(ii) - 4, NULL));
  report("query.class", NtQuerySection(s, 7, &ii, sizeof(ii), NULL));
  report("query.bad-handle", NtQuerySection((HANDLE)0x1234, SectionBasicInformation, &bi, sizeof(bi), NULL));
  LARGE_INTEGER max;
  max.QuadPart = 0x2000;
  NtCreateSection(&data, SECTION_ALL_ACCESS, NULL, &max, PAGE_READWRITE, SEC_COMMIT, NULL);
  report("query.data-image", NtQuerySection(data, SectionImageInformation, &ii, sizeof(ii), NULL));
  report("query.data-basic", NtQuerySection(data, SectionBasicInformation, &bi, sizeof(bi), NULL));
  printf("query.data-basic.values: 0x%lx %lu\n", bi.AllocationAttributes, (unsigned long)bi.MaximumSize.QuadPart);
  HANDLE again = NULL;
  report("section.again", image_section("\\BootModules\\NTPROC.EXE", &again));
  NtClose(again);
  NtClose(data);
  NtClose(s);
}

static void errors(const char *notpe)
{
  HANDLE h = NULL, s = NULL, p = NULL, ev = NULL;
  IO_STATUS_BLOCK iosb;
  OBJECT_ATTRIBUTES oa;
  NTSTATUS code = 0;
  report("open.missing", open_module("\\BootModules\\nonexistent.exe", FILE_READ_DATA, &h));
  report("open.write", open_module("\\BootModules\\ntproc.exe", FILE_READ_DATA | FILE_WRITE_DATA, &h));
  report("open.generic-all", open_module("\\BootModules\\ntproc.exe", GENERIC_ALL, &h));
  report("open.elsewhere", open_module("\\??\\C:\\ntproc.exe", FILE_READ_DATA, &h));
  report("open.directory", open_module("\\BootModules", FILE_READ_DATA, &h));
  InitializeObjectAttributes(&oa, ustr(0, "\\BootModules\\ntproc.exe"), OBJ_CASE_INSENSITIVE, NULL, NULL);
  report("create.overwrite", NtCreateFile(&h, FILE_READ_DATA, &oa, &iosb, NULL, 0, FILE_SHARE_READ, FILE_OVERWRITE_IF, 0, NULL, 0));
  iosb.Information = 99;
  report("create.open", NtCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, FILE_SHARE_READ, FILE_OPEN, FILE_NON_DIRECTORY_FILE, NULL, 0));
  printf("create.open.iosb: 0x%08lx %lu\n", (unsigned long)iosb.Status, (unsigned long)iosb.Information);
  report("section.no-execute", NtCreateSection(&s, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, h));
  NtClose(h);
  report("section.no-file", NtCreateSection(&s, SECTION_ALL_ACCESS, NULL, NULL, PAGE_EXECUTE, SEC_IMAGE, NULL));
  if (notpe != NULL) {
    char path[128];
    snprintf(path, sizeof(path), "\\BootModules\\%s", notpe);
    report("section.not-pe", image_section(path, &s));
    report("spawn.not-pe", run(path, notpe, FALSE, &code));
  }
  report("spawn.missing", run("\\BootModules\\nonexistent.exe", "nonexistent.exe", FALSE, &code));
  report("process.bad-section", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, (HANDLE)0x1234, NULL, NULL));
  NtCreateEvent(&ev, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
  report("process.event-section", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, ev, NULL, NULL));
  NtClose(ev);
  LARGE_INTEGER max;
  max.QuadPart = 0x1000;
  NtCreateSection(&s, SECTION_ALL_ACCESS, NULL, &max, PAGE_READWRITE, SEC_COMMIT, NULL);
  report("process.data-section", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, s, NULL, NULL));
  NtClose(s);
  report("section.dll", image_section("\\BootModules\\ldrdep.dll", &s));
  report("process.dll-section", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, s, NULL, NULL));
  NtClose(s);
  report("process.no-section", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, NULL, NULL, NULL));
  report("process.bad-parent", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, (HANDLE)0x1234, FALSE, NULL, NULL, NULL));
}

/* NtCreateProcess alone: ntdll and the image mapped, a PEB, no parameters, no thread. */
static void bare_process(void)
{
  HANDLE s = NULL, p = NULL;
  PROCESS_BASIC_INFORMATION pbi;
  PEB peb;
  image_section("\\BootModules\\ntproc.exe", &s);
  report("bare.create", NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, s, NULL, NULL));
  NtClose(s);
  report("bare.info", NtQueryInformationProcess(p, 0, &pbi, sizeof(pbi), NULL));
  printf("bare.status: 0x%08lx own-id %d\n", (unsigned long)pbi.ExitStatus, pbi.UniqueProcessId != (ULONG_PTR)NtCurrentTeb()->ClientId.UniqueProcess);
  report("bare.read-peb", NtReadVirtualMemory(p, pbi.PebBaseAddress, &peb, sizeof(peb), NULL));
  printf("bare.peb: base %s params %p\n", peb.ImageBaseAddress == (PVOID)__ImageBase ? "same" : "other", (void *)peb.ProcessParameters);
  MEMORY_BASIC_INFORMATION mbi;
  report("bare.ntdll", NtQueryVirtualMemory(p, (PVOID)0x7c900000, 0, &mbi, sizeof(mbi), NULL));
  printf("bare.ntdll.type: 0x%lx\n", mbi.Type);
  report("bare.terminate", NtTerminateProcess(p, 5));
  report("bare.wait", NtWaitForSingleObject(p, FALSE, NULL));
  NtQueryInformationProcess(p, 0, &pbi, sizeof(pbi), NULL);
  printf("bare.exit: %ld\n", (long)pbi.ExitStatus);
  NtClose(p);
  /* One nobody starts: closing its last handle ends it (its id is gone). */
  image_section("\\BootModules\\ntproc.exe", &s);
  NtCreateProcess(&p, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), FALSE, s, NULL, NULL);
  NtClose(s);
  NtQueryInformationProcess(p, 0, &pbi, sizeof(pbi), NULL);
  CLIENT_ID cid = { (HANDLE)pbi.UniqueProcessId, NULL };
  HANDLE again = NULL;
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, NULL, 0, NULL, NULL);
  report("bare.open-while-held", NtOpenProcess(&again, PROCESS_ALL_ACCESS, &oa, &cid));
  NtClose(again);
  NtClose(p);
  report("bare.open-after-close", NtOpenProcess(&again, PROCESS_ALL_ACCESS, &oa, &cid));
}

static NTSTATUS NTAPI thread_routine(PVOID arg)
{
  return (NTSTATUS)(ULONG_PTR)arg + 1;
}

static void user_thread(void)
{
  HANDLE t = NULL;
  CLIENT_ID cid;
  struct { NTSTATUS ExitStatus; PVOID Teb; CLIENT_ID ClientId; ULONG_PTR Affinity; LONG Priority, BasePriority; } tbi;
  report("thread.create", RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, thread_routine, (PVOID)6, &t, &cid));
  report("thread.wait", NtWaitForSingleObject(t, FALSE, NULL));
  NtQueryInformationThread(t, 0, &tbi, sizeof(tbi), NULL);
  printf("thread.exit: %ld\n", (long)tbi.ExitStatus);
  NtClose(t);
  report("thread.no-start", RtlCreateUserThread(NtCurrentProcess(), NULL, FALSE, 0, 0, 0, NULL, NULL, &t, &cid));
}

static void spawn(void)
{
  NTSTATUS code = 0;
  fflush(stdout);
  report("spawn.child", run("\\BootModules\\ntproc.exe", "ntproc.exe child 2 \"two words\"", FALSE, &code));
  printf("spawn.child.exit: %ld\n", (long)code);
  /* An inheritable event: the child gets the same handle value and sets it. */
  HANDLE ev = NULL;
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, NULL, OBJ_INHERIT, NULL, NULL);
  NtCreateEvent(&ev, EVENT_ALL_ACCESS, &oa, NotificationEvent, FALSE);
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "ntproc.exe inherit %lu", (unsigned long)(ULONG_PTR)ev);
  report("spawn.inherit", run("\\BootModules\\ntproc.exe", cmd, TRUE, &code));
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  printf("spawn.inherit.exit: %ld set %s\n", (long)code, NtWaitForSingleObject(ev, FALSE, &zero) == STATUS_SUCCESS ? "yes" : "no");
  report("spawn.no-inherit", run("\\BootModules\\ntproc.exe", cmd, FALSE, &code));
  printf("spawn.no-inherit.exit: 0x%08lx\n", (unsigned long)code);
  NtClose(ev);
}

/* The loader ran before main: the program and ntdll are on PEB->Ldr. */
static const char *ldr_modules(void)
{
  static char names[128];
  PPEB_LDR_DATA ldr = NtCurrentPeb()->Ldr;
  names[0] = 0;
  if (ldr == NULL) return "none";
  for (LIST_ENTRY *e = ldr->InLoadOrderModuleList.Flink; e != &ldr->InLoadOrderModuleList; e = e->Flink) {
    LDR_DATA_TABLE_ENTRY *m = (LDR_DATA_TABLE_ENTRY *)e;
    size_t n = strlen(names);
    if (n != 0) names[n++] = ',';
    for (USHORT i = 0; i < m->BaseDllName.Length / 2 && n < sizeof(names) - 2; i++) names[n++] = (char)m->BaseDllName.Buffer[i];
    names[n] = 0;
  }
  return names;
}

static int child(int argc, char **argv)
{
  int depth = argc > 2 ? atoi(argv[2]) : 0;
  PRTL_USER_PROCESS_PARAMETERS pp = NtCurrentPeb()->ProcessParameters;
  char dir[128];
  size_t n = 0;
  for (; n < pp->CurrentDirectory.DosPath.Length / 2 && n < sizeof(dir) - 1; n++) dir[n] = (char)pp->CurrentDirectory.DosPath.Buffer[n];
  dir[n] = 0;
  printf("child %d: argc %d arg '%s' image %.*ls env %s cwd %s modules %s\n", depth, argc, argc > 3 ? argv[3] : "",
         (int)(pp->ImagePathName.Length / 2), (const wchar_t *)pp->ImagePathName.Buffer,
         getenv("NTPROC_ENV") != NULL ? getenv("NTPROC_ENV") : "(none)", dir,
         ldr_modules());
  fflush(stdout);
  if (depth == 0) return 40;
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "ntproc.exe child %d \"%s\"", depth - 1, argc > 3 ? argv[3] : "");
  NTSTATUS code = 0;
  NTSTATUS st = run("\\BootModules\\ntproc.exe", cmd, FALSE, &code);
  if (!NT_SUCCESS(st)) return (int)st;
  return (int)code + 1;
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child(argc, argv);
  if (argc > 2 && strcmp(argv[1], "inherit") == 0) return (int)NtSetEvent((HANDLE)(ULONG_PTR)strtoul(argv[2], NULL, 10), NULL);
  printf("modules: %s\n", ldr_modules());
  query_section();
  errors(argc > 1 ? argv[1] : NULL);
  bare_process();
  user_thread();
  spawn();
  return 0;
}
