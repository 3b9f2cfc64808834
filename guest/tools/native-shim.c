/*
 * The CRT's platform layer for i386 Linux, used only to run guest test
 * programs natively on the host CPU (guest/tools/native-expected.mjs): the
 * same CRT sources (printf, strings) with write/exit/mmap through
 * int 0x80 instead of the NT services, mmap feeding native-malloc.c (the
 * NT CRT's malloc is ntdll's heap), plus the libgcc-named 64-bit
 * division helpers clang calls on this target.
 */
#include "../crt/crt_internal.h"

int main(int argc, char **argv, char **envp);

static int sys1(int nr, int a)
{
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a) : "memory");
  return r;
}

static int sys3(int nr, int a, int b, int c)
{
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}

void __crt_sys_write(int fd, const char *s, size_t n)
{
  while (n) {
    int r = sys3(4 /* write */, fd, (int)s, (int)n);
    if (r <= 0)
      return;
    s += r;
    n -= (size_t)r;
  }
}

void __crt_sys_exit(int status)
{
  sys1(252 /* exit_group */, status);
  for (;;)
    ;
}

void *__crt_sys_alloc(size_t bytes)
{
  /* old_mmap takes its six arguments in a block. */
  int args[6] = {0, (int)bytes, 3 /* PROT_READ|WRITE */, 0x22 /* MAP_PRIVATE|ANONYMOUS */, -1, 0};
  int r = sys1(90 /* mmap */, (int)args);
  return (unsigned)r > 0xFFFFF000u ? NULL : (void *)r;
}

void __crt_sys_free(void *p, size_t bytes)
{
  sys3(91 /* munmap */, (int)p, (int)bytes, 0);
}

/* Entry: the kernel leaves argc, argv[], NULL, envp[], NULL on the stack. */
__attribute__((used, noreturn)) static void start_c(int *sp)
{
  extern void exit(int);
  int argc = sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  __crt_set_environ(envp);
  exit(main(argc, argv, envp));
  for (;;)
    ;
}

__attribute__((naked, noreturn)) void _start(void)
{
  __asm__ volatile("xorl %ebp, %ebp\n\t"
                   "movl %esp, %eax\n\t"
                   "andl $-16, %esp\n\t"
                   "subl $12, %esp\n\t"
                   "pushl %eax\n\t"
                   "call start_c\n\t"
                   "hlt");
}

/* libgcc's names for what MSVC calls __alldiv & co (cdecl here). */
int64_t __divdi3(int64_t a, int64_t b) { return __crt_sdivmod64(a, b, 0); }
int64_t __moddi3(int64_t a, int64_t b) { int64_t r; __crt_sdivmod64(a, b, &r); return r; }
uint64_t __udivdi3(uint64_t a, uint64_t b) { return __crt_udivmod64(a, b, 0); }
uint64_t __umoddi3(uint64_t a, uint64_t b) { uint64_t r; __crt_udivmod64(a, b, &r); return r; }
