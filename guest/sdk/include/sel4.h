/*
 * sel4.h: user-side seL4 system calls for neptune's kernel (i386 ABI,
 * docs/kernel.md "The i386 user ABI"). Freestanding: no CRT, no ntdll.
 *
 *   sysenter   EAX  in: syscall number (seL4's)     out: seL4_Error (neptune; 0 = ok)
 *              EBX  in: capability (CPtr)           out: badge
 *              ESI  in: seL4_MessageInfo            out: seL4_MessageInfo
 *              EDI  in/out: MR0      EBP in/out: MR1
 *              MR2.. in the thread's IPC buffer; ECX/EDX are clobbered.
 *
 * The IPC buffer is found through GS: the root task sets a thread's GS base
 * to its IPC buffer and the buffer's userData word to the buffer's own
 * address, so seL4_GetIPCBuffer() is one gs-relative load.
 */
#ifndef NEPTUNE_SEL4_H
#define NEPTUNE_SEL4_H

typedef unsigned long seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Word seL4_MessageInfo_t;
typedef long seL4_Error;

enum {
    seL4_SysCall = -1,
    seL4_SysReplyRecv = -2,
    seL4_SysSend = -3,
    seL4_SysNBSend = -4,
    seL4_SysRecv = -5,
    seL4_SysReply = -6,
    seL4_SysYield = -7,
    seL4_SysNBRecv = -8,
};

enum {
    seL4_NoError = 0, seL4_InvalidArgument, seL4_InvalidCapability, seL4_IllegalOperation, seL4_RangeError,
    seL4_AlignmentError, seL4_FailedLookup, seL4_TruncatedMessage, seL4_DeleteFirst, seL4_RevokeFirst,
    seL4_NotEnoughMemory,
};

/* Fault labels (non-MCS ia32) and their message lengths. */
enum {
    seL4_Fault_NullFault = 0, seL4_Fault_CapFault = 1, seL4_Fault_UnknownSyscall = 2,
    seL4_Fault_UserException = 3, seL4_Fault_VMFault = 5,
};

#define seL4_MsgMaxLength 120
#define seL4_FastMessageRegisters 2

typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[seL4_MsgMaxLength];
    seL4_Word userData;
    seL4_Word caps_or_badges[3];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} seL4_IPCBuffer;

_Static_assert(sizeof(seL4_IPCBuffer) == 512, "seL4_IPCBuffer is 128 words");

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Word label, seL4_Word capsUnwrapped, seL4_Word extraCaps, seL4_Word length)
{
    return (label << 12) | ((capsUnwrapped & 7) << 9) | ((extraCaps & 3) << 7) | (length & 0x7f);
}
static inline seL4_Word seL4_MessageInfo_get_label(seL4_MessageInfo_t i) { return i >> 12; }
static inline seL4_Word seL4_MessageInfo_get_length(seL4_MessageInfo_t i) { return i & 0x7f; }
static inline seL4_Word seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t i) { return (i >> 7) & 3; }
static inline seL4_Word seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t i) { return (i >> 9) & 7; }

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void)
{
    seL4_IPCBuffer *b;
    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(b) : "i"(__builtin_offsetof(seL4_IPCBuffer, userData)));
    return b;
}
static inline seL4_Word seL4_GetMR(int i) { return seL4_GetIPCBuffer()->msg[i]; }
static inline void seL4_SetMR(int i, seL4_Word v) { seL4_GetIPCBuffer()->msg[i] = v; }

/*
 * The one trap. EBP carries MR1, so it is saved around sysenter by hand
 * (the compiler may be using it as the frame pointer); MR1 travels through
 * ECX on the way in and out.
 */
static inline seL4_Error seL4_RawSyscall(long sys, seL4_Word *cap_badge, seL4_Word *info, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word a = (seL4_Word)sys, b = *cap_badge, s = *info, d = *mr0, c = *mr1;
    __asm__ volatile(
        "pushl %%ebp\n\t"
        "movl %%ecx, %%ebp\n\t"
        "sysenter\n\t"
        "movl %%ebp, %%ecx\n\t"
        "popl %%ebp"
        : "+a"(a), "+b"(b), "+S"(s), "+D"(d), "+c"(c)
        :
        : "edx", "memory", "cc");
    *cap_badge = b;
    *info = s;
    *mr0 = d;
    *mr1 = c;
    return (seL4_Error)a;
}

/* Sends MR0/MR1 in registers (from the IPC buffer, as libsel4 does) and stores received ones back. */
static inline seL4_MessageInfo_t sel4_ipc_(long sys, seL4_CPtr cap, seL4_MessageInfo_t info, seL4_Word *badge)
{
    seL4_IPCBuffer *buf = seL4_GetIPCBuffer();
    seL4_Word b = cap, m0 = buf->msg[0], m1 = buf->msg[1];
    seL4_RawSyscall(sys, &b, &info, &m0, &m1);
    buf->msg[0] = m0;
    buf->msg[1] = m1;
    if (badge) *badge = b;
    return info;
}

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t info) { sel4_ipc_(seL4_SysSend, dest, info, 0); }
static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t info) { sel4_ipc_(seL4_SysNBSend, dest, info, 0); }
static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t info) { return sel4_ipc_(seL4_SysCall, dest, info, 0); }
static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *badge) { return sel4_ipc_(seL4_SysRecv, src, 0, badge); }
static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *badge) { return sel4_ipc_(seL4_SysNBRecv, src, 0, badge); }
static inline void seL4_Reply(seL4_MessageInfo_t info) { sel4_ipc_(seL4_SysReply, 0, info, 0); }
static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t info, seL4_Word *badge) { return sel4_ipc_(seL4_SysReplyRecv, src, info, badge); }
static inline void seL4_Yield(void) { seL4_Word b = 0, i = 0, m0 = 0, m1 = 0; seL4_RawSyscall(seL4_SysYield, &b, &i, &m0, &m1); }
/* Notifications: Signal is Send on a notification cap, Wait is Recv, Poll is NBRecv; the word arrives as the badge. */
static inline void seL4_Signal(seL4_CPtr dest) { seL4_Word b = dest, i = 0, m0 = 0, m1 = 0; seL4_RawSyscall(seL4_SysSend, &b, &i, &m0, &m1); }
static inline void seL4_Wait(seL4_CPtr src, seL4_Word *sender) { seL4_Word b = src, i = 0, m0 = 0, m1 = 0; seL4_RawSyscall(seL4_SysRecv, &b, &i, &m0, &m1); if (sender) *sender = b; }
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender) { seL4_Word b = src, i = 0, m0 = 0, m1 = 0; seL4_RawSyscall(seL4_SysNBRecv, &b, &i, &m0, &m1); if (sender) *sender = b; return i; }

/* Register-only forms (no IPC buffer access): the message is MR0/MR1 only. */
static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t info, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = dest;
    seL4_RawSyscall(seL4_SysCall, &b, &info, mr0, mr1);
    return info;
}
static inline seL4_MessageInfo_t seL4_RecvWithMRs(seL4_CPtr src, seL4_Word *badge, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = src, info = 0;
    seL4_RawSyscall(seL4_SysRecv, &b, &info, mr0, mr1);
    if (badge) *badge = b;
    return info;
}
static inline seL4_MessageInfo_t seL4_ReplyRecvWithMRs(seL4_CPtr src, seL4_MessageInfo_t info, seL4_Word *badge, seL4_Word *mr0, seL4_Word *mr1)
{
    seL4_Word b = src;
    seL4_RawSyscall(seL4_SysReplyRecv, &b, &info, mr0, mr1);
    if (badge) *badge = b;
    return info;
}

#endif
