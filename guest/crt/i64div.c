/*
 * 64-bit division for a 32-bit CPU, built on the 64/32 `div` instruction:
 * one or two divs when the divisor fits in 32 bits, otherwise a
 * normalised estimate from one div corrected by at most one step (the
 * quotient then fits in 32 bits). Both the MSVC helpers (__aulldiv...) and
 * the Linux ones (__udivdi3...) are thin wrappers over these.
 */
#include "crt_internal.h"

/* (hi:lo) / d with hi < d, so the quotient fits: one divl. */
static inline uint32_t div64_32(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *r)
{
  uint32_t q, rem;
  __asm__("divl %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), "rm"(d));
  *r = rem;
  return q;
}

uint64_t __crt_udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
  uint32_t nh = (uint32_t)(n >> 32), nl = (uint32_t)n;
  uint32_t dh = (uint32_t)(d >> 32), dl = (uint32_t)d;
  uint64_t q;
  if (dh == 0) {
    uint32_t r;
    if (dl == 0) {
      /* Division by zero: raise #DE like the hardware divide would. */
      volatile uint32_t zero = 0;
      return nl / zero;
    }
    if (nh < dl) {
      q = div64_32(nh, nl, dl, &r);
    } else {
      uint32_t qh = div64_32(0, nh, dl, &r);
      uint32_t ql = div64_32(r, nl, dl, &r);
      q = ((uint64_t)qh << 32) | ql;
    }
    if (rem)
      *rem = r;
    return q;
  }
  /* d >= 2^32: normalise so the top word of d has its high bit set, estimate
   * from n/2 (keeps the single divl from overflowing), then fix up. */
  int s = __builtin_clz(dh);
  uint32_t v1 = (uint32_t)((d << s) >> 32);
  uint64_t n1 = n >> 1;
  uint32_t r;
  uint32_t q1 = div64_32((uint32_t)(n1 >> 32), (uint32_t)n1, v1, &r);
  uint64_t q0 = ((uint64_t)q1 << s) >> 31;
  if (q0 != 0)
    q0--;
  uint64_t left = n - q0 * d;
  if (left >= d) {
    q0++;
    left -= d;
  }
  if (rem)
    *rem = left;
  return q0;
}

int64_t __crt_sdivmod64(int64_t n, int64_t d, int64_t *rem)
{
  uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
  uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
  uint64_t ur;
  uint64_t uq = __crt_udivmod64(un, ud, &ur);
  /* C truncates toward zero: the remainder takes the dividend's sign. */
  if (rem)
    *rem = n < 0 ? -(int64_t)ur : (int64_t)ur;
  return (n < 0) != (d < 0) ? -(int64_t)uq : (int64_t)uq;
}
