/*
 * strtol family: one unsigned 64-bit parser (sign, base prefix, overflow
 * detection) that the typed functions clamp to their range with ERANGE.
 */
#include <stdlib.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <limits.h>

/* Parses into *out the magnitude, saturating at UINT64_MAX; returns the
 * sign (-1/1) and sets *overflow; *end at the first unused character (s
 * itself when nothing was parsed). */
static int parse(const char *s, char **end, int base, uint64_t *out, int *overflow)
{
  const char *p = s;
  int sign = 1;
  *out = 0;
  *overflow = 0;
  while (isspace((unsigned char)*p))
    p++;
  if (*p == '+' || *p == '-')
    sign = *p++ == '-' ? -1 : 1;
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' && isxdigit((unsigned char)p[2])) {
    p += 2;
    base = 16;
  } else if (base == 0) {
    base = p[0] == '0' ? 8 : 10;
  }
  if (base < 2 || base > 36) {
    errno = EINVAL;
    if (end)
      *end = (char *)s;
    return 1;
  }
  const char *digits = p;
  uint64_t v = 0;
  for (;; p++) {
    int c = (unsigned char)*p, d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') d = (c | 0x20) - 'a' + 10;
    else break;
    if (d >= base)
      break;
    /* v * base + d > UINT64_MAX ? (checked without a 64-bit division) */
    uint64_t hi = (v >> 32) * (uint64_t)base;
    uint64_t lo = (v & 0xFFFFFFFFu) * (uint64_t)base + (uint64_t)d;
    if ((hi >> 32) || hi + (lo >> 32) > 0xFFFFFFFFu)
      *overflow = 1;
    else
      v = ((hi + (lo >> 32)) << 32) | (lo & 0xFFFFFFFFu);
  }
  if (end)
    *end = (char *)(p == digits ? s : p);
  *out = *overflow ? UINT64_MAX : v;
  return sign;
}

long long strtoll(const char *s, char **end, int base)
{
  uint64_t v;
  int of;
  int sign = parse(s, end, base, &v, &of);
  if (sign > 0 && (of || v > (uint64_t)LLONG_MAX)) {
    errno = ERANGE;
    return LLONG_MAX;
  }
  if (sign < 0 && (of || v > (uint64_t)LLONG_MAX + 1)) {
    errno = ERANGE;
    return LLONG_MIN;
  }
  return sign < 0 ? (long long)(0 - v) : (long long)v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
  uint64_t v;
  int of;
  int sign = parse(s, end, base, &v, &of);
  if (of) {
    errno = ERANGE;
    return ULLONG_MAX;
  }
  return sign < 0 ? 0 - v : v;
}

long strtol(const char *s, char **end, int base)
{
  uint64_t v;
  int of;
  int sign = parse(s, end, base, &v, &of);
  if (sign > 0 && (of || v > (uint64_t)LONG_MAX)) {
    errno = ERANGE;
    return LONG_MAX;
  }
  if (sign < 0 && (of || v > (uint64_t)LONG_MAX + 1)) {
    errno = ERANGE;
    return LONG_MIN;
  }
  return sign < 0 ? (long)(0 - v) : (long)v;
}

/* Like C's: a negative number wraps (strtoul("-1") == ULONG_MAX). */
unsigned long strtoul(const char *s, char **end, int base)
{
  uint64_t v;
  int of;
  int sign = parse(s, end, base, &v, &of);
  if (of || v > ULONG_MAX) {
    errno = ERANGE;
    return ULONG_MAX;
  }
  return sign < 0 ? (unsigned long)(0 - v) : (unsigned long)v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }
