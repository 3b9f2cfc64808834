/*
 * sel4-notify: two threads bouncing notifications (signal -> wake latency;
 * no NT, no CRT). The root task (bench/suites/ipc.ts, tests/kernel) starts
 * both at this entry with one stack argument:
 *
 *   role 0      the responder: forever Wait on PING, then Signal PONG;
 *               every word received must be the ping badge.
 *   role N > 0  the initiator: N times Signal PING, then Wait on PONG
 *               (checking the word), then it reports.
 *
 * Capabilities (a CPtr is a slot number):
 *   1  PING notification (initiator: Write, badged 0x11; responder: Read)
 *   2  PONG notification (responder: Write, badged 0x22; initiator: Read)
 *   3  the report endpoint (Write): label 5, MR0 = rounds, MR1 = bad words
 */
#include <sel4.h>

#define PING 1
#define PONG 2
#define REPORT 3

static void responder(void)
{
    for (;;) {
        seL4_Word word = 0;
        seL4_Wait(PING, &word);
        seL4_Signal(PONG);
    }
}

static void initiator(seL4_Word n)
{
    seL4_Word bad = 0;
    for (seL4_Word i = 0; i < n; i++) {
        seL4_Word word = 0;
        seL4_Signal(PING);
        seL4_Wait(PONG, &word);
        if (word != 0x22) bad++;
    }
    for (;;) {
        seL4_SetMR(0, n);
        seL4_SetMR(1, bad);
        seL4_Send(REPORT, seL4_MessageInfo_new(5, 0, 0, 2));
    }
}

unsigned long __stdcall NtProcessStartup(unsigned long role)
{
    if (role == 0) responder();
    else initiator(role);
    return 0;
}
