/**
 * Control transfer: jmp/jcc/call/ret/loop, loope, loopne, jecxz (direct and indirect), and
 * the instructions that leave the run loop: int n / sysenter (the kernel's
 * system-call trap), int3, into, ud2, and the privileged ones that raise #GP
 * at CPL 3 (hlt, cli, sti, in, out, ins, outs).
 *
 * Branch handlers set cpu.eip themselves (taken or not); the decoder has
 * already made relative targets absolute in d.imm (truncated to 16 bits
 * under 0x66). Flow kinds in the table tell the run loop they end a block.
 */
import type { Cpu } from '../cpu.js';
import { PFX_ADDRSIZE } from '../decoded.js';
import { Vector } from '../fault.js';
import { Cond } from '../flags.js';

// ---- jcc (70..7F rel8, 0F 80..8F rel16/32): one function per condition --------
// Written out so that each tests its flag directly (or gets a constant cc for cond()).
export function jo(cpu: Cpu, s: number): void { cpu.eip = cpu.getOF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jno(cpu: Cpu, s: number): void { cpu.eip = !cpu.getOF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jb(cpu: Cpu, s: number): void { cpu.eip = cpu.getCF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jae(cpu: Cpu, s: number): void { cpu.eip = !cpu.getCF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function je(cpu: Cpu, s: number): void { cpu.eip = cpu.getZF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jne(cpu: Cpu, s: number): void { cpu.eip = !cpu.getZF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jbe(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.BE) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function ja(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.A) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function js(cpu: Cpu, s: number): void { cpu.eip = cpu.getSF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jns(cpu: Cpu, s: number): void { cpu.eip = !cpu.getSF() ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jp(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.P) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jnp(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.NP) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jl(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.L) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jge(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.GE) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jle(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.LE) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jg(cpu: Cpu, s: number): void { cpu.eip = cpu.cond(Cond.G) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
/** Indexed by condition code (low nibble of the opcode). */
export const JCC = [jo, jno, jb, jae, je, jne, jbe, ja, js, jns, jp, jnp, jl, jge, jle, jg] as const;
export const CC_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;

// ---- jmp / call / ret -------------------------------------------------------------
export function jmp_e9(cpu: Cpu, s: number): void { cpu.eip = cpu.d.imm[s]!; }
export function jmp_ff_32(cpu: Cpu, s: number): void { cpu.eip = cpu.readE32(s); }
export function jmp_ff_16(cpu: Cpu, s: number): void { cpu.eip = cpu.readE16(s); }
export function call_e8_32(cpu: Cpu, s: number): void {
  const d = cpu.d, sp = (cpu.reg[4]! - 4) | 0;
  cpu.write32(sp, d.next[s]!);
  cpu.reg[4] = sp;
  cpu.eip = d.imm[s]!;
}
export function call_e8_16(cpu: Cpu, s: number): void {
  const d = cpu.d;
  cpu.push16(d.next[s]! & 0xffff);
  cpu.eip = d.imm[s]!;
}
/** call Ev: the target is read before the push (so `call [esp]` uses the old ESP). */
export function call_ff_32(cpu: Cpu, s: number): void {
  const t = cpu.readE32(s);
  cpu.push32(cpu.d.next[s]!);
  cpu.eip = t;
}
export function call_ff_16(cpu: Cpu, s: number): void {
  const t = cpu.readE16(s);
  cpu.push16(cpu.d.next[s]! & 0xffff);
  cpu.eip = t;
}
export function ret_c3_32(cpu: Cpu, _s: number): void {
  const sp = cpu.reg[4]!, t = cpu.read32(sp);
  cpu.reg[4] = (sp + 4) | 0;
  cpu.eip = t;
}
export function ret_c3_16(cpu: Cpu, _s: number): void {
  const sp = cpu.reg[4]!, t = cpu.read16(sp);
  cpu.reg[4] = (sp + 2) | 0;
  cpu.eip = t;
}
export function ret_c2_32(cpu: Cpu, s: number): void {
  const sp = cpu.reg[4]!, t = cpu.read32(sp);
  cpu.reg[4] = (sp + 4 + (cpu.d.imm[s]! & 0xffff)) | 0;
  cpu.eip = t;
}
export function ret_c2_16(cpu: Cpu, s: number): void {
  const sp = cpu.reg[4]!, t = cpu.read16(sp);
  cpu.reg[4] = (sp + 2 + (cpu.d.imm[s]! & 0xffff)) | 0;
  cpu.eip = t;
}

// ---- loop / loope / loopne / jecxz (E0..E3); 0x67 uses CX -----------------------------
function decCount(cpu: Cpu, s: number): boolean {
  if ((cpu.d.pfx[s]! & PFX_ADDRSIZE) !== 0) {
    const c = (cpu.reg[1]! - 1) & 0xffff;
    cpu.setReg16(1, c);
    return c !== 0;
  }
  const c = (cpu.reg[1]! - 1) | 0;
  cpu.reg[1] = c;
  return c !== 0;
}
export function loop_e2(cpu: Cpu, s: number): void { cpu.eip = decCount(cpu, s) ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function loope_e1(cpu: Cpu, s: number): void { const t = decCount(cpu, s) && cpu.getZF(); cpu.eip = t ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function loopne_e0(cpu: Cpu, s: number): void { const t = decCount(cpu, s) && !cpu.getZF(); cpu.eip = t ? cpu.d.imm[s]! : cpu.d.next[s]!; }
export function jecxz_e3(cpu: Cpu, s: number): void {
  const m = (cpu.d.pfx[s]! & PFX_ADDRSIZE) !== 0 ? 0xffff : -1;
  cpu.eip = (cpu.reg[1]! & m) === 0 ? cpu.d.imm[s]! : cpu.d.next[s]!;
}

// ---- traps to the kernel -------------------------------------------------------------
/** int n: the system-call trap. The run loop stops with Stop.SYSCALL, EIP after the instruction. */
export function int_cd(cpu: Cpu, s: number): void {
  cpu.fault.trapNumber = cpu.d.imm[s]! & 0xff;
  cpu.eip = cpu.d.next[s]!;
}
/** sysenter: as int n with trapNumber -1 (the kernel reads EDX/ECX as NT and seL4 define). */
export function sysenter_0f34(cpu: Cpu, s: number): void {
  cpu.fault.trapNumber = -1;
  cpu.eip = cpu.d.next[s]!;
}
/** int3 and into are traps: the run loop reports EIP after the instruction. */
export function int3_cc(cpu: Cpu, _s: number): void { cpu.raise(Vector.BP); }
export function into_ce(cpu: Cpu, _s: number): void { if (cpu.getOF()) cpu.raise(Vector.OF); }
export function ud(cpu: Cpu, _s: number): void { cpu.raise(Vector.UD); }
/** Privileged at CPL 3 (hlt, cli/sti with IOPL 0, port I/O) and over-long instructions. */
export function gp0(cpu: Cpu, _s: number): void { cpu.raise(Vector.GP, 0); }
