/**
 * Calling executive services on behalf of a guest thread from a test: the
 * arguments (and any data they point to) are written into a scratch page
 * of the thread's process, then the real dispatch runs, exactly as for a
 * sysenter from that thread (minus the kernel transfer).
 */
import { join } from 'node:path';
import { serviceNumber } from '../../src/abi/services.js';
import { bootNt, type NtMachine } from '../../src/executive/boot.js';
import type { EProcess, EThread } from '../../src/executive/ps/process.js';
import { guestBinDir } from '../../src/machine/paths.js';

export function machineWith(images: { image: string; args?: string[] }[]): { m: NtMachine; procs: EProcess[] } {
  const m = bootNt({ memory: 64 << 20, console: () => {} });
  const bin = guestBinDir();
  const procs = images.map((i) => m.executive.createProcess({ image: join(bin, i.image), args: i.args ?? [], dllPath: [bin] }));
  return { m, procs };
}

export function firstThread(p: EProcess): EThread {
  return [...p.threads][0]!;
}

/** A scratch area in `p` (64 KiB, committed); returns its base. */
export function scratch(p: EProcess): number {
  return p.space.allocate(0, 0x10000, 0x3000, 4)[0];
}

/** Calls service `name` for thread `t` with the argument words at `argp` (written there first). */
export function call(m: NtMachine, t: EThread, argp: number, name: string, args: number[]): number {
  const b = new Uint8Array(args.length * 4);
  args.forEach((v, i) => new DataView(b.buffer).setUint32(i * 4, v >>> 0, true));
  t.process.space.writeBytes(argp, b, true);
  const d = (m.executive as unknown as { dispatcher: { dispatch(e: unknown, t: EThread, n: number, a: number): number } }).dispatcher;
  return d.dispatch(m.executive, t, serviceNumber(name), argp) >>> 0;
}
