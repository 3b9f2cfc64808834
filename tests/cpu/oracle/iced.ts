/**
 * iced-x86 (a CommonJS + wasm package) as seen from our ES modules, plus the
 * small conversions every oracle test needs: iced register ids to our
 * register numbers, iced's RflagsBits to EFLAGS bits, hex, disassembly.
 *
 * iced objects live in wasm memory: everything created here is freed.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const iced = require('iced-x86') as typeof import('iced-x86');
export type IcedInstruction = import('iced-x86').Instruction;

const { Register, RflagsBits } = iced;

/** General register number (eax=0 .. edi=7) of an iced register, 8/16/32-bit alike; -1 for None; -2 for others. */
export function gprNumber(r: number): number {
  if (r === Register.None) return -1;
  const name = Register[r] ?? '';
  const i32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'].indexOf(name);
  if (i32 >= 0) return i32;
  const i16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'].indexOf(name);
  if (i16 >= 0) return i16;
  const i8 = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'].indexOf(name);
  if (i8 >= 0) return i8;
  return -2;
}

/** iced's RflagsBits (its own layout) to EFLAGS bits. */
export function icedFlagsToEflags(f: number): number {
  let e = 0;
  if (f & RflagsBits.CF) e |= 0x1;
  if (f & RflagsBits.PF) e |= 0x4;
  if (f & RflagsBits.AF) e |= 0x10;
  if (f & RflagsBits.ZF) e |= 0x40;
  if (f & RflagsBits.SF) e |= 0x80;
  if (f & RflagsBits.DF) e |= 0x400;
  if (f & RflagsBits.OF) e |= 0x800;
  return e;
}

export function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! & 0xff).toString(16).padStart(2, '0');
  return s;
}

export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

export function spacedHex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => (b & 0xff).toString(16).padStart(2, '0')).join(' ');
}

/** Decodes one instruction at `ip` (32-bit mode). The caller frees the result. */
export function decodeOne(bytes: Uint8Array, ip: number): IcedInstruction {
  const d = new iced.Decoder(32, bytes, iced.DecoderOptions.None);
  d.ip = BigInt(ip >>> 0);
  const ins = d.decode();
  d.free();
  return ins;
}

let formatter: import('iced-x86').Formatter | null = null;

function getFormatter(): import('iced-x86').Formatter {
  if (formatter === null) {
    formatter = new iced.Formatter(iced.FormatterSyntax.Intel);
    formatter.uppercaseHex = false;
    formatter.hexPrefix = '0x';
    formatter.hexSuffix = '';
  }
  return formatter;
}

export function formatInstruction(ins: IcedInstruction): string {
  return getFormatter().format(ins);
}

/** Disassembles a whole code sequence: "mov eax,1; add eax,ecx; ...". */
export function disassemble(code: Uint8Array, ip: number): string {
  const d = new iced.Decoder(32, code, iced.DecoderOptions.None);
  d.ip = BigInt(ip >>> 0);
  const parts: string[] = [];
  while (d.canDecode) {
    const ins = d.decode();
    parts.push(ins.isInvalid ? `(bad ${spacedHex(code.subarray(Number(ins.ip - BigInt(ip >>> 0)), Number(ins.ip - BigInt(ip >>> 0)) + ins.length))})` : getFormatter().format(ins));
    ins.free();
  }
  d.free();
  return parts.join('; ');
}

/** A small deterministic PRNG (mulberry32), so that fixtures and random tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
