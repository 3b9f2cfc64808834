/**
 * String instructions: movs, cmps, stos, lods, scas (byte/word/dword) with
 * rep (F3), repe (F3 on cmps/scas) and repne (F2).
 *
 * Every iteration commits ESI/EDI/ECX before the next one starts, so a
 * fault in the middle of a rep leaves the registers describing exactly the
 * remaining work, and the run loop reports EIP at the instruction: resuming
 * continues where it stopped, as on hardware. With 0x67 the index and
 * count registers are SI/DI/CX. Only the source (DS:ESI) accepts a segment
 * override (FS/GS add their base); ES:EDI is fixed.
 */
import type { Cpu } from '../cpu.js';
import { PFX_ADDRSIZE, PFX_REP, PFX_REPNE } from '../decoded.js';
import { DF, Lazy } from '../flags.js';
import type { Exec } from '../table/types.js';

export const enum Str { MOVS = 0, CMPS, STOS, LODS, SCAS }

function rd(cpu: Cpu, a: number, size: number): number {
  return size === 4 ? cpu.read32(a) : size === 2 ? cpu.read16(a) : cpu.read8(a);
}
function wr(cpu: Cpu, a: number, size: number, v: number): void {
  if (size === 4) cpu.write32(a, v); else if (size === 2) cpu.write16(a, v); else cpu.write8(a, v);
}

/** One string instruction kind and size; handles rep and address size at run time. */
export function makeString(kind: Str, size: 1 | 2 | 4): Exec {
  const vmask = size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
  return (cpu, s) => {
    const d = cpu.d, pfx = d.pfx[s]!, reg = cpu.reg;
    const m = (pfx & PFX_ADDRSIZE) !== 0 ? 0xffff : -1;
    const delta = (cpu.flags & DF) !== 0 ? -size : size;
    const sg = d.seg[s]!;
    const base = sg === 0 ? 0 : sg === 4 ? cpu.fsBase : cpu.gsBase;
    const rep = (pfx & (PFX_REP | PFX_REPNE)) !== 0;
    // repe: stop when ZF = 0; repne: stop when ZF = 1 (cmps/scas only).
    const stopOnZ = (pfx & PFX_REPNE) !== 0;
    let n = rep ? (reg[1]! & m) >>> 0 : 1;
    while (n !== 0) {
      const si = reg[6]! & m, di = reg[7]! & m;
      switch (kind) {
        case Str.MOVS:
          wr(cpu, di, size, rd(cpu, (base + si) | 0, size));
          reg[6] = (reg[6]! & ~m) | ((si + delta) & m);
          reg[7] = (reg[7]! & ~m) | ((di + delta) & m);
          break;
        case Str.STOS:
          wr(cpu, di, size, reg[0]! & vmask);
          reg[7] = (reg[7]! & ~m) | ((di + delta) & m);
          break;
        case Str.LODS: {
          const v = rd(cpu, (base + si) | 0, size);
          if (size === 4) reg[0] = v; else if (size === 2) cpu.setReg16(0, v); else cpu.setReg8(0, v);
          reg[6] = (reg[6]! & ~m) | ((si + delta) & m);
          break;
        }
        case Str.CMPS: {
          const a = rd(cpu, (base + si) | 0, size), b = rd(cpu, di, size);
          cpu.setLazy(Lazy.SUB, a, b, (a - b) & vmask, size);
          reg[6] = (reg[6]! & ~m) | ((si + delta) & m);
          reg[7] = (reg[7]! & ~m) | ((di + delta) & m);
          break;
        }
        default: { // SCAS
          const a = reg[0]! & vmask, b = rd(cpu, di, size);
          cpu.setLazy(Lazy.SUB, a, b, (a - b) & vmask, size);
          reg[7] = (reg[7]! & ~m) | ((di + delta) & m);
          break;
        }
      }
      if (!rep) return;
      n = (n - 1) >>> 0;
      reg[1] = (reg[1]! & ~m) | (n & m);
      if ((kind === Str.CMPS || kind === Str.SCAS) && cpu.getZF() === stopOnZ) return;
    }
  };
}
