/**
 * Architectural state of one i386 core in flat 32-bit protected mode, ring 3:
 * the eight general registers, EIP, EFLAGS (partly lazy, see flags.ts), the
 * FS/GS bases (the TEB; a POSIX personality's TLS), the SSE registers and
 * MXCSR, and the x87 stack.
 *
 * Kept in typed arrays so that the kernel can save and restore a thread's
 * registers with one copy (TCB ReadRegisters/WriteRegisters).
 */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const REG8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;

/** Segment register numbers as encoded in ModRM.reg of mov Sreg and in override prefixes. */
export const enum Seg { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 }

/** Flat user-mode selectors (what an NT process sees: CS 0x1b, DS/ES/SS 0x23, FS 0x3b). */
export const FLAT_SELECTORS = [0x23, 0x1b, 0x23, 0x23, 0x3b, 0x23];

/** Default MXCSR after reset: all exceptions masked, round to nearest. */
export const MXCSR_DEFAULT = 0x1f80;
/** Default x87 control word (FNINIT): all exceptions masked, 64-bit precision, round to nearest. */
export const FPU_CW_DEFAULT = 0x037f;

export class SseState {
  readonly buffer = new ArrayBuffer(8 * 16);
  /** xmm0..7 as 32 dwords (xmmN dword k at index N*4+k). */
  readonly i32 = new Int32Array(this.buffer);
  readonly u8 = new Uint8Array(this.buffer);
  readonly u16 = new Uint16Array(this.buffer);
  readonly f32 = new Float32Array(this.buffer);
  /** xmmN qword k at index N*2+k. */
  readonly f64 = new Float64Array(this.buffer);
  mxcsr = MXCSR_DEFAULT;
}

/**
 * The x87 unit. Values are held as doubles (53-bit significand): the
 * compiler-emitted subset this engine targets (loads, stores, conversions,
 * basic arithmetic, compares) is exact in double precision, except the
 * 64-bit integer path, for which `exact` keeps the integer a register was
 * loaded with by FILD m64 so that FISTP m64 stores it back unchanged.
 */
export class X87State {
  /** Physical registers R0..R7; ST(i) is R[(top + i) & 7]. */
  readonly r = new Float64Array(8);
  /** Tag per physical register: 0 valid, 1 zero, 2 special, 3 empty. */
  readonly tag = new Uint8Array(8).fill(3);
  /** Exact 64-bit integer shadow per physical register (lo, hi), valid when exactValid bit set. */
  readonly exact = new Int32Array(16);
  exactValid = 0;
  top = 0;
  cw = FPU_CW_DEFAULT;
  /** Status word without TOP (bits 11..13 come from `top`). */
  sw = 0;
}
