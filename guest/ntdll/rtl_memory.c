/*
 * Rtl memory block functions (exported by the real x86 ntdll as functions,
 * not only macros). Thin stdcall wrappers over the C functions in
 * crt_exports.c so both share one implementation.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

void *__cdecl memcpy(void *, const void *, size_t);
void *__cdecl memmove(void *, const void *, size_t);
void *__cdecl memset(void *, int, size_t);

VOID NTAPI RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill)
{
  memset(Destination, Fill, Length);
}

VOID NTAPI RtlZeroMemory(PVOID Destination, SIZE_T Length)
{
  memset(Destination, 0, Length);
}

/* RtlCopyMemory has memmove semantics in ntdll (it is the same export as
 * RtlMoveMemory on x86); keep it overlap-safe. */
VOID NTAPI RtlCopyMemory(PVOID Destination, const VOID *Source, SIZE_T Length)
{
  memmove(Destination, Source, Length);
}

VOID NTAPI RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length)
{
  memmove(Destination, Source, Length);
}

/* Returns how many leading bytes are equal (not a sign like memcmp). */
SIZE_T NTAPI RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
  const UCHAR *a = Source1, *b = Source2;
  SIZE_T i = 0;
  while (i < Length && a[i] == b[i])
    i++;
  return i;
}
