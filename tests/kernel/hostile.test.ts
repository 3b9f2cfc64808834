// Hostile guest: a thread that does nothing but sysenter with random registers and a
// random IPC buffer, holding caps to its own CNode, TCB, an untyped, an endpoint, a
// notification (IRQControl cannot be copied). Every entry must end in an error, a fault
// message or a block — never an exception out of the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CoreExit, RIGHTS_ALL, cnodeCapData, invokeTCB_Resume, invokeTCB_Suspend, invokeTCB_WriteRegisters,
  seL4_UntypedObject, ipcBufferIndex, IPCBUF_WORDS,
} from '../../src/kernel/index.js';
import { machine, stack } from '../../src/kernel/guest/sel4-guest.js';

/** xorshift32: reproducible. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

test('random system calls and invocations from a guest thread never crash the engine', () => {
  const m = machine();
  const { b, k } = m;
  b.mapPage(0x600000);
  b.write(0x600000, Uint8Array.from([0x0f, 0x34, 0xeb, 0xfc])); // sysenter; jmp back
  const ep = b.endpoint();
  const ntfn = b.notification();
  const ut = b.retype(seL4_UntypedObject, 16);
  const th = b.thread({ entry: 0x600000, esp: stack(m, 0x700000, 0), priority: 50, ipcBuffer: 0x710000, cnodeBits: 5, faultEP: 9 });
  b.giveCap(th, 1, th.cnodeSlot, RIGHTS_ALL, cnodeCapData(0, 32 - th.cnodeBits));
  b.giveCap(th, 2, th.tcbSlot);
  b.giveCap(th, 3, ut);
  b.giveCap(th, 4, ep);
  b.giveCap(th, 5, ntfn);
  b.giveCap(th, 9, ep); // its fault endpoint: faults block it there
  const r = rng(0x5eed);
  const small = (): number => (r() & 3) === 0 ? r() | 0 : r() % 40;
  let entries = 0;
  for (let i = 0; i < 3000; i++) {
    invokeTCB_Suspend(k, th.tcb);
    const bi = ipcBufferIndex(k, th.tcb);
    for (let w = 0; w < IPCBUF_WORDS; w++) k.m[bi + w] = small();
    k.m[bi + 121] = 0x710000; // keep userData (the SDK's pointer) sane half the time
    if ((i & 1) === 0) k.m[bi + 121] = r() | 0;
    const sys = -1 - (r() % 9); // every syscall number and one beyond
    const info = (r() & 1) === 0 ? r() | 0 : ((r() % 32) << 12) | (r() & 0x1ff);
    // seL4_UserContext: eip esp eflags eax ebx ecx edx esi edi ebp fs gs
    invokeTCB_WriteRegisters(k, th.tcb, false, 12, [0x600000, 0x700000 - 16, 0x202, sys, small(), r(), r(), info, r(), r(), 0, 0x710000]);
    invokeTCB_Resume(k, th.tcb);
    const before = m.core.syscalls;
    const exit = m.core.run(8);
    assert.ok(exit === CoreExit.IDLE || exit === CoreExit.LIMIT);
    entries += m.core.syscalls - before;
  }
  assert.ok(entries >= 3000, `${entries} kernel entries`);
});
