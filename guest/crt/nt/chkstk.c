/*
 * __chkstk (also _alloca_probe), the i386 MSVC form: EAX = bytes the caller
 * wants below its return address. Touches every page on the way down so a
 * stack that grows through guard pages grows in order, then moves ESP and
 * returns to the caller with the space allocated. Our own code is built with
 * -mno-stack-arg-probe and never calls it; user code built without that
 * flag (big locals, alloca) does.
 */
#include "../crt_internal.h"

__attribute__((naked, used)) void chkstk_impl(void) __asm__("__chkstk");
void chkstk_impl(void)
{
  __asm__ volatile(
      ".globl __alloca_probe\n"
      "__alloca_probe:\n\t"
      "pushl %ecx\n\t"
      "leal 8(%esp), %ecx\n"        /* the caller's ESP once we return */
      "1:\n\t"
      "cmpl $0x1000, %eax\n\t"
      "jb 2f\n\t"
      "subl $0x1000, %ecx\n\t"
      "testl %eax, (%ecx)\n\t"      /* probe this page */
      "subl $0x1000, %eax\n\t"
      "jmp 1b\n"
      "2:\n\t"
      "subl %eax, %ecx\n\t"
      "testl %eax, (%ecx)\n\t"
      "movl %esp, %eax\n\t"         /* -> saved ECX, return address above */
      "movl %ecx, %esp\n\t"
      "movl (%eax), %ecx\n\t"
      "pushl 4(%eax)\n\t"           /* return address onto the new stack */
      "ret");
}
