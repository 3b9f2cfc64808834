/**
 * The code generator's context: turns decoded operands into JavaScript
 * expressions over the locals of a translated region.
 *
 * Inside a region the eight registers live in locals r0..r7 and the lazy
 * flag record in locals that mirror the Cpu's fields exactly:
 *
 *   fk = cpu.lazyOp   fa, fb, fr, fc = cpu.lz[0..3]   fs = cpu.lazySize
 *   fp = cpu.lazy     ff = cpu.flags
 *
 * so that writing them back at an exit leaves the CPU in the state the
 * interpreter would have left (the kernel, fault handlers and the
 * interpreter read flags through the same record). V8 drops assignments to
 * locals that nothing reads; on top of that the generator knows, within a
 * block, which record kind was set last (kk/ks/kp), so a jcc after cmp,
 * test, dec... compares the operands directly (cmp/test + jcc fusion), and
 * it is told which flags are live after the instruction (liveOut), so a
 * writer whose flags are all overwritten before anything reads them emits
 * nothing for them.
 *
 * Memory access: the TLB fast path inline (one load, one compare), the
 * CPU's slow path (`cpu.readSlow`) or the JIT's store helper (`J.st`) else.
 * `e` is a function-level scratch local for the TLB entry.
 */
import { PFX_ADDRSIZE, type DecodedSlots } from '../cpu/decoded.js';
import { AF, ARITH, CF, PF, SF, ZF } from '../cpu/flags.js';

export type Size = 1 | 2 | 4;

// Lazy kinds (flags.ts Lazy; a const enum there, so spelled out here and checked in tests).
export const L_ADD = 0, L_ADC = 1, L_SUB = 2, L_SBB = 3, L_LOGIC = 4, L_INC = 5, L_DEC = 6, L_RESULT = 7;

// Condition codes.
const C_O = 0, C_NO = 1, C_B = 2, C_AE = 3, C_E = 4, C_NE = 5, C_BE = 6, C_A = 7, C_S = 8, C_NS = 9, C_P = 10, C_NP = 11, C_L = 12, C_GE = 13, C_LE = 14, C_G = 15;

const ARR: Record<Size, string> = { 1: 'u8', 2: 'u16', 4: 'i32' };
const SHIFT: Record<Size, string> = { 1: '', 2: ' >> 1', 4: ' >> 2' };
const ALIGN: Record<Size, string> = { 1: '', 2: ' | (A & 1)', 4: ' | (A & 3)' };
export const MASK: Record<Size, number> = { 1: 0xff, 2: 0xffff, 4: -1 };

/**
 * CF of a pending record whose kind is not known at translation time: the
 * 32-bit SUB and ADD records (cmp, sub, add: the common cases) inline, every
 * other kind through JitState.cf.
 */
const DYNAMIC_CF = '(fs === 4 && fk === 2 ? ((fa >>> 0) < (fb >>> 0) ? 1 : 0) : fs === 4 && fk === 0 ? ((fr >>> 0) < (fa >>> 0) ? 1 : 0) : J.cf(fk, fa, fb, fr, fc, fs))';

export class Gen {
  private readonly lines: string[] = [];
  /** Registers the region reads or writes (bit per register). */
  usedRegs = 0;
  /** Static knowledge of the lazy record: kind (-1 unknown), size, pending mask (-1 unknown). */
  kk = -1;
  ks = 4;
  kp = -1;
  /** Flags live after the current instruction (ARITH bits). */
  liveOut = ARITH;
  /** The current instruction wrote memory through a path that may hit code (set by store/rmw). */
  stored = false;
  /**
   * Deferred CF: inc/dec keeping the CF of a pending 32-bit SUB/ADD record
   * save the compare's operands in locals ca/cb instead of materialising
   * CF into ff; this is CF's value (an expression) until `settle` writes
   * it into ff. Only instructions that cannot fault or leave may defer
   * (`mayDefer`); the compiler settles before any that can, and on every
   * path out of the generated code.
   */
  dcf: string | null = null;
  mayDefer = false;
  /**
   * Stack fast path: ESP's offset from its value at the entry of the case
   * being generated (null: not known statically, after an instruction that
   * writes ESP otherwise, or a handler call, which may also change the
   * TLB). In the fast copy of an inner loop (`fast`), accesses at a known
   * offset use `sp` (the entry ESP's RAM offset) directly. `sLo`/`sHi` collect the offsets used, so the check
   * can prove they all stay on ESP's page.
   */
  sd: number | null = 0;
  sLo = 0;
  sHi = -1;
  /** The current instruction's emitter maintained `sd` itself. */
  spHandled = false;

  constructor(readonly d: DecodedSlots) {}

  out(code: string): void {
    this.lines.push(code);
  }

  take(): string {
    const s = this.lines.join('\n');
    this.lines.length = 0;
    return s;
  }

  /** Takes the lines emitted so far (an inlined block's code is generated in the middle of an instruction). */
  stash(): string[] {
    return this.lines.splice(0);
  }

  unstash(lines: string[]): void {
    this.lines.unshift(...lines);
  }

  /** The state one path's code changes, to generate the other path of a branch from the same point. */
  save(): [number, number, number, number, boolean, number, string | null, number | null] {
    return [this.kk, this.ks, this.kp, this.liveOut, this.stored, this.touched, this.dcf, this.sd];
  }

  restore(st: [number, number, number, number, boolean, number, string | null, number | null]): void {
    [this.kk, this.ks, this.kp, this.liveOut, this.stored] = st;
    this.dcf = st[6];
    this.sd = st[7];
    // Registers touched on the other path may still need a write-back on this one: keep the union.
    this.touched |= st[5];
  }

  /** Forget what is known about the flag record (block entry, after a fallback). */
  unknownFlags(): void {
    this.kk = -1;
    this.kp = -1;
    this.dcf = null;
  }

  /** Statement writing a deferred CF into ff (or nothing); does not change the generator's state. */
  settleCode(): string {
    return this.dcf === null ? '' : `ff = (ff & -2) | ${this.dcf}; `;
  }

  /** Statement writing a deferred CF into ff; from here on CF is in ff. */
  settle(): string {
    const c = this.settleCode();
    this.dcf = null;
    return c;
  }

  // ---- registers ------------------------------------------------------------------

  r(n: number): string {
    this.usedRegs |= 1 << n;
    this.touched |= 1 << n;
    return `r${n}`;
  }

  /** Registers read or written since the last write-back to cpu.reg (a superset of the dirty ones). */
  touched = 0xff;

  /** Statements: write back the registers touched since the last write-back (before calling a handler). */
  syncRegs(): string {
    const out: string[] = [];
    for (let i = 0; i < 8; i++) if ((this.touched >> i) & 1) out.push(`reg[${i}] = r${i};`);
    this.touched = 0;
    return out.join(' ');
  }

  /** Value of register n at an operand size, zero-extended (8-bit: AL..BH numbering). */
  get(n: number, size: Size): string {
    if (size === 4) return this.r(n);
    if (size === 2) return `(${this.r(n)} & 0xffff)`;
    return n < 4 ? `(${this.r(n)} & 0xff)` : `((${this.r(n - 4)} >>> 8) & 0xff)`;
  }

  /** Statement: register n (at size) = v. */
  set(n: number, size: Size, v: string): string {
    if (size === 4) return `${this.r(n)} = ${v};`;
    if (size === 2) return `${this.r(n)} = (${this.r(n)} & -65536) | ((${v}) & 0xffff);`;
    if (n < 4) return `${this.r(n)} = (${this.r(n)} & -256) | ((${v}) & 0xff);`;
    const q = this.r(n - 4);
    return `${q} = (${q} & -65281) | (((${v}) & 0xff) << 8);`;
  }

  // ---- memory operands ----------------------------------------------------------------

  /** The memory operand's offset (no segment base), as lea computes it. */
  offset(s: number): string {
    const d = this.d;
    const parts: string[] = [];
    if (d.base[s]! >= 0) parts.push(this.r(d.base[s]!));
    if (d.index[s]! >= 0) parts.push(d.scale[s] === 0 ? this.r(d.index[s]!) : `(${this.r(d.index[s]!)} << ${d.scale[s]})`);
    const disp = d.disp[s]!;
    if (disp !== 0 || parts.length === 0) parts.push(String(disp));
    const sum = parts.join(' + ');
    return (d.pfx[s]! & PFX_ADDRSIZE) !== 0 ? `((${sum}) & 0xffff)` : parts.length === 1 && disp !== 0 && d.base[s]! < 0 && d.index[s]! < 0 ? String(disp | 0) : `((${sum}) | 0)`;
  }

  /** Effective linear address (FS/GS base added), as Cpu.ea. */
  ea(s: number): string {
    const sg = this.d.seg[s]!;
    const o = this.offset(s);
    return sg === 0 ? o : `((${o} + cpu.${sg === 4 ? 'fsBase' : 'gsBase'}) | 0)`;
  }

  /** Expression: load of `size` bytes at the address in local A (32-bit signed, else zero-extended). */
  load(size: Size, a = 'A'): string {
    const A = a;
    const chk = size === 1 ? `((e = tlbR[${A} >>> 12]) & 0xfff) === 4` : `(((e = tlbR[${A} >>> 12]) & 0xfff)${ALIGN[size].replace(/A/g, A)}) === 4`;
    return `(${chk} ? ${ARR[size]}[((e & -4096) ^ ${A})${SHIFT[size]}] : cpu.readSlow(${A}, ${size}))`;
  }

  /** Statement: store v (`size` bytes) at the address in local A. */
  store(size: Size, v: string, a = 'A'): string {
    this.stored = true;
    const A = a;
    const chk = size === 1 ? `((e = tlbW[${A} >>> 12]) & 0xfff) === 4` : `(((e = tlbW[${A} >>> 12]) & 0xfff)${ALIGN[size].replace(/A/g, A)}) === 4`;
    return `if (${chk}) ${ARR[size]}[((e & -4096) ^ ${A})${SHIFT[size]}] = ${v}; else ${this.codePageStore(size, v, A)}`;
  }

  /**
   * Statement: the store on a TLB write miss. A page holding code keeps its
   * JIT write entry in J.jw (runtime.ts); if the address's 32-byte chunk
   * holds no code, the store goes straight to RAM (inline: no call), else
   * through J.st (the CPU's slow path, which may drop code).
   */
  codePageStore(size: Size, v: string, A: string): string {
    const aligned = size === 1 ? '' : ` && (${A} & ${size - 1}) === 0`;
    return `if ((e = jw[${A} >>> 12]) !== 0${aligned} && J.jwFlushes === tlb.flushes && ((cbits[(e = (e & -4096) ^ ${A}) >>> 10] >>> ((e >>> 5) & 31)) & 1) === 0) { ${ARR[size]}[e${SHIFT[size]}] = ${v}; dw++; } else if (J.st(${A}, ${v}, ${size}) !== 0) stale = 1;`;
  }

  /**
   * Read-modify-write of `size` bytes at local A: probes the write first
   * (a #PF says "write"), then reads into X; `body` computes R from X; R is
   * stored. Flags must be set by the caller after this.
   */
  rmw(size: Size, body: string): string {
    this.stored = true;
    const rd = size === 4 ? 'read32' : size === 2 ? 'read16' : 'read8';
    const chk = size === 1 ? `((e = tlbW[A >>> 12]) & 0xfff) === 4` : `(((e = tlbW[A >>> 12]) & 0xfff)${ALIGN[size]}) === 4`;
    return `let P = -1, X = 0;
if (${chk}) { P = (e & -4096) ^ A; X = ${ARR[size]}[P${SHIFT[size]}]; } else { cpu.probeWrite(A, ${size}); X = cpu.${rd}(A); }
${body}
if (P >= 0) ${ARR[size]}[P${SHIFT[size]}] = R; else ${this.codePageStore(size, 'R', 'A')}`;
  }

  // ---- the stack page, checked once per case ---------------------------------------

  /** Starts a case: ESP is the entry's, no stack offsets used yet. */
  resetStack(): void {
    this.sd = 0;
    this.sLo = 0;
    this.sHi = -1;
  }

  /** Byte offset (from the entry ESP) of a dword at ESP + rel, recorded, or null if ESP is not known. */
  private stackOff(rel: number): number | null {
    if (this.sd === null) return null;
    const o = this.sd + rel;
    if (this.sHi < this.sLo) { this.sLo = o; this.sHi = o; } else { this.sLo = Math.min(this.sLo, o); this.sHi = Math.max(this.sHi, o); }
    return o;
  }

  /**
   * Generating the fast copy of a case's inner loop: entered only when the
   * case's entry check (stackCheck) proved every stack access at a known
   * offset lands on ESP's page, writable and holding no code, so those
   * accesses are direct (no TLB test, cannot fault, cannot hit code).
   */
  fast = false;

  /** Expression: the dword at local S, which is ESP + rel. */
  stackLoad(rel: number): string {
    const o = this.stackOff(rel);
    return o !== null && this.fast ? `i32[(sp + ${o}) >> 2]` : this.load(4, 'S');
  }

  /** Statement: store the dword v at local S, which is ESP + rel. */
  stackStore(v: string, rel: number): string {
    const o = this.stackOff(rel);
    return o !== null && this.fast ? `i32[(sp + ${o}) >> 2] = ${v};` : this.store(4, v, 'S');
  }

  /** ESP moved by a known amount (push/pop/call/ret). */
  espAdd(delta: number): void {
    this.spHandled = true;
    if (this.sd !== null) this.sd += delta;
  }

  /** ESP got a value not known statically. */
  espUnknown(): void {
    this.spHandled = true;
    this.sd = null;
  }

  /**
   * Condition at a case's start: true (and `sp` = ESP's RAM offset) when
   * every recorded offset from ESP lands on one page, dword-aligned, and
   * that page has a valid read and write TLB entry (so it is mapped
   * writable and holds no code: the TLB withholds write entries of code
   * pages).
   */
  stackCheck(): string {
    if (this.sHi < this.sLo) return '';
    // a = the lowest address accessed (ESP + sLo); every access lies in [a, a + sHi - sLo + 4).
    const a = `((r4 + ${this.sLo}) | 0)`;
    return `((e = tlbW[${a} >>> 12]) & 0xfff) === 4 && e === tlbR[${a} >>> 12] && (${a} & 0xfff) <= ${4092 - (this.sHi - this.sLo)} && (r4 & 3) === 0 && ((sp = ((e & -4096) ^ ${a}) - ${this.sLo}) | 1) !== 0`;
  }

  // ---- E operand (ModRM r/m) ----------------------------------------------------------

  isReg(s: number): boolean {
    return this.d.rm[s]! >= 0;
  }

  /** Statements that leave the E operand's value in local X (declared here). */
  readE(s: number, size: Size): string {
    const rm = this.d.rm[s]!;
    if (rm >= 0) return `const X = ${this.get(rm, size)};`;
    return `const A = ${this.ea(s)}; const X = ${this.load(size)};`;
  }

  // ---- flags ------------------------------------------------------------------------

  /** Writes the flag locals back to the CPU (before calling into CPU code that reads them). */
  syncFlags(): string {
    return this.settle() + 'cpu.lazyOp = fk; lz[0] = fa; lz[1] = fb; lz[2] = fr; lz[3] = fc; cpu.lazySize = fs; cpu.lazy = fp; cpu.flags = ff;';
  }

  reloadFlags(): string {
    return 'fk = cpu.lazyOp; fa = lz[0]; fb = lz[1]; fr = lz[2]; fc = lz[3]; fs = cpu.lazySize; fp = cpu.lazy; ff = cpu.flags;';
  }

  /** Records an arithmetic result (Cpu.setLazy / setLazyCarry), unless every flag it sets is dead. */
  rec(kind: number, size: Size, a: string, b: string, r: string, c?: string): void {
    this.kk = kind;
    this.ks = size;
    this.kp = ARITH;
    this.dcf = null; // CF is the record's again
    if ((this.liveOut & ARITH) === 0) return;
    this.out(`fk = ${kind}; fa = ${a}; fb = ${b}; fr = ${r};${c !== undefined ? ` fc = ${c};` : ''} fs = ${size}; fp = ${ARITH};`);
  }

  /** INC/DEC (Cpu.setLazyIncDec): CF keeps its value, materialised first if pending and live. */
  incDec(kind: number, size: Size, a: string, r: string): void {
    if ((this.liveOut & CF) !== 0) {
      if (this.kp >= 0 && (this.kp & CF) !== 0 && this.mayDefer && this.ks === 4 && (this.kk === L_SUB || this.kk === L_ADD)) {
        this.out(this.kk === L_SUB ? 'ca = fa; cb = fb;' : 'ca = fr; cb = fa;');
        this.dcf = '((ca >>> 0) < (cb >>> 0) ? 1 : 0)';
      } else if (this.kp < 0 || (this.kp & CF) !== 0) {
        const cf = this.kp < 0 ? '' : this.cfExpr();
        this.out(this.kp < 0 ? `if ((fp & 1) !== 0) ff = (ff & -2) | ${DYNAMIC_CF};` : `ff = (ff & -2) | ${cf};`);
      }
    }
    this.kk = kind;
    this.ks = size;
    this.kp = ARITH & ~CF;
    if ((this.liveOut & ARITH) === 0) return;
    this.out(`fk = ${kind}; fa = ${a}; fb = 1; fr = ${r}; fs = ${size}; fp = ${ARITH & ~CF};`);
  }

  /** Shifts/multiplies (Cpu.setResultFlags): CF/OF/AF given, SF/ZF/PF lazy from the result. */
  resultFlags(size: Size, r: string, cfOfAf: string): void {
    this.kk = 7;
    this.ks = size;
    this.kp = ZF | SF | PF;
    this.dcf = null; // CF given
    if ((this.liveOut & ARITH) === 0) return;
    this.out(`ff = (ff & ~2065) | ((${cfOfAf}) & 2065); fk = 7; fr = ${r}; fs = ${size}; fp = ${ZF | SF | PF};`);
  }

  /**
   * Statements: a known whole 32-bit ADD, SUB or LOGIC record (all six flags
   * pending) computed into `ff`, as Cpu.materialize does for it, so whoever
   * reads EFLAGS next (the kernel saving them at a sysenter) finds them
   * there; '' when the record is not known to be one of those.
   */
  materializeWhole(): string {
    const { kk, ks, kp } = this;
    if (kp !== ARITH || ks !== 4 || (kk !== L_ADD && kk !== L_SUB && kk !== L_LOGIC)) return '';
    this.dcf = null;
    this.kp = 0;
    const zsp = `PARITY[fr & 0xff] | (fr === 0 ? ${ZF} : 0) | ((fr >>> 24) & ${SF})`;
    const co = kk === L_ADD
      ? ` | (((fa & fb) | ((fa | fb) & ~fr)) >>> 31) | ((fa ^ fb ^ fr) & ${AF}) | ((((fa ^ fr) & (fb ^ fr)) >>> 31) << 11)`
      : kk === L_SUB
        ? ` | (((~fa & fb) | (~(fa ^ fb) & fr)) >>> 31) | ((fa ^ fb ^ fr) & ${AF}) | ((((fa ^ fb) & (fa ^ fr)) >>> 31) << 11)`
        : '';
    return `ff = (ff & ${~ARITH}) | ${zsp}${co}; fp = 0; `;
  }

  /** Cpu.setFlagBits(mask, value): those flags become known values. */
  flagBits(mask: number, value: string): void {
    if (this.kp >= 0) this.kp &= ~mask;
    if ((mask & CF) !== 0) this.dcf = null;
    if ((this.liveOut & mask) === 0) return; // overwritten before anything reads them
    this.out(`fp &= ${~mask}; ff = (ff & ${~mask}) | (${value});`);
  }

  /** Expression: the current CF as 0/1. */
  cfExpr(): string {
    const { kk, ks, kp } = this;
    if (kp >= 0 && (kp & CF) === 0) return this.dcf ?? '(ff & 1)';
    if (kp >= 0) {
      if (kk === L_SUB) return ks === 4 ? '((fa >>> 0) < (fb >>> 0) ? 1 : 0)' : '(fa < fb ? 1 : 0)';
      if (kk === L_ADD) return ks === 4 ? '((fr >>> 0) < (fa >>> 0) ? 1 : 0)' : '(fr < fa ? 1 : 0)';
      if (kk === L_LOGIC) return '0';
    }
    return `((fp & 1) !== 0 ? ${DYNAMIC_CF} : (ff & 1))`;
  }

  /** Expression: condition code cc holds (Cpu.cond), fused with the known record where possible. */
  cond(cc: number): string {
    const { kk, ks, kp } = this;
    const sh = 32 - ks * 8;
    if (kp === ARITH && kk === L_SUB) {
      const a = ks === 4 ? 'fa' : `(fa << ${sh})`, b = ks === 4 ? 'fb' : `(fb << ${sh})`;
      switch (cc) {
        case C_B: return `(${a} >>> 0) < (${b} >>> 0)`;
        case C_AE: return `(${a} >>> 0) >= (${b} >>> 0)`;
        case C_E: return `${a} === ${b}`;
        case C_NE: return `${a} !== ${b}`;
        case C_BE: return `(${a} >>> 0) <= (${b} >>> 0)`;
        case C_A: return `(${a} >>> 0) > (${b} >>> 0)`;
        case C_L: return `${a} < ${b}`;
        case C_GE: return `${a} >= ${b}`;
        case C_LE: return `${a} <= ${b}`;
        case C_G: return `${a} > ${b}`;
        default: break;
      }
    }
    if (kp >= 0 && kk >= 0) {
      const res = ks === 4 ? 'fr' : `(fr << ${sh})`;
      if ((kp & ZF) !== 0 && cc === C_E) return `${res} === 0`;
      if ((kp & ZF) !== 0 && cc === C_NE) return `${res} !== 0`;
      if ((kp & SF) !== 0 && cc === C_S) return `${res} < 0`;
      if ((kp & SF) !== 0 && cc === C_NS) return `${res} >= 0`;
      if ((kp & PF) !== 0 && cc === C_P) return `PARITY[fr & 0xff] !== 0`;
      if ((kp & PF) !== 0 && cc === C_NP) return `PARITY[fr & 0xff] === 0`;
      if (kk === L_LOGIC && kp === ARITH) {
        switch (cc) {
          case C_O: case C_B: return 'false';
          case C_NO: case C_AE: return 'true';
          case C_L: return `${res} < 0`;
          case C_GE: return `${res} >= 0`;
          case C_LE: return `${res} <= 0`;
          case C_G: return `${res} > 0`;
          case C_BE: return `${res} === 0`;
          case C_A: return `${res} !== 0`;
          default: break;
        }
      }
    }
    this.out(this.syncFlags());
    return `cpu.cond(${cc})`;
  }
}
