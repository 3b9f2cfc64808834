/*
 * Time conversion. NT time is a count of 100 ns intervals since
 * 1601-01-01 00:00:00 UTC (the start of a 400-year Gregorian cycle, so the
 * calendar arithmetic below needs no offset); TIME_FIELDS is its calendar
 * form, Weekday 0 = Sunday (1601-01-01 was a Monday).
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#define TICKS_PER_SECOND 10000000u
#define TICKS_PER_MS 10000u
#define SECONDS_PER_DAY 86400u
#define DAYS_1601_TO_1970 134774u
#define DAYS_1601_TO_1980 138426u

static const UCHAR month_days[2][12] = {
  { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
  { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
};

static int is_leap(ULONG y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* *n /= d, answering the remainder: 64-by-32 division with two divl steps
 * (ntdll links no compiler division helpers). */
static ULONG div64(ULONGLONG *n, ULONG d)
{
  ULONG hi = (ULONG)(*n >> 32), lo = (ULONG)*n, qhi = hi / d, r = hi % d, qlo, rem;
  __asm__("divl %4" : "=a"(qlo), "=d"(rem) : "a"(lo), "d"(r), "rm"(d));
  *n = ((ULONGLONG)qhi << 32) | qlo;
  return rem;
}

VOID NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
  ULONGLONG t = (ULONGLONG)Time->QuadPart;
  div64(&t, TICKS_PER_MS); /* the sub-millisecond ticks are dropped */
  ULONG millis = div64(&t, 1000);
  ULONG secs_of_day = div64(&t, SECONDS_PER_DAY);
  ULONG days = (ULONG)t;
  TimeFields->Milliseconds = (CSHORT)millis;
  TimeFields->Second = (CSHORT)(secs_of_day % 60);
  TimeFields->Minute = (CSHORT)(secs_of_day / 60 % 60);
  TimeFields->Hour = (CSHORT)(secs_of_day / 3600);
  TimeFields->Weekday = (CSHORT)((days + 1) % 7);
  /* 400-, 100-, 4- and 1-year blocks; the last block of each size is one
   * day longer (a leap day), hence the caps at 3. */
  ULONG q400 = days / 146097, d = days % 146097;
  ULONG q100 = d / 36524;
  if (q100 == 4) q100 = 3;
  d -= q100 * 36524;
  ULONG q4 = d / 1461;
  d -= q4 * 1461;
  ULONG q1 = d / 365;
  if (q1 == 4) q1 = 3;
  d -= q1 * 365;
  ULONG year = 1601 + q400 * 400 + q100 * 100 + q4 * 4 + q1;
  const UCHAR *md = month_days[is_leap(year)];
  ULONG month = 0;
  while (d >= md[month]) d -= md[month++];
  TimeFields->Year = (CSHORT)year;
  TimeFields->Month = (CSHORT)(month + 1);
  TimeFields->Day = (CSHORT)(d + 1);
}

/* FALSE for a field out of range (Weekday is ignored). */
BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
  const TIME_FIELDS *f = TimeFields;
  if (f->Year < 1601 || f->Month < 1 || f->Month > 12 || f->Day < 1 || f->Hour < 0 || f->Hour > 23 || f->Minute < 0 ||
      f->Minute > 59 || f->Second < 0 || f->Second > 59 || f->Milliseconds < 0 || f->Milliseconds > 999)
    return FALSE;
  ULONG year = (ULONG)f->Year;
  const UCHAR *md = month_days[is_leap(year)];
  if ((ULONG)f->Day > md[f->Month - 1]) return FALSE;
  ULONG y = year - 1601, days = y * 365 + y / 4 - y / 100 + y / 400;
  for (int m = 0; m < f->Month - 1; m++) days += md[m];
  days += (ULONG)f->Day - 1;
  ULONGLONG secs = (ULONGLONG)days * SECONDS_PER_DAY + (ULONG)f->Hour * 3600u + (ULONG)f->Minute * 60u + (ULONG)f->Second;
  Time->QuadPart = (LONGLONG)(secs * TICKS_PER_SECOND + (ULONG)f->Milliseconds * TICKS_PER_MS);
  return TRUE;
}

static BOOLEAN to_seconds_since(PLARGE_INTEGER Time, ULONG epoch_days, PULONG Seconds)
{
  ULONGLONG t = (ULONGLONG)Time->QuadPart;
  if (Time->QuadPart < 0) return FALSE;
  div64(&t, TICKS_PER_SECOND);
  ULONGLONG base = (ULONGLONG)epoch_days * SECONDS_PER_DAY;
  if (t < base || t - base > 0xFFFFFFFFull) return FALSE;
  *Seconds = (ULONG)(t - base);
  return TRUE;
}

BOOLEAN NTAPI RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds)
{
  return to_seconds_since(Time, DAYS_1601_TO_1970, ElapsedSeconds);
}

BOOLEAN NTAPI RtlTimeToSecondsSince1980(PLARGE_INTEGER Time, PULONG ElapsedSeconds)
{
  return to_seconds_since(Time, DAYS_1601_TO_1980, ElapsedSeconds);
}

VOID NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time)
{
  Time->QuadPart = (LONGLONG)(((ULONGLONG)DAYS_1601_TO_1970 * SECONDS_PER_DAY + ElapsedSeconds) * TICKS_PER_SECOND);
}

VOID NTAPI RtlSecondsSince1980ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time)
{
  Time->QuadPart = (LONGLONG)(((ULONGLONG)DAYS_1601_TO_1980 * SECONDS_PER_DAY + ElapsedSeconds) * TICKS_PER_SECOND);
}
