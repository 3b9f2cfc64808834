/* setjmp.h: neptune CRT. jmp_buf holds EBX ESI EDI EBP ESP EIP (16 slots as
 * MSVC's, the rest reserved). longjmp does not unwind SEH frames. */
#ifndef NEPTUNE_SETJMP_H
#define NEPTUNE_SETJMP_H
typedef int jmp_buf[16];
__attribute__((returns_twice)) int setjmp(jmp_buf env);
__attribute__((noreturn)) void longjmp(jmp_buf env, int value);
#endif
