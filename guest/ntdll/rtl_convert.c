/*
 * ANSI <-> Unicode conversion of counted strings.
 *
 * neptune's ANSI code page is ISO-8859-1: each byte is the code point of the
 * same value, so conversion is a widening/narrowing copy; a UTF-16 unit above
 * 0xFF has no ANSI form and becomes '?' (NT's default character). With
 * AllocateDestinationString the buffer comes from the process heap and is
 * released by RtlFree*String.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

static PVOID allocate(SIZE_T bytes)
{
  return RtlAllocateHeap(RtlProcessHeap(), 0, bytes);
}

static VOID release(PVOID base)
{
  if (base)
    RtlFreeHeap(RtlProcessHeap(), 0, base);
}

NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING Destination, PCANSI_STRING Source, BOOLEAN AllocateDestinationString)
{
  ULONG n = Source->Length;
  ULONG bytes = n * sizeof(WCHAR);
  if (bytes + sizeof(WCHAR) > 0xFFFF)
    return STATUS_INVALID_PARAMETER_2;
  if (AllocateDestinationString) {
    Destination->Buffer = allocate(bytes + sizeof(WCHAR));
    if (!Destination->Buffer)
      return STATUS_NO_MEMORY;
    Destination->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
  } else if (bytes > Destination->MaximumLength) {
    return STATUS_BUFFER_OVERFLOW;
  }
  const UCHAR *s = (const UCHAR *)Source->Buffer;
  for (ULONG i = 0; i < n; i++)
    Destination->Buffer[i] = s[i];
  Destination->Length = (USHORT)bytes;
  if (bytes + sizeof(WCHAR) <= Destination->MaximumLength)
    Destination->Buffer[n] = 0;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING Destination, PCUNICODE_STRING Source, BOOLEAN AllocateDestinationString)
{
  ULONG n = Source->Length / sizeof(WCHAR);
  if (n + 1 > 0xFFFF)
    return STATUS_INVALID_PARAMETER_2;
  if (AllocateDestinationString) {
    Destination->Buffer = allocate(n + 1);
    if (!Destination->Buffer)
      return STATUS_NO_MEMORY;
    Destination->MaximumLength = (USHORT)(n + 1);
  } else if (n > Destination->MaximumLength) {
    return STATUS_BUFFER_OVERFLOW;
  }
  for (ULONG i = 0; i < n; i++) {
    WCHAR c = Source->Buffer[i];
    Destination->Buffer[i] = c > 0xFF ? '?' : (CHAR)c;
  }
  Destination->Length = (USHORT)n;
  if (n + 1 <= Destination->MaximumLength)
    Destination->Buffer[n] = 0;
  return STATUS_SUCCESS;
}

VOID NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
  release(UnicodeString->Buffer);
  UnicodeString->Buffer = NULL;
  UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
  release(AnsiString->Buffer);
  AnsiString->Buffer = NULL;
  AnsiString->Length = AnsiString->MaximumLength = 0;
}
