/**
 * SSE/SSE2 data moves: whole-register moves (aligned and unaligned, incl.
 * the non-temporal stores, which are plain stores here: there is no cache
 * to bypass), scalar moves, half-register moves, movd/movq, pinsrw/pextrw
 * and maskmovdqu. Names follow the encoding: `movups_0F10` is 0F 10,
 * `movss_F30F10` is F3 0F 10.
 *
 * Register numbers: V = ModRM.reg (cpu.d.reg), U/W = ModRM.rm when mod = 3
 * (cpu.d.rm, else -1 and the operand is in memory at cpu.ea(s)).
 */
import type { Cpu } from '../cpu.js';
import { EDI } from '../state.js';
import { T, checkAlign16, loadW128, loadW64, writeM128 } from './sse-util.js';

function copyTo(v: Int32Array, o: number): void {
  const t = T.i32;
  v[o] = t[0]!; v[o + 1] = t[1]!; v[o + 2] = t[2]!; v[o + 3] = t[3]!;
}

// ---- xmm <- xmm/m128 ----

/** movups/movupd/movdqu V,W: no alignment requirement. */
export function movu_load(cpu: Cpu, s: number): void {
  loadW128(cpu, s, false);
  copyTo(cpu.sse.i32, cpu.d.reg[s]! << 2);
}

/** movaps/movapd/movdqa V,W: a memory operand must be 16-byte aligned. */
export function mova_load(cpu: Cpu, s: number): void {
  loadW128(cpu, s, true);
  copyTo(cpu.sse.i32, cpu.d.reg[s]! << 2);
}

// ---- xmm/m128 <- xmm ----

function store128(cpu: Cpu, s: number, aligned: boolean): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r >= 0) {
    const p = r << 2;
    v[p] = v[o]!; v[p + 1] = v[o + 1]!; v[p + 2] = v[o + 2]!; v[p + 3] = v[o + 3]!;
    return;
  }
  const a = cpu.ea(s);
  if (aligned) checkAlign16(cpu, a);
  writeM128(cpu, a, v, o);
}

/** movups/movupd/movdqu W,V. */
export function movu_store(cpu: Cpu, s: number): void { store128(cpu, s, false); }
/** movaps/movapd/movdqa W,V and the non-temporal movntps/movntpd/movntdq M,V (aligned). */
export function mova_store(cpu: Cpu, s: number): void { store128(cpu, s, true); }

// ---- scalar moves ----

/** movss V,W (F3 0F 10): register form merges the low dword; a load zeroes dwords 1..3. */
export function movss_F30F10(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r >= 0) { v[o] = v[r << 2]!; return; }
  const lo = cpu.read32(cpu.ea(s));
  v[o] = lo; v[o + 1] = 0; v[o + 2] = 0; v[o + 3] = 0;
}

/** movss W,V (F3 0F 11). */
export function movss_F30F11(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r >= 0) v[r << 2] = v[o]!;
  else cpu.write32(cpu.ea(s), v[o]!);
}

/** movsd V,W (F2 0F 10): register form merges the low qword; a load zeroes the high qword. */
export function movsd_F20F10(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r >= 0) { v[o] = v[r << 2]!; v[o + 1] = v[(r << 2) + 1]!; return; }
  cpu.read64(cpu.ea(s), T.i32, 0);
  v[o] = T.i32[0]!; v[o + 1] = T.i32[1]!; v[o + 2] = 0; v[o + 3] = 0;
}

/** movsd W,V (F2 0F 11). */
export function movsd_F20F11(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r >= 0) { v[r << 2] = v[o]!; v[(r << 2) + 1] = v[o + 1]!; return; }
  cpu.write64(cpu.ea(s), v[o]!, v[o + 1]!);
}

// ---- half-register moves ----

/** movlps/movlpd V,M64 (0F 12 / 66 0F 12, memory): low qword from memory, high kept. */
export function movlp_load(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  cpu.read64(cpu.ea(s), T.i32, 0);
  v[o] = T.i32[0]!; v[o + 1] = T.i32[1]!;
}

/** movhlps V,U (0F 12, register): V.low = U.high. */
export function movhlps_0F12(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, p = cpu.d.rm[s]! << 2;
  v[o] = v[p + 2]!; v[o + 1] = v[p + 3]!;
}

/** movlps/movlpd M64,V (0F 13 / 66 0F 13). */
export function movlp_store(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  cpu.write64(cpu.ea(s), v[o]!, v[o + 1]!);
}

/** movhps/movhpd V,M64 (0F 16 / 66 0F 16, memory): high qword from memory, low kept. */
export function movhp_load(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  cpu.read64(cpu.ea(s), T.i32, 0);
  v[o + 2] = T.i32[0]!; v[o + 3] = T.i32[1]!;
}

/** movlhps V,U (0F 16, register): V.high = U.low. */
export function movlhps_0F16(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, p = cpu.d.rm[s]! << 2;
  v[o + 2] = v[p]!; v[o + 3] = v[p + 1]!;
}

/** movhps/movhpd M64,V (0F 17 / 66 0F 17). */
export function movhp_store(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  cpu.write64(cpu.ea(s), v[o + 2]!, v[o + 3]!);
}

// ---- movd / movq ----

/** movd V,Ed (66 0F 6E): zero-extends to 128 bits. */
export function movd_660F6E(cpu: Cpu, s: number): void {
  const val = cpu.readE32(s);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  v[o] = val; v[o + 1] = 0; v[o + 2] = 0; v[o + 3] = 0;
}

/** movd Ed,V (66 0F 7E). */
export function movd_660F7E(cpu: Cpu, s: number): void {
  cpu.writeE32(s, cpu.sse.i32[cpu.d.reg[s]! << 2]!);
}

/** movq V,W (F3 0F 7E): low qword of xmm/m64, high qword zeroed. */
export function movq_F30F7E(cpu: Cpu, s: number): void {
  loadW64(cpu, s);
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2;
  v[o] = T.i32[0]!; v[o + 1] = T.i32[1]!; v[o + 2] = 0; v[o + 3] = 0;
}

/** movq W,V (66 0F D6): to memory 8 bytes; to a register, high qword zeroed. */
export function movq_660FD6(cpu: Cpu, s: number): void {
  const v = cpu.sse.i32, o = cpu.d.reg[s]! << 2, r = cpu.d.rm[s]!;
  if (r < 0) { cpu.write64(cpu.ea(s), v[o]!, v[o + 1]!); return; }
  const p = r << 2;
  v[p] = v[o]!; v[p + 1] = v[o + 1]!; v[p + 2] = 0; v[p + 3] = 0;
}

/** movnti M32,Gd (0F C3): a plain store. */
export function movnti_0FC3(cpu: Cpu, s: number): void {
  cpu.write32(cpu.ea(s), cpu.reg[cpu.d.reg[s]!]!);
}

// ---- word insert / extract ----

/** pinsrw V,Ed/M16,ib (66 0F C4): word imm&7 of V from the low word of r32 or m16. */
export function pinsrw_660FC4(cpu: Cpu, s: number): void {
  const val = cpu.readE16(s);
  cpu.sse.u16[(cpu.d.reg[s]! << 3) + (cpu.d.imm[s]! & 7)] = val;
}

/** pextrw Gd,U,ib (66 0F C5): zero-extended word imm&7 of U. */
export function pextrw_660FC5(cpu: Cpu, s: number): void {
  cpu.reg[cpu.d.reg[s]!] = cpu.sse.u16[(cpu.d.rm[s]! << 3) + (cpu.d.imm[s]! & 7)]!;
}

/**
 * maskmovdqu V,U (66 0F F7): stores the bytes of V whose mask byte in U has
 * bit 7 set, at DS:EDI (a segment override applies). All 16 bytes are
 * probed first when any byte is selected, so a fault stores nothing.
 */
export function maskmovdqu_660FF7(cpu: Cpu, s: number): void {
  const b = cpu.sse.u8, o = cpu.d.reg[s]! << 4, m = cpu.d.rm[s]! << 4;
  let any = 0;
  for (let i = 0; i < 16; i++) any |= b[m + i]!;
  if ((any & 0x80) === 0) return;
  const sg = cpu.d.seg[s]!;
  let a = cpu.reg[EDI]!;
  if (sg !== 0) a = (a + (sg === 4 ? cpu.fsBase : cpu.gsBase)) | 0;
  cpu.probeWrite(a, 16);
  for (let i = 0; i < 16; i++) if ((b[m + i]! & 0x80) !== 0) cpu.write8((a + i) | 0, b[o + i]!);
}
