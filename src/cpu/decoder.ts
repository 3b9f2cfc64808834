/**
 * The table-driven decoder: bytes at EIP -> one decoded slot (decoded.ts).
 *
 * At module load it builds, from opTable alone, a lookup keyed by
 * (opcode map, opcode byte, prefix state), where the prefix state is
 * "0x66 given or not" x "none / F2 / F3 (the last one given)":
 *
 *   prefixes ─> map (1-byte, 0F, 0F38, 0F3A) + opcode ─> lut[key]
 *                                                         ├─ row index (no ModRM)
 *                                                         └─ ModRM table: 256 row indices
 *
 * Resolving a mandatory prefix happens once, at build time: F2/F3 select the
 * rows that name them if any exist for that opcode (otherwise they are rep
 * prefixes or ignored); then 0x66 selects rows that name it (otherwise it is
 * the operand-size prefix, choosing the 16-bit rows). ModRM tables resolve
 * ext (ModRM.reg), mod (register/memory) and fixed rm. Two rows that match
 * the same encoding make the module fail to load, naming both rows.
 *
 * Encodings no row matches decode to the #UD row (the fault happens when the
 * instruction executes, not when it is decoded, as on hardware); so do LOCK
 * prefixes on a form that is not lockable or has a register destination.
 * Instructions longer than 15 bytes decode to the #GP row. Fetches go
 * through cpu.fetch8, so a fetch fault propagates to the caller.
 */
import type { Cpu } from './cpu.js';
import { PFX_ADDRSIZE, PFX_LOCK, PFX_OPSIZE, PFX_REP, PFX_REPNE } from './decoded.js';
import { lockedRow, opTable } from './table/index.js';
import { GP_ROW_NAME, UD_ROW_NAME } from './table/int.js';
import { Flow, Imm, type OpRow } from './table/types.js';

const MAPS = 4; // 0: one-byte, 1: 0F, 2: 0F 38, 3: 0F 3A
const PSTATES = 6; // (has66 ? 3 : 0) + (none 0 | F2 1 | F3 2)

export const UD_ROW = opTable.findIndex((r) => r.name === UD_ROW_NAME);
export const GP_ROW = opTable.findIndex((r) => r.name === GP_ROW_NAME);

/** lut[key]: >= 0 row index; -1 no row (#UD); <= -2 ModRM table number (-2 - n). */
const lut = new Int32Array(MAPS * 256 * PSTATES).fill(-1);
/** 1 when the key's operand size is 16 bits (0x66 present and not consumed as a mandatory prefix). */
const lutOs16 = new Uint8Array(MAPS * 256 * PSTATES);
let modrmTables = new Int32Array(0);

/** Per row: immediate kind, flow kind, lockable. */
export const rowImm = Uint8Array.from(opTable, (r) => r.imm ?? Imm.NONE);
export const rowFlow = Uint8Array.from(opTable, (r) => r.flow ?? Flow.NONE);
const rowLock = Uint8Array.from(opTable, (r) => (r.lockable ? 1 : 0));
/** xchg with a memory operand is locked without the prefix. */
const rowXchg = Uint8Array.from(opTable, (r) => (r.name.startsWith('xchg E') ? 1 : 0));

function mapOf(opcode: number): [number, number] {
  if (opcode <= 0xff) return [0, opcode];
  if (opcode <= 0x0fff) return [1, opcode & 0xff];
  if ((opcode & ~0xff) === 0x0f3800) return [2, opcode & 0xff];
  if ((opcode & ~0xff) === 0x0f3a00) return [3, opcode & 0xff];
  throw new Error(`opcode table: bad opcode 0x${opcode.toString(16)}`);
}

function matchesModrm(r: OpRow, m: number): boolean {
  const mod = m >> 6, reg = (m >> 3) & 7, rm = m & 7;
  if (r.ext !== undefined && r.ext !== reg) return false;
  if (r.mod === 'reg' && mod !== 3) return false;
  if (r.mod === 'mem' && mod === 3) return false;
  if (r.rm !== undefined && (mod !== 3 || r.rm !== rm)) return false;
  return true;
}

function build(): void {
  // Group row indices by (map, opcode byte); regInOpcode rows cover 8 opcodes.
  const groups = new Map<number, number[]>();
  opTable.forEach((r, i) => {
    if (r.opcode < 0) return;
    const [map, op] = mapOf(r.opcode);
    const n = r.regInOpcode ? 8 : 1;
    if (r.regInOpcode && (op & 7) !== 0) throw new Error(`opcode table: '${r.name}' has regInOpcode but its opcode's low bits are not 0`);
    for (let k = 0; k < n; k++) {
      const key = map * 256 + op + k;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(i);
    }
  });
  const tables: number[] = [];
  const tableIds = new Map<string, number>();
  for (const [mo, g] of groups) {
    for (let ps = 0; ps < PSTATES; ps++) {
      const has66 = ps >= 3, rep = ps % 3;
      const repPfx = rep === 1 ? 0xf2 : rep === 2 ? 0xf3 : 0;
      let cand: number[];
      let os16 = has66;
      if (repPfx !== 0 && g.some((i) => opTable[i]!.prefix === repPfx)) cand = g.filter((i) => opTable[i]!.prefix === repPfx);
      else if (has66 && g.some((i) => opTable[i]!.prefix === 0x66)) { cand = g.filter((i) => opTable[i]!.prefix === 0x66); os16 = false; }
      else cand = g.filter((i) => opTable[i]!.prefix === undefined);
      cand = cand.filter((i) => { const o = opTable[i]!.osize; return o === undefined || o === (os16 ? 16 : 32); });
      const key = mo * PSTATES + ps;
      lutOs16[key] = os16 ? 1 : 0;
      if (cand.length === 0) continue;
      const withModrm = cand.filter((i) => opTable[i]!.modrm);
      if (withModrm.length !== 0 && withModrm.length !== cand.length) {
        throw new Error(`opcode table: rows for the same encoding disagree on ModRM: ${cand.map((i) => `'${opTable[i]!.name}'`).join(', ')}`);
      }
      if (withModrm.length === 0) {
        if (cand.length > 1) throw new Error(`opcode table: rows match the same encoding: ${cand.map((i) => `'${opTable[i]!.name}'`).join(', ')} (opcode ${mo.toString(16)}, prefix state ${ps})`);
        lut[key] = cand[0]!;
        continue;
      }
      const t: number[] = [];
      for (let m = 0; m < 256; m++) {
        const hits = cand.filter((i) => matchesModrm(opTable[i]!, m));
        if (hits.length > 1) throw new Error(`opcode table: rows match the same encoding: ${hits.map((i) => `'${opTable[i]!.name}'`).join(', ')} (opcode ${mo.toString(16)}, ModRM ${m.toString(16)}, prefix state ${ps})`);
        t.push(hits.length === 1 ? hits[0]! : UD_ROW);
      }
      const sig = t.join(',');
      let id = tableIds.get(sig);
      if (id === undefined) { id = tableIds.size; tableIds.set(sig, id); tables.push(...t); }
      lut[key] = -2 - id;
    }
  }
  modrmTables = Int32Array.from(tables);
}
if (UD_ROW < 0 || GP_ROW < 0) throw new Error('opcode table: missing #UD/#GP rows');
build();

/** Number of distinct ModRM tables (for the profiler / docs). */
export const modrmTableCount = (): number => modrmTables.length >> 8;

/**
 * Decodes the instruction at linear address `eip` into slot `s` of cpu.d.
 * Never throws except for instruction-fetch faults (cpu.exception).
 */
export function decodeInstruction(cpu: Cpu, eip: number, s: number): void {
  const d = cpu.d;
  let p = eip | 0;
  let pfx = 0, rep = 0, seg = 0;
  let b = cpu.fetch8(p);
  // ---- prefixes ----
  for (;;) {
    if (b === 0x66) pfx |= PFX_OPSIZE;
    else if (b === 0x67) pfx |= PFX_ADDRSIZE;
    else if (b === 0xf3) { rep = 2; pfx = (pfx & ~PFX_REPNE) | PFX_REP; }
    else if (b === 0xf2) { rep = 1; pfx = (pfx & ~PFX_REP) | PFX_REPNE; }
    else if (b === 0xf0) pfx |= PFX_LOCK;
    else if (b === 0x64) seg = 4;
    else if (b === 0x65) seg = 5;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) seg = 0;
    else break;
    p = (p + 1) | 0;
    if (p - eip >= 15) return finish(d, s, eip, (p + 1) | 0, GP_ROW, pfx, seg);
    b = cpu.fetch8(p);
  }
  // ---- opcode ----
  let map = 0;
  if (b === 0x0f) {
    p = (p + 1) | 0;
    b = cpu.fetch8(p);
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      p = (p + 1) | 0;
      b = cpu.fetch8(p);
    }
  }
  p = (p + 1) | 0;
  const key = ((map << 8) | b) * PSTATES + ((pfx & PFX_OPSIZE) !== 0 ? 3 : 0) + rep;
  let row = lut[key]!;
  const os16 = lutOs16[key] === 1;
  d.reg[s] = b & 7; // regInOpcode rows; overwritten by ModRM.reg below
  d.rm[s] = -1;
  d.base[s] = -1;
  d.index[s] = -1;
  d.scale[s] = 0;
  d.disp[s] = 0;
  d.imm[s] = 0;
  d.imm2[s] = 0;
  if (row === -1) return finish(d, s, eip, p, UD_ROW, pfx, seg);
  // ---- ModRM / SIB / displacement ----
  let isReg = false;
  if (row < -1) {
    const m = cpu.fetch8(p);
    p = (p + 1) | 0;
    row = modrmTables[((-2 - row) << 8) | m]!;
    const mod = m >> 6, rm = m & 7;
    d.reg[s] = (m >> 3) & 7;
    if (mod === 3) { d.rm[s] = rm; isReg = true; }
    else if ((pfx & PFX_ADDRSIZE) === 0) p = modrm32(cpu, s, p, mod, rm);
    else p = modrm16(cpu, s, p, mod, rm);
  }
  // ---- immediates ----
  switch (rowImm[row]!) {
    case Imm.NONE: break;
    case Imm.B: d.imm[s] = cpu.fetch8(p); p = (p + 1) | 0; break;
    case Imm.SB: d.imm[s] = (cpu.fetch8(p) << 24) >> 24; p = (p + 1) | 0; break;
    case Imm.W: d.imm[s] = fetch16(cpu, p); p = (p + 2) | 0; break;
    case Imm.D: d.imm[s] = fetch32(cpu, p); p = (p + 4) | 0; break;
    case Imm.V:
      if (os16) { d.imm[s] = fetch16(cpu, p); p = (p + 2) | 0; } else { d.imm[s] = fetch32(cpu, p); p = (p + 4) | 0; }
      break;
    case Imm.REL8: {
      const rel = (cpu.fetch8(p) << 24) >> 24;
      p = (p + 1) | 0;
      d.imm[s] = os16 ? (p + rel) & 0xffff : (p + rel) | 0;
      break;
    }
    case Imm.RELV:
      if (os16) { const rel = (fetch16(cpu, p) << 16) >> 16; p = (p + 2) | 0; d.imm[s] = (p + rel) & 0xffff; }
      else { const rel = fetch32(cpu, p); p = (p + 4) | 0; d.imm[s] = (p + rel) | 0; }
      break;
    case Imm.MOFFS:
      if ((pfx & PFX_ADDRSIZE) !== 0) { d.disp[s] = fetch16(cpu, p); p = (p + 2) | 0; }
      else { d.disp[s] = fetch32(cpu, p); p = (p + 4) | 0; }
      break;
    case Imm.W_B: d.imm[s] = fetch16(cpu, p); d.imm2[s] = cpu.fetch8((p + 2) | 0); p = (p + 3) | 0; break;
    case Imm.FAR:
      if (os16) { d.imm[s] = fetch16(cpu, p); p = (p + 2) | 0; } else { d.imm[s] = fetch32(cpu, p); p = (p + 4) | 0; }
      d.imm2[s] = fetch16(cpu, p); p = (p + 2) | 0;
      break;
  }
  if (p - eip > 15) row = GP_ROW;
  else if ((pfx & PFX_LOCK) !== 0 && (rowLock[row] === 0 || isReg)) row = UD_ROW;
  else if (cpu.atomicLock !== null && !isReg && lockedRow[row]! >= 0 && ((pfx & PFX_LOCK) !== 0 || rowXchg[row] !== 0)) row = lockedRow[row]!;
  finish(d, s, eip, p, row, pfx, seg);
}

function finish(d: Cpu['d'], s: number, eip: number, next: number, row: number, pfx: number, seg: number): void {
  d.op[s] = row;
  d.eip[s] = eip;
  d.next[s] = next;
  d.pfx[s] = pfx;
  d.seg[s] = seg;
}

function fetch16(cpu: Cpu, p: number): number {
  return cpu.fetch8(p) | (cpu.fetch8((p + 1) | 0) << 8);
}
function fetch32(cpu: Cpu, p: number): number {
  return cpu.fetch8(p) | (cpu.fetch8((p + 1) | 0) << 8) | (cpu.fetch8((p + 2) | 0) << 16) | (cpu.fetch8((p + 3) | 0) << 24);
}

/** 32-bit addressing: SIB and disp8/disp32. Returns the address after the operand bytes. */
function modrm32(cpu: Cpu, s: number, p: number, mod: number, rm: number): number {
  const d = cpu.d;
  if (rm === 4) {
    const sib = cpu.fetch8(p);
    p = (p + 1) | 0;
    const idx = (sib >> 3) & 7, base = sib & 7;
    d.scale[s] = sib >> 6;
    d.index[s] = idx === 4 ? -1 : idx;
    if (base === 5 && mod === 0) { d.disp[s] = fetch32(cpu, p); return (p + 4) | 0; }
    d.base[s] = base;
  } else if (rm === 5 && mod === 0) {
    d.disp[s] = fetch32(cpu, p);
    return (p + 4) | 0;
  } else {
    d.base[s] = rm;
  }
  if (mod === 1) { d.disp[s] = (cpu.fetch8(p) << 24) >> 24; return (p + 1) | 0; }
  if (mod === 2) { d.disp[s] = fetch32(cpu, p); return (p + 4) | 0; }
  return p;
}

/** 16-bit addressing (0x67): [bx+si] [bx+di] [bp+si] [bp+di] [si] [di] [bp]/disp16 [bx]. */
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, -1, -1, -1, -1];
function modrm16(cpu: Cpu, s: number, p: number, mod: number, rm: number): number {
  const d = cpu.d;
  if (mod === 0 && rm === 6) { d.disp[s] = (fetch16(cpu, p) << 16) >> 16; return (p + 2) | 0; }
  d.base[s] = BASE16[rm]!;
  d.index[s] = INDEX16[rm]!;
  if (mod === 1) { d.disp[s] = (cpu.fetch8(p) << 24) >> 24; return (p + 1) | 0; }
  if (mod === 2) { d.disp[s] = (fetch16(cpu, p) << 16) >> 16; return (p + 2) | 0; }
  return p;
}
