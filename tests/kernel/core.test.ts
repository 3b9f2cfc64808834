// The kernel driving the CPU (core.ts, fastpath.ts, abi.ts): guest threads making
// real seL4 system calls by sysenter, faults as fault messages, the fastpath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameMachines } from './helpers.js';
import { Access, TRANSLATE_FAULT } from '../../src/mmu/mmu.js';
import {
  CoreExit, seL4_Reply, seL4_MessageInfo_new, threadState, translate, invokePage_Map,
  slotPtr, seL4_X86_4K, RIGHT_READ, RIGHT_WRITE, RIGHT_GRANT_REPLY,
  ThreadState_BlockedOnSend, ThreadState_BlockedOnReply, ThreadState_Inactive, seL4_Fault_VMFault, seL4_Fault_UserException,
  seL4_Fault_UnknownSyscall, seL4_InvalidCapability, seL4_FailedLookup, seL4_NoError,
} from '../../src/kernel/index.js';
import { machine, pingPong, rootReceive, stack, CLIENT_BADGE, type Machine } from '../../src/kernel/guest/sel4-guest.js';

test('sel4-pingpong: server and client threads do N Call/ReplyRecv round trips through sysenter', () => {
  const n = 300;
  const m = pingPong(n);
  assert.equal(m.core.run(20_000_000), CoreExit.IDLE);
  assert.deepEqual(m.core.unhandled, []);
  const server = rootReceive(m, m.report);
  const client = rootReceive(m, m.report);
  assert.deepEqual(server, { label: 4, length: 2, badge: 0, mrs: [n, 0] }, 'server: requests served, bad requests');
  assert.deepEqual(client, { label: 3, length: 2, badge: 0, mrs: [n, 0] }, 'client: good replies, bad replies');
  assert.equal(rootReceive(m, m.report), null);
  // N calls + quit call + first Recv + N ReplyRecv + Reply + 2 reports
  assert.equal(m.core.syscalls, 2 * n + 5);
  // The quit Call (3 words: MR2 goes through the IPC buffers) takes it too; the next test
  // checks that it leaves what the slow path leaves.
  assert.equal(m.core.fastpaths, 2 * n, 'every Call/ReplyRecv but the first Call (the server was not yet waiting)');
  assert.ok(CLIENT_BADGE === 0x42);
});

test('fastpath and slow path leave identical machines (all of RAM, kernel globals, instruction count)', () => {
  const a = pingPong(200, { fastpath: true });
  const b = pingPong(200, { fastpath: false });
  assert.equal(a.core.run(20_000_000), CoreExit.IDLE);
  assert.equal(b.core.run(20_000_000), CoreExit.IDLE);
  assert.ok(a.core.fastpaths > 300);
  assert.equal(b.core.fastpaths, 0);
  assert.equal(a.core.syscalls, b.core.syscalls);
  assertSameMachines(a, b);
});

test('run(limit) stops at the same instructions with the fastpath (taken inside the engine) as without', () => {
  const a = pingPong(300, { fastpath: true });
  const b = pingPong(300, { fastpath: false });
  const stopsA: number[] = [];
  const stopsB: number[] = [];
  for (const [m, stops] of [[a, stopsA], [b, stopsB]] as const) {
    for (let i = 0; i < 10_000; i++) {
      const exit = m.core.run(397);
      stops.push(m.cpu.retired);
      if (exit === CoreExit.IDLE) break;
    }
  }
  assert.ok(a.core.fastpaths > 500);
  assert.ok(stopsA.length > 30, `${stopsA.length} stops`);
  assert.deepEqual(stopsA, stopsB);
  assert.equal(a.cpu.onSysenter, null, 'the hook is gone when run returns');
});

test('the page tables vspace.ts writes are the ones the MMU walks', () => {
  const m = machine();
  const pa = m.b.mapPage(0x12345000);
  m.b.writeWords(0x12345ffc, [0xcafef00d]);
  m.cpu.mmu.setCr3(m.b.pd);
  assert.equal(m.cpu.mmu.translate(0x12345ffc, Access.WRITE), pa + 0xffc);
  assert.equal(m.cpu.read32(0x12345ffc) >>> 0, 0xcafef00d);
  assert.equal(m.cpu.mmu.translate(0x12346000, Access.READ), TRANSLATE_FAULT);
  assert.equal(translate(m.k, m.b.pd, 0x12346000), -1);
  // A frame mapped without Write: readable, not writable, for both walkers.
  const f = m.b.retype(seL4_X86_4K);
  assert.equal(invokePage_Map(m.k, m.b.slot(f), m.b.slot(m.b.pdSlot), 0x12346000, RIGHT_READ), seL4_NoError);
  assert.equal(m.cpu.mmu.translate(0x12346000, Access.READ), slotPtr(m.k, m.b.slot(f)));
  assert.equal(m.cpu.mmu.translate(0x12346004, Access.WRITE), TRANSLATE_FAULT);
});

/** A thread running hand-assembled code at 0x600000 (data page at 0x601000), fault endpoint in its slot 1 when `faultEP`. */
function codeThread(m: Machine, code: number[], faultEP: boolean): { tcb: number; fep: number } {
  const { b } = m;
  if (code.length > 0) {
    b.mapPage(0x600000);
    b.write(0x600000, Uint8Array.from(code));
  }
  b.mapPage(0x601000);
  const fep = b.endpoint();
  const th = b.thread({ entry: 0x600000, esp: stack(m, 0x700000, 0), priority: 50, ipcBuffer: 0x710000, faultEP: faultEP ? 1 : 0, regs: { esi: 0x5151 } });
  if (faultEP) b.giveCap(th, 1, fep, RIGHT_WRITE | RIGHT_GRANT_REPLY, 7);
  b.start(th);
  return { tcb: th.tcb, fep };
}

test('a page fault becomes a VMFault message on the fault endpoint; a reply restarts the thread', () => {
  const m = machine();
  const { tcb, fep } = codeThread(m, [], true); // nothing mapped at the entry: an instruction-fetch fault
  assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
  assert.equal(threadState(m.k, tcb), ThreadState_BlockedOnSend);
  const f = rootReceive(m, fep);
  assert.deepEqual(f, { label: seL4_Fault_VMFault, length: 4, badge: 7, mrs: [0x600000, 0x600000, 1, 4] });
  // The handler maps code there (ud2) and replies: the thread restarts and raises #UD.
  m.b.mapPage(0x600000);
  m.b.write(0x600000, Uint8Array.from([0x0f, 0x0b]));
  seL4_Reply(m.k, m.root, seL4_MessageInfo_new(0, 0, 0, 0));
  assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
  const u = rootReceive(m, fep);
  assert.equal(u?.label, seL4_Fault_UserException);
  assert.deepEqual(u?.mrs.slice(0, 1).concat(u.mrs.slice(3)), [0x600000, 6, 0], 'FaultIP, Number #UD, Code');
  assert.equal(u?.mrs[1], 0x700000 - 16, 'Stack');
  assert.equal(m.core.faults, 2);
});

test('a fault without a fault endpoint stops the thread and is recorded; the core goes idle', () => {
  const m = machine();
  const { tcb } = codeThread(m, [0x31, 0xc0, 0xf7, 0xf0], false); // xor eax,eax; div eax
  assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
  assert.equal(threadState(m.k, tcb), ThreadState_Inactive);
  assert.equal(m.core.unhandled.length, 1);
  assert.equal(m.core.unhandled[0]!.label, seL4_Fault_UserException);
  assert.equal(m.core.unhandled[0]!.msg[0], 0x600002);
  assert.equal(m.core.unhandled[0]!.msg[3], 0, '#DE');
});

test('bad system calls return errors or fault, never crash the engine', () => {
  const m = machine();
  const le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const movEax = (v: number): number[] => [0xb8, ...le(v)];
  const movEbx = (v: number): number[] => [0xbb, ...le(v)];
  const store = (a: number): number[] => [0xa3, ...le(a)];
  const sysenter = [0x0f, 0x34];
  const code = [
    ...movEax(-1), ...movEbx(9), ...sysenter, ...store(0x601000), // Call on an empty slot
    ...movEax(-5), ...movEbx(0x12345678), ...sysenter, ...store(0x601004), // Recv: guard mismatch
    ...movEax(-7), ...sysenter, ...store(0x601008), // Yield
    ...movEax(99), ...sysenter, ...store(0x60100c), // no such syscall
    0xcd, 0x80, // int 0x80: not a gate on this kernel
  ];
  const { tcb, fep } = codeThread(m, code, true);
  assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
  const u = rootReceive(m, fep);
  assert.equal(u?.label, seL4_Fault_UnknownSyscall);
  assert.equal(u?.length, 11);
  assert.equal(u?.mrs[0], 99, 'EAX');
  assert.equal(u?.mrs[4], 0x5151, 'ESI: the thread\'s own, not a message info');
  assert.equal(u?.mrs[7], 0x600000 + 17 + 17 + 12 + 7, 'FaultIP: after the sysenter');
  assert.equal(u?.mrs[10], 99, 'Syscall');
  seL4_Reply(m.k, m.root, seL4_MessageInfo_new(0, 0, 0, 0));
  assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
  const gp = rootReceive(m, fep);
  assert.equal(gp?.label, seL4_Fault_UserException);
  assert.deepEqual([gp?.mrs[3], gp?.mrs[4]], [13, (0x80 << 3) | 2], '#GP, error code of an IDT gate');
  assert.deepEqual([0, 4, 8, 12].map((o) => m.b.readWord(0x601000 + o)), [seL4_InvalidCapability, seL4_FailedLookup, seL4_NoError, 99]);
  assert.equal(threadState(m.k, tcb), ThreadState_BlockedOnReply, 'waiting for the fault handler');
});

test('sel4-notify: Signal/Wait rounds between two threads on one core deliver the badge word', async () => {
  const { notifyPair } = await import('../../src/kernel/guest/sel4-guest.js');
  const n = 500;
  const m = notifyPair(n);
  assert.equal(m.core.run(20_000_000), CoreExit.IDLE);
  assert.deepEqual(m.core.unhandled, []);
  assert.deepEqual(rootReceive(m, m.report), { label: 5, length: 2, badge: 0, mrs: [n, 0] });
});

for (const engine of ['interp', 'jit-eager'] as const) {
  test(`host writes to guest RAM drop code the CPU decoded from it (${engine})`, () => {
    // The thread runs ud2 at 0x600000 and faults; the handler writes new code over it
    // (as a loader, NtWriteVirtualMemory or a reused frame would) and restarts the thread.
    const m = machine({ engine });
    const { fep } = codeThread(m, [0x0f, 0x0b], true);
    assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
    assert.deepEqual(rootReceive(m, fep)?.mrs.slice(0, 1), [0x600000]);
    // mov dword [0x601000], 2; ud2
    m.b.write(0x600000, Uint8Array.from([0xc7, 0x05, 0x00, 0x10, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x0b]));
    seL4_Reply(m.k, m.root, seL4_MessageInfo_new(0, 0, 0, 0));
    assert.equal(m.core.run(1_000_000), CoreExit.IDLE);
    const u = rootReceive(m, fep);
    assert.equal(u?.mrs[0], 0x60000a, 'the new code ran up to its ud2');
    assert.equal(m.b.readWord(0x601000), 2);
  });
}
