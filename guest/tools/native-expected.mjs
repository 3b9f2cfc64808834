// Produces guest/programs/cputest/expected.txt: cputest.c built for i386
// Linux with the same CRT sources (platform layer guest/tools/native-shim.c)
// (malloc: guest/tools/native-malloc.c, as the NT one is ntdll's heap)
// and run on this machine's own CPU, at -O2 and at -O0; both runs must
// print the same thing, which becomes the reference the engine's output is
// compared with. Needs clang + lld and a CPU/kernel that runs i386 ELF.
//
// Usage: node guest/tools/native-expected.mjs [--check]
//   --check  compare with the committed expected.txt instead of writing it
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
const crt = readdirSync('guest/crt').filter((f) => f.endsWith('.c')).sort().map((f) => join('guest/crt', f));
const expectedPath = 'guest/programs/cputest/expected.txt';

function die(msg) {
  console.error(`native-expected: ${msg}`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'neptune-native-'));
const outputs = [];
try {
  for (const opt of ['-O2', '-O0']) {
    const exe = join(tmp, `cputest${opt}`);
    const cc = spawnSync('clang', ['--target=i386-linux-gnu', '-march=pentium4', opt, '-ffreestanding', '-fno-builtin',
      '-nostdlib', '-static', '-fuse-ld=lld', '-fno-stack-protector', '-fno-pic', '-no-pie', '-std=c11',
      '-isystem', 'guest/sdk/include', '-o', exe, 'guest/programs/cputest/cputest.c', ...crt, 'guest/tools/native-shim.c', 'guest/tools/native-malloc.c'],
    { encoding: 'utf8' });
    if (cc.error) die('clang not found: apt-get install -y --no-install-recommends clang lld');
    if (cc.status !== 0) die(`native build failed:\n${cc.stderr}`);
    const r = spawnSync(exe, [], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) die(`cannot run the i386 build: ${r.error.message}`);
    if (r.status !== 0) die(`native cputest${opt} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
    outputs.push(r.stdout);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (outputs[0] !== outputs[1]) die('the -O2 and -O0 native builds disagree (a compiler or CRT bug): not writing expected.txt');
if (process.argv.includes('--check')) {
  if (readFileSync(expectedPath, 'utf8') !== outputs[0]) die(`${expectedPath} is out of date: run node guest/tools/native-expected.mjs`);
  console.log(`native-expected: ${expectedPath} matches the native run`);
} else {
  writeFileSync(expectedPath, outputs[0]);
  console.log(`native-expected: wrote ${expectedPath} (${outputs[0].split('\n').length - 1} lines)`);
}
