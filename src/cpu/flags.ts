/**
 * EFLAGS bits, and the lazy-flags kinds.
 *
 * Arithmetic does not compute flags; it records what it did (kind, operands,
 * result, size) and the flags are derived only when something reads them.
 * `Cpu.lazy` says which of the six arithmetic flags are pending in that
 * record; all other bits live materialized in `Cpu.flags`.
 *
 * Policy for architecturally undefined flags (documented in docs/cpu.md):
 * we produce what current Intel processors produce, as measured by the
 * native-execution fixtures (tests/cpu/oracle), and the CPU tests mask the
 * flags the SDM calls undefined, so either choice passes but the choice is
 * stable and deterministic.
 */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const VIF = 1 << 19;
export const VIP = 1 << 20;
export const ID = 1 << 21;

/** The six status flags that arithmetic sets. */
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** Bit 1 of EFLAGS always reads as 1. */
export const FIXED_ONE = 1 << 1;
/** Bits user mode may change with POPF (IF and IOPL are ignored at CPL 3). */
export const USER_WRITABLE = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;

/**
 * Lazy kinds: what the last flag-setting operation was. CF/OF/AF are
 * derived from (a, b, res) per kind; ZF/SF/PF from res and size for all kinds.
 */
export const enum Lazy {
  ADD = 0, // res = a + b
  ADC = 1, // res = a + b + carry-in (carry-in kept in lazyC)
  SUB = 2, // res = a - b (also CMP, NEG with a = 0)
  SBB = 3, // res = a - b - borrow-in (kept in lazyC)
  LOGIC = 4, // AND/OR/XOR/TEST: CF = OF = 0, AF = 0 (undefined; Intel gives 0)
  INC = 5, // res = a + 1 (CF not touched: lazy mask excludes CF)
  DEC = 6, // res = a - 1
  /** Result-only kind: CF/OF/AF materialized by the instruction, SZP from res. */
  RESULT = 7,
}

/** The parity table: PF set when the low byte has an even number of 1 bits. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, n = 0;
  while (b) { n += b & 1; b >>= 1; }
  PARITY[i] = n & 1 ? 0 : PF;
}

/** Condition codes 0..15 as used by Jcc/SETcc/CMOVcc (low nibble of the opcode). */
export const enum Cond { O = 0, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G }
