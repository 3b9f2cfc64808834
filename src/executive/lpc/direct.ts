/**
 * Lpc: the direct data path. Requests and replies do not go through the
 * executive: each connection port has one seL4 endpoint, and ntdll
 * (guest/ntdll/lpc.c) sends and receives PORT_MESSAGEs on it in the IPC
 * buffer's message registers.
 *
 *   client thread ── seL4_Call(badge = client port) ──> [endpoint of the connection port]
 *   server thread <── seL4_Recv / seL4_ReplyRecv ────────┘ (reply: the Call's reply cap)
 *
 * - Caps. Each NT thread has its own CNode (ps/create.ts). NtLpcBindPort
 *   (this file) mints the endpoint into the calling thread's CNode on its
 *   first use of a port and says the slot; ntdll caches handle → slot per
 *   thread. A client communication port gets a send cap badged with the
 *   port's badge (unique in its connection port, never reused); a
 *   connection or server communication port gets a receive cap, and the
 *   thread a notification bound to its TCB, which the executive signals
 *   when it has queued a message for the port (connection requests, closes,
 *   requests sent through the executive's copy): ntdll's Recv then returns
 *   with the notification's badge and ntdll fetches the message through
 *   KiReplyWaitReceivePort, which for such a thread never blocks.
 * - Out-of-order replies. ntdll keeps the reply cap of the last message in
 *   the thread's tcbCaller while it can (ReplyRecv answers it); before
 *   receiving another message with a request unanswered it moves the reply
 *   cap into a slot of REPLY_FIRST.. by CNode_SaveCaller on its own CNode
 *   (through NtLpcBindPort: the kernel does not decode SaveCaller from user
 *   mode) and later answers with seL4_Send on that slot.
 * - Deaths. A server thread that ends with reply caps (tcbCaller or saved)
 *   has each caller answered here with label LPC_LABEL_DISCONNECTED
 *   (ntdll: STATUS_PORT_DISCONNECTED). A connection port that goes
 *   (last handle closed, server process ended) has its endpoint revoked and
 *   deleted: blocked senders restart their Call on a deleted cap, which
 *   fails, and ntdll answers STATUS_PORT_DISCONNECTED. A communication port
 *   that goes takes its minted caps with it (the peer then binds again and
 *   learns the disconnection); a client port that goes queues LPC_PORT_CLOSED
 *   for the server.
 *
 * Thread CNode slots (THREAD_CNODE_BITS = 6): 1 service, 2 fault, 3 free,
 * 4..15 endpoint caps, 16..63 saved reply caps.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import {
  RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, RIGHTS_ALL, cap_null_cap, cap_reply_cap,
  invokeCNode_Delete, invokeCNode_Mint, invokeCNode_Move, invokeCNode_Revoke, invokeCNode_SaveCaller, invokeTCB_BindNotification,
  seL4_CapInitThreadCNode, seL4_EndpointObject, seL4_MessageInfo_new, seL4_NoError, seL4_NotificationObject, seL4_Send,
  seL4_Signal, slotPtr, slotType, ERROR_NAMES,
} from '../../kernel/index.js';
import type { Executive } from '../executive.js';
import { THREAD_CNODE_BITS, type EThread } from '../ps/process.js';
import type { LpcPort } from './port.js';

export const ENDPOINT_FIRST = 4;
export const ENDPOINT_END = 16;
export const REPLY_FIRST = 16;
export const REPLY_END = 1 << THREAD_CNODE_BITS;
/** The notification badge a direct receiver's Recv returns when the executive queued something. */
export const LPC_NOTIFY_BADGE = 1 << 26;
/** Reply label the executive answers a dead server's callers with. */
export const LPC_LABEL_DISCONNECTED = 1;
/** Bytes of LPC_BIND_INFO. */
export const LPC_BIND_INFO_SIZE = 24;

/** The endpoint of one connection port. */
export interface DirectEndpoint {
  /** Root CNode slot of the endpoint (the original cap: its copies are its children). */
  readonly slot: number;
  nextBadge: number;
  /** Client communication ports by badge. */
  readonly clients: Map<number, LpcPort>;
  /** Threads bound to receive on it (their notifications are signalled). */
  readonly receivers: Set<EThread>;
}

/** One thread's LPC caps. */
interface ThreadLpc {
  /** Root CNode slot of the notification bound to the thread (0: none yet). */
  ntfn: number;
  /** Port → its slot in the thread's CNode. */
  readonly slots: Map<LpcPort, number>;
}

const threads = new WeakMap<EThread, ThreadLpc>();

/** Address of slot `i` of the thread's CNode (the CNode object, not the executive's cap to it). */
function threadSlot(ex: Executive, t: EThread, i: number): number {
  return slotPtr(ex.k, ex.ko.slot(t.cnodeSlot)) + i * 32;
}

function check(e: number, what: string): void {
  if (e !== seL4_NoError) throw new NtStatusError(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, `${what}: ${ERROR_NAMES[e]}`);
}

function threadLpc(ex: Executive, t: EThread): ThreadLpc {
  let s = threads.get(t);
  if (s !== undefined) return s;
  s = { ntfn: 0, slots: new Map() };
  threads.set(t, s);
  return s;
}

/** The connection port's endpoint, made on first use. */
export function lpcEndpoint(ex: Executive, conn: LpcPort): DirectEndpoint {
  if (conn.direct === null) conn.direct = { slot: ex.ko.retypeReclaimable(seL4_EndpointObject), nextBadge: 1, clients: new Map(), receivers: new Set() };
  return conn.direct;
}

/** Signals every direct receiver of `conn`: the executive queued a message for it. */
export function lpcNotifyReceivers(ex: Executive, conn: LpcPort): void {
  const d = conn.direct;
  if (d === null) return;
  for (const t of d.receivers) signal(ex, t);
}

/** Whether `t` receives on `conn` directly (its executive receive must not block). */
export function lpcIsDirectReceiver(conn: LpcPort, t: EThread): boolean {
  return conn.direct?.receivers.has(t) ?? false;
}

/** A free endpoint slot in the thread's CNode. */
function freeSlot(s: ThreadLpc): number {
  const used = new Set(s.slots.values());
  for (let i = ENDPOINT_FIRST; i < ENDPOINT_END; i++) if (!used.has(i)) return i;
  throw new NtStatusError(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, `the thread already has ${ENDPOINT_END - ENDPOINT_FIRST} LPC ports bound`);
}

/** NtLpcBindPort's Mode: bind to send (a client port), to receive (a connection or server port), or look up a badge. */
export const LPC_BIND_SEND = 0;
export const LPC_BIND_RECEIVE = 1;
export const LPC_BIND_QUERY_BADGE = 0x80000000;
/**
 * LPC_BIND_SAVE_REPLY | slot: CNode_SaveCaller of the calling thread's
 * tcbCaller into that slot of its CNode. The kernel decodes SaveCaller only
 * for the root task (src/kernel/invocation.ts has no user-mode label for
 * it), so ntdll asks the executive: one executive round trip when a server
 * thread receives with a request unanswered (out-of-order replies).
 */
export const LPC_BIND_SAVE_REPLY = 0x40000000;

/**
 * NtLpcBindPort(PortHandle, Mode, BindInfo): binds the calling thread to
 * the port's endpoint, or (LPC_BIND_QUERY_BADGE | badge) gives the
 * PortContext of the client port with that badge.
 * LPC_BIND_INFO { EndpointCPtr, SelfCPtr, ReplyFirst, ReplyEnd, Badge, Context }.
 */
export function lpcBindPort(ex: Executive, t: EThread, p: LpcPort, mode: number, info: number): number {
  const mem = t.process.space;
  mem.probe(info, LPC_BIND_INFO_SIZE, true);
  const conn = p.server;
  if ((mode & LPC_BIND_QUERY_BADGE) !== 0) {
    if (p.kind === 'client') return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    const badge = mode & ~LPC_BIND_QUERY_BADGE;
    const c = conn.direct?.clients.get(badge);
    if (c === undefined) return NTSTATUS.STATUS_PORT_DISCONNECTED;
    mem.writeU32(info + 16, badge);
    mem.writeU32(info + 20, c.peer?.context ?? 0);
    return NTSTATUS.STATUS_SUCCESS;
  }
  if ((mode & LPC_BIND_SAVE_REPLY) !== 0) {
    const slot = mode & ~LPC_BIND_SAVE_REPLY;
    if (p.kind === 'client') return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
    if (slot < REPLY_FIRST || slot >= REPLY_END) return NTSTATUS.STATUS_INVALID_PARAMETER_2;
    const at = threadSlot(ex, t, slot);
    if (slotType(ex.k, at) !== cap_null_cap) return NTSTATUS.STATUS_INVALID_PARAMETER_2;
    invokeCNode_SaveCaller(ex.k, t.tcb, at);
    return slotType(ex.k, at) === cap_reply_cap ? NTSTATUS.STATUS_SUCCESS : NTSTATUS.STATUS_REPLY_MESSAGE_MISMATCH;
  }
  if (mode !== LPC_BIND_SEND && mode !== LPC_BIND_RECEIVE) return NTSTATUS.STATUS_INVALID_PARAMETER_2;
  // Requests go through a client's communication port; receives and replies through the server's ports.
  if ((mode === LPC_BIND_SEND) !== (p.kind === 'client')) return NTSTATUS.STATUS_INVALID_PORT_HANDLE;
  if (p.kind === 'client' && (p.peer === null || p.badge === 0)) return NTSTATUS.STATUS_PORT_DISCONNECTED;
  const d = lpcEndpoint(ex, conn);
  const s = threadLpc(ex, t);
  let slot = s.slots.get(p);
  if (slot === undefined || slotType(ex.k, threadSlot(ex, t, slot)) === cap_null_cap) {
    slot ??= freeSlot(s);
    const rights = p.kind === 'client' ? RIGHT_WRITE | RIGHT_GRANT_REPLY : RIGHT_READ;
    check(invokeCNode_Mint(ex.k, ex.ko.slot(t.cnodeSlot), slot, THREAD_CNODE_BITS, ex.ko.slot(seL4_CapInitThreadCNode), d.slot, 32, rights, p.kind === 'client' ? p.badge : 0), 'CNode_Mint(endpoint)');
    s.slots.set(p, slot);
    p.boundThreads.add(t);
  }
  if (p.kind !== 'client') {
    if (s.ntfn === 0) {
      s.ntfn = ex.ko.retypeReclaimable(seL4_NotificationObject);
      // The badge Recv returns when the notification wakes it: minted into a root slot the executive signals.
      const badged = ex.ko.allocSlot();
      check(invokeCNode_Mint(ex.k, ex.ko.slot(seL4_CapInitThreadCNode), badged, 32, ex.ko.slot(seL4_CapInitThreadCNode), s.ntfn, 32, RIGHTS_ALL, LPC_NOTIFY_BADGE), 'CNode_Mint(notification)');
      check(invokeTCB_BindNotification(ex.k, t.tcb, ex.ko.slot(s.ntfn)), 'TCB_BindNotification');
      ntfnBadged.set(t, badged);
    }
    d.receivers.add(t);
    // Queued before this thread bound: it learns of them on its first Recv.
    if (conn.queue.length > 0) signal(ex, t);
  }
  mem.writeU32(info, slot);
  mem.writeU32(info + 4, 0); // SelfCPtr: none (SaveCaller goes through LPC_BIND_SAVE_REPLY)
  mem.writeU32(info + 8, REPLY_FIRST);
  mem.writeU32(info + 12, REPLY_END);
  mem.writeU32(info + 16, p.kind === 'client' ? p.badge : 0);
  mem.writeU32(info + 20, 0);
  return NTSTATUS.STATUS_SUCCESS;
}

/** The badged copy of each thread's notification (what lpcNotifyReceivers signals). */
const ntfnBadged = new WeakMap<EThread, number>();

/** Signals through the badged copy (so Recv sees LPC_NOTIFY_BADGE). */
function signal(ex: Executive, t: EThread): void {
  const b = ntfnBadged.get(t);
  if (b !== undefined && !t.terminated) seL4_Signal(ex.k, ex.tcb, b);
}

/** Deletes the caps minted for port `p` in the threads that bound it. */
export function lpcUnbindPort(ex: Executive, p: LpcPort): void {
  for (const t of p.boundThreads) {
    const s = threads.get(t);
    const slot = s?.slots.get(p);
    if (s === undefined || slot === undefined) continue;
    s.slots.delete(p);
    // Still a receiver while it holds another port of the same connection (its connection port, say).
    if (![...s.slots.keys()].some((q) => q.kind !== 'client' && q.server === p.server)) p.server.direct?.receivers.delete(t);
    if (!t.terminated) invokeCNode_Delete(ex.k, ex.ko.slot(t.cnodeSlot), slot, THREAD_CNODE_BITS);
  }
  p.boundThreads.clear();
}

/** A connection port goes: its endpoint is revoked and deleted (blocked callers fail, see above). */
export function lpcDeleteEndpoint(ex: Executive, conn: LpcPort): void {
  const d = conn.direct;
  if (d === null) return;
  conn.direct = null;
  invokeCNode_Revoke(ex.k, ex.ko.slot(seL4_CapInitThreadCNode), d.slot, 32);
  ex.ko.deleteCap(d.slot);
  for (const t of d.receivers) threads.get(t)?.slots.delete(conn);
}

/** Answers one reply cap (moved to a root slot) with LPC_LABEL_DISCONNECTED. */
function answerDisconnected(ex: Executive, rootSlot: number): void {
  seL4_Send(ex.k, ex.tcb, rootSlot, seL4_MessageInfo_new(LPC_LABEL_DISCONNECTED, 0, 0, 0));
  ex.ko.deleteCap(rootSlot);
}

/**
 * A thread ends (before its TCB and CNode go): the callers whose replies it
 * holds are answered STATUS_PORT_DISCONNECTED, its notification goes.
 */
export function lpcThreadExit(ex: Executive, t: EThread): void {
  const s = threads.get(t);
  if (s === undefined) return;
  threads.delete(t);
  const k = ex.k;
  const cnode = ex.ko.slot(t.cnodeSlot);
  // The caller in tcbCaller (a message received, not answered yet): not an executive wait, the executive saves those.
  const at = ex.ko.allocSlot();
  invokeCNode_SaveCaller(k, t.tcb, ex.ko.slot(at));
  if (slotType(k, ex.ko.slot(at)) === cap_reply_cap) answerDisconnected(ex, at);
  else ex.ko.deleteCap(at);
  for (let i = REPLY_FIRST; i < REPLY_END; i++) {
    if (slotType(k, threadSlot(ex, t, i)) !== cap_reply_cap) continue;
    const to = ex.ko.allocSlot();
    moveCap(ex, cnode, i, to);
    answerDisconnected(ex, to);
  }
  for (const p of s.slots.keys()) { p.boundThreads.delete(t); p.server.direct?.receivers.delete(t); }
  if (s.ntfn !== 0) {
    const b = ntfnBadged.get(t);
    if (b !== undefined) ex.ko.deleteCap(b);
    ntfnBadged.delete(t);
    ex.ko.deleteCap(s.ntfn);
  }
}

/** Moves a reply cap out of a thread's CNode (reply caps are moved, not copied). */
function moveCap(ex: Executive, cnode: number, index: number, rootSlot: number): void {
  check(invokeCNode_Move(ex.k, ex.ko.slot(seL4_CapInitThreadCNode), rootSlot, 32, cnode, index, THREAD_CNODE_BITS), 'CNode_Move(reply)');
}
