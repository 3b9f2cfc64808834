// Notifications and binding, scheduling order and priorities, IRQs, VSpaces, the kernel lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  seL4_Signal, seL4_Wait, seL4_Poll, seL4_Recv, seL4_Send, seL4_Yield, seL4_MessageInfo_new, getBadge, getMsgInfo, msgLabel,
  invokeCNode_Mint, invokeTCB_BindNotification, invokeTCB_UnbindNotification, invokeTCB_Suspend, invokeTCB_SetPriority,
  invokeTCB_SetAffinity, invokeTCB_ReadRegisters, invokeTCB_WriteRegisters, threadState, ntfnWord, ntfnQueue, slotPtr,
  curThread, schedule, timerTick, getHighestPrio, readyQueue, tcbSchedAppend, rescheduleRequired,
  invokeIRQControl_Get, invokeIRQHandler_SetNotification, invokeIRQHandler_Ack, handleInterrupt, irqMasked,
  invokeUntyped_Retype, invokeASIDPool_Assign, invokePageTable_Map, invokePage_Map, invokePage_Unmap, translate,
  invokeCNode_Delete, BigKernelLock, Kernel, remoteWake,
  seL4_CapInitThreadCNode, seL4_CapInitThreadTCB, seL4_CapIRQControl, seL4_CapInitThreadASIDPool,
  seL4_NotificationObject, seL4_EndpointObject, seL4_X86_PageDirectoryObject, seL4_X86_PageTableObject, seL4_X86_4K,
  ThreadState_BlockedOnNotification, ThreadState_Running, ThreadState_Inactive, ThreadState_BlockedOnReceive,
  RIGHTS_ALL, RIGHT_WRITE, seL4_IllegalOperation, seL4_InvalidCapability, seL4_RangeError, seL4_RevokeFirst,
  seL4_FailedLookup, seL4_AlignmentError, seL4_DeleteFirst,
} from '../../src/kernel/index.js';
import { ok, world } from './helpers.js';

const ROOT = seL4_CapInitThreadCNode;

function minted(w: ReturnType<typeof world>, src: number, badge: number, rights = RIGHTS_ALL): number {
  const d = w.freeSlot();
  ok(invokeCNode_Mint(w.k, w.slot(ROOT), d, 32, w.slot(ROOT), src, 32, rights, badge));
  return d;
}

test('Signal ORs badges into the word; Wait returns and clears it; Poll never blocks', () => {
  const w = world();
  const { k } = w;
  const n = w.retype(seL4_NotificationObject);
  const t = w.thread(10).tcb;
  const b1 = minted(w, n, 0b001);
  const b4 = minted(w, n, 0b100);
  ok(seL4_Signal(k, t, b1));
  ok(seL4_Signal(k, t, b4));
  assert.equal(ntfnWord(k, slotPtr(k, w.slot(n))), 0b101);
  ok(seL4_Wait(k, t, n));
  assert.equal(getBadge(k, t), 0b101);
  assert.equal(threadState(k, t), ThreadState_Running);
  ok(seL4_Poll(k, t, n));
  assert.equal(getBadge(k, t), 0, 'nothing pending');
  ok(seL4_Wait(k, t, n));
  assert.equal(threadState(k, t), ThreadState_BlockedOnNotification);
  const u = w.thread(10).tcb;
  ok(seL4_Wait(k, u, n));
  assert.deepEqual(ntfnQueue(k, slotPtr(k, w.slot(n))), [t, u]);
  ok(seL4_Signal(k, w.root, b4));
  assert.equal(threadState(k, t), ThreadState_Running);
  assert.equal(getBadge(k, t), 0b100);
  assert.equal(threadState(k, u), ThreadState_BlockedOnNotification, 'one signal wakes one waiter');
  const ro = minted(w, n, 0, 2);
  assert.equal(seL4_Signal(k, t, ro), seL4_InvalidCapability, 'Signal needs Write');
});

test('a bound notification wakes its thread out of an endpoint Recv; the thread cannot be Waited on by others', () => {
  const w = world();
  const { k } = w;
  const n = w.retype(seL4_NotificationObject);
  const ep = w.retype(seL4_EndpointObject);
  const t = w.thread(10).tcb;
  const other = w.thread(10).tcb;
  ok(invokeTCB_BindNotification(k, t, w.slot(n)));
  assert.equal(invokeTCB_BindNotification(k, t, w.slot(n)), seL4_IllegalOperation, 'already bound');
  ok(seL4_Recv(k, t, ep));
  assert.equal(threadState(k, t), ThreadState_BlockedOnReceive);
  ok(seL4_Signal(k, w.root, minted(w, n, 0x40)));
  assert.equal(threadState(k, t), ThreadState_Running);
  assert.equal(getBadge(k, t), 0x40);
  // Pending signal: the next Recv returns at once with it.
  ok(seL4_Signal(k, w.root, minted(w, n, 0x2)));
  ok(seL4_Recv(k, t, ep));
  assert.equal(threadState(k, t), ThreadState_Running);
  assert.equal(getBadge(k, t), 0x2);
  assert.equal(seL4_Wait(k, other, n), seL4_InvalidCapability, 'bound to another thread');
  ok(invokeTCB_UnbindNotification(k, t));
  assert.equal(invokeTCB_UnbindNotification(k, t), seL4_IllegalOperation);
  ok(seL4_Wait(k, other, n));
  assert.equal(threadState(k, other), ThreadState_BlockedOnNotification);
});

test('scheduler: highest priority first, round robin within a priority on timer ticks, yield', () => {
  const w = world();
  const { k } = w;
  const lo = w.thread(10).tcb;
  const hi1 = w.thread(200).tcb;
  const hi2 = w.thread(200).tcb;
  assert.equal(getHighestPrio(k, 0), 200);
  // The root (255) blocks: the 200s run in turn, 10 never while they are runnable.
  ok(invokeTCB_Suspend(k, w.root));
  const first = schedule(k);
  const other = first === hi1 ? hi2 : hi1;
  assert.ok(first === hi1 || first === hi2);
  const seen: number[] = [];
  for (let tick = 0; tick < 20; tick++) {
    timerTick(k);
    seen.push(schedule(k));
  }
  assert.ok(!seen.includes(lo));
  assert.ok(seen.includes(hi1) && seen.includes(hi2));
  // Time slices of 5 ticks: switches every 5.
  assert.deepEqual(seen.slice(0, 10), [first, first, first, first, other, other, other, other, other, first]);
  // Yield gives the CPU to the other thread of the same priority.
  const cur = curThread(k);
  ok(seL4_Yield(k));
  assert.notEqual(curThread(k), cur);
  // Both block: the low one runs; nothing left: the idle thread.
  ok(invokeTCB_Suspend(k, hi1));
  ok(invokeTCB_Suspend(k, hi2));
  assert.equal(schedule(k), lo);
  ok(invokeTCB_Suspend(k, lo));
  const idle = schedule(k);
  assert.ok(![lo, hi1, hi2, w.root].includes(idle));
});

test('an IPC wake-up of a higher-priority thread preempts; of a lower one queues it', () => {
  const w = world();
  const { k } = w;
  const ep = w.retype(seL4_EndpointObject);
  const server = w.thread(254).tcb;
  ok(seL4_Recv(k, server, ep));
  ok(invokeTCB_SetPriority(k, w.root, w.slot(seL4_CapInitThreadTCB), 100));
  schedule(k);
  assert.equal(curThread(k), w.root);
  ok(seL4_Send(k, w.root, ep, seL4_MessageInfo_new(1, 0, 0, 0)));
  assert.equal(curThread(k), server, 'direct switch to the higher-priority receiver');
  assert.equal(msgLabel(getMsgInfo(k, server)), 1);
  const low = w.thread(5).tcb;
  ok(seL4_Recv(k, low, ep));
  ok(seL4_Send(k, server, ep, 0));
  assert.equal(curThread(k), server, 'a lower-priority receiver does not preempt');
  assert.ok(readyQueue(k, 0, 5).includes(low));
});

test('per-core run queues: affinity moves a thread; a remote wake rings the doorbell', () => {
  const w = world({ cores: 2 });
  const { k } = w;
  const t = w.thread(50).tcb;
  assert.deepEqual(readyQueue(k, 0, 50), [t]);
  let rung = -1;
  k.onRemoteWake = (c) => { rung = c; };
  ok(invokeTCB_SetAffinity(k, t, 1));
  assert.deepEqual(readyQueue(k, 0, 50), []);
  assert.deepEqual(readyQueue(k, 1, 50), [t]);
  assert.equal(rung, 1);
  assert.equal(invokeTCB_SetAffinity(k, t, 2), seL4_IllegalOperation);
  const k1 = new Kernel(k.shared, 1);
  assert.equal(schedule(k1), k1.g[0] === 0 ? curThread(k1) : -1);
  rescheduleRequired(k1);
  assert.equal(schedule(k1), t, 'core 1 runs it');
  remoteWake(k, 1, false);
  tcbSchedAppend(k, t);
});

test('TCB Read/WriteRegisters use seL4_UserContext order; SetPriority is bounded by the MCP', () => {
  const w = world();
  const { k } = w;
  const t = w.thread(10, false).tcb;
  ok(invokeTCB_WriteRegisters(k, t, false, 12, [0x401000, 0x7fff0, 0x202, 1, 2, 3, 4, 5, 6, 7, 0x7ffde000, 0]));
  const out = new Int32Array(12);
  ok(invokeTCB_ReadRegisters(k, t, false, 12, out));
  assert.deepEqual([...out], [0x401000, 0x7fff0, 0x202, 1, 2, 3, 4, 5, 6, 7, 0x7ffde000, 0]);
  assert.equal(invokeTCB_ReadRegisters(k, t, false, 13, out), seL4_RangeError);
  assert.equal(threadState(k, t), ThreadState_Inactive);
  // t has MCP 0: it cannot authorise priority 1.
  assert.equal(invokeTCB_SetPriority(k, t, w.slot(w.thread(1, false).cptr), 1), seL4_RangeError);
});

test('IRQ: IRQControl_Get, SetNotification, an interrupt signals and masks until Ack', () => {
  const w = world();
  const { k } = w;
  const n = w.retype(seL4_NotificationObject);
  const t = w.thread(10).tcb;
  const h = w.freeSlot();
  ok(invokeIRQControl_Get(k, w.slot(seL4_CapIRQControl), 5, w.slot(ROOT), h, 32));
  assert.equal(invokeIRQControl_Get(k, w.slot(seL4_CapIRQControl), 5, w.slot(ROOT), w.freeSlot(), 32), seL4_RevokeFirst);
  assert.equal(invokeIRQControl_Get(k, w.slot(seL4_CapIRQControl), 999, w.slot(ROOT), w.freeSlot(), 32), seL4_RangeError);
  ok(invokeIRQHandler_SetNotification(k, w.slot(h), w.slot(minted(w, n, 1 << 5, RIGHT_WRITE))));
  ok(seL4_Wait(k, t, n));
  assert.ok(handleInterrupt(k, 5));
  assert.equal(threadState(k, t), ThreadState_Running);
  assert.equal(getBadge(k, t), 1 << 5);
  assert.ok(irqMasked(k, 5));
  assert.ok(!handleInterrupt(k, 5), 'masked until Ack');
  ok(invokeIRQHandler_Ack(k, w.slot(h)));
  assert.ok(handleInterrupt(k, 5));
  ok(invokeCNode_Delete(k, w.slot(ROOT), h, 32));
  ok(invokeIRQControl_Get(k, w.slot(seL4_CapIRQControl), 5, w.slot(ROOT), w.freeSlot(), 32), 'free again after delete');
});

test('VSpace: ASID assignment, page table and frame mapping in i386 format', () => {
  const w = world();
  const { k } = w;
  const pd = w.retype(seL4_X86_PageDirectoryObject);
  const pt = w.retype(seL4_X86_PageTableObject);
  const fr = w.retype(seL4_X86_4K);
  assert.equal(invokePageTable_Map(k, w.slot(pt), w.slot(pd), 0x400000), seL4_InvalidCapability, 'no ASID yet');
  ok(invokeASIDPool_Assign(k, w.slot(seL4_CapInitThreadASIDPool), w.slot(pd)));
  assert.equal(invokePage_Map(k, w.slot(fr), w.slot(pd), 0x401000, RIGHTS_ALL), seL4_FailedLookup, 'no page table');
  ok(invokePageTable_Map(k, w.slot(pt), w.slot(pd), 0x400000));
  assert.equal(invokePage_Map(k, w.slot(fr), w.slot(pd), 0x401001, RIGHTS_ALL), seL4_AlignmentError);
  ok(invokePage_Map(k, w.slot(fr), w.slot(pd), 0x401000, RIGHTS_ALL));
  const pdp = slotPtr(k, w.slot(pd));
  assert.equal(translate(k, pdp, 0x401234), slotPtr(k, w.slot(fr)) + 0x234);
  const fr2 = w.retype(seL4_X86_4K);
  assert.equal(invokePage_Map(k, w.slot(fr2), w.slot(pd), 0x401000, RIGHTS_ALL), seL4_DeleteFirst);
  ok(invokePage_Unmap(k, w.slot(fr)));
  assert.equal(translate(k, pdp, 0x401234), -1);
  void invokeUntyped_Retype;
});

test('big kernel lock: exclusion and owner', () => {
  const w = world({ cores: 2 });
  const lock = new BigKernelLock(w.k.globals, 16);
  lock.acquire(1);
  assert.equal(lock.owner(), 1);
  assert.ok(!lock.tryAcquire(0));
  lock.release();
  assert.equal(lock.owner(), -1);
  assert.equal(lock.with(0, () => 42), 42);
  assert.equal(lock.owner(), -1);
});
