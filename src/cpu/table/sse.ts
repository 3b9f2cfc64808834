/**
 * The SSE/SSE2 rows of the opcode table (0F map, mandatory prefixes
 * none/66/F2/F3), plus the state, fence and prefetch instructions of 0F AE,
 * 0F 18 and 0F 0D. Handlers: ops/sse-*.ts.
 *
 * The 66-less forms of the packed-integer opcodes (0F 60..7F, D1..FE, C4,
 * C5, 70..73) are MMX instructions, which this CPU does not implement: no
 * row, so they decode to #UD. Operand notation follows the SDM: V = xmm in
 * ModRM.reg, W = xmm or memory in ModRM.rm, U = xmm register in ModRM.rm,
 * M = memory only, Ed = r/m32, Gd = r32.
 */
import { AF, CF, OF, PF, SF, ZF } from '../flags.js';
import { Imm, type Exec, type OpRow } from './types.js';
import * as mv from '../ops/sse-move.js';
import * as fp from '../ops/sse-float.js';
import * as cv from '../ops/sse-convert.js';
import * as pi from '../ops/sse-int.js';
import * as st from '../ops/sse-state.js';

interface Opt {
  prefix?: 0x66 | 0xf2 | 0xf3;
  ext?: number;
  mod?: 'reg' | 'mem';
  imm?: Imm;
  write?: number;
  modrm?: boolean;
}

export const sseRows: OpRow[] = [];

function row(name: string, opcode: number, exec: Exec, o: Opt = {}): void {
  sseRows.push({
    name, opcode, exec,
    modrm: o.modrm ?? true,
    flagsRead: 0,
    flagsWritten: o.write ?? 0,
    ...(o.prefix !== undefined && { prefix: o.prefix }),
    ...(o.ext !== undefined && { ext: o.ext }),
    ...(o.mod !== undefined && { mod: o.mod }),
    ...(o.imm !== undefined && { imm: o.imm }),
  });
}

const P66 = { prefix: 0x66 } as const;
const PF2 = { prefix: 0xf2 } as const;
const PF3 = { prefix: 0xf3 } as const;
const REG = { mod: 'reg' } as const;
const MEM = { mod: 'mem' } as const;
const IB = { imm: Imm.B } as const;
const COMI = OF | SF | AF | ZF | PF | CF;

// ---- moves ----
row('movups Vps,Wps', 0x0f10, mv.movu_load);
row('movupd Vpd,Wpd', 0x0f10, mv.movu_load, P66);
row('movss Vss,Wss', 0x0f10, mv.movss_F30F10, PF3);
row('movsd Vsd,Wsd', 0x0f10, mv.movsd_F20F10, PF2);
row('movups Wps,Vps', 0x0f11, mv.movu_store);
row('movupd Wpd,Vpd', 0x0f11, mv.movu_store, P66);
row('movss Wss,Vss', 0x0f11, mv.movss_F30F11, PF3);
row('movsd Wsd,Vsd', 0x0f11, mv.movsd_F20F11, PF2);
row('movlps Vq,Mq', 0x0f12, mv.movlp_load, MEM);
row('movhlps Vq,Uq', 0x0f12, mv.movhlps_0F12, REG);
row('movlpd Vq,Mq', 0x0f12, mv.movlp_load, { ...P66, ...MEM });
row('movlps Mq,Vq', 0x0f13, mv.movlp_store, MEM);
row('movlpd Mq,Vq', 0x0f13, mv.movlp_store, { ...P66, ...MEM });
row('unpcklps Vps,Wq', 0x0f14, fp.unpcklps);
row('unpcklpd Vpd,Wq', 0x0f14, fp.unpcklpd, P66);
row('unpckhps Vps,Wq', 0x0f15, fp.unpckhps);
row('unpckhpd Vpd,Wq', 0x0f15, fp.unpckhpd, P66);
row('movhps Vq,Mq', 0x0f16, mv.movhp_load, MEM);
row('movlhps Vq,Uq', 0x0f16, mv.movlhps_0F16, REG);
row('movhpd Vq,Mq', 0x0f16, mv.movhp_load, { ...P66, ...MEM });
row('movhps Mq,Vq', 0x0f17, mv.movhp_store, MEM);
row('movhpd Mq,Vq', 0x0f17, mv.movhp_store, { ...P66, ...MEM });
row('movaps Vps,Wps', 0x0f28, mv.mova_load);
row('movapd Vpd,Wpd', 0x0f28, mv.mova_load, P66);
row('movaps Wps,Vps', 0x0f29, mv.mova_store);
row('movapd Wpd,Vpd', 0x0f29, mv.mova_store, P66);
row('movntps Mps,Vps', 0x0f2b, mv.mova_store, MEM);
row('movntpd Mpd,Vpd', 0x0f2b, mv.mova_store, { ...P66, ...MEM });
row('movd Vd,Ed', 0x0f6e, mv.movd_660F6E, P66);
row('movdqa Vdq,Wdq', 0x0f6f, mv.mova_load, P66);
row('movdqu Vdq,Wdq', 0x0f6f, mv.movu_load, PF3);
row('movd Ed,Vd', 0x0f7e, mv.movd_660F7E, P66);
row('movq Vq,Wq', 0x0f7e, mv.movq_F30F7E, PF3);
row('movdqa Wdq,Vdq', 0x0f7f, mv.mova_store, P66);
row('movdqu Wdq,Vdq', 0x0f7f, mv.movu_store, PF3);
row('movnti Md,Gd', 0x0fc3, mv.movnti_0FC3, MEM);
row('pinsrw Vdq,Ew,Ib', 0x0fc4, mv.pinsrw_660FC4, { ...P66, ...IB });
row('pextrw Gd,Udq,Ib', 0x0fc5, mv.pextrw_660FC5, { ...P66, ...REG, ...IB });
row('movq Wq,Vq', 0x0fd6, mv.movq_660FD6, P66);
row('movntdq Mdq,Vdq', 0x0fe7, mv.mova_store, { ...P66, ...MEM });
row('maskmovdqu Vdq,Udq', 0x0ff7, mv.maskmovdqu_660FF7, { ...P66, ...REG });

// ---- float arithmetic (0F 51 .. 5F) ----
type Four = readonly [Exec, Exec, Exec, Exec]; // ps, pd, ss, sd
function arith4(mn: string, opcode: number, e: Four): void {
  row(`${mn}ps Vps,Wps`, opcode, e[0]);
  row(`${mn}pd Vpd,Wpd`, opcode, e[1], P66);
  row(`${mn}ss Vss,Wss`, opcode, e[2], PF3);
  row(`${mn}sd Vsd,Wsd`, opcode, e[3], PF2);
}
arith4('sqrt', 0x0f51, [fp.sqrtps, fp.sqrtpd, fp.sqrtss, fp.sqrtsd]);
row('rsqrtps Vps,Wps', 0x0f52, fp.rsqrtps);
row('rsqrtss Vss,Wss', 0x0f52, fp.rsqrtss, PF3);
row('rcpps Vps,Wps', 0x0f53, fp.rcpps);
row('rcpss Vss,Wss', 0x0f53, fp.rcpss, PF3);
arith4('add', 0x0f58, [fp.addps, fp.addpd, fp.addss, fp.addsd]);
arith4('mul', 0x0f59, [fp.mulps, fp.mulpd, fp.mulss, fp.mulsd]);
arith4('sub', 0x0f5c, [fp.subps, fp.subpd, fp.subss, fp.subsd]);
arith4('min', 0x0f5d, [fp.minps, fp.minpd, fp.minss, fp.minsd]);
arith4('div', 0x0f5e, [fp.divps, fp.divpd, fp.divss, fp.divsd]);
arith4('max', 0x0f5f, [fp.maxps, fp.maxpd, fp.maxss, fp.maxsd]);
row('cmpps Vps,Wps,Ib', 0x0fc2, fp.cmpps, IB);
row('cmppd Vpd,Wpd,Ib', 0x0fc2, fp.cmppd, { ...P66, ...IB });
row('cmpss Vss,Wss,Ib', 0x0fc2, fp.cmpss, { ...PF3, ...IB });
row('cmpsd Vsd,Wsd,Ib', 0x0fc2, fp.cmpsd, { ...PF2, ...IB });
row('ucomiss Vss,Wss', 0x0f2e, fp.ucomiss, { write: COMI });
row('ucomisd Vsd,Wsd', 0x0f2e, fp.ucomisd, { ...P66, write: COMI });
row('comiss Vss,Wss', 0x0f2f, fp.comiss, { write: COMI });
row('comisd Vsd,Wsd', 0x0f2f, fp.comisd, { ...P66, write: COMI });
row('movmskps Gd,Ups', 0x0f50, fp.movmskps, REG);
row('movmskpd Gd,Upd', 0x0f50, fp.movmskpd, { ...P66, ...REG });
row('shufps Vps,Wps,Ib', 0x0fc6, fp.shufps, IB);
row('shufpd Vpd,Wpd,Ib', 0x0fc6, fp.shufpd, { ...P66, ...IB });

// ---- float logic: the same bit operations as pand/pandn/por/pxor ----
row('andps Vps,Wps', 0x0f54, pi.pand);
row('andpd Vpd,Wpd', 0x0f54, pi.pand, P66);
row('andnps Vps,Wps', 0x0f55, pi.pandn);
row('andnpd Vpd,Wpd', 0x0f55, pi.pandn, P66);
row('orps Vps,Wps', 0x0f56, pi.por);
row('orpd Vpd,Wpd', 0x0f56, pi.por, P66);
row('xorps Vps,Wps', 0x0f57, pi.pxor);
row('xorpd Vpd,Wpd', 0x0f57, pi.pxor, P66);

// ---- conversions ----
row('cvtpi2ps Vps,Mq', 0x0f2a, cv.cvtpi2ps, MEM); // the register form reads an MMX register: #UD
row('cvtpi2pd Vpd,Mq', 0x0f2a, cv.cvtdq2pd, { ...P66, ...MEM });
row('cvtsi2ss Vss,Ed', 0x0f2a, cv.cvtsi2ss, PF3);
row('cvtsi2sd Vsd,Ed', 0x0f2a, cv.cvtsi2sd, PF2);
row('cvttss2si Gd,Wss', 0x0f2c, cv.cvttss2si, PF3);
row('cvttsd2si Gd,Wsd', 0x0f2c, cv.cvttsd2si, PF2);
row('cvtss2si Gd,Wss', 0x0f2d, cv.cvtss2si, PF3);
row('cvtsd2si Gd,Wsd', 0x0f2d, cv.cvtsd2si, PF2);
row('cvtps2pd Vpd,Wps', 0x0f5a, cv.cvtps2pd);
row('cvtpd2ps Vps,Wpd', 0x0f5a, cv.cvtpd2ps, P66);
row('cvtss2sd Vsd,Wss', 0x0f5a, cv.cvtss2sd, PF3);
row('cvtsd2ss Vss,Wsd', 0x0f5a, cv.cvtsd2ss, PF2);
row('cvtdq2ps Vps,Wdq', 0x0f5b, cv.cvtdq2ps);
row('cvtps2dq Vdq,Wps', 0x0f5b, cv.cvtps2dq, P66);
row('cvttps2dq Vdq,Wps', 0x0f5b, cv.cvttps2dq, PF3);
row('cvttpd2dq Vdq,Wpd', 0x0fe6, cv.cvttpd2dq, P66);
row('cvtdq2pd Vpd,Wq', 0x0fe6, cv.cvtdq2pd, PF3);
row('cvtpd2dq Vdq,Wpd', 0x0fe6, cv.cvtpd2dq, PF2);

// ---- packed integer (66 0F xx /r) ----
const INT: ReadonlyArray<readonly [number, string, Exec]> = [
  [0x60, 'punpcklbw', pi.punpcklbw], [0x61, 'punpcklwd', pi.punpcklwd], [0x62, 'punpckldq', pi.punpckldq],
  [0x63, 'packsswb', pi.packsswb], [0x64, 'pcmpgtb', pi.pcmpgtb], [0x65, 'pcmpgtw', pi.pcmpgtw], [0x66, 'pcmpgtd', pi.pcmpgtd],
  [0x67, 'packuswb', pi.packuswb], [0x68, 'punpckhbw', pi.punpckhbw], [0x69, 'punpckhwd', pi.punpckhwd], [0x6a, 'punpckhdq', pi.punpckhdq],
  [0x6b, 'packssdw', pi.packssdw], [0x6c, 'punpcklqdq', fp.unpcklpd], [0x6d, 'punpckhqdq', fp.unpckhpd],
  [0x74, 'pcmpeqb', pi.pcmpeqb], [0x75, 'pcmpeqw', pi.pcmpeqw], [0x76, 'pcmpeqd', pi.pcmpeqd],
  [0xd1, 'psrlw', pi.psrlw], [0xd2, 'psrld', pi.psrld], [0xd3, 'psrlq', pi.psrlq], [0xd4, 'paddq', pi.paddq], [0xd5, 'pmullw', pi.pmullw],
  [0xd8, 'psubusb', pi.psubusb], [0xd9, 'psubusw', pi.psubusw], [0xda, 'pminub', pi.pminub], [0xdb, 'pand', pi.pand],
  [0xdc, 'paddusb', pi.paddusb], [0xdd, 'paddusw', pi.paddusw], [0xde, 'pmaxub', pi.pmaxub], [0xdf, 'pandn', pi.pandn],
  [0xe0, 'pavgb', pi.pavgb], [0xe1, 'psraw', pi.psraw], [0xe2, 'psrad', pi.psrad], [0xe3, 'pavgw', pi.pavgw],
  [0xe4, 'pmulhuw', pi.pmulhuw], [0xe5, 'pmulhw', pi.pmulhw], [0xe8, 'psubsb', pi.psubsb], [0xe9, 'psubsw', pi.psubsw],
  [0xea, 'pminsw', pi.pminsw], [0xeb, 'por', pi.por], [0xec, 'paddsb', pi.paddsb], [0xed, 'paddsw', pi.paddsw],
  [0xee, 'pmaxsw', pi.pmaxsw], [0xef, 'pxor', pi.pxor], [0xf1, 'psllw', pi.psllw], [0xf2, 'pslld', pi.pslld], [0xf3, 'psllq', pi.psllq],
  [0xf4, 'pmuludq', pi.pmuludq], [0xf5, 'pmaddwd', pi.pmaddwd], [0xf6, 'psadbw', pi.psadbw],
  [0xf8, 'psubb', pi.psubb], [0xf9, 'psubw', pi.psubw], [0xfa, 'psubd', pi.psubd], [0xfb, 'psubq', pi.psubq],
  [0xfc, 'paddb', pi.paddb], [0xfd, 'paddw', pi.paddw], [0xfe, 'paddd', pi.paddd],
];
for (const [op, mn, e] of INT) row(`${mn} Vdq,Wdq`, 0x0f00 | op, e, P66);
row('pmovmskb Gd,Udq', 0x0fd7, pi.pmovmskb, { ...P66, ...REG });
row('pshufd Vdq,Wdq,Ib', 0x0f70, pi.pshufd, { ...P66, ...IB });
row('pshufhw Vdq,Wdq,Ib', 0x0f70, pi.pshufhw, { ...PF3, ...IB });
row('pshuflw Vdq,Wdq,Ib', 0x0f70, pi.pshuflw, { ...PF2, ...IB });
// Shift groups by immediate: 66 0F 71/72/73 /n ib, register operand only.
const SHIFT_IMM: ReadonlyArray<readonly [number, number, string, Exec]> = [
  [0x71, 2, 'psrlw', pi.psrlw_imm], [0x71, 4, 'psraw', pi.psraw_imm], [0x71, 6, 'psllw', pi.psllw_imm],
  [0x72, 2, 'psrld', pi.psrld_imm], [0x72, 4, 'psrad', pi.psrad_imm], [0x72, 6, 'pslld', pi.pslld_imm],
  [0x73, 2, 'psrlq', pi.psrlq_imm], [0x73, 3, 'psrldq', pi.psrldq], [0x73, 6, 'psllq', pi.psllq_imm], [0x73, 7, 'pslldq', pi.pslldq],
];
for (const [op, ext, mn, e] of SHIFT_IMM) row(`${mn} Udq,Ib`, 0x0f00 | op, e, { ...P66, ...REG, ...IB, ext });

// ---- state, ordering, hints ----
row('fxsave M512', 0x0fae, st.fxsave, { ...MEM, ext: 0 });
row('fxrstor M512', 0x0fae, st.fxrstor, { ...MEM, ext: 1 });
row('ldmxcsr Md', 0x0fae, st.ldmxcsr, { ...MEM, ext: 2 });
row('stmxcsr Md', 0x0fae, st.stmxcsr, { ...MEM, ext: 3 });
row('lfence', 0x0fae, st.fence, { ...REG, ext: 5 });
row('mfence', 0x0fae, st.fence, { ...REG, ext: 6 });
row('sfence', 0x0fae, st.fence, { ...REG, ext: 7 });
row('clflush Mb', 0x0fae, st.fence, { ...MEM, ext: 7 });
// 66 0F AE: only clflushopt (a no-op like clflush); naming one 66 row makes
// every other 66 form of the group #UD (tpause, fxsave with 66, ...).
row('clflushopt Mb', 0x0fae, st.fence, { ...P66, ...MEM, ext: 7 });
row('tpause (not implemented: #UD)', 0x0fae, st.undefinedForm, { ...P66, ...REG, ext: 6 });
// F2/F3 0F AE: nothing a 32-bit Pentium 4 class CPU defines.
row('(undefined F2 0F AE)', 0x0fae, st.undefinedForm, PF2);
// Later extensions live there (CET, PTWRITE, WAITPKG): named for the oracle, all #UD.
const F3AE_MEM = ['', '', '', '', 'ptwrite', '', 'clrssbsy', ''];
const F3AE_REG = ['', '', '', '', 'ptwrite', 'incsspd', 'umonitor', ''];
for (let e = 0; e < 8; e++) {
  for (const [names, mod] of [[F3AE_MEM, MEM], [F3AE_REG, REG]] as const) {
    const n = names[e]!;
    row(n !== '' ? `${n} (not implemented: #UD)` : '(undefined F3 0F AE)', 0x0fae, st.undefinedForm, { ...PF3, ...mod, ext: e });
  }
}
row('prefetchnta Mb', 0x0f18, st.fence, { ...MEM, ext: 0 });
row('prefetcht0 Mb', 0x0f18, st.fence, { ...MEM, ext: 1 });
row('prefetcht1 Mb', 0x0f18, st.fence, { ...MEM, ext: 2 });
row('prefetcht2 Mb', 0x0f18, st.fence, { ...MEM, ext: 3 });
row('prefetchw Mb', 0x0f0d, st.fence, { ...MEM, ext: 1 });
row('emms', 0x0f77, st.emms, { modrm: false });

// ---- prefixes an SSE opcode does not define ----
// Without these rows the decoder would treat a stray F2/F3/66 as a rep or
// operand-size prefix and run the unprefixed form; the processor raises
// #UD instead (e.g. F3 0F 57 is not xorps).
const SSE_OPCODE = (op: number): boolean =>
  (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) || (op >= 0x50 && op <= 0x7f && op !== 0x77) || (op >= 0xc2 && op <= 0xc6) || op >= 0xd0;
/** Forms that exist (SSE3, MMX<->xmm) but are not implemented: named for what they are. */
const UNIMPLEMENTED: Record<string, string> = {
  '66 2C': 'cvttpd2pi', '66 2D': 'cvtpd2pi', 'F2 12': 'movddup', 'F3 12': 'movsldup', 'F3 16': 'movshdup',
  'F2 2B': 'movntsd', 'F3 2B': 'movntss', 'F2 D6': 'movdq2q', 'F3 D6': 'movq2dq', 'F2 7C': 'haddps', 'F2 D0': 'addsubps',
};
const defined = new Map<number, Set<number>>();
for (const r of sseRows) {
  const op = r.opcode & 0xff;
  if ((r.opcode & ~0xff) !== 0x0f00 || !SSE_OPCODE(op)) continue;
  let set = defined.get(op);
  if (!set) defined.set(op, (set = new Set()));
  set.add(r.prefix ?? 0);
}
for (const [op, set] of defined) {
  for (const p of [0x66, 0xf2, 0xf3] as const) {
    if (set.has(p)) continue;
    const key = `${p.toString(16).toUpperCase()} ${op.toString(16).toUpperCase().padStart(2, '0')}`;
    const known = UNIMPLEMENTED[key];
    row(known !== undefined ? `${known} (not implemented: #UD)` : `(undefined ${key.replace(' ', ' 0F ')})`, 0x0f00 | op, st.undefinedForm, { prefix: p });
  }
}
