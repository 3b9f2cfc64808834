/**
 * The shape of the opcode table: one row per instruction form. The table is
 * the single source of truth: the decoder builds its lookup from it, the
 * interpreter calls `exec`, the JIT (a later issue) reads `flow` and the
 * flags masks (for liveness) and will get a code template per row, and the
 * CPU tests enumerate it.
 *
 * A row matches an encoding by: map + opcode byte, the mandatory prefix
 * (SSE), the ModRM.reg extension (group opcodes, x87), the ModRM.mod form
 * (register or memory only), a fixed ModRM.rm (x87 forms like D9 E8), and
 * the operand size (rows for 'v'-sized opcodes come in pairs, 16 and 32).
 *
 * Handler names follow the encoding (v86's habit), e.g. `add_01_32`, so
 * the code can be navigated from the Intel manual.
 */
import type { Cpu } from '../cpu.js';

/** An instruction handler: executes the decoded instruction in slot `s`. */
export type Exec = (cpu: Cpu, s: number) => void;

/** Immediate operand kinds. */
export const enum Imm {
  NONE = 0,
  /** imm8, zero-extended in `imm`. */
  B,
  /** imm8 sign-extended to 32 bits. */
  SB,
  /** imm16. */
  W,
  /** imm32. */
  D,
  /** imm16 or imm32 by operand size. */
  V,
  /** rel8: `imm` holds the absolute target (next + rel, truncated to 16 bits with 0x66). */
  REL8,
  /** rel16/rel32 by operand size, absolute target in `imm`. */
  RELV,
  /** moffs (A0..A3): an address-size offset, decoded as a memory operand (disp only). */
  MOFFS,
  /** ENTER: imm16 in `imm`, imm8 in `imm2`. */
  W_B,
  /** far pointer (ptr16:16/32): offset in `imm`, selector in `imm2`. */
  FAR,
}

/** How an instruction affects control flow (ends a basic block unless NONE). */
export const enum Flow {
  NONE = 0,
  /** Direct unconditional jump (target in `imm`). */
  JUMP,
  /** Conditional direct branch (target in `imm`, fallthrough in `next`). */
  BRANCH,
  /** Direct call. */
  CALL,
  /** Indirect jump/call or return: target known only at run time. */
  INDIRECT,
  /** Leaves the run loop: software interrupt, sysenter, hlt, ud2 ... */
  TRAP,
  /** May change state the decoder depends on, or writes EIP in another way: end the block after it. */
  SERIALIZE,
}

export interface OpRow {
  /** Mnemonic and operand pattern in Intel order, e.g. 'add Ev,Gv', 'movsd Vsd,Wsd'. */
  readonly name: string;
  /** 0x00..0xFF one-byte map; 0x0F00..0x0FFF two-byte map; 0x0F3800.. / 0x0F3A00.. three-byte maps. */
  readonly opcode: number;
  /** Mandatory prefix (66/F2/F3) of SSE forms. A row without one does not match when such a prefix was given and a row with it exists. */
  readonly prefix?: 0x66 | 0xf2 | 0xf3;
  /** ModRM.reg opcode extension, 0..7. */
  readonly ext?: number;
  /** Only the register (mod = 3) or only the memory form. */
  readonly mod?: 'reg' | 'mem';
  /** Fixed ModRM.rm (with mod = 3), for forms such as D9 E8 (fld1). */
  readonly rm?: number;
  /** Operand size this row is for (16 with 0x66, else 32); absent = either. */
  readonly osize?: 16 | 32;
  /** The instruction has a ModRM byte. */
  readonly modrm: boolean;
  /** The low 3 bits of the opcode name a register (50+r push, B8+r mov ...): decoded into `reg`. */
  readonly regInOpcode?: boolean;
  readonly imm?: Imm;
  /** EFLAGS bits the instruction reads. */
  readonly flagsRead: number;
  /** EFLAGS bits it writes (defined or undefined). */
  readonly flagsWritten: number;
  /** Of flagsWritten, those the SDM leaves undefined (masked by the oracle tests). */
  readonly flagsUndefined?: number;
  readonly flow?: Flow;
  /** LOCK is allowed (only with a memory destination). */
  readonly lockable?: boolean;
  /** REP/REPNE change the meaning (string instructions). */
  readonly rep?: boolean;
  readonly exec: Exec;
}
