/*
 * lpc.c: LPC's data path in user mode. NtRequestWaitReplyPort,
 * NtReplyWaitReceivePort and NtReplyPort send PORT_MESSAGEs over the
 * connection port's seL4 endpoint (src/executive/lpc/direct.ts made it and
 * mints it into each thread's CNode through NtLpcBindPort):
 *
 *   client: seL4_Call(endpoint, badge = its port)      server: seL4_Recv / seL4_ReplyRecv
 *
 * The message travels in the IPC buffer's message registers as it is laid
 * out in memory: the 24-byte header (MR0-MR5) then the data (MR6..), at
 * most 6 + 64 of seL4's 120 MRs. The client fills Type and ClientId; the
 * server's ntdll gives each request a MessageId (high bit set: the
 * executive's own ids are small) and keeps its reply cap: in the thread's
 * tcbCaller while nothing else is received (ReplyRecv answers it), else
 * moved by CNode_SaveCaller into a slot of the thread's CNode (the
 * executive does it, NtLpcBindPort: the kernel decodes SaveCaller only for
 * the root task), answered later by seL4_Send on that slot. A reply for an id this thread does not
 * hold goes to the executive (KiReplyPort: a request sent through the
 * executive's copy, or a mismatch).
 *
 * What the executive still does (its copy, the Ki* stubs): connection
 * requests, LPC_PORT_CLOSED, requests sent with KiRequestWaitReplyPort.
 * It queues them and signals the notification bound to each receiving
 * thread; Recv then returns LPC_NOTIFY_BADGE and KiReplyWaitReceivePort
 * fetches the message (it answers STATUS_NO_MORE_ENTRIES instead of
 * blocking such a thread). A dead server's callers are answered with label
 * LPC_LABEL_DISCONNECTED, a deleted endpoint makes Call fail: both give
 * STATUS_PORT_DISCONNECTED here.
 *
 * Per-thread state (handle -> slot cache, reply caps held) lives in a table
 * indexed by thread id; a thread beyond LPC_THREADS uses the executive's
 * copy. A cached slot whose cap the executive deleted (port closed) makes
 * the IPC fail, and the thread binds again.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>
#include <sel4.h>

void *__cdecl memcpy(void *, const void *, size_t);

/* No SSE here: clang moves 8-byte fields through XMM registers, and the
 * first XMM use after a thread switch costs a lazy-FPU #NM trap (every
 * LPC round trip switches threads twice). */
#pragma clang attribute push(__attribute__((target("no-sse,no-sse2"))), apply_to = function)

#define LPC_HEADER 24
#define LPC_MAX_DATA 256
#define LPC_NOTIFY_BADGE (1UL << 26)
#define LPC_LABEL_DISCONNECTED 1
#define LPC_BIND_SEND 0
#define LPC_BIND_RECEIVE 1
#define LPC_BIND_QUERY_BADGE 0x80000000UL
#define LPC_BIND_SAVE_REPLY 0x40000000UL

#define LPC_THREADS 32
#define LPC_PORTS 8
#define LPC_REPLIES 48
#define LPC_CONTEXTS 32

typedef struct {
  volatile LONG tid;
  ULONG reply_first, reply_end;
  HANDLE handle[LPC_PORTS];
  ULONG slot[LPC_PORTS];
  ULONG current;              /* MessageId whose reply cap is in tcbCaller (0: none) */
  ULONG saved[LPC_REPLIES];   /* MessageId whose reply cap is in slot reply_first + i */
} LPC_THREAD;

static LPC_THREAD lpc_threads[LPC_THREADS];
static volatile LONG lpc_next_id;
static struct { HANDLE port; volatile ULONG badge; PVOID context; } lpc_contexts[LPC_CONTEXTS];

static LPC_THREAD *lpc_thread(void)
{
  LONG tid = (LONG)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueThread;
  int i;
  for (i = 0; i < LPC_THREADS; i++)
    if (lpc_threads[i].tid == tid) return &lpc_threads[i];
  for (i = 0; i < LPC_THREADS; i++)
    if (lpc_threads[i].tid == 0 && __sync_bool_compare_and_swap(&lpc_threads[i].tid, 0, tid)) return &lpc_threads[i];
  return NULL;
}

/* The endpoint slot for `h` in this thread's CNode (bound on first use); 0 with *status set on failure. */
static ULONG lpc_slot(LPC_THREAD *t, HANDLE h, ULONG mode, NTSTATUS *status)
{
  LPC_BIND_INFO bi;
  int i, free = -1;
  for (i = 0; i < LPC_PORTS; i++) {
    if (t->slot[i] != 0 && t->handle[i] == h) return t->slot[i];
    if (t->slot[i] == 0 && free < 0) free = i;
  }
  *status = NtLpcBindPort(h, mode, &bi);
  if (!NT_SUCCESS(*status)) return 0;
  t->reply_first = bi.ReplyFirst;
  t->reply_end = bi.ReplyEnd;
  if (t->reply_end - t->reply_first > LPC_REPLIES) t->reply_end = t->reply_first + LPC_REPLIES;
  if (free < 0) free = (int)(bi.EndpointCPtr % LPC_PORTS); /* full: forget one (it binds again when used) */
  t->handle[free] = h;
  t->slot[free] = bi.EndpointCPtr;
  return bi.EndpointCPtr;
}

static void lpc_forget(LPC_THREAD *t, HANDLE h)
{
  int i;
  for (i = 0; i < LPC_PORTS; i++)
    if (t->handle[i] == h) t->slot[i] = 0;
}

/* NT's checks of a message the caller gives. */
static NTSTATUS lpc_check(const PORT_MESSAGE *m)
{
  if ((ULONG)m->DataLength + LPC_HEADER > m->TotalLength) return STATUS_INVALID_PARAMETER;
  if (m->TotalLength > LPC_HEADER + LPC_MAX_DATA) return STATUS_PORT_MESSAGE_TOO_LONG;
  return STATUS_SUCCESS;
}

/* Word copy (the interpreter runs rep movsb a byte at a time); a tail of 1-3 bytes by bytes. */
static void lpc_copy(void *to, const void *from, ULONG bytes)
{
  ULONG *d = (ULONG *)to;
  const ULONG *s = (const ULONG *)from;
  ULONG i, n = bytes / 4;
  for (i = 0; i < n; i++) d[i] = s[i];
  if (bytes & 3) memcpy(d + n, s + n, bytes & 3);
}

/* Copies a message into the MRs; its length in words. */
static seL4_Word lpc_put(const PORT_MESSAGE *m)
{
  ULONG bytes = LPC_HEADER + m->DataLength;
  lpc_copy(seL4_GetIPCBuffer()->msg, m, bytes);
  return (bytes + 3) / 4;
}

/* Copies a received message out of the MRs (at most the words that came). */
static NTSTATUS lpc_get(PORT_MESSAGE *m, seL4_MessageInfo_t info)
{
  seL4_IPCBuffer *b = seL4_GetIPCBuffer();
  const PORT_MESSAGE *in = (const PORT_MESSAGE *)b->msg;
  ULONG words = seL4_MessageInfo_get_length(info);
  if (words * 4 < LPC_HEADER || in->DataLength > LPC_MAX_DATA || LPC_HEADER + (ULONG)in->DataLength > words * 4)
    return STATUS_INVALID_PARAMETER;
  lpc_copy(m, in, LPC_HEADER + in->DataLength);
  m->TotalLength = (USHORT)(LPC_HEADER + in->DataLength);
  return STATUS_SUCCESS;
}

/* One IPC with its seL4 error (sel4.h's wrappers drop it). */
static seL4_Error lpc_ipc(long sys, seL4_CPtr cap, seL4_MessageInfo_t *info, seL4_Word *badge)
{
  seL4_IPCBuffer *buf = seL4_GetIPCBuffer();
  seL4_Word b = cap, m0 = buf->msg[0], m1 = buf->msg[1];
  seL4_Error e = seL4_RawSyscall(sys, &b, info, &m0, &m1);
  buf->msg[0] = m0;
  buf->msg[1] = m1;
  if (badge) *badge = b;
  return e;
}

NTSTATUS NTAPI NtRequestWaitReplyPort(HANDLE PortHandle, PPORT_MESSAGE RequestMessage, PPORT_MESSAGE ReplyMessage)
{
  LPC_THREAD *t = lpc_thread();
  NTSTATUS s;
  int attempt;
  if (t == NULL) return KiRequestWaitReplyPort(PortHandle, RequestMessage, ReplyMessage);
  s = lpc_check(RequestMessage);
  if (!NT_SUCCESS(s)) return s;
  for (attempt = 0; attempt < 2; attempt++) {
    ULONG slot = lpc_slot(t, PortHandle, LPC_BIND_SEND, &s);
    seL4_MessageInfo_t info;
    PORT_MESSAGE *h;
    if (slot == 0) return s;
    info = seL4_MessageInfo_new(0, 0, 0, lpc_put(RequestMessage));
    h = (PORT_MESSAGE *)seL4_GetIPCBuffer()->msg;
    h->TotalLength = (USHORT)(LPC_HEADER + h->DataLength);
    h->Type = LPC_REQUEST;
    h->DataInfoOffset = 0;
    h->ClientId = NtCurrentTeb()->ClientId;
    h->MessageId = 0;
    h->ClientViewSize = 0;
    if (lpc_ipc(seL4_SysCall, slot, &info, NULL) != seL4_NoError) {
      /* The cap went (port closed, endpoint deleted): bind again, which says why. */
      lpc_forget(t, PortHandle);
      s = STATUS_PORT_DISCONNECTED;
      continue;
    }
    if (seL4_MessageInfo_get_label(info) == LPC_LABEL_DISCONNECTED) return STATUS_PORT_DISCONNECTED;
    return lpc_get(ReplyMessage, info);
  }
  return s;
}

/* The slot index holding the reply cap of `id`, or -1. */
static int lpc_saved(LPC_THREAD *t, ULONG id)
{
  ULONG i;
  if (id == 0) return -1;
  for (i = 0; i < t->reply_end - t->reply_first; i++)
    if (t->saved[i] == id) return (int)i;
  return -1;
}

/* Moves the reply cap of the current message out of tcbCaller (another receive would drop it). */
static NTSTATUS lpc_save_current(LPC_THREAD *t, HANDLE port)
{
  ULONG i;
  if (t->current == 0) return STATUS_SUCCESS;
  for (i = 0; i < t->reply_end - t->reply_first; i++) {
    LPC_BIND_INFO bi;
    NTSTATUS s;
    if (t->saved[i] != 0) continue;
    /* CNode_SaveCaller, done by the executive: the kernel decodes it only for the root task. */
    s = NtLpcBindPort(port, LPC_BIND_SAVE_REPLY | (t->reply_first + i), &bi);
    if (!NT_SUCCESS(s)) { t->current = 0; return s; }
    t->saved[i] = t->current;
    t->current = 0;
    return STATUS_SUCCESS;
  }
  return STATUS_INSUFFICIENT_RESOURCES; /* LPC_REPLIES requests received and not answered */
}

/* Answers a saved reply cap with `m` (seL4_Send on the slot uses it up). */
static NTSTATUS lpc_reply_saved(LPC_THREAD *t, int i, PPORT_MESSAGE m)
{
  seL4_MessageInfo_t info = seL4_MessageInfo_new(0, 0, 0, lpc_put(m));
  PORT_MESSAGE *h = (PORT_MESSAGE *)seL4_GetIPCBuffer()->msg;
  h->Type = LPC_REPLY;
  h->TotalLength = (USHORT)(LPC_HEADER + h->DataLength);
  t->saved[i] = 0;
  /* A caller that died meanwhile has no reply cap left: nothing to answer. */
  lpc_ipc(seL4_SysSend, t->reply_first + (ULONG)i, &info, NULL);
  return STATUS_SUCCESS;
}

/* The PortContext of the client port with `badge` (cached per receive port). */
static PVOID lpc_context(HANDLE port, ULONG badge)
{
  LPC_BIND_INFO bi;
  ULONG k = badge % LPC_CONTEXTS;
  if (lpc_contexts[k].badge == badge && lpc_contexts[k].port == port) return lpc_contexts[k].context;
  if (!NT_SUCCESS(NtLpcBindPort(port, LPC_BIND_QUERY_BADGE | badge, &bi))) return NULL;
  lpc_contexts[k].badge = 0;
  lpc_contexts[k].port = port;
  lpc_contexts[k].context = bi.Context;
  lpc_contexts[k].badge = badge;
  return bi.Context;
}

NTSTATUS NTAPI NtReplyPort(HANDLE PortHandle, PPORT_MESSAGE ReplyMessage)
{
  LPC_THREAD *t = lpc_thread();
  NTSTATUS s;
  int i;
  if (t == NULL) return KiReplyPort(PortHandle, ReplyMessage);
  s = lpc_check(ReplyMessage);
  if (!NT_SUCCESS(s)) return s;
  if (lpc_slot(t, PortHandle, LPC_BIND_RECEIVE, &s) == 0) return s;
  if (ReplyMessage->MessageId != 0 && ReplyMessage->MessageId == t->current) {
    seL4_MessageInfo_t info = seL4_MessageInfo_new(0, 0, 0, lpc_put(ReplyMessage));
    PORT_MESSAGE *h = (PORT_MESSAGE *)seL4_GetIPCBuffer()->msg;
    h->Type = LPC_REPLY;
    h->TotalLength = (USHORT)(LPC_HEADER + h->DataLength);
    t->current = 0;
    lpc_ipc(seL4_SysReply, 0, &info, NULL);
    return STATUS_SUCCESS;
  }
  i = lpc_saved(t, ReplyMessage->MessageId);
  if (i >= 0) return lpc_reply_saved(t, i, ReplyMessage);
  return KiReplyPort(PortHandle, ReplyMessage); /* a request the executive copied, or no such request */
}

NTSTATUS NTAPI NtReplyWaitReceivePort(HANDLE PortHandle, PVOID *PortContext, PPORT_MESSAGE ReplyMessage, PPORT_MESSAGE ReceiveMessage)
{
  LPC_THREAD *t = lpc_thread();
  NTSTATUS s;
  ULONG slot;
  long sys = seL4_SysRecv;
  seL4_MessageInfo_t info = 0;
  if (t == NULL) return KiReplyWaitReceivePort(PortHandle, PortContext, ReplyMessage, ReceiveMessage);
  slot = lpc_slot(t, PortHandle, LPC_BIND_RECEIVE, &s);
  if (slot == 0) return s;
  if (ReplyMessage != NULL) {
    int i;
    s = lpc_check(ReplyMessage);
    if (!NT_SUCCESS(s)) return s;
    if (ReplyMessage->MessageId != 0 && ReplyMessage->MessageId == t->current) {
      PORT_MESSAGE *h;
      info = seL4_MessageInfo_new(0, 0, 0, lpc_put(ReplyMessage));
      h = (PORT_MESSAGE *)seL4_GetIPCBuffer()->msg;
      h->Type = LPC_REPLY;
      h->TotalLength = (USHORT)(LPC_HEADER + h->DataLength);
      t->current = 0;
      sys = seL4_SysReplyRecv;
    } else if ((i = lpc_saved(t, ReplyMessage->MessageId)) >= 0) {
      lpc_reply_saved(t, i, ReplyMessage);
    } else {
      s = KiReplyPort(PortHandle, ReplyMessage);
      if (!NT_SUCCESS(s)) return s;
    }
  }
  s = lpc_save_current(t, PortHandle);
  if (!NT_SUCCESS(s)) return s;
  for (;;) {
    seL4_Word badge = 0;
    ULONG id;
    if (lpc_ipc(sys, slot, &info, &badge) != seL4_NoError) {
      lpc_forget(t, PortHandle);
      return STATUS_PORT_DISCONNECTED; /* the connection port went */
    }
    sys = seL4_SysRecv;
    if (badge & LPC_NOTIFY_BADGE) {
      /* The executive queued something (a connection request, a close, a copied request). */
      s = KiReplyWaitReceivePort(PortHandle, PortContext, NULL, ReceiveMessage);
      if (s == STATUS_NO_MORE_ENTRIES) continue;
      return s;
    }
    s = lpc_get(ReceiveMessage, info);
    id = ((ULONG)__sync_add_and_fetch(&lpc_next_id, 1) & 0x7fffffffUL) | 0x80000000UL;
    t->current = id;
    if (!NT_SUCCESS(s)) { /* a malformed request: answer it, wait for the next */
      info = seL4_MessageInfo_new(LPC_LABEL_DISCONNECTED, 0, 0, 0);
      t->current = 0;
      sys = seL4_SysReplyRecv;
      continue;
    }
    ReceiveMessage->MessageId = id;
    ReceiveMessage->ClientViewSize = 0;
    if (PortContext != NULL) *PortContext = lpc_context(PortHandle, (ULONG)badge);
    return STATUS_SUCCESS;
  }
}

#pragma clang attribute pop
