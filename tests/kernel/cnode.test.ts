// CNode operations, revocation and untyped retype limits (sel4test's CNODEOP, CSPACE, RETYPE categories).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  invokeCNode_Copy, invokeCNode_Mint, invokeCNode_Move, invokeCNode_Mutate, invokeCNode_Delete, invokeCNode_Revoke,
  invokeCNode_Rotate, invokeUntyped_Retype, describeSlot, slotType, slotPtr, cnodeCapData, resolveAddressBits,
  seL4_Send, seL4_Recv, threadState, seL4_MessageInfo_new,
  seL4_CapInitThreadCNode, seL4_EndpointObject, seL4_NotificationObject, seL4_CapTableObject, seL4_UntypedObject,
  seL4_TCBObject, seL4_X86_4K, cap_null_cap, cap_endpoint_cap, cap_cnode_cap, cap_untyped_cap,
  RIGHT_READ, RIGHT_WRITE, RIGHTS_ALL, seL4_DeleteFirst, seL4_FailedLookup, seL4_IllegalOperation, seL4_RangeError,
  seL4_InvalidArgument, seL4_NotEnoughMemory, seL4_RevokeFirst, seL4_MissingCapability, seL4_DepthMismatch,
  seL4_GuardMismatch, seL4_InvalidRoot, ThreadState_Restart, ThreadState_BlockedOnReceive,
} from '../../src/kernel/index.js';
import { ok, world } from './helpers.js';

const ROOT = seL4_CapInitThreadCNode;

test('Copy diminishes rights; Mint sets a badge once; copies of a badged cap keep it', () => {
  const w = world();
  const { k } = w;
  const ep = w.retype(seL4_EndpointObject);
  const ro = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), ro, 32, w.slot(ROOT), ep, 32, RIGHT_READ));
  assert.equal(describeSlot(k, w.slot(ro)).rights, RIGHT_READ);
  const up = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), up, 32, w.slot(ROOT), ro, 32, RIGHTS_ALL));
  assert.equal(describeSlot(k, w.slot(up)).rights, RIGHT_READ, 'rights never grow');
  const b = w.freeSlot();
  ok(invokeCNode_Mint(k, w.slot(ROOT), b, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL, 0x1234));
  assert.equal(describeSlot(k, w.slot(b)).badge, 0x1234);
  const rebadge = w.freeSlot();
  assert.equal(invokeCNode_Mint(k, w.slot(ROOT), rebadge, 32, w.slot(ROOT), b, 32, RIGHTS_ALL, 0x99), seL4_IllegalOperation);
  ok(invokeCNode_Copy(k, w.slot(ROOT), rebadge, 32, w.slot(ROOT), b, 32, RIGHTS_ALL));
  assert.equal(describeSlot(k, w.slot(rebadge)).badge, 0x1234);
  assert.equal(invokeCNode_Mint(k, w.slot(ROOT), w.freeSlot(), 32, w.slot(ROOT), ep, 32, RIGHTS_ALL, 0x1fffffff), 0);
});

test('Copy/Mint/Move errors: DeleteFirst, empty source, depth and lookup failures', () => {
  const w = world();
  const { k } = w;
  const ep = w.retype(seL4_EndpointObject);
  const ntfn = w.retype(seL4_NotificationObject);
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), ntfn, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_DeleteFirst);
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), w.freeSlot(), 32, w.slot(ROOT), w.freeSlot(), 32, RIGHTS_ALL), seL4_FailedLookup);
  assert.equal(k.err.lookupFailureType, seL4_MissingCapability);
  assert.ok(k.err.failedLookupWasSource);
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), w.freeSlot(), 0, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_RangeError);
  assert.deepEqual([k.err.rangeErrorMin, k.err.rangeErrorMax], [1, 32]);
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), w.freeSlot(), 33, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_RangeError);
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), w.freeSlot(), 20, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_FailedLookup);
  assert.equal(k.err.lookupFailureType, seL4_GuardMismatch, 'the root guard (22 bits) does not fit in 20');
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), 1, 25, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_FailedLookup);
  assert.equal(k.err.lookupFailureType, seL4_DepthMismatch, 'guard + radix (32) > 25');
  assert.equal(invokeCNode_Copy(k, w.slot(ep), 1, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL), seL4_FailedLookup, 'root not a CNode');
  assert.equal(k.err.lookupFailureType, seL4_InvalidRoot);
  // Move: the cap changes slot, its object stays.
  const dst = w.freeSlot();
  const obj = slotPtr(k, w.slot(ep));
  ok(invokeCNode_Move(k, w.slot(ROOT), dst, 32, w.slot(ROOT), ep, 32));
  assert.equal(slotType(k, w.slot(ep)), cap_null_cap);
  assert.equal(slotPtr(k, w.slot(dst)), obj);
  // Mutate of an endpoint cannot set a badge.
  assert.equal(invokeCNode_Mutate(k, w.slot(ROOT), w.freeSlot(), 32, w.slot(ROOT), dst, 32, 5), seL4_IllegalOperation);
});

test('two-level CSpace: guards and depth, Mutate sets a CNode guard', () => {
  const w = world();
  const { k } = w;
  const cn = w.retype(seL4_CapTableObject, 4); // 16 slots
  const ep = w.retype(seL4_EndpointObject);
  // Address slot 3 of the child CNode from the root: root resolves 10 bits (guard 22 bits of 0), child 4 bits.
  ok(invokeCNode_Copy(k, w.slot(cn), 3, 4, w.slot(ROOT), ep, 32, RIGHTS_ALL));
  assert.equal(slotType(k, slotPtr(k, w.slot(cn)) + 3 * 32), cap_endpoint_cap);
  // A guarded child: Mutate gives it an 18-bit guard 0x2a, so it resolves exactly 22 bits after the root's 10.
  const guarded = w.freeSlot();
  ok(invokeCNode_Mutate(k, w.slot(ROOT), guarded, 32, w.slot(ROOT), cn, 32, cnodeCapData(0x2a, 18)));
  assert.equal(describeSlot(k, w.slot(guarded)).type, cap_cnode_cap);
  // CPtr: [root guard 0 (22 bits)... ] is the whole word for the root; use the guarded node as a root instead.
  const cptr = (0x2a << 4) | 3;
  const s = resolveAddressBits(k, w.slot(guarded), cptr, 22);
  assert.equal(s, slotPtr(k, w.slot(guarded)) + 3 * 32);
  assert.equal(resolveAddressBits(k, w.slot(guarded), (0x2b << 4) | 3, 22), 0);
  assert.equal(k.err.lookupFailureType, seL4_GuardMismatch);
  assert.equal(resolveAddressBits(k, w.slot(guarded), cptr, 10), 0);
  assert.equal(k.err.lookupFailureType, seL4_GuardMismatch);
  // A guard too big for the word gives a null cap: IllegalOperation.
  assert.equal(invokeCNode_Mutate(k, w.slot(ROOT), w.freeSlot(), 32, w.slot(ROOT), guarded, 32, cnodeCapData(0, 31)), seL4_IllegalOperation);
});

test('Revoke deletes every derived cap and keeps the original; badged caps revoke only their own copies', () => {
  const w = world();
  const { k } = w;
  const ep = w.retype(seL4_EndpointObject);
  const copy = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), copy, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL));
  const b1 = w.freeSlot();
  ok(invokeCNode_Mint(k, w.slot(ROOT), b1, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL, 1));
  const b1copy = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), b1copy, 32, w.slot(ROOT), b1, 32, RIGHTS_ALL));
  const b2 = w.freeSlot();
  ok(invokeCNode_Mint(k, w.slot(ROOT), b2, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL, 2));
  ok(invokeCNode_Revoke(k, w.slot(ROOT), b1, 32));
  assert.equal(slotType(k, w.slot(b1copy)), cap_null_cap, 'copy of badge 1 revoked');
  assert.equal(slotType(k, w.slot(b1)), cap_endpoint_cap, 'the revoked cap itself stays');
  assert.equal(slotType(k, w.slot(b2)), cap_endpoint_cap, 'badge 2 untouched');
  assert.equal(slotType(k, w.slot(copy)), cap_endpoint_cap);
  ok(invokeCNode_Revoke(k, w.slot(ROOT), ep, 32));
  for (const s of [copy, b1, b2]) assert.equal(slotType(k, w.slot(s)), cap_null_cap);
  assert.equal(slotType(k, w.slot(ep)), cap_endpoint_cap);
});

test('Delete of the last cap destroys the object: blocked threads restart', () => {
  const w = world();
  const { k } = w;
  const ep = w.retype(seL4_EndpointObject);
  const t = w.thread(50).tcb;
  const copy = w.freeSlot();
  ok(invokeCNode_Copy(k, w.slot(ROOT), copy, 32, w.slot(ROOT), ep, 32, RIGHTS_ALL));
  ok(seL4_Recv(k, t, ep));
  ok(invokeCNode_Delete(k, w.slot(ROOT), ep, 32));
  assert.equal(threadState(k, t), ThreadState_BlockedOnReceive, 'not the last cap');
  ok(invokeCNode_Delete(k, w.slot(ROOT), copy, 32));
  assert.equal(threadState(k, t), ThreadState_Restart, 'last cap: the endpoint is gone, its waiter restarts');
  ok(invokeCNode_Delete(k, w.slot(ROOT), copy, 32), 'deleting an empty slot succeeds');
});

test('Revoke of an untyped destroys its objects and lets it be reused from the start', () => {
  const w = world();
  const { k } = w;
  const ut = w.retype(seL4_UntypedObject, 16); // 64 KiB
  const base = slotPtr(k, w.slot(ut));
  const first = w.freeSlot();
  w.freeSlot();
  ok(invokeUntyped_Retype(k, w.slot(ut), seL4_TCBObject, 0, w.slot(ROOT), 0, 0, first, 2));
  assert.equal(slotPtr(k, w.slot(first)), base);
  assert.equal(slotPtr(k, w.slot(first + 1)), base + 2048);
  // An untyped with children cannot be copied (RevokeFirst).
  assert.equal(invokeCNode_Copy(k, w.slot(ROOT), w.freeSlot(), 32, w.slot(ROOT), ut, 32, RIGHTS_ALL), seL4_RevokeFirst);
  ok(invokeCNode_Revoke(k, w.slot(ROOT), ut, 32));
  assert.equal(slotType(k, w.slot(first)), cap_null_cap);
  ok(invokeUntyped_Retype(k, w.slot(ut), seL4_EndpointObject, 0, w.slot(ROOT), 0, 0, first, 1));
  assert.equal(slotPtr(k, w.slot(first)), base, 'watermark reset after revoke');
});

test('Untyped_Retype limits: types, sizes, fan-out, node window, alignment, watermark, memory', () => {
  const w = world();
  const { k } = w;
  const ut = w.retype(seL4_UntypedObject, 14); // 16 KiB
  const u = w.slot(ut);
  const R = w.slot(ROOT);
  const d = w.freeSlot();
  for (let i = 0; i < 300; i++) w.freeSlot();
  assert.equal(invokeUntyped_Retype(k, u, 99, 0, R, 0, 0, d, 1), seL4_InvalidArgument);
  assert.equal(invokeUntyped_Retype(k, u, seL4_CapTableObject, 0, R, 0, 0, d, 1), seL4_InvalidArgument);
  assert.equal(invokeUntyped_Retype(k, u, seL4_UntypedObject, 3, R, 0, 0, d, 1), seL4_InvalidArgument);
  assert.equal(invokeUntyped_Retype(k, u, seL4_UntypedObject, 30, R, 0, 0, d, 1), seL4_RangeError);
  assert.equal(invokeUntyped_Retype(k, u, seL4_UntypedObject, 40, R, 0, 0, d, 1), seL4_RangeError);
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, d, 257), seL4_RangeError);
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, d, 0), seL4_RangeError);
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, 1024, 1), seL4_RangeError, 'offset beyond the CNode');
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, 1020, 5), seL4_RangeError, 'window beyond the CNode');
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, ut, 1), seL4_DeleteFirst);
  assert.equal(invokeUntyped_Retype(k, u, seL4_X86_4K, 0, R, 0, 0, d, 5), seL4_NotEnoughMemory);
  assert.equal(k.err.memoryLeft, 16384);
  // Watermark and alignment: an endpoint (16 B) then a TCB (2 KiB) lands at +2048.
  const base = slotPtr(k, u);
  ok(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, d, 1));
  assert.equal(slotPtr(k, w.slot(d)), base);
  ok(invokeUntyped_Retype(k, u, seL4_TCBObject, 0, R, 0, 0, d + 1, 1));
  assert.equal(slotPtr(k, w.slot(d + 1)), base + 2048);
  assert.equal(describeSlot(k, u).data, 4096, 'free index after the TCB');
  ok(invokeUntyped_Retype(k, u, seL4_X86_4K, 0, R, 0, 0, d + 2, 3));
  assert.equal(slotPtr(k, w.slot(d + 2)), base + 4096);
  assert.equal(invokeUntyped_Retype(k, u, seL4_EndpointObject, 0, R, 0, 0, d + 5, 1), seL4_NotEnoughMemory);
  assert.equal(k.err.memoryLeft, 0);
  assert.equal(describeSlot(k, w.slot(ut)).type, cap_untyped_cap);
});

test('Rotate moves pivot to destination and source to pivot', () => {
  const w = world();
  const { k } = w;
  const a = w.retype(seL4_CapTableObject, 2);
  const b = w.retype(seL4_CapTableObject, 3);
  const pa = slotPtr(k, w.slot(a));
  const pb = slotPtr(k, w.slot(b));
  const dest = w.freeSlot();
  const R = w.slot(ROOT);
  ok(invokeCNode_Rotate(k, R, dest, 32, 0, R, b, 32, 0, R, a, 32));
  assert.equal(slotPtr(k, w.slot(dest)), pb);
  assert.equal(slotPtr(k, w.slot(b)), pa);
  assert.equal(slotType(k, w.slot(a)), cap_null_cap);
  // dest == src: a swap.
  ok(invokeCNode_Rotate(k, R, dest, 32, 0, R, b, 32, 0, R, dest, 32));
  assert.equal(slotPtr(k, w.slot(dest)), pa);
  assert.equal(slotPtr(k, w.slot(b)), pb);
  assert.equal(invokeCNode_Rotate(k, R, dest, 32, 0, R, dest, 32, 0, R, b, 32), seL4_IllegalOperation);
  void seL4_Send; void seL4_MessageInfo_new; void RIGHT_WRITE;
});
