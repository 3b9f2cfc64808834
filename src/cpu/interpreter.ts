/**
 * The run loop: executes decoded basic blocks until the instruction budget
 * is used, a trap row stops (int n / sysenter), or an exception is raised.
 *
 *   run(cpu, budget)
 *     loop: block = cache.lookup(cpu.eip)           (decodes on a miss)
 *           for s in block: switch (hot kind) { body inline } or execs[op[s]](cpu, s)
 *           EIP = next of the last instruction, unless it was a branch
 *
 * Contract (docs/cpu.md):
 *  - Stop.BUDGET: `budget` instructions retired; EIP at the next one.
 *  - Stop.SYSCALL: int n (cpu.fault.trapNumber = n) or sysenter (-1); EIP after it.
 *  - Stop.FAULT: cpu.fault holds vector/error code/address; EIP at the faulting
 *    instruction for faults (registers as before it), after it for the traps
 *    int3, into and single-step (#DB when TF was set at the instruction's start).
 *  - cpu.retired counts retired instructions (traps included, faults not).
 *
 * Handlers of non-branch instructions never touch cpu.eip: the loop sets it
 * once per block. Only cpu.exception is caught; anything else is an engine
 * bug and propagates.
 */
import { LZ_A, LZ_B, LZ_RES, type Cpu } from './cpu.js';
import { cacheOf } from './decode-cache.js';
import { Stop, Vector } from './fault.js';
import { PARITY, TF, type Cond, type Lazy } from './flags.js';
import { execs } from './table/index.js';
import { FX_STRIDE, K_LAST } from './hot.js';

// The switch's case labels are the hot kinds of hot.ts (enum K), as literals: esbuild
// does not inline const enums across files, and a switch over property loads compiles
// to a compare chain instead of a jump table. The bodies are written out (not calls):
// V8 stops inlining calls into one function after ~1 KB of inlined bytecode, and an
// un-inlined call costs more than most bodies. Each body must do exactly what the
// form's table handler does (the oracle tests run both paths).
// Lazy-flag literals: ARITH = 2261 (CF|PF|AF|ZF|SF|OF), ARITH & ~CF = 2260,
// ZF|SF|PF = 196, CF|OF|AF = 2065, CF|OF = 2049; kinds ADD 0, SUB 2, LOGIC 4,
// INC 5, DEC 6, RESULT 7; lz[0] = A, lz[1] = B, lz[2] = RES. TLB_VALID = 4.
if (K_LAST !== 54 || FX_STRIDE !== 4 || LZ_A !== 0 || LZ_B !== 1 || LZ_RES !== 2) throw new Error('interpreter: hot.ts kinds changed; update the run loop switch');

export function run(cpu: Cpu, budget: number): Stop {
  const cache = cacheOf(cpu);
  const d = cpu.d, op = d.op, next = d.next, fx = cache.fx;
  const reg = cpu.reg, lz = cpu.lz, tlbR = cpu.tlbR, tlbW = cpu.tlbW, i32 = cpu.i32;
  let done = 0;
  let s = -1, first = 0;
  try {
    while (done < budget) {
      const h = cache.lookup(cpu.eip);
      first = cache.start[h]!;
      const count = cache.count[h]!;
      const tf = (cpu.flags & TF) !== 0;
      // With TF set, one instruction at a time; near the budget, only what it allows.
      const n = tf ? 1 : budget - done < count ? budget - done : count;
      let end = first + n;
      cache.runEnd = end;
      cache.runPage = cache.keyP[h]! >>> 12;
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
          case 14: { // inc r: CF keeps its value, so materialise a pending one first
              const t = (w >> 8) & 15, x = reg[t]!, r = (x + 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) cpu.flags = (cpu.flags & ~1) | cpu.computeCF();
              cpu.lazyOp = 5 as Lazy; lz[0] = x; lz[1] = 1; lz[2] = r; cpu.lazySize = 4; cpu.lazy = 2260; break; }
          case 15: { // dec r: CF keeps its value, so materialise a pending one first
              const t = (w >> 8) & 15, x = reg[t]!, r = (x - 1) | 0; reg[t] = r;
              if ((cpu.lazy & 1) !== 0) cpu.flags = (cpu.flags & ~1) | cpu.computeCF();
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
          case 25: { const sp = (reg[4]! - 4) | 0, v = fx[i + 2]!; const e = tlbW[sp >>> 12]!; if (((e & 0xfff) | (sp & 3)) === 4) i32[((e & ~0xfff) ^ sp) >> 2] = v; else { cpu.writeSlow(sp, 4, v); end = cache.runEnd; } reg[4] = sp; cpu.eip = fx[i + 1]!; break; } // call rel
          case 26: { const sp = reg[4]!, e = tlbR[sp >>> 12]!; const v = ((e & 0xfff) | (sp & 3)) === 4 ? i32[((e & ~0xfff) ^ sp) >> 2]! : cpu.readSlow(sp, 4); reg[4] = (sp + 4) | 0; cpu.eip = v; break; } // ret
          case 27: cpu.eip = fx[i + 1]!; break; // jmp rel
          case 28: cpu.eip = cpu.cond(0 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jo
          case 29: cpu.eip = cpu.cond(1 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jno
          case 30: cpu.eip = cpu.cond(2 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jb
          case 31: cpu.eip = cpu.cond(3 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jae
          case 32: { // je: ZF straight from the record in the common 32-bit case
              const z = (cpu.lazy & 64) !== 0 ? (cpu.lazySize === 4 ? lz[2] === 0 : cpu.getZF()) : (cpu.flags & 64) !== 0;
              cpu.eip = z ? fx[i + 1]! : fx[i + 2]!; break; }
          case 33: { // jne
              const z = (cpu.lazy & 64) !== 0 ? (cpu.lazySize === 4 ? lz[2] === 0 : cpu.getZF()) : (cpu.flags & 64) !== 0;
              cpu.eip = z ? fx[i + 2]! : fx[i + 1]!; break; }
          case 34: cpu.eip = cpu.cond(6 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jbe
          case 35: cpu.eip = cpu.cond(7 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // ja
          case 36: cpu.eip = cpu.cond(8 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // js
          case 37: cpu.eip = cpu.cond(9 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jns
          case 38: cpu.eip = cpu.cond(10 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jp
          case 39: cpu.eip = cpu.cond(11 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jnp
          case 40: cpu.eip = cpu.cond(12 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jl
          case 41: cpu.eip = cpu.cond(13 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jge
          case 42: cpu.eip = cpu.cond(14 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jle
          case 43: cpu.eip = cpu.cond(15 as Cond) ? fx[i + 1]! : fx[i + 2]!; break; // jg
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
          default: execs[op[s]!]!(cpu, s); end = cache.runEnd; // may have written a code page: re-read



        }
      }
      const ran = s - first;
      done += ran;
      cpu.retired += ran;
      s = -1;
      cache.runPage = -1;
      if (ran !== count) {
        // Cut short (budget, TF, or its code was overwritten): the last one ran was not a branch
        // unless it was the block's last instruction, which the else-branch handles.
        cpu.eip = next[first + ran - 1]!;
      } else {
        const f = cache.endFlow[h]!;
        if (f === 0 /* Flow.NONE */ || f === 6 /* Flow.SERIALIZE */) cpu.eip = next[first + count - 1]!;
        else if (f === 5 /* Flow.TRAP */) return Stop.SYSCALL; // only int n / sysenter complete
      }
      if (tf) {
        cpu.fault.vector = Vector.DB;
        cpu.fault.errorCode = 0;
        cpu.fault.address = 0;
        return Stop.FAULT;
      }
    }
    return Stop.BUDGET;
  } catch (e) {
    if (e !== cpu.exception) throw e;
    cache.runPage = -1;
    if (s >= 0) {
      const ran = s - first;
      done += ran;
      cpu.retired += ran;
      const v = cpu.fault.vector;
      if (v === Vector.BP || v === Vector.OF) {
        // Traps: the instruction completed.
        cpu.eip = next[s]!;
        cpu.retired++;
      } else {
        cpu.eip = d.eip[s]!;
      }
    }
    // s < 0: the fetch of the block's first instruction faulted; EIP is already there.
    return Stop.FAULT;
  }
}
