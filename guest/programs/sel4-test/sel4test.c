/*
 * sel4-test: guest-level kernel behaviour tests in the categories of seL4's
 * own sel4test, written from the reference manual (no NT, no CRT). The
 * root task (tests/kernel/sel4-test.test.ts) builds one address space and
 * starts these threads at this entry with a role on the stack:
 *
 *   role 0  the tester (priority 100): runs the checks below, one report
 *           per category on REPORT: label = category, MR0 = checks passed,
 *           MR1 = checks failed, MR2 = the source line of the first failure
 *   role 1  the echo server (priority 200) on EP
 *   role 2  scheduling helper A (priority 150, started suspended)
 *   role 3  scheduling helper B (priority 120, started suspended)
 *   role 4  the faulter (priority 90, started suspended; fault endpoint FEP)
 *   role 5  the prober (priority 90, started suspended; fault endpoint FEP,
 *           badge 0xE): the VSPACE checks point it at one access (probe())
 *
 * The tester's CNode (a CPtr is a slot number, depth 32):
 *   1 its own CNode  2 its TCB  3 a 16 KiB untyped  4 EP (all rights, badge 0x77)
 *   5 REPORT  6 NTFN  7 helper A's TCB  8 helper B's TCB  9 the faulter's TCB
 *   10 FEP (Read)  11 EP2 (all rights)  12 its VSpace (page directory)
 *   13 ASID control  14 the prober's TCB  15 a 32 KiB untyped  20.. scratch
 * The server's: 1 its CNode  4 EP (Read)  (received caps land in 20)
 * Helpers: 11 EP2 (Read). The faulter: 10 FEP (Write, GrantReply, badge 0xF).
 * The prober: 10 FEP (Write, GrantReply, badge 0xE).
 */
#include <sel4.h>

#define SELF_CNODE 1
#define SELF_TCB 2
#define UNTYPED 3
#define EP 4
#define REPORT 5
#define NTFN 6
#define TCB_A 7
#define TCB_B 8
#define TCB_FAULTER 9
#define FEP 10
#define EP2 11
#define VSPACE 12
#define ASID_CONTROL 13
#define TCB_PROBER 14
#define UNTYPED2 15
#define RECV_SLOT 20
#define D 32

enum { CAT_IPC = 1, CAT_CNODE, CAT_UNTYPED, CAT_NOTIFICATION, CAT_SCHEDULING, CAT_FAULTS, CAT_BAD_INVOCATIONS, CAT_VSPACE };

/* Shared by the threads of this address space. */
static volatile seL4_Word order[8];
static volatile seL4_Word order_len;
static volatile seL4_Word last_send;

static seL4_Word passed, failed, first_fail;
#define CHECK(c) do { if (c) passed++; else { if (!failed) first_fail = __LINE__; failed++; } } while (0)

static void report(seL4_Word category)
{
    seL4_SetMR(0, passed);
    seL4_SetMR(1, failed);
    seL4_SetMR(2, first_fail);
    seL4_Send(REPORT, seL4_MessageInfo_new(category, 0, 0, 3));
    passed = failed = first_fail = 0;
}

/* ---- role 1: the echo server ---------------------------------------------------------------- */
static void server(void)
{
    seL4_Word badge = 0;
    seL4_SetCapReceivePath(SELF_CNODE, RECV_SLOT, D);
    seL4_MessageInfo_t info = seL4_Recv(EP, &badge);
    for (;;) {
        seL4_Word label = seL4_MessageInfo_get_label(info), len = seL4_MessageInfo_get_length(info);
        seL4_MessageInfo_t reply = seL4_MessageInfo_new(0, 0, 0, 0);
        if (label == 1) {                       /* echo: every MR + 1, label = badge */
            for (seL4_Word i = 0; i < len; i++) seL4_SetMR((int)i, seL4_GetMR((int)i) + 1);
            reply = seL4_MessageInfo_new(badge, 0, 0, len);
        } else if (label == 2) {                /* a cap arrived: signal it, answer how many came */
            seL4_Word caps = seL4_MessageInfo_get_extraCaps(info);
            if (caps == 1) {
                seL4_Signal(RECV_SLOT);
                seL4_CNode_Delete(SELF_CNODE, RECV_SLOT, D);
            }
            seL4_SetMR(0, caps);
            reply = seL4_MessageInfo_new(0, 0, 0, 1);
        } else if (label == 3) {                /* a plain Send: remember MR0 */
            last_send = seL4_GetMR(0);
        }
        seL4_SetCapReceivePath(SELF_CNODE, RECV_SLOT, D);
        info = seL4_ReplyRecv(EP, reply, &badge);
    }
}

/* ---- roles 2, 3: scheduling helpers; role 4: the faulter ------------------------------------- */
static void helper(seL4_Word id)
{
    order[order_len++] = id;
    for (;;) seL4_Recv(EP2, 0);
}

static void faulter(void)
{
    *(volatile seL4_Word *)0x10 = 1;            /* VMFault: nothing is mapped at 0 */
    for (;;) seL4_Yield();
}

/* The prober's one access (set by probe()); it reports success with a Send of label PROBE_OK on FEP. */
#define PROBE_OK 0x55
static volatile seL4_Word probe_addr, probe_write, probe_value;

static void prober(void)
{
    if (probe_write) *(volatile seL4_Word *)probe_addr = probe_value;
    else probe_value = *(volatile seL4_Word *)probe_addr;
    seL4_Send(FEP, seL4_MessageInfo_new(PROBE_OK, 0, 0, 0));
    for (;;) seL4_Yield();
}

/* ---- role 0: the tester --------------------------------------------------------------------- */
static seL4_Error call(seL4_CPtr cap, seL4_MessageInfo_t *info) { return seL4_CallWithError(cap, info); }

static void test_ipc(void)
{
    /* Call/ReplyRecv with a short message; the badge comes back as the label. */
    seL4_SetMR(0, 10);
    seL4_SetMR(1, 20);
    seL4_MessageInfo_t info = seL4_MessageInfo_new(1, 0, 0, 2);
    CHECK(call(EP, &info) == seL4_NoError);
    CHECK(seL4_MessageInfo_get_label(info) == 0x77 && seL4_MessageInfo_get_length(info) == 2);
    CHECK(seL4_GetMR(0) == 11 && seL4_GetMR(1) == 21);
    /* A long message through the IPC buffer. */
    for (int i = 0; i < 100; i++) seL4_SetMR(i, (seL4_Word)i * 7);
    info = seL4_MessageInfo_new(1, 0, 0, 100);
    CHECK(call(EP, &info) == seL4_NoError && seL4_MessageInfo_get_length(info) == 100);
    int good = 1;
    for (int i = 0; i < 100; i++) if (seL4_GetMR(i) != (seL4_Word)i * 7 + 1) good = 0;
    CHECK(good);
    /* Longer than seL4_MsgMaxLength is cut to it. */
    info = seL4_MessageInfo_new(1, 0, 0, 127);
    CHECK(call(EP, &info) == seL4_NoError && seL4_MessageInfo_get_length(info) == seL4_MsgMaxLength);
    /* Cap transfer: a badged notification cap goes to the server, which signals it. */
    CHECK(seL4_CNode_Mint(SELF_CNODE, 21, D, SELF_CNODE, NTFN, D, seL4_AllRights, 0x5) == seL4_NoError);
    seL4_SetCap(0, 21);
    info = seL4_MessageInfo_new(2, 0, 1, 0);
    CHECK(call(EP, &info) == seL4_NoError && seL4_GetMR(0) == 1);
    seL4_Word word = 0;
    seL4_Poll(NTFN, &word);
    CHECK(word == 0x5);
    /* Send (no reply expected): the server runs at once (higher priority). */
    seL4_SetMR(0, 0xabc);
    seL4_Send(EP, seL4_MessageInfo_new(3, 0, 0, 1));
    CHECK(last_send == 0xabc);
    /* NBSend with nobody waiting is dropped; NBRecv with nobody sending returns badge 0. */
    seL4_NBSend(EP2, seL4_MessageInfo_new(9, 0, 0, 0));
    seL4_Word badge = 0x1234;
    seL4_NBRecv(EP2, &badge);
    CHECK(badge == 0);
    seL4_Yield();
    CHECK(1);
    report(CAT_IPC);
}

static void test_cnode(void)
{
    seL4_MessageInfo_t info;
    CHECK(seL4_CNode_Copy(SELF_CNODE, 22, D, SELF_CNODE, EP, D, seL4_AllRights) == seL4_NoError);
    CHECK(seL4_CNode_Copy(SELF_CNODE, 22, D, SELF_CNODE, EP, D, seL4_AllRights) == seL4_DeleteFirst);
    CHECK(seL4_CNode_Copy(SELF_CNODE, 23, D, SELF_CNODE, 60, D, seL4_AllRights) == seL4_FailedLookup);
    /* A copy keeps the badge (0x77); a Mint of an unbadged cap sets one. */
    seL4_SetMR(0, 1);
    info = seL4_MessageInfo_new(1, 0, 0, 1);
    CHECK(call(22, &info) == seL4_NoError && seL4_MessageInfo_get_label(info) == 0x77);
    CHECK(seL4_CNode_Mint(SELF_CNODE, 23, D, SELF_CNODE, EP2, D, seL4_AllRights, 0x99) == seL4_NoError);
    CHECK(seL4_CNode_Move(SELF_CNODE, 24, D, SELF_CNODE, 23, D) == seL4_NoError);
    info = seL4_MessageInfo_new(1, 0, 0, 0);
    CHECK(call(23, &info) == seL4_InvalidCapability);      /* moved away */
    /* Mutate keeps the derivation but an endpoint cap cannot be changed that way (seL4: null cap). */
    CHECK(seL4_CNode_Mutate(SELF_CNODE, 25, D, SELF_CNODE, 24, D, 0) == seL4_IllegalOperation);
    CHECK(seL4_CNode_Move(SELF_CNODE, 25, D, SELF_CNODE, 24, D) == seL4_NoError);
    /* Rotate (unbadged caps: a badged endpoint cap cannot take new badge data, IllegalOperation). */
    CHECK(seL4_CNode_Rotate(SELF_CNODE, 26, D, 0, SELF_CNODE, 25, D, 0, SELF_CNODE, 22, D) == seL4_IllegalOperation);
    CHECK(seL4_CNode_Delete(SELF_CNODE, 25, D) == seL4_NoError);
    CHECK(seL4_CNode_Delete(SELF_CNODE, 25, D) == seL4_NoError);   /* empty: fine */
    CHECK(seL4_CNode_Copy(SELF_CNODE, 28, D, SELF_CNODE, TCB_A, D, seL4_AllRights) == seL4_NoError);
    CHECK(seL4_CNode_Copy(SELF_CNODE, 29, D, SELF_CNODE, TCB_B, D, seL4_AllRights) == seL4_NoError);
    CHECK(seL4_CNode_Rotate(SELF_CNODE, 30, D, 0, SELF_CNODE, 29, D, 0, SELF_CNODE, 28, D) == seL4_NoError);
    seL4_UserContext ra, rb, r29, r30;
    CHECK(seL4_TCB_ReadRegisters(TCB_A, 0, 0, 2, &ra) == seL4_NoError && seL4_TCB_ReadRegisters(TCB_B, 0, 0, 2, &rb) == seL4_NoError);
    CHECK(seL4_TCB_ReadRegisters(29, 0, 0, 2, &r29) == seL4_NoError && seL4_TCB_ReadRegisters(30, 0, 0, 2, &r30) == seL4_NoError);
    CHECK(ra.esp != rb.esp && r30.esp == rb.esp && r29.esp == ra.esp);   /* B's cap went to 30, A's to 29 */
    CHECK(seL4_CNode_Delete(SELF_CNODE, 29, D) == seL4_NoError && seL4_CNode_Delete(SELF_CNODE, 30, D) == seL4_NoError);
    CHECK(seL4_CNode_Delete(SELF_CNODE, 28, D) == seL4_NoError);       /* empty after the rotate */
    /* Revoke removes every cap derived from EP's slot (the copies in 22 and 27), not EP itself. */
    CHECK(seL4_CNode_Copy(SELF_CNODE, 27, D, SELF_CNODE, EP, D, seL4_AllRights) == seL4_NoError);
    CHECK(seL4_CNode_Revoke(SELF_CNODE, EP, D) == seL4_NoError);
    info = seL4_MessageInfo_new(1, 0, 0, 0);
    CHECK(call(27, &info) == seL4_InvalidCapability);
    CHECK(call(22, &info) == seL4_InvalidCapability);
    info = seL4_MessageInfo_new(1, 0, 0, 0);
    CHECK(call(EP, &info) == seL4_NoError);
    /* Errors: depth out of range, a truncated message. */
    CHECK(seL4_CNode_Delete(SELF_CNODE, 28, 0) == seL4_RangeError);
    CHECK(sel4_invoke_(SELF_CNODE, seL4_CNodeCopy, 0, 1) == seL4_TruncatedMessage);
    report(CAT_CNODE);
}

static void test_untyped(void)
{
    seL4_MessageInfo_t info;
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_EndpointObject, 0, SELF_CNODE, 0, 0, 30, 2) == seL4_NoError);
    seL4_Word badge = 0x1;
    seL4_NBRecv(30, &badge);                                   /* a fresh endpoint: nobody sends */
    CHECK(badge == 0);
    CHECK(seL4_Untyped_Retype(UNTYPED, 99, 0, SELF_CNODE, 0, 0, 32, 1) == seL4_InvalidArgument);
    CHECK(seL4_GetMR(0) == 0);                                 /* which argument */
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_EndpointObject, 0, SELF_CNODE, 0, 0, 32, 0) == seL4_RangeError);
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_EndpointObject, 0, SELF_CNODE, 0, 0, 30, 1) == seL4_DeleteFirst);
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_X86_4K, 0, SELF_CNODE, 0, 0, 32, 4) == seL4_NotEnoughMemory);
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_X86_4K, 0, SELF_CNODE, 0, 0, 32, 3) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_EndpointObject, 0, SELF_CNODE, 0, 0, 35, 1) == seL4_NotEnoughMemory);
    CHECK(seL4_GetMR(0) == 0);                                 /* bytes left */
    CHECK(seL4_CNode_Revoke(SELF_CNODE, UNTYPED, D) == seL4_NoError);
    info = seL4_MessageInfo_new(1, 0, 0, 0);
    CHECK(call(30, &info) == seL4_InvalidCapability);          /* the objects are gone */
    CHECK(seL4_Untyped_Retype(UNTYPED, seL4_X86_4K, 0, SELF_CNODE, 0, 0, 30, 4) == seL4_NoError);
    CHECK(seL4_CNode_Revoke(SELF_CNODE, UNTYPED, D) == seL4_NoError);
    report(CAT_UNTYPED);
}

static void test_notification(void)
{
    seL4_Word word = 0;
    CHECK(seL4_CNode_Mint(SELF_CNODE, 40, D, SELF_CNODE, NTFN, D, seL4_AllRights, 0x1) == seL4_NoError);
    CHECK(seL4_CNode_Mint(SELF_CNODE, 41, D, SELF_CNODE, NTFN, D, seL4_AllRights, 0x2) == seL4_NoError);
    seL4_Signal(40);
    seL4_Signal(41);
    seL4_Poll(NTFN, &word);
    CHECK(word == 0x3);                                        /* badges OR together */
    seL4_Poll(NTFN, &word);
    CHECK(word == 0);                                          /* Poll cleared it */
    seL4_Signal(41);
    seL4_Wait(NTFN, &word);                                    /* pending: no blocking */
    CHECK(word == 0x2);
    /* Bound: a signal wakes the bound thread out of an endpoint Recv. */
    CHECK(seL4_TCB_BindNotification(SELF_TCB, NTFN) == seL4_NoError);
    CHECK(seL4_TCB_BindNotification(SELF_TCB, NTFN) == seL4_IllegalOperation);
    seL4_Signal(40);
    seL4_Word badge = 0;
    seL4_Recv(EP2, &badge);
    CHECK(badge == 0x1);
    CHECK(seL4_TCB_UnbindNotification(SELF_TCB) == seL4_NoError);
    report(CAT_NOTIFICATION);
}

static void test_scheduling(void)
{
    order_len = 0;
    CHECK(seL4_TCB_Resume(TCB_B) == seL4_NoError);            /* 120 > 100: runs at once */
    order[order_len++] = 0xff;
    CHECK(seL4_TCB_Resume(TCB_A) == seL4_NoError);            /* 150: runs at once */
    order[order_len++] = 0xfe;
    CHECK(order_len == 4 && order[0] == 3 && order[1] == 0xff && order[2] == 2 && order[3] == 0xfe);
    /* Priority is bounded by the authority's MCP (the tester's is 0). */
    CHECK(seL4_TCB_SetPriority(TCB_B, SELF_TCB, 50) == seL4_RangeError);
    CHECK(seL4_TCB_SetAffinity(TCB_B, 0) == seL4_NoError);
    CHECK(seL4_TCB_SetAffinity(TCB_B, 1000) == seL4_IllegalOperation);
    seL4_UserContext regs;
    CHECK(seL4_TCB_ReadRegisters(TCB_A, 0, 0, 12, &regs) == seL4_NoError);
    CHECK(regs.esp != 0 && regs.gs_base != 0);
    CHECK(seL4_TCB_ReadRegisters(TCB_A, 0, 0, 13, &regs) == seL4_RangeError);
    CHECK(seL4_TCB_ReadRegisters(SELF_TCB, 0, 0, 1, &regs) == seL4_IllegalOperation);
    report(CAT_SCHEDULING);
}

static void test_faults(void)
{
    seL4_Word badge = 0;
    CHECK(seL4_TCB_Resume(TCB_FAULTER) == seL4_NoError);      /* lower priority: runs when we block */
    seL4_MessageInfo_t info = seL4_Recv(FEP, &badge);
    CHECK(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault && seL4_MessageInfo_get_length(info) == 4);
    CHECK(badge == 0xf);
    CHECK(seL4_GetMR(1) == 0x10);                              /* the address */
    seL4_Word ip = seL4_GetMR(0);
    /* A reply with label 0 restarts the faulting instruction: it faults again. */
    info = seL4_ReplyRecv(FEP, seL4_MessageInfo_new(0, 0, 0, 0), &badge);
    CHECK(seL4_MessageInfo_get_label(info) == seL4_Fault_VMFault && seL4_GetMR(0) == ip);
    seL4_UserContext regs;
    CHECK(seL4_TCB_ReadRegisters(TCB_FAULTER, 1, 0, 1, &regs) == seL4_NoError && regs.eip == ip);
    report(CAT_FAULTS);
}

static void test_bad_invocations(void)
{
    seL4_MessageInfo_t info = seL4_MessageInfo_new(1, 0, 0, 0);
    CHECK(call(60, &info) == seL4_InvalidCapability);          /* empty slot */
    CHECK(call(0x7fffffff, &info) == seL4_FailedLookup);       /* guard mismatch */
    CHECK(sel4_invoke_(UNTYPED, 999, 0, 0) == seL4_IllegalOperation);
    CHECK(sel4_invoke_(SELF_TCB, seL4_CNodeCopy, 0, 0) == seL4_IllegalOperation);
    CHECK(sel4_invoke_(UNTYPED, seL4_UntypedRetype, 0, 2) == seL4_TruncatedMessage);
    CHECK(sel4_invoke_(SELF_CNODE, seL4_CNodeMint, 0, 6) == seL4_TruncatedMessage);  /* no source root cap */
    seL4_SetCap(0, NTFN);
    CHECK(sel4_invoke_(SELF_CNODE, seL4_CNodeCopy, 1, 5) == seL4_InvalidCapability);  /* root is no CNode */
    CHECK(seL4_GetMR(0) == 1);
    CHECK(seL4_TCB_BindNotification(SELF_TCB, EP) == seL4_InvalidCapability);
    report(CAT_BAD_INVOCATIONS);
}

/*
 * One access by the prober (a thread of this VSpace, so no CR3 load between
 * it and us): restarted at prober() with its first registers, it reads or
 * writes `addr`; we wait on FEP. PROBE_OK: it got through (a read's value in
 * probe_value); PROBE_FAULT: a VMFault at `addr` (of the kind asked); else 0.
 */
#define PROBE_FAULT 0xfa
static seL4_UserContext prober_regs;
static seL4_Word probe(seL4_Word addr, seL4_Word write, seL4_Word value)
{
    probe_addr = addr;
    probe_write = write;
    probe_value = value;
    seL4_UserContext r = prober_regs;
    r.eip = (seL4_Word)prober;
    if (seL4_TCB_WriteRegisters(TCB_PROBER, 1, 0, 12, &r) != seL4_NoError) return 0;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(FEP, &badge);
    seL4_Word label = seL4_MessageInfo_get_label(info);
    seL4_Word fault_addr = seL4_GetMR(1), fsr = seL4_GetMR(3);
    seL4_TCB_Suspend(TCB_PROBER);
    if (badge != 0xe) return 0;
    if (label == PROBE_OK) return PROBE_OK;
    /* The VMFault's FSR is the #PF error code: bit 1 set for a write. */
    if (label == seL4_Fault_VMFault && fault_addr == addr && ((fsr >> 1) & 1) == write) return PROBE_FAULT;
    return 0;
}

#define VADDR 0x48000000ul    /* a 4 MiB region nothing else uses */
#define PT 50
#define FRAME 51              /* and 52: two frames retyped together */
#define FRAME2 52
#define UT4K 53
#define PD2 54
#define PT2 55
#define FRAME_RO 56
#define POOL 57

static void test_vspace(void)
{
    const seL4_CapRights_t RW = seL4_CanRead | seL4_CanWrite;
    CHECK(seL4_TCB_ReadRegisters(TCB_PROBER, 0, 0, 12, &prober_regs) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED2, seL4_X86_PageTableObject, 0, SELF_CNODE, 0, 0, PT, 1) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED2, seL4_X86_4K, 0, SELF_CNODE, 0, 0, FRAME, 2) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED2, seL4_UntypedObject, 12, SELF_CNODE, 0, 0, UT4K, 1) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED2, seL4_X86_PageDirectoryObject, 0, SELF_CNODE, 0, 0, PD2, 1) == seL4_NoError);
    CHECK(seL4_Untyped_Retype(UNTYPED2, seL4_X86_PageTableObject, 0, SELF_CNODE, 0, 0, PT2, 1) == seL4_NoError);

    /* No page table yet: the frame's lookup fails (a missing paging structure, 22 bits left). */
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, VADDR, RW, seL4_X86_Default_VMAttributes) == seL4_FailedLookup);
    CHECK(seL4_GetMR(0) == 0 && seL4_GetMR(2) == 22);
    /* Page table: the address is rounded down to its 4 MiB; mapped twice is InvalidCapability; the slot taken, DeleteFirst. */
    CHECK(seL4_X86_PageTable_Map(PT, VSPACE, VADDR + 0x1234, seL4_X86_Default_VMAttributes) == seL4_NoError);
    CHECK(seL4_X86_PageTable_Map(PT, VSPACE, VADDR + 0x400000, seL4_X86_Default_VMAttributes) == seL4_InvalidCapability);
    CHECK(seL4_GetMR(0) == 0);
    CHECK(seL4_X86_PageTable_Map(PT2, VSPACE, VADDR, seL4_X86_Default_VMAttributes) == seL4_DeleteFirst);
    CHECK(seL4_X86_PageTable_Map(PT2, VSPACE, 0xe0000000ul, seL4_X86_Default_VMAttributes) == seL4_InvalidArgument);
    CHECK(seL4_X86_PageTable_Map(PT2, PD2, VADDR, seL4_X86_Default_VMAttributes) == seL4_InvalidCapability);  /* no ASID */
    CHECK(seL4_GetMR(0) == 1);

    /* Frame errors, in seL4's order. */
    CHECK(seL4_X86_Page_Map(FRAME, SELF_CNODE, VADDR, RW, 0) == seL4_InvalidCapability && seL4_GetMR(0) == 1);
    CHECK(seL4_X86_Page_Map(FRAME, PD2, VADDR, RW, 0) == seL4_InvalidCapability && seL4_GetMR(0) == 1);
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, VADDR + 0x10, RW, 0) == seL4_AlignmentError);
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, 0xe0000000ul, RW, 0) == seL4_InvalidArgument && seL4_GetMR(0) == 0);
    CHECK(sel4_invoke_(FRAME, seL4_X86PageMap, 0, 3) == seL4_TruncatedMessage);      /* no VSpace cap */
    seL4_SetCap(0, VSPACE);
    CHECK(sel4_invoke_(FRAME, seL4_X86PageMap, 1, 2) == seL4_TruncatedMessage);      /* too short */
    CHECK(sel4_invoke_(FRAME, seL4_X86PageTableMap, 0, 0) == seL4_IllegalOperation); /* not a frame method */
    CHECK(sel4_invoke_(VSPACE, seL4_X86PageMap, 0, 0) == seL4_IllegalOperation);     /* ia32 page directories have none */

    /* Map, then write and read through the mapping, here and from the prober. */
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, VADDR, RW, seL4_X86_Default_VMAttributes) == seL4_NoError);
    *(volatile seL4_Word *)VADDR = 0x1234abcd;
    CHECK(*(volatile seL4_Word *)VADDR == 0x1234abcd);
    CHECK(probe(VADDR, 0, 0) == PROBE_OK && probe_value == 0x1234abcd);
    CHECK(probe(VADDR + 4, 1, 0x5678) == PROBE_OK && ((volatile seL4_Word *)VADDR)[1] == 0x5678);
    CHECK(seL4_X86_Page_Map(FRAME2, VSPACE, VADDR, RW, 0) == seL4_DeleteFirst);
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, VADDR + 0x1000, RW, 0) == seL4_InvalidArgument);  /* mapped elsewhere */

    /* GetAddress: the two frames of one Retype are consecutive 4 KiB pages. */
    seL4_X86_Page_GetAddress_t a1 = seL4_X86_Page_GetAddress(FRAME), a2 = seL4_X86_Page_GetAddress(FRAME2);
    CHECK(a1.error == seL4_NoError && a2.error == seL4_NoError);
    CHECK(a1.paddr != 0 && (a1.paddr & 0xfff) == 0 && a2.paddr == a1.paddr + 0x1000);

    /* A read-only cap to the frame maps read-only whatever is asked: reads see the frame, writes fault. */
    CHECK(seL4_CNode_Copy(SELF_CNODE, FRAME_RO, D, SELF_CNODE, FRAME, D, seL4_CanRead) == seL4_NoError);
    CHECK(seL4_X86_Page_Map(FRAME_RO, VSPACE, VADDR + 0x2000, RW, 0) == seL4_NoError);
    CHECK(probe(VADDR + 0x2000, 0, 0) == PROBE_OK && probe_value == 0x1234abcd);
    CHECK(probe(VADDR + 0x2000, 1, 1) == PROBE_FAULT);

    /* Map on a mapped cap at the same address changes its rights (seL4's former Remap): RW, then read-only. */
    CHECK(seL4_X86_Page_Map(FRAME2, VSPACE, VADDR + 0x1000, RW, 0) == seL4_NoError);
    CHECK(probe(VADDR + 0x1000, 1, 77) == PROBE_OK);
    CHECK(seL4_X86_Page_Map(FRAME2, VSPACE, VADDR + 0x1000, seL4_CanRead, seL4_X86_CacheDisabled) == seL4_NoError);
    CHECK(probe(VADDR + 0x1000, 1, 78) == PROBE_FAULT);
    CHECK(probe(VADDR + 0x1000, 0, 0) == PROBE_OK && probe_value == 77);

    /* Unmap: the next access faults (our own TLB held the page: it must not be used). */
    CHECK(seL4_X86_Page_Unmap(FRAME) == seL4_NoError);
    CHECK(probe(VADDR, 0, 0) == PROBE_FAULT);
    CHECK(seL4_X86_Page_Unmap(FRAME) == seL4_NoError);                     /* not mapped: nothing to do */
    /* Deleting a mapped frame cap unmaps it. */
    CHECK(seL4_X86_Page_Map(FRAME, VSPACE, VADDR, RW, 0) == seL4_NoError);
    CHECK(probe(VADDR, 0, 0) == PROBE_OK);
    CHECK(seL4_CNode_Delete(SELF_CNODE, FRAME, D) == seL4_NoError);
    CHECK(probe(VADDR, 0, 0) == PROBE_FAULT);
    /* PageTable_Unmap takes every page of its 4 MiB away. */
    CHECK(probe(VADDR + 0x2000, 0, 0) == PROBE_OK);
    CHECK(seL4_X86_PageTable_Unmap(PT) == seL4_NoError);
    CHECK(probe(VADDR + 0x2000, 0, 0) == PROBE_FAULT);
    CHECK(probe(VADDR + 0x1000, 0, 0) == PROBE_FAULT);

    /* ASIDs: a pool from a 4 KiB untyped, then a page directory gets an ASID from it. */
    CHECK(seL4_X86_ASIDControl_MakePool(ASID_CONTROL, UNTYPED, SELF_CNODE, POOL, D) == seL4_InvalidCapability);  /* not 4 KiB */
    CHECK(seL4_GetMR(0) == 1);
    CHECK(seL4_X86_ASIDControl_MakePool(ASID_CONTROL, UT4K, SELF_CNODE, POOL, D) == seL4_NoError);
    CHECK(seL4_X86_ASIDControl_MakePool(ASID_CONTROL, UT4K, SELF_CNODE, POOL + 1, D) == seL4_RevokeFirst);  /* used */
    CHECK(seL4_X86_ASIDPool_Assign(POOL, SELF_CNODE) == seL4_InvalidCapability);
    CHECK(seL4_X86_ASIDPool_Assign(POOL, PD2) == seL4_NoError);
    CHECK(seL4_X86_ASIDPool_Assign(POOL, PD2) == seL4_InvalidCapability);    /* has one */
    CHECK(seL4_X86_Page_Map(FRAME2, PD2, VADDR, RW, 0) == seL4_InvalidCapability);  /* mapped in another VSpace */
    CHECK(seL4_X86_PageTable_Map(PT2, PD2, VADDR, 0) == seL4_NoError);
    CHECK(sel4_invoke_(ASID_CONTROL, seL4_X86ASIDPoolAssign, 0, 0) == seL4_IllegalOperation);
    CHECK(sel4_invoke_(POOL, seL4_X86ASIDPoolAssign, 0, 0) == seL4_TruncatedMessage);
    /* Clean up: everything retyped from UNTYPED2 goes (the pool's deletion ends PD2's ASID). */
    CHECK(seL4_CNode_Revoke(SELF_CNODE, UNTYPED2, D) == seL4_NoError);
    seL4_MessageInfo_t info = seL4_MessageInfo_new(0, 0, 0, 0);
    CHECK(call(PT2, &info) == seL4_InvalidCapability && call(FRAME_RO, &info) == seL4_InvalidCapability);
    report(CAT_VSPACE);
}

static void tester(void)
{
    test_ipc();
    test_cnode();
    test_untyped();
    test_notification();
    test_scheduling();
    test_faults();
    test_bad_invocations();
    test_vspace();
    for (;;) seL4_Recv(EP2, 0);
}

unsigned long __stdcall NtProcessStartup(unsigned long role)
{
    switch (role) {
    case 0: tester(); break;
    case 1: server(); break;
    case 2: case 3: helper(role); break;
    case 5: prober(); break;
    default: faulter(); break;
    }
    return 0;
}
