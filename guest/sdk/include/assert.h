/* assert.h: neptune CRT. A failed assertion prints the expression and
 * location to stderr and aborts (exit status 3, as MSVC's abort()). */
#ifndef NEPTUNE_ASSERT_H
#define NEPTUNE_ASSERT_H
__attribute__((noreturn)) void __crt_assert_fail(const char *expr, const char *file, int line);
#endif
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __crt_assert_fail(#e, __FILE__, __LINE__))
#endif
