/**
 * The executive's kernel objects: it is the root task, so it owns the root
 * CNode (CPtr = slot number) and every untyped block the kernel handed over
 * at boot. Objects are retyped from the untyped blocks in turn; CNode slots
 * are recycled; frames freed by Mm go to a pool and are zeroed when reused
 * (retyped memory cannot be handed back to an untyped without revoking the
 * whole block, so frames are recycled instead).
 *
 * The other objects a process or thread owns (page directory, page tables,
 * TCBs, CNodes: `retypeReclaimable`) are each retyped from a child untyped
 * of exactly the object's size, made for it. Deleting the object leaves
 * that child untyped without children, and seL4's Untyped_Retype resets
 * such an untyped to its start (src/kernel/untyped.ts): the child goes to
 * a free list of its size and the next object of that size is retyped from
 * it. So ended processes give their kernel memory back, and the untyped
 * memory in use stays at the peak of what lives at once.
 */
import {
  cteDelete, invokePage_Unmap, invokeUntyped_Retype, seL4_CapInitThreadCNode, seL4_NoError, seL4_NotEnoughMemory,
  seL4_X86_4K, slotPtr, slotType, slotW0, slotData, untypedSizeBits, cap_null_cap, ERROR_NAMES, type BootInfo, type Kernel,
  getObjectSize, seL4_MinUntypedBits, seL4_UntypedObject,
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
  /** Object slot → the child untyped (slot) it was retyped from (retypeReclaimable). */
  private readonly objectUntyped = new Map<number, { untyped: number; sizeBits: number }>();
  /** Child untypeds whose object was deleted, by size in bits: ready to be retyped again. */
  private readonly freeUntyped = new Map<number, number[]>();
  /** Counters: reclaimable objects made from fresh untyped, and from reclaimed untyped. */
  objectsRetyped = 0;
  objectsReused = 0;

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

  /**
   * Deletes the cap in slot `i` (finalising the object when it is the last
   * cap) and recycles the slot; the untyped of a reclaimable object goes
   * back to its free list.
   */
  deleteCap(i: number): void {
    if (slotType(this.k, this.slot(i)) !== cap_null_cap) cteDelete(this.k, this.slot(i), true);
    this.freeSlots.push(i);
    const u = this.objectUntyped.get(i);
    if (u === undefined) return;
    this.objectUntyped.delete(i);
    let list = this.freeUntyped.get(u.sizeBits);
    if (list === undefined) this.freeUntyped.set(u.sizeBits, list = []);
    list.push(u.untyped);
  }

  /**
   * One object of `type` whose memory returns to use when its cap is deleted
   * (deleteCap): retyped from a reclaimed child untyped of its size, or from
   * a new one. Only for objects with one cap the executive deletes (copies
   * must be deleted first, or the untyped keeps a child and is not reset).
   */
  retypeReclaimable(type: number, sizeBits = 0): number {
    const bits = Math.max(getObjectSize(type, sizeBits), seL4_MinUntypedBits);
    const root = this.slot(seL4_CapInitThreadCNode);
    const list = this.freeUntyped.get(bits);
    while (list !== undefined && list.length > 0) {
      const u = list.pop()!;
      const at = this.allocSlot();
      const e = invokeUntyped_Retype(this.k, this.slot(u), type, sizeBits, root, 0, 0, at, 1);
      if (e === seL4_NoError) {
        this.objectUntyped.set(at, { untyped: u, sizeBits: bits });
        this.objectsReused++;
        return at;
      }
      // Still has a child (a copy of its object's cap outlived it): not reusable; its slot stays with it.
      this.freeSlots.push(at);
    }
    const u = this.retype(seL4_UntypedObject, bits);
    const at = this.allocSlot();
    const e = invokeUntyped_Retype(this.k, this.slot(u), type, sizeBits, root, 0, 0, at, 1);
    if (e !== seL4_NoError) {
      this.freeSlots.push(at);
      this.deleteCap(u);
      throw new Error(`Untyped_Retype(${type}) from a fresh ${bits}-bit untyped failed: ${ERROR_NAMES[e]}`);
    }
    this.objectUntyped.set(at, { untyped: u, sizeBits: bits });
    this.objectsRetyped++;
    return at;
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
