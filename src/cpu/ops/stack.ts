/**
 * Stack instructions: push/pop (register, immediate, memory, segment
 * registers), pusha/popa, pushf/popf, enter/leave.
 *
 * Every handler writes memory first and commits ESP (and other registers)
 * last, so a #PF on the stack leaves the registers untouched. `push esp`
 * pushes the value before the decrement; `pop [esp+x]` computes the address
 * with the incremented ESP (SDM, POP).
 */
import type { Cpu } from '../cpu.js';
import { RF, USER_WRITABLE, VM } from '../flags.js';

// ---- push/pop reg ----------------------------------------------------------
export function push_50_32(cpu: Cpu, s: number): void {
  const sp = (cpu.reg[4]! - 4) | 0;
  cpu.write32(sp, cpu.reg[cpu.d.reg[s]!]!);
  cpu.reg[4] = sp;
}
export function pop_58_32(cpu: Cpu, s: number): void {
  const sp = cpu.reg[4]!, v = cpu.read32(sp);
  cpu.reg[4] = (sp + 4) | 0;
  cpu.reg[cpu.d.reg[s]!] = v;
}
export function push_50_16(cpu: Cpu, s: number): void { cpu.push16(cpu.reg[cpu.d.reg[s]!]! & 0xffff); }
export function pop_58_16(cpu: Cpu, s: number): void { const v = cpu.pop16(); cpu.setReg16(cpu.d.reg[s]!, v); }

// ---- push imm (68, 6A: the decoder sign-extends imm8) ------------------------
export function push_68_32(cpu: Cpu, s: number): void { cpu.push32(cpu.d.imm[s]!); }
export function push_68_16(cpu: Cpu, s: number): void { cpu.push16(cpu.d.imm[s]! & 0xffff); }

// ---- push Ev (FF /6), pop Ev (8F /0) ----------------------------------------
export function push_ff_32(cpu: Cpu, s: number): void { cpu.push32(cpu.readE32(s)); }
export function push_ff_16(cpu: Cpu, s: number): void { cpu.push16(cpu.readE16(s)); }
export function pop_8f_32(cpu: Cpu, s: number): void {
  const sp = cpu.reg[4]!, v = cpu.read32(sp), r = cpu.d.rm[s]!;
  if (r >= 0) { cpu.reg[4] = (sp + 4) | 0; cpu.reg[r] = v; return; }
  cpu.reg[4] = (sp + 4) | 0;
  const a = cpu.ea(s);
  cpu.reg[4] = sp;
  cpu.write32(a, v);
  cpu.reg[4] = (sp + 4) | 0;
}
export function pop_8f_16(cpu: Cpu, s: number): void {
  const sp = cpu.reg[4]!, v = cpu.read16(sp), r = cpu.d.rm[s]!;
  if (r >= 0) { cpu.reg[4] = (sp + 2) | 0; cpu.setReg16(r, v); return; }
  cpu.reg[4] = (sp + 2) | 0;
  const a = cpu.ea(s);
  cpu.reg[4] = sp;
  cpu.write16(a, v);
  cpu.reg[4] = (sp + 2) | 0;
}

// ---- segment registers (06/0E/16/1E, 07/17/1F, 0F A0/A1/A8/A9) ---------------
// Flat model: selectors are recorded, never used for addressing (FS/GS bases
// are set by the kernel). A 32-bit push writes the selector zero-extended.
export function makePushSeg32(seg: number) { return (cpu: Cpu, _s: number): void => { cpu.push32(cpu.sel[seg]!); }; }
export function makePushSeg16(seg: number) { return (cpu: Cpu, _s: number): void => { cpu.push16(cpu.sel[seg]!); }; }
export function makePopSeg32(seg: number) { return (cpu: Cpu, _s: number): void => { cpu.sel[seg] = cpu.pop32() & 0xffff; }; }
export function makePopSeg16(seg: number) { return (cpu: Cpu, _s: number): void => { cpu.sel[seg] = cpu.pop16(); }; }

// ---- pusha / popa --------------------------------------------------------------
export function pusha_60_32(cpu: Cpu, _s: number): void {
  // Pushed one by one from the top, as hardware does (the first faulting write names CR2);
  // ESP changes only at the end.
  const sp = cpu.reg[4]!, base = (sp - 32) | 0;
  for (let i = 0; i < 8; i++) cpu.write32((sp - 4 * (i + 1)) | 0, cpu.reg[i]!); // i = 4 writes the original ESP
  cpu.reg[4] = base;
}
export function pusha_60_16(cpu: Cpu, _s: number): void {
  const sp = cpu.reg[4]!, base = (sp - 16) | 0;
  for (let i = 0; i < 8; i++) cpu.write16((sp - 2 * (i + 1)) | 0, cpu.reg[i]! & 0xffff);
  cpu.reg[4] = base;
}
export function popa_61_32(cpu: Cpu, _s: number): void {
  const sp = cpu.reg[4]!;
  const edi = cpu.read32(sp), esi = cpu.read32((sp + 4) | 0), ebp = cpu.read32((sp + 8) | 0);
  const ebx = cpu.read32((sp + 16) | 0), edx = cpu.read32((sp + 20) | 0), ecx = cpu.read32((sp + 24) | 0), eax = cpu.read32((sp + 28) | 0);
  const r = cpu.reg;
  r[7] = edi; r[6] = esi; r[5] = ebp; r[3] = ebx; r[2] = edx; r[1] = ecx; r[0] = eax;
  r[4] = (sp + 32) | 0;
}
export function popa_61_16(cpu: Cpu, _s: number): void {
  const sp = cpu.reg[4]!;
  cpu.read8((sp + 15) | 0); // fault before anything is loaded (the 16 bytes span at most two pages)
  for (let i = 0; i < 8; i++) if (i !== 3) cpu.setReg16(7 - i, cpu.read16((sp + 2 * i) | 0)); // the saved SP is skipped
  cpu.reg[4] = (sp + 16) | 0;
}

// ---- pushf / popf ----------------------------------------------------------------
// pushf stores EFLAGS with VM and RF cleared; popf at CPL 3 (IOPL 0) changes
// only the user-writable bits (IF and IOPL are silently kept).
export function pushf_9c_32(cpu: Cpu, _s: number): void { cpu.push32(cpu.getEflags() & ~(VM | RF)); }
export function pushf_9c_16(cpu: Cpu, _s: number): void { cpu.push16(cpu.getEflags() & 0xffff); }
export function popf_9d_32(cpu: Cpu, _s: number): void { cpu.setEflags(cpu.pop32()); }
export function popf_9d_16(cpu: Cpu, _s: number): void { cpu.setEflags(cpu.pop16(), USER_WRITABLE & 0xffff); }

// ---- enter / leave ------------------------------------------------------------------
export function enter_c8_32(cpu: Cpu, s: number): void {
  const d = cpu.d, size = d.imm[s]! & 0xffff, level = d.imm2[s]! & 31;
  let sp = (cpu.reg[4]! - 4) | 0;
  cpu.write32(sp, cpu.reg[5]!);
  const frame = sp;
  if (level > 0) {
    let bp = cpu.reg[5]!;
    for (let i = 1; i < level; i++) {
      bp = (bp - 4) | 0;
      sp = (sp - 4) | 0;
      cpu.write32(sp, cpu.read32(bp));
    }
    sp = (sp - 4) | 0;
    cpu.write32(sp, frame);
  }
  cpu.reg[5] = frame;
  cpu.reg[4] = (sp - size) | 0;
}
export function enter_c8_16(cpu: Cpu, s: number): void {
  const d = cpu.d, size = d.imm[s]! & 0xffff, level = d.imm2[s]! & 31;
  let sp = (cpu.reg[4]! - 2) | 0;
  cpu.write16(sp, cpu.reg[5]! & 0xffff);
  const frame = sp;
  if (level > 0) {
    let bp = cpu.reg[5]!;
    for (let i = 1; i < level; i++) {
      bp = (bp - 2) | 0;
      sp = (sp - 2) | 0;
      cpu.write16(sp, cpu.read16(bp));
    }
    sp = (sp - 2) | 0;
    cpu.write16(sp, frame & 0xffff);
  }
  cpu.setReg16(5, frame);
  cpu.reg[4] = (sp - size) | 0;
}
export function leave_c9_32(cpu: Cpu, _s: number): void {
  const bp = cpu.reg[5]!, v = cpu.read32(bp);
  cpu.reg[4] = (bp + 4) | 0;
  cpu.reg[5] = v;
}
export function leave_c9_16(cpu: Cpu, _s: number): void {
  const bp = cpu.reg[5]!, v = cpu.read16(bp);
  cpu.reg[4] = (bp + 2) | 0;
  cpu.setReg16(5, v);
}
