/** Lpc services (lpc/port.ts describes the protocol). */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { PENDING } from '../dispatch.js';
import type { Executive } from '../executive.js';
import { mapGenericAccess } from '../ob/object.js';
import { obInsertObject, obReferenceObjectByHandle, readObjectAttributes } from '../ob/reference.js';
import type { EThread } from '../ps/process.js';
import {
  LPC_CONNECTION_REQUEST, LPC_REPLY, LPC_REQUEST, LpcPort, PORT_MAX_DATA, PORT_MESSAGE_HEADER, PortType, encodeMessage,
  type LpcMessage, type LpcReceiver,
} from './port.js';
import { LPC_BIND_INFO_SIZE, lpcBindPort, lpcEndpoint, lpcIsDirectReceiver, lpcNotifyReceivers } from './direct.js';
import { lpcCheckRemoteView, lpcMapView, lpcReadPortView, lpcUnmapView, lpcWritePortView, lpcWriteRemoteView } from './port-view.js';

const PORT_ALL_ACCESS = 0x1f0001;

function port(t: EThread, h: number): LpcPort {
  return obReferenceObjectByHandle<LpcPort>(t, h, 0, PortType).object;
}

/** Reads a PORT_MESSAGE's data (DataLength bytes after the header). */
function readData(t: EThread, ptr: number): { data: Uint8Array; messageId: number } {
  const mem = t.process.space;
  const len = mem.readU16(ptr);
  const total = mem.readU16(ptr + 2);
  // NT's checks: the total must hold the header and the data; the data must fit the port's maximum.
  if (len + PORT_MESSAGE_HEADER > total) throw new NtStatusError(NTSTATUS.STATUS_INVALID_PARAMETER, `DataLength ${len} + the 24-byte header is more than TotalLength ${total}`);
  if (total > PORT_MESSAGE_HEADER + PORT_MAX_DATA) throw new NtStatusError(NTSTATUS.STATUS_PORT_MESSAGE_TOO_LONG, `a message of ${total} bytes is more than ${PORT_MESSAGE_HEADER + PORT_MAX_DATA}`);
  return { data: mem.readBytes(ptr + PORT_MESSAGE_HEADER, len), messageId: mem.readU32(ptr + 16) };
}

/** Writes a message (and the PortContext) into a receiver's buffers. */
function writeMessage(r: LpcReceiver, m: LpcMessage): void {
  const mem = r.thread.process.space;
  mem.writeBytes(r.buffer, encodeMessage(m));
  if (r.contextPtr !== 0) mem.writeU32(r.contextPtr, (m.peerAtClose ?? m.from?.peer)?.context ?? 0);
}

/**
 * Gives `m` to a waiting receiver of the connection port, or queues it and
 * signals the threads that receive on its endpoint (direct.ts).
 */
export function lpcDeliver(ex: Executive, conn: LpcPort, m: LpcMessage): void {
  const i = conn.receivers.findIndex((r) => !r.listenOnly || m.type === LPC_CONNECTION_REQUEST);
  if (i < 0) { conn.queue.push(m); lpcNotifyReceivers(ex, conn); return; }
  const r = conn.receivers.splice(i, 1)[0]!;
  let status: number = NTSTATUS.STATUS_SUCCESS;
  try { writeMessage(r, m); } catch (e) {
    if (!(e instanceof NtStatusError)) throw e;
    status = e.status;
  }
  ex.completeLater(r.thread, status);
}

/**
 * Takes the next message for a receiver now (SUCCESS) or leaves it waiting
 * (PENDING). A thread that receives on the port's endpoint (ntdll's direct
 * path) is not left waiting here: STATUS_NO_MORE_ENTRIES sends it back to
 * its Recv, where the executive's signal or a direct message wakes it.
 */
function receive(conn: LpcPort, r: LpcReceiver): number {
  const i = conn.queue.findIndex((m) => !r.listenOnly || m.type === LPC_CONNECTION_REQUEST);
  if (i < 0) {
    if (!r.listenOnly && lpcIsDirectReceiver(conn, r.thread)) return NTSTATUS.STATUS_NO_MORE_ENTRIES;
    conn.receivers.push(r);
    return PENDING;
  }
  writeMessage(r, conn.queue.splice(i, 1)[0]!);
  return NTSTATUS.STATUS_SUCCESS;
}

function reply(ex: Executive, t: EThread, ptr: number): number {
  const { data, messageId } = readData(t, ptr);
  const waiter = ex.lpc.replies.get(messageId);
  if (waiter === undefined) return NTSTATUS.STATUS_REPLY_MESSAGE_MISMATCH;
  ex.lpc.replies.delete(messageId);
  let status: number = NTSTATUS.STATUS_SUCCESS;
  try {
    waiter.thread.process.space.writeBytes(waiter.replyPtr, encodeMessage({ type: LPC_REPLY, data, pid: t.process.pid, tid: t.tid, messageId, from: null }));
  } catch (e) {
    if (!(e instanceof NtStatusError)) throw e;
    status = e.status;
  }
  ex.completeLater(waiter.thread, status);
  return NTSTATUS.STATUS_SUCCESS;
}

export const lpcServices: Record<string, ServiceHandler> = {
  NtCreatePort(ex, t, a) {
    const oa = readObjectAttributes(t, a[1]!);
    if (a[3]! > PORT_MESSAGE_HEADER + PORT_MAX_DATA) return NTSTATUS.STATUS_INVALID_PARAMETER_4;
    const r = obInsertObject(ex, t, new LpcPort('connection', null, ex), oa, PORT_ALL_ACCESS);
    t.process.space.writeU32(a[0]!, r.handle);
    return r.status;
  },
  NtListenPort(_ex, t, a) {
    const p = port(t, a[0]!);
    if (p.kind !== 'connection') return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    return receive(p, { thread: t, buffer: a[1]!, contextPtr: 0, listenOnly: true });
  },
  NtConnectPort(ex, t, a) {
    const [pHandle, pName, , pClientView, pServerView, pMaxLen, pInfo, pInfoLen] = a;
    const mem = t.process.space;
    const name = mem.readUnicodeString(pName!);
    const r = ex.namespace.lookup(name, null, false, false);
    if (r.object === undefined) return NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND;
    if (!(r.object instanceof LpcPort) || r.object.kind !== 'connection') return NTSTATUS.STATUS_OBJECT_TYPE_MISMATCH;
    let info: Uint8Array = new Uint8Array(0);
    if (pInfo !== 0 && pInfoLen !== 0) {
      const n = mem.readU32(pInfoLen!);
      if (n > PORT_MAX_DATA) return NTSTATUS.STATUS_INVALID_PARAMETER;
      info = mem.readBytes(pInfo!, n);
    }
    if (pServerView !== 0) lpcCheckRemoteView(t, pServerView!);
    // The client's view is mapped on its side now (the server's side when it accepts).
    const request = pClientView === 0 ? undefined : lpcReadPortView(t, pClientView!);
    const inClient = request === undefined ? undefined : lpcMapView(ex.ko, request, t.process);
    const id = ex.lpc.nextMessageId++;
    ex.lpc.connects.set(id, {
      client: t, handlePtr: pHandle!, maxLengthPtr: pMaxLen!, connection: r.object, serverPort: null, clientPort: null,
      ...(request === undefined ? {} : { clientView: { request, ptr: pClientView!, inClient: inClient! } }),
      serverViewOut: pServerView!,
    });
    lpcDeliver(ex, r.object, {
      type: LPC_CONNECTION_REQUEST, data: info, pid: t.process.pid, tid: t.tid, messageId: id, from: null, clientViewSize: inClient?.size ?? 0,
    });
    return PENDING;
  },
  NtAcceptConnectPort(ex, t, a) {
    const [pHandle, context, pRequest, accept, pServerView, pClientView] = a;
    const { messageId } = readData(t, pRequest!);
    const pending = ex.lpc.connects.get(messageId);
    if (pending === undefined || pending.serverPort !== null) return NTSTATUS.STATUS_REPLY_MESSAGE_MISMATCH;
    if ((accept! & 0xff) === 0) {
      ex.lpc.connects.delete(messageId);
      if (pending.clientView !== undefined) lpcUnmapView(pending.clientView.inClient);
      ex.completeLater(pending.client, NTSTATUS.STATUS_PORT_CONNECTION_REFUSED);
      return NTSTATUS.STATUS_SUCCESS;
    }
    if (pClientView !== 0) lpcCheckRemoteView(t, pClientView!);
    const serverRequest = pServerView === 0 ? undefined : lpcReadPortView(t, pServerView!);
    const server = new LpcPort('server', pending.connection, ex);
    const client = new LpcPort('client', pending.connection, ex);
    // The client's badge on the connection port's endpoint (direct.ts).
    const d = lpcEndpoint(ex, pending.connection);
    client.badge = d.nextBadge++;
    d.clients.set(client.badge, client);
    client.clientPid = pending.client.process.pid;
    client.clientTid = pending.client.tid;
    // The client's view into the server; the server's view into both.
    const cv = pending.clientView;
    if (cv !== undefined) {
      cv.inServer = lpcMapView(ex.ko, cv.request, t.process);
      client.views.push(cv.inClient);
      server.views.push(cv.inServer);
      if (pClientView !== 0) lpcWriteRemoteView(t, pClientView!, cv.inServer);
    }
    if (serverRequest !== undefined) {
      const inServer = lpcMapView(ex.ko, serverRequest, t.process);
      const inClient = lpcMapView(ex.ko, serverRequest, pending.client.process);
      server.views.push(inServer);
      client.views.push(inClient);
      pending.serverViewInClient = inClient;
      lpcWritePortView(t, pServerView!, inServer, inClient);
    }
    server.peer = client;
    client.peer = server;
    server.context = context!;
    pending.serverPort = server;
    pending.clientPort = client;
    t.process.space.writeU32(pHandle!, t.process.handles.insert(server, mapGenericAccess(PORT_ALL_ACCESS, PortType)));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtCompleteConnectPort(ex, t, a) {
    const server = port(t, a[0]!);
    for (const [id, pending] of ex.lpc.connects) {
      if (pending.serverPort !== server) continue;
      ex.lpc.connects.delete(id);
      const c = pending.client;
      if (c.terminated) return NTSTATUS.STATUS_PORT_DISCONNECTED;
      try {
        c.process.space.writeU32(pending.handlePtr, c.process.handles.insert(pending.clientPort!, mapGenericAccess(PORT_ALL_ACCESS, PortType)));
        if (pending.maxLengthPtr !== 0) c.process.space.writeU32(pending.maxLengthPtr, PORT_MESSAGE_HEADER + PORT_MAX_DATA);
        const cv = pending.clientView;
        if (cv !== undefined) lpcWritePortView(c, cv.ptr, cv.inClient, cv.inServer!);
        if (pending.serverViewOut !== 0) {
          if (pending.serverViewInClient !== undefined) lpcWriteRemoteView(c, pending.serverViewOut, pending.serverViewInClient);
          else c.process.space.writeBytes(pending.serverViewOut + 4, new Uint8Array(8)); // no server view: size and base 0
        }
        ex.completeLater(c, NTSTATUS.STATUS_SUCCESS);
      } catch (e) {
        if (!(e instanceof NtStatusError)) throw e;
        ex.completeLater(c, e.status);
      }
      return NTSTATUS.STATUS_SUCCESS;
    }
    return NTSTATUS.STATUS_INVALID_PARAMETER;
  },
  NtRequestWaitReplyPort(ex, t, a) {
    const p = port(t, a[0]!);
    if (p.kind !== 'client' || p.peer === null) return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    t.process.space.probe(a[2]!, PORT_MESSAGE_HEADER + PORT_MAX_DATA, true);
    const { data } = readData(t, a[1]!);
    const id = ex.lpc.nextMessageId++;
    ex.lpc.replies.set(id, { thread: t, replyPtr: a[2]! });
    lpcDeliver(ex, p.server, { type: LPC_REQUEST, data, pid: t.process.pid, tid: t.tid, messageId: id, from: p });
    return PENDING;
  },
  NtReplyWaitReceivePort(ex, t, a) {
    const [h, pCtx, pReply, pRecv] = a;
    const p = port(t, h!);
    if (p.kind === 'client') return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    t.process.space.probe(pRecv!, PORT_MESSAGE_HEADER + PORT_MAX_DATA, true);
    if (pReply !== 0) {
      const s = reply(ex, t, pReply!);
      if (s !== NTSTATUS.STATUS_SUCCESS) return s;
    }
    return receive(p.server, { thread: t, buffer: pRecv!, contextPtr: pCtx!, listenOnly: false });
  },
  NtReplyPort(ex, t, a) {
    const p = port(t, a[0]!);
    if (p.kind === 'client') return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    return reply(ex, t, a[1]!);
  },
  NtLpcBindPort(ex, t, a) {
    t.process.space.probe(a[2]!, LPC_BIND_INFO_SIZE, true);
    return lpcBindPort(ex, t, port(t, a[0]!), a[1]!, a[2]!);
  },
};
