/*
 * The CRT's platform layer on NT: console writes through NtDisplayString,
 * exit through NtTerminateProcess (malloc: heap.c).
 */
#include <nt.h>
#include "../crt_internal.h"

/* NtDisplayString takes at most 32 KiB of UTF-16 per call. */
#define MAX_UNITS (32768 / sizeof(WCHAR))
static WCHAR wide[MAX_UNITS];

/* An incomplete UTF-8 sequence at the end of a write waits here for the
 * rest (stdout may flush in the middle of a character when its buffer
 * fills). One per stream. */
static unsigned char pending[3][4];
static int npending[3];

static void display(const WCHAR *s, size_t units)
{
  UNICODE_STRING us;
  us.Buffer = (PWSTR)s;
  us.Length = (USHORT)(units * sizeof(WCHAR));
  us.MaximumLength = us.Length;
  NtDisplayString(&us);
}

/* Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
static int seq_len(unsigned char c)
{
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

void __crt_sys_write(int fd, const char *s, size_t n)
{
  int f = fd == 2 ? 2 : 1;
  size_t units = 0;
  unsigned char seq[4];
  int have = npending[f];
  for (int i = 0; i < have; i++)
    seq[i] = pending[f][i];
  npending[f] = 0;
  size_t i = 0;
  while (i < n || have) {
    uint32_t cp;
    if (!have && (unsigned char)s[i] < 0x80) {
      cp = (unsigned char)s[i++];
    } else {
      if (!have)
        seq[have++] = (unsigned char)s[i++];
      int want = seq_len(seq[0]);
      if (!want) {
        cp = 0xFFFD; /* stray continuation or invalid lead byte */
        have = 0;
      } else {
        while (have < want && i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
          seq[have++] = (unsigned char)s[i++];
        if (have < want && i == n) {
          /* Out of input mid-sequence: keep it for the next write. */
          for (int k = 0; k < have; k++)
            pending[f][k] = seq[k];
          npending[f] = have;
          break;
        }
        if (have < want) {
          cp = 0xFFFD; /* truncated by a non-continuation byte */
        } else if (want == 2) {
          cp = ((seq[0] & 0x1Fu) << 6) | (seq[1] & 0x3Fu);
        } else if (want == 3) {
          cp = ((seq[0] & 0x0Fu) << 12) | ((seq[1] & 0x3Fu) << 6) | (seq[2] & 0x3Fu);
          if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD; /* overlong or a surrogate */
        } else {
          cp = ((seq[0] & 0x07u) << 18) | ((seq[1] & 0x3Fu) << 12) | ((seq[2] & 0x3Fu) << 6) | (seq[3] & 0x3Fu);
          if (cp < 0x10000 || cp > 0x10FFFF)
            cp = 0xFFFD;
        }
        have = 0;
      }
    }
    if (units + 2 > MAX_UNITS) {
      display(wide, units);
      units = 0;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      wide[units++] = (WCHAR)(0xD800 + (cp >> 10));
      wide[units++] = (WCHAR)(0xDC00 + (cp & 0x3FF));
    } else {
      wide[units++] = (WCHAR)cp;
    }
  }
  if (units)
    display(wide, units);
}

void __crt_sys_exit(int status)
{
  NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)status);
  for (;;)
    __asm__ volatile("ud2"); /* terminate does not return */
}
