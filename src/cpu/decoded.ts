/**
 * Decoded instructions, stored column-wise in typed arrays ("slots"), so that
 * decoding happens once per instruction and executing is a table call with a
 * slot number: `execs[op[s]](cpu, s)`.
 *
 * The decoder (decoder.ts) fills a slot; handlers read their operands from it
 * through the helpers on Cpu (ea, readE32, ...). Slots are owned by the
 * decode cache (decode-cache.ts), which groups them into basic blocks.
 */

/** Prefix bits in `pfx`. */
export const PFX_OPSIZE = 1; // 0x66
export const PFX_ADDRSIZE = 2; // 0x67: 16-bit addressing
export const PFX_REP = 4; // 0xF3
export const PFX_REPNE = 8; // 0xF2
export const PFX_LOCK = 16; // 0xF0

/** `seg` column: 0 no FS/GS override; 4 FS; 5 GS (flat model: only these add a base). */
export const SEG_NONE = 0;

export class DecodedSlots {
  /** Row index in the opcode table (the handler). */
  readonly op: Int32Array;
  /** Linear address of the instruction. */
  readonly eip: Int32Array;
  /** Linear address of the next instruction (eip + length). */
  readonly next: Int32Array;
  readonly pfx: Int32Array;
  /** ModRM.reg (or the register encoded in the opcode's low 3 bits). */
  readonly reg: Int32Array;
  /** Register number when ModRM.mod = 3, else -1 (memory operand). */
  readonly rm: Int32Array;
  /** Memory operand: base register or -1, index register or -1, scale as a shift (0..3), displacement. */
  readonly base: Int32Array;
  readonly index: Int32Array;
  readonly scale: Int32Array;
  readonly disp: Int32Array;
  /** FS/GS override (Seg.FS = 4, Seg.GS = 5) or 0. */
  readonly seg: Int32Array;
  /** Immediate(s). For relative branches `imm` holds the absolute target. */
  readonly imm: Int32Array;
  readonly imm2: Int32Array;

  constructor(readonly capacity: number) {
    const col = () => new Int32Array(capacity);
    this.op = col();
    this.eip = col();
    this.next = col();
    this.pfx = col();
    this.reg = col();
    this.rm = col();
    this.base = col();
    this.index = col();
    this.scale = col();
    this.disp = col();
    this.seg = col();
    this.imm = col();
    this.imm2 = col();
  }
}
