/*
 * The loader: LdrLoadDll, LdrGetDllHandle, LdrGetProcedureAddress.
 *
 * DLLs come from \KnownDlls (there is no I/O manager, so no files): the
 * executive made an image section per DLL of the DLL search directories
 * (src/executive/mm/image-section.ts). Loading one is NtOpenSection +
 * NtMapViewOfSection (a private copy of the image laid out at its preferred
 * base, or elsewhere: STATUS_IMAGE_NOT_AT_BASE, and the base relocations are
 * applied here), then its imports (each imported DLL loaded the same way,
 * recursively, and initialized first), then its DllMain(DLL_PROCESS_ATTACH).
 * Loaded modules are kept on PEB->Ldr's InLoadOrderModuleList with a load
 * count. The program and ntdll itself are put on the list first, when the
 * process's first thread starts (LdrpInitializeProcess, called from
 * LdrInitializeThunk in startup.c): the program is relocated if the
 * executive could not map it at its preferred base, its imports are loaded
 * and bound the same way as a DLL's, static TLS is set up, each DLL is
 * initialized (TLS callbacks, DllMain) after the ones it imports, then the
 * thread goes on to the entry point. Later threads get their TLS block and
 * DLL_THREAD_ATTACH (LdrpInitializeThread), and DLL_THREAD_DETACH when they
 * leave through RtlExitUserThread (LdrShutdownThread).
 * LdrUnloadDll drops a load; the last one runs DllMain(DLL_PROCESS_DETACH),
 * unloads what the DLL imports (after it: the reverse of initialization)
 * and unmaps it.
 * Every header field is checked against the view before it is used: a
 * corrupt image gives STATUS_INVALID_IMAGE_FORMAT.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

/* --- PE32 layouts (only what the loader reads) --------------------------- */
typedef struct { USHORT e_magic; USHORT pad[29]; LONG e_lfanew; } DOS_HEADER;
typedef struct { ULONG VirtualAddress; ULONG Size; } DATA_DIR;
typedef struct {
  ULONG Signature;
  USHORT Machine, NumberOfSections; ULONG TimeDateStamp, PointerToSymbolTable, NumberOfSymbols;
  USHORT SizeOfOptionalHeader, Characteristics;
  USHORT Magic; UCHAR MajorLinker, MinorLinker; ULONG SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData;
  ULONG AddressOfEntryPoint, BaseOfCode, BaseOfData, ImageBase, SectionAlignment, FileAlignment;
  USHORT MajorOs, MinorOs, MajorImage, MinorImage, MajorSubsystem, MinorSubsystem;
  ULONG Win32Version, SizeOfImage, SizeOfHeaders, CheckSum; USHORT Subsystem, DllCharacteristics;
  ULONG StackReserve, StackCommit, HeapReserve, HeapCommit, LoaderFlags, NumberOfRvaAndSizes;
  DATA_DIR Dir[16];
} NT_HEADERS;
typedef struct {
  char Name[8]; ULONG VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData, PointerToRelocations, PointerToLinenumbers;
  USHORT NumberOfRelocations, NumberOfLinenumbers; ULONG Characteristics;
} SECTION_HEADER;
typedef struct {
  ULONG Characteristics, TimeDateStamp; USHORT Major, Minor; ULONG Name, Base, NumberOfFunctions, NumberOfNames;
  ULONG AddressOfFunctions, AddressOfNames, AddressOfNameOrdinals;
} EXPORT_DIRECTORY;
typedef struct { ULONG OriginalFirstThunk, TimeDateStamp, ForwarderChain, Name, FirstThunk; } IMPORT_DESCRIPTOR;
typedef struct { ULONG StartAddressOfRawData, EndAddressOfRawData, AddressOfIndex, AddressOfCallBacks, SizeOfZeroFill, Characteristics; } TLS_DIRECTORY;
typedef VOID (NTAPI *TLS_CALLBACK)(PVOID DllHandle, ULONG Reason, PVOID Reserved);
enum { DIR_EXPORT = 0, DIR_IMPORT = 1, DIR_BASERELOC = 5, DIR_TLS = 9 };
#define MAX_TLS_CALLBACKS 64
#define SCN_EXECUTE 0x20000000
#define SCN_READ 0x40000000
#define SCN_WRITE 0x80000000
#define FILE_DLL 0x2000
#define FILE_RELOCS_STRIPPED 0x0001
#define MAX_MODULES 64
#define MAX_NAME 64
#define MAX_FORWARD_DEPTH 8

typedef struct {
  LDR_DATA_TABLE_ENTRY e;
  WCHAR name[MAX_NAME];
} MODULE;

extern char __ImageBase[];
static PEB_LDR_DATA LdrpData;
static MODULE LdrpModules[MAX_MODULES];
static ULONG LdrpModuleCount;

/* Process start: DLLs loaded for the program's imports are initialized
 * after every image is bound and static TLS is set up (LdrpInitQueue, in
 * dependency order), as NT's LdrpRunInitializeRoutines does. */
static BOOLEAN LdrpInProcessInit;
static MODULE *LdrpInitQueue[MAX_MODULES];
static ULONG LdrpInitQueueCount;

/* Static TLS: one slot per image with a TLS directory at process start. */
typedef struct {
  MODULE *m;
  char *start;          /* the template [start, end), then zeroFill zero bytes */
  ULONG size, zeroFill;
  TLS_CALLBACK *callbacks; /* NULL-terminated, or NULL */
} TLS_SLOT;
static TLS_SLOT LdrpTls[MAX_MODULES];
static ULONG LdrpTlsCount;
static ULONG LdrpTlsBytes;

static WCHAR lower(WCHAR c) { return c >= 'A' && c <= 'Z' ? (WCHAR)(c + 32) : c; }

static void list_append(LIST_ENTRY *head, LIST_ENTRY *e)
{
  e->Flink = head;
  e->Blink = head->Blink;
  head->Blink->Flink = e;
  head->Blink = e;
}
static void list_remove(LIST_ENTRY *e)
{
  e->Blink->Flink = e->Flink;
  e->Flink->Blink = e->Blink;
}

/* A base name (after the last \ or /), lower-cased, with ".dll" added when it has no extension. */
static NTSTATUS base_name(const WCHAR *s, ULONG len, WCHAR *out)
{
  ULONG start = 0, n = 0, dot = 0;
  for (ULONG i = 0; i < len; i++) if (s[i] == '\\' || s[i] == '/') start = i + 1;
  for (ULONG i = start; i < len; i++) {
    if (n + 5 >= MAX_NAME) return STATUS_NAME_TOO_LONG;
    if (s[i] == '.') dot = 1;
    out[n++] = lower(s[i]);
  }
  if (n == 0) return STATUS_INVALID_PARAMETER;
  if (!dot) { out[n++] = '.'; out[n++] = 'd'; out[n++] = 'l'; out[n++] = 'l'; }
  out[n] = 0;
  return STATUS_SUCCESS;
}

static ULONG wlen(const WCHAR *s) { ULONG n = 0; while (s[n]) n++; return n; }

static MODULE *add_module(PVOID base, ULONG size, PVOID entry, const WCHAR *name, USHORT count)
{
  MODULE *m = NULL;
  for (ULONG i = 0; i < LdrpModuleCount && m == NULL; i++) if (LdrpModules[i].e.DllBase == NULL) m = &LdrpModules[i];
  if (m == NULL) {
    if (LdrpModuleCount == MAX_MODULES) return NULL;
    m = &LdrpModules[LdrpModuleCount++];
  }
  ULONG n = wlen(name);
  for (ULONG i = 0; i <= n; i++) m->name[i] = name[i];
  m->e.DllBase = base;
  m->e.SizeOfImage = size;
  m->e.EntryPoint = entry;
  m->e.BaseDllName.Buffer = m->name;
  m->e.BaseDllName.Length = (USHORT)(n * 2);
  m->e.BaseDllName.MaximumLength = (USHORT)(n * 2 + 2);
  m->e.FullDllName = m->e.BaseDllName;
  m->e.LoadCount = count;
  m->e.Flags = 0;
  list_append(&LdrpData.InLoadOrderModuleList, &m->e.InLoadOrderLinks);
  list_append(&LdrpData.InMemoryOrderModuleList, &m->e.InMemoryOrderLinks);
  m->e.InInitializationOrderLinks.Flink = m->e.InInitializationOrderLinks.Blink = &m->e.InInitializationOrderLinks;
  return m;
}

static void drop_module(MODULE *m)
{
  list_remove(&m->e.InLoadOrderLinks);
  list_remove(&m->e.InMemoryOrderLinks);
  m->e.DllBase = NULL; /* a free slot: never matched, reused by add_module */
  if (m == &LdrpModules[LdrpModuleCount - 1]) LdrpModuleCount--;
}

/* The module of an InInitializationOrderLinks entry. */
#define CONTAINING_MODULE(e) ((MODULE *)((char *)(e) - offsetof(LDR_DATA_TABLE_ENTRY, InInitializationOrderLinks)))

static NT_HEADERS *headers_of(PVOID base) { return (NT_HEADERS *)((char *)base + ((DOS_HEADER *)base)->e_lfanew); }

/* The program and ntdll itself, pinned, first on the list. */
static void LdrpInitialize(void)
{
  if (LdrpData.Initialized) return;
  LdrpData.Length = sizeof(LdrpData);
  LdrpData.InLoadOrderModuleList.Flink = LdrpData.InLoadOrderModuleList.Blink = &LdrpData.InLoadOrderModuleList;
  LdrpData.InMemoryOrderModuleList.Flink = LdrpData.InMemoryOrderModuleList.Blink = &LdrpData.InMemoryOrderModuleList;
  LdrpData.InInitializationOrderModuleList.Flink = LdrpData.InInitializationOrderModuleList.Blink = &LdrpData.InInitializationOrderModuleList;
  PPEB peb = NtCurrentPeb();
  WCHAR name[MAX_NAME];
  UNICODE_STRING *path = peb->ProcessParameters != NULL ? &peb->ProcessParameters->ImagePathName : NULL;
  if (path == NULL || path->Buffer == NULL || base_name(path->Buffer, path->Length / 2, name) != STATUS_SUCCESS) { name[0] = 'a'; name[1] = 0; }
  NT_HEADERS *nt = headers_of(peb->ImageBaseAddress);
  MODULE *m = add_module(peb->ImageBaseAddress, nt->SizeOfImage, (char *)peb->ImageBaseAddress + nt->AddressOfEntryPoint, name, 0xffff);
  m->e.Flags = LDRP_ENTRY_PROCESSED;
  static const WCHAR ntdll[] = { 'n', 't', 'd', 'l', 'l', '.', 'd', 'l', 'l', 0 };
  nt = headers_of(__ImageBase);
  m = add_module(__ImageBase, nt->SizeOfImage, NULL, ntdll, 0xffff);
  m->e.Flags = LDRP_ENTRY_PROCESSED;
  peb->Ldr = &LdrpData;
  LdrpData.Initialized = TRUE;
}

static MODULE *find_by_name(const WCHAR *name)
{
  for (ULONG i = 0; i < LdrpModuleCount; i++) {
    MODULE *m = &LdrpModules[i];
    if (m->e.DllBase == NULL) continue;
    ULONG j = 0;
    while (m->name[j] != 0 && lower(m->name[j]) == lower(name[j])) j++;
    if (m->name[j] == 0 && name[j] == 0) return m;
  }
  return NULL;
}

static MODULE *find_by_base(PVOID base)
{
  for (ULONG i = 0; i < LdrpModuleCount; i++) if (LdrpModules[i].e.DllBase == base && base != NULL) return &LdrpModules[i];
  return NULL;
}

/* [rva, rva + len) lies inside an image of `size` bytes. */
static BOOLEAN in_image(ULONG size, ULONG rva, ULONG len) { return rva <= size && len <= size - rva; }

/* A NUL-terminated string at `rva` inside the image. */
static const char *image_string(PVOID base, ULONG size, ULONG rva)
{
  if (rva >= size) return NULL;
  const char *s = (const char *)base + rva;
  for (ULONG i = 0; rva + i < size; i++) if (s[i] == 0) return s;
  return NULL;
}

/* Checks the headers of a view of `viewSize` bytes (a DLL's, or with `dll` FALSE a program's). */
static NT_HEADERS *check_image_headers(PVOID base, SIZE_T viewSize, BOOLEAN dll)
{
  if (viewSize < sizeof(DOS_HEADER) || ((DOS_HEADER *)base)->e_magic != 0x5a4d) return NULL;
  ULONG lfanew = (ULONG)((DOS_HEADER *)base)->e_lfanew;
  if (!in_image(viewSize, lfanew, sizeof(NT_HEADERS))) return NULL;
  NT_HEADERS *nt = headers_of(base);
  if (nt->Signature != 0x4550 || nt->Machine != 0x14c || nt->Magic != 0x10b || nt->NumberOfRvaAndSizes < 6) return NULL;
  if (nt->SizeOfImage > viewSize || ((nt->Characteristics & FILE_DLL) != 0) != (dll != 0)) return NULL;
  ULONG sections = lfanew + 24 + nt->SizeOfOptionalHeader;
  if (!in_image(nt->SizeOfImage, sections, nt->NumberOfSections * sizeof(SECTION_HEADER))) return NULL;
  for (int d = 0; d < 16; d++) if (!in_image(nt->SizeOfImage, nt->Dir[d].VirtualAddress, nt->Dir[d].Size) && d != 4) return NULL;
  return nt;
}

static NT_HEADERS *check_headers(PVOID base, SIZE_T viewSize) { return check_image_headers(base, viewSize, TRUE); }

static NTSTATUS protect(PVOID base, ULONG size, ULONG prot)
{
  PVOID b = base;
  SIZE_T s = size;
  ULONG old;
  return NtProtectVirtualMemory(NtCurrentProcess(), &b, &s, prot, &old);
}

/* Headers read-only, each section per its characteristics (what the executive gave the view). */
static void restore_protections(PVOID base, NT_HEADERS *nt)
{
  SECTION_HEADER *sec = (SECTION_HEADER *)((char *)&nt->Magic + nt->SizeOfOptionalHeader);
  protect(base, nt->SizeOfHeaders, PAGE_READONLY);
  for (USHORT i = 0; i < nt->NumberOfSections; i++) {
    ULONG c = sec[i].Characteristics;
    ULONG p = (c & SCN_EXECUTE) ? ((c & SCN_WRITE) ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ)
            : (c & SCN_WRITE) ? PAGE_READWRITE : (c & SCN_READ) ? PAGE_READONLY : PAGE_NOACCESS;
    if (sec[i].VirtualSize != 0) protect((char *)base + sec[i].VirtualAddress, sec[i].VirtualSize, p);
  }
}

/* Base relocations for a view at `base` (linked for nt->ImageBase). */
static NTSTATUS relocate(PVOID base, NT_HEADERS *nt)
{
  ULONG delta = (ULONG)base - nt->ImageBase;
  DATA_DIR d = nt->Dir[DIR_BASERELOC];
  if (d.Size == 0 || (nt->Characteristics & FILE_RELOCS_STRIPPED)) return STATUS_CONFLICTING_ADDRESSES;
  ULONG at = d.VirtualAddress, end = d.VirtualAddress + d.Size;
  while (at + 8 <= end) {
    ULONG page = *(ULONG *)((char *)base + at), blockSize = *(ULONG *)((char *)base + at + 4);
    if (blockSize < 8 || blockSize > end - at || (blockSize & 1)) return STATUS_INVALID_IMAGE_FORMAT;
    USHORT *e = (USHORT *)((char *)base + at + 8);
    for (ULONG i = 0; i < (blockSize - 8) / 2; i++) {
      ULONG type = e[i] >> 12, off = page + (e[i] & 0xfff);
      if (type == 0) continue; /* IMAGE_REL_BASED_ABSOLUTE: padding */
      if (type != 3 || !in_image(nt->SizeOfImage, off, 4)) return STATUS_INVALID_IMAGE_FORMAT;
      *(ULONG *)((char *)base + off) += delta;
    }
    at += blockSize;
  }
  return STATUS_SUCCESS;
}

static NTSTATUS load(const WCHAR *name, MODULE **out, ULONG depth);

/* The export `name` (or `ordinal` when name is NULL) of the module at `base`, following forwarders. */
static NTSTATUS get_procedure(PVOID base, const char *name, ULONG ordinal, PVOID *address, ULONG depth)
{
  MODULE *m = find_by_base(base);
  if (m == NULL) return STATUS_DLL_NOT_FOUND;
  NTSTATUS notFound = name ? STATUS_PROCEDURE_NOT_FOUND : STATUS_ORDINAL_NOT_FOUND;
  ULONG size = m->e.SizeOfImage;
  NT_HEADERS *nt = headers_of(base);
  DATA_DIR d = nt->Dir[DIR_EXPORT];
  if (d.Size < sizeof(EXPORT_DIRECTORY)) return notFound;
  EXPORT_DIRECTORY *ex = (EXPORT_DIRECTORY *)((char *)base + d.VirtualAddress);
  if (!in_image(size, ex->AddressOfFunctions, ex->NumberOfFunctions * 4) || ex->NumberOfFunctions > 0x10000 ||
      !in_image(size, ex->AddressOfNames, ex->NumberOfNames * 4) || !in_image(size, ex->AddressOfNameOrdinals, ex->NumberOfNames * 2))
    return STATUS_INVALID_IMAGE_FORMAT;
  ULONG *functions = (ULONG *)((char *)base + ex->AddressOfFunctions);
  ULONG index;
  if (name != NULL) {
    ULONG *names = (ULONG *)((char *)base + ex->AddressOfNames);
    USHORT *ordinals = (USHORT *)((char *)base + ex->AddressOfNameOrdinals);
    LONG lo = 0, hi = (LONG)ex->NumberOfNames - 1;
    index = 0xffffffff;
    while (lo <= hi) { /* the name table is sorted (PE rule) */
      LONG mid = (lo + hi) / 2;
      const char *s = image_string(base, size, names[mid]);
      if (s == NULL) return STATUS_INVALID_IMAGE_FORMAT;
      ULONG j = 0;
      while (s[j] != 0 && s[j] == name[j]) j++;
      int c = (int)(UCHAR)name[j] - (int)(UCHAR)s[j];
      if (c == 0) { index = ordinals[mid]; break; }
      if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    if (index == 0xffffffff) return notFound;
  } else {
    if (ordinal < ex->Base || ordinal - ex->Base >= ex->NumberOfFunctions) return notFound;
    index = ordinal - ex->Base;
  }
  if (index >= ex->NumberOfFunctions || functions[index] == 0) return notFound;
  ULONG rva = functions[index];
  if (rva >= size) return STATUS_INVALID_IMAGE_FORMAT;
  if (rva < d.VirtualAddress || rva >= d.VirtualAddress + d.Size) {
    *address = (char *)base + rva;
    return STATUS_SUCCESS;
  }
  /* A forwarder: "dll.Name" or "dll.#ordinal". */
  if (depth >= MAX_FORWARD_DEPTH) return STATUS_INVALID_IMAGE_FORMAT;
  const char *f = image_string(base, size, rva);
  if (f == NULL) return STATUS_INVALID_IMAGE_FORMAT;
  ULONG dot = 0;
  while (f[dot] != 0 && f[dot] != '.') dot++;
  if (f[dot] != '.' || dot == 0 || dot + 5 >= MAX_NAME) return STATUS_INVALID_IMAGE_FORMAT;
  WCHAR dll[MAX_NAME], dllName[MAX_NAME];
  for (ULONG i = 0; i < dot; i++) dll[i] = (WCHAR)(UCHAR)f[i];
  NTSTATUS st = base_name(dll, dot, dllName);
  if (!NT_SUCCESS(st)) return st;
  MODULE *target;
  st = load(dllName, &target, depth + 1);
  if (!NT_SUCCESS(st)) return st;
  const char *what = f + dot + 1;
  if (what[0] == '#') {
    ULONG n = 0;
    for (ULONG i = 1; what[i] != 0; i++) {
      if (what[i] < '0' || what[i] > '9' || n > 0xffff) return STATUS_INVALID_IMAGE_FORMAT;
      n = n * 10 + (ULONG)(what[i] - '0');
    }
    return get_procedure(target->e.DllBase, NULL, n, address, depth + 1);
  }
  return get_procedure(target->e.DllBase, what, 0, address, depth + 1);
}

/* Loads every DLL `m` imports and writes its import address table. */
static NTSTATUS bind_imports(MODULE *m, NT_HEADERS *nt, ULONG depth)
{
  PVOID base = m->e.DllBase;
  ULONG size = nt->SizeOfImage;
  DATA_DIR d = nt->Dir[DIR_IMPORT];
  if (d.Size == 0) return STATUS_SUCCESS;
  for (ULONG at = d.VirtualAddress; ; at += sizeof(IMPORT_DESCRIPTOR)) {
    if (!in_image(size, at, sizeof(IMPORT_DESCRIPTOR))) return STATUS_INVALID_IMAGE_FORMAT;
    IMPORT_DESCRIPTOR *imp = (IMPORT_DESCRIPTOR *)((char *)base + at);
    if (imp->Name == 0 && imp->FirstThunk == 0) return STATUS_SUCCESS;
    const char *dllA = image_string(base, size, imp->Name);
    if (dllA == NULL) return STATUS_INVALID_IMAGE_FORMAT;
    WCHAR dll[MAX_NAME], dllName[MAX_NAME];
    ULONG n = 0;
    while (dllA[n] != 0 && n < MAX_NAME) { dll[n] = (WCHAR)(UCHAR)dllA[n]; n++; }
    NTSTATUS st = base_name(dll, n, dllName);
    if (!NT_SUCCESS(st)) return st;
    MODULE *dep;
    st = load(dllName, &dep, depth + 1);
    if (!NT_SUCCESS(st)) return st;
    ULONG lookup = imp->OriginalFirstThunk ? imp->OriginalFirstThunk : imp->FirstThunk;
    for (ULONG i = 0; ; i++) {
      if (!in_image(size, lookup + i * 4, 4) || !in_image(size, imp->FirstThunk + i * 4, 4)) return STATUS_INVALID_IMAGE_FORMAT;
      ULONG thunk = *(ULONG *)((char *)base + lookup + i * 4);
      if (thunk == 0) break;
      PVOID addr;
      if (thunk & 0x80000000) st = get_procedure(dep->e.DllBase, NULL, thunk & 0xffff, &addr, 0);
      else {
        const char *fn = image_string(base, size, thunk + 2); /* IMAGE_IMPORT_BY_NAME: hint, name */
        st = fn == NULL ? STATUS_INVALID_IMAGE_FORMAT : get_procedure(dep->e.DllBase, fn, 0, &addr, 0);
      }
      if (!NT_SUCCESS(st)) return st;
      *(PVOID *)((char *)base + imp->FirstThunk + i * 4) = addr;
    }
  }
}

typedef BOOLEAN (NTAPI *DLL_MAIN)(PVOID, ULONG, PVOID);

/* Finds or maps `name` (a lower-case base name), with its dependencies, initialized. */
static NTSTATUS load(const WCHAR *name, MODULE **out, ULONG depth)
{
  if (depth > 32) return STATUS_INVALID_IMAGE_FORMAT;
  MODULE *m = find_by_name(name);
  if (m != NULL) {
    if (m->e.LoadCount != 0xffff) m->e.LoadCount++;
    *out = m;
    return STATUS_SUCCESS;
  }
  static const WCHAR prefix[] = { '\\', 'K', 'n', 'o', 'w', 'n', 'D', 'l', 'l', 's', '\\' };
  WCHAR path[16 + MAX_NAME];
  ULONG n = 0;
  for (ULONG i = 0; i < sizeof(prefix) / 2; i++) path[n++] = prefix[i];
  for (ULONG i = 0; name[i] != 0; i++) path[n++] = name[i];
  UNICODE_STRING us = { (USHORT)(n * 2), (USHORT)(n * 2), path };
  OBJECT_ATTRIBUTES oa;
  InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, NULL, NULL);
  HANDLE section;
  NTSTATUS st = NtOpenSection(&section, SECTION_QUERY | SECTION_MAP_READ | SECTION_MAP_EXECUTE, &oa);
  if (st == STATUS_OBJECT_NAME_NOT_FOUND || st == STATUS_OBJECT_PATH_NOT_FOUND) return STATUS_DLL_NOT_FOUND;
  if (!NT_SUCCESS(st)) return st;
  PVOID base = NULL;
  SIZE_T viewSize = 0;
  st = NtMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, NULL, &viewSize, 1, 0, PAGE_READONLY);
  NtClose(section);
  if (!NT_SUCCESS(st)) return st;
  BOOLEAN moved = st == STATUS_IMAGE_NOT_AT_BASE;
  NT_HEADERS *nt = check_headers(base, viewSize);
  if (nt == NULL) { NtUnmapViewOfSection(NtCurrentProcess(), base); return STATUS_INVALID_IMAGE_FORMAT; }
  m = add_module(base, nt->SizeOfImage, nt->AddressOfEntryPoint ? (char *)base + nt->AddressOfEntryPoint : NULL, name, 1);
  if (m == NULL) { NtUnmapViewOfSection(NtCurrentProcess(), base); return STATUS_NO_MEMORY; }
  /* Writable while relocations and the import address table are written. */
  st = protect(base, nt->SizeOfImage, PAGE_EXECUTE_READWRITE);
  if (NT_SUCCESS(st) && moved) st = relocate(base, nt);
  if (NT_SUCCESS(st)) st = bind_imports(m, nt, depth);
  if (NT_SUCCESS(st)) {
    restore_protections(base, nt);
    m->e.Flags |= LDRP_ENTRY_PROCESSED;
    if (LdrpInProcessInit) LdrpInitQueue[LdrpInitQueueCount++] = m; /* initialized once everything is bound */
    else if (nt->NumberOfRvaAndSizes > DIR_TLS && nt->Dir[DIR_TLS].Size != 0) st = STATUS_NOT_SUPPORTED; /* TLS of a DLL loaded later: not yet */
    else if (m->e.EntryPoint != NULL) {
      m->e.Flags |= LDRP_PROCESS_ATTACH_CALLED;
      if (!((DLL_MAIN)m->e.EntryPoint)(base, DLL_PROCESS_ATTACH, NULL)) st = STATUS_DLL_INIT_FAILED;
    }
  }
  if (!NT_SUCCESS(st)) {
    drop_module(m);
    NtUnmapViewOfSection(NtCurrentProcess(), base);
    return st;
  }
  list_append(&LdrpData.InInitializationOrderModuleList, &m->e.InInitializationOrderLinks);
  *out = m;
  return STATUS_SUCCESS;
}

/* Drops one load of `m`; the last runs its DLL_PROCESS_DETACH, then drops its imports' loads, then unmaps it. */
static void unload(MODULE *m, ULONG depth)
{
  if (m->e.LoadCount == 0xffff || depth > 32) return;
  if (--m->e.LoadCount != 0) return;
  PVOID base = m->e.DllBase;
  if (m->e.Flags & LDRP_PROCESS_ATTACH_CALLED) ((DLL_MAIN)m->e.EntryPoint)(base, DLL_PROCESS_DETACH, NULL);
  list_remove(&m->e.InInitializationOrderLinks);
  NT_HEADERS *nt = headers_of(base);
  DATA_DIR d = nt->Dir[DIR_IMPORT];
  /* The import directory was checked when the DLL was loaded. */
  for (ULONG at = d.VirtualAddress; d.Size != 0; at += sizeof(IMPORT_DESCRIPTOR)) {
    IMPORT_DESCRIPTOR *imp = (IMPORT_DESCRIPTOR *)((char *)base + at);
    if (imp->Name == 0 && imp->FirstThunk == 0) break;
    const char *dllA = image_string(base, nt->SizeOfImage, imp->Name);
    WCHAR dll[MAX_NAME], dllName[MAX_NAME];
    ULONG n = 0;
    while (dllA != NULL && dllA[n] != 0 && n < MAX_NAME) { dll[n] = (WCHAR)(UCHAR)dllA[n]; n++; }
    MODULE *dep = base_name(dll, n, dllName) == STATUS_SUCCESS ? find_by_name(dllName) : NULL;
    if (dep != NULL) unload(dep, depth + 1);
  }
  drop_module(m);
  NtUnmapViewOfSection(NtCurrentProcess(), base);
}

/* The TLS slot of the image at `base`, or NULL. */
static TLS_SLOT *tls_of(PVOID base)
{
  for (ULONG i = 0; i < LdrpTlsCount; i++) if (LdrpTls[i].m->e.DllBase == base) return &LdrpTls[i];
  return NULL;
}

/* Reads the TLS directory of every image loaded so far: a slot each, its index written to the image. */
static NTSTATUS tls_directories(void)
{
  for (LIST_ENTRY *e = LdrpData.InLoadOrderModuleList.Flink; e != &LdrpData.InLoadOrderModuleList; e = e->Flink) {
    MODULE *m = (MODULE *)e;
    char *base = m->e.DllBase;
    ULONG size = m->e.SizeOfImage;
    NT_HEADERS *nt = headers_of(base);
    if (nt->NumberOfRvaAndSizes <= DIR_TLS || nt->Dir[DIR_TLS].Size == 0) continue;
    DATA_DIR d = nt->Dir[DIR_TLS];
    if (!in_image(size, d.VirtualAddress, sizeof(TLS_DIRECTORY))) return STATUS_INVALID_IMAGE_FORMAT;
    TLS_DIRECTORY *t = (TLS_DIRECTORY *)(base + d.VirtualAddress);
    ULONG start = t->StartAddressOfRawData - (ULONG)base, end = t->EndAddressOfRawData - (ULONG)base;
    ULONG index = t->AddressOfIndex - (ULONG)base, cbs = t->AddressOfCallBacks - (ULONG)base;
    if (end < start || !in_image(size, start, end - start) || !in_image(size, index, 4) || t->SizeOfZeroFill > 0x100000) return STATUS_INVALID_IMAGE_FORMAT;
    TLS_CALLBACK *callbacks = NULL;
    if (t->AddressOfCallBacks != 0) {
      ULONG n = 0;
      do {
        if (n == MAX_TLS_CALLBACKS || !in_image(size, cbs + n * 4, 4)) return STATUS_INVALID_IMAGE_FORMAT;
      } while (*(ULONG *)(base + cbs + 4 * n++) != 0);
      callbacks = (TLS_CALLBACK *)(base + cbs);
    }
    TLS_SLOT *slot = &LdrpTls[LdrpTlsCount];
    slot->m = m;
    slot->start = base + start;
    slot->size = end - start;
    slot->zeroFill = t->SizeOfZeroFill;
    slot->callbacks = callbacks;
    LdrpTlsBytes += (slot->size + slot->zeroFill + 15) & ~15u;
    /* The index lives in the image's data; the page may be read-only after the loader restored protections. */
    PVOID page = base + index;
    SIZE_T len = 4;
    ULONG old;
    NtProtectVirtualMemory(NtCurrentProcess(), &page, &len, PAGE_READWRITE, &old);
    *(ULONG *)(base + index) = LdrpTlsCount;
    page = base + index; len = 4;
    NtProtectVirtualMemory(NtCurrentProcess(), &page, &len, old, &old);
    m->e.TlsIndex = (USHORT)LdrpTlsCount++;
  }
  return STATUS_SUCCESS;
}

/* The calling thread's TLS block: the slot array, then each image's copy of its template. */
static NTSTATUS tls_allocate(void)
{
  if (LdrpTlsCount == 0) return STATUS_SUCCESS;
  PVOID block = NULL;
  SIZE_T size = LdrpTlsCount * sizeof(PVOID) + 16 + LdrpTlsBytes;
  NTSTATUS st = NtAllocateVirtualMemory(NtCurrentProcess(), &block, 0, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  if (!NT_SUCCESS(st)) return st;
  PVOID *slots = block;
  char *at = (char *)block + ((LdrpTlsCount * sizeof(PVOID) + 15) & ~15u);
  for (ULONG i = 0; i < LdrpTlsCount; i++) {
    slots[i] = at;
    RtlCopyMemory(at, LdrpTls[i].start, LdrpTls[i].size); /* the rest of the block is zero already */
    at += (LdrpTls[i].size + LdrpTls[i].zeroFill + 15) & ~15u;
  }
  NtCurrentTeb()->ThreadLocalStoragePointer = block;
  return STATUS_SUCCESS;
}

static void tls_free(void)
{
  PVOID block = NtCurrentTeb()->ThreadLocalStoragePointer;
  SIZE_T size = 0;
  if (block == NULL) return;
  NtCurrentTeb()->ThreadLocalStoragePointer = NULL;
  NtFreeVirtualMemory(NtCurrentProcess(), &block, &size, MEM_RELEASE);
}

/* An image's TLS callbacks, then (a DLL) its DllMain, for `reason`; FALSE when DllMain refused an attach. */
static BOOLEAN call_init(MODULE *m, ULONG reason)
{
  TLS_SLOT *t = tls_of(m->e.DllBase);
  if (t != NULL && t->callbacks != NULL) for (TLS_CALLBACK *cb = t->callbacks; *cb != NULL; cb++) (*cb)(m->e.DllBase, reason, NULL);
  if (m->e.EntryPoint == NULL || m->e.DllBase == LdrpModules[0].e.DllBase) return TRUE; /* the program has no DllMain */
  if (reason == DLL_PROCESS_ATTACH) m->e.Flags |= LDRP_PROCESS_ATTACH_CALLED;
  else if (!(m->e.Flags & LDRP_PROCESS_ATTACH_CALLED)) return TRUE;
  return ((DLL_MAIN)m->e.EntryPoint)(m->e.DllBase, reason, NULL);
}

/*
 * The process's start, on its first thread: the program and ntdll on the
 * list, the program relocated when it is not at its preferred base, its
 * imports loaded and bound, its protections back; then static TLS (an index
 * per image with a TLS directory, this thread's copies) and the
 * initialization: each DLL's TLS callbacks and DllMain(DLL_PROCESS_ATTACH)
 * in dependency order, then the program's TLS callbacks. Any failure ends
 * the process (startup.c).
 */
NTSTATUS LdrpInitializeProcess(void)
{
  PPEB peb = NtCurrentPeb();
  RtlNormalizeProcessParams(peb->ProcessParameters);
  LdrpInitialize();
  PVOID base = peb->ImageBaseAddress;
  MEMORY_BASIC_INFORMATION mbi;
  NTSTATUS st = NtQueryVirtualMemory(NtCurrentProcess(), base, 0, &mbi, sizeof(mbi), NULL);
  if (!NT_SUCCESS(st)) return st;
  /* The view's size: the image region from its allocation base. */
  SIZE_T viewSize = 0;
  for (char *at = base; ; at += mbi.RegionSize) {
    if (!NT_SUCCESS(NtQueryVirtualMemory(NtCurrentProcess(), at, 0, &mbi, sizeof(mbi), NULL)) || mbi.AllocationBase != base) break;
    viewSize += mbi.RegionSize;
  }
  NT_HEADERS *nt = check_image_headers(base, viewSize, FALSE);
  if (nt == NULL) return STATUS_INVALID_IMAGE_FORMAT;
  MODULE *m = find_by_base(base);
  st = protect(base, nt->SizeOfImage, PAGE_EXECUTE_READWRITE);
  if (NT_SUCCESS(st) && (ULONG)base != nt->ImageBase) st = relocate(base, nt);
  LdrpInProcessInit = TRUE;
  if (NT_SUCCESS(st)) st = bind_imports(m, nt, 0);
  LdrpInProcessInit = FALSE;
  restore_protections(base, nt);
  if (NT_SUCCESS(st)) st = tls_directories();
  if (NT_SUCCESS(st)) st = tls_allocate();
  for (ULONG i = 0; i < LdrpInitQueueCount && NT_SUCCESS(st); i++) if (!call_init(LdrpInitQueue[i], DLL_PROCESS_ATTACH)) st = STATUS_DLL_INIT_FAILED;
  if (NT_SUCCESS(st)) call_init(m, DLL_PROCESS_ATTACH);
  return st;
}

/* A new thread (not the first): its TLS, then DLL_THREAD_ATTACH in initialization order, the program's TLS callbacks last. */
NTSTATUS LdrpInitializeThread(void)
{
  NTSTATUS st = tls_allocate();
  if (!NT_SUCCESS(st)) return st;
  for (LIST_ENTRY *e = LdrpData.InInitializationOrderModuleList.Flink; e != &LdrpData.InInitializationOrderModuleList; e = e->Flink)
    call_init(CONTAINING_MODULE(e), DLL_THREAD_ATTACH);
  if (LdrpData.Initialized) call_init(&LdrpModules[0], DLL_THREAD_ATTACH);
  return STATUS_SUCCESS;
}

/* A thread leaving by RtlExitUserThread: DLL_THREAD_DETACH (the program's TLS callbacks first, then the DLLs in reverse), its TLS freed. */
VOID NTAPI LdrShutdownThread(void)
{
  if (LdrpData.Initialized) call_init(&LdrpModules[0], DLL_THREAD_DETACH);
  for (LIST_ENTRY *e = LdrpData.InInitializationOrderModuleList.Blink; e != &LdrpData.InInitializationOrderModuleList; e = e->Blink)
    call_init(CONTAINING_MODULE(e), DLL_THREAD_DETACH);
  tls_free();
}

static NTSTATUS name_of(PUNICODE_STRING DllName, WCHAR *out)
{
  if (DllName == NULL || DllName->Buffer == NULL || (DllName->Length & 1)) return STATUS_INVALID_PARAMETER;
  return base_name(DllName->Buffer, DllName->Length / 2, out);
}

NTSTATUS NTAPI LdrLoadDll(PWSTR SearchPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *BaseAddress)
{
  (void)SearchPath; (void)DllCharacteristics; /* \KnownDlls is the only source without an I/O manager */
  WCHAR name[MAX_NAME];
  LdrpInitialize();
  NTSTATUS st = name_of(DllName, name);
  if (!NT_SUCCESS(st)) return st;
  MODULE *m;
  st = load(name, &m, 0);
  if (NT_SUCCESS(st)) *BaseAddress = m->e.DllBase;
  return st;
}

NTSTATUS NTAPI LdrGetDllHandle(PWSTR SearchPath, PULONG DllCharacteristics, PUNICODE_STRING DllName, PVOID *BaseAddress)
{
  (void)SearchPath; (void)DllCharacteristics;
  WCHAR name[MAX_NAME];
  LdrpInitialize();
  NTSTATUS st = name_of(DllName, name);
  if (!NT_SUCCESS(st)) return st;
  MODULE *m = find_by_name(name);
  if (m == NULL) return STATUS_DLL_NOT_FOUND;
  *BaseAddress = m->e.DllBase;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI LdrGetProcedureAddress(PVOID BaseAddress, PANSI_STRING Name, ULONG Ordinal, PVOID *ProcedureAddress)
{
  LdrpInitialize();
  char buf[256];
  const char *name = NULL;
  if (Name != NULL) {
    if (Name->Buffer == NULL || Name->Length >= sizeof(buf)) return STATUS_INVALID_PARAMETER;
    for (USHORT i = 0; i < Name->Length; i++) buf[i] = Name->Buffer[i];
    buf[Name->Length] = 0;
    name = buf;
  }
  return get_procedure(BaseAddress, name, Ordinal, ProcedureAddress, 0);
}

NTSTATUS NTAPI LdrUnloadDll(PVOID BaseAddress)
{
  LdrpInitialize();
  MODULE *m = find_by_base(BaseAddress);
  if (m == NULL) return STATUS_DLL_NOT_FOUND;
  unload(m, 0);
  return STATUS_SUCCESS;
}
