/**
 * One i386 core: its architectural state, its view of guest memory through
 * the MMU and TLB, lazy flags, and the operand helpers that instruction
 * handlers use. Decoding and the run loop live in decoder.ts and
 * interpreter.ts; the instruction semantics in the handler files the opcode
 * table (table/) points at.
 *
 *   handler(cpu, slot) ──> cpu.readE32(slot) ──> cpu.read32(ea) ──> TLB hit: RAM
 *                                                      └─ miss: Mmu.translate → fill / #PF
 *
 * Memory fast paths are one TLB load, one compare and one RAM load; every
 * other case (TLB miss, unaligned, page crossing, MMIO, writes to pages
 * holding decoded code) goes to a *Slow method.
 */
import { GuestRam } from '../machine/ram.js';
import { Access, Mmu, TRANSLATE_FAULT } from '../mmu/mmu.js';
import { TLB_VALID } from '../mmu/tlb.js';
import { DecodedSlots, PFX_ADDRSIZE } from './decoded.js';
import { CpuException, FaultInfo, Vector } from './fault.js';
import { AF, ARITH, CF, Cond, FIXED_ONE, IF, Lazy, OF, PARITY, PF, SF, USER_WRITABLE, ZF } from './flags.js';
import { FLAT_SELECTORS, SseState, X87State } from './state.js';

/** Physical-memory side effects the CPU needs from outside (decode cache, devices). */
export interface CpuMemoryHooks {
  /** A write reached physical page(s) holding decoded code: [paddr, paddr+size). */
  codeWritten(paddr: number, size: number): void;
  /** MMIO read of a physical address outside RAM; return undefined when no device is there. */
  mmioRead?(paddr: number, size: 1 | 2 | 4): number | undefined;
  /** MMIO write; return false when no device is there. */
  mmioWrite?(paddr: number, size: 1 | 2 | 4, value: number): boolean;
}

const SIZE_MASK = [0, 0xff, 0xffff, 0, 0xffffffff | 0];

/** Indices in Cpu.lz (the lazy-flags record's 32-bit values). */
export const LZ_A = 0, LZ_B = 1, LZ_RES = 2, LZ_C = 3;

export class Cpu {
  // ---- architectural state ----
  /**
   * eax, ecx, edx, ebx, esp, ebp, esi, edi. The kernel on one core points
   * this at the running thread's save-area words in guest RAM (src/kernel/
   * reg-views.ts), so code must read `cpu.reg` afresh after anything that
   * may switch threads (the run loops' onSysenter call), never keep it.
   */
  reg: Int32Array = new Int32Array(8);
  eip = 0;
  /** Materialized EFLAGS bits; the bits in `lazy` are pending in the lazy record instead. User mode always runs with IF set. */
  flags = FIXED_ONE | IF;
  readonly sel = Uint16Array.from(FLAT_SELECTORS);
  fsBase = 0;
  gsBase = 0;
  readonly sse = new SseState();
  readonly x87 = new X87State();

  // ---- lazy flags record (see flags.ts) ----
  /** Which of CF/PF/AF/ZF/SF/OF are pending. */
  lazy = 0;
  lazyOp: Lazy = Lazy.LOGIC;
  /**
   * Operands, result and carry-in of the record: lz[LZ_A], lz[LZ_B], lz[LZ_RES], lz[LZ_C].
   * An Int32Array, not fields: V8 keeps only 31-bit integers unboxed in object
   * fields, so storing a 32-bit operand into a field can box it (measured: ~3 ns per
   * ALU instruction on the guest loops); typed-array stores never do.
   */
  readonly lz = new Int32Array(4);
  /** Operand size in bytes: 1, 2 or 4. */
  lazySize = 4;

  // ---- memory ----
  readonly mmu: Mmu;
  readonly ram: GuestRam;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly tlbR: Int32Array;
  readonly tlbW: Int32Array;
  hooks: CpuMemoryHooks | null = null;

  // ---- decode ----
  readonly d: DecodedSlots;

  // ---- faults ----
  readonly fault = new FaultInfo();
  /** Thrown by raise(); one instance, never an Error (no stack capture). */
  readonly exception = new CpuException(this);

  /** Instructions retired (updated by the run loop at block granularity). */
  retired = 0;
  /** Core number (for cpuid's APIC id and for the kernel). */
  coreId = 0;
  /**
   * SMP: the machine-wide guest-atomics lock (word `atomicLockIndex`), shared
   * by every core's CPU. Set, the decoder gives LOCK-prefixed and xchg memory
   * forms their locked rows (ops/locked.ts); null (one core): the plain rows.
   */
  atomicLock: Int32Array | null = null;
  atomicLockIndex = 0;
  /**
   * SMP: the word other cores set to make this one enter the kernel (an
   * IPI: CORE_ATTENTION, src/kernel/state.ts). The engine's loop (src/jit/runtime.ts)
   * looks at it between regions and returns Stop.INTERRUPT when it is not
   * 0. Null elsewhere (one core: nothing to look at).
   */
  attention: Int32Array | null = null;
  attentionIndex = 0;
  /**
   * The kernel's sysenter fastpath, called by the run loops (run, runJit)
   * when a sysenter stops the engine: true means it handled the system
   * call and switched the CPU to the registers of the thread that runs
   * next, so the loop goes on there with a fresh budget instead of
   * returning Stop.SYSCALL (seL4's fastpath returns to user mode without
   * going through the kernel's main path). Null: every sysenter returns.
   */
  onSysenter: (() => boolean) | null = null;
  /**
   * CR0.TS as seL4 uses it for its lazy FPU switch: non-zero makes every
   * x87/SSE instruction raise #NM (device not available) before it does
   * anything (fences and prefetches excepted, as on hardware; table/index.ts).
   * The kernel sets it when the thread switched in does not own the FPU
   * registers and clears it when it hands them over (src/kernel/fpu.ts).
   */
  fpuTrap = 0;

  constructor(ram: GuestRam, slots = 1 << 16) {
    this.ram = ram;
    this.mmu = new Mmu(ram);
    this.u8 = ram.u8;
    this.u16 = ram.u16;
    this.i32 = ram.i32;
    this.tlbR = this.mmu.tlb.read;
    this.tlbW = this.mmu.tlb.write;
    this.d = new DecodedSlots(slots);
  }

  // =====================================================================
  // Faults
  // =====================================================================

  /** Raises a CPU exception: records it and unwinds to the run loop. */
  raise(vector: Vector, errorCode = 0, address = 0): never {
    const f = this.fault;
    f.vector = vector;
    f.errorCode = errorCode;
    f.address = address;
    throw this.exception;
  }

  private pageFault(vaddr: number): never {
    return this.raise(Vector.PF, this.mmu.faultCode, vaddr);
  }

  // =====================================================================
  // Memory: linear addresses, user mode
  // =====================================================================

  read8(a: number): number {
    const e = this.tlbR[a >>> 12]!;
    if ((e & 0xfff) === TLB_VALID) return this.u8[(e & ~0xfff) ^ a]!;
    return this.readSlow(a, 1);
  }

  read16(a: number): number {
    const e = this.tlbR[a >>> 12]!;
    if (((e & 0xfff) | (a & 1)) === TLB_VALID) return this.u16[((e & ~0xfff) ^ a) >> 1]!;
    return this.readSlow(a, 2);
  }

  /** Returns the dword as a signed int32. */
  read32(a: number): number {
    const e = this.tlbR[a >>> 12]!;
    if (((e & 0xfff) | (a & 3)) === TLB_VALID) return this.i32[((e & ~0xfff) ^ a) >> 2]!;
    return this.readSlow(a, 4);
  }

  write8(a: number, v: number): void {
    const e = this.tlbW[a >>> 12]!;
    if ((e & 0xfff) === TLB_VALID) { this.u8[(e & ~0xfff) ^ a] = v; return; }
    this.writeSlow(a, 1, v);
  }

  write16(a: number, v: number): void {
    const e = this.tlbW[a >>> 12]!;
    if (((e & 0xfff) | (a & 1)) === TLB_VALID) { this.u16[((e & ~0xfff) ^ a) >> 1] = v; return; }
    this.writeSlow(a, 2, v);
  }

  write32(a: number, v: number): void {
    const e = this.tlbW[a >>> 12]!;
    if (((e & 0xfff) | (a & 3)) === TLB_VALID) { this.i32[((e & ~0xfff) ^ a) >> 2] = v; return; }
    this.writeSlow(a, 4, v);
  }

  /** Instruction fetch of one byte (the decoder's path; faults as a fetch). */
  fetch8(a: number): number {
    const e = this.tlbR[a >>> 12]!;
    if ((e & 0xfff) === TLB_VALID) return this.u8[(e & ~0xfff) ^ a]!;
    const p = this.translate(a, Access.FETCH);
    if (p >= this.ram.size) return this.raise(Vector.PF, 1 | 4, a);
    return this.u8[p]!;
  }

  /** Translates or raises #PF. Returns a physical address (may be outside RAM: MMIO). */
  translate(a: number, access: Access): number {
    const p = this.mmu.translate(a, access);
    if (p === TRANSLATE_FAULT) return this.pageFault(a);
    return p;
  }

  /**
   * Checks that [a, a+size) is writable (translating both pages of a
   * page-crossing access) without writing: used by instructions that must
   * not commit anything when a later write would fault.
   */
  probeWrite(a: number, size: number): void {
    if ((this.tlbW[a >>> 12]! & 0xfff) !== TLB_VALID) this.translate(a, Access.WRITE);
    const last = (a + size - 1) | 0;
    const second = ((a | 0xfff) + 1) | 0;
    if (((last ^ a) & ~0xfff) !== 0 && (this.tlbW[second >>> 12]! & 0xfff) !== TLB_VALID) this.translate(second, Access.WRITE);
  }

  readSlow(a: number, size: 1 | 2 | 4): number {
    a |= 0;
    const last = (a + size - 1) | 0;
    if (((last ^ a) & ~0xfff) !== 0) {
      // Crosses a page: translate both pages before reading anything. The
      // second page is translated at its first byte, which is what CR2
      // reports when it faults (as the hardware does).
      const second = ((a | 0xfff) + 1) | 0;
      const p0 = this.translate(a, Access.READ);
      const p1 = this.translate(second, Access.READ);
      let v = 0;
      for (let i = 0; i < size; i++) {
        const ai = (a + i) | 0;
        const p = ((ai ^ a) & ~0xfff) === 0 ? p0 + i : p1 + (ai - second);
        v |= this.readPhys8(p, ai) << (8 * i);
      }
      return size === 4 ? v | 0 : v;
    }
    const p = this.translate(a, Access.READ);
    if (p >= this.ram.size) return this.mmioRead(p, size, a);
    const u8 = this.u8;
    if (size === 1) return u8[p]!;
    if (size === 2) return u8[p]! | (u8[p + 1]! << 8);
    return u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24);
  }

  private readPhys8(p: number, a: number): number {
    if (p >= this.ram.size) return this.mmioRead(p, 1, a);
    return this.u8[p]!;
  }

  private mmioRead(p: number, size: 1 | 2 | 4, a: number): number {
    const v = this.hooks?.mmioRead?.(p, size);
    if (v === undefined) return this.raise(Vector.PF, 1 | 4, a);
    return v;
  }

  writeSlow(a: number, size: 1 | 2 | 4, v: number): void {
    a |= 0;
    const last = (a + size - 1) | 0;
    const p0 = this.translate(a, Access.WRITE);
    if (((last ^ a) & ~0xfff) !== 0) {
      const second = ((a | 0xfff) + 1) | 0;
      const p1 = this.translate(second, Access.WRITE);
      for (let i = 0; i < size; i++) {
        const ai = (a + i) | 0;
        const p = ((ai ^ a) & ~0xfff) === 0 ? p0 + i : p1 + (ai - second);
        this.writePhys(p, 1, (v >>> (8 * i)) & 0xff, ai);
      }
      return;
    }
    this.writePhys(p0, size, v, a);
  }

  private writePhys(p: number, size: 1 | 2 | 4, v: number, a: number): void {
    if (p >= this.ram.size) {
      if (this.hooks?.mmioWrite?.(p, size, v) !== true) this.raise(Vector.PF, 1 | 2 | 4, a);
      return;
    }
    const u8 = this.u8;
    u8[p] = v;
    if (size >= 2) u8[p + 1] = v >>> 8;
    if (size === 4) { u8[p + 2] = v >>> 16; u8[p + 3] = v >>> 24; }
    // No TLB write entry means: not yet walked, or a page with decoded code.
    const codePages = this.mmu.codePages;
    if (codePages !== null && codePages.hasCode(p >>> 12)) this.hooks?.codeWritten(p, size);
  }

  /** 64-bit read as two dwords into out[0] (low), out[1] (high); both checked before return. */
  read64(a: number, out: Int32Array, at = 0): void {
    const lo = this.read32(a);
    out[at + 1] = this.read32((a + 4) | 0);
    out[at] = lo;
  }

  /** 64-bit write; the whole range is probed first so a fault writes nothing. */
  write64(a: number, lo: number, hi: number): void {
    this.probeWrite(a, 8);
    this.write32(a, lo);
    this.write32((a + 4) | 0, hi);
  }

  // =====================================================================
  // Registers
  // =====================================================================

  getReg8(r: number): number {
    return r < 4 ? this.reg[r]! & 0xff : (this.reg[r - 4]! >>> 8) & 0xff;
  }

  setReg8(r: number, v: number): void {
    if (r < 4) this.reg[r] = (this.reg[r]! & ~0xff) | (v & 0xff);
    else this.reg[r - 4] = (this.reg[r - 4]! & ~0xff00) | ((v & 0xff) << 8);
  }

  getReg16(r: number): number {
    return this.reg[r]! & 0xffff;
  }

  setReg16(r: number, v: number): void {
    this.reg[r] = (this.reg[r]! & ~0xffff) | (v & 0xffff);
  }

  // =====================================================================
  // Operands of the decoded instruction in slot s
  // =====================================================================

  /** Effective linear address of the memory operand (FS/GS base added). */
  ea(s: number): number {
    const d = this.d;
    let a = d.disp[s]!;
    const b = d.base[s]!;
    if (b >= 0) a += this.reg[b]!;
    const x = d.index[s]!;
    if (x >= 0) a += this.reg[x]! << d.scale[s]!;
    if ((d.pfx[s]! & PFX_ADDRSIZE) !== 0) a &= 0xffff;
    const sg = d.seg[s]!;
    if (sg !== 0) a += sg === 4 ? this.fsBase : this.gsBase;
    return a | 0;
  }

  readE32(s: number): number {
    const r = this.d.rm[s]!;
    return r >= 0 ? this.reg[r]! : this.read32(this.ea(s));
  }

  writeE32(s: number, v: number): void {
    const r = this.d.rm[s]!;
    if (r >= 0) this.reg[r] = v;
    else this.write32(this.ea(s), v);
  }

  readE16(s: number): number {
    const r = this.d.rm[s]!;
    return r >= 0 ? this.reg[r]! & 0xffff : this.read16(this.ea(s));
  }

  writeE16(s: number, v: number): void {
    const r = this.d.rm[s]!;
    if (r >= 0) this.setReg16(r, v);
    else this.write16(this.ea(s), v);
  }

  readE8(s: number): number {
    const r = this.d.rm[s]!;
    return r >= 0 ? this.getReg8(r) : this.read8(this.ea(s));
  }

  writeE8(s: number, v: number): void {
    const r = this.d.rm[s]!;
    if (r >= 0) this.setReg8(r, v);
    else this.write8(this.ea(s), v);
  }

  // =====================================================================
  // Flags
  // =====================================================================

  /** Records a flag-setting operation; size in bytes (1, 2, 4). */
  setLazy(op: Lazy, a: number, b: number, res: number, size: number): void {
    this.lazyOp = op;
    this.lz[LZ_A] = a;
    this.lz[LZ_B] = b;
    this.lz[LZ_RES] = res;
    this.lazySize = size;
    this.lazy = ARITH;
  }

  /** ADC/SBB: as setLazy with the carry/borrow-in. */
  setLazyCarry(op: Lazy.ADC | Lazy.SBB, a: number, b: number, c: number, res: number, size: number): void {
    this.lz[LZ_C] = c;
    this.setLazy(op, a, b, res, size);
  }

  /** INC/DEC: all arithmetic flags but CF, which keeps its current value. */
  setLazyIncDec(op: Lazy.INC | Lazy.DEC, a: number, res: number, size: number): void {
    if ((this.lazy & CF) !== 0) this.flags = (this.flags & ~CF) | this.computeCF();
    this.lazyOp = op;
    this.lz[LZ_A] = a;
    this.lz[LZ_B] = 1;
    this.lz[LZ_RES] = res;
    this.lazySize = size;
    this.lazy = ARITH & ~CF;
  }

  /**
   * An instruction that computes CF/OF/AF itself (shifts, multiplies, bit
   * ops): `cfOfAf` holds those bits; ZF/SF/PF come lazily from `res`.
   */
  setResultFlags(res: number, size: number, cfOfAf: number): void {
    this.flags = (this.flags & ~(CF | OF | AF)) | (cfOfAf & (CF | OF | AF));
    this.lazyOp = Lazy.RESULT;
    this.lz[LZ_RES] = res;
    this.lazySize = size;
    this.lazy = ZF | SF | PF;
  }

  /** Sets some flags to known values (bits in `mask` from `value`), cancelling their lazy state. */
  setFlagBits(mask: number, value: number): void {
    // Flags outside `mask` that are pending stay pending: the record is untouched.
    this.lazy &= ~mask;
    this.flags = (this.flags & ~mask) | (value & mask);
  }

  /** Computes pending flags in `which` into `flags`, leaving others lazy. */
  private materialize(which: number): void {
    if (which === ARITH && this.lazySize === 4) {
      // The common whole record (a 32-bit add/sub/cmp/logic op, e.g. at every sysenter and
      // pushf): all six flags at once, branch-free, instead of six compute* calls.
      const op = this.lazyOp;
      if (op === Lazy.ADD || op === Lazy.SUB || op === Lazy.LOGIC) {
        const a = this.lz[LZ_A]!, b = this.lz[LZ_B]!, r = this.lz[LZ_RES]!;
        let f = (this.flags & ~ARITH) | PARITY[r & 0xff]! | (r === 0 ? ZF : 0) | ((r >>> 24) & SF);
        if (op === Lazy.ADD) f |= (((a & b) | ((a | b) & ~r)) >>> 31) | ((a ^ b ^ r) & AF) | ((((a ^ r) & (b ^ r)) >>> 31) << 11);
        else if (op === Lazy.SUB) f |= (((~a & b) | (~(a ^ b) & r)) >>> 31) | ((a ^ b ^ r) & AF) | ((((a ^ b) & (a ^ r)) >>> 31) << 11);
        this.flags = f;
        return;
      }
    }
    let f = this.flags & ~which;
    if (which & CF) f |= this.computeCF();
    if (which & PF) f |= PARITY[this.lz[LZ_RES]! & 0xff]!;
    if (which & AF) f |= this.computeAF();
    if (which & ZF) f |= (this.lz[LZ_RES]! & SIZE_MASK[this.lazySize]!) === 0 ? ZF : 0;
    if (which & SF) f |= this.computeSF();
    if (which & OF) f |= this.computeOF();
    this.flags = f;
  }

  computeCF(): number {
    if ((this.lazy & CF) === 0) return this.flags & CF;
    const m = SIZE_MASK[this.lazySize]!;
    const a = (this.lz[LZ_A]! & m) >>> 0, b = (this.lz[LZ_B]! & m) >>> 0, r = (this.lz[LZ_RES]! & m) >>> 0;
    switch (this.lazyOp) {
      case Lazy.ADD: return r < a ? CF : 0;
      case Lazy.ADC: return (this.lz[LZ_C]! ? r <= a : r < a) ? CF : 0;
      case Lazy.SUB: return a < b ? CF : 0;
      case Lazy.SBB: return (this.lz[LZ_C]! ? a <= b : a < b) ? CF : 0;
      default: return 0;
    }
  }

  private computeAF(): number {
    switch (this.lazyOp) {
      case Lazy.LOGIC: return 0;
      case Lazy.RESULT: return this.flags & AF;
      default: return (this.lz[LZ_A]! ^ this.lz[LZ_B]! ^ this.lz[LZ_RES]!) & AF;
    }
  }

  private computeSF(): number {
    return (this.lz[LZ_RES]! >>> (this.lazySize * 8 - 1)) & 1 ? SF : 0;
  }

  computeOF(): number {
    if ((this.lazy & OF) === 0) return this.flags & OF;
    const sh = 32 - this.lazySize * 8;
    const a = this.lz[LZ_A]! << sh, b = this.lz[LZ_B]! << sh, r = this.lz[LZ_RES]! << sh;
    switch (this.lazyOp) {
      case Lazy.ADD: case Lazy.ADC: case Lazy.INC: return ((a ^ r) & (b ^ r)) < 0 ? OF : 0;
      case Lazy.SUB: case Lazy.SBB: case Lazy.DEC: return ((a ^ b) & (a ^ r)) < 0 ? OF : 0;
      case Lazy.LOGIC: return 0;
      default: return this.flags & OF;
    }
  }

  getCF(): boolean { return ((this.lazy & CF) !== 0 ? this.computeCF() : this.flags & CF) !== 0; }
  getZF(): boolean { return (this.lazy & ZF) !== 0 ? (this.lz[LZ_RES]! & SIZE_MASK[this.lazySize]!) === 0 : (this.flags & ZF) !== 0; }
  getSF(): boolean { return ((this.lazy & SF) !== 0 ? this.computeSF() : this.flags & SF) !== 0; }
  getOF(): boolean { return ((this.lazy & OF) !== 0 ? this.computeOF() : this.flags & OF) !== 0; }
  getPF(): boolean { return ((this.lazy & PF) !== 0 ? PARITY[this.lz[LZ_RES]! & 0xff]! : this.flags & PF) !== 0; }
  getAF(): boolean { return ((this.lazy & AF) !== 0 ? this.computeAF() : this.flags & AF) !== 0; }
  getDF(): boolean { return (this.flags & 0x400) !== 0; }

  /** Full EFLAGS (pushf, lahf, interrupt frames, TCB ReadRegisters). */
  getEflags(): number {
    if (this.lazy !== 0) {
      this.materialize(this.lazy);
      this.lazy = 0;
    }
    return this.flags | FIXED_ONE;
  }

  /** Loads EFLAGS (popf, TCB WriteRegisters): only the bits user mode may change. */
  setEflags(v: number, mask = USER_WRITABLE): void {
    this.lazy = 0;
    this.flags = ((this.flags & ~mask) | (v & mask) | FIXED_ONE) & ~0x8028; // bits 3, 5, 15 read as 0
  }

  /**
   * Evaluates a condition code (Jcc/SETcc/CMOVcc). After CMP/SUB with all
   * flags pending it compares the operands directly, as the hardware's
   * macro-fused cmp+jcc does.
   */
  cond(cc: Cond): boolean {
    if (this.lazyOp === Lazy.SUB && this.lazy === ARITH) {
      const sh = 32 - this.lazySize * 8;
      const a = this.lz[LZ_A]! << sh, b = this.lz[LZ_B]! << sh;
      switch (cc) {
        case Cond.B: return a >>> 0 < b >>> 0;
        case Cond.AE: return a >>> 0 >= b >>> 0;
        case Cond.E: return a === b;
        case Cond.NE: return a !== b;
        case Cond.BE: return a >>> 0 <= b >>> 0;
        case Cond.A: return a >>> 0 > b >>> 0;
        case Cond.L: return a < b;
        case Cond.GE: return a >= b;
        case Cond.LE: return a <= b;
        case Cond.G: return a > b;
        default: break;
      }
    }
    switch (cc) {
      case Cond.O: return this.getOF();
      case Cond.NO: return !this.getOF();
      case Cond.B: return this.getCF();
      case Cond.AE: return !this.getCF();
      case Cond.E: return this.getZF();
      case Cond.NE: return !this.getZF();
      case Cond.BE: return this.getCF() || this.getZF();
      case Cond.A: return !this.getCF() && !this.getZF();
      case Cond.S: return this.getSF();
      case Cond.NS: return !this.getSF();
      case Cond.P: return this.getPF();
      case Cond.NP: return !this.getPF();
      case Cond.L: return this.getSF() !== this.getOF();
      case Cond.GE: return this.getSF() === this.getOF();
      case Cond.LE: return this.getZF() || this.getSF() !== this.getOF();
      case Cond.G: return !this.getZF() && this.getSF() === this.getOF();
    }
    return false;
  }

  // =====================================================================
  // Stack
  // =====================================================================

  push32(v: number): void {
    const sp = (this.reg[4]! - 4) | 0;
    this.write32(sp, v);
    this.reg[4] = sp;
  }

  pop32(): number {
    const sp = this.reg[4]!;
    const v = this.read32(sp);
    this.reg[4] = (sp + 4) | 0;
    return v;
  }

  push16(v: number): void {
    const sp = (this.reg[4]! - 2) | 0;
    this.write16(sp, v);
    this.reg[4] = sp;
  }

  pop16(): number {
    const sp = this.reg[4]!;
    const v = this.read16(sp);
    this.reg[4] = (sp + 2) | 0;
    return v;
  }
}
