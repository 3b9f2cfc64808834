// IPC, after the categories of sel4test's IPC tests, written from the seL4 manual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  seL4_Send, seL4_NBSend, seL4_Call, seL4_Recv, seL4_NBRecv, seL4_Reply, seL4_ReplyRecv, seL4_MessageInfo_new,
  setMR, getMR, getBadge, getMsgInfo, msgLabel, msgLength, msgExtraCaps, msgCapsUnwrapped, setCapOrBadge, getCapOrBadge,
  setCapReceivePath, threadState, epQueue, epState, invokeCNode_Mint, invokeCNode_Copy, slotType, slotPtr, describeSlot,
  seL4_EndpointObject, seL4_NotificationObject, seL4_CapInitThreadCNode, ThreadState_BlockedOnSend, ThreadState_BlockedOnReceive,
  ThreadState_BlockedOnReply, ThreadState_Running, ThreadState_Inactive, EPState_Idle, EPState_Send, EPState_Recv,
  RIGHT_READ, RIGHT_WRITE, RIGHT_GRANT, RIGHT_GRANT_REPLY, RIGHTS_ALL, seL4_FailedLookup, seL4_InvalidCapability,
  cap_reply_cap, cap_null_cap, cap_notification_cap, tcbSlot, tcbCaller, seL4_InvalidRoot, seL4_GuardMismatch,
  seL4_MsgMaxLength, seL4_IllegalOperation,
} from '../../src/kernel/index.js';
import { ok, world } from './helpers.js';

const ROOT = seL4_CapInitThreadCNode;

function setup() {
  const w = world();
  const ep = w.retype(seL4_EndpointObject);
  const a = w.thread(100);
  const b = w.thread(100);
  return { w, k: w.k, ep, a: a.tcb, b: b.tcb };
}

function mint(w: ReturnType<typeof world>, src: number, rights: number, badge: number): number {
  const dest = w.freeSlot();
  ok(invokeCNode_Mint(w.k, w.slot(ROOT), dest, 32, w.slot(ROOT), src, 32, rights, badge), 'mint');
  return dest;
}

test('Send blocks until a receiver comes; the receiver gets label, words and badge', () => {
  const { w, k, ep, a, b } = setup();
  const bep = mint(w, ep, RIGHTS_ALL, 0x55);
  setMR(k, a, 0, 11); setMR(k, a, 1, 22); setMR(k, a, 2, 33);
  ok(seL4_Send(k, a, bep, seL4_MessageInfo_new(7, 0, 0, 3)));
  assert.equal(threadState(k, a), ThreadState_BlockedOnSend);
  assert.deepEqual(epQueue(k, slotPtr(k, w.slot(ep))), [a]);
  assert.equal(epState(k, slotPtr(k, w.slot(ep))), EPState_Send);
  ok(seL4_Recv(k, b, ep));
  assert.equal(threadState(k, a), ThreadState_Running);
  assert.equal(threadState(k, b), ThreadState_Running);
  const info = getMsgInfo(k, b);
  assert.equal(msgLabel(info), 7);
  assert.equal(msgLength(info), 3);
  assert.deepEqual([getMR(k, b, 0), getMR(k, b, 1), getMR(k, b, 2)], [11, 22, 33]);
  assert.equal(getBadge(k, b), 0x55);
  assert.equal(epState(k, slotPtr(k, w.slot(ep))), EPState_Idle);
});

test('Recv blocks until a sender comes; senders are served in FIFO order', () => {
  const { w, k, ep, a, b } = setup();
  const c = w.thread(100).tcb;
  ok(seL4_Recv(k, b, ep));
  assert.equal(threadState(k, b), ThreadState_BlockedOnReceive);
  assert.equal(epState(k, slotPtr(k, w.slot(ep))), EPState_Recv);
  setMR(k, a, 0, 1);
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(0, 0, 0, 1)));
  assert.equal(threadState(k, a), ThreadState_Running, 'a receiver was waiting: Send does not block');
  assert.equal(getMR(k, b, 0), 1);
  // Two queued senders arrive in order.
  setMR(k, a, 0, 100);
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(0, 0, 0, 1)));
  setMR(k, c, 0, 200);
  ok(seL4_Send(k, c, ep, seL4_MessageInfo_new(0, 0, 0, 1)));
  assert.deepEqual(epQueue(k, slotPtr(k, w.slot(ep))), [a, c]);
  ok(seL4_Recv(k, b, ep));
  assert.equal(getMR(k, b, 0), 100);
  ok(seL4_Recv(k, b, ep));
  assert.equal(getMR(k, b, 0), 200);
});

test('NBSend with no receiver drops the message; NBRecv with no sender returns badge 0', () => {
  const { w, k, ep, a, b } = setup();
  const bep = mint(w, ep, RIGHTS_ALL, 9);
  ok(seL4_NBSend(k, a, bep, seL4_MessageInfo_new(1, 0, 0, 0)));
  assert.equal(threadState(k, a), ThreadState_Running);
  assert.equal(epState(k, slotPtr(k, w.slot(ep))), EPState_Idle);
  k.m[(b >> 2) + 64 + 3] = 1234; // EBX
  ok(seL4_NBRecv(k, b, ep));
  assert.equal(threadState(k, b), ThreadState_Running);
  assert.equal(getBadge(k, b), 0);
  // NBSend to a waiting receiver is delivered.
  ok(seL4_Recv(k, b, ep));
  ok(seL4_NBSend(k, a, bep, seL4_MessageInfo_new(2, 0, 0, 0)));
  assert.equal(msgLabel(getMsgInfo(k, b)), 2);
  assert.equal(getBadge(k, b), 9);
});

test('Call blocks the caller on a one-shot reply cap; Reply wakes it with the answer', () => {
  const { w, k, ep, a, b } = setup();
  ok(seL4_Recv(k, b, ep));
  setMR(k, a, 0, 5);
  ok(seL4_Call(k, a, ep, seL4_MessageInfo_new(3, 0, 0, 1)));
  assert.equal(threadState(k, a), ThreadState_BlockedOnReply);
  assert.equal(slotType(k, tcbSlot(b, tcbCaller)), cap_reply_cap);
  setMR(k, b, 0, getMR(k, b, 0) * 10);
  ok(seL4_Reply(k, b, seL4_MessageInfo_new(4, 0, 0, 1)));
  assert.equal(threadState(k, a), ThreadState_Running);
  assert.equal(msgLabel(getMsgInfo(k, a)), 4);
  assert.equal(getMR(k, a, 0), 50);
  assert.equal(getBadge(k, a), 0, 'replies carry no badge');
  assert.equal(slotType(k, tcbSlot(b, tcbCaller)), cap_null_cap, 'the reply cap is one-shot');
  ok(seL4_Reply(k, b, seL4_MessageInfo_new(9, 0, 0, 0)), 'a reply without a reply cap does nothing');
  assert.equal(msgLabel(getMsgInfo(k, a)), 4);
  w.thread(1);
});

test('Call to a waiting-less endpoint queues the caller; the receiver takes it and replies', () => {
  const { k, ep, a, b } = setup();
  ok(seL4_Call(k, a, ep, seL4_MessageInfo_new(1, 0, 0, 0)));
  assert.equal(threadState(k, a), ThreadState_BlockedOnSend);
  ok(seL4_Recv(k, b, ep));
  assert.equal(threadState(k, a), ThreadState_BlockedOnReply);
  ok(seL4_Reply(k, b, seL4_MessageInfo_new(2, 0, 0, 0)));
  assert.equal(threadState(k, a), ThreadState_Running);
});

test('A new Recv drops an unused reply cap: the caller stays blocked (seL4 semantics)', () => {
  const { k, ep, a, b } = setup();
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Call(k, a, ep, seL4_MessageInfo_new(1, 0, 0, 0)));
  ok(seL4_Recv(k, b, ep));
  assert.equal(slotType(k, tcbSlot(b, tcbCaller)), cap_null_cap);
  assert.equal(threadState(k, a), ThreadState_BlockedOnReply);
});

test('Call through a cap without Grant or GrantReply: the caller becomes Inactive (no reply possible)', () => {
  const { w, k, ep, a, b } = setup();
  const wo = mint(w, ep, RIGHT_WRITE, 0);
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Call(k, a, wo, seL4_MessageInfo_new(1, 0, 0, 0)));
  assert.equal(threadState(k, a), ThreadState_Inactive);
  assert.equal(slotType(k, tcbSlot(b, tcbCaller)), cap_null_cap);
  const gr = mint(w, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY, 0);
  const c = w.thread(100).tcb;
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Call(k, c, gr, seL4_MessageInfo_new(1, 0, 0, 0)));
  assert.equal(threadState(k, c), ThreadState_BlockedOnReply);
});

test('ReplyRecv serves clients in a loop, with badges naming them', () => {
  const { w, k, ep, b } = setup();
  const clients = [w.thread(100).tcb, w.thread(100).tcb, w.thread(100).tcb];
  const caps = clients.map((_, i) => mint(w, ep, RIGHTS_ALL, 0x100 + i));
  ok(seL4_Recv(k, b, ep));
  for (let round = 0; round < 3; round++) {
    clients.forEach((c, i) => { setMR(k, c, 0, round * 10 + i); ok(seL4_Call(k, c, caps[i]!, seL4_MessageInfo_new(1, 0, 0, 1))); });
    for (let i = 0; i < clients.length; i++) {
      const who = getBadge(k, b) - 0x100;
      assert.equal(who, i, 'callers in arrival order');
      assert.equal(getMR(k, b, 0), round * 10 + i);
      setMR(k, b, 0, getMR(k, b, 0) + 1000);
      ok(seL4_ReplyRecv(k, b, ep, seL4_MessageInfo_new(0, 0, 0, 1)));
      assert.equal(threadState(k, clients[who]!), ThreadState_Running);
      assert.equal(getMR(k, clients[who]!, 0), round * 10 + i + 1000);
    }
    assert.equal(threadState(k, b), ThreadState_BlockedOnReceive);
  }
});

test('long messages: 120 words arrive intact; a longer length is cut to seL4_MsgMaxLength', () => {
  const { k, ep, a, b } = setup();
  for (let i = 0; i < 120; i++) setMR(k, a, i, i * 7 + 1);
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(1, 0, 0, 127)));
  assert.equal(msgLength(getMsgInfo(k, b)), seL4_MsgMaxLength);
  for (let i = 0; i < 120; i++) assert.equal(getMR(k, b, i), i * 7 + 1);
});

test('cap transfer: with Grant, a cap lands in the receive slot; without, none is sent', () => {
  const { w, k, ep, a, b } = setup();
  const ntfn = w.retype(seL4_NotificationObject);
  const recvSlot = w.freeSlot();
  setCapReceivePath(k, b, ROOT, recvSlot, 32);
  // No Grant: no cap.
  const noGrant = mint(w, ep, RIGHT_WRITE | RIGHT_READ, 0);
  setCapOrBadge(k, a, 0, ntfn);
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Send(k, a, noGrant, seL4_MessageInfo_new(0, 0, 1, 0)));
  assert.equal(msgExtraCaps(getMsgInfo(k, b)), 0);
  assert.equal(slotType(k, w.slot(recvSlot)), cap_null_cap);
  // Grant: the cap arrives, derived from the sender's.
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(0, 0, 1, 0)));
  assert.equal(msgExtraCaps(getMsgInfo(k, b)), 1);
  assert.equal(describeSlot(k, w.slot(recvSlot)).type, cap_notification_cap);
  assert.equal(slotPtr(k, w.slot(recvSlot)), slotPtr(k, w.slot(ntfn)));
  // The receive slot is now full: a second cap is not transferred.
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(0, 0, 1, 0)));
  assert.equal(msgExtraCaps(getMsgInfo(k, b)), 0);
});

test('cap transfer: a cap to the endpoint itself is unwrapped into its badge', () => {
  const { w, k, ep, a, b } = setup();
  const badged = mint(w, ep, RIGHTS_ALL, 0x77);
  const other = w.retype(seL4_NotificationObject);
  const recvSlot = w.freeSlot();
  setCapReceivePath(k, b, ROOT, recvSlot, 32);
  setCapOrBadge(k, a, 0, badged);
  setCapOrBadge(k, a, 1, other);
  ok(seL4_Recv(k, b, ep));
  ok(seL4_Send(k, a, ep, seL4_MessageInfo_new(0, 0, 2, 0)));
  const info = getMsgInfo(k, b);
  assert.equal(msgExtraCaps(info), 2);
  assert.equal(msgCapsUnwrapped(info), 1);
  assert.equal(getCapOrBadge(k, b, 0), 0x77);
  assert.equal(slotType(k, w.slot(recvSlot)), cap_notification_cap);
});

test('bad invocations return errors and never throw', () => {
  const { w, k, ep, a, b } = setup();
  const empty = w.freeSlot();
  assert.equal(seL4_Send(k, a, empty, 0), seL4_InvalidCapability, 'invoking a null cap');
  assert.equal(seL4_Recv(k, b, empty), seL4_InvalidCapability, 'Recv on a null cap');
  assert.equal(threadState(k, b), ThreadState_Running);
  const ro = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), ro, 32, w.slot(ROOT), ep, 32, RIGHT_READ));
  const wo = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), wo, 32, w.slot(ROOT), ep, 32, RIGHT_WRITE));
  assert.equal(seL4_Send(k, a, ro, 0), seL4_InvalidCapability, 'Send needs Write');
  assert.equal(seL4_Recv(k, b, wo), seL4_InvalidCapability, 'Recv needs Read');
  assert.equal(seL4_Send(k, a, 0xffffffff, 0), seL4_FailedLookup, 'CPtr beyond the CNode');
  assert.equal(k.err.lookupFailureType, seL4_GuardMismatch);
  assert.equal(seL4_Send(k, a, ROOT, 0), seL4_IllegalOperation, 'object invocations are not decoded yet');
  assert.notEqual(seL4_InvalidRoot, 0);
});
