/*
 * Floating-point conversions for printf (%f %e %g %a), exact and correctly
 * rounded.
 *
 * A double is m * 2^e with integer m. Its exact decimal expansion is found
 * with a small big-integer in base 10^9: m * 2^e when e >= 0, or
 * m * 5^-e (then shifted -e decimal places) when e < 0, so every printed
 * digit is exact and rounding (half to even, the default IEEE mode) looks at
 * the true remainder; this matches glibc's output digit for digit.
 * At most ~770 significant digits exist (the smallest subnormal), so the
 * work is bounded.
 */
#include <stdint.h>
#include <string.h>
#include "crt_internal.h"

#define MAX_DIGITS 800

typedef struct {
  char d[MAX_DIGITS]; /* significant digits, no leading zero */
  int nd;             /* number of digits (0: the value is zero) */
  int dp;             /* value = 0.d[0]d[1]... * 10^dp */
} decimal;

static int digit_at(const decimal *x, int i)
{
  return i >= 0 && i < x->nd ? x->d[i] : '0';
}

/* limbs[0..*n) *= f, f < 2^31; base 10^9 little-endian. */
static void mul_small(uint32_t *limbs, int *n, uint32_t f)
{
  uint64_t carry = 0;
  for (int i = 0; i < *n; i++) {
    uint64_t t = (uint64_t)limbs[i] * f + carry;
    uint64_t r;
    carry = __crt_udivmod64(t, 1000000000u, &r);
    limbs[i] = (uint32_t)r;
  }
  while (carry) {
    uint64_t r;
    carry = __crt_udivmod64(carry, 1000000000u, &r);
    limbs[(*n)++] = (uint32_t)r;
  }
}

/* Exact decimal digits of m * 2^e (m > 0). */
static void to_decimal(uint64_t m, int e, decimal *x)
{
  uint32_t limbs[MAX_DIGITS / 9 + 2];
  int n = 0;
  while (!(m & 1)) {
    m >>= 1;
    e++;
  }
  uint64_t r;
  uint64_t hi = __crt_udivmod64(m, 1000000000u, &r);
  limbs[n++] = (uint32_t)r;
  if (hi) {
    hi = __crt_udivmod64(hi, 1000000000u, &r);
    limbs[n++] = (uint32_t)r;
    if (hi)
      limbs[n++] = (uint32_t)hi;
  }
  int shift = 0; /* decimal places to move the point left */
  if (e > 0) {
    for (; e >= 30; e -= 30)
      mul_small(limbs, &n, 1u << 30);
    if (e)
      mul_small(limbs, &n, 1u << e);
  } else if (e < 0) {
    shift = -e;
    int k = -e;
    for (; k >= 13; k -= 13)
      mul_small(limbs, &n, 1220703125u); /* 5^13 */
    uint32_t f = 1;
    while (k--)
      f *= 5;
    if (f > 1)
      mul_small(limbs, &n, f);
  }
  /* Limbs to characters: the top one without leading zeros. */
  char top[10];
  int tl = 0;
  uint32_t t = limbs[n - 1];
  do {
    top[tl++] = (char)('0' + t % 10);
    t /= 10;
  } while (t);
  int nd = 0;
  while (tl)
    x->d[nd++] = top[--tl];
  for (int i = n - 2; i >= 0; i--) {
    uint32_t v = limbs[i];
    for (int j = 8; j >= 0; j--) {
      x->d[nd + j] = (char)('0' + v % 10);
      v /= 10;
    }
    nd += 9;
  }
  x->dp = nd - shift;
  while (nd > 0 && x->d[nd - 1] == '0')
    nd--;
  x->nd = nd;
}

/* Keep the first `keep` digits, rounding half to even on the exact rest. */
static void round_to(decimal *x, int keep)
{
  if (keep >= x->nd)
    return;
  if (keep < 0) {
    x->nd = 0;
    return;
  }
  int up;
  char r = x->d[keep];
  if (r != '5') {
    up = r > '5';
  } else {
    int more = 0;
    for (int i = keep + 1; i < x->nd; i++)
      if (x->d[i] != '0') {
        more = 1;
        break;
      }
    up = more || (keep > 0 && ((x->d[keep - 1] - '0') & 1));
  }
  x->nd = keep;
  if (!up)
    return;
  int i = keep - 1;
  while (i >= 0 && x->d[i] == '9')
    i--;
  if (i >= 0) {
    x->d[i]++;
    x->nd = i + 1;
  } else {
    x->d[0] = '1';
    x->nd = 1;
    x->dp++;
  }
}

/* Digits at positions [from, from+count), zeros outside the stored ones. */
static void emit_digits(__crt_sink out, void *ctx, const decimal *x, int from, int count)
{
  char buf[64];
  while (count > 0) {
    int k = count < (int)sizeof buf ? count : (int)sizeof buf;
    for (int i = 0; i < k; i++)
      buf[i] = (char)digit_at(x, from + i);
    out(ctx, buf, (size_t)k);
    from += k;
    count -= k;
  }
}

static int finish(__crt_sink out, void *ctx, char sign, int flags, int width, int body,
                  void (*emit)(__crt_sink, void *, const void *), const void *arg)
{
  int total = body + (sign ? 1 : 0);
  int pad = width - total;
  if (!(flags & FMT_LEFT) && !(flags & FMT_ZERO))
    __crt_pad(out, ctx, ' ', pad);
  if (sign)
    out(ctx, &sign, 1);
  if (!(flags & FMT_LEFT) && (flags & FMT_ZERO))
    __crt_pad(out, ctx, '0', pad);
  emit(out, ctx, arg);
  if (flags & FMT_LEFT)
    __crt_pad(out, ctx, ' ', pad);
  return pad > 0 ? width : total;
}

struct body {
  const decimal *x;
  int style;    /* 'f' or 'e' */
  int frac;     /* fraction digits */
  int point;    /* print the decimal point */
  int exp;      /* for 'e' */
  char echar;   /* 'e' or 'E' */
  const char *text; /* inf/nan */
};

static void emit_body(__crt_sink out, void *ctx, const void *varg)
{
  const struct body *b = varg;
  if (b->text) {
    out(ctx, b->text, 3);
    return;
  }
  if (b->style == 'f') {
    if (b->x->dp > 0)
      emit_digits(out, ctx, b->x, 0, b->x->dp);
    else
      out(ctx, "0", 1);
    if (b->point)
      out(ctx, ".", 1);
    emit_digits(out, ctx, b->x, b->x->dp, b->frac);
  } else {
    char c = (char)digit_at(b->x, 0);
    out(ctx, &c, 1);
    if (b->point)
      out(ctx, ".", 1);
    emit_digits(out, ctx, b->x, 1, b->frac);
    char e[8];
    int n = 0, v = b->exp < 0 ? -b->exp : b->exp;
    e[n++] = b->echar;
    e[n++] = b->exp < 0 ? '-' : '+';
    if (v >= 100)
      e[n++] = (char)('0' + v / 100);
    e[n++] = (char)('0' + v / 10 % 10);
    e[n++] = (char)('0' + v % 10);
    out(ctx, e, (size_t)n);
  }
}

static int body_length(const struct body *b)
{
  if (b->text)
    return 3;
  if (b->style == 'f')
    return (b->x->dp > 0 ? b->x->dp : 1) + b->point + b->frac;
  int v = b->exp < 0 ? -b->exp : b->exp;
  return 1 + b->point + b->frac + 2 + (v >= 100 ? 3 : 2);
}

/* %a: hexadecimal significand, binary exponent (glibc's form: 0x1.8p+1). */
static void emit_hex_body(__crt_sink out, void *ctx, const void *varg)
{
  const char *s = varg;
  out(ctx, s, strlen(s));
}

static int format_hex(__crt_sink out, void *ctx, uint64_t mant, int bexp, char sign, int upper, int flags, int width, int prec)
{
  /* lead: 1 for normals, 0 for zero and subnormals (glibc prints 0x0.xp-1022). */
  int lead = bexp != 0;
  int e = bexp == 0 ? (mant ? -1022 : 0) : bexp - 1023;
  uint64_t frac = mant; /* 52 bits = 13 hex digits */
  int nd = 13;
  if (prec >= 0 && prec < 13) {
    int drop = (13 - prec) * 4;
    uint64_t rest = frac & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    frac >>= drop;
    if (rest > half || (rest == half && (frac & 1)))
      frac++;
    if (frac >> (prec * 4)) { /* carried into the leading digit */
      frac &= (1ull << (prec * 4)) - 1;
      lead++;
    }
    nd = prec;
  } else if (prec < 0) {
    while (nd > 0 && !(frac & 0xF)) {
      frac >>= 4;
      nd--;
    }
  }
  const char *hx = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char buf[64];
  int n = 0;
  buf[n++] = '0';
  buf[n++] = upper ? 'X' : 'x';
  buf[n++] = (char)('0' + lead);
  if (nd > 0 || (flags & FMT_ALT))
    buf[n++] = '.';
  for (int i = nd - 1; i >= 0; i--)
    buf[n++] = hx[(frac >> (i * 4)) & 0xF];
  for (int i = 13; i < prec && n < 60; i++)
    buf[n++] = '0';
  buf[n++] = upper ? 'P' : 'p';
  buf[n++] = e < 0 ? '-' : '+';
  int v = e < 0 ? -e : e;
  char tmp[6];
  int tl = 0;
  do {
    tmp[tl++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (tl)
    buf[n++] = tmp[--tl];
  buf[n] = 0;
  return finish(out, ctx, sign, flags, width, n, emit_hex_body, buf);
}

int __crt_format_double(__crt_sink out, void *ctx, double v, char conv, int flags, int width, int prec)
{
  uint64_t bits;
  memcpy(&bits, &v, 8);
  int negative = (int)(bits >> 63);
  int bexp = (int)((bits >> 52) & 0x7FF);
  uint64_t mant = bits & ((1ull << 52) - 1);
  int upper = conv == 'F' || conv == 'E' || conv == 'G' || conv == 'A';
  char sign = negative ? '-' : (flags & FMT_PLUS) ? '+' : (flags & FMT_SPACE) ? ' ' : 0;
  struct body b;
  memset(&b, 0, sizeof b);
  if (bexp == 0x7FF) {
    b.text = mant ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
    return finish(out, ctx, sign, flags & ~FMT_ZERO, width, 3, emit_body, &b);
  }
  if (conv == 'a' || conv == 'A')
    return format_hex(out, ctx, mant, bexp, sign, upper, flags, width, prec);

  static decimal x; /* 800 bytes: kept off the stack (single-threaded CRT) */
  if (bexp == 0 && mant == 0) {
    x.nd = 0;
    x.dp = 1;
  } else if (bexp == 0) {
    to_decimal(mant, -1074, &x);
  } else {
    to_decimal(mant | (1ull << 52), bexp - 1075, &x);
  }
  if (prec < 0)
    prec = 6;
  b.x = &x;
  char lc = conv | 0x20;
  if (lc == 'g') {
    int P = prec == 0 ? 1 : prec;
    if (x.nd)
      round_to(&x, P);
    int X = x.nd ? x.dp - 1 : 0;
    if (P > X && X >= -4) {
      b.style = 'f';
      b.frac = P - 1 - X;
      if (!(flags & FMT_ALT))
        while (b.frac > 0 && digit_at(&x, x.dp + b.frac - 1) == '0')
          b.frac--;
    } else {
      b.style = 'e';
      b.frac = P - 1;
      b.exp = X;
      if (!(flags & FMT_ALT))
        while (b.frac > 0 && digit_at(&x, b.frac) == '0')
          b.frac--;
    }
  } else if (lc == 'e') {
    b.style = 'e';
    if (x.nd)
      round_to(&x, prec + 1);
    b.frac = prec;
    b.exp = x.nd ? x.dp - 1 : 0;
  } else {
    b.style = 'f';
    if (x.nd)
      round_to(&x, x.dp + prec);
    b.frac = prec;
  }
  b.point = b.frac > 0 || (flags & FMT_ALT);
  b.echar = upper ? 'E' : 'e';
  return finish(out, ctx, sign, flags, width, body_length(&b), emit_body, &b);
}
