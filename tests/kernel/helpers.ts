/** A booted kernel with a root task whose CSpace every test thread shares (CPtr = slot number). */
import assert from 'node:assert/strict';
import {
  bootKernel, invokeUntyped_Retype, invokeTCB_SetSpace, invokeTCB_SetPriority, invokeTCB_Resume, slotPtr,
  seL4_CapInitThreadCNode, seL4_CapInitThreadTCB, seL4_TCBObject, seL4_NoError, ERROR_NAMES, type Kernel, type BootInfo,
} from '../../src/kernel/index.js';

export interface World {
  k: Kernel;
  info: BootInfo;
  root: number;
  /** Byte address of root CNode slot i. */
  slot(i: number): number;
  /** Retypes n objects from the big untyped into fresh root slots; returns the first slot index. */
  retype(type: number, sizeBits?: number, n?: number): number;
  /** Index of a fresh empty slot. */
  freeSlot(): number;
  /** A new thread sharing the root CSpace: { cptr, tcb }. Resumed unless `resume` is false. */
  thread(prio: number, resume?: boolean, core?: number): { cptr: number; tcb: number };
  untypedSlot: number;
}

export function ok(e: number, what = 'operation'): void {
  assert.equal(ERROR_NAMES[e], 'seL4_NoError', `${what} failed with ${ERROR_NAMES[e]}`);
}

export function world(opts: { cores?: number; memory?: number } = {}): World {
  const { kernel: k, bootInfo: info } = bootKernel({ memory: opts.memory ?? 8 << 20, cores: opts.cores ?? 1, rootCNodeBits: 10 });
  const cnode = info.rootCNode;
  const slot = (i: number): number => cnode + i * 32;
  let next = info.empty.start;
  const big = info.untyped.reduce((a, b) => (b.sizeBits > a.sizeBits ? b : a));
  const w: World = {
    k, info, root: info.rootThread, slot, untypedSlot: big.slot,
    freeSlot: () => next++,
    retype(type, sizeBits = 0, n = 1) {
      const first = next;
      ok(invokeUntyped_Retype(k, slot(big.slot), type, sizeBits, slot(seL4_CapInitThreadCNode), 0, 0, first, n), 'retype');
      next += n;
      return first;
    },
    thread(prio, resume = true, core = 0) {
      const cptr = w.retype(seL4_TCBObject);
      const tcb = slotPtr(k, slot(cptr));
      ok(invokeTCB_SetSpace(k, tcb, 0, slot(seL4_CapInitThreadCNode), 0), 'SetSpace');
      ok(invokeTCB_SetPriority(k, tcb, slot(seL4_CapInitThreadTCB), prio), 'SetPriority');
      if (core !== 0) k.m[(tcb >> 2) + 46] = core;
      if (resume) ok(invokeTCB_Resume(k, tcb), 'Resume');
      return { cptr, tcb };
    },
  };
  assert.equal(seL4_NoError, 0);
  return w;
}

/** The parts of a machine the fast = slow comparisons look at. */
interface ComparableMachine {
  readonly k: { readonly globals: ArrayBufferLike };
  readonly ram: { readonly sab: SharedArrayBuffer };
  readonly cpu: { readonly retired: number };
}

/**
 * Asserts that two machines that ran the same program (fastpath on and off)
 * ended identical: instructions retired, kernel globals and all of RAM.
 */
export function assertSameMachines(a: ComparableMachine, b: ComparableMachine): void {
  assert.equal(a.cpu.retired, b.cpu.retired);
  assert.ok(Buffer.from(new Uint8Array(a.k.globals)).equals(Buffer.from(new Uint8Array(b.k.globals))), 'kernel globals differ');
  const ra = new Int32Array(a.ram.sab);
  const rb = new Int32Array(b.ram.sab);
  let firstDiff = -1;
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) { firstDiff = i * 4; break; }
  assert.equal(firstDiff, -1, `RAM differs first at 0x${firstDiff.toString(16)}`);
}
