/*
 * Bitmaps: RTL_BITMAP over a caller's ULONG array, bit i is bit (i & 31)
 * of Buffer[i >> 5]. Ranges outside SizeOfBitMap are refused: the
 * Are* tests answer FALSE, the Find* searches 0xFFFFFFFF, and Set/Clear
 * clip to the map (NT leaves them to the caller; clipping never writes
 * past the buffer). A search starts at HintIndex (0 when it is past the
 * end) and wraps to the start once; a zero-length request answers the hint.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define NOT_FOUND 0xFFFFFFFFu

VOID NTAPI RtlInitializeBitMap(PRTL_BITMAP BitMapHeader, PULONG BitMapBuffer, ULONG SizeOfBitMap)
{
  BitMapHeader->SizeOfBitMap = SizeOfBitMap;
  BitMapHeader->Buffer = BitMapBuffer;
}

static BOOLEAN test_bit(PRTL_BITMAP bm, ULONG i) { return (bm->Buffer[i >> 5] >> (i & 31)) & 1; }

BOOLEAN NTAPI RtlTestBit(PRTL_BITMAP BitMapHeader, ULONG BitNumber)
{
  return BitNumber < BitMapHeader->SizeOfBitMap && test_bit(BitMapHeader, BitNumber);
}

/* Sets (value 1) or clears [start, start + count) clipped to the map,
 * a word at a time in the middle. */
static void fill_range(PRTL_BITMAP bm, ULONG start, ULONG count, BOOLEAN value)
{
  if (start >= bm->SizeOfBitMap) return;
  if (count > bm->SizeOfBitMap - start) count = bm->SizeOfBitMap - start;
  ULONG end = start + count;
  while (start < end) {
    ULONG bit = start & 31, n = 32 - bit;
    if (n > end - start) n = end - start;
    ULONG mask = (n == 32 ? ~0u : ((1u << n) - 1)) << bit;
    if (value) bm->Buffer[start >> 5] |= mask;
    else bm->Buffer[start >> 5] &= ~mask;
    start += n;
  }
}

VOID NTAPI RtlSetBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToSet)
{
  fill_range(BitMapHeader, StartingIndex, NumberToSet, TRUE);
}

VOID NTAPI RtlClearBits(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG NumberToClear)
{
  fill_range(BitMapHeader, StartingIndex, NumberToClear, FALSE);
}

VOID NTAPI RtlSetAllBits(PRTL_BITMAP BitMapHeader)
{
  fill_range(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, TRUE);
}

VOID NTAPI RtlClearAllBits(PRTL_BITMAP BitMapHeader)
{
  fill_range(BitMapHeader, 0, BitMapHeader->SizeOfBitMap, FALSE);
}

static BOOLEAN range_is(PRTL_BITMAP bm, ULONG start, ULONG length, BOOLEAN value)
{
  if (start >= bm->SizeOfBitMap || length > bm->SizeOfBitMap - start) return FALSE;
  for (ULONG i = start; i < start + length; i++)
    if (test_bit(bm, i) != value) return FALSE;
  return TRUE;
}

BOOLEAN NTAPI RtlAreBitsSet(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
  return range_is(BitMapHeader, StartingIndex, Length, TRUE);
}

BOOLEAN NTAPI RtlAreBitsClear(PRTL_BITMAP BitMapHeader, ULONG StartingIndex, ULONG Length)
{
  return range_is(BitMapHeader, StartingIndex, Length, FALSE);
}

/* First run of n bits equal to value in [from, to), or NOT_FOUND. */
static ULONG find_run(PRTL_BITMAP bm, ULONG n, ULONG from, ULONG to, BOOLEAN value)
{
  ULONG run = 0;
  for (ULONG i = from; i < to; i++) {
    run = test_bit(bm, i) == value ? run + 1 : 0;
    if (run == n) return i + 1 - n;
  }
  return NOT_FOUND;
}

static ULONG find(PRTL_BITMAP bm, ULONG n, ULONG hint, BOOLEAN value)
{
  ULONG size = bm->SizeOfBitMap;
  if (hint >= size) hint = 0;
  if (n == 0) return hint;
  if (n > size) return NOT_FOUND;
  ULONG at = find_run(bm, n, hint, size, value);
  if (at == NOT_FOUND && hint != 0) {
    ULONG to = hint + n - 1; /* a run may straddle the hint */
    at = find_run(bm, n, 0, to < size ? to : size, value);
  }
  return at;
}

ULONG NTAPI RtlFindClearBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
  return find(BitMapHeader, NumberToFind, HintIndex, FALSE);
}

ULONG NTAPI RtlFindSetBits(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
  return find(BitMapHeader, NumberToFind, HintIndex, TRUE);
}

ULONG NTAPI RtlFindClearBitsAndSet(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
  ULONG at = find(BitMapHeader, NumberToFind, HintIndex, FALSE);
  if (at != NOT_FOUND) fill_range(BitMapHeader, at, NumberToFind, TRUE);
  return at;
}

ULONG NTAPI RtlFindSetBitsAndClear(PRTL_BITMAP BitMapHeader, ULONG NumberToFind, ULONG HintIndex)
{
  ULONG at = find(BitMapHeader, NumberToFind, HintIndex, TRUE);
  if (at != NOT_FOUND) fill_range(BitMapHeader, at, NumberToFind, FALSE);
  return at;
}

ULONG NTAPI RtlNumberOfSetBits(PRTL_BITMAP BitMapHeader)
{
  ULONG size = BitMapHeader->SizeOfBitMap, count = 0, i;
  for (i = 0; i + 32 <= size; i += 32) count += (ULONG)__builtin_popcount(BitMapHeader->Buffer[i >> 5]);
  if (i < size) count += (ULONG)__builtin_popcount(BitMapHeader->Buffer[i >> 5] & ((1u << (size - i)) - 1));
  return count;
}

ULONG NTAPI RtlNumberOfClearBits(PRTL_BITMAP BitMapHeader)
{
  return BitMapHeader->SizeOfBitMap - RtlNumberOfSetBits(BitMapHeader);
}
