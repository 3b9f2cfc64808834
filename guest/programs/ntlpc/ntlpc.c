/* ntlpc.exe: an LPC round trip between two threads. A server thread
 * listens on \NtLpcTest, accepts, and answers each request with its number
 * doubled; the main thread connects (with connection info), sends requests
 * and checks the replies; a second client is refused. The first connection
 * carries port views: the client's section and the server's, each mapped
 * into both sides; a request names a string in the client's view by its
 * offset, the server answers it upper-cased in its own view.
 * `ntlpc.exe server` and `ntlpc.exe client` do the view part across two
 * processes (the server serves until a request of 0). Lines
 * "<check>: <value>" for tests/executive/ntlpc.test.ts. */
#include <nt.h>
#include <stdio.h>
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

int main(int argc, char **argv)
{
  UNICODE_STRING name;
  OBJECT_ATTRIBUTES oa;
  HANDLE th = NULL, client = NULL, refused = NULL;
  MSG q, a;
  PVOID base = NULL;
  SIZE_T size = 0x10000;
  CONTEXT ctx;
  INITIAL_TEB teb;
  ULONG *sp, i, ok = 0;
  PORT_VIEW cv;
  REMOTE_PORT_VIEW sv;

  if (argc > 1) return two_process(argv[1]);
  RtlInitUnicodeString(&name, L"\\NtLpcTest");
  InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  printf("port.create: 0x%08lx\n", (unsigned long)NtCreatePort(&conn_port, &oa, 16, sizeof(MSG), 0));

  NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  sp = (ULONG *)((char *)base + size) - 4;
  sp[0] = 0; sp[1] = 0;
  RtlZeroMemory(&ctx, sizeof(ctx));
  ctx.ContextFlags = CONTEXT_CONTROL | CONTEXT_INTEGER;
  ctx.Eip = (ULONG)(ULONG_PTR)server;
  ctx.Esp = (ULONG)(ULONG_PTR)sp;
  ctx.EFlags = 0x202;
  RtlZeroMemory(&teb, sizeof(teb));
  teb.StackBase = (char *)base + size;
  teb.StackLimit = base;
  NtCreateThread(&th, THREAD_ALL_ACCESS, NULL, NtCurrentProcess(), NULL, &ctx, &teb, FALSE);

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
