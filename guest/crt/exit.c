/*
 * Process exit: atexit handlers run last-registered first, then the console
 * streams are flushed, then the platform ends the process. abort() skips
 * the handlers and exits with 3, MSVC's abort status.
 */
#include <stdlib.h>
#include <stdio.h>
#include "crt_internal.h"

#define MAX_ATEXIT 64
static void (*handlers[MAX_ATEXIT])(void);
static int nhandlers;

int atexit(void (*fn)(void))
{
  if (nhandlers == MAX_ATEXIT)
    return -1;
  handlers[nhandlers++] = fn;
  return 0;
}

void __crt_run_atexit(void)
{
  /* A handler may call atexit or exit; take each one off before calling it. */
  while (nhandlers > 0)
    handlers[--nhandlers]();
}

void exit(int status)
{
  __crt_run_atexit();
  __crt_stdio_flush_all();
  __crt_sys_exit(status);
}

void _exit(int status)
{
  __crt_sys_exit(status);
}

void abort(void)
{
  __crt_stdio_flush_all();
  __crt_sys_write(2, "abort() called\n", 15);
  __crt_sys_exit(3);
}

void __crt_assert_fail(const char *expr, const char *file, int line)
{
  fprintf(stderr, "Assertion failed: %s, file %s, line %d\n", expr, file, line);
  abort();
}
