/*
 * The C memory and string functions ntdll.dll exports (the real ntdll does
 * too, and the compiler emits calls to memcpy/memset for struct copies and
 * zeroing inside ntdll itself). Programs normally use the CRT's copies,
 * which avoid the import thunk; these serve ntdll and programs built without
 * the CRT.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

/* rep movsd/stosd: short to write, fast on every x86 and in the engine's
 * string-instruction path. */
void *__cdecl memcpy(void *dst, const void *src, size_t n)
{
  void *d = dst;
  size_t words = n >> 2;
  __asm__ volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
  n &= 3;
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dst;
}

void *__cdecl memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d <= s || d >= s + n)
    return memcpy(dst, src, n);
  /* Overlap with dst above src: copy backwards (std; rep movsb; cld). */
  d += n - 1;
  s += n - 1;
  __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dst;
}

void *__cdecl memset(void *dst, int c, size_t n)
{
  void *d = dst;
  uint32_t v = (uint8_t)c * 0x01010101u;
  size_t words = n >> 2;
  __asm__ volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
  n &= 3;
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
  return dst;
}

int __cdecl memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q)
      return *p < *q ? -1 : 1;
  return 0;
}

size_t __cdecl strlen(const char *s)
{
  const char *p = s;
  while (*p)
    p++;
  return (size_t)(p - s);
}

size_t __cdecl wcslen(const WCHAR *s)
{
  const WCHAR *p = s;
  while (*p)
    p++;
  return (size_t)(p - s);
}
