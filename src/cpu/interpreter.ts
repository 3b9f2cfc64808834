/**
 * The run loop: executes decoded basic blocks until the instruction budget
 * is used, a trap row stops (int n / sysenter), or an exception is raised.
 *
 *   run(cpu, budget)                           slices of at most SLICE instructions
 *     runSlice: loop: block = hash entry of eip (decodes on a miss)
 *           whole block fits the budget, no TF: for s in block: switch (hot kind) { body inline }
 *                                                                 or execs[op[s]](cpu, s)
 *           otherwise (budget end, single-step): table handlers only, slot by slot
 *           EIP = the block's fall-through, or what its branch computed
 *
 * Contract (docs/cpu.md):
 *  - Stop.BUDGET: `budget` instructions retired; EIP at the next one.
 *  - Stop.SYSCALL: int n (cpu.fault.trapNumber = n) or sysenter (-1); EIP after it.
 *  - Stop.FAULT: cpu.fault holds vector/error code/address; EIP at the faulting
 *    instruction for faults (registers as before it), after it for the traps
 *    int3, into and single-step (#DB when TF was set at the instruction's start).
 *  - cpu.retired counts retired instructions (traps included, faults not).
 *
 * Handlers of non-branch instructions never touch cpu.eip, and nothing reads
 * it while a slice runs: the loop keeps EIP in a local and stores it when it
 * returns. Only cpu.exception is caught; anything else is an engine bug and
 * propagates.
 *
 * The fast path only ever runs whole blocks. That is what lets hot.ts's
 * finishBlock drop dead flag updates and fuse cmp+jcc: inside a block the
 * state is only observable at a barrier (an instruction that can fault or
 * stop the block), and there finishBlock keeps every flag live. A block cut
 * short (budget, TF) runs on the exact table handlers instead.
 */
import { type Cpu } from './cpu.js';
import { B_TAIL, BLK_STRIDE, cacheOf } from './decode-cache.js';
import { Stop, Vector } from './fault.js';
import { PARITY, TF, type Cond, type Lazy } from './flags.js';
import { execs } from './table/index.js';
import { FX_STRIDE, K_LAST } from './hot.js';
import { LZ_A, LZ_B, LZ_RES } from './cpu.js';

/**
 * run() hands out the budget in slices: the slice function is then called
 * often, so V8 optimises it as a whole function (locals in registers, typed
 * arrays checked once) rather than only through on-stack replacement of one
 * long call, whose code reloads and re-checks every local from the frame.
 */
const SLICE = 1 << 16;

export function run(cpu: Cpu, budget: number): Stop {
  let left = budget;
  for (;;) {
    const n = left > SLICE ? SLICE : left;
    const stop = runSlice(cpu, n);
    if (stop === Stop.SYSCALL && cpu.onSysenter !== null && cpu.fault.trapNumber === -1 && cpu.onSysenter()) {
      left = budget; // another thread's registers: it starts a budget of its own, as after a return to the kernel
      continue;
    }
    left -= n;
    if (stop !== Stop.BUDGET || left <= 0) return stop;
  }
}

// The switch's case labels are the hot kinds of hot.ts (enum K), as literals: esbuild
// does not inline const enums across files, and a switch over property loads compiles
// to a compare chain instead of a jump table. The bodies are written out (not calls):
// V8 stops inlining calls into one function after ~1 KB of inlined bytecode, and an
// un-inlined call costs more than most bodies. Each body must do exactly what the
// form's table handler does (the oracle tests run both paths); NF bodies do it
// without the flags, fused bodies do both instructions.
// Lazy-flag literals: ARITH = 2261 (CF|PF|AF|ZF|SF|OF), ARITH & ~CF = 2260,
// ZF|SF|PF = 196, CF|OF|AF = 2065, CF|OF = 2049; kinds ADD 0, SUB 2, LOGIC 4,
// INC 5, DEC 6, RESULT 7; lz[0] = A, lz[1] = B, lz[2] = RES. TLB_VALID = 4.
// Block info words (decode-cache.ts B_*): 0 paddr, 1 eip, 2 gen, 3 start, 4 count,
// 5 EndMode (hot.ts: 0 FALL, 1 HOT_BRANCH, 2 TABLE_BRANCH, 3 TRAP, 4 SERIALIZE), 6 fall-through.
if (K_LAST !== 89 || FX_STRIDE !== 4 || BLK_STRIDE !== 8 || B_TAIL !== 7 || LZ_A !== 0 || LZ_B !== 1 || LZ_RES !== 2) throw new Error('interpreter: hot.ts kinds changed; update the run loop switch');

// Flag arithmetic without data-dependent branches: these values (a carry, an
// equality) are as random as the guest's data, so a compare-and-branch would
// be mispredicted about half the time (measured: alu-loop 7% slower with
// `(x >>> 0) < (y >>> 0) ? 1 : 0`). Small enough for V8 to inline.
/** CF of x - y = r (32-bit): the borrow out of bit 31. */
function cfSub(x: number, y: number, r: number): number {
  return ((~x & y) | (~(x ^ y) & r)) >>> 31;
}
/** CF of r = x + y (32-bit): the carry out of bit 31. */
function cfAdd(x: number, y: number, r: number): number {
  return ((x & y) | ((x | y) & ~r)) >>> 31;
}
/** Outcome bits of cmp x,y for the fused jcc tables (hot.ts condTable): E | B << 1 | L << 2. */
function cmpOutcome(x: number, y: number): number {
  const r = (x - y) | 0, z = x ^ y;
  return (((z | ((0 - z) | 0)) >>> 31) ^ 1) | ((((~x & y) | (~z & r)) >>> 31) << 1) | (((r ^ (z & (r ^ x))) >>> 31) << 2);
}
/** Outcome bits of a result for the fused jcc tables: Z | S << 1. */
function zsOutcome(r: number): number {
  return (((r | ((0 - r) | 0)) >>> 31) ^ 1) | ((r >>> 31) << 1);
}

function runSlice(cpu: Cpu, budget: number): Stop {
  const cache = cacheOf(cpu);
  // Few locals on purpose: every value live across the loop competes for registers, and the
  // dispatch's record load is on the critical path (cold paths reload cpu.d.next/eip and
  // cache.pageGen; op stays: SSE-heavy guests run mostly table handlers).
  const fx = cache.fx, blk = cache.blk, op = cpu.d.op;
  const reg = cpu.reg, lz = cpu.lz, tlbR = cpu.tlbR, tlbW = cpu.tlbW, i32 = cpu.i32;
  let done = 0;
  let s = -1, first = 0;
  let eip = cpu.eip;
  let tf = (cpu.flags & TF) !== 0;
  // b: the running block's info (offset in blk); again: it ran whole and its page was not
  // written meanwhile, so when it branches to itself (a loop) it needs no lookup.
  let b = 0, again = false;
  try {
    while (done < budget) {
      if (!again) {
        // The block at eip: the hash entry of its physical address (cache.lookup and
        // DecodeCache.hash, inline; >>> 18 = 32 - HASH_BITS).
        const te = tlbR[eip >>> 12]!;
        const p = (te & ~0xfff) ^ eip;
        b = (Math.imul(p, 0x9e3779b1) >>> 18) << 3;
        // A block whose last instruction straddles into the next page (blk[b + 7], B_TAIL)
        // goes through lookup, which checks that page's current frame.
        if ((te & 0xfff) !== 4 || blk[b]! !== p || blk[b + 1]! !== eip || blk[b + 2]! !== cache.pageGen[p >>> 12]! || blk[b + 7]! !== -1) b = (cache.lookup(eip) & 0x3fff) << 3;
        cache.runPage = blk[b]! >>> 12;
      }
      again = false;
      first = blk[b + 3]!;
      const count = blk[b + 4]!;
      if (tf || budget - done < count) {
        // Part of the block (budget end) or one instruction (TF): the table handlers, which
        // keep the state exact after every instruction (no dead flags, no fusion).
        let end = first + (tf ? 1 : budget - done);
        cache.runEnd = end;
        for (s = first; s < end; s++) {
          execs[cpu.d.op[s]!]!(cpu, s);
          end = cache.runEnd;
        }
        const ran = s - first;
        done += ran;
        s = -1;
        if (ran !== count) eip = cpu.d.next[first + ran - 1]!; // not the last, so not a branch
        else {
          const m = blk[b + 5]!;
          if (m === 0 || m === 4) eip = blk[b + 6]!;
          else if (m === 3) { cpu.retired += done; cache.runPage = -1; return Stop.SYSCALL; } // int n / sysenter set cpu.eip
          else eip = cpu.eip;
        }
        if (tf) {
          cpu.eip = eip;
          cpu.retired += done; cache.runPage = -1;
          cpu.fault.vector = Vector.DB;
          cpu.fault.errorCode = 0;
          cpu.fault.address = 0;
          return Stop.FAULT;
        }
        tf = (cpu.flags & TF) !== 0;
        continue;
      }
      let end = first + count;
      cache.runEnd = end;
      // `end` is re-read from cache.runEnd only after what can write guest memory the
      // slow way (the only way a write reaches a page holding decoded code).
      for (s = first; s < end; s++) {
        const i = s << 2, w = fx[i]!;
        switch (w & 0xff) {
          case 1: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = (x + y) | 0; reg[t] = r; cpu.lazyOp = 0 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // add r,r
          case 2: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = x | y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // or r,r
          case 3: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = x & y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // and r,r
          case 4: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = (x - y) | 0; reg[t] = r; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // sub r,r
          case 5: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = x ^ y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // xor r,r
          case 6: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = (x - y) | 0; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // cmp r,r
          case 7: { const x = reg[(w >> 8) & 15]!, y = reg[(w >> 12) & 15]!, r = x & y; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // test r,r
          case 8: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = (x + y) | 0; reg[t] = r; cpu.lazyOp = 0 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // add r,imm
          case 9: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = x | y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // or r,imm
          case 10: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = x & y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // and r,imm
          case 11: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = (x - y) | 0; reg[t] = r; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // sub r,imm
          case 12: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = x ^ y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // xor r,imm
          case 13: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = (x - y) | 0; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; } // cmp r,imm
          case 14: { // inc r: CF keeps its value, so materialise a pending one first (after a
              // 32-bit add/sub/cmp or a logic op, inline: computeCF's general case is large)
              const t = (w >> 8) & 15, x = reg[t]!, r = (x + 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) { const k = cpu.lazyOp; cpu.flags = (cpu.flags & ~1) | (k === 4 ? 0 : cpu.lazySize !== 4 || k > 2 ? cpu.computeCF() : k === 2 ? cfSub(lz[0]!, lz[1]!, lz[2]!) : k === 0 ? cfAdd(lz[0]!, lz[1]!, lz[2]!) : cpu.computeCF()); }
              cpu.lazyOp = 5 as Lazy; lz[0] = x; lz[1] = 1; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2260; break; }
          case 15: { // dec r: CF keeps its value, so materialise a pending one first
              const t = (w >> 8) & 15, x = reg[t]!, r = (x - 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) { const k = cpu.lazyOp; cpu.flags = (cpu.flags & ~1) | (k === 4 ? 0 : cpu.lazySize !== 4 || k > 2 ? cpu.computeCF() : k === 2 ? cfSub(lz[0]!, lz[1]!, lz[2]!) : k === 0 ? cfAdd(lz[0]!, lz[1]!, lz[2]!) : cpu.computeCF()); }
              cpu.lazyOp = 6 as Lazy; lz[0] = x; lz[1] = 1; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2260; break; }
          case 16: reg[(w >> 8) & 15] = reg[(w >> 12) & 15]!; break; // mov r,r
          case 17: reg[(w >> 8) & 15] = fx[i + 1]!; break; // mov r,imm
          case 18: { const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; reg[(w >> 8) & 15] = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4); break; } // mov r,[b+d]
          case 19: { const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, v = reg[(w >> 8) & 15]!; const e = tlbW[ad >>> 12]!; if (((e & 0xfff) | (ad & 3)) === 4) i32[((e & ~0xfff) ^ ad) >> 2] = v; else { cpu.writeSlow(ad, 4, v); end = cache.runEnd; } break; } // mov [b+d],r
          case 20: { const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, v = fx[i + 2]!; const e = tlbW[ad >>> 12]!; if (((e & 0xfff) | (ad & 3)) === 4) i32[((e & ~0xfff) ^ ad) >> 2] = v; else { cpu.writeSlow(ad, 4, v); end = cache.runEnd; } break; } // mov [b+d],imm
          case 21: reg[(w >> 8) & 15] = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0; break; // lea r,[b+d]
          case 22: { const sp = (reg[4]! - 4) | 0, v = reg[(w >> 8) & 15]!; const e = tlbW[sp >>> 12]!; if (((e & 0xfff) | (sp & 3)) === 4) i32[((e & ~0xfff) ^ sp) >> 2] = v; else { cpu.writeSlow(sp, 4, v); end = cache.runEnd; } reg[4] = sp; break; } // push r (ESP last)
          case 23: { const sp = reg[4]!, e = tlbR[sp >>> 12]!; const v = ((e & 0xfff) | (sp & 3)) === 4 ? i32[((e & ~0xfff) ^ sp) >> 2]! : cpu.readSlow(sp, 4); reg[4] = (sp + 4) | 0; reg[(w >> 8) & 15] = v; break; } // pop r (pop esp: the value wins)
          case 24: { const sp = (reg[4]! - 4) | 0, v = fx[i + 1]!; const e = tlbW[sp >>> 12]!; if (((e & 0xfff) | (sp & 3)) === 4) i32[((e & ~0xfff) ^ sp) >> 2] = v; else { cpu.writeSlow(sp, 4, v); end = cache.runEnd; } reg[4] = sp; break; } // push imm
          case 25: { const sp = (reg[4]! - 4) | 0, v = fx[i + 2]!; const e = tlbW[sp >>> 12]!; if (((e & 0xfff) | (sp & 3)) === 4) i32[((e & ~0xfff) ^ sp) >> 2] = v; else { cpu.writeSlow(sp, 4, v); end = cache.runEnd; } reg[4] = sp; eip = fx[i + 1]!; break; } // call rel
          case 26: { const sp = reg[4]!, e = tlbR[sp >>> 12]!; const v = ((e & 0xfff) | (sp & 3)) === 4 ? i32[((e & ~0xfff) ^ sp) >> 2]! : cpu.readSlow(sp, 4); reg[4] = (sp + 4) | 0; eip = v; break; } // ret
          case 27: eip = fx[i + 1]!; break; // jmp rel
          case 28: eip = cpu.cond(0 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jo
          case 29: eip = cpu.cond(1 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jno
          case 30: eip = cpu.cond(2 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jb
          case 31: eip = cpu.cond(3 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jae
          case 32: { // je: ZF straight from the record in the common 32-bit case
              const z = (cpu.lazy & 64) !== 0 ? (cpu.lazySize === 4 ? lz[2] === 0 : cpu.getZF()) : (cpu.flags & 64) !== 0;
              eip = z ? fx[i + 1]! : fx[i + 2]!; break; }
          case 33: { // jne
              const z = (cpu.lazy & 64) !== 0 ? (cpu.lazySize === 4 ? lz[2] === 0 : cpu.getZF()) : (cpu.flags & 64) !== 0;
              eip = z ? fx[i + 2]! : fx[i + 1]!; break; }
          case 34: eip = cpu.cond(6 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jbe
          case 35: eip = cpu.cond(7 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // ja
          case 36: eip = cpu.cond(8 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // js
          case 37: eip = cpu.cond(9 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jns
          case 38: eip = cpu.cond(10 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jp
          case 39: eip = cpu.cond(11 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jnp
          case 40: eip = cpu.cond(12 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jl
          case 41: eip = cpu.cond(13 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jge
          case 42: eip = cpu.cond(14 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jle
          case 43: eip = cpu.cond(15 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jg
          case 44: { // imul r,r,imm (flags as muldiv.ts mulFlags)
              const x = reg[(w >> 12) & 15]!, y = fx[i + 1]!, r = Math.imul(x, y); reg[(w >> 8) & 15] = r;
              cpu.lazy = 0; cpu.flags = (cpu.flags & ~2261) | (x * y !== r ? 2049 : 0) | (r < 0 ? 128 : 0) | PARITY[r & 0xff]!; break; }
          case 45: { // rol r,imm
              const t = (w >> 8) & 15, c = w >>> 16, x = reg[t]!, v = (x << c) | (x >>> (32 - c)); reg[t] = v;
              const cf = v & 1; cpu.lazy &= ~2049; cpu.flags = (cpu.flags & ~2049) | cf | (((v >>> 31) ^ cf) << 11); break; }
          case 46: { // shl r,imm
              const t = (w >> 8) & 15, c = w >>> 16, x = reg[t]!, v = x << c; reg[t] = v;
              cpu.flags = (cpu.flags & ~2065) | ((((x >>> (32 - c)) & 1) | ((((x >>> 31) ^ (x >>> 30)) & 1) << 11)) & 2065); cpu.lazyOp = 7 as Lazy; lz[2] = v; cpu.lazySize = 4; cpu.lazy = 196; break; }
          case 47: { // shr r,imm
              const t = (w >> 8) & 15, c = w >>> 16, x = reg[t]!, v = x >>> c; reg[t] = v;
              cpu.flags = (cpu.flags & ~2065) | ((((x >>> (c - 1)) & 1) | ((x >>> 31) << 11)) & 2065); cpu.lazyOp = 7 as Lazy; lz[2] = v; cpu.lazySize = 4; cpu.lazy = 196; break; }
          case 48: { // sar r,imm
              const t = (w >> 8) & 15, c = w >>> 16, x = reg[t]!, v = x >> c; reg[t] = v;
              cpu.flags = (cpu.flags & ~2065) | (((x >> (c - 1)) & 1) & 2065); cpu.lazyOp = 7 as Lazy; lz[2] = v; cpu.lazySize = 4; cpu.lazy = 196; break; }
          case 49: { // add r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = (x + y) | 0; reg[t] = r; cpu.lazyOp = 0 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          case 50: { // or r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = x | y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          case 51: { // and r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = x & y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          case 52: { // sub r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = (x - y) | 0; reg[t] = r; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          case 53: { // xor r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = x ^ y; reg[t] = r; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          case 54: { // cmp r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15, x = reg[t]!, r = (x - y) | 0; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261; break; }
          // ---- flags-dead variants (hot.ts finishBlock): the operation without its flags ----
          case 55: { const t = (w >> 8) & 15; reg[t] = (reg[t]! + reg[(w >> 12) & 15]!) | 0; break; } // add r,r
          case 56: { const t = (w >> 8) & 15; reg[t] = reg[t]! | reg[(w >> 12) & 15]!; break; } // or r,r
          case 57: { const t = (w >> 8) & 15; reg[t] = reg[t]! & reg[(w >> 12) & 15]!; break; } // and r,r
          case 58: { const t = (w >> 8) & 15; reg[t] = (reg[t]! - reg[(w >> 12) & 15]!) | 0; break; } // sub r,r
          case 59: { const t = (w >> 8) & 15; reg[t] = reg[t]! ^ reg[(w >> 12) & 15]!; break; } // xor r,r
          case 60: { const t = (w >> 8) & 15; reg[t] = (reg[t]! + fx[i + 1]!) | 0; break; } // add r,imm
          case 61: { const t = (w >> 8) & 15; reg[t] = reg[t]! | fx[i + 1]!; break; } // or r,imm
          case 62: { const t = (w >> 8) & 15; reg[t] = reg[t]! & fx[i + 1]!; break; } // and r,imm
          case 63: { const t = (w >> 8) & 15; reg[t] = (reg[t]! - fx[i + 1]!) | 0; break; } // sub r,imm
          case 64: { const t = (w >> 8) & 15; reg[t] = reg[t]! ^ fx[i + 1]!; break; } // xor r,imm
          case 65: break; // cmp/test r,r|imm with dead flags
          case 66: { const t = (w >> 8) & 15; reg[t] = (reg[t]! + 1) | 0; break; } // inc r
          case 67: { const t = (w >> 8) & 15; reg[t] = (reg[t]! - 1) | 0; break; } // dec r
          case 68: reg[(w >> 8) & 15] = Math.imul(reg[(w >> 12) & 15]!, fx[i + 1]!); break; // imul r,r,imm
          case 69: { const t = (w >> 8) & 15, c = w >>> 16, x = reg[t]!; reg[t] = (x << c) | (x >>> (32 - c)); break; } // rol r,imm
          case 70: { const t = (w >> 8) & 15; reg[t] = reg[t]! << (w >>> 16); break; } // shl r,imm
          case 71: { const t = (w >> 8) & 15; reg[t] = reg[t]! >>> (w >>> 16); break; } // shr r,imm
          case 72: { const t = (w >> 8) & 15; reg[t] = reg[t]! >> (w >>> 16); break; } // sar r,imm
          case 73: { // add r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15; reg[t] = (reg[t]! + y) | 0; break; }
          case 74: { // or r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15; reg[t] = reg[t]! | y; break; }
          case 75: { // and r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15; reg[t] = reg[t]! & y; break; }
          case 76: { // sub r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15; reg[t] = (reg[t]! - y) | 0; break; }
          case 77: { // xor r,[b+d]
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const t = (w >> 8) & 15; reg[t] = reg[t]! ^ y; break; }
          // ---- fused flag-setter + jcc (the block's last two slots): flags as the setter leaves them,
          // then the jcc's truth table (bits 16..23) indexed by the outcome; s++ skips the jcc's slot ----
          case 78: { // cmp r,r; jcc
              const x = reg[(w >> 8) & 15]!, y = reg[(w >> 12) & 15]!; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = (x - y) | 0; cpu.lazySize = 4; cpu.lazy = 2261;
              const o = cmpOutcome(x, y);
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 1]! : fx[i + 2]!; s++; break; }
          case 79: { // cmp r,imm; jcc
              const x = reg[(w >> 8) & 15]!, y = fx[i + 1]!; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = (x - y) | 0; cpu.lazySize = 4; cpu.lazy = 2261;
              const o = cmpOutcome(x, y);
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 2]! : fx[i + 3]!; s++; break; }
          case 80: { // test r,r; jcc
              const x = reg[(w >> 8) & 15]!, y = reg[(w >> 12) & 15]!, r = x & y; cpu.lazyOp = 4 as Lazy; lz[0] = x; lz[1] = y; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2261;
              const o = zsOutcome(r);
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 1]! : fx[i + 2]!; s++; break; }
          case 81: { // dec r; jcc (Z/S conditions)
              const t = (w >> 8) & 15, x = reg[t]!, r = (x - 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) { const k = cpu.lazyOp; cpu.flags = (cpu.flags & ~1) | (k === 4 ? 0 : cpu.lazySize !== 4 || k > 2 ? cpu.computeCF() : k === 2 ? cfSub(lz[0]!, lz[1]!, lz[2]!) : k === 0 ? cfAdd(lz[0]!, lz[1]!, lz[2]!) : cpu.computeCF()); }
              cpu.lazyOp = 6 as Lazy; lz[0] = x; lz[1] = 1; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2260;
              const o = (r === 0 ? 1 : 0) | (r < 0 ? 2 : 0); // a loop counter: predictable, cheaper than zsOutcome
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 1]! : fx[i + 2]!; s++; break; }
          case 82: { // inc r; jcc (Z/S conditions)
              const t = (w >> 8) & 15, x = reg[t]!, r = (x + 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) { const k = cpu.lazyOp; cpu.flags = (cpu.flags & ~1) | (k === 4 ? 0 : cpu.lazySize !== 4 || k > 2 ? cpu.computeCF() : k === 2 ? cfSub(lz[0]!, lz[1]!, lz[2]!) : k === 0 ? cfAdd(lz[0]!, lz[1]!, lz[2]!) : cpu.computeCF()); }
              cpu.lazyOp = 5 as Lazy; lz[0] = x; lz[1] = 1; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2260;
              const o = (r === 0 ? 1 : 0) | (r < 0 ? 2 : 0); // a loop counter: predictable, cheaper than zsOutcome
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 1]! : fx[i + 2]!; s++; break; }
          case 83: { // cmp r,[b+d]; jcc (the load can fault: at the cmp, nothing committed)
              const ad = (reg[(w >> 12) & 15]! + fx[i + 1]!) | 0, e = tlbR[ad >>> 12]!; const y = ((e & 0xfff) | (ad & 3)) === 4 ? i32[((e & ~0xfff) ^ ad) >> 2]! : cpu.readSlow(ad, 4);
              const x = reg[(w >> 8) & 15]!; cpu.lazyOp = 2 as Lazy; lz[0] = x; lz[1] = y; lz[2] = (x - y) | 0; cpu.lazySize = 4; cpu.lazy = 2261;
              const o = cmpOutcome(x, y);
              eip = ((w >>> (16 + o)) & 1) !== 0 ? fx[i + 2]! : fx[i + 3]!; s++; break; }
          // ---- only-CF-live variants (hot.ts finishBlock): CF materialised, the dead flags left alone ----
          case 84: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!, r = (x + y) | 0; reg[t] = r; cpu.flags = (cpu.flags & ~1) | cfAdd(x, y, r); cpu.lazy &= ~1; break; } // add r,r
          case 85: { const t = (w >> 8) & 15, x = reg[t]!, y = reg[(w >> 12) & 15]!; const r = (x - y) | 0; reg[t] = r; cpu.flags = (cpu.flags & ~1) | cfSub(x, y, r); cpu.lazy &= ~1; break; } // sub r,r
          case 86: { const x = reg[(w >> 8) & 15]!, y = reg[(w >> 12) & 15]!; cpu.flags = (cpu.flags & ~1) | cfSub(x, y, (x - y) | 0); cpu.lazy &= ~1; break; } // cmp r,r
          case 87: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!, r = (x + y) | 0; reg[t] = r; cpu.flags = (cpu.flags & ~1) | cfAdd(x, y, r); cpu.lazy &= ~1; break; } // add r,imm
          case 88: { const t = (w >> 8) & 15, x = reg[t]!, y = fx[i + 1]!; const r = (x - y) | 0; reg[t] = r; cpu.flags = (cpu.flags & ~1) | cfSub(x, y, r); cpu.lazy &= ~1; break; } // sub r,imm
          case 89: { const x = reg[(w >> 8) & 15]!, y = fx[i + 1]!; cpu.flags = (cpu.flags & ~1) | cfSub(x, y, (x - y) | 0); cpu.lazy &= ~1; break; } // cmp r,imm
          default: execs[op[s]!]!(cpu, s); end = cache.runEnd; // may have written a code page: re-read
        }
      }
      const ran = s - first;
      done += ran;
      s = -1;
      if (ran !== count) {
        // Stopped after a store into its own code: that store was not a branch.
        eip = cpu.d.next[first + ran - 1]!;
        continue;
      }
      const m = blk[b + 5]!;
      if (m === 0) eip = blk[b + 6]!;
      else if (m === 2) eip = cpu.eip;
      else if (m === 3) { cpu.retired += done; cache.runPage = -1; return Stop.SYSCALL; } // int n / sysenter set cpu.eip
      else if (m === 4) { eip = blk[b + 6]!; tf = (cpu.flags & TF) !== 0; } // popf may have set TF
      // m === 1: the hot branch body set eip.
      // A loop back to itself, and no store dropped its page meanwhile: no lookup.
      again = eip === blk[b + 1]! && cache.runEnd === first + count;
    }
    cpu.eip = eip;
    cpu.retired += done; cache.runPage = -1;
    return Stop.BUDGET;
  } catch (e) {
    if (e !== cpu.exception) throw e;
    cache.runPage = -1;
    if (s >= 0) {
      const ran = s - first;
      done += ran;
      const v = cpu.fault.vector;
      if (v === Vector.BP || v === Vector.OF) {
        // Traps: the instruction completed.
        cpu.eip = cpu.d.next[s]!;
        done++;
      } else {
        cpu.eip = cpu.d.eip[s]!;
      }
    } else {
      // The fetch of the block's first instruction faulted: EIP is there.
      cpu.eip = eip;
    }
    cpu.retired += done;
    return Stop.FAULT;
  }
}
