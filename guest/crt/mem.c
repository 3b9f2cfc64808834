/*
 * memcpy/memmove/memset/memcmp/memchr. The compiler emits calls to memcpy
 * and memset for struct copies and zeroing even in freestanding code, so
 * every program needs them; the CRT's copies avoid ntdll's import thunk.
 */
#include <string.h>
#include <stdint.h>

#include "mem_ops.h"

void *memchr(const void *s, int c, size_t n)
{
  const unsigned char *p = s;
  for (; n; n--, p++)
    if (*p == (unsigned char)c)
      return (void *)p;
  return NULL;
}
