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
 *
 * Object invocations (CNode, Untyped, TCB, IRQ, the x86 VSpace objects) are Calls on the object's
 * cap with seL4's labels and argument order; they return the seL4_Error
 * the kernel put in EAX, with error details in the MRs as seL4 replies.
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

/* ---- object invocations (labels: src/kernel/invocation.ts, the one source; a test compares) ---- */

enum {
    seL4_UntypedRetype = 1, seL4_TCBReadRegisters, seL4_TCBWriteRegisters, seL4_TCBCopyRegisters, seL4_TCBConfigure,
    seL4_TCBSetPriority, seL4_TCBSetMCPriority, seL4_TCBSetSchedParams, seL4_TCBSetIPCBuffer, seL4_TCBSetSpace,
    seL4_TCBSuspend, seL4_TCBResume, seL4_TCBBindNotification, seL4_TCBUnbindNotification, seL4_TCBSetAffinity,
    seL4_TCBSetTLSBase, seL4_CNodeRevoke, seL4_CNodeDelete, seL4_CNodeCancelBadgedSends, seL4_CNodeCopy,
    seL4_CNodeMint, seL4_CNodeMove, seL4_CNodeMutate, seL4_CNodeRotate, seL4_CNodeSaveCaller,
    seL4_IRQIssueIRQHandler, seL4_IRQAckIRQ, seL4_IRQSetIRQHandler, seL4_IRQClearIRQHandler, seL4_DomainSetSet,
    seL4_X86PageDirectoryMap, seL4_X86PageDirectoryUnmap, seL4_X86PageDirectoryGetStatusBits, seL4_X86PageTableMap,
    seL4_X86PageTableUnmap, seL4_X86PageMap, seL4_X86PageUnmap, seL4_X86PageGetAddress, seL4_X86ASIDControlMakePool,
    seL4_X86ASIDPoolAssign,
};

/* Object types for Untyped_Retype (ia32). */
enum {
    seL4_UntypedObject = 0, seL4_TCBObject, seL4_EndpointObject, seL4_NotificationObject, seL4_CapTableObject,
    seL4_X86_4K, seL4_X86_LargePageObject, seL4_X86_PageTableObject, seL4_X86_PageDirectoryObject,
};

/* seL4_CapRights_t: Write 1, Read 2, Grant 4, GrantReply 8. */
typedef seL4_Word seL4_CapRights_t;
static inline seL4_CapRights_t seL4_CapRights_new(seL4_Word grantReply, seL4_Word grant, seL4_Word read, seL4_Word write)
{
    return (grantReply ? 8 : 0) | (grant ? 4 : 0) | (read ? 2 : 0) | (write ? 1 : 0);
}
#define seL4_AllRights 15
#define seL4_CanWrite 1
#define seL4_CanRead 2
#define seL4_CanGrant 4
#define seL4_CanGrantReply 8

/* seL4_UserContext (ia32), the order Read/WriteRegisters use. */
typedef struct seL4_UserContext_ {
    seL4_Word eip, esp, eflags, eax, ebx, ecx, edx, esi, edi, ebp, fs_base, gs_base;
} seL4_UserContext;

static inline void seL4_SetCap(int i, seL4_CPtr cptr) { seL4_GetIPCBuffer()->caps_or_badges[i] = cptr; }
static inline seL4_Word seL4_GetBadge(int i) { return seL4_GetIPCBuffer()->caps_or_badges[i]; }
static inline void seL4_SetCapReceivePath(seL4_CPtr cnode, seL4_CPtr index, seL4_Word depth)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    b->receiveCNode = cnode;
    b->receiveIndex = index;
    b->receiveDepth = depth;
}

/* Call returning the kernel's seL4_Error (EAX) and the reply's message info. */
static inline seL4_Error seL4_CallWithError(seL4_CPtr dest, seL4_MessageInfo_t *info)
{
    seL4_IPCBuffer *buf = seL4_GetIPCBuffer();
    seL4_Word b = dest, m0 = buf->msg[0], m1 = buf->msg[1];
    seL4_Error e = seL4_RawSyscall(seL4_SysCall, &b, info, &m0, &m1);
    buf->msg[0] = m0;
    buf->msg[1] = m1;
    return e;
}
/* One invocation: `len` MRs already set (MR0.. via seL4_SetMR), `caps` CPtrs via seL4_SetCap. */
static inline seL4_Error sel4_invoke_(seL4_CPtr service, seL4_Word label, seL4_Word caps, seL4_Word len)
{
    seL4_MessageInfo_t info = seL4_MessageInfo_new(label, 0, caps, len);
    return seL4_CallWithError(service, &info);
}

static inline seL4_Error seL4_Untyped_Retype(seL4_CPtr service, seL4_Word type, seL4_Word size_bits, seL4_CPtr root,
    seL4_Word node_index, seL4_Word node_depth, seL4_Word node_offset, seL4_Word num_objects)
{
    seL4_SetMR(0, type); seL4_SetMR(1, size_bits); seL4_SetMR(2, node_index); seL4_SetMR(3, node_depth);
    seL4_SetMR(4, node_offset); seL4_SetMR(5, num_objects); seL4_SetCap(0, root);
    return sel4_invoke_(service, seL4_UntypedRetype, 1, 6);
}

static inline seL4_Error sel4_cnode_slot_(seL4_CPtr service, seL4_Word label, seL4_Word index, seL4_Word depth)
{
    seL4_SetMR(0, index); seL4_SetMR(1, depth);
    return sel4_invoke_(service, label, 0, 2);
}
static inline seL4_Error seL4_CNode_Revoke(seL4_CPtr service, seL4_Word index, seL4_Word depth) { return sel4_cnode_slot_(service, seL4_CNodeRevoke, index, depth); }
static inline seL4_Error seL4_CNode_Delete(seL4_CPtr service, seL4_Word index, seL4_Word depth) { return sel4_cnode_slot_(service, seL4_CNodeDelete, index, depth); }
static inline seL4_Error seL4_CNode_CancelBadgedSends(seL4_CPtr service, seL4_Word index, seL4_Word depth) { return sel4_cnode_slot_(service, seL4_CNodeCancelBadgedSends, index, depth); }
static inline seL4_Error seL4_CNode_Copy(seL4_CPtr service, seL4_Word dest_index, seL4_Word dest_depth, seL4_CPtr src_root,
    seL4_Word src_index, seL4_Word src_depth, seL4_CapRights_t rights)
{
    seL4_SetMR(0, dest_index); seL4_SetMR(1, dest_depth); seL4_SetMR(2, src_index); seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights); seL4_SetCap(0, src_root);
    return sel4_invoke_(service, seL4_CNodeCopy, 1, 5);
}
static inline seL4_Error seL4_CNode_Mint(seL4_CPtr service, seL4_Word dest_index, seL4_Word dest_depth, seL4_CPtr src_root,
    seL4_Word src_index, seL4_Word src_depth, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_SetMR(0, dest_index); seL4_SetMR(1, dest_depth); seL4_SetMR(2, src_index); seL4_SetMR(3, src_depth);
    seL4_SetMR(4, rights); seL4_SetMR(5, badge); seL4_SetCap(0, src_root);
    return sel4_invoke_(service, seL4_CNodeMint, 1, 6);
}
static inline seL4_Error seL4_CNode_Move(seL4_CPtr service, seL4_Word dest_index, seL4_Word dest_depth, seL4_CPtr src_root,
    seL4_Word src_index, seL4_Word src_depth)
{
    seL4_SetMR(0, dest_index); seL4_SetMR(1, dest_depth); seL4_SetMR(2, src_index); seL4_SetMR(3, src_depth);
    seL4_SetCap(0, src_root);
    return sel4_invoke_(service, seL4_CNodeMove, 1, 4);
}
static inline seL4_Error seL4_CNode_Mutate(seL4_CPtr service, seL4_Word dest_index, seL4_Word dest_depth, seL4_CPtr src_root,
    seL4_Word src_index, seL4_Word src_depth, seL4_Word badge)
{
    seL4_SetMR(0, dest_index); seL4_SetMR(1, dest_depth); seL4_SetMR(2, src_index); seL4_SetMR(3, src_depth);
    seL4_SetMR(4, badge); seL4_SetCap(0, src_root);
    return sel4_invoke_(service, seL4_CNodeMutate, 1, 5);
}
static inline seL4_Error seL4_CNode_Rotate(seL4_CPtr service, seL4_Word dest_index, seL4_Word dest_depth, seL4_Word dest_badge,
    seL4_CPtr pivot_root, seL4_Word pivot_index, seL4_Word pivot_depth, seL4_Word pivot_badge,
    seL4_CPtr src_root, seL4_Word src_index, seL4_Word src_depth)
{
    seL4_SetMR(0, dest_index); seL4_SetMR(1, dest_depth); seL4_SetMR(2, pivot_index); seL4_SetMR(3, pivot_depth);
    seL4_SetMR(4, pivot_badge); seL4_SetMR(5, src_index); seL4_SetMR(6, src_depth); seL4_SetMR(7, dest_badge);
    seL4_SetCap(0, pivot_root); seL4_SetCap(1, src_root);
    return sel4_invoke_(service, seL4_CNodeRotate, 2, 8);
}

static inline seL4_Error seL4_TCB_Suspend(seL4_CPtr service) { return sel4_invoke_(service, seL4_TCBSuspend, 0, 0); }
static inline seL4_Error seL4_TCB_Resume(seL4_CPtr service) { return sel4_invoke_(service, seL4_TCBResume, 0, 0); }
static inline seL4_Error seL4_TCB_SetPriority(seL4_CPtr service, seL4_CPtr authority, seL4_Word priority)
{
    seL4_SetMR(0, priority); seL4_SetCap(0, authority);
    return sel4_invoke_(service, seL4_TCBSetPriority, 1, 1);
}
static inline seL4_Error seL4_TCB_SetMCPriority(seL4_CPtr service, seL4_CPtr authority, seL4_Word mcp)
{
    seL4_SetMR(0, mcp); seL4_SetCap(0, authority);
    return sel4_invoke_(service, seL4_TCBSetMCPriority, 1, 1);
}
static inline seL4_Error seL4_TCB_SetAffinity(seL4_CPtr service, seL4_Word affinity)
{
    seL4_SetMR(0, affinity);
    return sel4_invoke_(service, seL4_TCBSetAffinity, 0, 1);
}
static inline seL4_Error seL4_TCB_BindNotification(seL4_CPtr service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return sel4_invoke_(service, seL4_TCBBindNotification, 1, 0);
}
static inline seL4_Error seL4_TCB_UnbindNotification(seL4_CPtr service) { return sel4_invoke_(service, seL4_TCBUnbindNotification, 0, 0); }
static inline seL4_Error seL4_TCB_SetSpace(seL4_CPtr service, seL4_Word fault_ep, seL4_CPtr cspace_root, seL4_Word cspace_root_data,
    seL4_CPtr vspace_root, seL4_Word vspace_root_data)
{
    seL4_SetMR(0, fault_ep); seL4_SetMR(1, cspace_root_data); seL4_SetMR(2, vspace_root_data);
    seL4_SetCap(0, cspace_root); seL4_SetCap(1, vspace_root);
    return sel4_invoke_(service, seL4_TCBSetSpace, 2, 3);
}
static inline seL4_Error seL4_TCB_Configure(seL4_CPtr service, seL4_Word fault_ep, seL4_CPtr cspace_root, seL4_Word cspace_root_data,
    seL4_CPtr vspace_root, seL4_Word vspace_root_data, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetMR(0, fault_ep); seL4_SetMR(1, cspace_root_data); seL4_SetMR(2, vspace_root_data); seL4_SetMR(3, buffer);
    seL4_SetCap(0, cspace_root); seL4_SetCap(1, vspace_root); seL4_SetCap(2, bufferFrame);
    return sel4_invoke_(service, seL4_TCBConfigure, 3, 4);
}
static inline seL4_Error seL4_TCB_SetIPCBuffer(seL4_CPtr service, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetMR(0, buffer); seL4_SetCap(0, bufferFrame);
    return sel4_invoke_(service, seL4_TCBSetIPCBuffer, 1, 1);
}
/* The registers come back in MR0..count-1 (copied out to *regs). */
static inline seL4_Error seL4_TCB_ReadRegisters(seL4_CPtr service, seL4_Word suspend_source, seL4_Word arch_flags, seL4_Word count, seL4_UserContext *regs)
{
    (void)arch_flags;
    seL4_SetMR(0, suspend_source & 1); seL4_SetMR(1, count);
    seL4_Error e = sel4_invoke_(service, seL4_TCBReadRegisters, 0, 2);
    if (e == seL4_NoError) {
        seL4_Word *w = (seL4_Word *)regs;
        for (seL4_Word i = 0; i < count && i < sizeof(*regs) / sizeof(seL4_Word); i++) w[i] = seL4_GetMR((int)i);
    }
    return e;
}
static inline seL4_Error seL4_TCB_WriteRegisters(seL4_CPtr service, seL4_Word resume_target, seL4_Word arch_flags, seL4_Word count, const seL4_UserContext *regs)
{
    (void)arch_flags;
    const seL4_Word *w = (const seL4_Word *)regs;
    seL4_SetMR(0, resume_target & 1); seL4_SetMR(1, count);
    for (seL4_Word i = 0; i < count && i < sizeof(*regs) / sizeof(seL4_Word); i++) seL4_SetMR((int)(2 + i), w[i]);
    return sel4_invoke_(service, seL4_TCBWriteRegisters, 0, 2 + count);
}

static inline seL4_Error seL4_IRQControl_Get(seL4_CPtr service, seL4_Word irq, seL4_CPtr root, seL4_Word index, seL4_Word depth)
{
    seL4_SetMR(0, irq); seL4_SetMR(1, index); seL4_SetMR(2, depth); seL4_SetCap(0, root);
    return sel4_invoke_(service, seL4_IRQIssueIRQHandler, 1, 3);
}
static inline seL4_Error seL4_IRQHandler_Ack(seL4_CPtr service) { return sel4_invoke_(service, seL4_IRQAckIRQ, 0, 0); }
static inline seL4_Error seL4_IRQHandler_Clear(seL4_CPtr service) { return sel4_invoke_(service, seL4_IRQClearIRQHandler, 0, 0); }
static inline seL4_Error seL4_IRQHandler_SetNotification(seL4_CPtr service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return sel4_invoke_(service, seL4_IRQSetIRQHandler, 1, 0);
}

/* ---- x86 VSpace objects (ia32: the page directory is the VSpace root) ---- */

typedef seL4_CPtr seL4_X86_Page;
typedef seL4_CPtr seL4_X86_PageTable;
typedef seL4_CPtr seL4_X86_PageDirectory;
typedef seL4_CPtr seL4_X86_ASIDControl;
typedef seL4_CPtr seL4_X86_ASIDPool;
typedef seL4_Word seL4_X86_VMAttributes;
enum {
    seL4_X86_WriteBack = 0, seL4_X86_WriteThrough = 1, seL4_X86_CacheDisabled = 2, seL4_X86_Uncacheable = 4,
    seL4_X86_WriteCombining = 8, seL4_X86_Default_VMAttributes = 0,
};
typedef struct seL4_X86_Page_GetAddress_ {
    int error;
    seL4_Word paddr;
} seL4_X86_Page_GetAddress_t;

static inline seL4_Error seL4_X86_PageTable_Map(seL4_X86_PageTable service, seL4_CPtr vspace, seL4_Word vaddr, seL4_X86_VMAttributes attr)
{
    seL4_SetMR(0, vaddr); seL4_SetMR(1, attr); seL4_SetCap(0, vspace);
    return sel4_invoke_(service, seL4_X86PageTableMap, 1, 2);
}
static inline seL4_Error seL4_X86_PageTable_Unmap(seL4_X86_PageTable service) { return sel4_invoke_(service, seL4_X86PageTableUnmap, 0, 0); }
static inline seL4_Error seL4_X86_Page_Map(seL4_X86_Page service, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights, seL4_X86_VMAttributes attr)
{
    seL4_SetMR(0, vaddr); seL4_SetMR(1, rights); seL4_SetMR(2, attr); seL4_SetCap(0, vspace);
    return sel4_invoke_(service, seL4_X86PageMap, 1, 3);
}
static inline seL4_Error seL4_X86_Page_Unmap(seL4_X86_Page service) { return sel4_invoke_(service, seL4_X86PageUnmap, 0, 0); }
static inline seL4_X86_Page_GetAddress_t seL4_X86_Page_GetAddress(seL4_X86_Page service)
{
    seL4_X86_Page_GetAddress_t r;
    r.error = (int)sel4_invoke_(service, seL4_X86PageGetAddress, 0, 0);
    r.paddr = r.error == seL4_NoError ? seL4_GetMR(0) : 0;
    return r;
}
static inline seL4_Error seL4_X86_ASIDControl_MakePool(seL4_X86_ASIDControl service, seL4_CPtr untyped, seL4_CPtr root, seL4_Word index, seL4_Word depth)
{
    seL4_SetMR(0, index); seL4_SetMR(1, depth & 0xff); seL4_SetCap(0, untyped); seL4_SetCap(1, root);
    return sel4_invoke_(service, seL4_X86ASIDControlMakePool, 2, 2);
}
static inline seL4_Error seL4_X86_ASIDPool_Assign(seL4_X86_ASIDPool service, seL4_CPtr vspace)
{
    seL4_SetCap(0, vspace);
    return sel4_invoke_(service, seL4_X86ASIDPoolAssign, 1, 0);
}

#endif
