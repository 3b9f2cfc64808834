/**
 * The decode cache: basic blocks of decoded slots, keyed by the physical
 * address of their first instruction (and checked against its linear
 * address, since the slots hold linear EIPs and branch targets).
 *
 *   eip ─TLB─> paddr ─hash─> entry { paddr, eip, page generation, first slot, count, last flow }
 *
 * A block never crosses a 4 KiB page (an instruction that straddles two
 * pages ends its block, and that block is also registered on the second
 * page); it ends after a row whose flow is not NONE, or after 64
 * instructions. Slots are handed out from a ring; when it is full every
 * block is dropped (an epoch reset) and allocation starts again at 0.
 *
 * Self-modifying code: a physical page holding decoded code is marked, and
 * its TLB write entries are dropped, so every write to it takes the CPU's
 * slow path, which calls codeWritten(). That bumps the page's generation
 * (dropping all its blocks at once: lookups compare generations) and, if
 * the running block was dropped, asks the run loop to stop it after the
 * current instruction (runEnd = 0), so the next instruction is decoded
 * afresh, as x86's coherent instruction fetch requires. (The JIT issue
 * refines this to sub-page regions.)
 *
 * The CPU keeps no pointer to its cache (cpu.ts is the shared contract):
 * cacheOf(cpu) finds it in a WeakMap, once per run() call.
 */
import { Access, type CodePageMap } from '../mmu/mmu.js';
import { TLB_VALID } from '../mmu/tlb.js';
import type { Cpu, CpuMemoryHooks } from './cpu.js';
import { decodeInstruction, rowFlow } from './decoder.js';
import { FX_STRIDE, finishBlock, specialise } from './hot.js';
import { Vector } from './fault.js';
import { Flow } from './table/types.js';

export const MAX_BLOCK = 64;
/** log2 of the hash table size (the run loop inlines the hash; tests/cpu/fast-path.test.ts checks they agree). */
const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;

/**
 * The run loop's view of a hash entry: BLK_STRIDE ints at h * BLK_STRIDE in
 * `blk`, so a block lookup and its bookkeeping touch one typed array (each
 * typed-array access costs V8 a map check, a bounds check and the backing
 * store). The per-field arrays (keyP, start, count, ...) hold the same
 * values for other users.
 */
export const BLK_STRIDE = 8;
/** Word offsets in a `blk` entry. */
export const B_PADDR = 0, B_EIP = 1, B_GEN = 2, B_START = 3, B_COUNT = 4, B_END_MODE = 5, B_FALL = 6;
/**
 * B_TAIL: -1, or the physical page the block's last instruction straddles into
 * (-2 when it could not be known). The key (first page, EIP, generation) does
 * not name that page: another address space, or this one after a remap, may map
 * a different frame after the same first page (shared image code, COW copies),
 * so a hit on such a block checks the tail page's current mapping first.
 */
export const B_TAIL = 7;

export class DecodeCache implements CodePageMap {
  // ---- hash table of blocks (direct-mapped: a collision replaces) ----
  readonly keyP = new Int32Array(HASH_SIZE).fill(-1);
  readonly keyV = new Int32Array(HASH_SIZE);
  readonly gen = new Int32Array(HASH_SIZE);
  readonly start = new Int32Array(HASH_SIZE);
  readonly count = new Int32Array(HASH_SIZE);
  /** Flow of the block's last instruction. */
  readonly endFlow = new Uint8Array(HASH_SIZE);
  /** Packed copy for the run loop: [paddr, eip, gen, start, count, EndMode (hot.ts), fall-through EIP, tail page] per entry. */
  readonly blk = new Int32Array(HASH_SIZE * BLK_STRIDE).fill(-1);

  // ---- per physical page ----
  readonly pageGen: Int32Array;
  readonly pageCode: Uint8Array;
  /** Second page of a straddling instruction -> first pages whose blocks depend on it. */
  private readonly straddlers = new Map<number, number[]>();

  /** Hot record of each slot (hot.ts: [kind, a, b, c] at s * FX_STRIDE), beside cpu.d. */
  readonly fx: Int32Array;

  private nextSlot = 0;
  private readonly capacity: number;

  // ---- run-loop interface ----
  /** End slot of the running block; set to 0 to stop it after the current instruction. */
  runEnd = 0;
  /** Physical page of the running block (-1 when none). */
  runPage = -1;

  // ---- profiler counters ----
  blocksDecoded = 0;
  instructionsDecoded = 0;
  invalidations = 0;
  epochResets = 0;

  constructor(readonly cpu: Cpu) {
    const pages = cpu.ram.size >>> 12;
    this.pageGen = new Int32Array(pages);
    this.pageCode = new Uint8Array(pages);
    this.capacity = cpu.d.capacity;
    this.fx = new Int32Array(this.capacity * FX_STRIDE);
  }

  hasCode(pfn: number): boolean {
    return this.pageCode[pfn] === 1;
  }

  static hash(p: number): number {
    return Math.imul(p, 0x9e3779b1) >>> (32 - HASH_BITS);
  }

  /** Returns the hash entry of the block at `eip`, decoding it on a miss. Fetch faults propagate. */
  lookup(eip: number): number {
    const cpu = this.cpu;
    const e = cpu.tlbR[eip >>> 12]!;
    let p: number;
    if ((e & 0xfff) === TLB_VALID) p = (e & ~0xfff) ^ eip;
    else {
      p = cpu.translate(eip, Access.FETCH);
      if (p >= cpu.ram.size) cpu.raise(Vector.PF, 1 | 4, eip); // no execution from MMIO
    }
    const h = DecodeCache.hash(p);
    if (this.keyP[h] === p && this.keyV[h] === eip && this.gen[h] === this.pageGen[p >>> 12]) {
      const tail = this.blk[h * BLK_STRIDE + B_TAIL]!;
      if (tail === -1 || tail === this.physOfFetched(((eip & ~0xfff) + 0x1000) | 0)) return h;
      // The straddled page maps another frame now (or is not in the TLB): decode again,
      // which also ends the block before the instruction if its tail now faults.
    }
    return this.decodeBlock(eip, p, h);
  }

  private decodeBlock(eip: number, p: number, h: number): number {
    const cpu = this.cpu, d = cpu.d;
    if (this.nextSlot + MAX_BLOCK > this.capacity) this.flushAll();
    const pfn = p >>> 12;
    this.markCode(pfn);
    const first = this.nextSlot;
    let n = 0, a = eip, flow: number = Flow.NONE, tail = -1;
    for (;;) {
      const s = first + n;
      try {
        decodeInstruction(cpu, a, s);
      } catch (err) {
        // A fetch fault past the first instruction (the tail of a straddling
        // instruction) ends the block before it; it faults when it runs.
        if (err !== cpu.exception || n === 0) throw err;
        break;
      }
      n++;
      flow = rowFlow[d.op[s]!]!;
      specialise(d, s, this.fx);
      const next = d.next[s]!;
      if (((next - 1) ^ a) >>> 12 !== 0 && ((next - 1) ^ eip) >>> 12 !== 0) {
        // Straddles into the next page: register the dependency, end the block.
        const p2 = this.physOfFetched((next - 1) | 0);
        if (p2 >= 0) this.addStraddler(p2 >>> 12, pfn);
        tail = p2 >= 0 ? p2 & ~0xfff : -2;
        break;
      }
      if (flow !== Flow.NONE || n === MAX_BLOCK || (next ^ eip) >>> 12 !== 0) break;
      a = next;
    }
    this.nextSlot = first + n;
    this.keyP[h] = p;
    this.keyV[h] = eip;
    this.gen[h] = this.pageGen[pfn]!;
    this.start[h] = first;
    this.count[h] = n;
    const endFlow = n === 0 ? Flow.NONE : rowFlow[d.op[first + n - 1]!]!;
    this.endFlow[h] = endFlow;
    const b = h * BLK_STRIDE, blk = this.blk;
    blk[b + B_PADDR] = p;
    blk[b + B_EIP] = eip;
    blk[b + B_GEN] = this.pageGen[pfn]!;
    blk[b + B_START] = first;
    blk[b + B_COUNT] = n;
    blk[b + B_END_MODE] = finishBlock(d, first, n, this.fx, endFlow);
    blk[b + B_FALL] = n === 0 ? eip : d.next[first + n - 1]!;
    blk[b + B_TAIL] = tail;
    this.blocksDecoded++;
    this.instructionsDecoded += n;
    return h;
  }

  private physOfFetched(a: number): number {
    const e = this.cpu.tlbR[a >>> 12]!;
    return (e & 0xfff) === TLB_VALID ? (e & ~0xfff) ^ a : -1;
  }

  private markCode(pfn: number): void {
    if (this.pageCode[pfn] === 1) return;
    this.pageCode[pfn] = 1;
    this.cpu.mmu.tlb.dropWritesTo(pfn);
  }

  private addStraddler(pfn2: number, pfn1: number): void {
    if (pfn2 >= this.pageCode.length) return;
    this.markCode(pfn2);
    const l = this.straddlers.get(pfn2);
    if (l === undefined) this.straddlers.set(pfn2, [pfn1]);
    else if (!l.includes(pfn1)) l.push(pfn1);
  }

  /** CpuMemoryHooks.codeWritten: a write reached a page with decoded code. */
  codeWritten(paddr: number, size: number): void {
    const last = paddr + size - 1;
    this.invalidatePage(paddr >>> 12);
    if (last >>> 12 !== paddr >>> 12) this.invalidatePage(last >>> 12);
  }

  /**
   * Drops every block on physical page `pfn`. Also the API for the kernel
   * and loaders that write guest RAM directly (not through this CPU).
   */
  invalidatePage(pfn: number): void {
    if (this.pageCode[pfn] !== 1) return;
    this.pageCode[pfn] = 0;
    this.pageGen[pfn] = (this.pageGen[pfn]! + 1) | 0;
    this.invalidations++;
    if (pfn === this.runPage) this.runEnd = 0;
    const deps = this.straddlers.get(pfn);
    if (deps !== undefined) {
      this.straddlers.delete(pfn);
      for (const q of deps) this.invalidatePage(q);
    }
  }

  /** Drops the blocks on every page touched by [paddr, paddr+len). */
  invalidateRange(paddr: number, len: number): void {
    for (let pfn = paddr >>> 12; pfn <= (paddr + len - 1) >>> 12; pfn++) this.invalidatePage(pfn);
  }

  /** Epoch reset: forget every block (pages stay marked: their write entries are still off). */
  flushAll(): void {
    this.keyP.fill(-1);
    this.blk.fill(-1);
    this.nextSlot = 0;
    this.runEnd = 0;
    this.epochResets++;
  }
}

const caches = new WeakMap<Cpu, DecodeCache>();

/** The decode cache of `cpu`, created and wired into its MMU and memory hooks on first use. */
export function cacheOf(cpu: Cpu): DecodeCache {
  let c = caches.get(cpu);
  if (c !== undefined) return c;
  const cache = new DecodeCache(cpu);
  caches.set(cpu, cache);
  cpu.mmu.codePages = cache;
  const prev = cpu.hooks;
  const hooks: CpuMemoryHooks = { codeWritten: (p, n) => cache.codeWritten(p, n) };
  if (prev?.mmioRead) hooks.mmioRead = prev.mmioRead.bind(prev);
  if (prev?.mmioWrite) hooks.mmioWrite = prev.mmioWrite.bind(prev);
  cpu.hooks = hooks;
  return cache;
}
