/**
 * `neptune run --cores N` for the seL4 guest programs: the SMP machine
 * (src/kernel/smp) with N core workers, the host as the root task.
 *
 * An seL4 guest program has no loader contract of its own: which
 * capabilities sit in which slots and what its stack argument means is an
 * agreement with the root task written at the top of its C file. So the
 * programs runnable here are the ones whose root-task side is built:
 *
 *   sel4-pingpong.exe [ROUNDS]  N client/server pairs, pair c's client on
 *                               core c and its server on core (c + 1) mod N
 *                               (every IPC crosses cores when N > 1), each
 *                               client doing ROUNDS Calls (default 10000);
 *   sel4-notify.exe [ROUNDS]    one initiator on core 0 signalling a
 *                               responder on core 1 (core 0 when N = 1).
 *
 * Each program checks its replies itself; the run fails (exit 1) when any
 * report counts a bad one or a thread faulted without a handler.
 */
import { basename } from 'node:path';
import { SmpMachine } from '../smp/machine.js';
import type { CoreReport } from '../smp/control.js';
import type { CpuEngine } from '../../jit/index.js';
import { CLIENT_REPORT, SERVER_REPORT, collect, loadNotify, loadPingPong, notifySmpPair, pingPongPair } from './smp-guest.js';

export type Sel4SmpProgram = 'sel4-pingpong' | 'sel4-notify';

/** The seL4 program an image is, by its file name (see the header), or null. */
export function sel4SmpProgram(image: string): Sel4SmpProgram | null {
  const name = basename(image).toLowerCase();
  if (name === 'sel4-pingpong.exe') return 'sel4-pingpong';
  if (name === 'sel4-notify.exe') return 'sel4-notify';
  return null;
}

export interface Sel4SmpOptions {
  readonly cores: number;
  readonly rounds: number;
  readonly fastpath?: boolean;
  readonly engine?: CpuEngine;
  /** Guest RAM (default 64 MiB: N pairs of stacks and IPC buffers). */
  readonly memory?: number;
  /** Longest wait for the reports (ms). */
  readonly timeoutMs?: number;
  /** Stage time stamps in the core workers (smp/stages.ts; CoreReport.stages). */
  readonly traceStages?: boolean;
  readonly out: (line: string) => void;
}

export interface Sel4SmpResult {
  /** Every report counted no bad message and nothing faulted. */
  readonly ok: boolean;
  readonly ms: number;
  readonly cores: CoreReport[];
}

export async function runSel4Smp(program: Sel4SmpProgram, image: string, o: Sel4SmpOptions): Promise<Sel4SmpResult> {
  const m = new SmpMachine({
    cores: o.cores, ramBytes: o.memory ?? 64 << 20, traceStages: o.traceStages ?? false,
    ...(o.fastpath !== undefined ? { fastpath: o.fastpath } : {}), ...(o.engine !== undefined ? { engine: o.engine } : {}),
  });
  let ok = true;
  let ms = 0;
  let reports: CoreReport[] = [];
  try {
    const report = m.kernel(() => m.b.endpoint());
    if (program === 'sel4-pingpong') {
      const entry = loadPingPong(m, image);
      const n = o.cores;
      const pairs = Array.from({ length: n }, (_, c) => pingPongPair(m, entry, report, c, (c + 1) % n, c, o.rounds));
      await m.boot();
      const t0 = performance.now();
      for (const p of pairs) { m.start(p.server); m.start(p.client); }
      const got = await collect(m, report, 2 * n, o.timeoutMs ?? 600_000);
      ms = performance.now() - t0;
      for (let c = 0; c < n; c++) {
        const cl = got.find((r) => r.label === 3 && r.badge === CLIENT_REPORT + c)!;
        const sv = got.find((r) => r.label === 4 && r.badge === SERVER_REPORT + c)!;
        const good = cl.mrs[0] === o.rounds && cl.mrs[1] === 0 && sv.mrs[0] === o.rounds && sv.mrs[1] === 0;
        if (!good) ok = false;
        o.out(`pair ${c}: client on core ${c}, server on core ${(c + 1) % n}: ${cl.mrs[0]} good replies, ${cl.mrs[1]} bad; ` +
          `server served ${sv.mrs[0]}, ${sv.mrs[1]} bad${good ? '' : ' (FAILED)'}`);
      }
      o.out(`${n} pair(s) x ${o.rounds} round trips on ${n} core(s) in ${ms.toFixed(1)} ms (${((ms * 1e6) / o.rounds).toFixed(0)} ns per round trip per pair, whole run)`);
    } else {
      const entry = loadNotify(m, image);
      const responderCore = o.cores > 1 ? 1 : 0;
      const p = notifySmpPair(m, entry, report, responderCore, 0, o.rounds);
      await m.boot();
      const t0 = performance.now();
      m.start(p.responder);
      m.start(p.initiator);
      const [r] = await collect(m, report, 1, o.timeoutMs ?? 600_000);
      ms = performance.now() - t0;
      ok = r!.mrs[0] === o.rounds && r!.mrs[1] === 0;
      o.out(`initiator on core 0, responder on core ${responderCore}: ${r!.mrs[0]} rounds, ${r!.mrs[1]} bad${ok ? '' : ' (FAILED)'}`);
      o.out(`${o.rounds} signal/wait rounds in ${ms.toFixed(1)} ms (${((ms * 1e6) / o.rounds / 2).toFixed(0)} ns per signal -> wake, whole run)`);
    }
  } finally {
    reports = await m.shutdown();
  }
  const unhandled = reports.flatMap((r) => r.unhandled);
  if (unhandled.length > 0) {
    ok = false;
    for (const f of unhandled) o.out(`thread ${f.tcb.toString(16)} faulted without a handler (label ${f.label})`);
  }
  return { ok, ms, cores: reports };
}
