/*
 * The C memory and string functions ntdll.dll exports (the real ntdll does
 * too, and the compiler emits calls to memcpy/memset for struct copies and
 * zeroing inside ntdll itself). Programs normally use the CRT's copies,
 * which avoid the import thunk; these serve ntdll and programs built without
 * the CRT.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

#include "../crt/mem_ops.h"

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
