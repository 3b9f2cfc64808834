/**
 * Translation of a region of guest code to one JavaScript function.
 *
 *   hot entry eip ──> region: the decode cache's basic blocks reachable by
 *   direct jumps, branches, calls and their return sites, on the entry's
 *   page, up to MAX_BLOCKS / MAX_INSTRUCTIONS
 *     ──> per block: flag liveness (backwards), then each instruction's
 *         template (emitters.ts) or a call of its table handler
 *     ──> function (cpu, budget) { registers and flag record in locals;
 *           for (;;) switch (pc) { case <block>: ... } }   via new Function
 *
 * Block transitions inside the region are `pc = k; continue` (a jump table);
 * `ret` and indirect jumps compare the run-time target with the region's
 * blocks. A transition is taken only if the next block fits in the budget,
 * so the instruction budget stays exact; everything else leaves the
 * function with the CPU's state exactly as the interpreter would leave it
 * (registers, lazy-flag record, EIP, retired count), including a fault in
 * the middle of a block: the catch clause reports the faulting instruction
 * (locals still hold the state before it).
 */
import type { Cpu } from '../cpu/cpu.js';
import { PARITY, ARITH, CF } from '../cpu/flags.js';
import { execs, opTable } from '../cpu/table/index.js';
import { Flow } from '../cpu/table/types.js';
import { emittedMayFault, emitterOf, type Flowing } from './emitters.js';
import { Gen } from './gen.js';

export const MAX_BLOCKS = Number(typeof process !== 'undefined' ? process.env['NEPTUNE_JIT_MAX_BLOCKS'] ?? 8 : 8);
/** NEPTUNE_JIT_DUMP=1 prints every generated function on stderr. */
const DUMP = typeof process !== 'undefined' && process.env['NEPTUNE_JIT_DUMP'] === '1';
// Placeholders in the source text, replaced once the region's register set is known.
const SYNC_REGS = 'SYNC_REGS';
const RELOAD_REGS = 'RELOAD_REGS';
export const MAX_INSTRUCTIONS = Number(typeof process !== 'undefined' ? process.env['NEPTUNE_JIT_MAX_INSTRUCTIONS'] ?? 48 : 48);
/** Instructions of inlined block copies per case, three times that per region (0: no inlining); NEPTUNE_JIT_INLINE overrides. */
export const INLINE_INSTRUCTIONS = Number(typeof process !== 'undefined' ? process.env['NEPTUNE_JIT_INLINE'] ?? 16 : 16);
/** Longest chain of blocks one inlined path may hold. */
const MAX_INLINE_DEPTH = 6;

/** A translated region: returns -1 to continue at cpu.eip, else a Stop (SYSCALL, FAULT). */
export type RegionFn = (cpu: Cpu, budget: number) => number;

export interface RegionBlock {
  eip: number;
  first: number;
  count: number;
}

export interface Region {
  fn: RegionFn;
  blocks: number;
  instructions: number;
  /** Instructions in the entry block: the least budget the function may be called with. */
  need: number;
  sourceBytes: number;
}

/** What region formation needs from the runtime (JitState). */
export interface BlockSource {
  readonly cpu: Cpu;
  /** Decode-cache entry of the block at eip (decoding it), or -1 if its fetch faults. */
  blockAt(eip: number): RegionBlock | null;
}

const noFlow: Flowing = { goto: () => '', jump: () => '', trap: () => '' };

/** Collects the region's blocks, breadth-first from the entry. */
export function formRegion(src: BlockSource, entry: number): RegionBlock[] {
  const d = src.cpu.d;
  const blocks: RegionBlock[] = [];
  const seen = new Set<number>();
  const queue = [entry];
  let total = 0;
  while (queue.length > 0 && blocks.length < MAX_BLOCKS) {
    const eip = queue.shift()!;
    if (seen.has(eip) || ((eip ^ entry) >>> 12) !== 0) continue;
    seen.add(eip);
    const b = src.blockAt(eip);
    if (b === null) continue;
    const last = b.first + b.count - 1;
    // The last instruction straddles into the next page: leave that block to the interpreter.
    if ((((d.next[last]! - 1) ^ eip) >>> 12) !== 0) continue;
    if (total + b.count > MAX_INSTRUCTIONS && blocks.length > 0) break;
    blocks.push(b);
    total += b.count;
    const row = opTable[d.op[last]!]!;
    const flow = row.flow ?? Flow.NONE;
    if (flow === Flow.NONE) queue.push(d.next[last]!);
    else if (flow === Flow.JUMP) queue.push(d.imm[last]!);
    else if (flow === Flow.BRANCH) queue.push(d.imm[last]!, d.next[last]!);
    else if (flow === Flow.CALL) queue.push(d.imm[last]!, d.next[last]!);
  }
  return blocks;
}

type Factory = (...a: unknown[]) => RegionFn;
/**
 * Compiled factories by source text, for the whole process: another core
 * (or a later run) translating the same code gets its own closure (over
 * its own JitState and tables) of an already parsed function, so V8
 * neither parses nor compiles it to bytecode again.
 */
const factories = new Map<string, Factory>();
const MAX_FACTORIES = 4096;

/** Generates and compiles the region's function. */
export function compileRegion(cpu: Cpu, blocks: RegionBlock[], J: unknown, name: string): Region {
  const d = cpu.d;
  const g = new Gen(d);
  const index = new Map<number, number>();
  blocks.forEach((b, k) => index.set(b.eip | 0, k));
  const EIPs: number[] = [], NEXTs: number[] = [], OFFs: number[] = [];
  let anyFallback = false;
  const cases: string[] = [];

  // ---- per block: which instructions get a template, which write memory; flag liveness ----
  const info = blocks.map((b) => {
    const C = b.count;
    const scratch = new Gen(d);
    const emitted: boolean[] = [], stores: boolean[] = [];
    for (let i = 0; i < C; i++) {
      const s = b.first + i, e = emitterOf[d.op[s]!];
      scratch.stored = false;
      emitted[i] = e !== undefined && e(scratch, s, noFlow);
      scratch.take();
      stores[i] = emitted[i]! && scratch.stored;
    }
    // Backwards: block end and every possible exit read all flags.
    const liveOut: number[] = [];
    let live = ARITH;
    for (let i = C - 1; i >= 0; i--) {
      const s = b.first + i, row = opTable[d.op[s]!]!;
      let out = live;
      if (stores[i] || !emitted[i]) out |= ARITH; // may leave the region after it
      liveOut[i] = out;
      const mayFault = !emitted[i] || emittedMayFault(d, s, row);
      const kill = emitted[i] ? row.flagsWritten & ARITH : 0;
      const use = !emitted[i] || mayFault ? ARITH : row.flagsRead & ARITH;
      live = (out & ~kill) | use;
    }
    return { emitted, liveOut, cfIn: (live & CF) !== 0 };
  });

  /**
   * Inlining: a transition to another block of the region may continue
   * straight into a copy of that block's code (a trace) instead of going
   * through the switch: the copy knows the flag record left by its
   * predecessor on that path (cross-block fusion; a block entered through
   * the switch knows nothing), a `ret` of a callee entered from an inlined
   * call compares its target with the known return site first, and a path
   * that comes back to the case's own block is `continue S` (the case's
   * inner loop). Copies are limited by `inlineLeft` (instructions, set per
   * case below) and never repeat a block on their own path.
   */
  let inlineLeft = 0;

  /** Code of block k; `root` is the case being generated, `path` the blocks on the inlining path, `rets` the known return sites. */
  const genBlock = (k: number, root: number, path: number[], rets: number[], selfLoop: { on: boolean }): string => {
    const b = blocks[k]!, C = b.count, { emitted, liveOut } = info[k]!;
    const outer = g.stash();
    // The transition to block j (after `n += C`): taken only if j fits in the budget left.
    // `x` settles a deferred CF (Gen.dcf) on the paths that leave this generated code.
    const inline = (j: number, stored: boolean, rs: number[], x: string): string => {
      const cond = `${stored ? 'stale === 0 && ' : ''}n <= budget - ${blocks[j]!.count}`;
      if (j === root) {
        selfLoop.on = true;
        // The fast copy's entry check holds for the next iteration only if ESP is back where it was;
        // otherwise the case is entered again through the switch (and checked again).
        if (g.fast && g.sd !== 0) return `if (${cond}) { ${x}pc = ${root}; continue L; } `;
        return `if (${cond}) { ${info[j]!.cfIn ? x : ''}continue ${g.fast ? 'F' : 'S'}; } `;
      }
      const bj = blocks[j]!;
      if (inlineLeft >= bj.count && !path.includes(j) && path.length < MAX_INLINE_DEPTH) {
        inlineLeft -= bj.count;
        const saved = g.save();
        const code = genBlock(j, root, [...path, j], rs, selfLoop);
        g.restore(saved);
        return `if (${cond}) {\n${code}\n} `;
      }
      return `if (${cond}) { ${x}pc = ${j}; continue L; } `;
    };
    const lines: string[] = [];
    let ended = false;
    for (let i = 0; i < C; i++) {
      const s = b.first + i, row = opTable[d.op[s]!]!, id = EIPs.length;
      EIPs.push(d.eip[s]!);
      NEXTs.push(d.next[s]!);
      OFFs.push(i);
      g.liveOut = liveOut[i]!;
      g.stored = false;
      g.spHandled = false;
      const flow = row.flow ?? Flow.NONE;
      const mayFault = !emitted[i] || emittedMayFault(d, s, row);
      g.mayDefer = emitted[i]! && !mayFault;
      if (mayFault) g.out(`${g.settle()}ip = ${id};`);
      const isCall = flow === Flow.CALL, isRet = emitted[i] && row.name.startsWith('ret');
      const goto = (stored: boolean) => (target: number): string => {
        const j = index.get(target | 0);
        // A direct call's callee learns its return site.
        const rs = isCall && (target | 0) === (d.imm[s]! | 0) ? [...rets, d.next[s]! | 0] : rets;
        const x = g.settleCode();
        const cont = j === undefined ? '' : inline(j, stored, rs, x);
        return `n += ${C}; ${cont}${x}eo = ${target | 0}; break L;`;
      };
      const jump = (stored: boolean) => (t: string): string => {
        const x = g.settle();
        let known = '';
        if (isRet && rets.length > 0) {
          const site = rets[rets.length - 1]!, j = index.get(site);
          if (j !== undefined) known = `if (${t} === ${site}) { ${inline(j, stored, rets.slice(0, -1), '')}eo = ${site}; break L; } `;
        }
        const arms = blocks.map((bb, j) => `case ${bb.eip | 0}: if (${stored ? 'stale === 0 && ' : ''}n <= budget - ${bb.count}) { pc = ${j}; continue L; } break;`);
        return `n += ${C}; ${x}${known}eo = ${t}; switch (eo) { ${arms.join(' ')} } break L;`;
      };
      const trap = (next: number): string => `n += ${C}; ${g.settle()}eo = ${next | 0}; stop = 1; break L;`;
      const f: Flowing = { get goto() { return goto(g.stored); }, get jump() { return jump(g.stored); }, trap };
      if (emitted[i]) {
        emitterOf[d.op[s]!]!(g, s, f);
        if (flow !== Flow.NONE) ended = true;
        else if (g.stored) g.out(`if (stale !== 0) { n += ${i + 1}; eo = ${d.next[s]! | 0}; break L; }`);
      } else {
        anyFallback = true;
        g.sd = null; // the handler may change ESP and the TLB
        // Flags go through the CPU only for rows that read or write any (SSE/x87 arithmetic does not).
        const flags = (row.flagsRead | row.flagsWritten) !== 0;
        g.out(`${g.syncRegs()} ${flags ? g.syncFlags() : ''} inh = ${flags ? 1 : 2}; execs[${d.op[s]}](cpu, ${s}); inh = 0; ${RELOAD_REGS} ${flags ? g.reloadFlags() : ''} stale = J.stale; J.stale = 0;`);
        if (flags) g.unknownFlags();
        if (flow === Flow.NONE) g.out(`if (stale !== 0) { n += ${i + 1}; eo = ${d.next[s]! | 0}; break L; }`);
        else {
          ended = true;
          if (flow === Flow.SERIALIZE) g.out(`n += ${C}; eo = ${d.next[s]! | 0}; break L;`);
          else if (flow === Flow.TRAP) g.out(`n += ${C}; eo = cpu.eip; stop = 1; break L;`);
          else g.out(jump(true)('cpu.eip'));
        }
      }
      const code = g.take();
      // Any other write to ESP (mov esp, ..., add esp, ...): offsets from the entry ESP are no longer known.
      if (!g.spHandled && /\br4 = /.test(code)) g.sd = null;
      lines.push(code);
    }
    if (!ended) {
      const target = d.next[b.first + C - 1]!;
      const j = index.get(target | 0);
      const x = g.settleCode();
      lines.push(`n += ${C}; ${j === undefined ? '' : inline(j, false, rets, x)}${x}eo = ${target | 0}; break L;`);
    }
    g.unstash(outer);
    return lines.join('\n');
  };

  // Each case may copy up to INLINE_INSTRUCTIONS, the region up to three times that. Besides
  // the entry, a case keeps its copies only if one of its paths closes a loop back to it: the
  // switch is then left only when the loop is (a hot inner loop is rarely the region's entry).
  let regionLeft = 3 * INLINE_INSTRUCTIONS;
  blocks.forEach((_b, k) => {
    const mark = EIPs.length;
    const attempt = (allow: number, fast = false) => {
      inlineLeft = allow;
      g.unknownFlags();
      g.touched = 0xff;
      g.resetStack();
      g.fast = fast;
      const selfLoop = { on: false };
      const code = genBlock(k, k, [k], [], selfLoop);
      g.fast = false;
      return { code, check: g.stackCheck(), loop: selfLoop.on, used: allow - inlineLeft };
    };
    let r = attempt(Math.min(INLINE_INSTRUCTIONS, regionLeft));
    if (k !== 0 && !r.loop && r.used > 0) {
      EIPs.length = NEXTs.length = OFFs.length = mark; // drop the first attempt's instruction ids
      r = attempt(0);
    }
    // A path back to this block's own start stays in the case's inner loop (`continue S`).
    // An inner loop with stack accesses at known offsets from its entry ESP (call/push/pop/ret)
    // gets a second copy, F, whose accesses are direct: it is entered when the stack check
    // (Gen.stackCheck, once per entry of the case) holds, the checked copy S otherwise.
    const fast = r.loop && r.check !== '' ? attempt(r.used, true) : null;
    regionLeft -= r.used;
    const checked = `S: for (;;) {\n${r.code}\n}`;
    cases.push(!r.loop ? `case ${k}: {\n${r.code}\n}` : fast === null ? `case ${k}: ${checked}` : `case ${k}: if (${fast.check}) {\nF: for (;;) {\n${fast.code}\n}\n}\n${checked}`);
  });
  const EIP = Int32Array.from(EIPs), NEXT = Int32Array.from(NEXTs), OFF = Int32Array.from(OFFs);
  const total = blocks.reduce((a, b) => a + b.count, 0);

  const regs = anyFallback ? 0xff : g.usedRegs;
  const ri = [...Array(8).keys()].filter((r) => (regs >> r) & 1);
  const load = ri.map((r) => `r${r} = reg[${r}]`).join(', ');
  const storeRegs = ri.map((r) => `reg[${r}] = r${r};`).join(' ');
  const src = `"use strict";
return function ${name}(cpu, budget) {
const reg = cpu.reg, lz = cpu.lz, tlbR = cpu.tlbR, tlbW = cpu.tlbW, i32 = cpu.i32, u16 = cpu.u16, u8 = cpu.u8;
const jw = J.jw, cbits = J.map.bits, tlb = J.tlb;
let dw = 0;
${ri.length > 0 ? `let ${load};` : ''}
let fk = cpu.lazyOp, fa = lz[0], fb = lz[1], fr = lz[2], fc = lz[3], fs = cpu.lazySize, fp = cpu.lazy, ff = cpu.flags;
let n = 0, pc = 0, ip = 0, eo = 0, stop = -1, stale = 0, e = 0, inh = 0, ca = 0, cb = 0, sp = 0;
try {
L: for (;;) {
switch (pc) {
${cases.join('\n')}
}
}
} catch (x) {
if (x !== cpu.exception) throw x;
// A handler that faulted may have committed part of its work (rep string iterations): the CPU's state wins.
if (inh !== 0) { RELOAD_REGS if (inh === 1) { ${new Gen(d).reloadFlags()} } }
const v = cpu.fault.vector;
n += OFF[ip];
if (v === 3 || v === 4) { eo = NEXT[ip]; n++; } else eo = EIP[ip];
stop = 2;
}
${storeRegs}
cpu.lazyOp = fk; lz[0] = fa; lz[1] = fb; lz[2] = fr; lz[3] = fc; cpu.lazySize = fs; cpu.lazy = fp; cpu.flags = ff;
cpu.eip = eo; cpu.retired += n;
if (dw !== 0) J.stats.dataWritesOnCodePages += dw;
return stop;
};`.replace(/SYNC_REGS/g, storeRegs).replace(/RELOAD_REGS/g, ri.map((r) => `r${r} = reg[${r}];`).join(' '));
  if (DUMP) process.stderr.write(`---- ${name}\n${src}\n`);
  let factory = factories.get(src);
  if (factory === undefined) {
    factory = new Function('J', 'execs', 'EIP', 'NEXT', 'OFF', 'PARITY', src) as Factory;
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factories.set(src, factory);
  }
  return {
    fn: factory(J, execs, EIP, NEXT, OFF, PARITY),
    blocks: blocks.length,
    instructions: total,
    need: blocks[0]!.count,
    sourceBytes: src.length,
  };
}
