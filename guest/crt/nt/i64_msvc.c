/*
 * The MSVC x86 64-bit arithmetic helpers the compiler calls for
 * --target=i686-pc-windows-msvc. Their conventions are fixed by MSVC:
 *  - __alldiv __aulldiv __allrem __aullrem __allmul: two 64-bit operands on
 *    the stack (a then b), callee pops 16 bytes, result in EDX:EAX;
 *  - __alldvrm __aulldvrm: the same, quotient in EDX:EAX and remainder in
 *    EBX:ECX;
 *  - __allshl __allshr __aullshr: value in EDX:EAX, count in CL, result in
 *    EDX:EAX, nothing on the stack.
 * The symbol names are undecorated, hence the asm labels.
 */
#include "../crt_internal.h"

#define HELPER(ret, name, sym) __attribute__((used)) ret __stdcall name(int64_t a, int64_t b) __asm__(sym); \
  ret __stdcall name(int64_t a, int64_t b)

HELPER(int64_t, alldiv, "__alldiv") { return __crt_sdivmod64(a, b, 0); }
HELPER(int64_t, allrem, "__allrem") { int64_t r; __crt_sdivmod64(a, b, &r); return r; }
HELPER(uint64_t, aulldiv, "__aulldiv") { return __crt_udivmod64((uint64_t)a, (uint64_t)b, 0); }
HELPER(uint64_t, aullrem, "__aullrem") { uint64_t r; __crt_udivmod64((uint64_t)a, (uint64_t)b, &r); return r; }

/* The low 64 bits of the product; the high*high part falls off. */
HELPER(int64_t, allmul, "__allmul")
{
  uint32_t al = (uint32_t)a, ah = (uint32_t)((uint64_t)a >> 32);
  uint32_t bl = (uint32_t)b, bh = (uint32_t)((uint64_t)b >> 32);
  uint64_t lo;
  uint32_t p, q;
  __asm__("mull %2" : "=A"(lo) : "a"(al), "rm"(bl));
  p = ah * bl;
  q = al * bh;
  return (int64_t)(lo + ((uint64_t)(p + q) << 32));
}

/* Quotient and remainder at once: call the core with a slot for the
 * remainder below the arguments, then load it into EBX:ECX. */
#define DVRM(sym, core)                                                     \
  __attribute__((naked, used)) void sym##_impl(void) __asm__(#sym);          \
  void sym##_impl(void)                                                     \
  {                                                                         \
    __asm__ volatile("subl $8, %esp\n\t"   /* remainder slot */              \
                     "movl %esp, %eax\n\t"                                   \
                     "pushl %eax\n\t"      /* &rem */                        \
                     "pushl 28(%esp)\n\t"  /* b.hi */                        \
                     "pushl 28(%esp)\n\t"  /* b.lo */                        \
                     "pushl 28(%esp)\n\t"  /* a.hi */                        \
                     "pushl 28(%esp)\n\t"  /* a.lo */                        \
                     "call " #core "\n\t"                                    \
                     "addl $20, %esp\n\t"                                    \
                     "popl %ecx\n\t"                                         \
                     "popl %ebx\n\t"                                         \
                     "ret $16");                                             \
  }
DVRM(__aulldvrm, neptune_udivmod64)
DVRM(__alldvrm, neptune_sdivmod64)

__attribute__((naked, used)) void allshl_impl(void) __asm__("__allshl");
void allshl_impl(void)
{
  __asm__ volatile("cmpb $64, %cl\n\tjae 2f\n\t"
                   "cmpb $32, %cl\n\tjae 1f\n\t"
                   "shldl %cl, %eax, %edx\n\tshll %cl, %eax\n\tret\n"
                   "1:\n\tmovl %eax, %edx\n\txorl %eax, %eax\n\tandb $31, %cl\n\tshll %cl, %edx\n\tret\n"
                   "2:\n\txorl %eax, %eax\n\txorl %edx, %edx\n\tret");
}

__attribute__((naked, used)) void allshr_impl(void) __asm__("__allshr");
void allshr_impl(void)
{
  __asm__ volatile("cmpb $64, %cl\n\tjae 2f\n\t"
                   "cmpb $32, %cl\n\tjae 1f\n\t"
                   "shrdl %cl, %edx, %eax\n\tsarl %cl, %edx\n\tret\n"
                   "1:\n\tmovl %edx, %eax\n\tsarl $31, %edx\n\tandb $31, %cl\n\tsarl %cl, %eax\n\tret\n"
                   "2:\n\tsarl $31, %edx\n\tmovl %edx, %eax\n\tret");
}

__attribute__((naked, used)) void aullshr_impl(void) __asm__("__aullshr");
void aullshr_impl(void)
{
  __asm__ volatile("cmpb $64, %cl\n\tjae 2f\n\t"
                   "cmpb $32, %cl\n\tjae 1f\n\t"
                   "shrdl %cl, %edx, %eax\n\tshrl %cl, %edx\n\tret\n"
                   "1:\n\tmovl %edx, %eax\n\txorl %edx, %edx\n\tandb $31, %cl\n\tshrl %cl, %eax\n\tret\n"
                   "2:\n\txorl %eax, %eax\n\txorl %edx, %edx\n\tret");
}
