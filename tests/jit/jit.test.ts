/**
 * The JIT's own cases: self-modifying code inside a translated region, data
 * written beside code (the code must stay), two virtual mappings of one
 * physical code page, faults inside translated blocks with exact state,
 * another core's invalidation through a shared CodeMap, and the budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop, Vector } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { GuestRam } from '../../src/machine/ram.js';
import { PageTables } from '../../src/mmu/page-tables.js';
import { CodeMap, jitOf, runJit, emitterCoverage } from '../../src/jit/index.js';
import { L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_RESULT, L_SBB, L_SUB } from '../../src/jit/gen.js';
import { Lazy } from '../../src/cpu/flags.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const CODE = 0x1000;

function machine(code: number[], ram?: GuestRam): Cpu {
  const cpu = new Cpu(ram ?? new GuestRam(1 << 20), 1 << 12);
  cpu.ram.u8.set(code, CODE);
  cpu.eip = CODE;
  cpu.reg[4] = 0x20000;
  return cpu;
}

function state(cpu: Cpu): string {
  return JSON.stringify({ eip: cpu.eip >>> 0, reg: Array.from(cpu.reg), fl: cpu.getEflags(), retired: cpu.retired, f: [cpu.fault.vector, cpu.fault.errorCode, cpu.fault.address >>> 0] });
}

test('lazy kinds spelled out for the generator match flags.ts', () => {
  assert.deepEqual([L_ADD, L_ADC, L_SUB, L_SBB, L_LOGIC, L_INC, L_DEC, L_RESULT],
    [Lazy.ADD, Lazy.ADC, Lazy.SUB, Lazy.SBB, Lazy.LOGIC, Lazy.INC, Lazy.DEC, Lazy.RESULT]);
  const c = emitterCoverage();
  assert.ok(c.emitted > 300 && c.emitted < c.rows, `${c.emitted} of ${c.rows} rows have templates`);
});

test('self-modifying code: a store into the next instruction of a translated block takes effect at once', () => {
  // mov ecx,3; xor ebx,ebx; L: mov [P+1],cl; P: mov eax,0; add ebx,eax; dec ecx; jne L; int 0x80
  const P = CODE + 7 + 6;
  const code = [0xb9, ...le32(3), 0x31, 0xdb, 0x88, 0x0d, ...le32(P + 1), 0xb8, ...le32(0), 0x01, 0xc3, 0x49, 0x75, 0x100 - 16, 0xcd, 0x80];
  for (const threshold of [0, 1]) {
    const cpu = machine(code);
    const j = jitOf(cpu, { threshold });
    assert.equal(j.run(1000), Stop.SYSCALL);
    assert.equal(cpu.reg[3], 3 + 2 + 1, `threshold ${threshold}: every iteration ran the value it had just stored`);
    assert.ok(j.stats.codeWrites >= 3);
    const ref = machine(code);
    assert.equal(run(ref, 1000), Stop.SYSCALL);
    assert.equal(state(cpu), state(ref));
  }
});

test('data written on the code page does not throw the translation away', () => {
  // mov ecx,100000; L: mov [CODE+0x800],ecx; add eax,[CODE+0x800]; dec ecx; jne L; int 0x80
  const code = [0xb9, ...le32(100000), 0x89, 0x0d, ...le32(CODE + 0x800), 0x03, 0x05, ...le32(CODE + 0x800), 0x49, 0x75, 0x100 - 15, 0xcd, 0x80];
  const cpu = machine(code);
  const j = jitOf(cpu, { threshold: 0 });
  assert.equal(j.run(10_000_000), Stop.SYSCALL);
  const ref = machine(code);
  assert.equal(run(ref, 10_000_000), Stop.SYSCALL);
  assert.equal(state(cpu), state(ref));
  assert.equal(j.stats.codeWrites, 0);
  assert.equal(j.stats.regionsDropped, 0);
  assert.ok(j.stats.regionsCompiled <= 3, `${j.stats.regionsCompiled} regions`);
  assert.ok(j.stats.dataWritesOnCodePages >= 100000);
});

test('two virtual mappings of one physical code page: each runs it, a write through a third is seen by both', () => {
  const ram = new GuestRam(1 << 20);
  let next = 0x10000;
  const pt = new PageTables(ram, { allocFrame: () => { const a = next; next += 0x1000; ram.u8.fill(0, a, a + 0x1000); return a; }, freeFrame: () => {} });
  const FRAME = 0x80000, PATCH = 0x81000, STACK = 0x82000;
  for (const va of [0x400000, 0x500000, 0x600000]) pt.map(va, FRAME, true);
  pt.map(0x700000, PATCH, true);
  pt.map(0x7ff000, STACK, true);
  // at the shared frame: mov eax, 0x11; int 0x80
  ram.u8.set([0xb8, ...le32(0x11), 0xcd, 0x80], FRAME);
  // at 0x700000: mov dword [0x600001], 0x77; int 0x80
  ram.u8.set([0xc7, 0x05, ...le32(0x600001), ...le32(0x77), 0xcd, 0x80], PATCH);
  const cpu = new Cpu(ram, 1 << 12);
  cpu.mmu.setCr3(pt.directory);
  cpu.reg[4] = 0x800000;
  const j = jitOf(cpu, { threshold: 0 });
  const at = (eip: number) => { cpu.eip = eip; cpu.reg[0] = 0; assert.equal(j.run(100), Stop.SYSCALL); return cpu.reg[0]; };
  assert.equal(at(0x400000), 0x11);
  assert.equal(at(0x500000), 0x11);
  assert.equal(at(0x400000), 0x11);
  at(0x700000);
  assert.equal(at(0x400000), 0x77);
  assert.equal(at(0x500000), 0x77);
});

test('a fault inside a translated region reports the faulting instruction with exact registers, flags and count', () => {
  // mov esi,0xff000; L: add eax,[esi]; inc ebx; add esi,0x100; cmp ebx,ebx; jmp L   (runs off the end of RAM)
  const code = [0xbe, ...le32(0xff000), 0x03, 0x06, 0x43, 0x81, 0xc6, ...le32(0x100), 0x39, 0xdb, 0xeb, 0x100 - 13];
  for (const threshold of [0, 5]) {
    const cpu = machine(code), ref = machine(code);
    assert.equal(jitOf(cpu, { threshold }).run(1_000_000), Stop.FAULT);
    assert.equal(run(ref, 1_000_000), Stop.FAULT);
    assert.equal(cpu.fault.vector, Vector.PF);
    assert.equal(cpu.fault.address, 0x100000);
    assert.equal(cpu.eip, CODE + 5);
    assert.equal(state(cpu), state(ref));
  }
});

test('another core dropping code (shared CodeMap) is seen by this core at its next block', () => {
  const ram = new GuestRam(1 << 20);
  const map = new CodeMap(ram.size);
  // core A: L: mov eax, 1; int 0x80 (runs, translated)
  const a = machine([0xb8, ...le32(1), 0xcd, 0x80], ram);
  const ja = jitOf(a, { threshold: 0, codeMap: map });
  assert.equal(ja.run(10), Stop.SYSCALL);
  assert.equal(a.reg[0], 1);
  // core B rewrites A's immediate through its own CPU: mov dword [CODE+1], 2; int 0x80 (code at 0x3000)
  const b = new Cpu(ram, 1 << 12);
  ram.u8.set([0xc7, 0x05, ...le32(CODE + 1), ...le32(2), 0xcd, 0x80], 0x3000);
  b.eip = 0x3000;
  b.reg[4] = 0x30000;
  const jb = jitOf(b, { codeMap: map });
  assert.equal(jb.run(10), Stop.SYSCALL);
  assert.equal(jb.stats.codeWrites, 1, 'B saw that it wrote code');
  a.eip = CODE;
  assert.equal(ja.run(10), Stop.SYSCALL);
  assert.equal(a.reg[0], 2, 'A runs the new code');
});

test('the budget is exact: any budget retires exactly that many instructions', () => {
  const code = [0xb9, ...le32(1000), 0x01, 0xc8, 0x31, 0xc3, 0x49, 0x75, 0x100 - 7, 0xcd, 0x80];
  for (const budget of [1, 2, 3, 4, 5, 7, 100, 2999]) {
    const cpu = machine(code), ref = machine(code);
    const j = jitOf(cpu, { threshold: 0 });
    j.run(20); // translate the loop
    run(ref, 20);
    assert.equal(runJit(cpu, budget), Stop.BUDGET);
    assert.equal(run(ref, budget), Stop.BUDGET);
    assert.equal(cpu.retired, 20 + budget);
    assert.equal(state(cpu), state(ref));
  }
});

/** Runs `code` in chunks of `budget` under the JIT and the interpreter, comparing the state after every chunk. */
function lockstep(code: number[], budget: number, threshold: number, setup?: (cpu: Cpu) => void): Cpu {
  const cpu = machine(code), ref = machine(code);
  setup?.(cpu);
  setup?.(ref);
  const j = jitOf(cpu, { threshold });
  for (let i = 0; i < 100000; i++) {
    const a = j.run(budget), b = run(ref, budget);
    assert.equal(a, b, `budget ${budget}, chunk ${i}: stop`);
    assert.equal(state(cpu), state(ref), `budget ${budget}, chunk ${i}`);
    if (a !== Stop.BUDGET) return cpu;
  }
  throw new Error('program did not end');
}

test('a block looping on itself (inner loop) stops exactly at every budget, at every iteration', () => {
  // mov ecx,40; L: add eax,ecx; xor ebx,eax; dec ecx; jne L; int 0x80   (the loop body: 4 instructions)
  const code = [0xb9, ...le32(40), 0x01, 0xc8, 0x31, 0xc3, 0x49, 0x75, 0x100 - 7, 0xcd, 0x80];
  for (const threshold of [0, 3]) {
    for (let budget = 1; budget <= 45; budget++) lockstep(code, budget, threshold);
    // One call running the whole loop: the inner loop must stop at the budget left, whatever it is.
    for (let budget = 100; budget <= 170; budget++) {
      const cpu = machine(code), ref = machine(code);
      jitOf(cpu, { threshold }).run(9); // translate
      run(ref, 9);
      assert.equal(runJit(cpu, budget), run(ref, budget));
      assert.equal(state(cpu), state(ref), `budget ${budget}`);
    }
  }
});

test('a fault in some iteration of an inner loop (and of an inlined callee) reports the exact state', () => {
  // mov esi,0xfe000; mov ecx,1000; L: add eax,[esi]; add esi,0x100; dec ecx; jne L; int 0x80  (faults at iteration 33)
  const loop = [0xbe, ...le32(0xfe000), 0xb9, ...le32(1000), 0x03, 0x06, 0x81, 0xc6, ...le32(0x100), 0x49, 0x75, 0x100 - 11, 0xcd, 0x80];
  // mov esi,0xfe000; mov ecx,1000; L: call F; dec ecx; jne L; int 0x80; F: add eax,[esi]; add esi,0x100; ret
  const call = [0xbe, ...le32(0xfe000), 0xb9, ...le32(1000), 0xe8, ...le32(5), 0x49, 0x75, 0x100 - 8, 0xcd, 0x80, 0x03, 0x06, 0x81, 0xc6, ...le32(0x100), 0xc3];
  for (const code of [loop, call]) {
    for (const threshold of [0, 4]) {
      for (const budget of [1, 3, 7, 50, 1_000_000]) {
        const cpu = lockstep(code, budget, threshold);
        assert.equal(cpu.fault.vector, Vector.PF);
        assert.equal(cpu.fault.address, 0x100000);
      }
    }
  }
});

test('flag knowledge across blocks: a block reached from predecessors that leave different records', () => {
  // Odd ECX: cmp ecx,150 (SUB record); even: mov esi,ecx; add esi,-128 (ADD record). Both then
  // reach J: inc edi (keeps CF); setb al; movzx eax,al; add ebx,eax; dec ecx; jne L; int 0x80.
  const code = [
    0xb9, ...le32(300), // mov ecx,300
    0xf6, 0xc1, 0x01, // L: test cl,1
    0x74, 0x08, // jz A
    0x81, 0xf9, ...le32(150), // cmp ecx,150
    0xeb, 0x07, // jmp J
    0x89, 0xce, // A: mov esi,ecx
    0x83, 0xc6, 0x80, // add esi,-128
    0x90, 0x90, // nop; nop
    0x47, // J: inc edi
    0x0f, 0x92, 0xc0, // setb al
    0x0f, 0xb6, 0xc0, // movzx eax,al
    0x01, 0xc3, // add ebx,eax
    0x49, // dec ecx
    0x75, 0x100 - 32, // jne L
    0xcd, 0x80,
  ];
  // What the loop computes: odd ECX < 150 carries (cmp), even ECX >= 128 carries (add of -128).
  let expect = 0;
  for (let c = 300; c > 0; c--) expect += c % 2 === 1 ? (c < 150 ? 1 : 0) : (c >= 128 ? 1 : 0);
  for (const threshold of [0, 2, 40]) {
    for (const budget of [1, 2, 5, 9, 13, 1000, 1_000_000]) {
      const cpu = lockstep(code, budget, threshold);
      assert.equal(cpu.reg[3], expect, `threshold ${threshold}, budget ${budget}`);
    }
  }
  // The two arms of a branch: the taken arm (generated first) leaves an ADD record, the other
  // arm reads the record from before the branch (test: CF = 0), and the join reads either; the
  // loop's `add ecx,-1` leaves an ADD record, whose CF formula would be wrong on the test record.
  // mov ecx,300; L: test cl,1; jz A; adc ebx,0; jmp J; A: mov esi,ecx; add esi,-128; J: adc edi,0; add ecx,-1; jne L; int 0x80
  const arms = [0xb9, ...le32(300), 0xf6, 0xc1, 0x01, 0x74, 0x05, 0x83, 0xd3, 0x00, 0xeb, 0x05, 0x89, 0xce, 0x83, 0xc6, 0x80, 0x83, 0xd7, 0x00, 0x83, 0xc1, 0xff, 0x75, 0x100 - 23, 0xcd, 0x80];
  let evenHigh = 0;
  for (let c = 300; c > 0; c--) if (c % 2 === 0 && c >= 128) evenHigh++;
  for (const threshold of [0, 2, 40]) {
    for (const budget of [1, 3, 8, 1000, 1_000_000]) {
      const cpu = lockstep(arms, budget, threshold);
      assert.equal(cpu.reg[3], 0, 'the odd arm adds CF = 0 (from test)');
      assert.equal(cpu.reg[7], evenHigh, 'the join adds the carry of either arm');
    }
  }
});

test('two CPUs translating the same code share the parsed function, each bound to its own state', () => {
  // mov ecx,[CODE+0x800]; L: add eax,ecx; dec ecx; jne L; mov [CODE+0x804],eax; int 0x80
  const code = [0x8b, 0x0d, ...le32(CODE + 0x800), 0x01, 0xc8, 0x49, 0x75, 0x100 - 5, 0xa3, ...le32(CODE + 0x804), 0xcd, 0x80];
  const cpus = [10, 1000].map((count) => {
    const cpu = machine(code);
    cpu.ram.u8.set(le32(count), CODE + 0x800);
    return cpu;
  });
  for (const cpu of cpus) assert.equal(jitOf(cpu, { threshold: 0 }).run(1_000_000), Stop.SYSCALL);
  assert.deepEqual(cpus.map((c) => c.reg[0]), [55, 500500]);
  assert.deepEqual(cpus.map((c) => c.i32[(CODE + 0x804) >> 2]), [55, 500500]);
  assert.ok(jitOf(cpus[1]!).stats.dataWritesOnCodePages >= 1, 'the store beside the code counted on its own core');
});

test('a CF kept by dec and deferred (not written to the flags each iteration) is exact at every exit and reader', () => {
  // mov eax,A; mov ecx,50; mov ebx,B; L: <sub|add> eax,ebx; dec ecx; jne L; setb dl; dec ecx; jmp M; M: adc edi,0; int 0x80
  // sub: 346 - 7*50 borrows only in the last iteration; add: 0x80000000 carries in every even iteration.
  for (const [a, b, op] of [[346, 7, 0x29], [0, 0x80000000, 0x01]] as const) {
    const code = [0xb8, ...le32(a), 0xb9, ...le32(50), 0xbb, ...le32(b), op, 0xd8, 0x49, 0x75, 0x100 - 5, 0x0f, 0x92, 0xc2, 0x49, 0xeb, 0x00, 0x83, 0xd7, 0x00, 0xcd, 0x80];
    for (const threshold of [0, 3]) {
      for (let budget = 1; budget <= 24; budget++) {
        const cpu = lockstep(code, budget, threshold);
        assert.equal(cpu.reg[2] & 0xff, 1, 'setb after the loop saw the CF of the last sub/add');
        assert.equal(cpu.reg[7], 1, 'and so did the one in the next block, after another dec');
      }
    }
  }
});

// ---- the stack page checked once per inner loop (Gen.stackCheck, the loop's fast copy) ----

// mov ecx,60; L: call F; dec ecx; jne L; int 0x80; F: push ebx; add eax,ecx; pop ebx; ret   (bench's call-loop)
const callLoop = [0xb9, ...le32(60), 0xe8, ...le32(5), 0x49, 0x75, 0x100 - 8, 0xcd, 0x80, 0x53, 0x01, 0xc8, 0x5b, 0xc3];

test('stack fast path: call/push/pop/ret loop at every ESP near a page end, every budget, in lockstep', () => {
  // 0x20000 / 0x20008: the loop's accesses on one page (fast copy); 0x20004: they straddle two pages
  // (checked copy); 0x20002: misaligned (checked copy); 0x20ffc: the page's last dword below ESP.
  for (const esp of [0x20000, 0x20004, 0x20008, 0x20ffc, 0x20002]) {
    for (const threshold of [0, 3]) {
      for (let budget = 1; budget <= 45; budget++) {
        const cpu = lockstep(callLoop, budget, threshold, (c) => { c.reg[4] = esp; });
        assert.equal(cpu.reg[4], esp, `esp 0x${esp.toString(16)}`);
        assert.equal(cpu.reg[0], (60 * 61) / 2);
      }
    }
  }
});

test('stack fast path: ESP moving every iteration crosses pages inside the loop, exact at every budget', () => {
  // mov ecx,1200; L: call F; dec ecx; jne L; int 0x80; F: push ecx; push ecx; pop eax; pop edx; pop edx... (net -4 per iteration)
  // F: pop edx (return address); push ecx; push edx; ret   -> each iteration leaves ECX on the stack
  const code = [0xb9, ...le32(1200), 0xe8, ...le32(5), 0x49, 0x75, 0x100 - 8, 0xcd, 0x80, 0x5a, 0x51, 0x52, 0xc3];
  for (const threshold of [0, 3]) {
    for (const budget of [1, 2, 3, 5, 6, 7, 11, 13, 40, 1_000_000]) {
      const cpu = lockstep(code, budget, threshold, (c) => { c.reg[4] = 0x20010; });
      assert.equal(cpu.reg[4], 0x20010 - 4 * 1200);
      assert.equal(cpu.read32(0x20010 - 4), 1200);
      assert.equal(cpu.read32(0x20010 - 4 * 1200), 1);
    }
  }
});

test('stack fast path: a #PF on the stack in the middle of the loop reports the exact state', () => {
  // F: pop edx; pop eax; push edx; ret   -> ESP rises by 4 per iteration and runs off the end of RAM
  const code = [0xb9, ...le32(1000), 0xe8, ...le32(5), 0x49, 0x75, 0x100 - 8, 0xcd, 0x80, 0x5a, 0x58, 0x52, 0xc3];
  for (const threshold of [0, 3]) {
    for (const budget of [1, 2, 3, 4, 5, 6, 7, 9, 50, 1_000_000]) {
      const cpu = lockstep(code, budget, threshold, (c) => { c.reg[4] = 0xfff00; });
      assert.equal(cpu.fault.vector, Vector.PF);
      assert.equal(cpu.fault.address, 0x100000);
      assert.equal(cpu.eip, CODE + 16, 'at pop eax');
    }
  }
});

test('stack fast path: a stack on the code page, whose pushes rewrite an instruction of the loop, takes the code-page path', () => {
  // mov esp,Q+5; mov ecx,50; mov eax,0xbb000000;
  // Q: L: mov ebx,0x11111111; call F; dec ecx; jne L; int 0x80; F: push eax; pop eax; ret
  // call's push writes the return address over mov ebx's immediate (Q+1..Q+4); push eax rewrites
  // mov's opcode byte (Q) with the same value 0xbb and the bytes before it (run once, at the start).
  const Q = CODE + 15;
  const code = [0xbc, ...le32(Q + 5), 0xb9, ...le32(50), 0xb8, ...le32(0xbb000000), 0xbb, ...le32(0x11111111), 0xe8, ...le32(5), 0x49, 0x75, 0x100 - 13, 0xcd, 0x80, 0x50, 0x58, 0xc3];
  for (const threshold of [0, 3]) {
    for (const budget of [1, 2, 3, 4, 5, 7, 9, 17, 1_000_000]) {
      const cpu = lockstep(code, budget, threshold);
      assert.equal(cpu.reg[3], Q + 10, 'mov ebx runs with the immediate the call wrote');
      assert.equal(cpu.reg[4], Q + 5);
    }
  }
  // mov esp,P+5; mov ecx,50; nop; P: L: mov ebx,0x11111111; push ecx; pop edx; dec ecx; jne L; int 0x80
  // Each push writes the loop's own counter over mov ebx's immediate: ebx = the previous ECX.
  // (ESP = P+5 is dword-aligned, so only the code page keeps the loop off the direct path.)
  const P = CODE + 11;
  const self = [0xbc, ...le32(P + 5), 0xb9, ...le32(50), 0x90, 0xbb, ...le32(0x11111111), 0x51, 0x5a, 0x49, 0x75, 0x100 - 10, 0xcd, 0x80];
  for (const threshold of [0, 3]) {
    for (const budget of [1, 2, 3, 4, 5, 7, 9, 17, 1_000_000]) {
      const cpu = lockstep(self, budget, threshold);
      assert.equal(cpu.reg[3], 2, 'the last mov ebx read the push of the iteration before');
    }
  }
});
