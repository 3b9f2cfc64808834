/**
 * The x87 rows of the opcode table (D8..DF, and 9B fwait). Memory forms are
 * selected by ModRM.reg; register forms by ModRM.reg, with ModRM.rm naming
 * st(i), or by a fixed ModRM.rm for the one-register forms (D9 E8 fld1).
 * Handlers: ops/x87-*.ts.
 *
 * fisttp (DB/DD/DF /1, SSE3) has a handler but no row: CPUID reports no
 * SSE3, so the encoding must raise #UD, as on a Pentium 4 without it.
 *
 * The arithmetic groups (D8, DC, DA, DE) get one row per form and
 * extension, all pointing at one handler per operand shape, which reads
 * the operation from ModRM.reg (ops/x87-arith.ts).
 */
import { AF, CF, OF, PF, SF, ZF } from '../flags.js';
import { type Exec, type OpRow } from './types.js';
import * as ls from '../ops/x87-load-store.js';
import * as ar from '../ops/x87-arith.js';
import * as mt from '../ops/x87-math.js';
import * as ct from '../ops/x87-control.js';

interface Opt {
  ext?: number;
  mod?: 'reg' | 'mem';
  rm?: number;
  read?: number;
  write?: number;
  modrm?: boolean;
}

export const x87Rows: OpRow[] = [];

function row(name: string, opcode: number, exec: Exec, o: Opt): void {
  x87Rows.push({
    name, opcode, exec,
    modrm: o.modrm ?? true,
    flagsRead: o.read ?? 0,
    flagsWritten: o.write ?? 0,
    ...(o.ext !== undefined && { ext: o.ext }),
    ...(o.mod !== undefined && { mod: o.mod }),
    ...(o.rm !== undefined && { rm: o.rm }),
  });
}

/** Memory form with extension `ext`. */
const m = (name: string, opcode: number, ext: number, exec: Exec): void => row(name, opcode, exec, { ext, mod: 'mem' });
/** Register form with extension `ext`, any st(i). */
const r = (name: string, opcode: number, ext: number, exec: Exec, o: Opt = {}): void => row(name, opcode, exec, { ...o, ext, mod: 'reg' });
/** Register form with fixed ModRM (ext, rm). */
const f = (name: string, opcode: number, ext: number, rm: number, exec: Exec): void => row(name, opcode, exec, { ext, mod: 'reg', rm });

const COMI = OF | SF | AF | ZF | PF | CF;

// ---- arithmetic groups ----
const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'] as const;
const ARITH_STI = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsubr', 'fsub', 'fdivr', 'fdiv'] as const; // DC/DE register forms
const IARITH = ['fiadd', 'fimul', 'ficom', 'ficomp', 'fisub', 'fisubr', 'fidiv', 'fidivr'] as const;
for (let e = 0; e < 8; e++) {
  m(`${ARITH[e]} m32fp`, 0xd8, e, ar.fop_m32);
  r(`${ARITH[e]} st,st(i)`, 0xd8, e, ar.fop_st0_sti);
  m(`${IARITH[e]} m32int`, 0xda, e, ar.fop_m32int);
  m(`${ARITH[e]} m64fp`, 0xdc, e, ar.fop_m64);
  // DC D0+i / D8+i are undocumented aliases of fcom/fcomp st(i).
  r(`${ARITH_STI[e]} st(i),st`, 0xdc, e, ar.fop_sti_st0);
  m(`${IARITH[e]} m16int`, 0xde, e, ar.fop_m16int);
  if (e !== 2 && e !== 3) r(`${ARITH_STI[e]}p st(i),st`, 0xde, e, ar.fop_sti_st0_pop);
}
r('fcomp st(i)', 0xde, 2, ar.fcomp_sti); // DE D0+i: undocumented alias of fcomp
f('fcompp', 0xde, 3, 1, ar.fcompp);

// ---- D9 ----
m('fld m32fp', 0xd9, 0, ls.fld_m32);
m('fst m32fp', 0xd9, 2, ls.fst_m32);
m('fstp m32fp', 0xd9, 3, ls.fstp_m32);
m('fldenv m28', 0xd9, 4, ct.fldenv);
m('fldcw m2byte', 0xd9, 5, ct.fldcw);
m('fnstenv m28', 0xd9, 6, ct.fnstenv);
m('fnstcw m2byte', 0xd9, 7, ct.fnstcw);
r('fld st(i)', 0xd9, 0, ls.fld_st);
r('fxch st(i)', 0xd9, 1, ls.fxch);
f('fnop', 0xd9, 2, 0, ct.fwait);
r('fstpnce st(i)', 0xd9, 3, ls.fstp_st); // D9 D8+i: undocumented alias of fstp st(i)
f('fchs', 0xd9, 4, 0, ar.fchs);
f('fabs', 0xd9, 4, 1, ar.fabs);
f('ftst', 0xd9, 4, 4, ar.ftst);
f('fxam', 0xd9, 4, 5, ar.fxam);
f('fld1', 0xd9, 5, 0, ls.fld1);
f('fldl2t', 0xd9, 5, 1, ls.fldl2t);
f('fldl2e', 0xd9, 5, 2, ls.fldl2e);
f('fldpi', 0xd9, 5, 3, ls.fldpi);
f('fldlg2', 0xd9, 5, 4, ls.fldlg2);
f('fldln2', 0xd9, 5, 5, ls.fldln2);
f('fldz', 0xd9, 5, 6, ls.fldz);
f('f2xm1', 0xd9, 6, 0, mt.f2xm1);
f('fyl2x', 0xd9, 6, 1, mt.fyl2x);
f('fptan', 0xd9, 6, 2, mt.fptan);
f('fpatan', 0xd9, 6, 3, mt.fpatan);
f('fxtract', 0xd9, 6, 4, mt.fxtract);
f('fprem1', 0xd9, 6, 5, mt.fprem1);
f('fdecstp', 0xd9, 6, 6, ct.fdecstp);
f('fincstp', 0xd9, 6, 7, ct.fincstp);
f('fprem', 0xd9, 7, 0, mt.fprem);
f('fyl2xp1', 0xd9, 7, 1, mt.fyl2xp1);
f('fsqrt', 0xd9, 7, 2, ar.fsqrt);
f('fsincos', 0xd9, 7, 3, mt.fsincos);
f('frndint', 0xd9, 7, 4, ar.frndint);
f('fscale', 0xd9, 7, 5, mt.fscale);
f('fsin', 0xd9, 7, 6, mt.fsin);
f('fcos', 0xd9, 7, 7, mt.fcos);

// ---- DA ----
r('fcmovb st,st(i)', 0xda, 0, ls.fcmovb, { read: CF });
r('fcmove st,st(i)', 0xda, 1, ls.fcmove, { read: ZF });
r('fcmovbe st,st(i)', 0xda, 2, ls.fcmovbe, { read: CF | ZF });
r('fcmovu st,st(i)', 0xda, 3, ls.fcmovu, { read: PF });
f('fucompp', 0xda, 5, 1, ar.fucompp);

// ---- DB ----
m('fild m32int', 0xdb, 0, ls.fild_m32);
m('fist m32int', 0xdb, 2, ls.fist_m32);
m('fistp m32int', 0xdb, 3, ls.fistp_m32);
m('fld m80fp', 0xdb, 5, ls.fld_m80);
m('fstp m80fp', 0xdb, 7, ls.fstp_m80);
r('fcmovnb st,st(i)', 0xdb, 0, ls.fcmovnb, { read: CF });
r('fcmovne st,st(i)', 0xdb, 1, ls.fcmovne, { read: ZF });
r('fcmovnbe st,st(i)', 0xdb, 2, ls.fcmovnbe, { read: CF | ZF });
r('fcmovnu st,st(i)', 0xdb, 3, ls.fcmovnu, { read: PF });
f('fneni', 0xdb, 4, 0, ct.fnop_legacy);
f('fndisi', 0xdb, 4, 1, ct.fnop_legacy);
f('fnclex', 0xdb, 4, 2, ct.fnclex);
f('fninit', 0xdb, 4, 3, ct.fninit);
f('fnsetpm', 0xdb, 4, 4, ct.fnop_legacy);
r('fucomi st,st(i)', 0xdb, 5, ar.fucomi, { write: COMI });
r('fcomi st,st(i)', 0xdb, 6, ar.fcomi, { write: COMI });

// ---- DD ----
m('fld m64fp', 0xdd, 0, ls.fld_m64);
m('fst m64fp', 0xdd, 2, ls.fst_m64);
m('fstp m64fp', 0xdd, 3, ls.fstp_m64);
m('frstor m108', 0xdd, 4, ct.frstor);
m('fnsave m108', 0xdd, 6, ct.fnsave);
m('fnstsw m2byte', 0xdd, 7, ct.fnstsw_m16);
r('ffree st(i)', 0xdd, 0, ls.ffree);
r('fxch st(i)', 0xdd, 1, ls.fxch); // DD C8+i: undocumented alias (fxch4)
r('fst st(i)', 0xdd, 2, ls.fst_st);
r('fstp st(i)', 0xdd, 3, ls.fstp_st);
r('fucom st(i)', 0xdd, 4, ar.fucom);
r('fucomp st(i)', 0xdd, 5, ar.fucomp);

// ---- DF ----
m('fild m16int', 0xdf, 0, ls.fild_m16);
m('fist m16int', 0xdf, 2, ls.fist_m16);
m('fistp m16int', 0xdf, 3, ls.fistp_m16);
m('fbld m80bcd', 0xdf, 4, ls.fbld);
m('fild m64int', 0xdf, 5, ls.fild_m64);
m('fbstp m80bcd', 0xdf, 6, ls.fbstp);
m('fistp m64int', 0xdf, 7, ls.fistp_m64);
r('ffreep st(i)', 0xdf, 0, ls.ffreep);
r('fxch st(i)', 0xdf, 1, ls.fxch); // DF C8+i: alias (fxch7)
r('fstp st(i)', 0xdf, 2, ls.fstp_st); // DF D0+i / D8+i: aliases (fstp8, fstp9)
r('fstp st(i)', 0xdf, 3, ls.fstp_st);
f('fnstsw ax', 0xdf, 4, 0, ct.fnstsw_ax);
r('fucomip st,st(i)', 0xdf, 5, ar.fucomip, { write: COMI });
r('fcomip st,st(i)', 0xdf, 6, ar.fcomip, { write: COMI });

// ---- 9B ----
row('fwait', 0x9b, ct.fwait, { modrm: false });
