/**
 * Interpreter speed on REFERENCE.md's guest loops (alu-loop,
 * load-store-loop, call-loop), in guest MIPS: instructions retired per
 * second of host time. Hand-encoded i386 bytes, run in a Cpu with paging
 * off; median of several runs after a warm-up.
 */
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/fault.js';
import { run } from '../../src/cpu/interpreter.js';
import { cacheOf } from '../../src/cpu/decode-cache.js';
import { GuestRam } from '../../src/machine/ram.js';
import { summarize, type BenchResult, type BenchSuite } from '../lib/results.js';

const CODE = 0x10000;
const BUF = 0x40000;
const STACK = 0x80000;

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/**
 * `mov edi, OUTER; top: mov ecx, 4096; mov esi, BUF; L: <body>; dec ecx; jne L;
 * dec edi; jne top; int 0x80` followed by `tail` (a callee). `body` may
 * reference the callee: callRel(bodyOffset) gives the rel32 of a call.
 */
function program(outer: number, body: (tailAt: (from: number) => number) => number[], tail: number[]): Uint8Array {
  const head = [0xbf, ...le32(outer), 0xb9, ...le32(4096), 0xbe, ...le32(BUF)];
  const topAt = 5, lAt = head.length;
  // Body length does not depend on the call offset, so build it twice.
  const len = body(() => 0).length;
  const afterLoop = lAt + len + 3 + 3 + 2; // dec ecx, jne L, dec edi, jne top, int 0x80
  const b = body((from) => afterLoop - (lAt + from));
  const bytes = [...head, ...b, 0x49, 0x75, (lAt - (lAt + len + 3)) & 0xff, 0x4f, 0x75, (topAt - (lAt + len + 6)) & 0xff, 0xcd, 0x80, ...tail];
  return Uint8Array.from(bytes);
}

export const LOOPS: Record<string, { code: Uint8Array; perIteration: number }> = {
  'alu-loop': {
    // add eax,ecx; xor ebx,eax; rol ebx,3; imul edx,ebx,0x9E3779B1; sub eax,edx
    code: program(0, () => [0x01, 0xc8, 0x31, 0xc3, 0xc1, 0xc3, 0x03, 0x69, 0xd3, ...le32(0x9e3779b1), 0x29, 0xd0], []),
    perIteration: 7,
  },
  'load-store-loop': {
    // mov eax,[esi]; add edx,eax; mov [esi],edx; add esi,4; cmp edx,eax
    code: program(0, () => [0x8b, 0x06, 0x01, 0xc2, 0x89, 0x16, 0x83, 0xc6, 0x04, 0x39, 0xc2], []),
    perIteration: 7,
  },
  'call-loop': {
    // call F ... F: push ebx; add eax,ecx; pop ebx; ret
    code: program(0, (tailAt) => [0xe8, ...le32(tailAt(5))], [0x53, 0x01, 0xc8, 0x5b, 0xc3]),
    perIteration: 7,
  },
};

/** Loads `code` with OUTER patched in and runs it to its final int 0x80; returns [instructions, ms]. */
export function runLoop(cpu: Cpu, code: Uint8Array, outer: number): [number, number] {
  // The host writes guest code directly (not through the CPU): tell the decode cache.
  cpu.ram.u8.set(code, CODE);
  cpu.ram.u8.set(le32(outer), CODE + 1);
  cacheOf(cpu).invalidateRange(CODE, code.length);
  cpu.eip = CODE;
  cpu.reg[4] = STACK;
  const before = cpu.retired;
  const t0 = performance.now();
  for (;;) {
    const stop = run(cpu, 1 << 24);
    if (stop === Stop.SYSCALL) break;
    if (stop !== Stop.BUDGET) throw new Error(`bench loop stopped with ${stop} (vector ${cpu.fault.vector}) at 0x${cpu.eip.toString(16)}`);
  }
  return [cpu.retired - before, performance.now() - t0];
}

export const cpuSuite: BenchSuite = {
  name: 'cpu',
  summary: 'interpreter speed on guest loops (guest MIPS)',
  async run({ quick }) {
    const results: BenchResult[] = [];
    const samples = quick ? 3 : 7;
    const outer = quick ? 200 : 600;
    for (const [name, loop] of Object.entries(LOOPS)) {
      const cpu = new Cpu(new GuestRam(1 << 20), 1 << 12);
      runLoop(cpu, loop.code, 50); // warm-up: decode, JIT-compile the handlers
      const mips: number[] = [];
      for (let i = 0; i < samples; i++) {
        const [n, ms] = runLoop(cpu, loop.code, outer);
        mips.push(n / ms / 1000);
      }
      const { median, rme } = summarize(mips);
      results.push({ name: `${name}.interp`, value: median, unit: 'MIPS', samples, rme, note: name === 'alu-loop' ? 'target >= 200' : '' });
    }
    return results;
  },
};
