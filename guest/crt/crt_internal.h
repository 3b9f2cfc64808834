/*
 * Internal interfaces of the neptune CRT.
 *
 * The CRT is portable C over a small platform layer, so that the same
 * printf and string code runs as a native NT program (the files in crt/nt:
 * NtDisplayString, NtTerminateProcess, and malloc on ntdll's process heap)
 * and as an i386 Linux program (guest/tools/native-shim.c: int 0x80, with
 * guest/tools/native-malloc.c), which is how cputest's expected output is
 * produced on the host CPU.
 */
#ifndef NEPTUNE_CRT_INTERNAL_H
#define NEPTUNE_CRT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* --- platform layer ---------------------------------------------------- */
/* Writes UTF-8 bytes to the console stream fd (1 stdout, 2 stderr). A
 * multi-byte sequence may be split across calls. */
void __crt_sys_write(int fd, const char *s, size_t n);
/* Ends the process; nothing is flushed. */
__attribute__((noreturn)) void __crt_sys_exit(int status);
/* The platform also provides stdlib.h's malloc, calloc, realloc, free. */

/* --- shared internals -------------------------------------------------- */
void __crt_stdio_flush_all(void);
void __crt_run_atexit(void);
void __crt_set_environ(char **envp);

/* printf's engine: calls out(ctx, s, n) for each piece; returns the total
 * length or -1 on a bad format. */
typedef void (*__crt_sink)(void *ctx, const char *s, size_t n);
int __crt_vformat(__crt_sink out, void *ctx, const char *fmt, va_list ap);
/* Formats a double for conversion c (f F e E g G) into buf (at least 400 +
 * prec bytes is never needed: callers pass a sink instead). */
int __crt_format_double(__crt_sink out, void *ctx, double v, char conv, int flags, int width, int prec);
#define FMT_LEFT 1
#define FMT_PLUS 2
#define FMT_SPACE 4
#define FMT_ALT 8
#define FMT_ZERO 16
void __crt_pad(__crt_sink out, void *ctx, char c, int n);

/* 64-bit unsigned division core (no 64-bit divide of its own); pinned
 * symbol names so assembly wrappers can call them on PE and ELF alike. */
uint64_t __crt_udivmod64(uint64_t n, uint64_t d, uint64_t *rem) __asm__("neptune_udivmod64");
int64_t __crt_sdivmod64(int64_t n, int64_t d, int64_t *rem) __asm__("neptune_sdivmod64");

/* UTF-16 → UTF-8 (unpaired surrogates become U+FFFD). Returns the bytes
 * needed, writes at most cap. */
size_t __crt_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap);
#endif
