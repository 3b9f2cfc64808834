/**
 * `neptune run --cores N` for NT programs: the executive as the root task
 * of the SMP machine (src/kernel/smp), serving the NT system calls of
 * threads that run on N core workers.
 *
 *   core workers 0..N-1   guest threads (placed by ps/placement.ts); a
 *                         system call is a seL4 Call on the executive's
 *                         endpoint: with the fastpath on and the host
 *                         core idle, handed over a ring (c → N) and
 *                         answered over (N → c) (kernel/smp/host-handoff.ts);
 *                         else the kernel slow path under the big lock,
 *                         the executive's TCB becomes runnable on core N
 *   host thread (core N)  HostCoreServer: sleeps on core N's doorbell
 *                         (Atomics.wait, no spinning), serves under the
 *                         big lock (Executive.run, as on one core), fires
 *                         the executive's timers, and tells "every thread
 *                         waits and no timer is armed" (deadlock) from
 *                         threads still running on some core
 *
 * What differs from one core (boot.ts): the executive has no CPU of its
 * own, so
 *   - CONTEXTs take the FPU state from the TCBs (`fpuInTcb`);
 *   - a thread it suspends or ends may be running on a core: it waits
 *     until that core has let go of it (`waitOffCpu`);
 *   - its writes to guest RAM drop translated code on every core through
 *     the shared CodeMap (`smpHostWrites`);
 *   - a mapping it removes or downgrades is shot down on every core that
 *     may hold it by the kernel's unmap paths themselves (shootdown.ts).
 *
 * `maxInstructions` counts the instructions of every core together: the
 * cores reserve their runs from a shared budget (kernel/smp/core.entry.ts)
 * and stop running guest code when it is spent, at exactly the limit; the
 * host sees the cores' published counts reach it in its loop and stops the
 * machine (one core stops between slices: boot.ts runUntil).
 */
import { NTSTATUS } from '../abi/ntstatus.js';
import { SmpMachine } from '../kernel/smp/machine.js';
import { HostCoreServer, smpHostWrites } from '../kernel/smp/host-core.js';
import type { CoreReport } from '../kernel/smp/control.js';
import { Executive, type ProcessExit } from './executive.js';
import { exShutdownRecord } from './ex/system.js';
import type { NtRunOptions } from './boot.js';

/** log2 slots of the executive's root CNode, as on one core (boot.ts). */
const ROOT_CNODE_BITS = 17;
/**
 * The longest the host sleeps while some thread runs: it then updates the
 * clocks of KUSER_SHARED_DATA, fires due timers and looks again whether
 * every thread waits (one core does this between slices).
 */
const HOST_TICK_MS = 2;
/** How often the host lets its own event loop run (worker messages, stdout). */
const EVENT_LOOP_MS = 100;

export interface NtSmpRunOptions extends NtRunOptions {
  /** CPU cores (workers), 1..63. */
  readonly cores: number;
  /** Stage time stamps in the core workers (kernel/smp/stages.ts; CoreReport.stages). */
  readonly traceStages?: boolean;
}

export interface NtSmpRunResult {
  readonly exitStatus: number;
  readonly exception?: string;
  readonly shutdown?: string;
  /** Guest instructions retired on every core. */
  readonly instructions: number;
  readonly executive: Executive;
  /** Each core worker's counters. */
  readonly cores: CoreReport[];
  /** Messages the executive served; times it waited for a core to let go of a thread. */
  readonly served: number;
  readonly offCpuWaits: number;
  /** Calls the cores handed to the executive over the hand-off rings, and wake-ups (replies) it handed back (host-handoff.ts). */
  readonly hostHandoffsTaken: number;
  readonly hostHandoffsSent: number;
  /** Of those, the executive's answers through its cross-core ReplyRecv fastpath (the rest: slow-path wakes). */
  readonly hostFastReplies: number;
  /** Times the host slept on its doorbell, and woke while polling it and its rings. */
  readonly hostSleeps: number;
  readonly hostSpinWakes: number;
}

/** Boots the SMP machine with the executive as root task, runs `image` until its process ends or the instruction limit. Throws NtStatusError for an image that cannot run. */
export async function runNtProgramSmp(o: NtSmpRunOptions): Promise<NtSmpRunResult> {
  const m = new SmpMachine({
    cores: o.cores, ramBytes: o.memory, rootCNodeBits: ROOT_CNODE_BITS, maxInstructions: o.maxInstructions ?? 0, traceStages: o.traceStages ?? false,
    ...(o.fastpath !== undefined ? { fastpath: o.fastpath } : {}), ...(o.engine !== undefined ? { engine: o.engine } : {}),
  });
  m.k.physicalWritten = smpHostWrites(m.codeMap);
  let host: HostCoreServer | null = null;
  const executive = m.kernel(() => new Executive(m.k, m.info, {
    console: o.console,
    ...(o.trace ? { trace: o.trace } : {}),
    numberOfProcessors: o.cores,
    fpuInTcb: true,
    waitOffCpu: (tcb) => host!.waitOffCpu(tcb),
  }));
  const server = new HostCoreServer(m, executive);
  // The executive's answers go straight to the caller's idle core over the ring (the
  // one-core host fastpath would look for the caller on the executive's own core).
  executive.fastReply = o.fastpath ?? true;
  executive.fastReplyPath = (_k, t, cptr, mr0) => server.handoff.replyRecv(t, cptr, mr0);
  host = server;
  let exit: ProcessExit | undefined;
  let verdict: 'done' | 'limit' | 'deadlock' = 'done';
  let reports: CoreReport[] = [];
  await m.boot();
  try {
    const p = server.locked(() => executive.createProcess(o));
    executive.onProcessExit = (e) => { if (e.process === p) exit = e; };
    let lastYield = performance.now();
    let idleSeen = false;
    // Timers are polled when one may be due (pollAt: the earliest deadline, as performance.now()
    // time), when the executive armed one since the last poll, and at least every HOST_TICK_MS
    // (KUSER_SHARED_DATA's clocks); not on every message served: an NT call from a core is one
    // pass of this loop, and the clock reads and BigInt arithmetic of a poll were ~3 % of it.
    let pollAt = 0;
    let armedSeen = -1;
    let next: bigint | undefined;
    let idle = false;
    let fired = false;
    let nowMs = 0;
    const step = (): void => {
      server.serve();
      fired = false;
      if (nowMs >= pollAt || executive.timersArmed !== armedSeen) {
        armedSeen = executive.timersArmed;
        const before = executive.timersFired;
        next = executive.pollTimers();
        fired = executive.timersFired !== before;
        const untilNext = next === undefined ? HOST_TICK_MS : Math.max(0, Number(next - executive.now()) / 1e6);
        pollAt = nowMs + Math.min(HOST_TICK_MS, untilNext);
      }
      idle = server.allIdle();
    };
    for (;;) {
      nowMs = performance.now();
      server.locked(step);
      if (exit !== undefined) break;
      if (m.limitReached()) { verdict = 'limit'; break; }
      if (server.stopped()) throw new Error('a core worker stopped the machine (an engine failure; its error follows)');
      const waitsForGood = idle && next === undefined && !fired;
      if (waitsForGood) {
        // Seen twice, a host tick apart with nothing rung in between: every thread waits for good.
        if (idleSeen) { verdict = 'deadlock'; break; }
        idleSeen = true;
      } else idleSeen = false;
      const ms = waitsForGood ? HOST_TICK_MS : pollAt - nowMs;
      if (ms > 0 && !fired) server.wait(ms);
      if (nowMs - lastYield >= EVENT_LOOP_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
  } finally {
    reports = await m.shutdown();
  }
  const instructions = reports.reduce((s, r) => s + r.retired, 0);
  const sd = exShutdownRecord(executive);
  const base = {
    instructions, executive, cores: reports, served: server.served, offCpuWaits: server.offCpuWaits,
    hostHandoffsTaken: server.handoff.taken, hostHandoffsSent: server.handoff.sent, hostFastReplies: server.handoff.fastReplies, hostSleeps: server.sleeps, hostSpinWakes: server.spinWakes,
    ...(sd === undefined ? {} : { shutdown: `${sd.action} by ${sd.by}` }),
  };
  if (verdict === 'limit') return { ...base, exitStatus: NTSTATUS.STATUS_TIMEOUT, exception: `stopped after ${instructions} instructions (--max-instructions)` };
  if (verdict === 'deadlock') {
    return { ...base, exitStatus: NTSTATUS.STATUS_UNSUCCESSFUL, exception: 'every thread is waiting and no timer is armed (deadlock)' };
  }
  return exit!.exception === undefined ? { ...base, exitStatus: exit!.status } : { ...base, exitStatus: exit!.status, exception: exit!.exception };
}
