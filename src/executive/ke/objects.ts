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
  seL4_X86_4K, slotPtr, slotType, slotW0, slotData, untypedSizeBits, cap_null_cap, ERROR_NAMES, type BootInfo, type Kernel,
} from '../../kernel/index.js';
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';

/** Untyped bytes kept for kernel objects (not handed out as user frames). */
export const KERNEL_RESERVE = 1 << 20;

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

  /** Bytes of untyped memory not retyped yet. */
  untypedFree(): number {
    let n = 0;
    for (let i = this.untypedAt; i < this.untyped.length; i++) {
      const slot = this.slot(this.untyped[i]!);
      n += 2 ** untypedSizeBits(slotW0(this.k, slot)) - slotData(this.k, slot);
    }
    return n;
  }

  /**
   * A zeroed, unmapped 4 KiB frame cap (slot index). User memory never takes
   * the last KERNEL_RESERVE bytes of untyped memory: page directories, page
   * tables, TCBs and CNodes (which pooled frames cannot become) keep room, so
   * a process that eats all memory cannot stop the next one from starting.
   */
  frame(): number {
    const s = this.freeFrames.pop();
    if (s !== undefined) {
      this.framesInUse++;
      this.framesReused++;
      this.k.zero(slotPtr(this.k, this.slot(s)), 4096);
      return s;
    }
    if (this.untypedFree() < KERNEL_RESERVE + 4096) throw new NtStatusError(NTSTATUS.STATUS_NO_MEMORY, 'guest RAM is exhausted (no free frame)');
    const f = this.retype(seL4_X86_4K);
    this.framesInUse++;
    this.framesRetyped++;
    return f;
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
