/*
 * strtod/atof: decimal and "inf"/"nan". Up to 19 significant digits are
 * gathered exactly in an integer, then scaled by a power of ten computed by
 * squaring; the result is within an ulp or two, not always correctly
 * rounded (enough for parsing program arguments and test data).
 */
#include <stdlib.h>
#include <ctype.h>
#include <stdint.h>

static double pow10_int(int e)
{
  double r = 1.0, b = 10.0;
  int n = e < 0 ? -e : e;
  while (n) {
    if (n & 1)
      r *= b;
    b *= b;
    n >>= 1;
  }
  return e < 0 ? 1.0 / r : r;
}

double strtod(const char *s, char **end)
{
  const char *p = s;
  while (isspace((unsigned char)*p))
    p++;
  int neg = 0;
  if (*p == '+' || *p == '-')
    neg = *p++ == '-';
  if ((p[0] | 0x20) == 'i' && (p[1] | 0x20) == 'n' && (p[2] | 0x20) == 'f') {
    p += 3;
    if (end)
      *end = (char *)p;
    return neg ? -__builtin_inf() : __builtin_inf();
  }
  if ((p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'a' && (p[2] | 0x20) == 'n') {
    if (end)
      *end = (char *)(p + 3);
    return __builtin_nan("");
  }
  uint64_t mant = 0;
  int digits = 0, exp10 = 0, any = 0;
  for (; isdigit((unsigned char)*p); p++, any = 1) {
    if (digits < 19) {
      mant = mant * 10 + (uint64_t)(*p - '0');
      if (mant)
        digits++;
    } else {
      exp10++;
    }
  }
  if (*p == '.') {
    p++;
    for (; isdigit((unsigned char)*p); p++, any = 1) {
      if (digits < 19) {
        mant = mant * 10 + (uint64_t)(*p - '0');
        if (mant)
          digits++;
        exp10--;
      }
    }
  }
  if (!any) {
    if (end)
      *end = (char *)s;
    return 0.0;
  }
  if ((*p | 0x20) == 'e') {
    const char *q = p + 1;
    int eneg = 0, e = 0;
    if (*q == '+' || *q == '-')
      eneg = *q++ == '-';
    if (isdigit((unsigned char)*q)) {
      while (isdigit((unsigned char)*q)) {
        if (e < 10000)
          e = e * 10 + (*q - '0');
        q++;
      }
      exp10 += eneg ? -e : e;
      p = q;
    }
  }
  if (end)
    *end = (char *)p;
  double v = (double)mant;
  /* Split big scales so the intermediate power of ten stays finite. */
  if (exp10 < -300) {
    v *= pow10_int(-300);
    exp10 += 300;
  }
  v = exp10 < 0 ? v / pow10_int(-exp10) : v * pow10_int(exp10);
  return neg ? -v : v;
}

double atof(const char *s) { return strtod(s, NULL); }
