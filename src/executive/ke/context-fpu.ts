/**
 * Ke: the floating-point parts of an i386 CONTEXT, to and from a thread's
 * x87/SSE registers (src/kernel/fpu-context.ts):
 *
 *  - CONTEXT_FLOATING_POINT: FloatSave (FLOATING_SAVE_AREA at 0x1c), the
 *    FNSAVE image: ControlWord, StatusWord (with TOP), TagWord (2 bits per
 *    physical register: valid, zero, special, empty), the error and data
 *    pointers (not tracked by the CPU: 0), RegisterArea = ST(0)..ST(7) as
 *    80-bit values, Cr0NpxState (0);
 *  - CONTEXT_EXTENDED_REGISTERS: ExtendedRegisters (0xcc, 512 bytes), the
 *    FXSAVE image: FCW, FSW, the abridged tag byte, MXCSR and its mask,
 *    ST(0)..ST(7) in 16-byte slots, XMM0..7.
 *
 * The CPU keeps x87 values as doubles: an 80-bit value written into a
 * CONTEXT is exact, one read from it is rounded to 53 bits (as the CPU's
 * own FLD m80 does). When a CONTEXT names both parts, the extended image
 * is applied first and FloatSave's x87 state over it (NT's order).
 */
import { f80ToDouble, doubleToF80, F80 } from '../../cpu/ops/x87-f80.js';
import type { FpuImage } from '../../kernel/fpu-context.js';

export const CONTEXT_FLOATING_POINT = 0x10008;
export const CONTEXT_EXTENDED_REGISTERS = 0x10020;
const FLOAT_SAVE = 0x1c;
const EXTENDED = 0xcc;
const TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;
/** MXCSR bits the CPU accepts (fxrstor/ldmxcsr raise #GP for the others). */
const MXCSR_MASK = 0xffff;

function statusWord(x: FpuImage['x87']): number {
  return ((x.sw & ~(7 << 11)) | (x.top << 11)) & 0xffff;
}

function setStatusWord(x: FpuImage['x87'], w: number): void {
  x.top = (w >>> 11) & 7;
  x.sw = w & ~(7 << 11) & 0xffff;
}

function putF80(dv: DataView, o: number, v: number): void {
  doubleToF80(v);
  dv.setInt32(o, F80[0]!, true);
  dv.setInt32(o + 4, F80[1]!, true);
  dv.setUint16(o + 8, F80[2]! & 0xffff, true);
}

function getF80(dv: DataView, o: number): number {
  return f80ToDouble(dv.getInt32(o, true), dv.getInt32(o + 4, true), dv.getUint16(o + 8, true));
}

/** The tag a value earns when it is loaded (FXRSTOR's abridged tags say only "not empty"). */
function tagOf(v: number): number {
  if (v === 0) return TAG_ZERO;
  if (!Number.isFinite(v)) return TAG_SPECIAL;
  return Math.abs(v) < 2.2250738585072014e-308 ? TAG_SPECIAL : TAG_VALID;
}

/** False for a CONTEXT whose extended part has an MXCSR with reserved bits (the CPU's #GP): NtContinue and NtSetContextThread refuse it. */
export function contextFpuAcceptable(ctx: Uint8Array): boolean {
  const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const flags = dv.getUint32(0, true);
  return (flags & CONTEXT_EXTENDED_REGISTERS) !== CONTEXT_EXTENDED_REGISTERS || (dv.getUint32(EXTENDED + 24, true) & ~MXCSR_MASK) === 0;
}

/** Writes both floating-point parts of `ctx` from `img` (the caller sets the flags). */
export function writeContextFpu(ctx: Uint8Array, img: FpuImage): void {
  const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const x = img.x87;
  const sw = statusWord(x);
  // FLOATING_SAVE_AREA
  let tw = 0;
  for (let p = 0; p < 8; p++) tw |= (x.tag[p]! & 3) << (2 * p);
  dv.setUint32(FLOAT_SAVE + 0x00, x.cw & 0xffff, true);
  dv.setUint32(FLOAT_SAVE + 0x04, sw, true);
  dv.setUint32(FLOAT_SAVE + 0x08, tw, true);
  for (let o = 0x0c; o < 0x1c; o += 4) dv.setUint32(FLOAT_SAVE + o, 0, true);
  for (let i = 0; i < 8; i++) putF80(dv, FLOAT_SAVE + 0x1c + 10 * i, x.r[(x.top + i) & 7]!);
  dv.setUint32(FLOAT_SAVE + 0x6c, 0, true);
  // FXSAVE image
  let ftw = 0;
  for (let p = 0; p < 8; p++) if (x.tag[p] !== TAG_EMPTY) ftw |= 1 << p;
  ctx.fill(0, EXTENDED, EXTENDED + 512);
  dv.setUint16(EXTENDED + 0, x.cw & 0xffff, true);
  dv.setUint16(EXTENDED + 2, sw, true);
  dv.setUint8(EXTENDED + 4, ftw);
  dv.setUint32(EXTENDED + 24, img.sse.mxcsr >>> 0, true);
  dv.setUint32(EXTENDED + 28, MXCSR_MASK, true);
  for (let i = 0; i < 8; i++) putF80(dv, EXTENDED + 32 + 16 * i, x.r[(x.top + i) & 7]!);
  const v = img.sse.i32;
  for (let i = 0; i < 32; i++) dv.setInt32(EXTENDED + 160 + 4 * i, v[i]!, true);
}

/**
 * Applies the floating-point parts `flags` names to `img`. Returns false
 * (and changes nothing) for an MXCSR with reserved bits set, which the CPU
 * would refuse with #GP.
 */
export function readContextFpu(ctx: Uint8Array, flags: number, img: FpuImage): boolean {
  const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const x = img.x87;
  const ext = (flags & CONTEXT_EXTENDED_REGISTERS) === CONTEXT_EXTENDED_REGISTERS;
  const fp = (flags & CONTEXT_FLOATING_POINT) === CONTEXT_FLOATING_POINT;
  if (ext && (dv.getUint32(EXTENDED + 24, true) & ~MXCSR_MASK) !== 0) return false;
  if (ext) {
    x.cw = (dv.getUint16(EXTENDED + 0, true) & 0x1f3f) | 0x40;
    setStatusWord(x, dv.getUint16(EXTENDED + 2, true));
    const ftw = dv.getUint8(EXTENDED + 4);
    for (let i = 0; i < 8; i++) x.r[(x.top + i) & 7] = getF80(dv, EXTENDED + 32 + 16 * i);
    for (let p = 0; p < 8; p++) x.tag[p] = (ftw >> p) & 1 ? tagOf(x.r[p]!) : TAG_EMPTY;
    x.exactValid = 0;
    img.sse.mxcsr = dv.getUint32(EXTENDED + 24, true);
    const v = img.sse.i32;
    for (let i = 0; i < 32; i++) v[i] = dv.getInt32(EXTENDED + 160 + 4 * i, true);
  }
  if (fp) {
    x.cw = (dv.getUint32(FLOAT_SAVE + 0x00, true) & 0x1f3f) | 0x40;
    setStatusWord(x, dv.getUint32(FLOAT_SAVE + 0x04, true) & 0xffff);
    const tw = dv.getUint32(FLOAT_SAVE + 0x08, true);
    for (let p = 0; p < 8; p++) x.tag[p] = (tw >>> (2 * p)) & 3;
    for (let i = 0; i < 8; i++) x.r[(x.top + i) & 7] = getF80(dv, FLOAT_SAVE + 0x1c + 10 * i);
    x.exactValid = 0;
  }
  return true;
}
