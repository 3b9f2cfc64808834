// The x86 VSpace invocations as a thread makes them (seL4_Call on frame, page table,
// page directory, ASID control and ASID pool caps; src/kernel/invocation.ts →
// vspace.ts / asid.ts): argument layout, rights masking, remap, the errors and the
// details seL4 replies with, and the local TLB invalidation of an unmap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IPCBUF_CAPS, Label, PTE_PCD, PTE_PRESENT, PTE_USER, PTE_WRITE, RIGHTS_ALL, RIGHT_READ, RIGHT_WRITE,
  findPDForASID, getMR, getMsgInfo, invokeCNode_Copy, invokeCNode_Delete, invokeCNode_Mint, invokePage_Map, invokePage_Unmap,
  ipcBufferIndex, setMR,
  seL4_ASIDPoolBits, seL4_AlignmentError, seL4_Call, seL4_CapASIDControl, seL4_CapInitThreadASIDPool,
  seL4_CapInitThreadCNode, seL4_DeleteFirst, seL4_FailedLookup, seL4_IllegalOperation, seL4_InvalidArgument,
  seL4_InvalidCapability, seL4_MessageInfo_new, seL4_MissingCapability, seL4_NoError, seL4_RevokeFirst,
  seL4_TruncatedMessage, seL4_UntypedObject, seL4_X86_4K, seL4_X86_LargePageObject, seL4_X86_PageDirectoryObject,
  seL4_X86_PageTableObject, slotPtr, translate,
} from '../../src/kernel/index.js';
import { Access } from '../../src/mmu/mmu.js';
import { machine } from '../../src/kernel/guest/sel4-guest.js';
import { world, type World } from './helpers.js';

const VA = 0x48000000;

/** A thread of the root CSpace invoking caps (CPtr = root slot index): MRs, cap arguments, the reply. */
function invoker(w: World): (cptr: number, label: number, mrs: number[], caps?: number[]) => { e: number; info: number; mr: (i: number) => number } {
  const { k } = w;
  const t = w.thread(100, false).tcb;
  return (cptr, label, mrs, caps = []) => {
    mrs.forEach((v, i) => setMR(k, t, i, v));
    caps.forEach((c, i) => { k.m[ipcBufferIndex(k, t) + IPCBUF_CAPS + i] = c; });
    const e = seL4_Call(k, t, cptr, seL4_MessageInfo_new(label, 0, caps.length, mrs.length));
    return { e, info: getMsgInfo(k, t), mr: (i) => getMR(k, t, i) };
  };
}

/** A page directory with an ASID from the initial pool. */
function vspace(w: World, call: ReturnType<typeof invoker>): { pdCap: number; pd: number } {
  const pdCap = w.retype(seL4_X86_PageDirectoryObject);
  assert.equal(call(seL4_CapInitThreadASIDPool, Label.X86ASIDPoolAssign, [], [pdCap]).e, seL4_NoError);
  return { pdCap, pd: slotPtr(w.k, w.slot(pdCap)) };
}

test('X86_PageTable_Map / X86_Page_Map / GetAddress through Call, with seL4\'s argument layout', () => {
  const w = world();
  const call = invoker(w);
  const { pdCap, pd } = vspace(w, call);
  const pt = w.retype(seL4_X86_PageTableObject);
  const fr = w.retype(seL4_X86_4K);
  const frame = slotPtr(w.k, w.slot(fr));
  // PageTable_Map: MR0 vaddr (rounded down to its 4 MiB), MR1 attributes, cap 0 the VSpace.
  assert.equal(call(pt, Label.X86PageTableMap, [VA + 0x5000, 0], [pdCap]).e, seL4_NoError);
  assert.equal(w.k.m[(pd >> 2) + (VA >>> 22)]! & ~0xfff, slotPtr(w.k, w.slot(pt)));
  // Page_Map: MR0 vaddr, MR1 rights, MR2 attributes.
  const r = call(fr, Label.X86PageMap, [VA + 0x3000, RIGHT_READ | RIGHT_WRITE, 2], [pdCap]);
  assert.equal(r.e, seL4_NoError);
  assert.equal(r.info, seL4_MessageInfo_new(0, 0, 0, 0), 'a success replies label 0, no MRs');
  assert.equal(translate(w.k, pd, VA + 0x3abc), frame + 0xabc);
  const pte = w.k.m[(slotPtr(w.k, w.slot(pt)) >> 2) + 3]!;
  assert.equal(pte & (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_PCD), PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_PCD, 'RW, user, CacheDisabled');
  // GetAddress: the physical address in MR0, reply length 1.
  const g = call(fr, Label.X86PageGetAddress, []);
  assert.equal(g.e, seL4_NoError);
  assert.equal(g.info, seL4_MessageInfo_new(0, 0, 0, 1));
  assert.equal(g.mr(0) >>> 0, frame);
  // Unmap: gone from the tables, and the cap says unmapped (it can be mapped again elsewhere).
  assert.equal(call(fr, Label.X86PageUnmap, []).e, seL4_NoError);
  assert.equal(translate(w.k, pd, VA + 0x3000), -1);
  assert.equal(call(fr, Label.X86PageMap, [VA + 0x7000, RIGHTS_ALL, 0], [pdCap]).e, seL4_NoError);
  assert.equal(translate(w.k, pd, VA + 0x7000), frame);
});

test('Page_Map masks the rights by the frame cap\'s and changes them on a mapped cap (Remap)', () => {
  const w = world();
  const call = invoker(w);
  const { pdCap, pd } = vspace(w, call);
  const pt = w.retype(seL4_X86_PageTableObject);
  assert.equal(call(pt, Label.X86PageTableMap, [VA, 0], [pdCap]).e, seL4_NoError);
  const ptBase = slotPtr(w.k, w.slot(pt)) >> 2;
  const fr = w.retype(seL4_X86_4K);
  const ro = w.freeSlot();
  const root = w.slot(seL4_CapInitThreadCNode);
  assert.equal(invokeCNode_Copy(w.k, root, ro, 32, root, fr, 32, RIGHT_READ), seL4_NoError);
  // A read-only cap never maps writable, whatever is asked.
  assert.equal(call(ro, Label.X86PageMap, [VA, RIGHT_READ | RIGHT_WRITE, 0], [pdCap]).e, seL4_NoError);
  assert.equal(w.k.m[ptBase]! & (PTE_PRESENT | PTE_WRITE | PTE_USER), PTE_PRESENT | PTE_USER);
  // No Read right: kernel-only (present, not user).
  assert.equal(call(fr, Label.X86PageMap, [VA + 0x1000, RIGHT_WRITE, 0], [pdCap]).e, seL4_NoError);
  assert.equal(w.k.m[ptBase + 1]! & (PTE_PRESENT | PTE_WRITE | PTE_USER), PTE_PRESENT);
  // Map again at the same address: new rights; at another address: InvalidArgument; another VSpace: InvalidCapability 0.
  assert.equal(call(fr, Label.X86PageMap, [VA + 0x1000, RIGHT_READ | RIGHT_WRITE, 0], [pdCap]).e, seL4_NoError);
  assert.equal(w.k.m[ptBase + 1]! & (PTE_PRESENT | PTE_WRITE | PTE_USER), PTE_PRESENT | PTE_WRITE | PTE_USER);
  assert.equal(call(fr, Label.X86PageMap, [VA + 0x1000, RIGHT_READ, 0], [pdCap]).e, seL4_NoError);
  assert.equal(w.k.m[ptBase + 1]! & PTE_WRITE, 0, 'remapped read-only');
  const moved = call(fr, Label.X86PageMap, [VA + 0x2000, RIGHT_READ, 0], [pdCap]);
  assert.equal(moved.e, seL4_InvalidArgument);
  assert.equal(moved.mr(0), 0);
  const other = vspace(w, call);
  const elsewhere = call(fr, Label.X86PageMap, [VA + 0x1000, RIGHT_READ, 0], [other.pdCap]);
  assert.equal(elsewhere.e, seL4_InvalidCapability);
  assert.equal(elsewhere.mr(0), 0);
  assert.equal(translate(w.k, pd, VA + 0x1000), slotPtr(w.k, w.slot(fr)));
});

test('VSpace invocation errors are seL4\'s, with the details in the reply', () => {
  const w = world({ memory: 32 << 20 });
  const call = invoker(w);
  const { pdCap } = vspace(w, call);
  const pt = w.retype(seL4_X86_PageTableObject);
  const pt2 = w.retype(seL4_X86_PageTableObject);
  const fr = w.retype(seL4_X86_4K);
  const big = w.retype(seL4_X86_LargePageObject);
  const noAsid = w.retype(seL4_X86_PageDirectoryObject);
  const err = (r: { e: number; info: number }, e: number): void => {
    assert.equal(r.e, e);
    assert.equal(r.info >>> 12, e, 'the reply label is the error');
  };
  // Truncated: too few MRs, no VSpace cap.
  err(call(fr, Label.X86PageMap, [VA, RIGHTS_ALL], [pdCap]), seL4_TruncatedMessage);
  err(call(fr, Label.X86PageMap, [VA, RIGHTS_ALL, 0]), seL4_TruncatedMessage);
  err(call(pt, Label.X86PageTableMap, [VA]), seL4_TruncatedMessage);
  err(call(seL4_CapInitThreadASIDPool, Label.X86ASIDPoolAssign, []), seL4_TruncatedMessage);
  err(call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [0, 32], [w.untypedSlot]), seL4_TruncatedMessage);
  // Wrong methods: a label of another object, and the ia32 page directory has none.
  err(call(fr, Label.X86PageTableMap, [VA, 0], [pdCap]), seL4_IllegalOperation);
  err(call(pt, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]), seL4_IllegalOperation);
  err(call(pdCap, Label.X86PageDirectoryMap, [VA, 0], [pdCap]), seL4_IllegalOperation);
  err(call(pdCap, Label.X86PageDirectoryGetStatusBits, [VA]), seL4_IllegalOperation);
  err(call(seL4_CapASIDControl, Label.X86ASIDPoolAssign, [], [pdCap]), seL4_IllegalOperation);
  // The VSpace argument: not a page directory, no ASID (InvalidCapability 1).
  for (const bad of [seL4_CapInitThreadCNode, noAsid]) {
    const r = call(fr, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [bad]);
    err(r, seL4_InvalidCapability);
    assert.equal(r.mr(0), 1);
    const r2 = call(pt, Label.X86PageTableMap, [VA, 0], [bad]);
    err(r2, seL4_InvalidCapability);
    assert.equal(r2.mr(0), 1);
  }
  // No page table: FailedLookup (not the source; a missing capability; 22 bits left).
  const fl = call(fr, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]);
  err(fl, seL4_FailedLookup);
  assert.deepEqual([fl.mr(0), fl.mr(1), fl.mr(2)], [0, seL4_MissingCapability, 22]);
  // Alignment (4 KiB, and 4 MiB for a large page), then the kernel's range (InvalidArgument 0).
  err(call(fr, Label.X86PageMap, [VA + 4, RIGHTS_ALL, 0], [pdCap]), seL4_AlignmentError);
  err(call(big, Label.X86PageMap, [VA + 0x1000, RIGHTS_ALL, 0], [pdCap]), seL4_AlignmentError);
  const kr = call(fr, Label.X86PageMap, [0xe0000000, RIGHTS_ALL, 0], [pdCap]);
  err(kr, seL4_InvalidArgument);
  assert.equal(kr.mr(0), 0);
  err(call(big, Label.X86PageMap, [0xdfc00000 + 0x400000, RIGHTS_ALL, 0], [pdCap]), seL4_InvalidArgument);
  err(call(pt, Label.X86PageTableMap, [0xe0400000, 0], [pdCap]), seL4_InvalidArgument);
  // Occupied: DeleteFirst; a mapped page table cap: InvalidCapability 0.
  assert.equal(call(pt, Label.X86PageTableMap, [VA, 0], [pdCap]).e, seL4_NoError);
  err(call(pt2, Label.X86PageTableMap, [VA, 0], [pdCap]), seL4_DeleteFirst);
  const again = call(pt, Label.X86PageTableMap, [VA + 0x400000, 0], [pdCap]);
  err(again, seL4_InvalidCapability);
  assert.equal(again.mr(0), 0);
  err(call(big, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]), seL4_DeleteFirst);
  assert.equal(call(fr, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]).e, seL4_NoError);
  const fr2 = w.retype(seL4_X86_4K);
  err(call(fr2, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]), seL4_DeleteFirst);
});

test('PageTable_Unmap: RevokeFirst while a copy exists; unmapped and zeroed otherwise', () => {
  const w = world();
  const call = invoker(w);
  const { pdCap, pd } = vspace(w, call);
  const pt = w.retype(seL4_X86_PageTableObject);
  const fr = w.retype(seL4_X86_4K);
  assert.equal(call(pt, Label.X86PageTableMap, [VA, 0], [pdCap]).e, seL4_NoError);
  assert.equal(call(fr, Label.X86PageMap, [VA, RIGHTS_ALL, 0], [pdCap]).e, seL4_NoError);
  const copy = w.freeSlot();
  const root = w.slot(seL4_CapInitThreadCNode);
  assert.equal(invokeCNode_Mint(w.k, root, copy, 32, root, pt, 32, RIGHTS_ALL, 0), seL4_NoError);
  assert.equal(call(pt, Label.X86PageTableUnmap, []).e, seL4_RevokeFirst);
  assert.equal(call(copy, Label.X86PageTableUnmap, []).e, seL4_RevokeFirst);
  assert.notEqual(translate(w.k, pd, VA), -1);
  assert.equal(invokeCNode_Delete(w.k, root, copy, 32), seL4_NoError);
  const ptAddr = slotPtr(w.k, w.slot(pt));
  assert.notEqual(w.k.m[ptAddr >> 2], 0, 'the frame\'s PTE');
  assert.equal(call(pt, Label.X86PageTableUnmap, []).e, seL4_NoError);
  assert.equal(translate(w.k, pd, VA), -1);
  assert.equal(w.k.m[(pd >> 2) + (VA >>> 22)], 0);
  assert.equal(w.k.m[ptAddr >> 2], 0, 'zeroed');
  // Unmapped now: it maps again.
  assert.equal(call(pt, Label.X86PageTableMap, [VA, 0], [pdCap]).e, seL4_NoError);
});

test('ASIDControl_MakePool and ASIDPool_Assign through Call', () => {
  const w = world();
  const call = invoker(w);
  const ut = w.retype(seL4_UntypedObject, seL4_ASIDPoolBits);
  const ut8k = w.retype(seL4_UntypedObject, 13);
  const dest = w.freeSlot();
  const bad = call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [dest, 32], [ut8k, seL4_CapInitThreadCNode]);
  assert.equal(bad.e, seL4_InvalidCapability, 'not an ASID pool-sized untyped');
  assert.equal(bad.mr(0), 1);
  assert.equal(call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [dest, 32], [ut, seL4_CapInitThreadCNode]).e, seL4_NoError);
  assert.equal(call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [w.freeSlot(), 32], [ut, seL4_CapInitThreadCNode]).e, seL4_RevokeFirst);
  const pd = w.retype(seL4_X86_PageDirectoryObject);
  assert.equal(call(dest, Label.X86ASIDPoolAssign, [], [pd]).e, seL4_NoError);
  const asid = w.k.m[(w.slot(pd) >> 2) + 3]!;
  assert.equal(asid >>> 10, 1, 'an ASID of the second pool');
  assert.equal(findPDForASID(w.k, asid), slotPtr(w.k, w.slot(pd)));
  const twice = call(dest, Label.X86ASIDPoolAssign, [], [pd]);
  assert.equal(twice.e, seL4_InvalidCapability);
  assert.equal(twice.mr(0), 1);
  assert.equal(call(dest, Label.X86ASIDPoolAssign, [], [seL4_CapInitThreadCNode]).e, seL4_InvalidCapability);
  // Three more pools fit the 4-entry ASID table (the boot pool is one): then DeleteFirst.
  for (let i = 0; i < 2; i++) {
    const u = w.retype(seL4_UntypedObject, seL4_ASIDPoolBits);
    assert.equal(call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [w.freeSlot(), 32], [u, seL4_CapInitThreadCNode]).e, seL4_NoError);
  }
  const u = w.retype(seL4_UntypedObject, seL4_ASIDPoolBits);
  assert.equal(call(seL4_CapASIDControl, Label.X86ASIDControlMakePool, [w.freeSlot(), 32], [u, seL4_CapInitThreadCNode]).e, seL4_DeleteFirst);
});

test('an unmap drops the translation from the invoking core\'s own TLB (no CR3 load needed)', () => {
  const m = machine();
  const { k, b, cpu } = m;
  b.mapPage(VA);
  const frameSlot = b.slot(b.retype(seL4_X86_4K));
  assert.equal(invokePage_Map(k, frameSlot, b.slot(b.pdSlot), VA + 0x1000, RIGHT_READ | RIGHT_WRITE), seL4_NoError);
  // Both pages read through the CPU's MMU, so its TLB holds them.
  cpu.mmu.setCr3(b.pd);
  assert.ok(cpu.mmu.translate(VA, Access.READ) >= 0 && cpu.mmu.translate(VA + 0x1000, Access.READ) >= 0);
  assert.notEqual(cpu.mmu.tlb.read[(VA + 0x1000) >>> 12], 0, 'cached');
  assert.equal(invokePage_Unmap(k, frameSlot), seL4_NoError);
  assert.equal(cpu.mmu.tlb.read[(VA + 0x1000) >>> 12], 0, 'dropped by the unmap');
  assert.notEqual(cpu.mmu.tlb.read[VA >>> 12], 0, 'the other page stays cached (INVLPG, not a flush)');
});
