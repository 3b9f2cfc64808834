/**
 * SSE2 packed-integer instructions on xmm registers (the 66-prefixed forms;
 * the MMX forms without 66 are not implemented, see docs/cpu-fpu.md):
 * logic, add/sub (wrapping and saturating), compares, multiplies, min/max,
 * averages, psadbw, shifts, packs, unpacks, pshufd/pshufhw/pshuflw,
 * pmovmskb. Also serves the float logic ops (andps, xorpd ...), which are
 * the same bit operations.
 *
 * Every handler loads its source into T (sse-util.ts) and updates the
 * destination register V in place; lane views: u8 (16 lanes), u16 (8),
 * i32 (4). Signed lanes are sign-extended with shifts.
 */
import type { Cpu } from '../cpu.js';
import { T, loadW128 } from './sse-util.js';

function src(cpu: Cpu, s: number): number {
  loadW128(cpu, s, true);
  return cpu.d.reg[s]!;
}

// ---- logic ----

export function pand(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  v[o] &= t[0]!; v[o + 1] &= t[1]!; v[o + 2] &= t[2]!; v[o + 3] &= t[3]!;
}

export function pandn(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  v[o] = ~v[o]! & t[0]!; v[o + 1] = ~v[o + 1]! & t[1]!; v[o + 2] = ~v[o + 2]! & t[2]!; v[o + 3] = ~v[o + 3]! & t[3]!;
}

export function por(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  v[o] |= t[0]!; v[o + 1] |= t[1]!; v[o + 2] |= t[2]!; v[o + 3] |= t[3]!;
}

export function pxor(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  v[o] ^= t[0]!; v[o + 1] ^= t[1]!; v[o + 2] ^= t[2]!; v[o + 3] ^= t[3]!;
}

// ---- wrapping add/sub: the typed array store truncates to the lane ----

export function paddb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = v[o + i]! + t[i]!;
}
export function paddw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = v[o + i]! + t[i]!;
}
export function paddd(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i++) v[o + i] = (v[o + i]! + t[i]!) | 0;
}
export function psubb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = v[o + i]! - t[i]!;
}
export function psubw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = v[o + i]! - t[i]!;
}
export function psubd(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i++) v[o + i] = (v[o + i]! - t[i]!) | 0;
}

/** 64-bit lanes as dword pairs with an explicit carry/borrow. */
export function paddq(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i += 2) {
    const a = v[o + i]!, lo = (a + t[i]!) | 0;
    v[o + i + 1] = (v[o + i + 1]! + t[i + 1]! + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
    v[o + i] = lo;
  }
}
export function psubq(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i += 2) {
    const a = v[o + i]!, b = t[i]!;
    v[o + i + 1] = (v[o + i + 1]! - t[i + 1]! - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
    v[o + i] = (a - b) | 0;
  }
}

// ---- saturating add/sub ----

function sat(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function paddsb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.i8;
  for (let i = 0; i < 16; i++) v[o + i] = sat(((v[o + i]! << 24) >> 24) + t[i]!, -128, 127);
}
export function psubsb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.i8;
  for (let i = 0; i < 16; i++) v[o + i] = sat(((v[o + i]! << 24) >> 24) - t[i]!, -128, 127);
}
export function paddusb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = sat(v[o + i]! + t[i]!, 0, 255);
}
export function psubusb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = sat(v[o + i]! - t[i]!, 0, 255);
}
export function paddsw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) v[o + i] = sat(((v[o + i]! << 16) >> 16) + t[i]!, -32768, 32767);
}
export function psubsw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) v[o + i] = sat(((v[o + i]! << 16) >> 16) - t[i]!, -32768, 32767);
}
export function paddusw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = sat(v[o + i]! + t[i]!, 0, 65535);
}
export function psubusw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = sat(v[o + i]! - t[i]!, 0, 65535);
}

// ---- compares: all-ones lane when true ----

export function pcmpeqb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = v[o + i] === t[i] ? 0xff : 0;
}
export function pcmpeqw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = v[o + i] === t[i] ? 0xffff : 0;
}
export function pcmpeqd(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i++) v[o + i] = v[o + i] === t[i] ? -1 : 0;
}
export function pcmpgtb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.i8;
  for (let i = 0; i < 16; i++) v[o + i] = (v[o + i]! << 24) >> 24 > t[i]! ? 0xff : 0;
}
export function pcmpgtw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) v[o + i] = (v[o + i]! << 16) >> 16 > t[i]! ? 0xffff : 0;
}
export function pcmpgtd(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i++) v[o + i] = v[o + i]! > t[i]! ? -1 : 0;
}

// ---- multiplies ----

export function pmullw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = Math.imul(v[o + i]!, t[i]!);
}
export function pmulhw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) v[o + i] = Math.imul((v[o + i]! << 16) >> 16, t[i]!) >> 16;
}
export function pmulhuw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = (v[o + i]! * t[i]!) >>> 16;
}

/** pmuludq: dwords 0 and 2, unsigned, full 64-bit products (split in 16-bit halves to stay exact). */
export function pmuludq(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 2, v = cpu.sse.i32, t = T.i32;
  for (let i = 0; i < 4; i += 2) {
    const a = v[o + i]! >>> 0, b = t[i]! >>> 0;
    const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
    const ll = al * bl, mid = ah * bl + al * bh; // mid < 2^33: exact
    const lo = ll + (mid % 65536) * 65536; // < 2^49
    v[o + i] = lo | 0;
    v[o + i + 1] = (ah * bh + Math.floor(mid / 65536) + Math.floor(lo / 4294967296)) | 0;
  }
}

/** pmaddwd: each dword = a0*b0 + a1*b1 of signed words (0x8000 pairs wrap to 0x80000000, as on hardware). */
export function pmaddwd(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16, d = cpu.sse.i32;
  for (let i = 0; i < 8; i += 2) {
    const r = (Math.imul((v[o + i]! << 16) >> 16, t[i]!) + Math.imul((v[o + i + 1]! << 16) >> 16, t[i + 1]!)) | 0;
    d[(o + i) >> 1] = r;
  }
}

// ---- min/max, average, sum of absolute differences ----

export function pminub(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) if (t[i]! < v[o + i]!) v[o + i] = t[i]!;
}
export function pmaxub(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) if (t[i]! > v[o + i]!) v[o + i] = t[i]!;
}
export function pminsw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) if (t[i]! < (v[o + i]! << 16) >> 16) v[o + i] = t[i]!;
}
export function pmaxsw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.i16;
  for (let i = 0; i < 8; i++) if (t[i]! > (v[o + i]! << 16) >> 16) v[o + i] = t[i]!;
}
export function pavgb(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 4, v = cpu.sse.u8, t = T.u8;
  for (let i = 0; i < 16; i++) v[o + i] = (v[o + i]! + t[i]! + 1) >> 1;
}
export function pavgw(cpu: Cpu, s: number): void {
  const o = src(cpu, s) << 3, v = cpu.sse.u16, t = T.u16;
  for (let i = 0; i < 8; i++) v[o + i] = (v[o + i]! + t[i]! + 1) >> 1;
}
export function psadbw(cpu: Cpu, s: number): void {
  const r = src(cpu, s), v = cpu.sse.u8, t = T.u8, o = r << 4;
  let lo = 0, hi = 0;
  for (let i = 0; i < 8; i++) { lo += Math.abs(v[o + i]! - t[i]!); hi += Math.abs(v[o + 8 + i]! - t[8 + i]!); }
  const d = cpu.sse.i32, q = r << 2;
  d[q] = lo; d[q + 1] = 0; d[q + 2] = hi; d[q + 3] = 0;
}

/** pmovmskb Gd,U: the top bit of each byte. */
export function pmovmskb(cpu: Cpu, s: number): void {
  const v = cpu.sse.u8, o = cpu.d.rm[s]! << 4;
  let m = 0;
  for (let i = 0; i < 16; i++) m |= (v[o + i]! >> 7) << i;
  cpu.reg[cpu.d.reg[s]!] = m;
}

// ---- shifts ----
// The count is imm8 (66 0F 71..73 /n ib, register U in rm) or the low
// qword of xmm/m128 (a count with any bit set above the lane width
// clears the lane, or fills it with the sign for psra).

function countFromT(): number {
  return T.i32[1] !== 0 || T.i32[0]! >>> 0 > 255 ? 255 : T.i32[0]!;
}

function shiftW(v: Uint16Array, o: number, n: number, kind: number): void {
  for (let i = 0; i < 8; i++) {
    const a = v[o + i]!;
    v[o + i] = kind === 0 ? (n > 15 ? 0 : a << n) : kind === 1 ? (n > 15 ? 0 : a >>> n) : ((a << 16) >> 16) >> (n > 15 ? 15 : n);
  }
}

function shiftD(v: Int32Array, o: number, n: number, kind: number): void {
  for (let i = 0; i < 4; i++) {
    const a = v[o + i]!;
    v[o + i] = kind === 0 ? (n > 31 ? 0 : a << n) : kind === 1 ? (n > 31 ? 0 : a >>> n) : a >> (n > 31 ? 31 : n);
  }
}

function shiftQ(v: Int32Array, o: number, n: number, left: boolean): void {
  for (let i = 0; i < 4; i += 2) {
    const lo = v[o + i]!, hi = v[o + i + 1]!;
    if (n > 63) { v[o + i] = 0; v[o + i + 1] = 0; }
    else if (n === 0) continue;
    else if (left) {
      if (n >= 32) { v[o + i + 1] = lo << (n - 32); v[o + i] = 0; }
      else { v[o + i + 1] = (hi << n) | (lo >>> (32 - n)); v[o + i] = lo << n; }
    } else if (n >= 32) { v[o + i] = hi >>> (n - 32); v[o + i + 1] = 0; }
    else { v[o + i] = (lo >>> n) | (hi << (32 - n)); v[o + i + 1] = hi >>> n; }
  }
}

const SHL = 0, SHR = 1, SAR = 2;

export function psllw(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftW(cpu.sse.u16, r << 3, countFromT(), SHL); }
export function psrlw(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftW(cpu.sse.u16, r << 3, countFromT(), SHR); }
export function psraw(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftW(cpu.sse.u16, r << 3, countFromT(), SAR); }
export function pslld(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftD(cpu.sse.i32, r << 2, countFromT(), SHL); }
export function psrld(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftD(cpu.sse.i32, r << 2, countFromT(), SHR); }
export function psrad(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftD(cpu.sse.i32, r << 2, countFromT(), SAR); }
export function psllq(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftQ(cpu.sse.i32, r << 2, countFromT(), true); }
export function psrlq(cpu: Cpu, s: number): void { const r = src(cpu, s); shiftQ(cpu.sse.i32, r << 2, countFromT(), false); }

// Immediate forms: the register is U (ModRM.rm).
export function psllw_imm(cpu: Cpu, s: number): void { shiftW(cpu.sse.u16, cpu.d.rm[s]! << 3, cpu.d.imm[s]! & 0xff, SHL); }
export function psrlw_imm(cpu: Cpu, s: number): void { shiftW(cpu.sse.u16, cpu.d.rm[s]! << 3, cpu.d.imm[s]! & 0xff, SHR); }
export function psraw_imm(cpu: Cpu, s: number): void { shiftW(cpu.sse.u16, cpu.d.rm[s]! << 3, cpu.d.imm[s]! & 0xff, SAR); }
export function pslld_imm(cpu: Cpu, s: number): void { shiftD(cpu.sse.i32, cpu.d.rm[s]! << 2, cpu.d.imm[s]! & 0xff, SHL); }
export function psrld_imm(cpu: Cpu, s: number): void { shiftD(cpu.sse.i32, cpu.d.rm[s]! << 2, cpu.d.imm[s]! & 0xff, SHR); }
export function psrad_imm(cpu: Cpu, s: number): void { shiftD(cpu.sse.i32, cpu.d.rm[s]! << 2, cpu.d.imm[s]! & 0xff, SAR); }
export function psllq_imm(cpu: Cpu, s: number): void { shiftQ(cpu.sse.i32, cpu.d.rm[s]! << 2, cpu.d.imm[s]! & 0xff, true); }
export function psrlq_imm(cpu: Cpu, s: number): void { shiftQ(cpu.sse.i32, cpu.d.rm[s]! << 2, cpu.d.imm[s]! & 0xff, false); }

/** pslldq U,ib: whole-register byte shift left (toward higher bytes). */
export function pslldq(cpu: Cpu, s: number): void {
  const v = cpu.sse.u8, o = cpu.d.rm[s]! << 4, n = cpu.d.imm[s]! & 0xff;
  for (let i = 15; i >= 0; i--) v[o + i] = i >= n ? v[o + i - n]! : 0;
}

/** psrldq U,ib: whole-register byte shift right. */
export function psrldq(cpu: Cpu, s: number): void {
  const v = cpu.sse.u8, o = cpu.d.rm[s]! << 4, n = cpu.d.imm[s]! & 0xff;
  for (let i = 0; i < 16; i++) v[o + i] = i + n < 16 ? v[o + i + n]! : 0;
}

// ---- packs (source lanes go to the high half, so stage V in T's second half) ----

function stageV(cpu: Cpu, r: number): void {
  const v = cpu.sse.i32, t = T.i32, o = r << 2;
  t[4] = v[o]!; t[5] = v[o + 1]!; t[6] = v[o + 2]!; t[7] = v[o + 3]!;
}

/** packsswb: 8 words of V then 8 of W, signed-saturated to bytes. */
export function packsswb(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u8, t = T.i16, o = r << 4;
  for (let i = 0; i < 8; i++) { v[o + i] = sat(t[8 + i]!, -128, 127); v[o + 8 + i] = sat(t[i]!, -128, 127); }
}
/** packuswb: signed words, unsigned-saturated to bytes. */
export function packuswb(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u8, t = T.i16, o = r << 4;
  for (let i = 0; i < 8; i++) { v[o + i] = sat(t[8 + i]!, 0, 255); v[o + 8 + i] = sat(t[i]!, 0, 255); }
}
/** packssdw: signed dwords, signed-saturated to words. */
export function packssdw(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u16, t = T.i32, o = r << 3;
  for (let i = 0; i < 4; i++) { v[o + i] = sat(t[4 + i]!, -32768, 32767); v[o + 4 + i] = sat(t[i]!, -32768, 32767); }
}

// ---- unpacks (interleave; V staged in T[4..7] because the result overwrites it) ----

export function punpcklbw(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u8, t = T.u8, o = r << 4;
  for (let i = 0; i < 8; i++) { v[o + 2 * i] = t[16 + i]!; v[o + 2 * i + 1] = t[i]!; }
}
export function punpckhbw(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u8, t = T.u8, o = r << 4;
  for (let i = 0; i < 8; i++) { v[o + 2 * i] = t[24 + i]!; v[o + 2 * i + 1] = t[8 + i]!; }
}
export function punpcklwd(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u16, t = T.u16, o = r << 3;
  for (let i = 0; i < 4; i++) { v[o + 2 * i] = t[8 + i]!; v[o + 2 * i + 1] = t[i]!; }
}
export function punpckhwd(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.u16, t = T.u16, o = r << 3;
  for (let i = 0; i < 4; i++) { v[o + 2 * i] = t[12 + i]!; v[o + 2 * i + 1] = t[4 + i]!; }
}
export function punpckldq(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.i32, t = T.i32, o = r << 2;
  v[o] = t[4]!; v[o + 1] = t[0]!; v[o + 2] = t[5]!; v[o + 3] = t[1]!;
}
export function punpckhdq(cpu: Cpu, s: number): void {
  const r = src(cpu, s); stageV(cpu, r);
  const v = cpu.sse.i32, t = T.i32, o = r << 2;
  v[o] = t[6]!; v[o + 1] = t[2]!; v[o + 2] = t[7]!; v[o + 3] = t[3]!;
}

// ---- shuffles ----

/** pshufd V,W,ib: dword i = W[imm >> 2i & 3]. */
export function pshufd(cpu: Cpu, s: number): void {
  const r = src(cpu, s), v = cpu.sse.i32, t = T.i32, o = r << 2, m = cpu.d.imm[s]!;
  v[o] = t[m & 3]!; v[o + 1] = t[(m >> 2) & 3]!; v[o + 2] = t[(m >> 4) & 3]!; v[o + 3] = t[(m >> 6) & 3]!;
}

/** pshuflw V,W,ib (F2 0F 70): shuffles words 0..3, copies the high qword. */
export function pshuflw(cpu: Cpu, s: number): void {
  const r = src(cpu, s), v = cpu.sse.u16, t = T.u16, o = r << 3, m = cpu.d.imm[s]!;
  for (let i = 0; i < 4; i++) v[o + i] = t[(m >> (2 * i)) & 3]!;
  for (let i = 4; i < 8; i++) v[o + i] = t[i]!;
}

/** pshufhw V,W,ib (F3 0F 70): shuffles words 4..7, copies the low qword. */
export function pshufhw(cpu: Cpu, s: number): void {
  const r = src(cpu, s), v = cpu.sse.u16, t = T.u16, o = r << 3, m = cpu.d.imm[s]!;
  for (let i = 0; i < 4; i++) v[o + i] = t[i]!;
  for (let i = 0; i < 4; i++) v[o + 4 + i] = t[4 + ((m >> (2 * i)) & 3)]!;
}
