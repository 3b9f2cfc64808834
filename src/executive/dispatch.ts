/**
 * The service dispatch, driven by the service table (src/abi/services.ts):
 * the message label names the service, MR0 points at the caller's stack
 * arguments. The dispatcher reads the argument words through the caller's
 * VSpace, probes every pointer argument the table describes (readable for
 * 'in', writable for 'out'/'inout', NULL only when optional), then runs the
 * handler. A handler answers an NTSTATUS, or PENDING when it keeps the
 * caller's reply capability to answer later (waits).
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import { SERVICES, serviceArgSlots, type ServiceArg } from '../abi/services.js';
import type { Executive } from './executive.js';
import type { EThread } from './ps/process.js';

/** A handler's answer meaning "the reply comes later". */
export const PENDING = -1 >>> 0;

export type ServiceHandler = (ex: Executive, t: EThread, a: Uint32Array) => number;

interface Entry {
  readonly name: string;
  readonly slots: number;
  readonly handler: ServiceHandler | null;
  /** Indices of pointer arguments to probe, with their size, direction and optionality. */
  readonly probes: readonly { slot: number; arg: ServiceArg; index: number }[];
}

export class ServiceDispatcher {
  private readonly entries: Entry[];
  private readonly args = new Uint32Array(16);

  constructor(handlers: Record<string, ServiceHandler>) {
    for (const name of Object.keys(handlers)) {
      const s = SERVICES.find((x) => x.name === name);
      if (s === undefined) throw new Error(`executive service ${name} is not in the service table (src/abi/services.ts)`);
    }
    this.entries = SERVICES.map((s) => {
      const handler = handlers[s.name] ?? null;
      if (s.status === 'implemented' && handler === null) throw new Error(`service ${s.name} is marked implemented but the executive has no handler`);
      if (s.status !== 'implemented' && handler !== null) throw new Error(`service ${s.name} has a handler but is marked not-implemented`);
      const probes: Entry['probes'][number][] = [];
      let slot = 0;
      s.args.forEach((arg, index) => {
        if (arg.kind === 'pointer' && arg.size > 0) probes.push({ slot, arg, index });
        slot += arg.slots ?? 1;
      });
      return { name: s.name, slots: serviceArgSlots(s), handler, probes };
    });
  }

  name(n: number): string {
    return n < this.entries.length ? this.entries[n]!.name : `service #${n}`;
  }

  /** Serves service `n` for thread `t` whose arguments are at `argp`: an NTSTATUS or PENDING. */
  dispatch(ex: Executive, t: EThread, n: number, argp: number): number {
    const e = n < this.entries.length ? this.entries[n] : undefined;
    if (e === undefined) {
      ex.trace(`${this.name(n)}: no such service (STATUS_INVALID_SYSTEM_SERVICE)`);
      return NTSTATUS.STATUS_INVALID_SYSTEM_SERVICE;
    }
    if (e.handler === null) {
      ex.trace(`${e.name}: not implemented yet (STATUS_NOT_IMPLEMENTED; see docs/services.gen.md)`);
      return NTSTATUS.STATUS_NOT_IMPLEMENTED;
    }
    const mem = t.process.space;
    const a = this.args; // words past the service's own are stale: handlers read only theirs
    try {
      mem.readWords(argp, a, e.slots);
      const probes = e.probes;
      for (let i = 0; i < probes.length; i++) {
        const p = probes[i]!;
        const ptr = a[p.slot]!;
        if (ptr === 0) {
          if (p.arg.optional) continue;
          ex.trace(`${e.name}: ${p.arg.name} is NULL`);
          return NTSTATUS.STATUS_ACCESS_VIOLATION;
        }
        mem.probe(ptr, p.arg.size, p.arg.dir !== 'in');
      }
      return e.handler(ex, t, a);
    } catch (err) {
      if (!(err instanceof NtStatusError)) throw err;
      ex.trace(`${e.name}: ${err.message}`);
      return err.status >>> 0;
    }
  }
}
