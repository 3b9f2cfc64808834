// A/B of the same-core IPC round trip (as bench/suites/ipc-guest.ts's sameCoreRoundTrip:
// sel4-pingpong on one core, steady state) and NT system calls (bench/suites/syscall.ts)
// between two builds loaded into ONE
// process, alternating (and swapping which goes first every round), for a
// shared machine too noisy for absolute numbers. Each sample is timed both by
// wall clock and by this process's CPU time (process.cpuUsage, which does not
// grow while other jobs hold the cores); medians (min) are printed.
//
// usage: cp -r dist tmp/base (at the base commit; tmp/ is ignored and inside the
//        package, so the guest images are found), rebuild, then
//        node scripts/ipc-ab.mjs tmp/base dist [rounds] [row...]
// rows: fast (default), slow (fastpath off), notify (sel4-notify, slow path), nt (IPC_AB_NT_CALLS
// calls, default 200000), event (ntpingpong.exe, two processes, IPC_AB_EVENT_ROUNDS round trips,
// default 20000); e.g. `node scripts/ipc-ab.mjs tmp/base dist 15 fast nt`. The NT rows are
// a run of N minus a run of 0 (process start and exit), so they need a large N to settle.
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const [da, db, roundsArg, ...rowArgs] = process.argv.slice(2);
if (da === undefined || db === undefined) {
  console.error('usage: node scripts/ipc-ab.mjs DIST_A DIST_B [ROUNDS] [fast|slow|notify|nt|event ...]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 11);
const rows = rowArgs.length > 0 ? rowArgs : ['fast'];
const imp = (d, f) => import(pathToFileURL(resolve(d, f)).href);

async function load(d) {
  const g = await imp(d, 'src/kernel/guest/sel4-guest.js');
  const boot = await imp(d, 'src/executive/boot.js');
  const paths = await imp(d, 'src/machine/paths.js');
  return { pingPong: g.pingPong, notifyPair: g.notifyPair, runNtProgram: boot.runNtProgram, bootNt: boot.bootNt, runUntil: boot.runUntil, bin: paths.guestBinDir() };
}

/** Runs `f` and returns [wall ns, CPU ns] it took. */
function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  f();
  const wall = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) * 1000];
}

/** One sample of a row: [wall ns, CPU ns] per round trip. */
function sample(M, row) {
  if (row === 'fast' || row === 'slow') {
    // As sameCoreRoundTrip: a new machine, a warm-up of the first round trips, then the timed rest.
    const n = 1_000_000, warm = 20_000;
    const m = M.pingPong(n + warm, { fastpath: row === 'fast' });
    while (m.core.syscalls < 2 * warm) m.core.run(10_000);
    const calls0 = m.core.syscalls;
    const [wall, cpu] = timed(() => m.core.run());
    if (m.core.unhandled.length > 0) throw new Error('sel4-pingpong faulted');
    const rts = (m.core.syscalls - calls0) / 2;
    return [wall / rts, cpu / rts];
  }
  if (row === 'notify') {
    // sel4-notify on one core (slow path: Signal/Wait), ns per half round as ipc.notify.latency.same-core.
    const n = 200_000;
    const m = M.notifyPair(n);
    const [wall, cpu] = timed(() => m.core.run());
    if (m.core.unhandled.length > 0) throw new Error('sel4-notify faulted');
    return [wall / n / 2, cpu / n / 2];
  }
  if (row === 'nt') {
    const once = (calls) => timed(() => {
      const r = M.runNtProgram({ image: join(M.bin, 'sysbench.exe'), args: [String(calls)], dllPath: [M.bin], memory: 32 << 20, console: () => {}, fastpath: true });
      if (r.exitStatus !== 0) throw new Error('sysbench.exe failed');
    });
    const calls = Number(process.env['IPC_AB_NT_CALLS'] ?? 200_000);
    const z = once(0), w = once(calls);
    return [(w[0] - z[0]) / calls, (w[1] - z[1]) / calls];
  }
  if (row === 'event') {
    // ntpingpong.exe: two processes, named events (syscall.event.pingpong), N round trips minus 0.
    const once = (count) => timed(() => {
      const m = M.bootNt({ memory: 64 << 20, console: () => {} });
      const a = m.executive.createProcess({ image: join(M.bin, 'ntpingpong.exe'), args: ['ping', String(count)], dllPath: [M.bin] });
      const b = m.executive.createProcess({ image: join(M.bin, 'ntpingpong.exe'), args: ['pong', String(count)], dllPath: [M.bin] });
      if (M.runUntil(m, () => a.terminated && b.terminated) !== 'done' || a.exitStatus !== 0 || b.exitStatus !== 0) throw new Error('ntpingpong failed');
    });
    const n = Number(process.env['IPC_AB_EVENT_ROUNDS'] ?? 20_000);
    const z = once(0), w = once(n);
    return [(w[0] - z[0]) / n, (w[1] - z[1]) / n];
  }
  throw new Error(`unknown row ${row}`);
}

const A = await load(da), B = await load(db);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const min = (a) => Math.min(...a);
const f = (x) => x.toFixed(0);
for (const row of rows) {
  sample(A, row); sample(B, row); // warm both builds' code
  const wa = [], wb = [], ca = [], cb = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [[A, wa, ca], [B, wb, cb]] : [[B, wb, cb], [A, wa, ca]];
    for (const [M, w, c] of order) {
      const [x, y] = sample(M, row);
      w.push(x); c.push(y);
    }
  }
  const pct = (a, b) => `${(((med(b) - med(a)) / med(a)) * 100).toFixed(1)} %`;
  console.log(`${row.padEnd(5)} wall: A ${f(med(wa))} (${f(min(wa))})  B ${f(med(wb))} (${f(min(wb))}) ns  ${pct(wa, wb)}`);
  console.log(`${''.padEnd(5)} cpu:  A ${f(med(ca))} (${f(min(ca))})  B ${f(med(cb))} (${f(min(cb))}) ns  ${pct(ca, cb)}`);
  console.log(`${''.padEnd(5)} wall A ${wa.map(f).join(' ')} | B ${wb.map(f).join(' ')}`);
}
