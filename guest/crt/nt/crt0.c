/*
 * crt0 for native programs: NtProcessStartup(PPEB) is the image entry (the
 * engine starts the initial thread here, FS = TEB). It turns the process
 * parameters into C's argc/argv/envp (UTF-16 → UTF-8), calls main, and
 * passes main's result to exit (atexit handlers, flush, terminate).
 */
#include <nt.h>
#include <stdlib.h>
#include <string.h>
#include "../crt_internal.h"

int main(int argc, char **argv, char **envp);
int __crt_split_cmdline(const char *s, char ***argv_out);

PPEB __crt_peb;

/* When the parameters are not normalized, their Buffers are offsets from
 * the block's start. */
static const WCHAR *buffer_of(PRTL_USER_PROCESS_PARAMETERS pp, const UNICODE_STRING *us)
{
  if (!us->Buffer)
    return NULL;
  if (pp->Flags & RTL_USER_PROC_PARAMS_NORMALIZED)
    return us->Buffer;
  return (const WCHAR *)((const char *)pp + (ULONG_PTR)us->Buffer);
}

static char *to_utf8(const WCHAR *w, size_t units)
{
  size_t n = __crt_utf16_to_utf8(w, units, NULL, 0);
  char *s = malloc(n + 1);
  if (!s)
    return NULL;
  __crt_utf16_to_utf8(w, units, s, n);
  s[n] = 0;
  return s;
}

static char **make_envp(PRTL_USER_PROCESS_PARAMETERS pp)
{
  const WCHAR *env = pp ? pp->Environment : NULL;
  if (env && !(pp->Flags & RTL_USER_PROC_PARAMS_NORMALIZED))
    env = (const WCHAR *)((const char *)pp + (ULONG_PTR)env);
  size_t count = 0;
  if (env)
    for (const WCHAR *e = env; *e; e += wcslen(e) + 1)
      count++;
  char **envp = malloc((count + 1) * sizeof(char *));
  if (!envp)
    return NULL;
  size_t i = 0;
  if (env)
    for (const WCHAR *e = env; *e; e += wcslen(e) + 1)
      envp[i++] = to_utf8(e, wcslen(e));
  envp[i] = NULL;
  return envp;
}

NTSTATUS NTAPI NtProcessStartup(PPEB Peb)
{
  __crt_peb = Peb;
  PRTL_USER_PROCESS_PARAMETERS pp = Peb ? Peb->ProcessParameters : NULL;
  char *cmdline = NULL;
  if (pp) {
    const WCHAR *w = buffer_of(pp, &pp->CommandLine);
    if (w)
      cmdline = to_utf8(w, pp->CommandLine.Length / sizeof(WCHAR));
    else if ((w = buffer_of(pp, &pp->ImagePathName)))
      cmdline = to_utf8(w, pp->ImagePathName.Length / sizeof(WCHAR));
  }
  char **argv;
  int argc = __crt_split_cmdline(cmdline ? cmdline : "", &argv);
  if (argc < 0) {
    __crt_sys_write(2, "crt0: out of memory\n", 20);
    __crt_sys_exit((int)STATUS_NO_MEMORY);
  }
  char **envp = make_envp(pp);
  __crt_set_environ(envp);
  exit(main(argc, argv, envp));
}
