/* ntlpc.exe: an LPC round trip between two threads. A server thread
 * listens on \NtLpcTest, accepts, and answers each request with its number
 * doubled; the main thread connects (with connection info), sends requests
 * and checks the replies; a second client is refused. Lines
 * "<check>: <value>" for tests/executive/ntlpc.test.ts. */
#include <nt.h>
#include <stdio.h>
#include <string.h>

typedef struct { PORT_MESSAGE h; ULONG data[64]; } MSG;

static HANDLE conn_port;
static volatile LONG server_saw_info, server_requests;

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
      /* accept the first client (info 42), refuse the other */
      s = NtAcceptConnectPort(&comm, (PVOID)0x1234, &m.h, m.data[0] == 42, NULL, NULL);
      if (m.data[0] == 42) { NtCompleteConnectPort(comm); accepted = 1; }
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
    if (m.data[0] == 0) { NtReplyPort(comm, &r.h); break; }
    NtReplyPort(comm, &r.h);
  }
  NtTerminateThread(NtCurrentThread(), 0);
}

static NTSTATUS connect(HANDLE *h, ULONG info)
{
  UNICODE_STRING name;
  ULONG len = 4, max = 0;
  RtlInitUnicodeString(&name, L"\\NtLpcTest");
  return NtConnectPort(h, &name, NULL, NULL, NULL, &max, &info, &len);
}

int main(void)
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

  printf("connect: 0x%08lx\n", (unsigned long)connect(&client, 42));
  printf("server-saw-info: %ld\n", (long)server_saw_info);
  for (i = 1; i <= 5; i++) {
    RtlZeroMemory(&q, sizeof(q));
    q.h.DataLength = 4;
    q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
    q.data[0] = i * 10;
    if (NtRequestWaitReplyPort(client, &q.h, &a.h) == STATUS_SUCCESS && a.h.Type == LPC_REPLY && a.data[0] == i * 20) ok++;
  }
  printf("requests-answered: %lu\n", (unsigned long)ok);
  printf("connect-refused: 0x%08lx\n", (unsigned long)connect(&refused, 7));
  printf("bad-port-request: 0x%08lx\n", (unsigned long)NtRequestWaitReplyPort(conn_port, &q.h, &a.h));
  RtlZeroMemory(&q, sizeof(q));
  q.h.DataLength = 4;
  q.h.TotalLength = sizeof(PORT_MESSAGE) + 4;
  q.data[0] = 0; /* ends the server */
  NtRequestWaitReplyPort(client, &q.h, &a.h);
  NtWaitForSingleObject(th, FALSE, NULL);
  printf("server-requests: %ld\n", (long)server_requests);
  return 0;
}
