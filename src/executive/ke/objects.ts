/**
 * The executive's kernel objects: it is the root task, so it owns the root
 * CNode (CPtr = slot number) and every untyped block the kernel handed over
 * at boot. Objects are retyped from the untyped blocks in turn; CNode slots
 * are recycled; frames freed by Mm go to a pool and are zeroed when reused
 * (retyped memory cannot be handed back to an untyped without revoking the
 * whole block, so frames are recycled instead).
 */
import {
  cteDelete, invokePage_Unmap, invokeUntyped_Retype, seL4_CapInitThreadCNode, seL4_NoError, seL4_NotEnoughMemory,
  seL4_X86_4K, slotPtr, slotType, cap_null_cap, ERROR_NAMES, type BootInfo, type Kernel,
} from '../../kernel/index.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';

export class KernelObjects {
  private nextSlot: number;
  private readonly freeSlots: number[] = [];
  private readonly freeFrames: number[] = [];
  private readonly untyped: number[];
  private untypedAt = 0;
  /** Counters: frames retyped, frames reused from the pool, frames in use. */
  framesRetyped = 0;
  framesReused = 0;
  framesInUse = 0;

  constructor(readonly k: Kernel, readonly info: BootInfo) {
    this.nextSlot = info.empty.start;
    this.untyped = [...info.untyped].filter((u) => !u.isDevice).sort((a, b) => b.sizeBits - a.sizeBits).map((u) => u.slot);
  }

  /** Byte address of root CNode slot `i`. */
  slot(i: number): number {
    return this.info.rootCNode + i * 32;
  }

  allocSlot(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    if (this.nextSlot >= this.info.empty.end) throw new NtStatusError(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, 'the executive\'s CNode is full');
    return this.nextSlot++;
  }

  /** Deletes the cap in slot `i` (finalising the object when it is the last cap) and recycles the slot. */
  deleteCap(i: number): void {
    if (slotType(this.k, this.slot(i)) !== cap_null_cap) cteDelete(this.k, this.slot(i), true);
    this.freeSlots.push(i);
  }

  /** One object of `type` into a fresh slot; tries each untyped block until one has room. */
  retype(type: number, sizeBits = 0): number {
    const at = this.allocSlot();
    for (; this.untypedAt < this.untyped.length; this.untypedAt++) {
      const e = invokeUntyped_Retype(this.k, this.slot(this.untyped[this.untypedAt]!), type, sizeBits, this.slot(seL4_CapInitThreadCNode), 0, 0, at, 1);
      if (e === seL4_NoError) return at;
      if (e !== seL4_NotEnoughMemory) {
        this.freeSlots.push(at);
        throw new Error(`Untyped_Retype(${type}) failed: ${ERROR_NAMES[e]}`);
      }
    }
    this.freeSlots.push(at);
    throw new NtStatusError(NTSTATUS.STATUS_NO_MEMORY, 'guest RAM is exhausted (no untyped memory left)');
  }

  /** A zeroed, unmapped 4 KiB frame cap (slot index). */
  frame(): number {
    this.framesInUse++;
    const s = this.freeFrames.pop();
    if (s !== undefined) {
      this.framesReused++;
      this.k.zero(slotPtr(this.k, this.slot(s)), 4096);
      return s;
    }
    this.framesRetyped++;
    return this.retype(seL4_X86_4K);
  }

  /** Unmaps a frame and puts it back in the pool. */
  releaseFrame(s: number): void {
    invokePage_Unmap(this.k, this.slot(s));
    this.framesInUse--;
    this.freeFrames.push(s);
  }

  physOf(s: number): number {
    return slotPtr(this.k, this.slot(s));
  }
}
