/*
 * memcpy, memmove, memset and memcmp, defined once for the two libraries
 * that export them: the static C runtime (crt/mem.c) and ntdll.dll
 * (ntdll/crt_exports.c). Included by exactly one .c file of each; the
 * includer provides size_t and uint32_t. rep movsd/stosd are short and fast
 * on every x86 (and in the engine's string-instruction path).
 */
void *memcpy(void *dst, const void *src, size_t n)
{
  void *d = dst;
  size_t words = n >> 2;
  __asm__ volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
  n &= 3;
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d <= s || d >= s + n)
    return memcpy(dst, src, n);
  /* dst overlaps the end of src: copy from the top down. */
  d += n - 1;
  s += n - 1;
  __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dst;
}

void *memset(void *dst, int c, size_t n)
{
  void *d = dst;
  uint32_t v = (uint8_t)c * 0x01010101u;
  size_t words = n >> 2;
  __asm__ volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
  n &= 3;
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
  return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q)
      return *p < *q ? -1 : 1;
  return 0;
}
