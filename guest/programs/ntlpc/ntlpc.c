/* ntlpc.exe: an LPC round trip between two threads. A server thread
 * listens on \NtLpcTest, accepts, and answers each request with its number
 * doubled; the main thread connects (with connection info), sends requests
 * and checks the replies; a second client is refused. The first connection
 * carries port views: the client's section and the server's, each mapped
 * into both sides; a request names a string in the client's view by its
 * offset, the server answers it upper-cased in its own view.
 * `ntlpc.exe server` and `ntlpc.exe client` do the view part across two
 * processes (the server serves until a request of 0). `ntlpc.exe cases`:
 * the maximum message, bad lengths, replies out of order, a client that
 * closes its port, a server thread that ends with a request unanswered.
 * `ntlpc.exe dieserver` / `dieclient`: a server process that ends while
 * its client waits. `ntlpc.exe bserver direct|copied` / `bclient N
 * direct|copied`: the bench's round trips (copied: the executive's copy,
 * ntdll's Ki* system call stubs). Lines "<check>: <value>" for
 * tests/executive/ntlpc.test.ts. */
#include <nt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { PORT_MESSAGE h; ULONG data[64]; } MSG;

static HANDLE conn_port;
static volatile LONG server_saw_info, server_requests, server_saw_view_size;
static char *volatile client_view_in_server;
static int server_only;
static PORT_VIEW server_view;

static void __stdcall server(PVOID p)
{
  MSG m, r;
  HANDLE comm = NULL;
  PVOID ctx = NULL;
  int accepted = 0;
  (void)p;
  for (;;) {
    NTSTATUS s;
    if (!accepted) {
      s = NtListenPort(conn_port, &m.h);
      if (!NT_SUCCESS(s)) break;
      server_saw_info = m.data[0];
      /* accept the first client (info 42) with a server view of our own, refuse the other */
      if (m.data[0] == 42) {
        HANDLE hs = NULL;
        LARGE_INTEGER max;
        REMOTE_PORT_VIEW cl;
        max.QuadPart = 0x1000;
        NtCreateSection(&hs, SECTION_ALL_ACCESS, NULL, &max, PAGE_READWRITE, SEC_COMMIT, NULL);
        RtlZeroMemory(&server_view, sizeof(server_view));
        server_view.Length = sizeof(PORT_VIEW);
        server_view.SectionHandle = hs;
        server_view.ViewSize = 0x1000;
        RtlZeroMemory(&cl, sizeof(cl));
        cl.Length = sizeof(REMOTE_PORT_VIEW);
        server_saw_view_size = m.h.ClientViewSize;
        s = NtAcceptConnectPort(&comm, (PVOID)0x1234, &m.h, TRUE, &server_view, &cl);
        client_view_in_server = (char *)cl.ViewBase;
        NtCompleteConnectPort(comm);
        if (server_only)
          printf("server: accept 0x%08lx client-view size %ld mapped-here %lu %d own-view mapped %d\n", (unsigned long)s,
                 (long)server_saw_view_size, (unsigned long)cl.ViewSize, cl.ViewBase != NULL, server_view.ViewBase != NULL);
        accepted = 1;
      } else {
        s = NtAcceptConnectPort(&comm, (PVOID)0x1234, &m.h, FALSE, NULL, NULL);
      }
      continue;
    }
    s = NtReplyWaitReceivePort(conn_port, &ctx, NULL, &m.h);
    if (!NT_SUCCESS(s)) break;
    if (m.h.Type == LPC_CONNECTION_REQUEST) { /* a later client: refuse */
      NtAcceptConnectPort(&comm, NULL, &m.h, FALSE, NULL, NULL);
      continue;
    }
    server_requests++;
    if ((ULONG_PTR)ctx != 0x1234) m.data[0] = 0xbad;
    memcpy(&r, &m, sizeof(PORT_MESSAGE));
    r.h.DataLength = 4;
    r.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
    r.data[0] = m.data[0] * 2;
    if (m.data[2] == 1) { /* data[1]: offset of a string in the client's view; answer it upper-cased in ours */
      const char *in = client_view_in_server + m.data[1];
      char *out = (char *)server_view.ViewBase;
      ULONG k;
      for (k = 0; in[k] != 0 && k < 255; k++) out[k] = (in[k] >= 'a' && in[k] <= 'z') ? (char)(in[k] - 32) : in[k];
      out[k] = 0;
    }
    if (m.data[0] == 0) { NtReplyPort(comm, &r.h); break; }
    NtReplyPort(comm, &r.h);
  }
  NtTerminateThread(NtCurrentThread(), 0);
}

static NTSTATUS connect(HANDLE *h, ULONG info, PORT_VIEW *cv, REMOTE_PORT_VIEW *sv)
{
  UNICODE_STRING name;
  ULONG len = 4, max = 0;
  RtlInitUnicodeString(&name, L"\\NtLpcTest");
  return NtConnectPort(h, &name, NULL, cv, sv, &max, &info, &len);
}

static void fill_views(PORT_VIEW *cv, REMOTE_PORT_VIEW *sv)
{
  HANDLE hs = NULL;
  LARGE_INTEGER max;
  max.QuadPart = 0x10000;
  NtCreateSection(&hs, SECTION_ALL_ACCESS, NULL, &max, PAGE_READWRITE, SEC_COMMIT, NULL);
  RtlZeroMemory(cv, sizeof(*cv));
  cv->Length = sizeof(PORT_VIEW);
  cv->SectionHandle = hs;
  cv->ViewSize = 0x10000;
  RtlZeroMemory(sv, sizeof(*sv));
  sv->Length = sizeof(REMOTE_PORT_VIEW);
}

/* A request naming a string in the client's view; the answer comes back in the server's. */
static void view_request(HANDLE client, PORT_VIEW *cv, REMOTE_PORT_VIEW *sv, const char *prefix)
{
  MSG q, a;
  strcpy((char *)cv->ViewBase + 0x100, "hello through the view");
  RtlZeroMemory(&q, sizeof(q));
  q.h.DataLength = 12;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + 12;
  q.data[0] = 50;
  q.data[1] = 0x100;
  q.data[2] = 1;
  NtRequestWaitReplyPort(client, &q.h, &a.h);
  printf("%sview.round-trip: %lu %s\n", prefix, (unsigned long)a.data[0], (char *)sv->ViewBase);
}

static void end_server(HANDLE client)
{
  MSG q, a;
  RtlZeroMemory(&q, sizeof(q));
  q.h.DataLength = 4;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
  q.data[0] = 0;
  NtRequestWaitReplyPort(client, &q.h, &a.h);
}

/* The two-process form: this process is only the server, or only the client. */
static int two_process(const char *role)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  if (strcmp(role, "server") == 0) {
    RtlInitUnicodeString(&name, L"\\NtLpcTest");
    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    printf("server: port.create 0x%08lx\n", (unsigned long)NtCreatePort(&conn_port, &oa, 16, sizeof(MSG), 0));
    server_only = 1;
    server(NULL); /* ends this thread, the process's last */
    return 1;
  } else {
    HANDLE client = NULL;
    PORT_VIEW cv;
    REMOTE_PORT_VIEW sv;
    NTSTATUS s;
    fill_views(&cv, &sv);
    while ((s = connect(&client, 42, &cv, &sv)) == STATUS_OBJECT_NAME_NOT_FOUND) NtYieldExecution(); /* the server is not up yet */
    printf("client: connect 0x%08lx view size %lu mapped %d server-view size %lu mapped %d\n", (unsigned long)s,
           (unsigned long)cv.ViewSize, cv.ViewBase != NULL, (unsigned long)sv.ViewSize, sv.ViewBase != NULL);
    view_request(client, &cv, &sv, "client: ");
    end_server(client);
    return 0;
  }
}

/* ---- more cases (`ntlpc.exe cases`) ------------------------------------------------ */

static HANDLE spawn(void (__stdcall *fn)(PVOID), PVOID arg)
{
  HANDLE th = NULL;
  PVOID base = NULL;
  SIZE_T size = 0x10000;
  CONTEXT ctx;
  INITIAL_TEB teb;
  ULONG *sp;
  NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  sp = (ULONG *)((char *)base + size) - 4;
  sp[0] = 0; sp[1] = (ULONG)(ULONG_PTR)arg;
  RtlZeroMemory(&ctx, sizeof(ctx));
  ctx.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
  ctx.Eip = (ULONG)(ULONG_PTR)fn;
  ctx.Esp = (ULONG)(ULONG_PTR)sp;
  ctx.EFlags = 0x202;
  RtlZeroMemory(&teb, sizeof(teb));
  teb.StackBase = (char *)base + size;
  teb.StackLimit = base;
  NtCreateThread(&th, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, &ctx, &teb, FALSE);
  return th;
}

static HANDLE case_port;
static volatile LONG case_closed_ctx, case_closed_type, case_holding;

/* Accepts every client with its info as the port context. */
static void accept_next(PORT_MESSAGE *m)
{
  HANDLE comm = NULL;
  ULONG info = ((MSG *)m)->data[0];
  NtAcceptConnectPort(&comm, (PVOID)(ULONG_PTR)info, m, TRUE, NULL, NULL);
  NtCompleteConnectPort(comm);
}

/* The cases' server: echoes long messages reversed; the first request 1000+n: hold it (answered
 * after request 3000, so out of order); 2000: end this thread without answering; 0: stop. */
static void __stdcall case_server(PVOID p)
{
  MSG m, r, held;
  PVOID ctx = NULL;
  int holding = 0;
  (void)p;
  for (;;) {
    NTSTATUS s = NtReplyWaitReceivePort(case_port, &ctx, NULL, &m.h);
    if (!NT_SUCCESS(s)) break;
    if (m.h.Type == LPC_CONNECTION_REQUEST) { accept_next(&m.h); continue; }
    if (m.h.Type == LPC_PORT_CLOSED) { case_closed_type = m.h.Type; case_closed_ctx = (LONG)(ULONG_PTR)ctx; continue; }
    memcpy(&r, &m, sizeof(PORT_MESSAGE));
    if (m.h.DataLength == PORT_MAXIMUM_MESSAGE_LENGTH) {
      ULONG k;
      for (k = 0; k < 64; k++) r.data[k] = ~m.data[63 - k];
      NtReplyPort(case_port, &r.h);
      continue;
    }
    if (m.data[0] == 2000) NtTerminateThread(NtCurrentThread(), 0);
    r.h.DataLength = 4;
    r.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
    r.data[0] = m.data[0] + 1;
    if (m.data[0] > 1000 && m.data[0] < 2000 && !holding) { memcpy(&held, &r, sizeof(r)); holding = 1; case_holding = 1; continue; }
    NtReplyPort(case_port, &r.h);
    if (m.data[0] == 3000 && holding) { NtReplyPort(case_port, &held.h); holding = 0; } /* the earlier one, last */
    if (m.data[0] == 0) break;
  }
  NtTerminateThread(NtCurrentThread(), 0);
}

static NTSTATUS case_connect(HANDLE *h, ULONG info)
{
  UNICODE_STRING name;
  ULONG len = 4, max = 0;
  RtlInitUnicodeString(&name, L"\\NtLpcCases");
  return NtConnectPort(h, &name, NULL, NULL, NULL, &max, &info, &len);
}

static ULONG ask(HANDLE h, ULONG v, NTSTATUS *s)
{
  MSG q, a;
  RtlZeroMemory(&q, sizeof(q));
  RtlZeroMemory(&a, sizeof(a));
  q.h.DataLength = 4;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
  q.data[0] = v;
  *s = NtRequestWaitReplyPort(h, &q.h, &a.h);
  return a.h.Type == LPC_REPLY ? a.data[0] : 0xffffffff;
}

static volatile ULONG ooo_first, ooo_first_done;
static HANDLE ooo_port;

static void __stdcall ooo_client(PVOID p)
{
  NTSTATUS s;
  ooo_first = ask(ooo_port, 1001, &s); /* held by the server until the next request is answered */
  ooo_first_done = 1;
  NtTerminateThread(NtCurrentThread(), s);
}

static int cases(void)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  HANDLE sth, th, a = NULL, b = NULL;
  (void)ooo_first_done;
  MSG q, r;
  NTSTATUS s;
  ULONG k, ok = 0, v;
  RtlInitUnicodeString(&name, L"\\NtLpcCases");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  NtCreatePort(&case_port, &oa, 16, sizeof(MSG), 0);
  sth = spawn(case_server, NULL);
  printf("cases.connect: 0x%08lx 0x%08lx\n", (unsigned long)case_connect(&a, 7), (unsigned long)case_connect(&b, 9));

  /* the maximum message: 256 bytes each way */
  RtlZeroMemory(&q, sizeof(q));
  q.h.DataLength = PORT_MAXIMUM_MESSAGE_LENGTH;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + PORT_MAXIMUM_MESSAGE_LENGTH;
  for (k = 0; k < 64; k++) q.data[k] = k * 0x01010101;
  s = NtRequestWaitReplyPort(a, &q.h, &r.h);
  for (k = 0; k < 64; k++) ok += r.data[k] == ~q.data[63 - k];
  printf("cases.long: 0x%08lx length %u words-ok %lu\n", (unsigned long)s, r.h.DataLength, (unsigned long)ok);

  /* bad lengths */
  q.h.DataLength = PORT_MAXIMUM_MESSAGE_LENGTH + 4;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + PORT_MAXIMUM_MESSAGE_LENGTH + 4;
  printf("cases.too-long: 0x%08lx\n", (unsigned long)NtRequestWaitReplyPort(a, &q.h, &r.h));
  q.h.DataLength = 8;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
  printf("cases.total-short: 0x%08lx\n", (unsigned long)NtRequestWaitReplyPort(a, &q.h, &r.h));
  printf("cases.copied-total-short: 0x%08lx\n", (unsigned long)KiRequestWaitReplyPort(a, &q.h, &r.h));

  /* out of order: a thread's request is held; ours is received after it and answered first */
  ooo_port = a;
  th = spawn(ooo_client, NULL);
  while (!case_holding) NtYieldExecution();
  v = ask(b, 1002, &s);
  k = !ooo_first_done; /* the held one is still waiting */
  ask(b, 3000, &s);    /* then the server answers the held one */
  NtWaitForSingleObject(th, FALSE, NULL);
  printf("cases.out-of-order: 0x%08lx later %lu first-still-waiting %lu first %lu\n", (unsigned long)s, (unsigned long)v,
         (unsigned long)k, (unsigned long)ooo_first);

  /* a client that closes its port: the server gets LPC_PORT_CLOSED with that port's context */
  NtClose(b);
  printf("cases.closed-handle: 0x%08lx\n", (unsigned long)(ask(b, 5, &s), s));
  while (case_closed_type == 0) NtYieldExecution();
  printf("cases.port-closed: type %ld context %ld\n", (long)case_closed_type, (long)case_closed_ctx);

  /* a server thread that ends with our request unanswered */
  v = ask(a, 2000, &s);
  printf("cases.server-thread-died: 0x%08lx\n", (unsigned long)s);
  NtWaitForSingleObject(sth, FALSE, NULL);
  return 0;
}

/* ---- a server process that ends while its client waits ---------------------------- */
static int die(const char *role)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  MSG m;
  NTSTATUS s;
  RtlInitUnicodeString(&name, L"\\NtLpcDie");
  if (strcmp(role, "dieserver") == 0) {
    PVOID ctx;
    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    NtCreatePort(&case_port, &oa, 16, sizeof(MSG), 0);
    for (;;) {
      s = NtReplyWaitReceivePort(case_port, &ctx, NULL, &m.h);
      if (!NT_SUCCESS(s)) return 1;
      if (m.h.Type == LPC_CONNECTION_REQUEST) { accept_next(&m.h); continue; }
      NtTerminateProcess(NtCurrentProcess(), 0); /* a request: end with it unanswered */
    }
  } else {
    HANDLE h = NULL;
    ULONG len = 4, max = 0, info = 1;
    while ((s = NtConnectPort(&h, &name, NULL, NULL, NULL, &max, &info, &len)) == STATUS_OBJECT_NAME_NOT_FOUND) NtYieldExecution();
    ask(h, 1, &s);
    printf("die.waiting-client: 0x%08lx\n", (unsigned long)s);
    ask(h, 2, &s);
    printf("die.next-request: 0x%08lx\n", (unsigned long)s);
    return 0;
  }
}

/* ---- bench: request/reply round trips between two processes ----------------------- */
static int bench(const char *role, int copied, ULONG n)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  MSG m, r;
  NTSTATUS s;
  RtlInitUnicodeString(&name, L"\\NtLpcBench");
  if (strcmp(role, "bserver") == 0) {
    PVOID ctx;
    PORT_MESSAGE *reply = NULL;
    InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
    NtCreatePort(&case_port, &oa, 16, sizeof(MSG), 0);
    for (;;) {
      s = copied ? KiReplyWaitReceivePort(case_port, &ctx, reply, &m.h) : NtReplyWaitReceivePort(case_port, &ctx, reply, &m.h);
      reply = NULL;
      if (!NT_SUCCESS(s)) return 1;
      if (m.h.Type == LPC_CONNECTION_REQUEST) { accept_next(&m.h); continue; }
      if (m.h.Type != LPC_REQUEST) continue;
      memcpy(&r, &m, sizeof(PORT_MESSAGE) + 4);
      r.data[0] = m.data[0] + 1;
      if (m.data[0] == 0) { if (copied) KiReplyPort(case_port, &r.h); else NtReplyPort(case_port, &r.h); return 0; }
      reply = &r.h;
    }
  } else {
    HANDLE h = NULL;
    ULONG len = 4, max = 0, info = 1, i, ok = 0;
    while ((s = NtConnectPort(&h, &name, NULL, NULL, NULL, &max, &info, &len)) == STATUS_OBJECT_NAME_NOT_FOUND) NtYieldExecution();
    if (!NT_SUCCESS(s)) return 2;
    for (i = n; ; i--) {
      RtlZeroMemory(&m.h, sizeof(PORT_MESSAGE));
      m.h.DataLength = 4;
      m.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
      m.data[0] = i;
      s = copied ? KiRequestWaitReplyPort(h, &m.h, &r.h) : NtRequestWaitReplyPort(h, &m.h, &r.h);
      if (NT_SUCCESS(s) && r.data[0] == i + 1) ok++;
      if (i == 0) break;
    }
    return ok == n + 1 ? 0 : 3;
  }
}

int main(int argc, char **argv)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  HANDLE th = NULL, client = NULL, refused = NULL;
  MSG q, a;
  ULONG i, ok = 0;
  PORT_VIEW cv;
  REMOTE_PORT_VIEW sv;

  if (argc > 1 && strcmp(argv[1], "cases") == 0) return cases();
  if (argc > 1 && strncmp(argv[1], "die", 3) == 0) return die(argv[1]);
  if (argc > 2 && argv[1][0] == 'b') return bench(argv[1], strcmp(argv[argc - 1], "copied") == 0, argc > 3 ? (ULONG)atoi(argv[2]) : 0);
  if (argc > 1) return two_process(argv[1]);
  RtlInitUnicodeString(&name, L"\\NtLpcTest");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  printf("port.create: 0x%08lx\n", (unsigned long)NtCreatePort(&conn_port, &oa, 16, sizeof(MSG), 0));

  th = spawn(server, NULL);

  fill_views(&cv, &sv);
  printf("connect: 0x%08lx\n", (unsigned long)connect(&client, 42, &cv, &sv));
  printf("server-saw-info: %ld\n", (long)server_saw_info);
  printf("view.client: size %lu mapped %d remote-elsewhere %d server-saw-size %ld\n", (unsigned long)cv.ViewSize,
         cv.ViewBase != NULL, cv.ViewRemoteBase != NULL && cv.ViewRemoteBase != cv.ViewBase, (long)server_saw_view_size);
  printf("view.server: size %lu client-side-mapped %d matches %d\n", (unsigned long)sv.ViewSize, sv.ViewBase != NULL,
         sv.ViewBase == server_view.ViewRemoteBase && server_view.ViewBase != NULL && server_view.ViewBase != sv.ViewBase);
  /* the client's two mappings (here and the server's, same process in this test) are the same pages */
  strcpy((char *)cv.ViewBase + 0x100, "hello through the view");
  printf("view.shared: %s\n", (char *)cv.ViewRemoteBase + 0x100);
  view_request(client, &cv, &sv, "");
  for (i = 1; i <= 5; i++) {
    RtlZeroMemory(&q, sizeof(q));
    q.h.DataLength = 4;
    q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
    q.data[0] = i * 10;
    if (NtRequestWaitReplyPort(client, &q.h, &a.h) == STATUS_SUCCESS && a.h.Type == LPC_REPLY && a.data[0] == i * 20) ok++;
  }
  printf("requests-answered: %lu\n", (unsigned long)ok);
  printf("connect-refused: 0x%08lx\n", (unsigned long)connect(&refused, 7, NULL, NULL));
  printf("bad-port-request: 0x%08lx\n", (unsigned long)NtRequestWaitReplyPort(conn_port, &q.h, &a.h));
  end_server(client);
  NtWaitForSingleObject(th, FALSE, NULL);
  printf("server-requests: %ld\n", (long)server_requests);
  return 0;
}
