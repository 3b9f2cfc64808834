/**
 * Ke: exceptions to user mode. An exception becomes an EXCEPTION_RECORD and
 * a CONTEXT written on the thread's own stack, and the thread continues in
 * ntdll's KiUserExceptionDispatcher with
 *
 *   ESP → [&record][&context] record (0x50 bytes) context (0x2cc bytes) | old stack
 *
 * (NT's layout). The dispatcher walks the SEH chain and ends in NtContinue
 * (handled) or NtRaiseException(FirstChance = FALSE) (unhandled: the
 * process ends). buildContext makes CONTEXT_CONTROL | CONTEXT_INTEGER |
 * CONTEXT_SEGMENTS; the executive adds the FPU parts (context-fpu.ts) when
 * it has the CPU.
 */
export const CONTEXT_SIZE = 0x2cc;
export const EXCEPTION_RECORD_SIZE = 0x50;
export const CONTEXT_i386 = 0x10000;
export const CONTEXT_CONTROL = CONTEXT_i386 | 1;
export const CONTEXT_INTEGER = CONTEXT_i386 | 2;
export const CONTEXT_SEGMENTS = CONTEXT_i386 | 4;
export const EXCEPTION_NONCONTINUABLE = 1;

/** CONTEXT field offsets (i386). */
export const CTX = {
  ContextFlags: 0x00, SegGs: 0x8c, SegFs: 0x90, SegEs: 0x94, SegDs: 0x98,
  Edi: 0x9c, Esi: 0xa0, Ebx: 0xa4, Edx: 0xa8, Ecx: 0xac, Eax: 0xb0,
  Ebp: 0xb4, Eip: 0xb8, SegCs: 0xbc, EFlags: 0xc0, Esp: 0xc4, SegSs: 0xc8,
} as const;

/** Registers in the order of the kernel's save area (EAX ECX EDX EBX ESP EBP ESI EDI) plus EIP and EFLAGS. */
export interface Registers {
  eax: number; ecx: number; edx: number; ebx: number; esp: number; ebp: number; esi: number; edi: number;
  eip: number; eflags: number;
}

/** User-settable EFLAGS bits (CF PF AF ZF SF TF DF OF); IF is always on. */
const EFLAGS_USER = 0xdd5;

export function buildContext(r: Registers): Uint8Array {
  const b = new Uint8Array(CONTEXT_SIZE);
  const dv = new DataView(b.buffer);
  const set = (o: number, v: number) => dv.setUint32(o, v >>> 0, true);
  set(CTX.ContextFlags, CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS);
  set(CTX.SegCs, 0x1b); set(CTX.SegSs, 0x23); set(CTX.SegDs, 0x23); set(CTX.SegEs, 0x23); set(CTX.SegFs, 0x3b); set(CTX.SegGs, 0);
  set(CTX.Eax, r.eax); set(CTX.Ecx, r.ecx); set(CTX.Edx, r.edx); set(CTX.Ebx, r.ebx);
  set(CTX.Esp, r.esp); set(CTX.Ebp, r.ebp); set(CTX.Esi, r.esi); set(CTX.Edi, r.edi);
  set(CTX.Eip, r.eip); set(CTX.EFlags, r.eflags);
  return b;
}

/** The registers a CONTEXT gives (only the parts its flags name; the rest from `base`). */
export function applyContext(ctx: Uint8Array, base: Registers): Registers {
  const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
  const get = (o: number) => dv.getUint32(o, true);
  const flags = get(CTX.ContextFlags);
  const r = { ...base };
  if ((flags & CONTEXT_INTEGER) === CONTEXT_INTEGER) {
    r.eax = get(CTX.Eax); r.ecx = get(CTX.Ecx); r.edx = get(CTX.Edx); r.ebx = get(CTX.Ebx); r.esi = get(CTX.Esi); r.edi = get(CTX.Edi);
  }
  if ((flags & CONTEXT_CONTROL) === CONTEXT_CONTROL) {
    r.esp = get(CTX.Esp); r.ebp = get(CTX.Ebp); r.eip = get(CTX.Eip); r.eflags = (get(CTX.EFlags) & EFLAGS_USER) | 0x202;
  }
  return r;
}

export function buildExceptionRecord(code: number, flags: number, address: number, info: readonly number[], nested = 0): Uint8Array {
  const b = new Uint8Array(EXCEPTION_RECORD_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, code >>> 0, true);
  dv.setUint32(4, flags >>> 0, true);
  dv.setUint32(8, nested >>> 0, true);
  dv.setUint32(12, address >>> 0, true);
  dv.setUint32(16, Math.min(info.length, 15), true);
  info.slice(0, 15).forEach((v, i) => dv.setUint32(20 + i * 4, v >>> 0, true));
  return b;
}

export interface RecordView { code: number; flags: number; address: number; info: number[] }

export function readExceptionRecord(b: Uint8Array): RecordView {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = Math.min(dv.getUint32(16, true), 15);
  const info: number[] = [];
  for (let i = 0; i < n; i++) info.push(dv.getUint32(20 + i * 4, true));
  return { code: dv.getUint32(0, true), flags: dv.getUint32(4, true), address: dv.getUint32(12, true), info };
}
