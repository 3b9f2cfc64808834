// A/B of the NT system call path (bench/suites/syscall.ts's trivial round trip and
// two-process event ping-pong) between two builds alternating in one process, for a
// machine too noisy for absolute numbers.
// usage: build the base commit's dist elsewhere, then
//        node scripts/syscall-ab.mjs <base>/dist dist [rounds] [trivial|pingpong|smp]
// (smp: sysbench.exe on `--cores 2`, its loop timed by the guest, as the bench's .smp row;
// each build's guest/ next to its dist, as the bench finds it)
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
const [da, db, roundsArg, only] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 7);
const imp = (d, f) => import(pathToFileURL(resolve(d, f)).href);
async function load(d) {
  const boot = await imp(d, 'src/executive/boot.js');
  const smp = await imp(d, 'src/executive/smp-boot.js');
  return { ...boot, runNtProgramSmp: smp.runNtProgramSmp, bin: (await imp(d, 'src/machine/paths.js')).guestBinDir() };
}
const A = await load(da), B = await load(db);
function sysbench(M, calls) {
  const t0 = performance.now();
  const r = M.runNtProgram({ image: join(M.bin, 'sysbench.exe'), args: [String(calls)], dllPath: [M.bin], memory: 32 << 20, console: () => {} });
  if (r.exitStatus !== 0) throw new Error('sysbench failed');
  return performance.now() - t0;
}
/** ns per trivial call: N calls minus 0 calls (process start and exit). */
function trivial(M, n) { return ((sysbench(M, n) - sysbench(M, 0)) * 1e6) / n; }
function pingpong(M, n) {
  const m = M.bootNt({ memory: 64 << 20, console: () => {} });
  const ping = m.executive.createProcess({ image: join(M.bin, 'ntpingpong.exe'), args: ['ping', String(n)], dllPath: [M.bin] });
  const pong = m.executive.createProcess({ image: join(M.bin, 'ntpingpong.exe'), args: ['pong', String(n)], dllPath: [M.bin] });
  const t0 = performance.now();
  if (M.runUntil(m, () => ping.terminated && pong.terminated) !== 'done') throw new Error('ping-pong failed');
  return ((performance.now() - t0) * 1e6) / n;
}
/** ns per call of sysbench.exe's loop on 2 cores, timed by the guest (NtQueryPerformanceCounter). */
async function smpCall(M, n) {
  let out = '';
  const r = await M.runNtProgramSmp({ image: join(M.bin, 'sysbench.exe'), args: [String(n), 'time'], dllPath: [M.bin], memory: 32 << 20, console: (s) => { out += s; }, cores: 2 });
  const m = /^ticks (\d+) per (\d+)$/m.exec(out);
  if (r.exitStatus !== 0 || m === null) throw new Error(`sysbench on 2 cores failed: ${out}`);
  return (Number(m[1]) * 1e9) / Number(m[2]) / n;
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [name, f, n] of [['syscall.trivial.roundtrip (ns)', trivial, 200_000], ['syscall.event.pingpong (ns)', pingpong, 20_000], ['syscall.trivial.roundtrip.smp (ns)', smpCall, 100_000]]) {
  if (only === undefined ? name.includes('smp') : !name.includes(only)) continue;
  await f(A, n / 4); await f(B, n / 4);
  const ra = [], rb = [];
  for (let i = 0; i < rounds; i++) { ra.push(await f(A, n)); rb.push(await f(B, n)); }
  console.log(`${name.padEnd(32)} A ${med(ra).toFixed(0).padStart(6)}  B ${med(rb).toFixed(0).padStart(6)}  (A ${ra.map((x) => x.toFixed(0)).join(' ')} | B ${rb.map((x) => x.toFixed(0)).join(' ')})`);
}
