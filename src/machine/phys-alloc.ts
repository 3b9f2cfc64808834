/**
 * Physical page allocator over guest RAM: a bitmap of 4 KiB frames.
 *
 * The kernel's Untyped objects (a later issue) will carve RAM instead; until
 * then the early process builder takes frames from here. Frame 0 is never
 * handed out so that physical address 0 can mean "none".
 */
import { PAGE_SIZE, type GuestRam } from './ram.js';
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';

export class PhysAllocator {
  private readonly used: Uint32Array;
  private readonly frames: number;
  private next = 1;
  private free: number;

  constructor(private readonly ram: GuestRam) {
    this.frames = ram.size / PAGE_SIZE;
    this.used = new Uint32Array(Math.ceil(this.frames / 32));
    this.used[0] = 1; // frame 0 reserved
    this.free = this.frames - 1;
  }

  get freeFrames(): number {
    return this.free;
  }

  /** Allocates one zeroed frame; returns its physical address. */
  allocFrame(): number {
    for (let n = 0; n < this.frames; n++) {
      const f = this.next;
      this.next = this.next + 1 >= this.frames ? 1 : this.next + 1;
      if ((this.used[f >>> 5]! & (1 << (f & 31))) === 0) {
        this.used[f >>> 5]! |= 1 << (f & 31);
        this.free--;
        const pa = f * PAGE_SIZE;
        this.ram.u8.fill(0, pa, pa + PAGE_SIZE);
        return pa;
      }
    }
    throw new NtStatusError(NTSTATUS.STATUS_NO_MEMORY, `guest RAM exhausted (${this.ram.size >> 20} MiB); start with a larger --memory`);
  }

  freeFrame(pa: number): void {
    const f = pa / PAGE_SIZE;
    if (!Number.isInteger(f) || f <= 0 || f >= this.frames || (this.used[f >>> 5]! & (1 << (f & 31))) === 0) {
      throw new Error(`freeFrame: 0x${pa.toString(16)} is not an allocated frame`);
    }
    this.used[f >>> 5]! &= ~(1 << (f & 31));
    this.free++;
  }
}
