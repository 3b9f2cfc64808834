/**
 * Ob: a process's handle table. Handles are multiples of 4 starting at 4
 * (NT's values; the low two bits are free for the caller's tags and are
 * ignored on lookup); each entry holds the object, the granted access mask
 * and the attributes (OBJ_INHERIT). Each entry counts as one handle of its
 * object.
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';
import { obCheckDelete, type ObObject } from './object.js';

export interface HandleEntry {
  readonly object: ObObject;
  readonly access: number;
  readonly attributes: number;
}

/** The most handles one process may hold. */
export const MAX_HANDLES = 1 << 16;
const OBJ_INHERIT = 2;

export class HandleTable {
  private readonly entries = new Map<number, HandleEntry>();
  private readonly freeHandles: number[] = [];
  private next = 4;

  get count(): number {
    return this.entries.size;
  }

  insert(object: ObObject, access: number, attributes = 0): number {
    if (this.entries.size >= MAX_HANDLES) throw new NtStatusError(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, 'the handle table is full');
    const h = this.freeHandles.pop() ?? (this.next += 4) - 4;
    this.entries.set(h, { object, access: access >>> 0, attributes });
    object.handleCount++;
    return h;
  }

  lookup(handle: number): HandleEntry | undefined {
    return this.entries.get((handle >>> 0) & ~3);
  }

  /** Closes a handle; false when there is none. */
  close(handle: number): boolean {
    const h = (handle >>> 0) & ~3;
    const e = this.entries.get(h);
    if (e === undefined) return false;
    this.entries.delete(h);
    this.freeHandles.push(h);
    e.object.handleCount--;
    if (e.object.handleCount === 0) e.object.type.close?.(e.object);
    obCheckDelete(e.object);
    return true;
  }

  /**
   * NT's handle inheritance (NtCreateProcess with InheritObjectTable): an
   * empty table gets the parent's OBJ_INHERIT handles at the same values
   * and access.
   */
  inheritFrom(parent: HandleTable): void {
    if (this.entries.size !== 0) throw new Error('HandleTable.inheritFrom: the table is not empty');
    for (const [h, e] of parent.entries) {
      if ((e.attributes & OBJ_INHERIT) === 0) continue;
      this.entries.set(h, e);
      e.object.handleCount++;
    }
    this.next = parent.next;
    this.freeHandles.length = 0;
    for (let h = this.next - 4; h >= 4; h -= 4) if (!this.entries.has(h)) this.freeHandles.push(h);
  }

  /** Closes every handle (process exit). */
  closeAll(): void {
    for (const h of [...this.entries.keys()]) this.close(h);
  }
}
