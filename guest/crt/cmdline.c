/*
 * Splitting a Windows command line into argv, with the Microsoft C runtime's
 * rules (the same as CommandLineToArgvW for the arguments):
 *  - argv[0] ends at the first space/tab, or is everything inside a leading
 *    pair of quotes, with no backslash processing (paths end in '\');
 *  - elsewhere, 2n backslashes before a quote give n backslashes and the
 *    quote opens/closes a quoted part; 2n+1 give n backslashes and a
 *    literal quote; backslashes not before a quote are literal;
 *  - inside quotes, "" gives a literal quote and stays quoted.
 * The input is UTF-8 already (these characters are all ASCII, so splitting
 * bytes is safe). argv and its strings live in one malloc'd block.
 */
#include <stdlib.h>
#include <string.h>
#include "crt_internal.h"

int __crt_split_cmdline(const char *s, char ***argv_out);

int __crt_split_cmdline(const char *s, char ***argv_out)
{
  size_t len = strlen(s);
  /* At most len/2+2 arguments; the strings need no more than len+1 bytes
   * each counted with its terminator. */
  size_t maxargs = len / 2 + 2;
  char **argv = malloc(maxargs * sizeof(char *) + len + maxargs + 1);
  if (!argv)
    return -1;
  char *out = (char *)(argv + maxargs);
  int argc = 0;
  const char *p = s;

  /* argv[0] */
  argv[argc++] = out;
  if (*p == '"') {
    p++;
    while (*p && *p != '"')
      *out++ = *p++;
    if (*p == '"')
      p++;
  } else {
    while (*p && *p != ' ' && *p != '\t')
      *out++ = *p++;
  }
  *out++ = 0;

  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p)
      break;
    argv[argc++] = out;
    int quoted = 0;
    while (*p) {
      if (!quoted && (*p == ' ' || *p == '\t'))
        break;
      if (*p == '\\') {
        size_t n = 0;
        while (*p == '\\')
          n++, p++;
        if (*p == '"') {
          for (size_t i = 0; i < n / 2; i++)
            *out++ = '\\';
          if (n & 1)
            *out++ = *p++; /* escaped quote */
          /* even: the quote is handled by the next iteration */
        } else {
          for (size_t i = 0; i < n; i++)
            *out++ = '\\';
        }
      } else if (*p == '"') {
        if (quoted && p[1] == '"') {
          *out++ = '"';
          p += 2;
        } else {
          quoted = !quoted;
          p++;
        }
      } else {
        *out++ = *p++;
      }
    }
    *out++ = 0;
  }
  argv[argc] = NULL;
  *argv_out = argv;
  return argc;
}
