/**
 * The interpreter's fast path (whole blocks, hot bodies, dead-flag variants,
 * fused flag-setter + jcc; see src/cpu/hot.ts finishBlock) against its exact
 * path (run(cpu, 1): one instruction at a time through the table handlers).
 *
 * Random programs of hot forms are run both ways; the state must agree at
 * the end and after every instruction count a budget can stop at (a budget
 * that ends inside a block runs that block's head on the table handlers, so
 * every stopping point of a fused pair or of a dead-flags instruction is
 * compared). Plus hand-written cases for faults inside a fused pair and
 * single-stepping through one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machine, END, CODE, DATA, STACK, hex } from './helpers.js';
import { Stop } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { cacheOf, DecodeCache } from '../../src/cpu/decode-cache.js';
import { FX_STRIDE, K_LAST } from '../../src/cpu/hot.js';
import type { Cpu } from '../../src/cpu/cpu.js';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** Small deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const EAX = 0, ECX = 1, EDX = 2, EBX = 3, EBP = 5, ESI = 6, EDI = 7;
/** Destinations: not ESP (stack), ESI (data pointer), EDI (loop counter). */
const DST = [EAX, ECX, EDX, EBX, EBP];
const SRC = [EAX, ECX, EDX, EBX, EBP, ESI, EDI];

/** One random instruction of the forms the fast path specialises (and a few table-handler ones that read flags). */
function randomInstruction(r: () => number): number[] {
  const pick = <T>(a: readonly T[]): T => a[r() % a.length]!;
  const d = pick(DST), s = pick(SRC), aluOp = pick([0, 1, 4, 5, 6, 7]); // add or and sub xor cmp
  const disp = (r() % 15) * 4;
  switch (r() % 22) {
    case 0: case 1: return [aluOp * 8 + 1, 0xc0 | (s << 3) | d]; // op Ev,Gv reg
    case 2: return [aluOp * 8 + 3, 0xc0 | (d << 3) | s]; // op Gv,Ev reg
    case 3: return [0x81, 0xc0 | (aluOp << 3) | d, ...le(r())]; // op r,imm32
    case 4: return [0x83, 0xc0 | (aluOp << 3) | d, r() & 0xff]; // op r,imm8
    case 5: return [0x85, 0xc0 | (s << 3) | d]; // test
    case 6: return [pick([0x40, 0x48]) + d]; // inc/dec
    case 7: return [0xff, 0xc0 | (pick([0, 1]) << 3) | d]; // inc/dec FF form
    case 8: return [0x69, 0xc0 | (d << 3) | s, ...le(r())]; // imul r,r,imm32
    case 9: return [0xc1, 0xc0 | (pick([0, 4, 5, 7]) << 3) | d, r() % 33]; // rol/shl/shr/sar (count 0 and 32 too)
    case 10: return [0x89, 0xc0 | (s << 3) | d]; // mov r,r
    case 11: return [0xb8 + d, ...le(r())]; // mov r,imm
    case 12: return [0x8d, 0x40 | (d << 3) | s, r() & 0xff]; // lea r,[s+disp8]
    case 13: return [0x8b, 0x46 | (d << 3), disp]; // mov r,[esi+disp]
    case 14: return [0x89, 0x46 | (s << 3), disp]; // mov [esi+disp],r
    case 15: return [aluOp * 8 + 3, 0x46 | (d << 3), disp]; // op r,[esi+disp]
    case 16: return [pick([0x11, 0x19]), 0xc0 | (s << 3) | d]; // adc/sbb: read CF
    case 17: return [0x0f, 0x90 + (r() & 15), 0xc0 | d]; // setcc: reads flags
    case 18: return [0x9c, 0x58 + d]; // pushf; pop r: all flags, materialised
    case 19: return [0x70 + (r() & 15), 1, 0x40 + d]; // jcc over an inc
    case 20: case 21: {
      // A fusable setter followed by a jcc over an inc.
      const setter = pick([[0x39, 0xc0 | (s << 3) | d], [0x83, 0xf8 | d, r() & 0xff], [0x85, 0xc0 | (s << 3) | d], [0x48 + d], [0x40 + d], [0x3b, 0x46 | (d << 3), disp]]);
      return [...setter, 0x70 + (r() & 15), 1, 0x40 + d];
    }
  }
  return [0x90];
}

/** mov edi,3; L: body; dec edi; jnz L; int 0x80. */
function randomProgram(r: () => number): number[] {
  const body: number[] = [];
  const n = 4 + (r() % 24);
  for (let i = 0; i < n; i++) body.push(...randomInstruction(r));
  const back = -(body.length + 3);
  return [0xbf, ...le(3), ...body, 0x4f, 0x0f, 0x85, ...le(back - 4), ...END];
}

interface Snapshot { reg: number[]; eflags: number; eip: number; retired: number; data: number[] }
function snap(cpu: Cpu): Snapshot {
  return { reg: [...cpu.reg], eflags: cpu.getEflags(), eip: cpu.eip, retired: cpu.retired, data: [...cpu.ram.u8.subarray(DATA, DATA + 64)] };
}

/** The hot kind of the `index`-th instruction of the block at `eip`. */
function kindAt(cpu: Cpu, eip: number, index: number): number {
  const cache = cacheOf(cpu);
  return cache.fx[(cache.start[cache.lookup(eip)]! + index) * FX_STRIDE]! & 0xff;
}

/** A machine with `code` and a random state from `seed`; `reuse` is reset instead of building a new one (its decode cache stays). */
function start(code: number[], seed: number, reuse?: Cpu): Cpu {
  const cpu = reuse ?? machine(code);
  cpu.eip = CODE;
  cpu.reg[4] = STACK;
  cpu.retired = 0;
  const r = rng(seed);
  for (let i = 0; i < 8; i++) if (i !== 4 && i !== ESI) cpu.reg[i] = r();
  cpu.reg[ESI] = DATA;
  for (let i = 0; i < 64; i++) cpu.ram.u8[DATA + i] = r() & 0xff;
  cpu.setEflags(r() & (CF | PF | AF | ZF | SF | OF));
  return cpu;
}

test('fast path = one-at-a-time table handlers, at the end and at every budget stop (random hot-form programs)', () => {
  const r = rng(0x5eed);
  let fusedSeen = 0, nfSeen = 0, cfSeen = 0;
  for (let prog = 0; prog < 120; prog++) {
    const code = randomProgram(r);
    const seed = r();
    // Reference: one instruction per run() call.
    const ref = start(code, seed);
    const trace: Snapshot[] = [snap(ref)];
    for (let k = 0; k < 10_000; k++) {
      const stop = run(ref, 1);
      trace.push(snap(ref));
      if (stop === Stop.SYSCALL) break;
      assert.equal(stop, Stop.BUDGET, `reference stopped with ${stop} at ${hex(ref.eip)}`);
    }
    const total = trace.length - 1;
    // Whole run on the fast path.
    const fast = start(code, seed);
    assert.equal(run(fast, 1_000_000), Stop.SYSCALL);
    assert.deepEqual(snap(fast), trace[total], `program ${prog}: final state`);
    const fx = cacheOf(fast).fx;
    for (let s = 0; s < 256; s++) {
      const k = fx[s * FX_STRIDE]! & 0xff;
      if (k >= 78 && k <= 83) fusedSeen++;
      if (k >= 55 && k <= 77) nfSeen++;
      if (k >= 84 && k <= 89) cfSeen++;
    }
    // Stopped by the budget after every possible count, then run to the end.
    for (let k = 1; k < total; k++) {
      const cpu = start(code, seed, fast);
      assert.equal(run(cpu, k), Stop.BUDGET);
      assert.deepEqual(snap(cpu), trace[k], `program ${prog}: after ${k} instructions`);
      assert.equal(run(cpu, 1_000_000), Stop.SYSCALL);
      assert.deepEqual(snap(cpu), trace[total], `program ${prog}: end after a stop at ${k}`);
    }
  }
  // The generator must actually reach the specialised kinds.
  assert.ok(fusedSeen > 50, `fused pairs decoded: ${fusedSeen}`);
  assert.ok(nfSeen > 50, `dead-flags variants decoded: ${nfSeen}`);
  assert.ok(cfSeen > 10, `only-CF-live variants decoded: ${cfSeen}`);
});

test('fused cmp [mem] + jcc: a fault reports the cmp, with the flags of the instruction before', () => {
  // mov eax,5; cmp eax,5; mov ebx,0x7ffff000; cmp ecx,[ebx+4]; je +1; inc eax; int 0x80
  const code = [0xb8, ...le(5), 0x83, 0xf8, 0x05, 0xbb, ...le(0x7ffff000), 0x3b, 0x4b, 0x04, 0x74, 0x01, 0x40, ...END];
  const cpu = machine(code);
  cpu.setEflags(CF | SF | OF);
  assert.equal(run(cpu, 100), Stop.FAULT);
  assert.equal(cpu.fault.vector, 14);
  assert.equal(cpu.fault.address >>> 0, 0x7ffff004);
  assert.equal(cpu.eip, CODE + 13, 'EIP at the cmp');
  assert.equal(cpu.retired, 3);
  assert.equal(cpu.getEflags() & (CF | PF | AF | ZF | SF | OF), ZF | PF, 'flags of cmp eax,5');
  assert.equal(kindAt(cpu, CODE, 3), 83, 'the pair was fused (CMP_RM_JCC)');
});

test('fused pairs: flags and branch for taken and not taken, every fusable condition', () => {
  // For each cc: mov eax,A; mov ebx,B; cmp eax,ebx; jcc +1; inc ecx; int 0x80 -> ecx = 0 if taken
  const values = [[5, 5], [5, 6], [6, 5], [-1, 1], [1, -1], [0x80000000, 1], [0x7fffffff, -1]];
  for (const cc of [2, 3, 4, 5, 6, 7, 12, 13, 14, 15]) {
    for (const [a, b] of values) {
      for (const form of ['rr', 'ri'] as const) {
        const cmp = form === 'rr' ? [0x39, 0xd8] : [0x81, 0xf8, ...le(b!)];
        const code = [0xb8, ...le(a!), 0xbb, ...le(b!), 0x31, 0xc9, ...cmp, 0x70 + cc, 1, 0x41, ...END];
        const fast = machine(code);
        assert.equal(run(fast, 100), Stop.SYSCALL);
        const ref = machine(code);
        while (run(ref, 1) === Stop.BUDGET);
        assert.deepEqual(snap(fast), snap(ref), `cc ${cc} ${form} ${a} ${b}`);
      }
    }
  }
  // test/dec/inc + jcc
  for (const cc of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15]) {
    for (const v of [0, 1, -1, 0x80000000, 0x7fffffff, 2]) {
      for (const setter of [[0x85, 0xc0], [0x48], [0x40]]) {
        const code = [0xb8, ...le(v), 0x31, 0xc9, 0xf9, ...setter, 0x70 + cc, 1, 0x41, ...END]; // stc before: dec/inc keep CF
        const fast = machine(code);
        assert.equal(run(fast, 100), Stop.SYSCALL);
        const ref = machine(code);
        while (run(ref, 1) === Stop.BUDGET);
        assert.deepEqual(snap(fast), snap(ref), `cc ${cc} setter ${setter} ${v}`);
      }
    }
  }
});

test('single-stepping (TF) through a fused pair stops between its two instructions', () => {
  // cmp eax,ebx; jne +1; inc ecx; int 0x80
  const cpu = machine([0x39, 0xd8, 0x75, 0x01, 0x41, ...END]);
  cpu.reg[0] = 1;
  cpu.reg[3] = 2;
  cpu.setEflags(0x100);
  assert.equal(run(cpu, 100), Stop.FAULT);
  assert.equal(cpu.fault.vector, 1);
  assert.equal(cpu.eip, CODE + 2);
  assert.equal(cpu.retired, 1);
  assert.equal(cpu.getEflags() & (CF | ZF | SF), CF | SF);
  assert.equal(run(cpu, 100), Stop.FAULT);
  assert.equal(cpu.eip, CODE + 5, 'jne taken');
  assert.equal(cpu.retired, 2);
  assert.equal(kindAt(cpu, CODE, 0), 78, 'decoded as the fused CMP_RR_JCC');
});

test('a block that loops to itself is decoded afresh when its last instruction (a call) overwrote it', () => {
  // L (CODE+0x10): 4 x nop; call L, with ESP = CODE+0x14: the first push replaces the nops by
  // the return address 0x1019 = bytes 19 10 00 00 (sbb [eax],edx; add [eax],al), which the
  // second pass must run. Compared with one-instruction-at-a-time runs.
  const code = [...new Array(0x10).fill(0x90), 0x90, 0x90, 0x90, 0x90, 0xe8, ...le(-9)];
  const setup = (cpu: Cpu) => {
    cpu.eip = CODE + 0x10;
    cpu.reg[4] = CODE + 0x14;
    cpu.reg[0] = DATA;
    cpu.reg[2] = 0x12345678;
  };
  const fast = machine(code);
  setup(fast);
  assert.equal(run(fast, 20), Stop.BUDGET);
  const ref = machine(code);
  setup(ref);
  for (let k = 0; k < 20; k++) assert.equal(run(ref, 1), Stop.BUDGET);
  assert.equal(CODE, 0x1000, 'the return address bytes assume CODE = 0x1000');
  assert.deepEqual(snap(fast), snap(ref));
  assert.notEqual(fast.ram.u8[DATA], 0, 'the rewritten code ran');
});

test('the bench warm-up program reaches every hot kind (bench/lib/cpu-warm.ts)', async () => {
  const w = await import('../../bench/lib/cpu-warm.js');
  const cpu = machine(w.warmUpProgram());
  cpu.reg[4] = w.WARM_STACK;
  cpu.reg[ESI] = w.WARM_DATA;
  assert.equal(w.WARM_CODE, CODE);
  assert.equal(run(cpu, 100_000), Stop.SYSCALL);
  const fx = cacheOf(cpu).fx, seen = new Set<number>();
  for (let s = 0; s < cpu.d.capacity; s++) seen.add(fx[s * FX_STRIDE]! & 0xff);
  const missing = [];
  for (let k = 0; k <= K_LAST; k++) if (!seen.has(k)) missing.push(k);
  assert.deepEqual(missing, [], 'kinds no slot was decoded as');
});

test('the run loop\'s inlined block hash is DecodeCache.hash', () => {
  // interpreter.ts computes (Math.imul(p, 0x9e3779b1) >>> 18) << 3 for the blk offset.
  for (const p of [0, 1, 0x1000, 0x7ffff, 0x12345678, 0xfffff000 | 0, 0x9e3779b1 | 0]) {
    assert.equal((Math.imul(p, 0x9e3779b1) >>> 18) << 3, DecodeCache.hash(p) * 8, `paddr ${hex(p)}`);
  }
});
