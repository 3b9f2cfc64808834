/*
 * Console streams. stdout keeps a line buffer (flushed at each newline, when
 * full, by fflush and at exit), stderr is unbuffered; both hand UTF-8 bytes
 * to the platform's __crt_sys_write. stdin has no source yet and reads EOF.
 */
#include <stdio.h>
#include <string.h>
#include "crt_internal.h"

struct __crt_file {
  int fd;
  int buffered; /* 1: line-buffered, 0: unbuffered */
  size_t len;
  char buf[BUFSIZ];
};

FILE __crt_stdin = {0, 0, 0, {0}};
FILE __crt_stdout = {1, 1, 0, {0}};
FILE __crt_stderr = {2, 0, 0, {0}};

int fflush(FILE *f)
{
  if (!f) {
    __crt_stdio_flush_all();
    return 0;
  }
  if (f->len) {
    __crt_sys_write(f->fd, f->buf, f->len);
    f->len = 0;
  }
  return 0;
}

void __crt_stdio_flush_all(void)
{
  fflush(stdout);
  fflush(stderr);
}

static void put_bytes(FILE *f, const char *s, size_t n)
{
  if (f->fd == 0 || n == 0)
    return;
  if (!f->buffered) {
    __crt_sys_write(f->fd, s, n);
    return;
  }
  while (n) {
    size_t room = BUFSIZ - f->len;
    size_t k = n < room ? n : room;
    memcpy(f->buf + f->len, s, k);
    f->len += k;
    s += k;
    n -= k;
    /* Line buffering: a newline anywhere in what we hold sends it all. */
    if (f->len == BUFSIZ || memchr(f->buf + f->len - k, '\n', k))
      fflush(f);
  }
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
  put_bytes(f, p, size * n);
  return f->fd == 0 ? 0 : n;
}

int fputc(int c, FILE *f)
{
  char ch = (char)c;
  put_bytes(f, &ch, 1);
  return (unsigned char)ch;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *s, FILE *f)
{
  put_bytes(f, s, strlen(s));
  return 0;
}

int puts(const char *s)
{
  fputs(s, stdout);
  return fputc('\n', stdout) == EOF ? EOF : 0;
}

int fgetc(FILE *f) { (void)f; return EOF; }
int getchar(void) { return EOF; }
char *fgets(char *s, int n, FILE *f) { (void)s; (void)n; (void)f; return NULL; }

/* --- the printf family over __crt_vformat ------------------------------- */

/* Streams: collect pieces in a local chunk so an unbuffered stderr gets one
 * write per few hundred bytes instead of one per piece. */
struct stream_ctx {
  FILE *f;
  size_t len;
  char buf[512];
};

static void stream_sink(void *vctx, const char *s, size_t n)
{
  struct stream_ctx *c = vctx;
  if (c->len + n > sizeof c->buf) {
    put_bytes(c->f, c->buf, c->len);
    c->len = 0;
    if (n > sizeof c->buf) {
      put_bytes(c->f, s, n);
      return;
    }
  }
  memcpy(c->buf + c->len, s, n);
  c->len += n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
  struct stream_ctx c;
  c.f = f;
  c.len = 0;
  int r = __crt_vformat(stream_sink, &c, fmt, ap);
  put_bytes(f, c.buf, c.len);
  return r;
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int fprintf(FILE *f, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}

int printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return r;
}

/* Strings: keep what fits (size-1 bytes) and always terminate. */
struct string_ctx {
  char *buf;
  size_t cap; /* bytes available for characters (size - 1) */
  size_t len;
};

static void string_sink(void *vctx, const char *s, size_t n)
{
  struct string_ctx *c = vctx;
  if (c->len < c->cap) {
    size_t k = c->cap - c->len < n ? c->cap - c->len : n;
    memcpy(c->buf + c->len, s, k);
  }
  c->len += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
  struct string_ctx c;
  c.buf = buf;
  c.cap = size ? size - 1 : 0;
  c.len = 0;
  int r = __crt_vformat(string_sink, &c, fmt, ap);
  if (size)
    buf[c.len < c.cap ? c.len : c.cap] = 0;
  return r;
}

int vsprintf(char *buf, const char *fmt, va_list ap) { return vsnprintf(buf, (size_t)-1 >> 1, fmt, ap); }

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return r;
}

int sprintf(char *buf, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = vsprintf(buf, fmt, ap);
  va_end(ap);
  return r;
}
