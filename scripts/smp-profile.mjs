// Where a cross-core round trip goes: sel4-pingpong, client on core 0 and
// server on core 1 (as bench ipc.cross-core.roundtrip), each core worker
// profiled (SmpOptions.profile) and its counters printed.
//   node scripts/smp-profile.mjs [roundTrips] [--no-profile] [--no-fastpath]
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

// DIST=<another build's dist>: that build's machine and guest helpers (before this branch: in tests/kernel/).
const dist = process.env.DIST ? pathToFileURL(resolve(process.env.DIST)).href : new URL('../dist', import.meta.url).href;
const { SmpMachine } = await import(`${dist}/src/kernel/smp/machine.js`);
const helpers = existsSync(new URL(`${dist}/src/kernel/guest/smp-guest.js`)) ? 'src/kernel/guest' : 'tests/kernel';
const { collect, loadPingPong, pingPongPair } = await import(`${dist}/${helpers}/smp-guest.js`);

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200_000);
const profile = !process.argv.includes('--no-profile');
const fastpath = !process.argv.includes('--no-fastpath');
const spinUs = Number((process.argv.find((a) => a.startsWith('--spin-us=')) ?? '=100').split('=')[1]);
const minUs = Number((process.argv.find((a) => a.startsWith('--min-us=')) ?? '=2').split('=')[1]);
const m = new SmpMachine({ cores: 2, tickMs: 0, profile, fastpath, idleSpinUs: spinUs, idleSpinMinUs: minUs, spinners: spinUs > 100 ? 8 : undefined });
const entry = loadPingPong(m);
const report = m.kernel(() => m.b.endpoint());
const p = pingPongPair(m, entry, report, 0, 1, 0, n);
await m.boot();
m.start(p.server);
const t0 = performance.now();
m.start(p.client);
const got = await collect(m, report, 2, 600_000);
const ms = performance.now() - t0;
const reports = await m.shutdown();
if (got.some((r) => r.mrs[0] !== n)) throw new Error('ping-pong went wrong');
console.log(`${n} round trips in ${ms.toFixed(0)} ms: ${((ms * 1e6) / n).toFixed(0)} ns per round trip (whole run, host polling every 1 ms)`);
for (const r of reports) {
  const per = (x) => (x / n).toFixed(2);
  console.log(`core ${r.core}: syscalls/rt ${per(r.syscalls)} fastpaths/rt ${per(r.fastpaths)} sleeps/rt ${per(r.sleeps)} spinWakes/rt ${per(r.spinWakes)} ` +
    `spin ${((r.spinMs * 1e6) / n).toFixed(0)} ns/rt, slept ${((r.sleptMs * 1e6) / n).toFixed(0)} ns/rt, lock contended/rt ${per(r.lockContended)} slept ${r.lockSlept}` +
    ` handoffs sent/rt ${per(r.handoffsSent)} taken/rt ${per(r.handoffsTaken)}`);
  if (r.profile) {
    const e = Object.entries(r.profile).sort((a, b) => b[1] - a[1]);
    console.log('   ' + e.map(([k, v]) => `${k} ${(v * 100).toFixed(1)}% (${((v * ms * 1e6) / n).toFixed(0)} ns)`).join(', '));
  }
}
