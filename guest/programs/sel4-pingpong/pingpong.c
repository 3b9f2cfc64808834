/*
 * sel4-pingpong: two threads of one address space talking over an seL4
 * endpoint (no NT, no CRT). The root task (tests/kernel/core.test.ts,
 * bench/suites/ipc.ts) starts both at this entry with one stack argument:
 *
 *   role 0      the server: Recv, then ReplyRecv forever; label 1 requests
 *               (MR0, MR1 in registers) get MR0*3+1 and the badge back;
 *               label 2 ("quit", 3 words, MR2 in the IPC buffer) gets the
 *               number of requests served, then the server reports.
 *   role N > 0  the client: N Calls with a 2-word message, checking every
 *               reply, then the quit Call, then it reports.
 *
 * Capabilities (each thread's CNode, a CPtr is a slot number):
 *   1  the endpoint (client: badged, Write + GrantReply; server: Read)
 *   2  the report endpoint (Write); the root task receives the reports:
 *      label 3 from the client (MR0 = replies checked good, MR1 = bad),
 *      label 4 from the server (MR0 = requests served, MR1 = bad ones).
 */
#include <sel4.h>

#define EP 1
#define REPORT 2
#define CLIENT_BADGE 0x42

static void report(seL4_Word label, seL4_Word good, seL4_Word bad)
{
    for (;;) {
        seL4_SetMR(0, good);
        seL4_SetMR(1, bad);
        seL4_Send(REPORT, seL4_MessageInfo_new(label, 0, 0, 2));
    }
}

static void server(void)
{
    seL4_Word badge = 0, m0 = 0, m1 = 0, served = 0, bad = 0;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(EP, &badge, &m0, &m1);
    for (;;) {
        seL4_Word label = seL4_MessageInfo_get_label(info);
        if (label == 1 && seL4_MessageInfo_get_length(info) == 2) {
            if (badge != CLIENT_BADGE || m1 != (m0 ^ 0x5a5a)) bad++;
            served++;
            m0 = m0 * 3 + 1;
            m1 = badge;
            info = seL4_ReplyRecvWithMRs(EP, seL4_MessageInfo_new(0, 0, 0, 2), &badge, &m0, &m1);
        } else if (label == 2) {
            if (seL4_MessageInfo_get_length(info) != 3 || seL4_GetMR(2) != served) bad++;
            seL4_SetMR(0, served);
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
            report(4, served, bad);
        } else {
            bad++;
            info = seL4_RecvWithMRs(EP, &badge, &m0, &m1);
        }
    }
}

static void client(seL4_Word n)
{
    seL4_Word good = 0, bad = 0;
    for (seL4_Word i = 0; i < n; i++) {
        seL4_Word m0 = i, m1 = i ^ 0x5a5a;
        seL4_MessageInfo_t info = seL4_CallWithMRs(EP, seL4_MessageInfo_new(1, 0, 0, 2), &m0, &m1);
        if (seL4_MessageInfo_get_length(info) == 2 && m0 == i * 3 + 1 && m1 == CLIENT_BADGE) good++;
        else bad++;
    }
    seL4_SetMR(0, 0xdead);
    seL4_SetMR(1, 0);
    seL4_SetMR(2, n);
    seL4_MessageInfo_t info = seL4_Call(EP, seL4_MessageInfo_new(2, 0, 0, 3));
    if (seL4_MessageInfo_get_length(info) != 1 || seL4_GetMR(0) != n) bad++;
    report(3, good, bad);
}

unsigned long __stdcall NtProcessStartup(unsigned long role)
{
    if (role == 0) server();
    else client(role);
    return 0;
}
