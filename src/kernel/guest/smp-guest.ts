/**
 * The SMP machine with guest programs on it (tests, bench): sel4-pingpong
 * pairs placed on chosen cores, the root task (the host) collecting reports.
 */
import { dirname, join } from 'node:path';
import { directorySource, loadProgram } from '../../pe/index.js';
import { SmpMachine, type SmpOptions } from '../smp/machine.js';
import { RIGHT_READ, RIGHT_WRITE, RIGHT_GRANT_REPLY, type BuiltThread } from '../index.js';
import { GUEST_BIN, CLIENT_BADGE, PING_BADGE, PONG_BADGE, rootReceive, type Received } from './sel4-guest.js';

/** A stack page under `top` holding [esp] = 0 and [esp+4] = arg; returns esp. */
export function smpStack(m: SmpMachine, top: number, arg: number): number {
  m.kernel(() => m.b.mapRange(top - 0x4000, 0x4000));
  const esp = top - 16;
  m.b.writeWords(esp, [0, arg]);
  return esp;
}

/** NBRecv by the root on an endpoint in its CNode (the caller holds the kernel lock: inside m.kernel/m.until). */
export function smpReceive(m: SmpMachine, epSlot: number, words = 11): Received | null {
  return rootReceive(m, epSlot, words);
}

/** Collects reports from `count` different badges on `ep` (polling), in badge order, or throws after `timeoutMs`. */
export async function collect(m: SmpMachine, ep: number, count: number, timeoutMs = 60_000): Promise<Received[]> {
  const got = new Map<number, Received>();
  const ok = await m.until(() => {
    for (let r = smpReceive(m, ep); r !== null; r = smpReceive(m, ep)) got.set(r.badge, r);
    return got.size >= count;
  }, timeoutMs);
  if (!ok) throw new Error(`only ${got.size} of ${count} reports after ${timeoutMs} ms`);
  return [...got.values()].sort((a, b) => a.badge - b.badge);
}

/** Report badges: a reporter sends its report over and over, so reports are told apart by badge. */
export const CLIENT_REPORT = 0x100;
export const SERVER_REPORT = 0x200;

export interface SmpPair { server: BuiltThread; client: BuiltThread; ep: number }

/** Loads sel4-pingpong.exe once into the machine's VSpace; returns its entry. */
export function loadPingPong(m: SmpMachine, image = join(GUEST_BIN, 'sel4-pingpong.exe')): number {
  const { main } = loadProgram(image, {
    target: m.b, source: directorySource([dirname(image), GUEST_BIN]), findFreeRange: () => undefined,
  });
  return main.entry;
}

/** A server on `serverCore` and a client doing `n` round trips on `clientCore`; both report to `report`. */
export function pingPongPair(m: SmpMachine, entry: number, report: number, index: number, serverCore: number, clientCore: number, n: number, priority = 100): SmpPair {
  const b = m.b;
  const ep = m.kernel(() => b.endpoint());
  const at = 0x20000000 + index * 0x200000;
  const server = m.thread({ entry, esp: smpStack(m, at, 0), priority, ipcBuffer: 0x30000000 + index * 0x2000, core: serverCore });
  const client = m.thread({ entry, esp: smpStack(m, at + 0x100000, n), priority, ipcBuffer: 0x30001000 + index * 0x2000, core: clientCore });
  m.kernel(() => {
    b.giveCap(server, 1, ep, RIGHT_READ);
    b.giveCap(server, 2, report, RIGHT_WRITE, SERVER_REPORT + index);
    b.giveCap(client, 1, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY, CLIENT_BADGE);
    b.giveCap(client, 2, report, RIGHT_WRITE, CLIENT_REPORT + index);
  });
  return { server, client, ep };
}

export function smpMachine(opts: SmpOptions): SmpMachine {
  return new SmpMachine(opts);
}

/** Loads sel4-notify.exe into the machine's VSpace; returns its entry. */
export function loadNotify(m: SmpMachine, image = join(GUEST_BIN, 'sel4-notify.exe')): number {
  const { main } = loadProgram(image, {
    target: m.b, source: directorySource([dirname(image), GUEST_BIN]), findFreeRange: () => undefined,
  });
  return main.entry;
}

/** A notification responder on `responderCore` and an initiator doing `n` rounds on `initiatorCore`. */
export function notifySmpPair(m: SmpMachine, entry: number, report: number, responderCore: number, initiatorCore: number, n: number): { responder: BuiltThread; initiator: BuiltThread } {
  const b = m.b;
  const [ping, pong] = m.kernel(() => [b.notification(), b.notification()]);
  const responder = m.thread({ entry, esp: smpStack(m, 0x28000000, 0), priority: 100, ipcBuffer: 0x38000000, core: responderCore });
  const initiator = m.thread({ entry, esp: smpStack(m, 0x28100000, n), priority: 100, ipcBuffer: 0x38001000, core: initiatorCore });
  m.kernel(() => {
    b.giveCap(responder, 1, ping!, RIGHT_READ);
    b.giveCap(responder, 2, pong!, RIGHT_WRITE, PONG_BADGE);
    b.giveCap(initiator, 1, ping!, RIGHT_WRITE, PING_BADGE);
    b.giveCap(initiator, 2, pong!, RIGHT_READ);
    b.giveCap(initiator, 3, report, RIGHT_WRITE, CLIENT_REPORT);
  });
  return { responder, initiator };
}
