/**
 * The JIT's per-core state: the code cache (translated regions keyed by
 * physical address and linear EIP), hotness counters, the sub-page code map
 * and the store helper generated code calls on a TLB write miss.
 *
 * Code cache: direct-mapped, HASH_SIZE entries of (paddr, eip, the decode
 * cache's page generation at translation, function). An entry is valid
 * while the page's generation is unchanged: everything that drops decoded
 * code on a page (a guest write that hits code bytes, a host write announced
 * with invalidateRange, another core's invalidation seen through the shared
 * CodeMap) bumps it. Translations embed decode-cache slot numbers (for rows
 * run by their handler), so a decode-cache epoch reset drops every region.
 *
 * Self-modifying code, finer than a page: the decode cache marks pages
 * holding code and the TLB withholds their write entries, so writes there
 * reach `codeWritten`; only a write that hits a 32-byte chunk holding code
 * drops the page's code. Data stores to such pages from generated code go
 * through `st`, which keeps its own write entries (`jw`) for those pages and
 * tests the chunk bit: one call and two loads instead of a page walk.
 */
import type { Cpu, CpuMemoryHooks } from '../cpu/cpu.js';
import { cacheOf, type DecodeCache } from '../cpu/decode-cache.js';
import { Stop, Vector } from '../cpu/fault.js';
import { TF } from '../cpu/flags.js';
import { execs } from '../cpu/table/index.js';
import { Flow } from '../cpu/table/types.js';
import { Access, TRANSLATE_FAULT } from '../mmu/mmu.js';
import type { Tlb } from '../mmu/tlb.js';
import { CodeMap } from './code-map.js';
import { compileRegion, formRegion, type BlockSource, type RegionBlock, type RegionFn } from './compile.js';

const HASH_BITS = 13;
const HASH_SIZE = 1 << HASH_BITS;
const JW_TRACK = 256;
/** Executions of a block before its region is translated (JitOptions.threshold). */
export const DEFAULT_THRESHOLD = Number(typeof process !== 'undefined' ? process.env['NEPTUNE_JIT_THRESHOLD'] ?? 40 : 40);
/** A hot counter value that means "could not translate; do not retry until the page changes". */
const NEVER = -0x40000000;
/**
 * The most instructions one call of a region may run: a region that loops
 * runs until its budget, and the loop between regions is where another
 * core's IPI is seen (Cpu.attention). One return and re-entry per quantum.
 */
export const ATTENTION_QUANTUM = 4096;

export interface JitOptions {
  /** Block executions before translation; 0 = translate at the first execution. */
  threshold?: number;
  /** Share the code map (and its invalidations) with other cores over the same RAM. */
  codeMap?: CodeMap;
}

export interface JitStats {
  regionsCompiled: number;
  blocksCompiled: number;
  instructionsCompiled: number;
  /** Host milliseconds spent forming, generating and compiling regions. */
  compileMs: number;
  /** Bytes of generated JavaScript source (a proxy for code-cache memory). */
  sourceBytes: number;
  /** Regions dropped because their page's code changed, or by an epoch reset. */
  regionsDropped: number;
  /** Writes to pages holding code that did not touch code bytes (code kept). */
  dataWritesOnCodePages: number;
  /** Writes that hit code bytes (code dropped). */
  codeWrites: number;
}

/** Sums over every core's JIT in this process (for the benchmarks). */
export const jitTotals: JitStats = {
  regionsCompiled: 0, blocksCompiled: 0, instructionsCompiled: 0, compileMs: 0, sourceBytes: 0,
  regionsDropped: 0, dataWritesOnCodePages: 0, codeWrites: 0,
};

export class JitState implements BlockSource {
  readonly cache: DecodeCache;
  readonly map: CodeMap;
  readonly threshold: number;
  // ---- code cache ----
  readonly keyP = new Int32Array(HASH_SIZE).fill(-1);
  readonly keyV = new Int32Array(HASH_SIZE);
  readonly gen = new Int32Array(HASH_SIZE);
  readonly hot = new Int32Array(HASH_SIZE);
  readonly need = new Int32Array(HASH_SIZE);
  readonly fns: (RegionFn | null)[] = new Array<RegionFn | null>(HASH_SIZE).fill(null);
  private live = 0;
  epoch: number;
  /** Per page: the CodeMap generation this core has acted on. */
  readonly seen: Int32Array;
  // ---- the running block or region (for self-modifying code) ----
  runningPfn = -1;
  runningGen = 0;
  /** Set when code of the running block/region was dropped: generated code leaves after the current instruction. */
  stale = 0;
  // ---- write entries for pages whose TLB write entry is withheld because they hold code ----
  /** Read by generated stores (Gen.codePageStore). */
  readonly jw = new Int32Array(1 << 20);
  private readonly jwList = new Int32Array(JW_TRACK);
  private jwCount = 0;
  jwFlushes = -1;
  readonly tlb: Tlb;
  private readonly i32: Int32Array;
  private readonly u16: Uint16Array;
  private readonly u8: Uint8Array;
  readonly stats: JitStats = {
    regionsCompiled: 0, blocksCompiled: 0, instructionsCompiled: 0, compileMs: 0, sourceBytes: 0,
    regionsDropped: 0, dataWritesOnCodePages: 0, codeWrites: 0,
  };

  constructor(readonly cpu: Cpu, opts: JitOptions = {}) {
    this.cache = cacheOf(cpu);
    this.map = opts.codeMap ?? new CodeMap(cpu.ram.size);
    this.threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    this.epoch = this.cache.epochResets;
    this.seen = new Int32Array(this.map.pages);
    this.seen.set(this.map.gen.subarray(0, this.map.pages));
    this.tlb = cpu.mmu.tlb;
    this.i32 = cpu.i32;
    this.u16 = cpu.u16;
    this.u8 = cpu.u8;
    // Writes reaching a code page come here first; only code bytes reach the decode cache.
    const prev = cpu.hooks;
    const hooks: CpuMemoryHooks = { codeWritten: (p, n) => this.codeWritten(p, n) };
    if (prev?.mmioRead) hooks.mmioRead = prev.mmioRead;
    if (prev?.mmioWrite) hooks.mmioWrite = prev.mmioWrite;
    cpu.hooks = hooks;
    // Pages with code on any core sharing the map keep their writes on the slow path too.
    const cache = this.cache, map = this.map;
    cpu.mmu.codePages = { hasCode: (pfn: number) => cache.hasCode(pfn) || (pfn < map.pages && map.pageHasCode(pfn)) };
    // INVLPG must also drop our write entries.
    const mmu = cpu.mmu, invlpg = mmu.invalidatePage.bind(mmu);
    mmu.invalidatePage = (va: number) => { invlpg(va); this.jw[va >>> 12] = 0; };
  }

  static hash(p: number, eip: number): number {
    return (Math.imul(p, 0x9e3779b1) ^ Math.imul(eip >>> 12, 0x85ebca6b)) >>> (32 - HASH_BITS);
  }

  // ---- decode-cache blocks, with their bytes recorded in the code map ----

  /** Decode-cache entry of the block at eip; fetch faults propagate (cpu.exception). */
  lookup(eip: number): number {
    const c = this.cache, before = c.blocksDecoded;
    const h = c.lookup(eip);
    if (c.blocksDecoded !== before) this.markBlock(h);
    return h;
  }

  private markBlock(h: number): void {
    const c = this.cache, d = this.cpu.d;
    const eip = c.keyV[h]!, p = c.keyP[h]!;
    const last = c.start[h]! + c.count[h]! - 1;
    const len = (d.next[last]! - eip) | 0;
    const inPage = Math.min(len, 4096 - (p & 0xfff));
    this.map.mark(p, inPage);
    if (len > inPage) {
      // The last instruction straddles into the next page: record its tail there.
      const a2 = (eip + inPage) | 0;
      const e = this.cpu.tlbR[a2 >>> 12]!;
      const p2 = (e & 0xfff) === 4 ? (e & -4096) ^ a2 : this.cpu.mmu.translate(a2, Access.FETCH);
      if (p2 !== TRANSLATE_FAULT && p2 < this.cpu.ram.size) this.map.mark(p2, len - inPage);
    }
  }

  blockAt(eip: number): RegionBlock | null {
    let h: number;
    try {
      h = this.lookup(eip);
    } catch (e) {
      if (e !== this.cpu.exception) throw e;
      return null;
    }
    return { eip, first: this.cache.start[h]!, count: this.cache.count[h]! };
  }

  // ---- self-modifying code ----

  /** CpuMemoryHooks.codeWritten: a write reached a page holding code. */
  codeWritten(p: number, size: number): void {
    if (!this.map.hits(p, size)) {
      this.stats.dataWritesOnCodePages++;
      return;
    }
    this.stats.codeWrites++;
    this.dropPage(p >>> 12);
    const last = p + size - 1;
    if (last >>> 12 !== p >>> 12) this.dropPage(last >>> 12);
    this.cache.codeWritten(p, size);
    if (this.runningPfn >= 0 && this.cache.pageGen[this.runningPfn] !== this.runningGen) this.stale = 1;
  }

  private dropPage(pfn: number): void {
    if (pfn >= this.map.pages) return;
    this.map.dropPage(pfn);
    this.seen[pfn] = this.map.gen[pfn]!;
  }

  /** Another core dropped code on the page: drop ours too. */
  private catchUp(pfn: number): void {
    this.seen[pfn] = this.map.gen[pfn]!;
    this.cache.invalidatePage(pfn);
  }

  /**
   * CF of a pending lazy record held in a region's locals (Cpu.computeCF
   * for a record that is not in the CPU's fields; the differential tests
   * hold the two together).
   */
  cf(op: number, a: number, b: number, r: number, c: number, size: number): number {
    const m = size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
    const x = (a & m) >>> 0, y = (b & m) >>> 0, z = (r & m) >>> 0;
    switch (op) {
      case 0: return z < x ? 1 : 0; // ADD
      case 1: return (c ? z <= x : z < x) ? 1 : 0; // ADC
      case 2: return x < y ? 1 : 0; // SUB
      case 3: return (c ? x <= y : x < y) ? 1 : 0; // SBB
      default: return 0;
    }
  }

  // ---- stores from generated code on a TLB write miss ----

  /** Returns 1 when the store dropped code of the running region (it must stop after this instruction). */
  st(a: number, v: number, size: number): number {
    const vpn = a >>> 12, w = this.jw[vpn]!;
    if (w !== 0 && this.jwFlushes === this.tlb.flushes && (a & (size - 1)) === 0) {
      const p = (w & -4096) ^ a;
      if (((this.map.bits[p >>> 10]! >>> ((p >>> 5) & 31)) & 1) === 0) {
        if (size === 4) this.i32[p >> 2] = v;
        else if (size === 2) this.u16[p >> 1] = v;
        else this.u8[p] = v;
        this.stats.dataWritesOnCodePages++;
        return 0;
      }
    }
    this.cpu.writeSlow(a, size as 1 | 2 | 4, v);
    if ((a & (size - 1)) === 0 && this.cpu.tlbW[vpn] === 0) {
      // Written without a TLB write entry: a writable RAM page holding code. Remember it.
      const r = this.cpu.tlbR[vpn]!;
      if ((r & 0xfff) === 4) this.jwSet(vpn, r);
    }
    const s = this.stale;
    this.stale = 0;
    return s;
  }

  private jwSet(vpn: number, entry: number): void {
    if (this.jwFlushes !== this.tlb.flushes) {
      // The TLB was flushed (CR3 load): forget every entry.
      if (this.jwCount > JW_TRACK) this.jw.fill(0);
      else for (let i = 0; i < this.jwCount; i++) this.jw[this.jwList[i]!] = 0;
      this.jwCount = 0;
      this.jwFlushes = this.tlb.flushes;
    }
    if (this.jw[vpn] === 0) {
      if (this.jwCount < JW_TRACK) this.jwList[this.jwCount] = vpn;
      this.jwCount++;
    }
    this.jw[vpn] = entry;
  }

  // ---- code cache ----

  private dropAll(): void {
    this.keyP.fill(-1);
    this.fns.fill(null);
    this.stats.regionsDropped += this.live;
    this.live = 0;
  }

  /** Tries to translate the region at (p, eip) into entry h. */
  private translate(h: number, eip: number, p: number): void {
    const t0 = performance.now();
    const epoch = this.cache.epochResets;
    const blocks = formRegion(this, eip);
    if (blocks.length === 0 || blocks[0]!.eip !== eip || this.cache.epochResets !== epoch) {
      this.hot[h] = blocks.length === 0 || blocks[0]!.eip !== eip ? NEVER : 0;
      return;
    }
    const r = compileRegion(this.cpu, blocks, this, `region_${(eip >>> 0).toString(16)}`);
    this.keyP[h] = p;
    this.keyV[h] = eip;
    this.gen[h] = this.cache.pageGen[p >>> 12]!;
    this.need[h] = r.need;
    this.fns[h] = r.fn;
    this.live++;
    const s = this.stats;
    s.regionsCompiled++;
    s.blocksCompiled += r.blocks;
    s.instructionsCompiled += r.instructions;
    s.sourceBytes += r.sourceBytes;
    s.compileMs += performance.now() - t0;
    jitTotals.regionsCompiled++;
    jitTotals.blocksCompiled += r.blocks;
    jitTotals.instructionsCompiled += r.instructions;
    jitTotals.sourceBytes += r.sourceBytes;
    jitTotals.compileMs += performance.now() - t0;
  }

  /** Runs code until `budget` instructions retired or a stop: the contract of run() (src/cpu/interpreter.ts). */
  run(budget: number): Stop {
    const cpu = this.cpu, cache = this.cache, map = this.map, tlbR = cpu.tlbR;
    const keyP = this.keyP, keyV = this.keyV, fns = this.fns, hot = this.hot;
    const attention = cpu.attention, ai = cpu.attentionIndex;
    let done = 0;
    while (done < budget) {
      // Another core's IPI (Cpu.attention; SMP only). Atomics.load, so that no optimisation of this
      // loop may keep an old value of the word (a plain load may be hoisted out of a loop).
      if (attention !== null && Atomics.load(attention, ai) !== 0) return Stop.INTERRUPT;
      if (cache.epochResets !== this.epoch) {
        this.epoch = cache.epochResets;
        this.dropAll();
      }
      const eip = cpu.eip;
      const e = tlbR[eip >>> 12]!;
      if ((e & 0xfff) === 4 && (cpu.flags & TF) === 0) {
        const p = (e & -4096) ^ eip, pfn = p >>> 12;
        if (map.gen[pfn] !== this.seen[pfn]) this.catchUp(pfn);
        const h = JitState.hash(p, eip);
        if (keyP[h] === p && keyV[h] === eip) {
          const fn = fns[h]!;
          if (fn !== null) {
            if (this.gen[h] === cache.pageGen[pfn]) {
              // A region loops until its budget: at most a quantum, so that the check above comes round.
              const left = budget - done < ATTENTION_QUANTUM ? budget - done : ATTENTION_QUANTUM;
              if (left >= this.need[h]!) {
                this.runningPfn = pfn;
                this.runningGen = this.gen[h]!;
                const before = cpu.retired;
                const stop = fn(cpu, left);
                this.runningPfn = -1;
                this.stale = 0;
                done += cpu.retired - before;
                if (stop >= 0) {
                  if (stop === Stop.SYSCALL && cpu.onSysenter !== null && cpu.fault.trapNumber === -1 && cpu.onSysenter()) done = 0;
                  else return stop as Stop;
                }
                continue;
              }
            } else {
              fns[h] = null;
              this.live--;
              this.stats.regionsDropped++;
              hot[h] = 0;
            }
          } else if (this.gen[h] !== cache.pageGen[pfn]) {
            this.gen[h] = cache.pageGen[pfn]!;
            hot[h] = 0;
          }
        } else {
          if (fns[h] !== null) { fns[h] = null; this.live--; }
          keyP[h] = p;
          keyV[h] = eip;
          this.gen[h] = cache.pageGen[pfn]!;
          hot[h] = 0;
        }
        if (fns[h] === null) {
          if (hot[h]! >= this.threshold) {
            this.translate(h, eip, p);
            if (fns[h] !== null) continue;
          } else hot[h]!++;
        }
        // else: translated, but the budget left is smaller than its entry block
      }
      const before = cpu.retired;
      const stop = this.runBlock(budget - done);
      done += cpu.retired - before;
      if (stop >= 0) {
        // A sysenter the kernel's fastpath took (Cpu.onSysenter): go on with the next thread's registers.
        if (stop === Stop.SYSCALL && cpu.onSysenter !== null && cpu.fault.trapNumber === -1 && cpu.onSysenter()) done = 0;
        else return stop as Stop;
      }
    }
    return Stop.BUDGET;
  }

  /**
   * Runs (up to `left` instructions of) one decode-cache block through the
   * table handlers, with the interpreter's rules for EIP, TF, traps and
   * faults. Cold code and single-stepping go this way.
   */
  private runBlock(left: number): number {
    const cpu = this.cpu, cache = this.cache, d = cpu.d, op = d.op;
    let h: number;
    try {
      h = this.lookup(cpu.eip);
    } catch (e) {
      if (e !== cpu.exception) throw e;
      return Stop.FAULT; // instruction fetch fault: EIP is at the instruction
    }
    const pfn = cache.keyP[h]! >>> 12;
    if (this.map.gen[pfn] !== this.seen[pfn]) {
      // Another core dropped code on this page since we last looked: decode afresh.
      this.catchUp(pfn);
      h = this.lookup(cpu.eip);
    }
    const first = cache.start[h]!, count = cache.count[h]!;
    const tf = (cpu.flags & TF) !== 0;
    const n = tf ? 1 : count < left ? count : left;
    const end = first + n;
    this.runningPfn = pfn;
    this.runningGen = cache.gen[h]!;
    this.stale = 0;
    let s = first;
    try {
      while (s < end) {
        execs[op[s]!]!(cpu, s);
        s++;
        if (this.stale !== 0) break;
      }
    } catch (e) {
      this.runningPfn = -1;
      if (e !== cpu.exception) throw e;
      cpu.retired += s - first;
      const v = cpu.fault.vector;
      if (v === Vector.BP || v === Vector.OF) {
        cpu.eip = d.next[s]!;
        cpu.retired++;
      } else cpu.eip = d.eip[s]!;
      return Stop.FAULT;
    }
    this.runningPfn = -1;
    this.stale = 0;
    const ran = s - first;
    cpu.retired += ran;
    if (ran !== count) cpu.eip = d.next[s - 1]!;
    else {
      const f = cache.endFlow[h]!;
      if (f === Flow.NONE || f === Flow.SERIALIZE) cpu.eip = d.next[s - 1]!;
      else if (f === Flow.TRAP) return Stop.SYSCALL;
    }
    if (tf) {
      cpu.fault.vector = Vector.DB;
      cpu.fault.errorCode = 0;
      cpu.fault.address = 0;
      return Stop.FAULT;
    }
    return -1;
  }
}

const states = new WeakMap<Cpu, JitState>();

/** The JIT state of `cpu`, created (and wired into its memory hooks) on first use. */
export function jitOf(cpu: Cpu, opts?: JitOptions): JitState {
  let j = states.get(cpu);
  if (j === undefined) {
    j = new JitState(cpu, opts);
    states.set(cpu, j);
  }
  return j;
}
