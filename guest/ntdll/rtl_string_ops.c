/*
 * Counted-string operations that build strings: appending, upcasing, and
 * integer <-> UNICODE_STRING conversion. Lengths are bytes; a result is
 * NUL-terminated only when MaximumLength leaves room (as on NT). Allocating
 * forms take their buffer from the process heap (free it with
 * RtlFreeUnicodeString).
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

size_t __cdecl wcslen(const WCHAR *);

static void terminate(PUNICODE_STRING s)
{
  if (s->Length + sizeof(WCHAR) <= s->MaximumLength) s->Buffer[s->Length / sizeof(WCHAR)] = 0;
}

static NTSTATUS append(PUNICODE_STRING Destination, const WCHAR *src, ULONG bytes)
{
  if (bytes == 0) return STATUS_SUCCESS;
  if ((ULONG)Destination->Length + bytes > Destination->MaximumLength) return STATUS_BUFFER_TOO_SMALL;
  RtlMoveMemory((PCHAR)Destination->Buffer + Destination->Length, src, bytes);
  Destination->Length = (USHORT)(Destination->Length + bytes);
  terminate(Destination);
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
  return Source ? append(Destination, Source, (ULONG)(wcslen(Source) * sizeof(WCHAR))) : STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
  return append(Destination, Source->Buffer, Source->Length);
}

NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING Destination, PCUNICODE_STRING Source, BOOLEAN AllocateDestinationString)
{
  ULONG n = Source->Length / sizeof(WCHAR);
  if (AllocateDestinationString) {
    Destination->Buffer = RtlAllocateHeap(RtlProcessHeap(), 0, Source->Length + sizeof(WCHAR));
    if (Destination->Buffer == NULL) return STATUS_NO_MEMORY;
    Destination->MaximumLength = (USHORT)(Source->Length + sizeof(WCHAR));
  } else if (Destination->MaximumLength < Source->Length) {
    return STATUS_BUFFER_OVERFLOW;
  }
  for (ULONG i = 0; i < n; i++) Destination->Buffer[i] = RtlUpcaseUnicodeChar(Source->Buffer[i]);
  Destination->Length = (USHORT)(n * sizeof(WCHAR));
  terminate(Destination);
  return STATUS_SUCCESS;
}

/* Base 0 means 10; NT accepts 2, 8, 10 and 16. Digits are upper case. */
NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
  WCHAR digits[33];
  ULONG n = 0;
  if (Base == 0) Base = 10;
  if (Base != 2 && Base != 8 && Base != 10 && Base != 16) return STATUS_INVALID_PARAMETER;
  do {
    digits[n++] = (WCHAR)"0123456789ABCDEF"[Value % Base];
    Value /= Base;
  } while (Value != 0);
  if (n * sizeof(WCHAR) > String->MaximumLength) return STATUS_BUFFER_OVERFLOW;
  for (ULONG i = 0; i < n; i++) String->Buffer[i] = digits[n - 1 - i];
  String->Length = (USHORT)(n * sizeof(WCHAR));
  terminate(String);
  return STATUS_SUCCESS;
}

/* Leading blanks, an optional sign, then (Base 0 only) a 0x / 0o / 0b
 * prefix choosing 16 / 8 / 2 (else 10); digits up to the first that is not
 * one of Base's. No digits gives 0. A minus negates (two's complement, as
 * NT: "-1" is 0xFFFFFFFF). Overflow wraps. */
NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
  ULONG i = 0, n = String->Length / sizeof(WCHAR), v = 0;
  const WCHAR *s = String->Buffer;
  BOOLEAN negative = FALSE;
  if (Base != 0 && Base != 2 && Base != 8 && Base != 10 && Base != 16) return STATUS_INVALID_PARAMETER;
  if (Value == NULL) return STATUS_ACCESS_VIOLATION;
  while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
  if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (Base == 0) {
    Base = 10;
    if (i + 1 < n && s[i] == '0') {
      WCHAR p = s[i + 1];
      if (p == 'x' || p == 'X') Base = 16;
      else if (p == 'o' || p == 'O') Base = 8;
      else if (p == 'b' || p == 'B') Base = 2;
      if (Base != 10) i += 2;
    }
  }
  for (; i < n; i++) {
    WCHAR c = s[i];
    ULONG d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else break;
    if (d >= Base) break;
    v = v * Base + d;
  }
  *Value = negative ? 0u - v : v;
  return STATUS_SUCCESS;
}
