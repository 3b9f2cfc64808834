/**
 * The semantics test cases: short instruction sequences, hand-encoded, with
 * their initial state and the flags the SDM leaves undefined. The generator
 * (generate-fixtures.ts) runs them natively and records what the CPU did.
 *
 * Conventions: EBX points at the 64-byte buffer ("b+0"), ESP at the stack
 * window ("s+0"); memory operands are [ebx], [ebx+disp8] or, for absolute
 * forms, the fixed tail window. Values come from interesting sets (0, 1, -1,
 * 0x7fffffff, 0x80000000, ...) and a fixed-seed PRNG.
 */
import { prng } from './iced.js';
import { GUARD, TAIL } from './fixture-format.js';

export interface CaseSpec {
  g: string;
  code: number[];
  /** Initial registers: numbers or "b+N" / "s+N". Missing entries get defaults. */
  regs?: Array<number | string | undefined>;
  f?: number;
  m?: number[];
  t?: number[];
  k?: number[];
  x?: number[];
  mx?: number;
  cw?: number;
  /** Undefined EFLAGS bits (SDM), in addition to what iced-x86 reports as undefined. */
  u?: number;
  ur?: number;
  fp?: number;
}

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;
const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESI = 6, EDI = 7;

const rnd = prng(0x0a7c1e);
const rand32 = (): number => rnd() | 0;

const modrm = (mod: number, reg: number, rm: number): number => (mod << 6) | (reg << 3) | rm;
/** [ebx] */
const memB = (reg: number): number[] => [modrm(0, reg, EBX)];
/** [ebx+d8] */
const memB8 = (reg: number, d: number): number[] => [modrm(1, reg, EBX), d & 0xff];
const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

const V32 = [0, 1, -1, 0x7fffffff, 0x80000000 | 0, 0x80000001 | 0, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x12345678, 0xfedcba98 | 0];

function sized(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? v & 0xffff : v & 0xff;
}

/** Value pairs for binary operations of one size. */
function pairs(size: number, n: number): Array<[number, number]> {
  const top = size === 4 ? 0x80000000 | 0 : size === 2 ? 0x8000 : 0x80;
  const max = size === 4 ? 0x7fffffff : size === 2 ? 0x7fff : 0x7f;
  const all: Array<[number, number]> = [
    [0, 0], [1, 1], [-1, 1], [max, 1], [top, -1], [top, top], [max, -1], [0, -1], [0x5a5a5a5a, 0x0f0f0f0f], [top, 1],
  ];
  const out = all.slice(0, n).map(([a, b]) => [sized(a, size), sized(b, size)] as [number, number]);
  for (let i = 0; i < Math.max(2, n >> 2); i++) out.push([sized(rand32(), size), sized(rand32(), size)]);
  return out;
}

/** Randomized but deterministic default registers; EBX = buffer, ESP = stack. */
function defaultRegs(): Array<number | string> {
  return [rand32(), rand32(), rand32(), 'b+0', 's+0', rand32(), rand32(), rand32()];
}

function randomBuf(): number[] {
  return Array.from({ length: 64 }, () => rnd() & 0xff);
}

/** Initial EFLAGS with the given status bits (bit 1 and IF are always set). */
const fl = (bits: number): number => 0x202 | bits;

export function integerCases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const add = (c: CaseSpec): void => { cases.push(c); };

  // ---- ALU: add or adc sbb and sub xor cmp ----------------------------------
  const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  for (let op = 0; op < 8; op++) {
    const base = op * 8;
    const name = ALU[op]!;
    const uLogic = op === 1 || op === 4 || op === 6 ? AF : 0;
    for (const cin of [0, CF]) {
      const f = fl(cin | (cin ? ZF | OF : SF | PF));
      for (const size of [1, 2, 4]) {
        const p16 = size === 2 ? [0x66] : [];
        const opE = base + (size === 1 ? 0 : 1);
        const opG = base + (size === 1 ? 2 : 3);
        // Ev,Gv register form: eax op= ecx
        for (const [a, b] of pairs(size, 10)) {
          const r = defaultRegs(); r[EAX] = a; r[ECX] = b;
          add({ g: `${name} E,G r${size * 8}`, code: [...p16, opE, modrm(3, ECX, EAX)], regs: r, f, u: uLogic });
        }
        // Ev,Gv memory form: [ebx] op= edx; Gv,Ev memory form: edx op= [ebx+4]
        for (const [a, b] of pairs(size, 4)) {
          const r = defaultRegs(); r[EDX] = b;
          const m = randomBuf(); le(a, size).forEach((x, i) => { m[i] = x; m[4 + i] = x; });
          add({ g: `${name} E,G m${size * 8}`, code: [...p16, opE, ...memB(EDX)], regs: r, m, f, u: uLogic });
          add({ g: `${name} G,E m${size * 8}`, code: [...p16, opG, ...memB8(EDX, 4)], regs: r, m, f, u: uLogic });
        }
        // accumulator, immediate
        for (const [a, b] of pairs(size, 6)) {
          const r = defaultRegs(); r[EAX] = a;
          add({ g: `${name} acc,imm${size * 8}`, code: [...p16, base + (size === 1 ? 4 : 5), ...le(b, size)], regs: r, f, u: uLogic });
          // group 1: 80 /op Eb,Ib; 81 /op Ev,Iv; 83 /op Ev,Ib (sign-extended)
          const r2 = defaultRegs(); r2[ESI] = a;
          if (size === 1) add({ g: `${name} 80 r8`, code: [0x80, modrm(3, op, ESI), b & 0xff], regs: r2, f, u: uLogic });
          else {
            add({ g: `${name} 81 r${size * 8}`, code: [...p16, 0x81, modrm(3, op, ESI), ...le(b, size)], regs: r2, f, u: uLogic });
            add({ g: `${name} 83 r${size * 8}`, code: [...p16, 0x83, modrm(3, op, ESI), b & 0xff], regs: r2, f, u: uLogic });
          }
        }
        {
          const m = randomBuf();
          const imm = rand32();
          add({ g: `${name} 8x m${size * 8}`, code: size === 1 ? [0x80, ...memB8(op, 1), imm & 0xff] : [...p16, 0x81, ...memB8(op, 2), ...le(imm, size)], m, f, u: uLogic });
        }
      }
    }
    // lock form
    if (op !== 7) add({ g: `lock ${name} m32`, code: [0xf0, base + 1, ...memB(ECX)], m: randomBuf(), f: fl(CF), u: uLogic });
  }

  // ---- inc dec not neg ------------------------------------------------------
  for (const cin of [0, CF]) {
    for (const v of V32) {
      for (let r = 0; r < 8; r += 7) {
        const regs = defaultRegs(); regs[r] = v;
        add({ g: 'inc r32 (40+r)', code: [0x40 + r], regs, f: fl(cin) });
        add({ g: 'dec r32 (48+r)', code: [0x48 + r], regs, f: fl(cin) });
      }
      for (const size of [1, 2, 4]) {
        const p16 = size === 2 ? [0x66] : [];
        const regs = defaultRegs(); regs[EDX] = v;
        const g = size === 1 ? 0xfe : 0xff;
        const gu = size === 1 ? 0xf6 : 0xf7;
        add({ g: `inc r${size * 8}`, code: [...p16, g, modrm(3, 0, EDX)], regs, f: fl(cin) });
        add({ g: `dec r${size * 8}`, code: [...p16, g, modrm(3, 1, EDX)], regs, f: fl(cin) });
        add({ g: `not r${size * 8}`, code: [...p16, gu, modrm(3, 2, EDX)], regs, f: fl(cin) });
        add({ g: `neg r${size * 8}`, code: [...p16, gu, modrm(3, 3, EDX)], regs, f: fl(cin) });
        const m = randomBuf(); le(v, 4).forEach((x, i) => { m[i] = x; });
        add({ g: `neg m${size * 8}`, code: [...p16, gu, ...memB(3)], m, f: fl(cin) });
        add({ g: `inc m${size * 8}`, code: [...p16, g, ...memB(0)], m, f: fl(cin) });
      }
    }
  }

  // ---- test -----------------------------------------------------------------
  for (const size of [1, 2, 4]) {
    const p16 = size === 2 ? [0x66] : [];
    for (const [a, b] of pairs(size, 8)) {
      const regs = defaultRegs(); regs[EAX] = a; regs[ECX] = b;
      add({ g: `test r${size * 8}`, code: [...p16, size === 1 ? 0x84 : 0x85, modrm(3, ECX, EAX)], regs, f: fl(CF | OF), u: AF });
      add({ g: `test acc,imm${size * 8}`, code: [...p16, size === 1 ? 0xa8 : 0xa9, ...le(b, size)], regs, f: fl(0), u: AF });
      add({ g: `test F6/F7 r${size * 8}`, code: [...p16, size === 1 ? 0xf6 : 0xf7, modrm(3, 0, EAX), ...le(b, size)], regs, f: fl(0), u: AF });
    }
  }

  // ---- shifts and rotates -----------------------------------------------------
  const SH = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
  const COUNTS = [0, 1, 7, 8, 15, 16, 31, 32, 33];
  const SHV = [0x80000001 | 0, 0x12345678, -1, 0x40000000, 1, 0x8000, 0x80];
  for (let op = 0; op < 8; op++) {
    for (const size of [1, 2, 4]) {
      const bits = size * 8;
      const p16 = size === 2 ? [0x66] : [];
      for (const count of COUNTS) {
        const mc = count & 31;
        let u = 0;
        if (mc !== 0) {
          u |= op >= 4 ? AF : 0;
          if (mc !== 1) u |= OF;
          if (op >= 4 && mc >= bits) u |= CF | OF;
        }
        for (const [vi, v] of SHV.entries()) {
          if ((vi + count) % 2 === 1 && vi > 2) continue;
          for (const cin of [0, CF]) {
            const regs = defaultRegs(); regs[EDX] = v; regs[ECX] = (rand32() & ~0xff) | count;
            add({ g: `${SH[op]} r${bits},cl`, code: [...p16, size === 1 ? 0xd2 : 0xd3, modrm(3, op, EDX)], regs, f: fl(cin | (cin ? 0 : OF)), u });
          }
        }
        const regs = defaultRegs(); regs[EAX] = SHV[count % SHV.length]!;
        add({ g: `${SH[op]} r${bits},imm8`, code: [...p16, size === 1 ? 0xc0 : 0xc1, modrm(3, op, EAX), count], regs, f: fl(CF), u });
        if (count === 1) add({ g: `${SH[op]} r${bits},1`, code: [...p16, size === 1 ? 0xd0 : 0xd1, modrm(3, op, EAX)], regs, f: fl(0), u });
      }
      const m = randomBuf();
      add({ g: `${SH[op]} m${bits},imm8`, code: [...p16, size === 1 ? 0xc0 : 0xc1, ...memB(op), 3], m, f: fl(CF), u: (op >= 4 ? AF : 0) | OF });
    }
  }

  // ---- shld / shrd --------------------------------------------------------------
  for (const [opc, name] of [[0xa4, 'shld'], [0xac, 'shrd']] as const) {
    for (const size of [2, 4]) {
      const bits = size * 8;
      const p16 = size === 2 ? [0x66] : [];
      for (const count of COUNTS) {
        const mc = count & 31;
        if (mc > bits) continue; // result undefined
        const u = mc === 0 ? 0 : AF | (mc !== 1 ? OF : 0) | (mc >= bits ? CF | OF : 0);
        for (const [a, b] of pairs(size, 3)) {
          const regs = defaultRegs(); regs[EAX] = a; regs[EDX] = b; regs[ECX] = count;
          add({ g: `${name} r${bits},r,cl`, code: [...p16, 0x0f, opc + 1, modrm(3, EDX, EAX)], regs, f: fl(CF), u });
          add({ g: `${name} r${bits},r,imm8`, code: [...p16, 0x0f, opc, modrm(3, EDX, EAX), count], regs, f: fl(0), u });
        }
      }
      const regs = defaultRegs(); regs[EDX] = rand32();
      add({ g: `${name} m${bits},r,imm8`, code: [...p16, 0x0f, opc, ...memB(EDX), 5], regs, m: randomBuf(), f: fl(0), u: AF | OF });
    }
  }

  // ---- mul imul div idiv ----------------------------------------------------------
  const MULU = SF | ZF | AF | PF;
  for (const size of [1, 2, 4]) {
    const bits = size * 8;
    const p16 = size === 2 ? [0x66] : [];
    const gu = size === 1 ? 0xf6 : 0xf7;
    for (const [a, b] of pairs(size, 10)) {
      const regs = defaultRegs(); regs[EAX] = a; regs[ECX] = b;
      add({ g: `mul r${bits}`, code: [...p16, gu, modrm(3, 4, ECX)], regs, f: fl(0), u: MULU });
      add({ g: `imul r${bits}`, code: [...p16, gu, modrm(3, 5, ECX)], regs, f: fl(0), u: MULU });
      if (size > 1) {
        add({ g: `imul r${bits},r`, code: [...p16, 0x0f, 0xaf, modrm(3, EAX, ECX)], regs, f: fl(0), u: MULU });
        add({ g: `imul r${bits},r,imm`, code: [...p16, 0x69, modrm(3, EDX, ECX), ...le(a, size)], regs, f: fl(0), u: MULU });
        add({ g: `imul r${bits},r,imm8`, code: [...p16, 0x6b, modrm(3, EDX, ECX), a & 0xff], regs, f: fl(0), u: MULU });
      }
    }
    // division: dividend in (e)dx:(e)ax / ah:al
    const DIVS: Array<[number, number, number]> = [
      [0, 100, 7], [0, -100, 7], [0, 100, -7], [0, -1, 1], [0, 0x12345678, 0x10], [1, 0, 2], [0, 7, 0],
      [-1, -1, -1], [0x80000000 | 0, 0, -1], [0x3fffffff, -1, 0x7fffffff], [0, 0x80000000 | 0, -1], [-1, 0x80000000 | 0, -1],
      [0, 255, 1], [0, 0x8000, -1], [0, 0x7fff, 0x7fff],
    ];
    for (const [hi, lo, d] of DIVS) {
      const regs = defaultRegs();
      if (size === 1) regs[EAX] = (rand32() & ~0xffff) | (((hi & 0xff) << 8) | (lo & 0xff));
      else { regs[EAX] = size === 2 ? (rand32() & ~0xffff) | (lo & 0xffff) : lo; regs[EDX] = size === 2 ? (rand32() & ~0xffff) | (hi & 0xffff) : hi; }
      regs[ESI] = size === 4 ? d : (rand32() & ~(size === 2 ? 0xffff : 0xff)) | sized(d, size);
      add({ g: `div r${bits}`, code: [...p16, gu, modrm(3, 6, ESI)], regs, f: fl(0), u: ARITH });
      add({ g: `idiv r${bits}`, code: [...p16, gu, modrm(3, 7, ESI)], regs, f: fl(0), u: ARITH });
    }
    const m = randomBuf(); m[size - 1] = 0x40;
    add({ g: `div m${bits}`, code: [...p16, gu, ...memB(6)], regs: [0x1234567, 0, 0x15, 'b+0', 's+0', 0, 0, 0], m, f: fl(0), u: ARITH });
    add({ g: `mul m${bits}`, code: [...p16, gu, ...memB(4)], m, f: fl(0), u: MULU });
  }

  // ---- bit operations ---------------------------------------------------------------
  const BT = ['bt', 'bts', 'btr', 'btc'];
  const BTU = OF | SF | AF | PF;
  for (let op = 0; op < 4; op++) {
    for (const size of [2, 4]) {
      const p16 = size === 2 ? [0x66] : [];
      for (const bit of [0, 1, 7, 15, 16, 31, 32, 33, 63, -1, -8, -17, 200]) {
        const regs = defaultRegs(); regs[EAX] = rand32(); regs[ECX] = size === 2 ? (rand32() & ~0xffff) | (bit & 0xffff) : bit;
        add({ g: `${BT[op]} r${size * 8},r`, code: [...p16, 0x0f, 0xa3 + op * 8, modrm(3, ECX, EAX)], regs, f: fl(0), u: BTU });
        regs[EBX] = 'b+32';
        add({ g: `${BT[op]} m${size * 8},r`, code: [...p16, 0x0f, 0xa3 + op * 8, ...memB(ECX)], regs, m: randomBuf(), f: fl(CF), u: BTU });
        if (bit >= 0 && bit < 256) {
          const r2 = defaultRegs();
          add({ g: `${BT[op]} r${size * 8},imm8`, code: [...p16, 0x0f, 0xba, modrm(3, 4 + op, EDX), bit], regs: r2, f: fl(0), u: BTU });
          add({ g: `${BT[op]} m${size * 8},imm8`, code: [...p16, 0x0f, 0xba, ...memB(4 + op), bit], m: randomBuf(), f: fl(0), u: BTU });
        }
      }
    }
  }
  for (const size of [2, 4]) {
    const p16 = size === 2 ? [0x66] : [];
    for (const v of [0, 1, 0x80000000 | 0, 0x8000, 0x00f00000, -1, 0x10, rand32(), rand32()]) {
      const regs = defaultRegs(); regs[ECX] = v;
      const zero = sized(v, size) === 0;
      add({ g: `bsf r${size * 8}`, code: [...p16, 0x0f, 0xbc, modrm(3, EAX, ECX)], regs, f: fl(0), u: ARITH & ~ZF, ur: zero ? 1 << EAX : 0 });
      add({ g: `bsr r${size * 8}`, code: [...p16, 0x0f, 0xbd, modrm(3, EAX, ECX)], regs, f: fl(0), u: ARITH & ~ZF, ur: zero ? 1 << EAX : 0 });
    }
  }

  // ---- setcc / cmovcc / jcc ------------------------------------------------------------
  const FLAGSETS = [0, CF, ZF, SF, OF, PF, CF | ZF, SF | OF, ZF | SF, OF | CF | PF, ARITH];
  for (let cc = 0; cc < 16; cc++) {
    for (const fs of FLAGSETS) {
      const regs = defaultRegs();
      add({ g: `setcc r8 (0F ${(0x90 + cc).toString(16)})`, code: [0x0f, 0x90 + cc, modrm(3, 0, ECX)], regs, f: fl(fs) });
      add({ g: `cmovcc r32 (0F ${(0x40 + cc).toString(16)})`, code: [0x0f, 0x40 + cc, modrm(3, EAX, EDX)], regs, f: fl(fs) });
      add({ g: 'jcc rel8', code: [0x70 + cc, 0x01, 0x41], regs, f: fl(fs) });
    }
    add({ g: 'setcc m8', code: [0x0f, 0x90 + cc, ...memB(0)], m: randomBuf(), f: fl(CF | SF) });
    add({ g: 'cmovcc r16,m16', code: [0x66, 0x0f, 0x40 + cc, ...memB(EDX)], m: randomBuf(), f: fl(ZF | OF) });
    add({ g: 'jcc rel32', code: [0x0f, 0x80 + cc, 0x01, 0x00, 0x00, 0x00, 0x41], f: fl(ZF | PF) });
  }

  // ---- xadd cmpxchg cmpxchg8b bswap xchg ----------------------------------------------------
  for (const size of [1, 2, 4]) {
    const p16 = size === 2 ? [0x66] : [];
    for (const [a, b] of pairs(size, 4)) {
      const regs = defaultRegs(); regs[EAX] = a; regs[ECX] = b; regs[EDX] = a;
      add({ g: `xadd r${size * 8}`, code: [...p16, 0x0f, size === 1 ? 0xc0 : 0xc1, modrm(3, ECX, EDX)], regs, f: fl(0) });
      add({ g: `cmpxchg r${size * 8} (equal)`, code: [...p16, 0x0f, size === 1 ? 0xb0 : 0xb1, modrm(3, ECX, EDX)], regs, f: fl(0) });
      const r2 = defaultRegs(); r2[EAX] = a; r2[ECX] = b;
      add({ g: `cmpxchg r${size * 8}`, code: [...p16, 0x0f, size === 1 ? 0xb0 : 0xb1, modrm(3, ECX, EDX)], regs: r2, f: fl(0) });
      const m = randomBuf(); le(a, 4).forEach((x, i) => { m[i] = x; });
      add({ g: `lock xadd m${size * 8}`, code: [0xf0, ...p16, 0x0f, size === 1 ? 0xc0 : 0xc1, ...memB(ECX)], regs, m, f: fl(0) });
      add({ g: `lock cmpxchg m${size * 8}`, code: [0xf0, ...p16, 0x0f, size === 1 ? 0xb0 : 0xb1, ...memB(ECX)], regs, m, f: fl(0) });
      add({ g: `xchg r${size * 8},m`, code: [...p16, size === 1 ? 0x86 : 0x87, ...memB(EDX)], regs, m, f: fl(0) });
    }
  }
  for (const eq of [true, false]) {
    const m = randomBuf();
    const regs = defaultRegs();
    regs[EAX] = eq ? m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24) : 1;
    regs[EDX] = eq ? m[4]! | (m[5]! << 8) | (m[6]! << 16) | (m[7]! << 24) : 2;
    add({ g: 'cmpxchg8b m64', code: [0x0f, 0xc7, ...memB(1)], regs, m, f: fl(0) });
    add({ g: 'lock cmpxchg8b m64', code: [0xf0, 0x0f, 0xc7, ...memB8(1, 8)], regs, m, f: fl(0) });
  }
  for (let r = 0; r < 8; r++) {
    if (r === 4) continue;
    add({ g: 'bswap r32', code: [0x0f, 0xc8 + r], f: fl(0) });
    add({ g: 'xchg eax,r32', code: [0x90 + r], f: fl(0) });
    add({ g: 'xchg ax,r16', code: [0x66, 0x90 + r], f: fl(0) });
  }

  // ---- mov forms, movzx movsx, lea, cbw... ---------------------------------------------------
  for (const size of [1, 2, 4]) {
    const p16 = size === 2 ? [0x66] : [];
    const m = randomBuf();
    add({ g: `mov m${size * 8},r`, code: [...p16, size === 1 ? 0x88 : 0x89, ...memB8(EDX, 5)], m, f: fl(0) });
    add({ g: `mov r${size * 8},m`, code: [...p16, size === 1 ? 0x8a : 0x8b, ...memB8(EDX, 7)], m, f: fl(0) });
    add({ g: `mov r${size * 8},r`, code: [...p16, size === 1 ? 0x88 : 0x89, modrm(3, 6, 5)], f: fl(0) });
    add({ g: `mov m${size * 8},imm`, code: [...p16, size === 1 ? 0xc6 : 0xc7, ...memB8(0, 3), ...le(0x89abcdef, size)], m, f: fl(0) });
    add({ g: `mov acc,moffs${size * 8}`, code: [...p16, size === 1 ? 0xa0 : 0xa1, ...le(TAIL + 3, 4)], t: randomBuf().slice(0, 16), f: fl(0) });
    add({ g: `mov moffs${size * 8},acc`, code: [...p16, size === 1 ? 0xa2 : 0xa3, ...le(TAIL + 5, 4)], t: randomBuf().slice(0, 16), f: fl(0) });
    for (let r = 0; r < 8; r++) if (r !== 4 && size !== 2) add({ g: `mov r${size * 8},imm`, code: size === 1 ? [0xb0 + r, 0x9c] : [0xb8 + r, ...le(rand32(), 4)], f: fl(0) });
  }
  for (const v of [0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x12345678, -1]) {
    const regs = defaultRegs(); regs[ECX] = v; regs[EAX] = v;
    add({ g: 'movzx r32,r8', code: [0x0f, 0xb6, modrm(3, EDX, ECX)], regs, f: fl(0) });
    add({ g: 'movzx r32,r16', code: [0x0f, 0xb7, modrm(3, EDX, ECX)], regs, f: fl(0) });
    add({ g: 'movsx r32,r8', code: [0x0f, 0xbe, modrm(3, EDX, ECX)], regs, f: fl(0) });
    add({ g: 'movsx r32,r16', code: [0x0f, 0xbf, modrm(3, EDX, ECX)], regs, f: fl(0) });
    add({ g: 'movzx r16,r8', code: [0x66, 0x0f, 0xb6, modrm(3, EDX, 5)], regs, f: fl(0) });
    add({ g: 'movsx r16,r8', code: [0x66, 0x0f, 0xbe, modrm(3, EDX, 5)], regs, f: fl(0) });
    add({ g: 'cwde', code: [0x98], regs, f: fl(0) });
    add({ g: 'cbw', code: [0x66, 0x98], regs, f: fl(0) });
    add({ g: 'cdq', code: [0x99], regs, f: fl(0) });
    add({ g: 'cwd', code: [0x66, 0x99], regs, f: fl(0) });
  }
  add({ g: 'movzx r32,m8', code: [0x0f, 0xb6, ...memB8(EDX, 3)], m: randomBuf(), f: fl(0) });
  add({ g: 'movsx r32,m16', code: [0x0f, 0xbf, ...memB8(EDX, 1)], m: randomBuf(), f: fl(0) });
  const LEAS: number[][] = [
    [0x8d, 0x44, 0xb1, 0x7f], [0x8d, 0x84, 0x88, 0x00, 0x10, 0x00, 0x80], [0x8d, 0x05, 0x78, 0x56, 0x34, 0x12], [0x8d, 0x04, 0xcd, 0x10, 0, 0, 0],
    [0x8d, 0x64, 0x24, 0xfc], [0x8d, 0x6d, 0x80], [0x66, 0x8d, 0x44, 0xb1, 0x7f], [0x67, 0x8d, 0x40, 0x85], [0x67, 0x8d, 0x82, 0x10, 0x80], [0x67, 0x66, 0x8d, 0x06, 0xff, 0xff],
  ];
  for (const code of LEAS) for (let i = 0; i < 3; i++) add({ g: 'lea', code, f: fl(0) });

  // ---- flags instructions ----------------------------------------------------------------
  for (const fs of [0, ARITH, CF | ZF, SF | PF | AF, OF, DF]) {
    add({ g: 'lahf', code: [0x9f], f: fl(fs) });
    const regs = defaultRegs(); regs[EAX] = (rand32() & ~0xff00) | 0xd500;
    add({ g: 'sahf', code: [0x9e], regs, f: fl(fs) });
    regs[EAX] = rand32() & ~0xff00;
    add({ g: 'sahf', code: [0x9e], regs, f: fl(fs) });
    add({ g: 'pushfd', code: [0x9c], f: fl(fs) });
    add({ g: 'pushf', code: [0x66, 0x9c], f: fl(fs) });
    add({ g: 'popfd', code: [0x9d], k: [...Array(32).fill(0), ...le(0xfd5 ^ fs, 4), ...Array(28).fill(0)], f: fl(fs) });
    add({ g: 'popf', code: [0x66, 0x9d], k: [...Array(32).fill(0), ...le(0x8d5 ^ fs, 2), ...Array(30).fill(0)], f: fl(fs) });
    for (const o of [0xf5, 0xf8, 0xf9, 0xfc, 0xfd]) add({ g: 'clc/stc/cmc/cld/std', code: [o], f: fl(fs) });
  }

  // ---- BCD ------------------------------------------------------------------------------
  for (const ax of [0x0000, 0x0009, 0x000a, 0x000f, 0x0099, 0x009a, 0x00ff, 0x0f0f, 0x1234, 0x00f9, 0x0060, 0x0066, 0x00a5]) {
    for (const fs of [0, CF, AF, CF | AF]) {
      const regs = defaultRegs(); regs[EAX] = (rand32() & ~0xffff) | ax;
      add({ g: 'aaa', code: [0x37], regs, f: fl(fs), u: OF | SF | ZF | PF });
      add({ g: 'aas', code: [0x3f], regs, f: fl(fs), u: OF | SF | ZF | PF });
      add({ g: 'daa', code: [0x27], regs, f: fl(fs), u: OF });
      add({ g: 'das', code: [0x2f], regs, f: fl(fs), u: OF });
    }
    const regs = defaultRegs(); regs[EAX] = (rand32() & ~0xffff) | ax;
    add({ g: 'aam', code: [0xd4, 0x0a], regs, f: fl(0), u: OF | AF | CF });
    add({ g: 'aam imm8', code: [0xd4, 0x07], regs, f: fl(0), u: OF | AF | CF });
    add({ g: 'aad', code: [0xd5, 0x0a], regs, f: fl(0), u: OF | AF | CF });
    add({ g: 'aad imm8', code: [0xd5, 0x10], regs, f: fl(0), u: OF | AF | CF });
  }

  // ---- stack: push pop pusha popa enter leave call ret ---------------------------------------
  const stk = randomBuf();
  for (let r = 0; r < 8; r++) {
    add({ g: 'push r32', code: [0x50 + r], k: stk, f: fl(0) });
    add({ g: 'pop r32', code: [0x58 + r], k: stk, f: fl(0) });
    add({ g: 'push r16', code: [0x66, 0x50 + r], k: stk, f: fl(0) });
    add({ g: 'pop r16', code: [0x66, 0x58 + r], k: stk, f: fl(0) });
  }
  add({ g: 'push imm8', code: [0x6a, 0x80], k: stk, f: fl(0) });
  add({ g: 'push imm32', code: [0x68, 0x78, 0x56, 0x34, 0x12], k: stk, f: fl(0) });
  add({ g: 'push imm16', code: [0x66, 0x68, 0x78, 0x56], k: stk, f: fl(0) });
  add({ g: 'push m32', code: [0xff, ...memB8(6, 4)], m: randomBuf(), k: stk, f: fl(0) });
  add({ g: 'pop m32', code: [0x8f, ...memB8(0, 4)], m: randomBuf(), k: stk, f: fl(0) });
  add({ g: 'pop [esp+4]', code: [0x8f, 0x44, 0x24, 0x04], k: stk, f: fl(0) });
  add({ g: 'push [esp]', code: [0xff, 0x34, 0x24], k: stk, f: fl(0) });
  add({ g: 'pushad', code: [0x60], k: stk, f: fl(0) });
  add({ g: 'popad', code: [0x61], k: stk, f: fl(0) });
  add({ g: 'pusha', code: [0x66, 0x60], k: stk, f: fl(0) });
  add({ g: 'popa', code: [0x66, 0x61], k: stk, f: fl(0) });
  for (const lvl of [0, 1, 2, 3]) add({ g: 'enter', code: [0xc8, 0x10, 0x00, lvl], regs: [rand32(), rand32(), rand32(), 'b+0', 's+0', 's+8', rand32(), rand32()], k: stk, f: fl(0) });
  add({ g: 'leave', code: [0xc9], regs: [1, 2, 3, 'b+0', 's+0', 's+8', 6, 7], k: stk, f: fl(0) });
  add({ g: 'enter/leave', code: [0xc8, 0x08, 0x00, 0x00, 0x89, 0x45, 0xfc, 0xc9], k: stk, f: fl(0) });
  // call rel32 over a one-byte inc; the callee pops the return address into ecx
  add({ g: 'call rel32/pop', code: [0xe8, 0x01, 0x00, 0x00, 0x00, 0x41, 0x59], f: fl(0) });
  add({ g: 'call/ret', code: [0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0x02, 0x42, 0xc3, 0x43], f: fl(0) });
  add({ g: 'call/ret imm16', code: [0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0x04, 0x42, 0xc2, 0x08, 0x00], k: stk, f: fl(0) });
  add({ g: 'call r32', code: [0xe8, 0x00, 0x00, 0x00, 0x00, 0x58, 0x83, 0xc0, 0x0a, 0xff, 0xd0, 0x41, 0x42, 0x5a], f: fl(0) });
  add({ g: 'jmp r32', code: [0xe8, 0x00, 0x00, 0x00, 0x00, 0x58, 0x83, 0xc0, 0x07, 0xff, 0xe0, 0x41, 0x42], f: fl(0) });
  add({ g: 'jmp rel32', code: [0xe9, 0x01, 0x00, 0x00, 0x00, 0x41, 0x42], f: fl(0) });
  add({ g: 'jmp rel8', code: [0xeb, 0x01, 0x41, 0x42], f: fl(0) });
  add({ g: 'ret', code: [0xc3], k: [...Array(32).fill(0), ...le(0x10000400, 4), ...Array(28).fill(0)], f: fl(0) });

  // ---- loop / jecxz ----------------------------------------------------------------
  for (const ecx of [0, 1, 2, 5, 0x10000]) {
    for (const fs of [0, ZF]) {
      const regs = defaultRegs(); regs[ECX] = ecx;
      // L: inc eax; loop L  (bounded by ecx <= 5, or 0x10000 iterations for the first two)
      if (ecx <= 5 && ecx > 0) {
        add({ g: 'loop', code: [0x40, 0xe2, 0xfd], regs, f: fl(fs) });
        add({ g: 'loope', code: [0x40, 0xe1, 0xfd], regs, f: fl(fs) });
        add({ g: 'loopne', code: [0x48, 0xe0, 0xfd], regs, f: fl(fs) });
      }
      add({ g: 'jecxz', code: [0xe3, 0x01, 0x40], regs, f: fl(fs) });
      add({ g: 'jcxz', code: [0x67, 0xe3, 0x01, 0x40], regs, f: fl(fs) });
    }
  }

  // ---- string operations ------------------------------------------------------------
  const STR: Array<[number, string, boolean]> = [
    [0xa4, 'movs', false], [0xa6, 'cmps', true], [0xaa, 'stos', false], [0xac, 'lods', false], [0xae, 'scas', true],
  ];
  for (const [opc, name, cmp] of STR) {
    for (const size of [1, 2, 4]) {
      const p16 = size === 2 ? [0x66] : [];
      const o = size === 1 ? opc : opc + 1;
      for (const df of [0, DF]) {
        for (const rep of cmp ? [0, 0xf3, 0xf2] : [0, 0xf3]) {
          for (const count of rep === 0 ? [1] : [0, 1, 3, 5]) {
            const m = randomBuf();
            if (cmp) for (let i = 0; i < 8; i++) m[32 + i] = m[i]!; // equal prefix so repe runs
            const regs = defaultRegs();
            regs[ECX] = count;
            regs[ESI] = df ? 'b+24' : 'b+0';
            regs[EDI] = df ? 'b+56' : 'b+32';
            regs[EAX] = cmp ? m[34]! | (m[35]! << 8) | (m[36]! << 16) | (m[37]! << 24) : rand32();
            add({ g: `${rep === 0xf3 ? 'rep ' : rep === 0xf2 ? 'repne ' : ''}${name}${size * 8}`, code: [...(rep ? [rep] : []), ...p16, o], regs, m, f: fl(df | CF) });
          }
        }
      }
    }
  }
  add({ g: 'xlatb', code: [0xd7], regs: [0x1234560f, 1, 2, 'b+0', 's+0', 5, 6, 7], m: randomBuf(), f: fl(0) });
  add({ g: 'nop', code: [0x90], f: fl(CF) });
  add({ g: 'nop Ev', code: [0x0f, 0x1f, 0x44, 0x00, 0x00], f: fl(CF) });
  add({ g: 'pause', code: [0xf3, 0x90], f: fl(0) });

  // ---- faults -------------------------------------------------------------------------
  add({ g: 'fault #UD ud2', code: [0x41, 0x0f, 0x0b], f: fl(0) });
  add({ g: 'fault #UD lock reg', code: [0xf0, 0x01, 0xc8], f: fl(0) });
  add({ g: 'fault #UD lock mov', code: [0xf0, 0x89, 0x03], f: fl(0) });
  add({ g: 'fault #UD cmpxchg8b reg', code: [0x0f, 0xc7, 0xc8], f: fl(0) });
  add({ g: 'fault #UD lea reg', code: [0x8d, 0xc0], f: fl(0) });
  add({ g: 'fault #DE aam 0', code: [0xd4, 0x00], f: fl(0), u: ARITH });
  add({ g: 'fault #GP hlt', code: [0x41, 0xf4], f: fl(0) });
  add({ g: 'fault #GP cli', code: [0xfa], f: fl(0) });
  add({ g: 'fault #GP in', code: [0xec], f: fl(0) });
  add({ g: 'fault #GP out', code: [0xe6, 0x80], f: fl(0) });
  add({ g: 'fault #OF into', code: [0xce], f: fl(OF) });
  add({ g: 'into (no OF)', code: [0xce], f: fl(0) });
  {
    const m = [...le(-5, 4), ...le(10, 4), ...Array(56).fill(0)];
    for (const v of [-6, -5, 0, 10, 11]) {
      const regs = defaultRegs(); regs[EAX] = v;
      add({ g: v < -5 || v > 10 ? 'fault #BR bound' : 'bound', code: [0x62, ...memB(EAX)], regs, m, f: fl(0) });
    }
  }
  add({ g: 'fault #PF read guard', code: [0x41, 0x8b, 0x05, ...le(GUARD, 4)], f: fl(0) });
  add({ g: 'fault #PF write guard', code: [0x89, 0x05, ...le(GUARD + 0x10, 4)], f: fl(0) });
  add({ g: 'fault #PF write crossing into guard', code: [0x89, 0x05, ...le(GUARD - 2, 4)], t: randomBuf().slice(0, 16), f: fl(0) });
  add({ g: 'fault #PF read crossing into guard', code: [0x8b, 0x05, ...le(GUARD - 1, 4)], f: fl(0) });
  add({ g: 'fault #PF add m32 crossing into guard', code: [0x01, 0x05, ...le(GUARD - 3, 4)], t: randomBuf().slice(0, 16), f: fl(0) });
  add({ g: 'fault #PF rep stosb into guard', code: [0xf3, 0xaa], regs: [0x55, 20, 2, 'b+0', 's+0', 5, 6, GUARD - 6], t: randomBuf().slice(0, 16), f: fl(0) });
  add({ g: 'fault #PF rep movsd into guard', code: [0xf3, 0xa5], regs: [0x55, 8, 2, 'b+0', 's+0', 5, 'b+0', GUARD - 12], m: randomBuf(), t: randomBuf().slice(0, 16), f: fl(0) });
  add({ g: 'fault #PF push', code: [0x50], regs: [1, 2, 3, 'b+0', GUARD + 0x800, 5, 6, 7], f: fl(0) });
  add({ g: 'fault #PF call', code: [0xe8, 0, 0, 0, 0], regs: [1, 2, 3, 'b+0', GUARD + 4, 5, 6, 7], f: fl(0) });
  add({ g: 'fault #PF cmpxchg8b crossing', code: [0x0f, 0xc7, 0x0d, ...le(GUARD - 4, 4)], t: randomBuf().slice(0, 16), f: fl(0) });
  add({ g: 'fault #PF jump to guard', code: [0xff, 0xe0], regs: [GUARD + 0x20, 1, 2, 'b+0', 's+0', 5, 6, 7], f: fl(0) });
  add({ g: 'fault #PF pushad', code: [0x60], regs: [1, 2, 3, 'b+0', GUARD + 12, 5, 6, 7], f: fl(0) });
  for (const [d, hi, lo] of [[0, 0, 5], [-1, 0, 0x80000000 | 0], [1, 1, 0], [2, 0x10, 0]] as Array<[number, number, number]>) {
    add({ g: d === 0 || hi !== 0 ? 'fault #DE div' : 'div edge', code: [0xf7, 0xf1], regs: [lo, d, hi, 'b+0', 's+0', 5, 6, 7], f: fl(0), u: ARITH });
    add({ g: d === 0 || d === -1 || hi !== 0 ? 'fault #DE idiv' : 'idiv edge', code: [0xf7, 0xf9], regs: [lo, d, hi === 0 && d === -1 ? -1 : hi, 'b+0', 's+0', 5, 6, 7], f: fl(0), u: ARITH });
  }
  add({ g: 'fault #DE div8', code: [0xf6, 0xf1], regs: [0x1000, 0x10, 2, 'b+0', 's+0', 5, 6, 7], f: fl(0), u: ARITH });
  add({ g: 'fault #DE idiv16', code: [0x66, 0xf7, 0xf9], regs: [0, 0xffff, 0x8000, 'b+0', 's+0', 5, 6, 7], f: fl(0), u: ARITH });
  return cases;
}

// ============================================================================
// SSE / SSE2
// ============================================================================

const f32bits = (x: number): number[] => { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, x, true); return [...b]; };
const f64bits = (x: number): number[] => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, x, true); return [...b]; };
const F64V = [0, -0, 1, -1, 1.5, -2.75, 3.141592653589793, 1e300, -1e-300, 4.9e-324, 2.2250738585072014e-308, Infinity, -Infinity, NaN, 2 ** 31, -(2 ** 31) - 1, 0.5, 2.5, -0.5, 1e10, 1 / 3];
const NAN32 = [0x00, 0x00, 0xc0, 0x7f], SNAN32 = [0x01, 0x00, 0xa0, 0x7f], SNAN64 = [1, 0, 0, 0, 0, 0, 0xf4, 0x7f];

function xmmInit(parts: number[][]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 8; r++) {
    const p = parts[r] ?? [];
    for (let i = 0; i < 16; i++) out.push(p[i] ?? (rnd() & 0xff));
  }
  return out;
}

export function sseCases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const add = (c: CaseSpec): void => { cases.push({ fp: 1, ...c }); };
  const scalar64 = (i: number): number[] => [...f64bits(F64V[i % F64V.length]!), ...f64bits(F64V[(i * 7 + 3) % F64V.length]!)];
  const scalar32 = (i: number): number[] => {
    const v = (k: number): number[] => f32bits(F64V[k % F64V.length]!);
    return [...v(i), ...v(i + 5), ...v(i * 3 + 1), ...v(i + 11)];
  };
  // arithmetic: 58 add, 59 mul, 5C sub, 5D min, 5E div, 5F max, 51 sqrt
  const ARITH_OPS: Array<[number, string]> = [[0x58, 'add'], [0x59, 'mul'], [0x5c, 'sub'], [0x5d, 'min'], [0x5e, 'div'], [0x5f, 'max'], [0x51, 'sqrt']];
  const MXCSRS = [0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0];
  for (const [opc, name] of ARITH_OPS) {
    for (const [pfx, suffix, gen] of [[0xf2, 'sd', scalar64], [0xf3, 'ss', scalar32], [0x66, 'pd', scalar64], [0, 'ps', scalar32]] as const) {
      const n = suffix.endsWith('s') && suffix.length === 2 && pfx !== 0 ? 22 : 8;
      for (let i = 0; i < n; i++) {
        const mx = MXCSRS[i % MXCSRS.length]!;
        add({ g: `${name}${suffix} xmm,xmm`, code: [...(pfx ? [pfx] : []), 0x0f, opc, modrm(3, 0, 1)], x: xmmInit([gen(i), gen(i + 1)]), mx, f: fl(0) });
      }
      const m = [...gen(3), ...gen(4), ...randomBuf().slice(0, 32)];
      add({ g: `${name}${suffix} xmm,m`, code: [...(pfx ? [pfx] : []), 0x0f, opc, modrm(0, 2, EBX)], x: xmmInit([]), m, f: fl(0) });
    }
  }
  // comparisons setting EFLAGS: 2F comis, 2E ucomis
  for (let i = 0; i < F64V.length; i++) {
    for (const [pfx, suffix, gen] of [[0x66, 'sd', scalar64], [0, 'ss', scalar32]] as const) {
      add({ g: `comi${suffix}`, code: [...(pfx ? [pfx] : []), 0x0f, 0x2f, modrm(3, 0, 1)], x: xmmInit([gen(i), gen(i + 3)]), f: fl(ARITH) });
      add({ g: `ucomi${suffix}`, code: [...(pfx ? [pfx] : []), 0x0f, 0x2e, modrm(3, 0, 1)], x: xmmInit([gen(i), gen(i * 5 + 1)]), f: fl(0) });
    }
  }
  add({ g: 'ucomiss snan', code: [0x0f, 0x2e, modrm(3, 0, 1)], x: xmmInit([SNAN32, f32bits(1)]), f: fl(0) });
  add({ g: 'comisd qnan', code: [0x66, 0x0f, 0x2f, modrm(3, 0, 1)], x: xmmInit([f64bits(NaN), f64bits(1)]), f: fl(0) });
  // conversions
  for (let i = 0; i < F64V.length; i++) {
    const mx = MXCSRS[i % 4]!;
    add({ g: 'cvttsd2si', code: [0xf2, 0x0f, 0x2c, modrm(3, EAX, 1)], x: xmmInit([[], scalar64(i)]), mx, f: fl(0) });
    add({ g: 'cvtsd2si', code: [0xf2, 0x0f, 0x2d, modrm(3, EAX, 1)], x: xmmInit([[], scalar64(i)]), mx, f: fl(0) });
    add({ g: 'cvttss2si', code: [0xf3, 0x0f, 0x2c, modrm(3, EAX, 1)], x: xmmInit([[], scalar32(i)]), mx, f: fl(0) });
    add({ g: 'cvtss2si', code: [0xf3, 0x0f, 0x2d, modrm(3, EAX, 1)], x: xmmInit([[], scalar32(i)]), mx, f: fl(0) });
    add({ g: 'cvtsd2ss', code: [0xf2, 0x0f, 0x5a, modrm(3, 0, 1)], x: xmmInit([[], scalar64(i)]), mx, f: fl(0) });
    add({ g: 'cvtss2sd', code: [0xf3, 0x0f, 0x5a, modrm(3, 0, 1)], x: xmmInit([[], scalar32(i)]), mx, f: fl(0) });
  }
  for (const v of [0, 1, -1, 0x7fffffff, 0x80000000 | 0, 16777217, 0x12345679]) {
    for (const mx of [0x1f80, 0x3f80, 0x5f80, 0x7f80]) {
      const regs = defaultRegs(); regs[EAX] = v;
      add({ g: 'cvtsi2sd', code: [0xf2, 0x0f, 0x2a, modrm(3, 0, EAX)], regs, x: xmmInit([]), mx, f: fl(0) });
      add({ g: 'cvtsi2ss', code: [0xf3, 0x0f, 0x2a, modrm(3, 0, EAX)], regs, x: xmmInit([]), mx, f: fl(0) });
    }
  }
  add({ g: 'cvtdq2pd', code: [0xf3, 0x0f, 0xe6, modrm(3, 0, 1)], x: xmmInit([]), f: fl(0) });
  add({ g: 'cvttpd2dq', code: [0x66, 0x0f, 0xe6, modrm(3, 0, 1)], x: xmmInit([[], scalar64(2)]), f: fl(0) });
  add({ g: 'cvtdq2ps', code: [0x0f, 0x5b, modrm(3, 0, 1)], x: xmmInit([]), f: fl(0) });
  add({ g: 'cvttps2dq', code: [0xf3, 0x0f, 0x5b, modrm(3, 0, 1)], x: xmmInit([[], scalar32(4)]), f: fl(0) });
  add({ g: 'cvtps2pd', code: [0x0f, 0x5a, modrm(3, 0, 1)], x: xmmInit([[], scalar32(1)]), f: fl(0) });
  add({ g: 'cvtpd2ps', code: [0x66, 0x0f, 0x5a, modrm(3, 0, 1)], x: xmmInit([[], scalar64(1)]), f: fl(0) });
  // moves
  const MOVES: Array<[number[], string, boolean]> = [
    [[0xf3, 0x0f, 0x10], 'movss', false], [[0xf3, 0x0f, 0x11], 'movss st', false], [[0xf2, 0x0f, 0x10], 'movsd', false], [[0xf2, 0x0f, 0x11], 'movsd st', false],
    [[0x0f, 0x28], 'movaps', true], [[0x0f, 0x29], 'movaps st', true], [[0x0f, 0x10], 'movups', false], [[0x0f, 0x11], 'movups st', false],
    [[0x66, 0x0f, 0x28], 'movapd', true], [[0x66, 0x0f, 0x10], 'movupd', false], [[0x66, 0x0f, 0x6f], 'movdqa', true], [[0x66, 0x0f, 0x7f], 'movdqa st', true],
    [[0xf3, 0x0f, 0x6f], 'movdqu', false], [[0xf3, 0x0f, 0x7f], 'movdqu st', false], [[0x66, 0x0f, 0x6e], 'movd xmm,r/m', false], [[0x66, 0x0f, 0x7e], 'movd r/m,xmm', false],
    [[0xf3, 0x0f, 0x7e], 'movq xmm,m', false], [[0x66, 0x0f, 0xd6], 'movq m,xmm', false], [[0x0f, 0x12], 'movlps', false], [[0x0f, 0x16], 'movhps', false],
    [[0x66, 0x0f, 0x13], 'movlpd st', false], [[0x66, 0x0f, 0x17], 'movhpd st', false], [[0x66, 0x0f, 0xe7], 'movntdq', true], [[0x0f, 0x2b], 'movntps', true],
  ];
  for (const [op, name, aligned] of MOVES) {
    add({ g: `${name} mem${aligned ? ' (aligned: #GP in layout B)' : ''}`, code: [...op, modrm(1, 3, EBX), 0x00], x: xmmInit([]), m: randomBuf(), f: fl(0) });
    if (!name.includes(' st') && !name.startsWith('movlps') && !name.startsWith('movhps') && !name.startsWith('movq xmm') && !name.startsWith('movntdq')) {
      add({ g: `${name} reg`, code: [...op, modrm(3, 3, name.startsWith('movd') ? EDX : 5)], x: xmmInit([]), f: fl(0) });
    }
  }
  add({ g: 'movmskps', code: [0x0f, 0x50, modrm(3, EAX, 2)], x: xmmInit([]), f: fl(0) });
  add({ g: 'movmskpd', code: [0x66, 0x0f, 0x50, modrm(3, EAX, 2)], x: xmmInit([]), f: fl(0) });
  add({ g: 'pmovmskb', code: [0x66, 0x0f, 0xd7, modrm(3, EAX, 2)], x: xmmInit([]), f: fl(0) });
  // logic and integer SIMD (66 0F xx /r, register forms)
  const INT_OPS: Array<[number[], string]> = [
    [[0x0f, 0x54], 'andps'], [[0x0f, 0x55], 'andnps'], [[0x0f, 0x56], 'orps'], [[0x0f, 0x57], 'xorps'], [[0x66, 0x0f, 0x57], 'xorpd'],
    [[0x66, 0x0f, 0xef], 'pxor'], [[0x66, 0x0f, 0xdb], 'pand'], [[0x66, 0x0f, 0xdf], 'pandn'], [[0x66, 0x0f, 0xeb], 'por'],
    [[0x66, 0x0f, 0xfc], 'paddb'], [[0x66, 0x0f, 0xfd], 'paddw'], [[0x66, 0x0f, 0xfe], 'paddd'], [[0x66, 0x0f, 0xd4], 'paddq'],
    [[0x66, 0x0f, 0xf8], 'psubb'], [[0x66, 0x0f, 0xfa], 'psubd'], [[0x66, 0x0f, 0xfb], 'psubq'], [[0x66, 0x0f, 0xec], 'paddsb'], [[0x66, 0x0f, 0xdd], 'paddusw'],
    [[0x66, 0x0f, 0x74], 'pcmpeqb'], [[0x66, 0x0f, 0x76], 'pcmpeqd'], [[0x66, 0x0f, 0x66], 'pcmpgtd'], [[0x66, 0x0f, 0xd5], 'pmullw'], [[0x66, 0x0f, 0xe5], 'pmulhw'],
    [[0x66, 0x0f, 0xf4], 'pmuludq'], [[0x66, 0x0f, 0xda], 'pminub'], [[0x66, 0x0f, 0xde], 'pmaxub'], [[0x66, 0x0f, 0xe0], 'pavgb'], [[0x66, 0x0f, 0xf6], 'psadbw'],
    [[0x66, 0x0f, 0x60], 'punpcklbw'], [[0x66, 0x0f, 0x61], 'punpcklwd'], [[0x66, 0x0f, 0x62], 'punpckldq'], [[0x66, 0x0f, 0x6c], 'punpcklqdq'], [[0x66, 0x0f, 0x68], 'punpckhbw'], [[0x66, 0x0f, 0x6d], 'punpckhqdq'],
    [[0x66, 0x0f, 0x63], 'packsswb'], [[0x66, 0x0f, 0x67], 'packuswb'], [[0x66, 0x0f, 0x6b], 'packssdw'], [[0x0f, 0x14], 'unpcklps'], [[0x66, 0x0f, 0x14], 'unpcklpd'], [[0x0f, 0x15], 'unpckhps'],
    [[0x66, 0x0f, 0xf1], 'psllw'], [[0x66, 0x0f, 0xf2], 'pslld'], [[0x66, 0x0f, 0xf3], 'psllq'], [[0x66, 0x0f, 0xd2], 'psrld'], [[0x66, 0x0f, 0xe2], 'psrad'],
  ];
  for (const [op, name] of INT_OPS) {
    for (let i = 0; i < 3; i++) {
      const parts: number[][] = [];
      if (name.startsWith('ps') && i === 1) parts[1] = [5];
      add({ g: name, code: [...op, modrm(3, 0, 1)], x: xmmInit(parts), f: fl(0) });
    }
    add({ g: `${name} m`, code: [...op, modrm(1, 0, EBX), 0x10], x: xmmInit([]), m: randomBuf(), f: fl(0) });
  }
  const SHIFT_IMM: Array<[number, number, string]> = [[0x71, 6, 'psllw'], [0x72, 6, 'pslld'], [0x73, 6, 'psllq'], [0x72, 2, 'psrld'], [0x72, 4, 'psrad'], [0x73, 2, 'psrlq'], [0x73, 7, 'pslldq'], [0x73, 3, 'psrldq']];
  for (const [opc, ext, name] of SHIFT_IMM) for (const c of [0, 1, 7, 15, 31, 63, 200]) add({ g: `${name} imm`, code: [0x66, 0x0f, opc, modrm(3, ext, 2), c], x: xmmInit([]), f: fl(0) });
  for (const imm of [0x00, 0x1b, 0xe4, 0xff, 0x4e]) {
    add({ g: 'pshufd', code: [0x66, 0x0f, 0x70, modrm(3, 0, 1), imm], x: xmmInit([]), f: fl(0) });
    add({ g: 'pshuflw', code: [0xf2, 0x0f, 0x70, modrm(3, 0, 1), imm], x: xmmInit([]), f: fl(0) });
    add({ g: 'shufps', code: [0x0f, 0xc6, modrm(3, 0, 1), imm], x: xmmInit([]), f: fl(0) });
    add({ g: 'shufpd', code: [0x66, 0x0f, 0xc6, modrm(3, 0, 1), imm & 3], x: xmmInit([]), f: fl(0) });
  }
  for (let pred = 0; pred < 8; pred++) {
    for (let i = 0; i < 3; i++) {
      add({ g: 'cmpsd', code: [0xf2, 0x0f, 0xc2, modrm(3, 0, 1), pred], x: xmmInit([scalar64(i * 4), scalar64(i * 4 + 13)]), f: fl(0) });
      add({ g: 'cmpps', code: [0x0f, 0xc2, modrm(3, 0, 1), pred], x: xmmInit([scalar32(i * 4), scalar32(i * 4 + 13)]), f: fl(0) });
    }
  }
  add({ g: 'pinsrw', code: [0x66, 0x0f, 0xc4, modrm(3, 0, EDX), 5], x: xmmInit([]), f: fl(0) });
  add({ g: 'pextrw', code: [0x66, 0x0f, 0xc5, modrm(3, EAX, 1), 3], x: xmmInit([]), f: fl(0) });
  // MXCSR
  add({ g: 'stmxcsr', code: [0x0f, 0xae, modrm(1, 3, EBX), 0x04], mx: 0x3f80, x: xmmInit([]), m: randomBuf(), f: fl(0) });
  add({ g: 'ldmxcsr', code: [0x0f, 0xae, modrm(1, 2, EBX), 0x00], x: xmmInit([]), m: [...le(0x5fa0, 4), ...randomBuf().slice(4)], f: fl(0) });
  add({ g: 'fault #GP ldmxcsr reserved bits', code: [0x0f, 0xae, modrm(1, 2, EBX), 0x00], x: xmmInit([]), m: [...le(0x10000, 4), ...randomBuf().slice(4)], f: fl(0) });
  add({ g: 'fault #XM divss unmasked', code: [0xf3, 0x0f, 0x5e, modrm(3, 0, 1)], x: xmmInit([f32bits(1), f32bits(0)]), mx: 0x1f80 & ~0x200, f: fl(0) });
  add({ g: 'addss qnan', code: [0xf3, 0x0f, 0x58, modrm(3, 0, 1)], x: xmmInit([NAN32, SNAN32]), f: fl(0) });
  add({ g: 'addsd snan', code: [0xf2, 0x0f, 0x58, modrm(3, 0, 1)], x: xmmInit([f64bits(1), SNAN64]), f: fl(0) });
  return cases;
}

// ============================================================================
// x87
// ============================================================================

function f80bits(x: number): number[] {
  // Exact conversion of a double to the 80-bit format (for loading with fld m80).
  const out = new Array<number>(10).fill(0);
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  let exp = 0, mant = 0n;
  if (Number.isNaN(x)) { exp = 0x7fff; mant = 0xc000000000000000n; }
  else if (!Number.isFinite(x)) { exp = 0x7fff; mant = 0x8000000000000000n; }
  else if (x !== 0) {
    const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, Math.abs(x));
    const bits = b.getBigUint64(0);
    let e = Number(bits >> 52n); let m = bits & ((1n << 52n) - 1n);
    if (e === 0) { e = 1; } else m |= 1n << 52n;
    let shift = 11n;
    exp = e - 1023 + 16383;
    mant = m << shift;
    while ((mant & 0x8000000000000000n) === 0n) { mant <<= 1n; exp--; shift++; }
  }
  for (let i = 0; i < 8; i++) out[i] = Number((mant >> BigInt(8 * i)) & 0xffn);
  out[8] = exp & 0xff; out[9] = ((exp >> 8) & 0x7f) | (sign >> 8);
  return out;
}

export function x87Cases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const add = (c: CaseSpec): void => { cases.push({ fp: 2, ...c }); };
  const V = [0, -0, 1, -1, 0.1, -2.5, 3.5, 1e308, -1e-310, 5e-324, Infinity, -Infinity, NaN, 2 ** 63, -(2 ** 31), 123456789.75, 1 / 3];
  // buffer: m64 a at +0, m64 b at +8, m32 a at +16, m32 b at +20, m80 at +24, int32 at +40, int16 at +44, int64 at +48
  const bufFor = (a: number, b: number, i32 = rand32(), i64 = [rand32(), rand32()]): number[] =>
    [...f64bits(a), ...f64bits(b), ...f32bits(a), ...f32bits(b), ...f80bits(a), ...le(0, 6), ...le(i32, 4), ...le(i32 >> 7, 2), 0, 0, ...le(i64[0]!, 4), ...le(i64[1]!, 4), ...le(0, 8)];
  const FLD_A = [0xdd, modrm(0, 0, EBX)]; // fld qword [ebx]
  const FLD_B = [0xdd, modrm(1, 0, EBX), 8]; // fld qword [ebx+8]
  const CWS = [0x027f, 0x067f, 0x0a7f, 0x0e7f, 0x037f];
  for (let i = 0; i < V.length; i++) {
    const a = V[i]!, b = V[(i * 5 + 2) % V.length]!;
    const m = bufFor(a, b);
    const cw = CWS[i % CWS.length]!;
    add({ g: 'fld m64', code: FLD_A, m, cw, f: fl(0) });
    add({ g: 'fld m32', code: [0xd9, modrm(1, 0, EBX), 16], m, cw, f: fl(0) });
    add({ g: 'fld m80', code: [0xdb, modrm(1, 5, EBX), 24], m, cw, f: fl(0) });
    add({ g: 'fild m32', code: [0xdb, modrm(1, 0, EBX), 40], m, cw, f: fl(0) });
    add({ g: 'fild m16', code: [0xdf, modrm(1, 0, EBX), 44], m, cw, f: fl(0) });
    add({ g: 'fild m64 / fistp m64', code: [0xdf, modrm(1, 5, EBX), 48, 0xdf, modrm(1, 7, EBX), 56], m, cw, f: fl(0) });
    add({ g: 'fstp m32', code: [...FLD_A, 0xd9, modrm(1, 3, EBX), 16], m, cw, f: fl(0) });
    add({ g: 'fst m64', code: [...FLD_A, 0xdd, modrm(1, 2, EBX), 8], m, cw, f: fl(0) });
    add({ g: 'fstp m80', code: [...FLD_A, 0xdb, modrm(1, 7, EBX), 24], m, cw, f: fl(0) });
    add({ g: 'fistp m32', code: [...FLD_A, 0xdb, modrm(1, 3, EBX), 40], m, cw, f: fl(0) });
    add({ g: 'fistp m16', code: [...FLD_A, 0xdf, modrm(1, 3, EBX), 44], m, cw, f: fl(0) });
    add({ g: 'fistp m64', code: [...FLD_A, 0xdf, modrm(1, 7, EBX), 48], m, cw, f: fl(0) });
    add({ g: 'fist m32', code: [...FLD_A, 0xdb, modrm(1, 2, EBX), 40], m, cw, f: fl(0) });
    // arithmetic, memory and register forms
    for (const [ext, name] of [[0, 'fadd'], [1, 'fmul'], [4, 'fsub'], [5, 'fsubr'], [6, 'fdiv'], [7, 'fdivr']] as const) {
      add({ g: `${name} m64`, code: [...FLD_A, 0xdc, modrm(1, ext, EBX), 8], m, cw, f: fl(0) });
      if (i % 2 === 0) add({ g: `${name} m32`, code: [...FLD_A, 0xd8, modrm(1, ext, EBX), 20], m, cw, f: fl(0) });
      add({ g: `${name} st,st(1)`, code: [...FLD_B, ...FLD_A, 0xd8, 0xc0 | (ext << 3) | 1], m, cw, f: fl(0) });
      if (i % 3 === 0) add({ g: `${name}p st(1),st`, code: [...FLD_B, ...FLD_A, 0xde, 0xc0 | (ext << 3) | 1], m, cw, f: fl(0) });
      if (i % 3 === 1) add({ g: `${name} st(1),st`, code: [...FLD_B, ...FLD_A, 0xdc, 0xc0 | (ext << 3) | 1], m, cw, f: fl(0) });
    }
    if (i % 2 === 0) add({ g: 'fiadd m32', code: [...FLD_A, 0xda, modrm(1, 0, EBX), 40], m, cw, f: fl(0) });
    for (const [op, name] of [[0xe0, 'fchs'], [0xe1, 'fabs'], [0xfa, 'fsqrt'], [0xfc, 'frndint'], [0xe4, 'ftst'], [0xe5, 'fxam']] as const) {
      add({ g: name, code: [...FLD_A, 0xd9, op], m, cw, f: fl(0) });
    }
    // compares
    add({ g: 'fcomi', code: [...FLD_B, ...FLD_A, 0xdb, 0xf1], m, cw, f: fl(ARITH) });
    add({ g: 'fucomip', code: [...FLD_B, ...FLD_A, 0xdf, 0xe9], m, cw, f: fl(0) });
    add({ g: 'fcomip', code: [...FLD_B, ...FLD_A, 0xdf, 0xf1], m, cw, f: fl(0) });
    add({ g: 'fcom m64/fnstsw ax', code: [...FLD_A, 0xdc, modrm(1, 2, EBX), 8, 0xdf, 0xe0], m, cw, f: fl(0) });
    add({ g: 'fucompp/fnstsw ax', code: [...FLD_B, ...FLD_A, 0xda, 0xe9, 0xdf, 0xe0], m, cw, f: fl(0) });
    add({ g: 'fcomp st(1)/fnstsw m16', code: [...FLD_B, ...FLD_A, 0xd8, 0xd9, 0xdd, modrm(1, 7, EBX), 60], m, cw, f: fl(0) });
  }
  for (const [op, name] of [[0xe8, 'fld1'], [0xee, 'fldz'], [0xeb, 'fldpi'], [0xe9, 'fldl2t'], [0xea, 'fldl2e'], [0xec, 'fldlg2'], [0xed, 'fldln2']] as const) {
    for (const cw of [0x027f, 0x0e7f, 0x037f]) add({ g: name, code: [0xd9, op], cw, f: fl(0) });
  }
  const m = bufFor(1.5, -3.25);
  add({ g: 'fxch', code: [...FLD_B, ...FLD_A, 0xd9, 0xc9], m, f: fl(0) });
  add({ g: 'fld st(1)', code: [...FLD_B, ...FLD_A, 0xd9, 0xc1], m, f: fl(0) });
  add({ g: 'fstp st(1)', code: [...FLD_B, ...FLD_A, 0xdd, 0xd9], m, f: fl(0) });
  add({ g: 'ffree/fincstp', code: [...FLD_B, ...FLD_A, 0xdd, 0xc0, 0xd9, 0xf7], m, f: fl(0) });
  add({ g: 'fnstcw/fldcw', code: [0xd9, modrm(1, 7, EBX), 60, 0xd9, modrm(1, 5, EBX), 62], m: [...m.slice(0, 62), 0x7f, 0x0c], f: fl(0) });
  add({ g: 'fldcw round/fistp', code: [0xd9, modrm(1, 5, EBX), 62, 0xdd, modrm(1, 0, EBX), 8, 0xdb, modrm(1, 3, EBX), 40], m: [...m.slice(0, 62), 0x7f, 0x06], f: fl(0) });
  add({ g: 'fninit', code: [...FLD_A, 0xdb, 0xe3], m, f: fl(0) });
  add({ g: 'fnclex', code: [...FLD_A, 0xdc, 0x35, ...le(TAIL, 4), 0xdb, 0xe2], m, f: fl(0) });
  add({ g: 'stack overflow (9 loads)', code: [0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xe8], f: fl(0) });
  add({ g: 'stack underflow (fadd empty)', code: [0xd8, 0xc1], f: fl(0) });
  add({ g: 'fault #MF unmasked zero divide (at next x87 op)', code: [0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x41, 0xd9, 0xe8], cw: 0x027b, f: fl(0) });
  return cases;
}

export function allCases(): CaseSpec[] {
  return [...integerCases(), ...sseCases(), ...x87Cases()];
}
