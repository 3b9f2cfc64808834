/*
 * The printf engine: parses a format and sends the pieces to a sink, so the
 * same code serves streams and strings. C99 conversions d i u o x X c s p n
 * f F e E g G %, flags - + space # 0, width and precision (also *), length
 * modifiers hh h l ll j z t L and MSVC's I64/I32. Extras for native
 * programs: %ls (UTF-16 string) and %wZ (PUNICODE_STRING), as NT's
 * DbgPrint accepts. %p prints 8 upper-case hex digits, the Windows form.
 */
#include <stdint.h>
#include <string.h>
#include "crt_internal.h"

void __crt_pad(__crt_sink out, void *ctx, char c, int n)
{
  char block[32];
  if (n <= 0)
    return;
  memset(block, c, sizeof block);
  while (n > 0) {
    int k = n < (int)sizeof block ? n : (int)sizeof block;
    out(ctx, block, (size_t)k);
    n -= k;
  }
}

/* Digits of v in base (8, 10, 16), written backwards from end; returns the
 * start. 32-bit values take the 32-bit path (no 64-bit division). */
static char *utoa_rev(char *end, uint64_t v, unsigned base, int upper)
{
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char *p = end;
  while (v >> 32) {
    uint64_t r;
    v = __crt_udivmod64(v, base, &r);
    *--p = digits[r];
  }
  uint32_t w = (uint32_t)v;
  do {
    *--p = digits[w % base];
    w /= base;
  } while (w);
  return p;
}

/* An integer conversion: sign/prefix, zero padding from the precision or
 * the 0 flag, then width padding. */
static int emit_integer(__crt_sink out, void *ctx, uint64_t v, int negative, unsigned base, int upper,
                        int flags, int width, int prec, char conv)
{
  char buf[24];
  char *end = buf + sizeof buf;
  char *s = end;
  if (!(prec == 0 && v == 0))
    s = utoa_rev(end, v, base, upper);
  int digits = (int)(end - s);
  char prefix[3];
  int plen = 0;
  if (negative)
    prefix[plen++] = '-';
  else if (flags & FMT_PLUS)
    prefix[plen++] = '+';
  else if (flags & FMT_SPACE)
    prefix[plen++] = ' ';
  if ((flags & FMT_ALT) && base == 16 && v != 0) {
    prefix[plen++] = '0';
    prefix[plen++] = upper ? 'X' : 'x';
  }
  int zeros = 0;
  if (prec >= 0)
    zeros = prec > digits ? prec - digits : 0;
  else if ((flags & FMT_ZERO) && !(flags & FMT_LEFT))
    zeros = width - plen - digits > 0 ? width - plen - digits : 0;
  /* # with octal: make sure the first digit is 0. */
  if ((flags & FMT_ALT) && base == 8 && zeros == 0 && (digits == 0 || *s != '0'))
    zeros = 1;
  (void)conv;
  int total = plen + zeros + digits;
  if (!(flags & FMT_LEFT))
    __crt_pad(out, ctx, ' ', width - total);
  out(ctx, prefix, (size_t)plen);
  __crt_pad(out, ctx, '0', zeros);
  out(ctx, s, (size_t)digits);
  if (flags & FMT_LEFT)
    __crt_pad(out, ctx, ' ', width - total);
  return total > width ? total : width;
}

static int emit_text(__crt_sink out, void *ctx, const char *s, size_t n, int flags, int width)
{
  int pad = width - (int)n;
  if (!(flags & FMT_LEFT))
    __crt_pad(out, ctx, ' ', pad);
  out(ctx, s, n);
  if (flags & FMT_LEFT)
    __crt_pad(out, ctx, ' ', pad);
  return pad > 0 ? width : (int)n;
}

/* A UTF-16 string (n units, or up to NUL when n < 0), precision in bytes of
 * UTF-8 output as for %s. Converted in pieces to keep the stack small. */
static int emit_wide(__crt_sink out, void *ctx, const uint16_t *w, int n, int flags, int width, int prec)
{
  if (n < 0) {
    n = 0;
    while (w[n])
      n++;
  }
  size_t bytes = __crt_utf16_to_utf8(w, (size_t)n, NULL, 0);
  if (prec >= 0 && bytes > (size_t)prec)
    bytes = (size_t)prec;
  int pad = width - (int)bytes;
  if (!(flags & FMT_LEFT))
    __crt_pad(out, ctx, ' ', pad);
  size_t left = bytes;
  for (int i = 0; i < n && left;) {
    char piece[192];
    int k = n - i < 32 ? n - i : 32;
    /* Don't split a surrogate pair between pieces. */
    if (i + k < n && w[i + k - 1] >= 0xD800 && w[i + k - 1] <= 0xDBFF)
      k--;
    size_t m = __crt_utf16_to_utf8(w + i, (size_t)k, piece, sizeof piece);
    if (m > left)
      m = left; /* precision cut (may split a sequence, as %.Ns does) */
    out(ctx, piece, m);
    left -= m;
    i += k;
  }
  if (flags & FMT_LEFT)
    __crt_pad(out, ctx, ' ', pad);
  return pad > 0 ? width : (int)bytes;
}

enum { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

int __crt_vformat(__crt_sink out, void *ctx, const char *fmt, va_list ap)
{
  int total = 0;
  const char *p = fmt;
  while (*p) {
    if (*p != '%') {
      const char *q = p;
      while (*q && *q != '%')
        q++;
      out(ctx, p, (size_t)(q - p));
      total += (int)(q - p);
      p = q;
      continue;
    }
    const char *spec = p++;
    int flags = 0;
    for (;; p++) {
      if (*p == '-') flags |= FMT_LEFT;
      else if (*p == '+') flags |= FMT_PLUS;
      else if (*p == ' ') flags |= FMT_SPACE;
      else if (*p == '#') flags |= FMT_ALT;
      else if (*p == '0') flags |= FMT_ZERO;
      else break;
    }
    int width = 0;
    if (*p == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        flags |= FMT_LEFT;
        width = -width;
      }
      p++;
    } else {
      while (*p >= '0' && *p <= '9')
        width = width * 10 + (*p++ - '0');
    }
    int prec = -1;
    if (*p == '.') {
      p++;
      prec = 0;
      if (*p == '*') {
        prec = va_arg(ap, int);
        if (prec < 0)
          prec = -1;
        p++;
      } else {
        while (*p >= '0' && *p <= '9')
          prec = prec * 10 + (*p++ - '0');
      }
    }
    int len = LEN_NONE;
    switch (*p) {
    case 'h': p++; len = LEN_H; if (*p == 'h') { p++; len = LEN_HH; } break;
    case 'l': p++; len = LEN_L; if (*p == 'l') { p++; len = LEN_LL; } break;
    case 'j': p++; len = LEN_J; break;
    case 'z': p++; len = LEN_Z; break;
    case 't': p++; len = LEN_T; break;
    case 'L': p++; len = LEN_BIG_L; break;
    case 'w': p++; len = LEN_L; break;
    case 'I':
      if (p[1] == '6' && p[2] == '4') { p += 3; len = LEN_LL; }
      else if (p[1] == '3' && p[2] == '2') { p += 3; len = LEN_NONE; }
      break;
    }
    char conv = *p;
    if (!conv)
      return -1;
    p++;
    uint64_t uv;
    int neg = 0;
    switch (conv) {
    case 'd':
    case 'i': {
      int64_t sv;
      if (len == LEN_LL || len == LEN_J) sv = va_arg(ap, long long);
      else sv = va_arg(ap, int);
      if (len == LEN_HH) sv = (signed char)sv;
      else if (len == LEN_H) sv = (short)sv;
      neg = sv < 0;
      uv = neg ? 0 - (uint64_t)sv : (uint64_t)sv;
      total += emit_integer(out, ctx, uv, neg, 10, 0, flags, width, prec, conv);
      break;
    }
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      if (len == LEN_LL || len == LEN_J) uv = va_arg(ap, unsigned long long);
      else uv = va_arg(ap, unsigned int);
      if (len == LEN_HH) uv = (unsigned char)uv;
      else if (len == LEN_H) uv = (unsigned short)uv;
      total += emit_integer(out, ctx, uv, 0, conv == 'u' ? 10 : conv == 'o' ? 8 : 16, conv == 'X',
                            flags & ~(FMT_PLUS | FMT_SPACE), width, prec, conv);
      break;
    case 'p':
      uv = (uintptr_t)va_arg(ap, void *);
      total += emit_integer(out, ctx, uv, 0, 16, 1, flags & FMT_LEFT, width, 8, conv);
      break;
    case 'c': {
      char ch = (char)va_arg(ap, int);
      total += emit_text(out, ctx, &ch, 1, flags, width);
      break;
    }
    case 'C':
    case 's':
    case 'S':
      if (conv == 'S' || (conv == 's' && len == LEN_L)) {
        const uint16_t *w = va_arg(ap, const uint16_t *);
        if (!w)
          total += emit_text(out, ctx, "(null)", 6, flags, width);
        else
          total += emit_wide(out, ctx, w, -1, flags, width, prec);
      } else if (conv == 'C') {
        uint16_t w = (uint16_t)va_arg(ap, int);
        total += emit_wide(out, ctx, &w, 1, flags, width, -1);
      } else {
        const char *s = va_arg(ap, const char *);
        if (!s)
          s = "(null)";
        size_t n = 0;
        if (prec >= 0)
          while (n < (size_t)prec && s[n])
            n++;
        else
          n = strlen(s);
        total += emit_text(out, ctx, s, n, flags, width);
      }
      break;
    case 'Z': {
      /* %wZ: PUNICODE_STRING, %Z: PANSI_STRING (both {USHORT Length;
       * USHORT MaximumLength; Buffer}, Length in bytes). */
      const struct { uint16_t Length, MaximumLength; const void *Buffer; } *cs = va_arg(ap, void *);
      if (!cs || !cs->Buffer)
        total += emit_text(out, ctx, "(null)", 6, flags, width);
      else if (len == LEN_L)
        total += emit_wide(out, ctx, cs->Buffer, cs->Length / 2, flags, width, prec);
      else
        total += emit_text(out, ctx, cs->Buffer, prec >= 0 && prec < cs->Length ? (size_t)prec : cs->Length, flags, width);
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A': {
      double v = va_arg(ap, double);
      total += __crt_format_double(out, ctx, v, conv, flags, width, prec);
      break;
    }
    case 'n': {
      int *np = va_arg(ap, int *);
      if (np)
        *np = total;
      break;
    }
    case '%':
      out(ctx, "%", 1);
      total++;
      break;
    default:
      /* Unknown conversion: print the spec as written. */
      out(ctx, spec, (size_t)(p - spec));
      total += (int)(p - spec);
      break;
    }
  }
  return total;
}
