/*
 * Counted strings: initialising, copying and comparing UNICODE_STRING and
 * ANSI_STRING. Lengths are in bytes and Buffers need not be NUL-terminated,
 * so nothing here scans past Length.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

void *__cdecl memmove(void *, const void *, size_t);
size_t __cdecl strlen(const char *);
size_t __cdecl wcslen(const WCHAR *);

/* The USHORT length fields cap a string at 0xFFFC bytes of UTF-16 (keeping
 * room for the terminator in MaximumLength). */
#define MAX_USTR_BYTES 0xFFFC
#define MAX_ASTR_BYTES 0xFFFE

VOID NTAPI RtlInitUnicodeString(PUNICODE_STRING Destination, PCWSTR Source)
{
  SIZE_T bytes = 0;
  if (Source) {
    bytes = wcslen(Source) * sizeof(WCHAR);
    if (bytes > MAX_USTR_BYTES)
      bytes = MAX_USTR_BYTES;
    Destination->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
  } else {
    Destination->MaximumLength = 0;
  }
  Destination->Length = (USHORT)bytes;
  Destination->Buffer = (PWSTR)Source;
}

VOID NTAPI RtlInitString(PSTRING Destination, PCSZ Source)
{
  SIZE_T bytes = 0;
  if (Source) {
    bytes = strlen(Source);
    if (bytes > MAX_ASTR_BYTES)
      bytes = MAX_ASTR_BYTES;
    Destination->MaximumLength = (USHORT)(bytes + 1);
  } else {
    Destination->MaximumLength = 0;
  }
  Destination->Length = (USHORT)bytes;
  Destination->Buffer = (PCHAR)Source;
}

VOID NTAPI RtlInitAnsiString(PANSI_STRING Destination, PCSZ Source)
{
  RtlInitString(Destination, Source);
}

/* Copies as much as fits and NUL-terminates when there is room, as NT does;
 * a NULL Source gives an empty Destination. */
VOID NTAPI RtlCopyUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
  if (!Source) {
    Destination->Length = 0;
    return;
  }
  USHORT n = Source->Length < Destination->MaximumLength ? Source->Length : Destination->MaximumLength;
  n &= ~1u;
  memmove(Destination->Buffer, Source->Buffer, n);
  Destination->Length = n;
  if (n + sizeof(WCHAR) <= Destination->MaximumLength)
    Destination->Buffer[n / sizeof(WCHAR)] = 0;
}

/* Sign of the first differing character (upcased first when asked), then of
 * the length difference. */
LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
  ULONG n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
  ULONG n = n1 < n2 ? n1 : n2;
  const WCHAR *a = String1->Buffer, *b = String2->Buffer;
  for (ULONG i = 0; i < n; i++) {
    WCHAR c1 = a[i], c2 = b[i];
    if (c1 != c2 && CaseInSensitive) {
      c1 = RtlUpcaseUnicodeChar(c1);
      c2 = RtlUpcaseUnicodeChar(c2);
    }
    if (c1 != c2)
      return (LONG)c1 - (LONG)c2;
  }
  return (LONG)n1 - (LONG)n2;
}

BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
  if (String1->Length != String2->Length)
    return FALSE;
  return RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}
