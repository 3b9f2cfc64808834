// A/B comparison of two builds' interpreters on the cpu bench loops, for a
// shared (noisy) machine: the two builds run in alternating child processes,
// each timing bench/suites/cpu.ts's runLoop by the process's CPU time (not
// wall time, which halves whenever other jobs take the cores), and the
// medians are compared.
//
//   node scripts/cpu-ab.mjs [--warm] DIST_A DIST_B [ROUNDS] [LOOP...]
//
// --warm: each child first runs bench/lib/cpu-warm.ts's program (every hot
// kind, both arms of every branch) through its build's run loop, so V8
// optimises it with full type feedback, as in a long-running guest.
//
// DIST_* are build outputs (a `dist` directory of `node scripts/build.mjs`,
// e.g. one copied aside before a change). Not a benchmark of record: the
// bench suite (`npm run bench -- cpu`) is, on a quiet machine.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const OUTER = 400, SAMPLES = 5;

async function child(dist, name, warm) {
  const url = (p) => pathToFileURL(resolve(dist, p)).href;
  const { Cpu } = await import(url('src/cpu/cpu.js'));
  const { GuestRam } = await import(url('src/machine/ram.js'));
  const { run } = await import(url('src/cpu/interpreter.js'));
  const { LOOPS, runLoop } = await import(url('bench/suites/cpu.js'));
  if (warm) {
    // The program comes from this repository's build (the other build may predate it).
    const w = await import(pathToFileURL(resolve(fileURLToPath(import.meta.url), '../../dist/bench/lib/cpu-warm.js')).href);
    const code = w.warmUpProgram();
    for (let pass = 0; pass < 43; pass++) {
      const c = new Cpu(new GuestRam(1 << 18), 1 << 12);
      c.ram.u8.set(code, w.WARM_CODE);
      c.eip = w.WARM_CODE;
      c.reg[4] = w.WARM_STACK;
      c.reg[6] = w.WARM_DATA;
      // Three whole runs, then runs cut by small budgets (the partial-block path).
      run(c, pass < 3 ? 100_000 : 3);
    }
  }
  const cpu = new Cpu(new GuestRam(1 << 20), 1 << 12);
  runLoop(cpu, LOOPS[name].code, 50);
  runLoop(cpu, LOOPS[name].code, 100);
  const mips = [];
  for (let i = 0; i < SAMPLES; i++) {
    const c0 = process.cpuUsage();
    const [n] = runLoop(cpu, LOOPS[name].code, OUTER);
    const c = process.cpuUsage(c0);
    mips.push(n / (c.user + c.system));
  }
  console.log(median(mips).toFixed(1));
}

function median(a) {
  const b = [...a].sort((x, y) => x - y);
  return b[b.length >> 1];
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1], args[2], args[3] === 'warm');
} else {
  const warm = args[0] === '--warm';
  if (warm) args.shift();
  const [a, b, roundsArg, ...only] = args;
  if (a === undefined || b === undefined) {
    console.error('usage: node scripts/cpu-ab.mjs DIST_A DIST_B [ROUNDS] [LOOP...]');
    process.exit(2);
  }
  const rounds = Number(roundsArg ?? 5);
  const names = only.length > 0 ? only : ['alu-loop', 'load-store-loop', 'call-loop'];
  const self = fileURLToPath(import.meta.url);
  for (const name of names) {
    const res = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        res[k].push(Number(execFileSync(process.execPath, [self, '--child', [a, b][k], name, warm ? 'warm' : '']).toString()));
      }
    }
    const ma = median(res[0]), mb = median(res[1]);
    console.log(`${name.padEnd(16)} A ${ma.toFixed(1).padStart(6)}  B ${mb.toFixed(1).padStart(6)}  B/A ${(mb / ma).toFixed(3)}   A[${res[0].join(' ')}] B[${res[1].join(' ')}]`);
  }
}
