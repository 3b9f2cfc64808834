/**
 * Decoder oracle: the engine's decoder (src/cpu/decoder.ts) against iced-x86.
 *
 *  1. Over the opcode table: for every row, encodings are synthesized with
 *     each ModRM form (register, [disp32], [base], [base+disp8],
 *     [base+index*scale+disp32], SIB without base, [esp], 16-bit addressing
 *     with 0x67), with and without the operand-size prefix, with FS/GS
 *     overrides and immediates; both decoders decode them, and the length,
 *     the mnemonic, the register fields, the memory operand, the segment
 *     and the immediates / branch target are compared.
 *  2. Random byte streams (fixed seed): where iced says the encoding is a
 *     valid 32-bit instruction of a class we implement, the lengths must
 *     agree; where iced says invalid, the engine must decode to a row that
 *     raises #UD (#GP allowed for > 15 bytes); instruction classes we
 *     deliberately do not implement (UNIMPLEMENTED below) must be #UD.
 *
 * Expected values come from iced-x86 or from the bytes we built, never from
 * the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cpu } from '../../../src/cpu/cpu.js';
import type { OpRow } from '../../../src/cpu/table/types.js';
import { loadEngine, vectorOf, VEC_GP, VEC_UD, type Engine } from './engine.js';
import { decodeOne, formatInstruction, gprNumber, iced, prng, spacedHex, type IcedInstruction } from './iced.js';

const engine = await loadEngine();
const skip = typeof engine === 'string' ? engine : false;

const CODE = 0x1000;
const { CpuidFeature, Mnemonic, OpKind, Register } = iced;

// ---------------------------------------------------------------------------
// Instruction classes (random-stream part)
// ---------------------------------------------------------------------------

/** CPUID features whose instructions the engine implements: lengths must agree, no #UD. */
const REQUIRED_FEATURES = new Set<number>([
  CpuidFeature.INTEL8086, CpuidFeature.INTEL186, CpuidFeature.INTEL286, CpuidFeature.INTEL386, CpuidFeature.INTEL486,
  CpuidFeature.FPU, CpuidFeature.FPU287, CpuidFeature.FPU387, CpuidFeature.CMOV, CpuidFeature.CX8,
  CpuidFeature.SSE, CpuidFeature.SSE2, CpuidFeature.CPUID, CpuidFeature.MULTIBYTENOP, CpuidFeature.PAUSE, CpuidFeature.SEP,
]);

/**
 * Deliberately not implemented (the engine's CPUID does not report them):
 * these must decode to a #UD row. VEX/EVEX/XOP encodings (AVX...), MMX and
 * 3DNow!, and the SSE levels above SSE2.
 */
const UNIMPLEMENTED_FEATURES = new Set<number>([
  CpuidFeature.MMX, CpuidFeature.D3NOW, CpuidFeature.D3NOWEXT, CpuidFeature.SSE3, CpuidFeature.SSSE3, CpuidFeature.SSE4_1,
  CpuidFeature.SSE4_2, CpuidFeature.SSE4A, CpuidFeature.AVX, CpuidFeature.AVX2, CpuidFeature.FMA, CpuidFeature.FMA4,
  CpuidFeature.F16C, CpuidFeature.XOP, CpuidFeature.TBM,
]);
const UNIMPLEMENTED_PREFIX = /^AVX/; // every AVX512*, AVX_VNNI ...

/**
 * Mnemonics of implemented feature sets for which either answer is
 * acceptable (#UD, or a decode of the right length): segment-register loads
 * and far transfers (meaningless in the flat model), system-descriptor
 * queries, and instructions of old CPUs that may be left out.
 */
const OPTIONAL_MNEMONICS = new Set<number>([
  Mnemonic.Les, Mnemonic.Lds, Mnemonic.Lss, Mnemonic.Lfs, Mnemonic.Lgs, Mnemonic.Arpl, Mnemonic.Lar, Mnemonic.Lsl,
  Mnemonic.Verr, Mnemonic.Verw, Mnemonic.Sldt, Mnemonic.Str, Mnemonic.Sgdt, Mnemonic.Sidt, Mnemonic.Smsw,
  Mnemonic.Retf, Mnemonic.Iret, Mnemonic.Iretd, Mnemonic.Int1, Mnemonic.Salc,
  Mnemonic.Loadall, Mnemonic.Umov, Mnemonic.Ud0, Mnemonic.Ud1, Mnemonic.Ud2, Mnemonic.Ibts, Mnemonic.Xbts,
  Mnemonic.Reservednop, Mnemonic.Fnsetpm, Mnemonic.Fsetpm, Mnemonic.Frstpm, Mnemonic.Feni, Mnemonic.Fneni, Mnemonic.Fdisi, Mnemonic.Fndisi,
]);

const enum Klass { REQUIRED, OPTIONAL, UNIMPLEMENTED, PRIVILEGED }

function classify(ins: IcedInstruction): Klass {
  if (ins.isPrivileged) return Klass.PRIVILEGED;
  const feats = Array.from(ins.cpuidFeatures());
  if (feats.some((f) => UNIMPLEMENTED_FEATURES.has(f) || UNIMPLEMENTED_PREFIX.test(CpuidFeature[f] ?? ''))) return Klass.UNIMPLEMENTED;
  if (OPTIONAL_MNEMONICS.has(ins.mnemonic) || ins.isCallFar || ins.isJmpFar || ins.isCallFarIndirect || ins.isJmpFarIndirect) return Klass.OPTIONAL;
  // MMX registers (SSE-era instructions on mm0-7 too, e.g. pavgb mm, cvtps2pi): unimplemented.
  // Segment-register moves and pushes/pops: optional in the flat model.
  let seg = false;
  for (let i = 0; i < ins.opCount; i++) {
    if (ins.opKind(i) === OpKind.Register) {
      const r = ins.opRegister(i);
      if (r >= Register.MM0 && r <= Register.MM7) return Klass.UNIMPLEMENTED;
      if (r >= Register.ES && r <= Register.GS) seg = true;
    }
  }
  if (seg) return Klass.OPTIONAL;
  if (feats.every((f) => REQUIRED_FEATURES.has(f))) return Klass.REQUIRED;
  return Klass.OPTIONAL;
}

// ---------------------------------------------------------------------------
// The engine side
// ---------------------------------------------------------------------------

interface EngineDecode {
  /** Vector raised by the decoder itself, or -1. */
  decodeVector: number;
  row: OpRow | null;
  length: number;
  reg: number;
  rm: number;
  base: number;
  index: number;
  scale: number;
  disp: number;
  seg: number;
  imm: number;
  imm2: number;
}

function makeCpu(e: Engine): Cpu {
  const cpu = new e.Cpu(new e.GuestRam(64 * 1024), 16);
  cpu.mmu.cr3 = -1;
  return cpu;
}

function engineDecode(e: Engine, cpu: Cpu, bytes: Uint8Array): EngineDecode {
  cpu.u8.fill(0, CODE, CODE + 64);
  cpu.u8.set(bytes, CODE);
  const d = cpu.d;
  const v = vectorOf(cpu, () => e.decodeInstruction(cpu, CODE, 0));
  return {
    decodeVector: v,
    row: v >= 0 ? null : (e.opTable[d.op[0]!] ?? null),
    length: (d.next[0]! - CODE) | 0,
    reg: d.reg[0]!, rm: d.rm[0]!, base: d.base[0]!, index: d.index[0]!, scale: d.scale[0]!,
    disp: d.disp[0]!, seg: d.seg[0]!, imm: d.imm[0]!, imm2: d.imm2[0]!,
  };
}

/** The vector the decoded instruction raises when executed (-1: none), on a scratch state. */
function engineExecVector(cpu: Cpu, r: EngineDecode): number {
  if (r.decodeVector >= 0) return r.decodeVector;
  if (r.row === null) return -2;
  cpu.reg.fill(0);
  cpu.reg[4] = 0x8000;
  cpu.eip = CODE;
  const row = r.row;
  return vectorOf(cpu, () => row.exec(cpu, 0));
}

// ---------------------------------------------------------------------------
// Comparing one decode
// ---------------------------------------------------------------------------

const CC_ALIASES: Record<string, string> = {
  z: 'e', nz: 'ne', c: 'b', nae: 'b', nc: 'ae', nb: 'ae', na: 'be', nbe: 'a', nge: 'l', nl: 'ge', ng: 'le', nle: 'g', pe: 'p', po: 'np',
};

/** Canonical mnemonic: lower case, condition-code aliases folded to iced's spelling. */
function canonMnemonic(m: string): string {
  m = m.toLowerCase();
  for (const p of ['cmov', 'set', 'j']) {
    if (m.startsWith(p) && CC_ALIASES[m.slice(p.length)] !== undefined) return p + CC_ALIASES[m.slice(p.length)]!;
  }
  const str = /^(movs|cmps|stos|lods|scas|ins|outs)[bwdv]$/.exec(m);
  if (str) return str[1]!;
  const other: Record<string, string> = { reservednop: 'nop', sal: 'shl', wait: 'fwait', fstsw: 'fnstsw', fstcw: 'fnstcw', fclex: 'fnclex', finit: 'fninit', fsave: 'fnsave', fstenv: 'fnstenv', xlat: 'xlatb', pushfd: 'pushf', popfd: 'popf', pushad: 'pusha', popad: 'popa', cwde: 'cbw', cdq: 'cwd', iretd: 'iret' };
  return other[m] ?? m;
}

interface Expect {
  /** ModRM.reg (or opcode low bits) when it names a register; undefined when it is an opcode extension. */
  reg?: number;
  /** ModRM.rm register for mod = 3; -1 for memory; undefined when there is no ModRM. */
  rm?: number;
  addr16: boolean;
}

function immediates(ins: IcedInstruction): Array<{ value: number; mask: number }> {
  const out: Array<{ value: number; mask: number }> = [];
  for (let i = 0; i < ins.opCount; i++) {
    switch (ins.opKind(i)) {
      case OpKind.Immediate8: out.push({ value: ins.immediate8, mask: 0xff }); break;
      case OpKind.Immediate8_2nd: out.push({ value: ins.immediate8_2nd, mask: 0xff }); break;
      case OpKind.Immediate16: out.push({ value: ins.immediate16, mask: 0xffff }); break;
      case OpKind.Immediate32: out.push({ value: ins.immediate32, mask: -1 }); break;
      case OpKind.Immediate8to16: out.push({ value: ins.immediate8to16, mask: 0xffff }); break;
      case OpKind.Immediate8to32: out.push({ value: ins.immediate8to32, mask: -1 }); break;
      case OpKind.NearBranch16: out.push({ value: ins.nearBranch16, mask: 0xffff }); break;
      case OpKind.NearBranch32: out.push({ value: ins.nearBranch32, mask: -1 }); break;
      case OpKind.FarBranch16: out.push({ value: ins.farBranch16, mask: 0xffff }, { value: ins.farBranchSelector, mask: 0xffff }); break;
      case OpKind.FarBranch32: out.push({ value: ins.farBranch32, mask: -1 }, { value: ins.farBranchSelector, mask: 0xffff }); break;
      default: break;
    }
  }
  return out;
}

function hasMemoryOperand(ins: IcedInstruction): boolean {
  for (let i = 0; i < ins.opCount; i++) if (ins.opKind(i) === OpKind.Memory) return true;
  return false;
}

/** Differences between iced's and the engine's view of one valid instruction. */
function compareDecode(ins: IcedInstruction, r: EngineDecode, exp: Expect | null, immBytes = true): string[] {
  const diffs: string[] = [];
  if (r.decodeVector >= 0) return [`engine decoder raised vector ${r.decodeVector}`];
  if (r.row === null) return ['engine decoded to no row'];
  if (r.length !== ins.length) diffs.push(`length ${r.length}, iced ${ins.length}`);
  const want = canonMnemonic(iced.Mnemonic[ins.mnemonic] ?? '?');
  const names = (r.row.name.split(/\s+/)[0] ?? '').split('/').map(canonMnemonic);
  if (!names.includes(want) && !(want === 'nop' && names.includes('xchg'))) diffs.push(`row '${r.row.name}', iced mnemonic ${want}`);
  if (exp !== null) {
    if (exp.reg !== undefined && r.reg !== exp.reg) diffs.push(`reg ${r.reg}, want ${exp.reg}`);
    if (exp.rm !== undefined && exp.rm >= 0 && r.rm !== exp.rm) diffs.push(`rm ${r.rm}, want ${exp.rm}`);
    if (exp.rm === -1 && r.rm >= 0) diffs.push(`rm ${r.rm}, want memory (-1)`);
  }
  // Implicit memory operands (string ops, xlat, push/pop) are not decoded into base/index.
  if (hasMemoryOperand(ins) && (exp === null || exp.rm === -1 || (r.row.imm ?? 0) === 8)) {
    const base = gprNumber(ins.memoryBase), index = gprNumber(ins.memoryIndex);
    if (r.base !== base) diffs.push(`base ${r.base}, iced ${base}`);
    if (r.index !== index) diffs.push(`index ${r.index}, iced ${index}`);
    if (index >= 0 && 1 << r.scale !== ins.memoryIndexScale) diffs.push(`scale shift ${r.scale}, iced *${ins.memoryIndexScale}`);
    const disp = Number(ins.memoryDisplacement & 0xffffffffn) | 0;
    const m = exp?.addr16 || (ins.memoryBase >= Register.AX && ins.memoryBase <= Register.DI) || (ins.memoryIndex >= Register.AX && ins.memoryIndex <= Register.DI) ? 0xffff : -1;
    if ((r.disp & m) !== (disp & m)) diffs.push(`disp 0x${(r.disp >>> 0).toString(16)}, iced 0x${(disp >>> 0).toString(16)}`);
    const seg = ins.segmentPrefix === Register.FS ? 4 : ins.segmentPrefix === Register.GS ? 5 : 0;
    if (r.seg !== seg) diffs.push(`seg ${r.seg}, iced ${seg}`);
  }
  // Implicit operands (the 1 of D0/D1 shifts) have no bytes: nothing to compare.
  const imms = immBytes ? immediates(ins) : [];
  if (imms.length >= 1 && (r.imm & imms[0]!.mask) !== (imms[0]!.value & imms[0]!.mask)) diffs.push(`imm 0x${(r.imm >>> 0).toString(16)}, iced 0x${(imms[0]!.value >>> 0).toString(16)}`);
  if (imms.length >= 2 && (r.imm2 & imms[1]!.mask) !== (imms[1]!.value & imms[1]!.mask)) diffs.push(`imm2 0x${(r.imm2 >>> 0).toString(16)}, iced 0x${(imms[1]!.value >>> 0).toString(16)}`);
  return diffs;
}

// ---------------------------------------------------------------------------
// Synthesizing encodings from a table row
// ---------------------------------------------------------------------------

interface Synth { bytes: number[]; exp: Expect }

/** Memory ModRM forms: [mod/rm byte without reg, ...rest], 32-bit addressing. */
const MEM32: number[][] = [
  [0x05, 0x78, 0x56, 0x34, 0x12], // [disp32]
  [0x03], // [ebx]
  [0x46, 0x80], // [esi-128]
  [0x84, 0xb7, 0x44, 0x33, 0x22, 0x91], // [edi+esi*4+disp32]
  [0x04, 0xcd, 0x10, 0x20, 0x30, 0x40], // [ecx*8+disp32] (SIB, no base)
  [0x04, 0x24], // [esp]
  [0x45, 0x7f], // [ebp+127]
  [0x44, 0x50, 0xfe], // [eax+edx*2-2]
];
/** 16-bit addressing forms (with 0x67). */
const MEM16: number[][] = [
  [0x06, 0x34, 0x92], // [disp16]
  [0x40, 0x85], // [bx+si-123]
  [0x82, 0x10, 0x80], // [bp+si+disp16]
  [0x07], // [bx]
];

function immBytes(kind: number, osize16: boolean, asize16: boolean): number[] {
  switch (kind) {
    case 1: case 2: case 6: return [0x85]; // B, SB, REL8
    case 3: return [0x34, 0x12]; // W
    case 4: return [0x21, 0x43, 0x65, 0x87]; // D
    case 5: case 7: return osize16 ? [0xf0, 0xff] : [0x00, 0xf0, 0xff, 0xff]; // V, RELV (backwards)
    case 8: return asize16 ? [0x78, 0x56] : [0x78, 0x56, 0x34, 0x12]; // MOFFS
    case 9: return [0x10, 0x00, 0x03]; // W_B
    case 10: return osize16 ? [0x34, 0x12, 0x1b, 0x00] : [0x78, 0x56, 0x34, 0x12, 0x1b, 0x00]; // FAR
    default: return [];
  }
}

function opcodeBytes(op: number): number[] {
  if (op <= 0xff) return [op];
  if (op <= 0x0fff) return [0x0f, op & 0xff];
  return [0x0f, (op >> 8) & 0xff, op & 0xff];
}

function synthesize(row: OpRow): Synth[] {
  const out: Synth[] = [];
  const osizes: boolean[] = row.osize === 16 ? [true] : row.osize === 32 || row.prefix !== undefined ? [false] : [false, true];
  const imm = row.imm ?? 0;
  for (const o16 of osizes) {
    const pre = o16 ? [0x66] : [];
    const mand = row.prefix !== undefined ? [row.prefix] : [];
    const ob = opcodeBytes(row.opcode);
    if (!row.modrm) {
      const regs = row.regInOpcode ? [0, 1, 3, 4, 7] : [-1];
      for (const r of regs) {
        const op = ob.slice();
        if (r >= 0) op[op.length - 1] = (op[op.length - 1]! & ~7) | r;
        const exp: Expect = { addr16: false };
        if (r >= 0) exp.reg = r;
        out.push({ bytes: [...pre, ...mand, ...op, ...immBytes(imm, o16, false)], exp });
        if (imm === 8) out.push({ bytes: [...pre, 0x67, ...mand, ...op, ...immBytes(imm, o16, true)], exp: { addr16: true } });
      }
      continue;
    }
    const regFields = row.ext !== undefined ? [row.ext] : [0, 2, 5, 7];
    const tail = immBytes(imm, o16, false);
    for (const rf of regFields) {
      const regExp = row.ext !== undefined ? undefined : rf;
      if (row.mod !== 'mem') {
        const rms = row.rm !== undefined ? [row.rm] : [rf === 0 ? 1 : 0, 3, 6];
        for (const rm of rms) {
          const e: Expect = { rm, addr16: false };
          if (regExp !== undefined) e.reg = regExp;
          out.push({ bytes: [...pre, ...mand, ...ob, 0xc0 | (rf << 3) | rm, ...tail], exp: e });
        }
      }
      if (row.mod !== 'reg' && row.rm === undefined) {
        for (let i = 0; i < MEM32.length; i++) {
          const m = MEM32[i]!;
          const seg = i === 1 ? [0x64] : i === 3 ? [0x65] : [];
          const e: Expect = { rm: -1, addr16: false };
          if (regExp !== undefined) e.reg = regExp;
          out.push({ bytes: [...seg, ...pre, ...mand, ...ob, m[0]! | (rf << 3), ...m.slice(1), ...tail], exp: e });
        }
        for (const m of MEM16) {
          const e: Expect = { rm: -1, addr16: true };
          if (regExp !== undefined) e.reg = regExp;
          out.push({ bytes: [0x67, ...pre, ...mand, ...ob, m[0]! | (rf << 3), ...m.slice(1), ...tail], exp: e });
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

class Failures {
  readonly groups = new Map<string, string[]>();
  count = 0;
  add(group: string, line: string): void {
    this.count++;
    let g = this.groups.get(group);
    if (g === undefined) this.groups.set(group, (g = []));
    g.push(line);
  }
  report(title: string, perGroup = 4): string {
    const lines = [`${title}: ${this.count} failure(s) in ${this.groups.size} group(s)`];
    const sorted = [...this.groups.entries()].sort((a, b) => b[1].length - a[1].length);
    for (const [g, items] of sorted) {
      lines.push(`  ${g} (${items.length}):`);
      for (const l of items.slice(0, perGroup)) lines.push(`      ${l}`);
    }
    return lines.join('\n');
  }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

test('decoder oracle: every opcode-table row against iced-x86', { skip }, () => {
  const e = engine as Engine;
  const cpu = makeCpu(e);
  const fails = new Failures();
  const rejected: string[] = [];
  let compared = 0;
  for (const row of e.opTable) {
    if (row.name.startsWith('lock ')) continue; // locked twins (ops/locked.ts): an SMP core's rows for the plain rows' encodings
    let accepted = 0;
    for (const s of synthesize(row)) {
      const bytes = Uint8Array.from([...s.bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const ins = decodeOne(bytes, CODE);
      try {
        if (ins.isInvalid) continue; // the synthesized form is not a valid encoding (e.g. a register form of a memory-only opcode)
        accepted++;
        compared++;
        const r = engineDecode(e, cpu, bytes);
        const diffs = compareDecode(ins, r, s.exp, (row.imm ?? 0) !== 0);
        if (diffs.length > 0) fails.add(row.name, `${spacedHex(s.bytes)}  (${formatInstruction(ins)}): ${diffs.join('; ')}`);
      } finally {
        ins.free();
      }
    }
    if (accepted === 0) rejected.push(row.name);
  }
  let msg = fails.report(`table rows: ${compared} encodings compared`);
  if (rejected.length > 0) msg += `\n  rows for which iced accepted none of the synthesized encodings (check the row): ${rejected.join(', ')}`;
  console.log(msg);
  assert.equal(fails.count, 0, msg);
});

/** Bytes that look like instructions more often than uniform noise does. */
function randomStream(rnd: () => number): Uint8Array {
  const PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65];
  const b: number[] = [];
  const np = rnd() % 100 < 35 ? 1 + (rnd() % 3) : 0;
  for (let i = 0; i < np; i++) b.push(PREFIXES[rnd() % PREFIXES.length]!);
  const esc = rnd() % 100;
  if (esc < 35) b.push(0x0f);
  if (esc < 4) b.push(0x38);
  else if (esc < 7) b.push(0x3a);
  else if (esc >= 35 && esc < 45) b.push(0xd8 + (rnd() % 8)); // x87
  while (b.length < 16) b.push(rnd() & 0xff);
  if (rnd() % 50 === 0) for (let i = 0; i < 16; i++) b[i] = PREFIXES[rnd() % 4]!; // over-long
  return Uint8Array.from([...b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
}

test('decoder oracle: random byte streams against iced-x86', { skip }, () => {
  const e = engine as Engine;
  const cpu = makeCpu(e);
  const rnd = prng(0x5eed1ced);
  const fails = new Failures();
  const counts = { required: 0, optional: 0, unimplemented: 0, privileged: 0, invalid: 0 };
  const N = 6000;
  for (let n = 0; n < N; n++) {
    const bytes = randomStream(rnd);
    const ins = decodeOne(bytes, CODE);
    try {
      const text = ins.isInvalid ? '(invalid)' : formatInstruction(ins);
      const shown = spacedHex(bytes.subarray(0, Math.max(1, Math.min(16, ins.length))));
      const r = engineDecode(e, cpu, bytes);
      if (ins.isInvalid) {
        counts.invalid++;
        const v = engineExecVector(cpu, r);
        const ok = v === VEC_UD || (ins.length >= 15 && v === VEC_GP);
        if (!ok) fails.add('iced: invalid, engine: not #UD', `${spacedHex(bytes.subarray(0, 16))}: engine row '${r.row?.name ?? '-'}' len ${r.length}, exec vector ${v}`);
        continue;
      }
      const k = classify(ins);
      const mn = iced.Mnemonic[ins.mnemonic] ?? '?';
      if (k === Klass.UNIMPLEMENTED) {
        counts.unimplemented++;
        const v = engineExecVector(cpu, r);
        if (v !== VEC_UD) fails.add(`unimplemented class must be #UD: ${mn}`, `${shown}  (${text}): engine row '${r.row?.name ?? '-'}', exec vector ${v}`);
        continue;
      }
      if (k === Klass.PRIVILEGED) {
        counts.privileged++;
        const v = engineExecVector(cpu, r);
        if (v !== VEC_GP && v !== VEC_UD) fails.add(`privileged must be #GP (or #UD): ${mn}`, `${shown}  (${text}): engine row '${r.row?.name ?? '-'}', exec vector ${v}`);
        continue;
      }
      const v = engineExecVector(cpu, r);
      if (ins.mnemonic === Mnemonic.Ud0 || ins.mnemonic === Mnemonic.Ud1 || ins.mnemonic === Mnemonic.Ud2) {
        // Their length does not matter: they must raise #UD.
        if (v !== VEC_UD) fails.add(`ud0/ud1/ud2 must raise #UD: ${mn}`, `${shown}  (${text}): exec vector ${v}`);
        continue;
      }
      if (k === Klass.OPTIONAL) {
        counts.optional++;
        if (v === VEC_UD || v === VEC_GP) continue;
      } else {
        counts.required++;
        if (v === VEC_UD) {
          fails.add(`implemented class decoded as #UD: ${mn}`, `${shown}  (${text})`);
          continue;
        }
      }
      if (r.decodeVector >= 0 || r.length !== ins.length) {
        fails.add(`length: ${mn}`, `${shown}  (${text}): engine ${r.decodeVector >= 0 ? `decoder raised ${r.decodeVector}` : `length ${r.length} row '${r.row?.name ?? '-'}'`}, iced ${ins.length}`);
      }
    } finally {
      ins.free();
    }
  }
  const msg = fails.report(`random streams: ${N} (required ${counts.required}, optional ${counts.optional}, unimplemented ${counts.unimplemented}, privileged ${counts.privileged}, invalid ${counts.invalid})`);
  console.log(msg);
  assert.equal(fails.count, 0, msg);
});

test('decoder oracle: iced-x86 self-check (runs without the engine)', () => {
  // Guards the oracle itself: a few encodings whose decoding is known.
  const cases: Array<[number[], string, number]> = [
    [[0x01, 0xc8], 'add eax,ecx', 2],
    [[0x67, 0x8b, 0x42, 0xfe], 'mov eax,[bp+si-2]', 4],
    [[0x64, 0xa1, 0x18, 0x00, 0x00, 0x00], 'mov eax,fs:[0x18]', 6],
    [[0x66, 0x0f, 0x6f, 0xc1], 'movdqa xmm0,xmm1', 4],
  ];
  for (const [b, text, len] of cases) {
    const ins = decodeOne(Uint8Array.from([...b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), CODE);
    assert.equal(ins.length, len);
    assert.equal(formatInstruction(ins), text);
    ins.free();
  }
  // Synthesis sanity: every memory form decodes to a valid instruction of the expected length.
  for (const m of MEM32) {
    const ins = decodeOne(Uint8Array.from([0x8b, ...m, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), CODE);
    assert.equal(ins.length, 1 + m.length, spacedHex(m));
    ins.free();
  }
  for (const m of MEM16) {
    const ins = decodeOne(Uint8Array.from([0x67, 0x8b, ...m, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), CODE);
    assert.equal(ins.length, 2 + m.length, spacedHex(m));
    ins.free();
  }
});
