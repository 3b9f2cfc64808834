// A/B of the JIT loops (bench/suites/jit.ts's programs, steady state) between two
// builds alternating in one process, for a machine too noisy for absolute numbers.
// usage: cp -r dist tmp/base (at the base commit; tmp/ is ignored), rebuild, then
//        node scripts/jit-ab.mjs tmp/base dist [rounds]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const [da, db, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const imp = (d, f) => import(pathToFileURL(resolve(d, f)).href);
async function load(d) {
  return { Cpu: (await imp(d, 'src/cpu/cpu.js')).Cpu, GuestRam: (await imp(d, 'src/machine/ram.js')).GuestRam,
    runJit: (await imp(d, 'src/jit/index.js')).runJit, cacheOf: (await imp(d, 'src/cpu/decode-cache.js')).cacheOf,
    LOOPS: (await imp(d, 'bench/suites/cpu.js')).LOOPS };
}
const A = await load(da), B = await load(db);
const CODE = 0x10000, le32 = (v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
function codePageData() {
  const D = CODE + 0x800;
  const head = [0xbf, ...le32(0), 0xb9, ...le32(4096)];
  const body = [0x89, 0x0d, ...le32(D), 0x03, 0x05, ...le32(D), 0x01, 0xc3, 0x89, 0x1d, ...le32(D + 4), 0x31, 0xda];
  const lAt = head.length, topAt = 5;
  const tail = [0x49, 0x75, (lAt - (lAt + body.length + 3)) & 0xff, 0x4f, 0x75, (topAt - (lAt + body.length + 6)) & 0xff, 0xcd, 0x80];
  return Uint8Array.from([...head, ...body, ...tail]);
}
const progs = { 'alu-loop': A.LOOPS['alu-loop'].code, 'load-store-loop': A.LOOPS['load-store-loop'].code, 'call-loop': A.LOOPS['call-loop'].code, 'code-page-data': codePageData() };
function runLoop(M, cpu, code, outer) {
  if (cpu.ram.u8[CODE] !== code[0] || cpu.ram.u8[CODE + 5] !== code[5]) { cpu.ram.u8.set(code, CODE); M.cacheOf(cpu).invalidateRange(CODE, code.length); }
  cpu.eip = CODE + 5; cpu.reg[7] = outer; cpu.reg[4] = 0x80000; cpu.reg[6] = 0x40000;
  const before = cpu.retired, t0 = performance.now();
  for (;;) { const st = M.runJit(cpu, 1 << 24); if (st === 1) break; if (st !== 0) throw new Error('stop ' + st); }
  return (cpu.retired - before) / (performance.now() - t0) / 1000;
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [name, code] of Object.entries(progs)) {
  const ca = new A.Cpu(new A.GuestRam(1 << 20), 1 << 12), cb = new B.Cpu(new B.GuestRam(1 << 20), 1 << 12);
  runLoop(A, ca, code, 50); runLoop(B, cb, code, 50);
  const ra = [], rb = [];
  for (let i = 0; i < rounds; i++) { ra.push(runLoop(A, ca, code, 300)); rb.push(runLoop(B, cb, code, 300)); }
  console.log(`${name.padEnd(16)} A ${med(ra).toFixed(0).padStart(5)}  B ${med(rb).toFixed(0).padStart(5)} MIPS  (A ${ra.map((x) => x.toFixed(0)).join(' ')} | B ${rb.map((x) => x.toFixed(0)).join(' ')})`);
}
