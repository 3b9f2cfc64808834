/* Small <stdlib.h> pieces: abs/div, rand, errno, getenv. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "crt_internal.h"

int errno;

int abs(int v) { return v < 0 ? -v : v; }
long labs(long v) { return v < 0 ? -v : v; }
long long llabs(long long v) { return v < 0 ? -v : v; }

div_t div(int a, int b)
{
  div_t r = {a / b, a % b};
  return r;
}

ldiv_t ldiv(long a, long b)
{
  ldiv_t r = {a / b, a % b};
  return r;
}

/* The classic LCG of the C standard's example, so sequences are the same
 * everywhere (and in the native reference build). */
static unsigned long long rand_state = 1;

int rand(void)
{
  rand_state = rand_state * 1103515245u + 12345u;
  return (int)((rand_state >> 16) & RAND_MAX);
}

void srand(unsigned seed) { rand_state = seed; }

static char **environ_list;

void __crt_set_environ(char **envp) { environ_list = envp; }

/* Names compare case-insensitively, as Windows environment names do. */
char *getenv(const char *name)
{
  size_t n = strlen(name);
  if (!environ_list)
    return NULL;
  for (char **e = environ_list; *e; e++)
    if (_strnicmp(*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}
