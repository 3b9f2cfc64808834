/* stdio.h: console output for native programs (neptune CRT).
 * stdout is line-buffered, stderr unbuffered; both reach the console through
 * NtDisplayString. There are no files yet: fopen and friends come with the
 * I/O manager. stdin reads return EOF. */
#ifndef NEPTUNE_STDIO_H
#define NEPTUNE_STDIO_H
#include <stddef.h>
#include <stdarg.h>

#define EOF (-1)
#define BUFSIZ 4096

typedef struct __crt_file FILE;
extern FILE __crt_stdin, __crt_stdout, __crt_stderr;
#define stdin (&__crt_stdin)
#define stdout (&__crt_stdout)
#define stderr (&__crt_stderr)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vprintf(const char *fmt, va_list ap);
int vfprintf(FILE *f, const char *fmt, va_list ap);
int vsprintf(char *buf, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
int fputs(const char *s, FILE *f);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f);
int fflush(FILE *f);
int getchar(void);
int fgetc(FILE *f);
char *fgets(char *s, int n, FILE *f);
#endif
