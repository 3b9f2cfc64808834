/*
 * <math.h> basics. sqrt uses the SSE2 instruction (correctly rounded by
 * IEEE); floor/ceil/trunc/round work on the bits (pentium4 has no roundsd);
 * fmod is exact by shift-and-subtract on the significands, as IEEE requires.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

static uint64_t bits_of(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

double sqrt(double x)
{
  double r;
  __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
  return r;
}

float sqrtf(float x)
{
  float r;
  __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
  return r;
}

double fabs(double x) { return from_bits(bits_of(x) & ~(1ull << 63)); }

/* Toward zero: clear the fraction bits below the binary point. */
double trunc(double x)
{
  uint64_t u = bits_of(x);
  int e = (int)((u >> 52) & 0x7FF) - 1023;
  if (e >= 52)
    return x; /* integral already (or inf/nan) */
  if (e < 0)
    return from_bits(u & (1ull << 63)); /* |x| < 1: signed zero */
  return from_bits(u & ~((1ull << (52 - e)) - 1));
}

double floor(double x)
{
  double t = trunc(x);
  return (x < 0 && t != x) ? t - 1.0 : t;
}

double ceil(double x)
{
  double t = trunc(x);
  return (x > 0 && t != x) ? t + 1.0 : t;
}

/* Half away from zero, as C's round. */
double round(double x)
{
  double t = trunc(x);
  double f = x - t; /* exact */
  if (f >= 0.5)
    return t + 1.0;
  if (f <= -0.5)
    return t - 1.0;
  return t;
}

double ldexp(double x, int e)
{
  /* Scale in steps that stay representable; only the last may round. */
  while (e > 1000) { x *= 0x1p1000; e -= 1000; }
  while (e < -1000) { x *= 0x1p-1000; e += 1000; }
  int h = e / 2;
  return x * from_bits((uint64_t)(1023 + h) << 52) * from_bits((uint64_t)(1023 + e - h) << 52);
}

double frexp(double x, int *e)
{
  uint64_t u = bits_of(x);
  int be = (int)((u >> 52) & 0x7FF);
  if (be == 0x7FF || x == 0) {
    *e = 0;
    return x;
  }
  if (be == 0) { /* subnormal: normalise first */
    x *= 0x1p64;
    u = bits_of(x);
    be = (int)((u >> 52) & 0x7FF) - 64;
  }
  *e = be - 1022;
  return from_bits((u & ~(0x7FFull << 52)) | (1022ull << 52));
}

/* Significand as an integer m and exponent e with |x| = m * 2^e. */
static void split(uint64_t u, uint64_t *m, int *e)
{
  int be = (int)((u >> 52) & 0x7FF);
  *m = u & ((1ull << 52) - 1);
  if (be) {
    *m |= 1ull << 52;
    *e = be - 1075;
  } else {
    *e = -1074;
  }
}

double fmod(double x, double y)
{
  uint64_t ux = bits_of(x), uy = bits_of(y);
  uint64_t ax = ux & ~(1ull << 63), ay = uy & ~(1ull << 63);
  if (ax >= 0x7FFull << 52 || ay > 0x7FFull << 52 || ay == 0)
    return (x * y) / (x * y); /* nan for inf x, nan operands, y == 0 */
  if (ax < ay)
    return x;
  uint64_t mx, my;
  int ex, ey;
  split(ax, &mx, &ex);
  split(ay, &my, &ey);
  /* Align: mx * 2^ex mod my * 2^ey, walking ex down to ey. */
  for (; ex > ey; ex--) {
    if (mx >= my)
      mx -= my;
    mx <<= 1;
  }
  if (mx >= my)
    mx -= my;
  double r = ldexp((double)mx, ey); /* exact: the result is representable */
  return (ux >> 63) ? -r : r;
}
