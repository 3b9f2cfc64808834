/**
 * JavaScript templates for the opcode table's rows: the JIT's half of the
 * single source of truth. `emitterOf[row]` is looked up by the row's index
 * in opTable (src/cpu/table); it is chosen from the row's name, operand size
 * and ModRM form, the same fields the decoder matches on. A row without an
 * emitter, or an emitter that declines a particular encoding (returns
 * false: a count-0 shift, a 16-bit form with odd fault ordering...), is
 * translated as a call of the row's own interpreter handler from inside the
 * generated code, so coverage is always complete.
 *
 * Each template must do exactly what the row's handler does, including the
 * order of memory accesses (which access faults first) and the lazy-flag
 * record it leaves: every CPU test runs through both (tests/jit/).
 * Registers are written only after the last access that can fault, so a
 * fault leaves the locals as they were before the instruction.
 */
import { opTable } from '../cpu/table/index.js';
import { Flow, type OpRow } from '../cpu/table/types.js';
import { ARITH } from '../cpu/flags.js';
import { Gen, L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_SBB, L_SUB, MASK, type Size } from './gen.js';

/** How a template leaves its block (provided by the compiler). */
export interface Flowing {
  /** Statements: continue at a static target. */
  goto(target: number): string;
  /** Statements: continue at the run-time target held in local `t`. */
  jump(t: string): string;
  /** Statements: leave the region with Stop.SYSCALL, EIP = `next` (int n, sysenter). */
  trap(next: number): string;
}

/** Emits the instruction in slot s; false = not this encoding (use the handler). */
export type Emitter = (g: Gen, s: number, f: Flowing) => boolean;

const ALU_KIND = [L_ADD, L_LOGIC, L_ADC, L_SBB, L_LOGIC, L_SUB, L_LOGIC, L_SUB];

function aluExpr(op: number, size: Size, x: string, y: string): string {
  const m = MASK[size];
  const wrap = (e: string) => (size === 4 ? `(${e}) | 0` : `(${e}) & ${m}`);
  switch (op) {
    case 0: return wrap(`${x} + ${y}`);
    case 1: return size === 4 ? `${x} | ${y}` : wrap(`${x} | ${y}`);
    case 2: return wrap(`${x} + ${y} + C`);
    case 3: return wrap(`${x} - ${y} - C`);
    case 4: return size === 4 ? `${x} & ${y}` : wrap(`${x} & ${y}`);
    case 6: return size === 4 ? `${x} ^ ${y}` : wrap(`${x} ^ ${y}`);
    default: return wrap(`${x} - ${y}`); // sub, cmp
  }
}

type AluForm = 'EG' | 'GE' | 'EI' | 'AI';

/** The eight ALU operations (and test = and without write-back, op 8) in every form. */
function alu(op: number, form: AluForm, size: Size): Emitter {
  const test = op === 8;
  const o = test ? 4 : op;
  const write = !test && o !== 7;
  const kind = ALU_KIND[o]!;
  return (g, s) => {
    const d = g.d;
    const imm = size === 4 ? String(d.imm[s]! | 0) : String(d.imm[s]! & MASK[size]);
    const carry = o === 2 || o === 3 ? g.cfExpr() : '';
    const c = carry ? `const C = ${carry}; ` : '';
    const body = `${c}const R = ${aluExpr(o, size, 'X', 'Y')};`;
    g.out('{');
    if (form === 'EG' || form === 'EI') {
      const src = form === 'EG' ? g.get(d.reg[s]!, size) : imm;
      if (g.isReg(s)) {
        const rm = d.rm[s]!;
        g.out(`const X = ${g.get(rm, size)}, Y = ${src}; ${body}`);
        if (write) g.out(g.set(rm, size, 'R'));
      } else if (write) {
        g.out(`const A = ${g.ea(s)}; const Y = ${src};`);
        g.out(g.rmw(size, body));
      } else {
        g.out(`const A = ${g.ea(s)}; const X = ${g.load(size)}, Y = ${src}; ${body}`);
      }
    } else if (form === 'GE') {
      const gr = d.reg[s]!;
      if (g.isReg(s)) g.out(`const X = ${g.get(gr, size)}, Y = ${g.get(d.rm[s]!, size)}; ${body}`);
      else g.out(`const A = ${g.ea(s)}; const Y = ${g.load(size)}; const X = ${g.get(gr, size)}; ${body}`);
      if (write) g.out(g.set(gr, size, 'R'));
    } else {
      g.out(`const X = ${g.get(0, size)}, Y = ${imm}; ${body}`);
      if (write) g.out(g.set(0, size, 'R'));
    }
    g.rec(kind, size, 'X', 'Y', 'R', carry ? 'C' : undefined);
    g.out('}');
    return true;
  };
}

/** inc/dec; `opReg`: register in the opcode (40+r), else ModRM r/m. Memory forms only for 32-bit (16/8-bit handlers do not probe). */
function incDec(dec: boolean, size: Size, opReg: boolean): Emitter {
  const kind = dec ? L_DEC : L_INC;
  const calc = size === 4 ? `(X ${dec ? '-' : '+'} 1) | 0` : `(X ${dec ? '-' : '+'} 1) & ${MASK[size]}`;
  return (g, s) => {
    const d = g.d;
    const r = opReg ? d.reg[s]! : d.rm[s]!;
    if (r < 0 && size !== 4) return false;
    g.out('{');
    if (r >= 0) g.out(`const X = ${g.get(r, size)}; const R = ${calc}; ${g.set(r, size, 'R')}`);
    else g.out(`const A = ${g.ea(s)};\n${g.rmw(4, `const R = ${calc};`)}`);
    g.incDec(kind, size, 'X', 'R');
    g.out('}');
    return true;
  };
}

/** Shifts/rotates of a 32-bit register by a constant count 1..31 (the interpreter's hot bodies). */
function shift32(kind: 'rol' | 'shl' | 'shr' | 'sar', one: boolean): Emitter {
  return (g, s) => {
    const d = g.d;
    const rm = d.rm[s]!;
    const c = one ? 1 : d.imm[s]! & 31;
    if (rm < 0 || c === 0) return false; // count 0 changes nothing, memory forms: the handler
    const r = g.r(rm);
    g.out('{');
    switch (kind) {
      case 'rol':
        g.out(`const X = ${r}, V = (X << ${c}) | (X >>> ${32 - c}); ${r} = V;`);
        g.flagBits(2049, `(V & 1) | (((V >>> 31) ^ (V & 1)) << 11)`);
        break;
      case 'shl':
        g.out(`const X = ${r}, V = X << ${c}; ${r} = V;`);
        g.resultFlags(4, 'V', `((X >>> ${32 - c}) & 1) | ((((X >>> 31) ^ (X >>> 30)) & 1) << 11)`);
        break;
      case 'shr':
        g.out(`const X = ${r}, V = X >>> ${c}; ${r} = V;`);
        g.resultFlags(4, 'V', `((X >>> ${c - 1}) & 1) | ((X >>> 31) << 11)`);
        break;
      case 'sar':
        g.out(`const X = ${r}, V = X >> ${c}; ${r} = V;`);
        g.resultFlags(4, 'V', `(X >> ${c - 1}) & 1`);
        break;
    }
    g.out('}');
    return true;
  };
}

const imulFlags = `(X * Y !== R ? 2049 : 0) | (R < 0 ? 128 : 0) | PARITY[R & 0xff]`;

const em = new Map<string, Emitter>();
/** key: row name, '/' osize or '-', '/' mod or '-' */
function put(name: string, osize: 16 | 32 | undefined, mod: 'reg' | 'mem' | undefined, e: Emitter): void {
  em.set(`${name}/${osize ?? '-'}/${mod ?? '-'}`, e);
}
function putAnyMod(name: string, osize: 16 | 32 | undefined, e: Emitter): void {
  for (const m of ['reg', 'mem', undefined] as const) put(name, osize, m, e);
}

function init(): void {
  // ---- ALU ----
  const ops = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
  ops.forEach((n, i) => {
    putAnyMod(`${n} Eb,Gb`, undefined, alu(i, 'EG', 1));
    putAnyMod(`${n} Gb,Eb`, undefined, alu(i, 'GE', 1));
    putAnyMod(`${n} AL,Ib`, undefined, alu(i, 'AI', 1));
    putAnyMod(`${n} Eb,Ib`, undefined, alu(i, 'EI', 1));
    for (const sz of [16, 32] as const) {
      const size = (sz / 8) as Size;
      putAnyMod(`${n} Ev,Gv`, sz, alu(i, 'EG', size));
      putAnyMod(`${n} Gv,Ev`, sz, alu(i, 'GE', size));
      putAnyMod(`${n} eAX,Iz`, sz, alu(i, 'AI', size));
      putAnyMod(`${n} Ev,Iz`, sz, alu(i, 'EI', size));
      putAnyMod(`${n} Ev,Ib`, sz, alu(i, 'EI', size));
    }
  });
  putAnyMod('test Eb,Gb', undefined, alu(8, 'EG', 1));
  putAnyMod('test AL,Ib', undefined, alu(8, 'AI', 1));
  putAnyMod('test Eb,Ib', undefined, alu(8, 'EI', 1));
  for (const sz of [16, 32] as const) {
    const size = (sz / 8) as Size;
    putAnyMod('test Ev,Gv', sz, alu(8, 'EG', size));
    putAnyMod('test eAX,Iz', sz, alu(8, 'AI', size));
    putAnyMod('test Ev,Iz', sz, alu(8, 'EI', size));
  }

  // ---- inc/dec/not/neg ----
  for (const sz of [16, 32] as const) {
    const size = (sz / 8) as Size;
    putAnyMod('inc Zv', sz, incDec(false, size, true));
    putAnyMod('dec Zv', sz, incDec(true, size, true));
    putAnyMod('inc Ev', sz, incDec(false, size, false));
    putAnyMod('dec Ev', sz, incDec(true, size, false));
  }
  putAnyMod('inc Eb', undefined, incDec(false, 1, false));
  putAnyMod('dec Eb', undefined, incDec(true, 1, false));
  putAnyMod('not Ev', 32, (g, s) => {
    const rm = g.d.rm[s]!;
    if (rm >= 0) g.out(`${g.r(rm)} = ~${g.r(rm)};`);
    else g.out(`{ const A = ${g.ea(s)};\n${g.rmw(4, 'const R = ~X;')} }`);
    return true;
  });
  putAnyMod('neg Ev', 32, (g, s) => {
    const rm = g.d.rm[s]!;
    g.out('{');
    if (rm >= 0) g.out(`const X = ${g.r(rm)}; const R = (0 - X) | 0; ${g.r(rm)} = R;`);
    else g.out(`const A = ${g.ea(s)};\n${g.rmw(4, 'const R = (0 - X) | 0;')}`);
    g.rec(L_SUB, 4, '0', 'X', 'R');
    g.out('}');
    return true;
  });

  // ---- shifts (32-bit register, constant count) ----
  for (const [n, k] of [['rol', 'rol'], ['shl', 'shl'], ['sal', 'shl'], ['shr', 'shr'], ['sar', 'sar']] as const) {
    putAnyMod(`${n} Ev,Ib`, 32, shift32(k, false));
    putAnyMod(`${n} Ev,1`, 32, shift32(k, true));
  }

  // ---- multiply ----
  const imulI: Emitter = (g, s) => {
    g.out(`{ ${g.readE(s, 4)} const Y = ${g.d.imm[s]! | 0}, R = Math.imul(X, Y); ${g.set(g.d.reg[s]!, 4, 'R')}`);
    g.flagBits(ARITH, imulFlags);
    g.out('}');
    return true;
  };
  putAnyMod('imul Gv,Ev,Iz', 32, imulI);
  putAnyMod('imul Gv,Ev,Ib', 32, imulI);
  putAnyMod('imul Gv,Ev', 32, (g, s) => {
    const gr = g.d.reg[s]!;
    g.out(`{ ${g.readE(s, 4).replace('const X', 'const Y')} const X = ${g.r(gr)}, R = Math.imul(X, Y); ${g.set(gr, 4, 'R')}`);
    g.flagBits(ARITH, imulFlags);
    g.out('}');
    return true;
  });

  // ---- data movement ----
  const movEG = (size: Size): Emitter => (g, s) => {
    const v = g.get(g.d.reg[s]!, size);
    if (g.isReg(s)) g.out(g.set(g.d.rm[s]!, size, v));
    else g.out(`{ const A = ${g.ea(s)}; ${g.store(size, v)} }`);
    return true;
  };
  const movGE = (size: Size): Emitter => (g, s) => {
    g.out(`{ ${g.readE(s, size)} ${g.set(g.d.reg[s]!, size, 'X')} }`);
    return true;
  };
  const movEI = (size: Size): Emitter => (g, s) => {
    const v = String(size === 4 ? g.d.imm[s]! | 0 : g.d.imm[s]! & MASK[size]);
    if (g.isReg(s)) g.out(g.set(g.d.rm[s]!, size, v));
    else g.out(`{ const A = ${g.ea(s)}; ${g.store(size, v)} }`);
    return true;
  };
  putAnyMod('mov Eb,Gb', undefined, movEG(1));
  putAnyMod('mov Gb,Eb', undefined, movGE(1));
  putAnyMod('mov Eb,Ib', undefined, movEI(1));
  for (const sz of [16, 32] as const) {
    const size = (sz / 8) as Size;
    putAnyMod('mov Ev,Gv', sz, movEG(size));
    putAnyMod('mov Gv,Ev', sz, movGE(size));
    putAnyMod('mov Ev,Iz', sz, movEI(size));
    putAnyMod('mov Zv,Iv', sz, (g, s) => { g.out(g.set(g.d.reg[s]!, size, String(g.d.imm[s]! | 0))); return true; });
    putAnyMod('mov eAX,Ov', sz, (g, s) => { g.out(`{ const A = ${g.ea(s)}; ${g.set(0, size, g.load(size))} }`); return true; });
    putAnyMod('mov Ov,eAX', sz, (g, s) => { g.out(`{ const A = ${g.ea(s)}; ${g.store(size, g.get(0, size))} }`); return true; });
    putAnyMod('lea Gv,M', sz, (g, s) => { g.out(g.set(g.d.reg[s]!, size, g.offset(s))); return true; });
  }
  putAnyMod('mov Zb,Ib', undefined, (g, s) => { g.out(g.set(g.d.reg[s]!, 1, String(g.d.imm[s]! & 0xff))); return true; });
  putAnyMod('mov AL,Ob', undefined, (g, s) => { g.out(`{ const A = ${g.ea(s)}; ${g.set(0, 1, g.load(1))} }`); return true; });
  putAnyMod('mov Ob,AL', undefined, (g, s) => { g.out(`{ const A = ${g.ea(s)}; ${g.store(1, g.get(0, 1))} }`); return true; });
  putAnyMod('movzx Gv,Eb', 32, (g, s) => { g.out(`{ ${g.readE(s, 1)} ${g.set(g.d.reg[s]!, 4, 'X')} }`); return true; });
  putAnyMod('movzx Gv,Ew', 32, (g, s) => { g.out(`{ ${g.readE(s, 2)} ${g.set(g.d.reg[s]!, 4, 'X')} }`); return true; });
  putAnyMod('movsx Gv,Eb', 32, (g, s) => { g.out(`{ ${g.readE(s, 1)} ${g.set(g.d.reg[s]!, 4, '(X << 24) >> 24')} }`); return true; });
  putAnyMod('movsx Gv,Ew', 32, (g, s) => { g.out(`{ ${g.readE(s, 2)} ${g.set(g.d.reg[s]!, 4, '(X << 16) >> 16')} }`); return true; });
  putAnyMod('xchg Zv,eAX', 32, (g, s) => { const r = g.r(g.d.reg[s]!); g.out(`{ const T = ${r}; ${r} = ${g.r(0)}; ${g.r(0)} = T; }`); return true; });
  putAnyMod('nop Ev', 32, () => true);
  putAnyMod('nop Ev', 16, () => true);
  putAnyMod('cbw/cwde', 32, (g) => { g.out(`${g.r(0)} = (${g.r(0)} << 16) >> 16;`); return true; });
  putAnyMod('cwd/cdq', 32, (g) => { g.out(`${g.r(2)} = ${g.r(0)} >> 31;`); return true; });
  for (let cc = 0; cc < 16; cc++) {
    const names = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
    putAnyMod(`set${names[cc]} Eb`, undefined, (g, s) => {
      const c = g.cond(cc);
      if (g.isReg(s)) g.out(g.set(g.d.rm[s]!, 1, `(${c}) ? 1 : 0`));
      else g.out(`{ const V = (${c}) ? 1 : 0; const A = ${g.ea(s)}; ${g.store(1, 'V')} }`);
      return true;
    });
    putAnyMod(`cmov${names[cc]} Gv,Ev`, 32, (g, s) => {
      g.out(`{ ${g.readE(s, 4)}`);
      const c = g.cond(cc);
      g.out(`if (${c}) ${g.set(g.d.reg[s]!, 4, 'X')} }`);
      return true;
    });
    // jcc: both encodings share the row name pattern `j<cc> Jb` / `j<cc> Jz`
    const jcc: Emitter = (g, s, f) => {
      const c = g.cond(cc);
      g.out(`if (${c}) { ${f.goto(g.d.imm[s]!)} }\n${f.goto(g.d.next[s]!)}`);
      return true;
    };
    putAnyMod(`j${names[cc]} Jb`, undefined, jcc);
    putAnyMod(`j${names[cc]} Jz`, undefined, jcc);
  }

  // ---- stack (offsets from the case's entry ESP known statically: Gen.stackLoad/stackStore) ----
  putAnyMod('push Zv', 32, (g, s) => { g.out(`{ const S = (${g.r(4)} - 4) | 0; ${g.stackStore(g.r(g.d.reg[s]!), -4)} ${g.r(4)} = S; }`); g.espAdd(-4); return true; });
  putAnyMod('pop Zv', 32, (g, s) => {
    const rd = g.d.reg[s]!;
    g.out(`{ const S = ${g.r(4)}; const V = ${g.stackLoad(0)}; ${g.r(4)} = (S + 4) | 0; ${g.set(rd, 4, 'V')} }`);
    if (rd === 4) g.espUnknown(); else g.espAdd(4);
    return true;
  });
  const pushImm: Emitter = (g, s) => { g.out(`{ const S = (${g.r(4)} - 4) | 0; ${g.stackStore(String(g.d.imm[s]! | 0), -4)} ${g.r(4)} = S; }`); g.espAdd(-4); return true; };
  putAnyMod('push Iz', 32, pushImm);
  putAnyMod('push Ib', 32, pushImm);
  putAnyMod('push Ev', 32, (g, s) => { g.out(`{ ${g.readE(s, 4)} const S = (${g.r(4)} - 4) | 0; ${g.stackStore('X', -4)} ${g.r(4)} = S; }`); g.espAdd(-4); return true; });
  putAnyMod('leave', 32, (g) => { g.out(`{ const S = ${g.r(5)}; const V = ${g.load(4, 'S')}; ${g.r(4)} = (S + 4) | 0; ${g.r(5)} = V; }`); g.espUnknown(); return true; });

  // ---- control transfer ----
  const jmp: Emitter = (g, s, f) => { g.out(f.goto(g.d.imm[s]!)); return true; };
  putAnyMod('jmp Jb', undefined, jmp);
  putAnyMod('jmp Jz', undefined, jmp);
  putAnyMod('call Jz', 32, (g, s, f) => {
    g.out(`{ const S = (${g.r(4)} - 4) | 0; ${g.stackStore(String(g.d.next[s]! | 0), -4)} ${g.r(4)} = S; }`);
    g.espAdd(-4);
    g.out(f.goto(g.d.imm[s]!));
    return true;
  });
  putAnyMod('ret', 32, (g, _s, f) => {
    const T = g.stackLoad(0);
    g.espAdd(4);
    g.out(`{ const S = ${g.r(4)}; const T = ${T}; ${g.r(4)} = (S + 4) | 0;\n${f.jump('T')} }`);
    return true;
  });
  putAnyMod('ret Iw', 32, (g, s, f) => {
    const T = g.stackLoad(0), k = 4 + (g.d.imm[s]! & 0xffff);
    g.espAdd(k);
    g.out(`{ const S = ${g.r(4)}; const T = ${T}; ${g.r(4)} = (S + ${k}) | 0;\n${f.jump('T')} }`);
    return true;
  });
  putAnyMod('jmp Ev', 32, (g, s, f) => { g.out(`{ ${g.readE(s, 4)}\n${f.jump('X')} }`); return true; });
  // sysenter (its handler: trapNumber -1, EIP after it) without writing the registers back and
  // reading them again around a handler call: the region's exit writes them once. A known
  // whole flag record is computed here, where it is in locals: the kernel reads EFLAGS next.
  putAnyMod('sysenter', undefined, (g, s, f) => { g.out(`cpu.fault.trapNumber = -1; ${g.materializeWhole()}${f.trap(g.d.next[s]!)}`); return true; });
  putAnyMod('call Ev', 32, (g, s, f) => {
    const st = g.stackStore(String(g.d.next[s]! | 0), -4);
    g.espAdd(-4);
    g.out(`{ ${g.readE(s, 4)} const S = (${g.r(4)} - 4) | 0; ${st} ${g.r(4)} = S;\n${f.jump('X')} }`);
    return true;
  });
}
init();

function emitterFor(r: OpRow): Emitter | undefined {
  return em.get(`${r.name}/${r.osize ?? '-'}/${r.mod ?? '-'}`);
}

/** Emitter by opTable row index (undefined: the row's handler is called). */
export const emitterOf: readonly (Emitter | undefined)[] = opTable.map(emitterFor);

/** Rows that may fault (touch memory or raise) when emitted inline; the rest are register-only. */
export function emittedMayFault(d: { rm: Int32Array }, s: number, r: OpRow): boolean {
  if (r.flow === Flow.BRANCH || r.flow === Flow.JUMP) return false;
  const n = r.name;
  if (/^(push|pop|leave|call|ret)/.test(n)) return true;
  if (/ (Ob|Ov)|,Ob|,Ov/.test(n)) return true;
  if (r.modrm) {
    if (/^(lea|nop)/.test(n)) return false;
    return d.rm[s]! < 0;
  }
  return false;
}

/** Number of rows with a template (for docs and tests). */
export function emitterCoverage(): { rows: number; emitted: number } {
  return { rows: opTable.length, emitted: emitterOf.filter((e) => e !== undefined).length };
}
