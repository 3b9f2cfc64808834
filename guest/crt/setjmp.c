/*
 * setjmp/longjmp: save and restore the callee-saved registers (EBX ESI EDI
 * EBP), the stack pointer as it is after setjmp returns, and the return
 * address. Naked so the compiler adds no frame of its own.
 */
#include <setjmp.h>

__attribute__((naked, returns_twice)) int setjmp(jmp_buf env)
{
  __asm__ volatile("movl 4(%esp), %edx\n\t"
                   "movl %ebx, 0(%edx)\n\t"
                   "movl %esi, 4(%edx)\n\t"
                   "movl %edi, 8(%edx)\n\t"
                   "movl %ebp, 12(%edx)\n\t"
                   "leal 4(%esp), %ecx\n\t"   /* ESP after our ret */
                   "movl %ecx, 16(%edx)\n\t"
                   "movl (%esp), %ecx\n\t"    /* return address */
                   "movl %ecx, 20(%edx)\n\t"
                   "xorl %eax, %eax\n\t"
                   "ret");
}

__attribute__((naked, noreturn)) void longjmp(jmp_buf env, int value)
{
  __asm__ volatile("movl 4(%esp), %edx\n\t"
                   "movl 8(%esp), %eax\n\t"
                   "testl %eax, %eax\n\t"     /* longjmp(env, 0) returns 1 */
                   "jnz 1f\n\t"
                   "incl %eax\n"
                   "1:\n\t"
                   "movl 0(%edx), %ebx\n\t"
                   "movl 4(%edx), %esi\n\t"
                   "movl 8(%edx), %edi\n\t"
                   "movl 12(%edx), %ebp\n\t"
                   "movl 16(%edx), %esp\n\t"
                   "jmp *20(%edx)");
}
