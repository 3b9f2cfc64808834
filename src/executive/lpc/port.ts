/**
 * Lpc: ports. A server creates a named connection port; a client's
 * NtConnectPort queues a connection request on it and waits; the server
 * listens, accepts (a server communication port paired with the client's
 * communication port) and completes, which returns the client its port.
 * Requests from a client's port go to the server's connection port queue;
 * the server receives them with NtReplyWaitReceivePort (PortContext = the
 * context it gave its communication port) and replies by MessageId.
 *
 *   client ──NtConnectPort──> [connection port queue] ──NtListenPort──> server
 *   client <─(complete)── NtAcceptConnectPort + NtCompleteConnectPort
 *   client ──NtRequestWaitReplyPort──> queue ──NtReplyWaitReceivePort──> server
 *   client <──────────── reply (by MessageId) ──────────────────────────┘
 *
 * Messages are copied by the executive (header of 24 bytes + up to 256
 * bytes of data); larger data goes through port views (port-view.ts:
 * sections mapped into both sides at connection). Datagrams are not
 * supported. Every wait keeps the waiting thread's reply capability, like
 * other waits.
 */
import { ObObject, type ObjectType } from '../ob/object.js';
import type { EThread } from '../ps/process.js';
import type { Executive } from '../executive.js';
import { lpcDeleteEndpoint, lpcUnbindPort, type DirectEndpoint } from './direct.js';
import { lpcDeliver } from './services.js';
import { lpcUnmapView, type MappedView, type PortViewRequest } from './port-view.js';

export const PortType: ObjectType = {
  name: 'Port',
  generic: { read: 0x20001, write: 0x10001, execute: 0, all: 0x1f0001 },
  delete(o) {
    // A communication port takes its side's port views with it.
    const p = o as LpcPort;
    for (const v of p.views) lpcUnmapView(v);
    p.views.length = 0;
    const ex = p.executive;
    if (ex === null) return;
    // Direct path (direct.ts): the caps minted for this port go; the peer learns it.
    lpcUnbindPort(ex, p);
    if (p.kind === 'connection') { lpcDeleteEndpoint(ex, p); return; }
    const peer = p.peer;
    p.peer = null;
    if (peer !== null) { peer.peer = null; lpcUnbindPort(ex, peer); }
    const client = p.kind === 'client' ? p : peer;
    if (client !== null && client.badge !== 0) p.server.direct?.clients.delete(client.badge);
    // NT tells the server: an LPC_PORT_CLOSED message from the client's port.
    if (p.kind === 'client' && peer !== null) {
      lpcDeliver(ex, p.server, { type: LPC_PORT_CLOSED, data: new Uint8Array(0), pid: p.clientPid, tid: p.clientTid, messageId: ex.lpc.nextMessageId++, from: p, peerAtClose: peer });
    }
  },
};

export const PORT_MESSAGE_HEADER = 24;
export const PORT_MAX_DATA = 256;
export const LPC_REQUEST = 1;
export const LPC_REPLY = 2;
export const LPC_PORT_CLOSED = 5;
export const LPC_CONNECTION_REQUEST = 10;

export interface LpcMessage {
  type: number;
  data: Uint8Array;
  pid: number;
  tid: number;
  messageId: number;
  /** The client communication port it came from (requests). */
  from: LpcPort | null;
  /** PORT_MESSAGE.ClientViewSize: the client's view size (connection requests). */
  clientViewSize?: number;
  /** LPC_PORT_CLOSED: the server port whose context the receiver gets (the client's peer is gone by then). */
  peerAtClose?: LpcPort;
}

export interface LpcReceiver {
  thread: EThread;
  buffer: number;
  contextPtr: number;
  listenOnly: boolean;
}

export class LpcPort extends ObObject {
  readonly queue: LpcMessage[] = [];
  readonly receivers: LpcReceiver[] = [];
  peer: LpcPort | null = null;
  context = 0;
  /** The port views mapped on this port's side (unmapped when it is deleted). */
  readonly views: MappedView[] = [];
  /** Connection ports: the endpoint of the direct path (direct.ts), made on first use. */
  direct: DirectEndpoint | null = null;
  /** Client ports: the badge of its send caps (unique in the connection port; 0: not accepted). */
  badge = 0;
  /** Client ports: the connecting thread's ClientId (LPC_PORT_CLOSED carries it). */
  clientPid = 0;
  clientTid = 0;
  /** Threads with a cap to this port's endpoint in their CNode. */
  readonly boundThreads = new Set<EThread>();
  constructor(readonly kind: 'connection' | 'server' | 'client', readonly connection: LpcPort | null, readonly executive: Executive | null = null) {
    super(PortType);
  }
  /** The connection port messages through this port are queued on. */
  get server(): LpcPort {
    return this.connection ?? this;
  }
}

export interface PendingConnect {
  client: EThread;
  handlePtr: number;
  maxLengthPtr: number;
  connection: LpcPort;
  serverPort: LpcPort | null;
  clientPort: LpcPort | null;
  /** The client's PORT_VIEW (its address in the client) and its mapping there. */
  clientView?: { request: PortViewRequest; ptr: number; inClient: MappedView; inServer?: MappedView };
  /** The client's REMOTE_PORT_VIEW out (0: none) and the server's view as mapped in the client. */
  serverViewOut: number;
  serverViewInClient?: MappedView;
}

export interface PendingReply {
  thread: EThread;
  replyPtr: number;
}

/** The LPC state of one executive. */
export class LpcState {
  nextMessageId = 1;
  readonly connects = new Map<number, PendingConnect>();
  readonly replies = new Map<number, PendingReply>();
}

/** PORT_MESSAGE header + data as bytes. */
export function encodeMessage(m: LpcMessage): Uint8Array {
  const b = new Uint8Array(PORT_MESSAGE_HEADER + m.data.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, m.data.length, true);
  dv.setUint16(2, PORT_MESSAGE_HEADER + m.data.length, true);
  dv.setUint16(4, m.type, true);
  dv.setUint16(6, 0, true);
  dv.setUint32(8, m.pid, true);
  dv.setUint32(12, m.tid, true);
  dv.setUint32(16, m.messageId, true);
  dv.setUint32(20, m.clientViewSize ?? 0, true);
  b.set(m.data, PORT_MESSAGE_HEADER);
  return b;
}
