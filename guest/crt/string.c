/* String functions of <string.h> (byte strings, "C" locale). */
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

size_t strlen(const char *s)
{
  const char *p = s;
  while (*p)
    p++;
  return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
  size_t n = 0;
  while (n < max && s[n])
    n++;
  return n;
}

size_t wcslen(const unsigned short *s)
{
  const unsigned short *p = s;
  while (*p)
    p++;
  return (size_t)(p - s);
}

/* Comparisons are on unsigned char values, as C requires. */
int strcmp(const char *a, const char *b)
{
  const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
  while (*p && *p == *q)
    p++, q++;
  return (*p > *q) - (*p < *q);
}

int strncmp(const char *a, const char *b, size_t n)
{
  const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
  for (; n; n--, p++, q++) {
    if (*p != *q)
      return (*p > *q) - (*p < *q);
    if (!*p)
      break;
  }
  return 0;
}

int _strnicmp(const char *a, const char *b, size_t n)
{
  for (; n; n--, a++, b++) {
    int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
    if (x != y)
      return (x > y) - (x < y);
    if (!x)
      break;
  }
  return 0;
}

int _stricmp(const char *a, const char *b) { return _strnicmp(a, b, (size_t)-1); }

char *strcpy(char *dst, const char *src)
{
  char *d = dst;
  while ((*d++ = *src++))
    ;
  return dst;
}

/* Pads with NULs to n and does not terminate when src is n long or more. */
char *strncpy(char *dst, const char *src, size_t n)
{
  size_t i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char *strcat(char *dst, const char *src)
{
  strcpy(dst + strlen(dst), src);
  return dst;
}

char *strncat(char *dst, const char *src, size_t n)
{
  char *d = dst + strlen(dst);
  while (n-- && *src)
    *d++ = *src++;
  *d = 0;
  return dst;
}

char *strchr(const char *s, int c)
{
  for (;; s++) {
    if (*s == (char)c)
      return (char *)s;
    if (!*s)
      return NULL;
  }
}

char *strrchr(const char *s, int c)
{
  const char *last = NULL;
  for (;; s++) {
    if (*s == (char)c)
      last = s;
    if (!*s)
      return (char *)last;
  }
}

char *strstr(const char *hay, const char *needle)
{
  size_t n = strlen(needle);
  if (!n)
    return (char *)hay;
  for (; *hay; hay++)
    if (*hay == *needle && strncmp(hay, needle, n) == 0)
      return (char *)hay;
  return NULL;
}

size_t strspn(const char *s, const char *accept)
{
  size_t n = 0;
  while (s[n] && strchr(accept, s[n]))
    n++;
  return n;
}

size_t strcspn(const char *s, const char *reject)
{
  size_t n = 0;
  while (s[n] && !strchr(reject, s[n]))
    n++;
  return n;
}

char *strpbrk(const char *s, const char *accept)
{
  s += strcspn(s, accept);
  return *s ? (char *)s : NULL;
}

char *strtok(char *s, const char *delim)
{
  static char *next;
  if (!s)
    s = next;
  if (!s)
    return NULL;
  s += strspn(s, delim);
  if (!*s) {
    next = NULL;
    return NULL;
  }
  char *end = s + strcspn(s, delim);
  if (*end) {
    *end = 0;
    next = end + 1;
  } else {
    next = NULL;
  }
  return s;
}

char *strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

char *strerror(int err)
{
  switch (err) {
  case 0: return "No error";
  case 2: return "No such file or directory";
  case 12: return "Not enough memory";
  case 22: return "Invalid argument";
  case 34: return "Result too large";
  default: return "Unknown error";
  }
}
