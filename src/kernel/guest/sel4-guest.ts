/**
 * seL4 guest programs on one core (tests, the bench, `neptune run`). The host as the root task: boots the kernel over guest RAM, builds a
 * VSpace through kernel objects, loads guest/bin/sel4-pingpong.exe with the
 * PE loader and starts its server and client threads (tests, bench).
 */
import { join } from 'node:path';
import { GuestRam } from '../../machine/ram.js';
import { guestBinDir } from '../../machine/paths.js';
import { Cpu } from '../../cpu/cpu.js';
import { directorySource, loadProgram } from '../../pe/index.js';
import {
  bootKernel, invokeTCB_Suspend, schedule, seL4_NBRecv, getMR, getMsgInfo, getBadge, setReg, REG_MSGINFO,
  KernelCore, SpaceBuilder, RIGHT_READ, RIGHT_WRITE, RIGHT_GRANT_REPLY, type BuiltThread, type CoreOptions,
  type Kernel, type BootInfo,
} from '../index.js';

/** The prebuilt guest images (sel4-pingpong.exe, sel4-notify.exe, sel4-test.exe). */
export const GUEST_BIN = guestBinDir();
export const CLIENT_BADGE = 0x42;

export interface Machine {
  ram: GuestRam;
  k: Kernel;
  info: BootInfo;
  b: SpaceBuilder;
  cpu: Cpu;
  core: KernelCore;
  root: number;
}

/** A booted kernel whose root thread is the host (suspended: never on the CPU) and one VSpace. */
export function machine(opts: CoreOptions = {}, ramBytes = 32 << 20): Machine {
  const ram = new GuestRam(ramBytes);
  const { kernel: k, bootInfo: info } = bootKernel({ memory: ram.sab, rootCNodeBits: 12 });
  invokeTCB_Suspend(k, info.rootThread);
  schedule(k);
  const b = new SpaceBuilder(k, info);
  const cpu = new Cpu(ram);
  return { ram, k, info, b, cpu, core: new KernelCore(k, cpu, opts), root: info.rootThread };
}

/** A stack page at `top - 4096 .. top` holding [esp] = 0 (returning faults) and [esp+4] = arg; returns esp. */
export function stack(m: Machine, top: number, arg: number): number {
  m.b.mapRange(top - 0x4000, 0x4000);
  const esp = top - 16;
  m.b.writeWords(esp, [0, arg]);
  return esp;
}

export interface Received { label: number; length: number; badge: number; mrs: number[] }

/** The root thread polls an endpoint in its CNode (NBRecv); null when nobody was sending. */
export function rootReceive(m: { k: Kernel; root: number }, epSlot: number, words = 11): Received | null {
  setReg(m.k, m.root, REG_MSGINFO, -1);
  seL4_NBRecv(m.k, m.root, epSlot);
  const info = getMsgInfo(m.k, m.root);
  if (info === 0xffffffff) return null;
  const mrs: number[] = [];
  for (let i = 0; i < Math.min(words, info & 0x7f); i++) mrs.push(getMR(m.k, m.root, i) >>> 0);
  return { label: info >>> 12, length: info & 0x7f, badge: getBadge(m.k, m.root), mrs };
}

export interface PingPong extends Machine {
  ep: number;
  report: number;
  server: BuiltThread;
  client: BuiltThread;
}

/** sel4-pingpong.exe with a client doing `n` round trips. */
export function pingPong(n: number, opts: CoreOptions = {}): PingPong {
  const m = machine(opts);
  const { b } = m;
  const { main } = loadProgram(join(GUEST_BIN, 'sel4-pingpong.exe'), {
    target: b, source: directorySource([GUEST_BIN]), findFreeRange: () => undefined,
  });
  const ep = b.endpoint();
  const report = b.endpoint();
  const server = b.thread({ entry: main.entry, esp: stack(m, 0x20000000, 0), priority: 100, ipcBuffer: 0x30000000 });
  const client = b.thread({ entry: main.entry, esp: stack(m, 0x20100000, n), priority: 100, ipcBuffer: 0x30001000 });
  b.giveCap(server, 1, ep, RIGHT_READ);
  b.giveCap(server, 2, report, RIGHT_WRITE);
  b.giveCap(client, 1, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY, CLIENT_BADGE);
  b.giveCap(client, 2, report, RIGHT_WRITE);
  b.start(server);
  b.start(client);
  return { ...m, ep, report, server, client };
}

export const PING_BADGE = 0x11;
export const PONG_BADGE = 0x22;

export interface NotifyPair extends Machine {
  report: number;
  responder: BuiltThread;
  initiator: BuiltThread;
}

/** sel4-notify.exe on one core: an initiator doing `n` Signal/Wait rounds with a responder. */
export function notifyPair(n: number, opts: CoreOptions = {}): NotifyPair {
  const m = machine(opts);
  const { b } = m;
  const { main } = loadProgram(join(GUEST_BIN, 'sel4-notify.exe'), {
    target: b, source: directorySource([GUEST_BIN]), findFreeRange: () => undefined,
  });
  const ping = b.notification();
  const pong = b.notification();
  const report = b.endpoint();
  const responder = b.thread({ entry: main.entry, esp: stack(m, 0x20000000, 0), priority: 100, ipcBuffer: 0x30000000 });
  const initiator = b.thread({ entry: main.entry, esp: stack(m, 0x20100000, n), priority: 100, ipcBuffer: 0x30001000 });
  b.giveCap(responder, 1, ping, RIGHT_READ);
  b.giveCap(responder, 2, pong, RIGHT_WRITE, PONG_BADGE);
  b.giveCap(initiator, 1, ping, RIGHT_WRITE, PING_BADGE);
  b.giveCap(initiator, 2, pong, RIGHT_READ);
  b.giveCap(initiator, 3, report, RIGHT_WRITE);
  b.start(responder);
  b.start(initiator);
  return { ...m, report, responder, initiator };
}
