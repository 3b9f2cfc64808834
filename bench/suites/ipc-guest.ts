/**
 * The guest-to-guest IPC figures of the ipc suite: real i686 code
 * (guest/bin/sel4-pingpong.exe, sel4-notify.exe) making seL4 system calls
 * by sysenter, on one core (KernelCore in this thread) and across cores
 * (the SMP machine: two core workers).
 */
import { SmpMachine } from '../../src/kernel/smp/machine.js';
import { pingPong, notifyPair } from '../../src/kernel/guest/sel4-guest.js';
import { collect, loadNotify, loadPingPong, notifySmpPair, pingPongPair } from '../../src/kernel/guest/smp-guest.js';

export interface SameCoreSample {
  /** ns per round trip (Call + ReplyRecv). */
  ns: number;
  /** Guest instructions per round trip (both threads). */
  instructions: number;
  /** System calls that took the fastpath, per round trip. */
  fastpaths: number;
}

/**
 * sel4-pingpong, `n` round trips on one core, timed in the steady state:
 * the machine is new (a new CPU, so a cold JIT), so the first round trips
 * (a tenth, at least 2000) run untimed, and the timed part is counted by
 * system calls (two per round trip).
 */
export function sameCoreRoundTrip(n: number, fastpath: boolean): SameCoreSample {
  const warm = Math.max(2000, n / 10);
  const m = pingPong(n + warm, { fastpath });
  while (m.core.syscalls < 2 * warm) m.core.run(10_000);
  const calls0 = m.core.syscalls, fast0 = m.core.fastpaths, retired0 = m.cpu.retired;
  const t0 = performance.now();
  m.core.run();
  const ms = performance.now() - t0;
  if (m.core.unhandled.length > 0) throw new Error('sel4-pingpong faulted');
  const rts = (m.core.syscalls - calls0) / 2;
  return { ns: (ms * 1e6) / rts, instructions: (m.cpu.retired - retired0) / rts, fastpaths: (m.core.fastpaths - fast0) / rts };
}

/** sel4-notify on one core: ns per signal -> wake (half a Signal/Wait round). */
export function sameCoreNotify(n: number): number {
  const m = notifyPair(n);
  const t0 = performance.now();
  m.core.run();
  return ((performance.now() - t0) * 1e6) / n / 2;
}

/**
 * Where a same-core round trip's time goes, from V8's sampling profiler
 * (node:inspector, in this process): self time of functions in
 * src/kernel/ (the kernel: fastpath, slow path, scheduler, register moves)
 * against src/cpu/, src/mmu/ and src/jit/ with its generated region_*
 * functions (executing the guest's instructions, sysenter included).
 * Samples outside both (GC, the bench) are left out of the ratio.
 */
export async function kernelShare(n: number, fastpath: boolean): Promise<{ share: number; kernelNs: number; guestNs: number }> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  const m = pingPong(n, { fastpath });
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  const t0 = performance.now();
  m.core.run();
  const ms = performance.now() - t0;
  const { profile } = (await post('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { url: string; functionName: string } }[]; samples: number[] } };
  session.disconnect();
  const url = new Map(profile.nodes.map((nd) => [nd.id, nd.callFrame.url]));
  const fn = new Map(profile.nodes.map((nd) => [nd.id, nd.callFrame.functionName]));
  let kernel = 0;
  let guest = 0;
  for (const id of profile.samples) {
    const u = url.get(id) ?? '';
    if (u.includes('/src/kernel/')) kernel++;
    // Guest instructions: the interpreter, the MMU, the JIT's runtime and the regions it generated.
    else if (u.includes('/src/cpu/') || u.includes('/src/mmu/') || u.includes('/src/jit/') || (fn.get(id) ?? '').startsWith('region_')) guest++;
  }
  const share = kernel / Math.max(1, kernel + guest);
  const perRt = (ms * 1e6) / n;
  return { share, kernelNs: perRt * share, guestNs: perRt * (1 - share) };
}

/** Cross-core figures: medians of chunks (as the limit is measured) and the whole run's mean. */
export interface CrossCoreSample {
  /** ns per round (or half round), one per chunk of at least CHUNK_MS and CHUNK_ROUNDS rounds. */
  chunks: number[];
  /** ns per round over the whole run, stalls included. */
  mean: number;
}

const CHUNK_MS = 1;
const CHUNK_ROUNDS = 200;

/**
 * Samples core `core`'s system-call count (SmpMachine.progress) while the
 * guest runs `rounds` rounds of `perRound` system calls there, the host
 * thread asleep between samples (so it does not count as awake and takes no
 * lock): ns per round for each chunk of >= CHUNK_MS and >= CHUNK_ROUNDS
 * rounds. A chunk with a stall of the host scheduler in it is one slow
 * chunk, not a slower mean.
 */
function sampleChunks(m: SmpMachine, core: number, rounds: number, perRound: number, t0: number): number[] {
  const out: number[] = [];
  const target = rounds * perRound;
  let lastCalls = m.progress(core);
  let lastT = t0;
  let idleSince = performance.now();
  for (;;) {
    m.hostSleep(CHUNK_MS);
    const calls = m.progress(core);
    const t = performance.now();
    if (calls >= target) break; // the last chunk runs into the report: left out
    if (calls === lastCalls) {
      if (t - idleSince > 60_000) break; // collect() reports what went wrong
      continue;
    }
    idleSince = t;
    const done = (calls - lastCalls) / perRound;
    if (done >= CHUNK_ROUNDS) {
      out.push(((t - lastT) * 1e6) / done);
      lastCalls = calls;
      lastT = t;
    }
  }
  if (out.length === 0) out.push(((performance.now() - t0) * 1e6) / rounds); // a run shorter than a chunk
  return out;
}

/** Cross-core round trips: client on core 0, server on core 1 (fastpath off: every IPC takes the slow path). */
export function crossCoreRoundTrip(n: number, fastpath = true): Promise<CrossCoreSample> {
  return crossCorePairs(n, 1, fastpath);
}

/**
 * Two sel4-pingpong pairs crossing in opposite directions on two cores (pair 0: client
 * core 0, server core 1; pair 1 the other way), so each core holds a client and a server
 * and both cores are busy: ns per round trip of each pair, median of chunks. Both pairs
 * share the big kernel lock (`--trace-stages` shows the woken core finding it held).
 */
export function crossCoreTwoPairs(n: number): Promise<CrossCoreSample> {
  return crossCorePairs(n, 2, true);
}

/** `pairs` sel4-pingpong pairs on two cores, pair c's client on core c: ns per round trip of each pair. */
async function crossCorePairs(n: number, pairs: 1 | 2, fastpath: boolean): Promise<CrossCoreSample> {
  const m = new SmpMachine({ cores: 2, tickMs: 0, fastpath });
  const entry = loadPingPong(m);
  const report = m.kernel(() => m.b.endpoint());
  const ps = Array.from({ length: pairs }, (_, c) => pingPongPair(m, entry, report, c, 1 - c, c, n));
  await m.boot();
  for (const p of ps) m.start(p.server);
  const t0 = performance.now();
  for (const p of ps) m.start(p.client);
  try {
    // Core 0's system calls: pair 0's Calls, and with two pairs pair 1's ReplyRecvs too.
    const chunks = sampleChunks(m, 0, n, pairs, t0);
    const got = await collect(m, report, 2 * pairs, 600_000);
    const ms = performance.now() - t0;
    if (got.some((r) => r.mrs[0] !== n || r.mrs[1] !== 0)) throw new Error(`cross-core ping-pong (${pairs} pair(s)) went wrong`);
    return { chunks, mean: (ms * 1e6) / n };
  } finally {
    await m.shutdown();
  }
}

/** Cross-core notifications: ns per signal -> wake (half a round). */
export async function crossCoreNotify(n: number, fastpath = true): Promise<CrossCoreSample> {
  const m = new SmpMachine({ cores: 2, tickMs: 0, fastpath });
  const entry = loadNotify(m);
  const report = m.kernel(() => m.b.endpoint());
  const p = notifySmpPair(m, entry, report, 1, 0, n);
  await m.boot();
  m.start(p.responder);
  const t0 = performance.now();
  m.start(p.initiator);
  try {
    const chunks = sampleChunks(m, 0, n, 2, t0).map((ns) => ns / 2); // the initiator's Signal + Wait
    const [r] = await collect(m, report, 1, 600_000);
    const ms = performance.now() - t0;
    if (r!.mrs[0] !== n || r!.mrs[1] !== 0) throw new Error('cross-core notify went wrong');
    return { chunks, mean: (ms * 1e6) / n / 2 };
  } finally {
    await m.shutdown();
  }
}
