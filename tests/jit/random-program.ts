/**
 * Random i386 programs for the interpreter-vs-JIT differential test: ALU in
 * every width and form, shifts, multiplies and divides, flag readers
 * (jcc, setcc, cmov, adc/sbb, pushf, lahf), stack, calls, counted loops,
 * memory operands on a data page, on the code's own page and at addresses
 * from random registers (which fault). Registers: EAX/EBX/ECX/EDX random,
 * ESI/EDI data pointers (never written), EBP loop counter, ESP the stack.
 */
import { mulberry32 } from '../lib/testkit.js';

export const CODE = 0x1000;
/** ESI: a data page; EDI: the code page's last kilobyte (data beside code). */
export const DATA = 0x8000;
export const CODE_DATA = 0x1c00;
export const STACK = 0x20000;
export const MAX_CODE = 0xa00;

/** The tests' deterministic PRNG (tests/lib/testkit.ts). */
export const rng = mulberry32;

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export interface Program {
  bytes: Uint8Array;
  /** Instruction start -> next instruction (to step over a faulting one). */
  next: Map<number, number>;
}

export function randomProgram(seed: number): Program {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]!;
  const out: number[] = [];
  const starts: number[] = [];
  const emit = (...b: number[]) => { starts.push(CODE + out.length); out.push(...b); };
  const dst = () => pick([0, 1, 2, 3]);
  const any = () => int(8);
  const d8 = () => int(0x78) & ~(r() < 0.8 ? 3 : 0);
  const imm32 = () => pick([0, 1, -1, 0x7fffffff, -0x80000000, 0x80, 0xff, int(0x100000000) | 0]);
  const mem = (reg: number): number[] => (r() < 0.7 ? [0x46 | (reg << 3), d8()] : r() < 0.5 ? [0x47 | (reg << 3), d8()] : [0x04 | (reg << 3), (int(4) << 6) | (dst() << 3) | 6]);

  function instruction(): void {
    const k = int(30);
    const op = int(8);
    switch (k) {
      case 0: case 1: emit((op << 3) | 1, 0xc0 | (any() << 3) | dst()); break; // alu r32,r32
      case 2: emit(0x83, 0xc0 | (op << 3) | dst(), int(256)); break; // alu r32,imm8
      case 3: emit(0x81, 0xc0 | (op << 3) | dst(), ...le32(imm32())); break; // alu r32,imm32
      case 4: emit((op << 3) | 3, ...mem(dst())); break; // alu r32,[m]
      case 5: emit((op << 3) | 1, ...mem(any())); break; // alu [m],r32
      case 6: emit((op << 3) | 0, 0xc0 | (int(8) << 3) | int(8)); break; // alu r8,r8 (AL..BH: only EAX..EBX change)
      case 7: emit((op << 3) | 4, int(256)); break; // alu al,imm8
      case 8: emit(0x66, (op << 3) | 1, 0xc0 | (any() << 3) | dst()); break; // alu r16,r16
      case 9: emit(pick([0x40, 0x48]) + dst()); break; // inc/dec r32
      case 10: emit(0xc1, 0xc0 | (int(8) << 3) | dst(), pick([0, 1, 3, 31, int(256)])); break; // shift imm
      case 11: emit(pick([0xd1, 0xd3]), 0xc0 | (int(8) << 3) | dst()); break; // shift 1 / cl
      case 12: emit(0x69, 0xc0 | (dst() << 3) | any(), ...le32(imm32())); break;
      case 13: emit(0x0f, 0xaf, 0xc0 | (dst() << 3) | any()); break;
      case 14: emit(0xb8 + dst(), ...le32(imm32())); break;
      case 15: emit(0x8b, ...mem(dst())); break; // mov r32,[m]
      case 16: emit(0x89, ...mem(any())); break; // mov [m],r32
      case 17: emit(0x0f, pick([0xb6, 0xb7, 0xbe, 0xbf]), ...mem(dst())); break; // movzx/movsx
      case 18: emit(0x8d, 0x44 | (dst() << 3), (int(4) << 6) | (dst() << 3) | dst(), d8()); break; // lea r,[b+i*s+d8]
      case 19: emit(0x0f, 0x90 + int(16), 0xc0 | dst()); break; // setcc r8
      case 20: emit(0x0f, 0x40 + int(16), 0xc0 | (dst() << 3) | any()); break; // cmovcc
      case 21: emit(0x85, 0xc0 | (any() << 3) | dst()); break; // test
      case 22: emit(pick([0x99, 0x98, 0x90 + dst(), 0xf5, 0xf8, 0xf9, 0x9f])); break; // cdq cwde xchg cmc clc stc lahf
      case 23: emit(0xf7, 0xc0 | (pick([2, 3, 4, 5]) << 3) | dst()); break; // not neg mul imul
      case 24: emit(0xf7, 0xc0 | (pick([6, 7]) << 3) | pick([1, 3])); break; // div/idiv ecx/ebx (#DE sometimes)
      case 25: emit(0x9c); emit(0x58 + dst()); break; // pushf; pop r
      case 26: emit(0x50 + any()); emit(0x58 + dst()); break; // push; pop
      case 27: emit(0x8b, 0x04 | (dst() << 3), 0x80 | (dst() << 3) | 7); break; // mov r,[edi+r*4]: may fault
      case 28: emit(0x0f, pick([0xa3, 0xab, 0xbc]), 0xc0 | (any() << 3) | dst()); break; // bt / bts / bsf (handlers)
      default: emit(0xfe, 0xc0 | (int(2) << 3) | dst()); break; // inc/dec r8
    }
  }

  function straight(n: number): void {
    for (let i = 0; i < n; i++) {
      if (r() < 0.12) {
        // cmp/test + jcc over the next 1..3 instructions
        emit(pick([0x39, 0x85]), 0xc0 | (any() << 3) | dst());
        const at = out.length;
        emit(0x70 + int(16), 0);
        const m = 1 + int(3);
        for (let j = 0; j < m; j++) instruction();
        out[at + 1] = out.length - (at + 2);
      } else instruction();
    }
  }

  const calls: number[] = [];
  emit(0xbd, ...le32(0)); // ebp = 0
  for (let chunk = 0; chunk < 6 && out.length < MAX_CODE - 200; chunk++) {
    const kind = int(3);
    if (kind === 0) straight(3 + int(10));
    else if (kind === 1) {
      // counted loop: mov ebp, N; L: body; dec ebp; jne L
      emit(0xbd, ...le32(1 + int(20)));
      const top = out.length;
      straight(2 + int(8));
      emit(0x4d);
      emit(0x0f, 0x85, ...le32(top - (out.length + 6)));
    } else {
      emit(0xe8, 0, 0, 0, 0);
      calls.push(out.length - 4);
      straight(1 + int(4));
    }
  }
  emit(0xcd, 0x80); // the end
  const fn = out.length;
  straight(2 + int(5));
  emit(0xc3);
  for (const at of calls) out.splice(at, 4, ...le32(fn - (at + 4)));
  const bytes = Uint8Array.from(out);
  const next = new Map<number, number>();
  starts.forEach((s, i) => next.set(s, starts[i + 1] ?? CODE + out.length));
  return { bytes, next };
}
