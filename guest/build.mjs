// Builds the guest side: ntdll.dll, the static CRT, the programs.
//
//   node guest/build.mjs            (npm run build:guest) build into guest/bin, guest/lib
//   node guest/build.mjs --check    build into a temporary directory and fail
//                                   unless every output is bit-identical to
//                                   the committed one (what CI runs)
//   --skip-ts                       don't rebuild dist/ (the service table)
//
// Toolchain: Debian clang-14 + lld-14 (see ../../shared/TOOLCHAIN.md and
// guest/README.md). Reproducible: /Brepro, -mno-incremental-linker-compatible,
// relative source paths, sorted inputs, a fixed job order; lld-link /lib
// writes archives without timestamps, so the .lib files are reproducible too.
import { spawnSync, spawn } from 'node:child_process';
import { readdirSync, mkdirSync, rmSync, readFileSync, existsSync, copyFileSync, mkdtempSync } from 'node:fs';
import { join, dirname, relative, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir, cpus } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root); // every path below is relative to the repository: no machine paths in outputs
const args = process.argv.slice(2);
const check = args.includes('--check');
const skipTs = args.includes('--skip-ts');

const CFLAGS = [
  '--target=i686-pc-windows-msvc', '-march=pentium4', '-ffreestanding', '-fno-builtin', '-nostdlib',
  '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-mno-incremental-linker-compatible',
  '-mno-stack-arg-probe', '-std=c11', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror',
  '-isystem', 'guest/sdk/include',
];
const LDFLAGS = ['/nologo', '/machine:x86', '/nodefaultlib', '/subsystem:native', '/Brepro'];

// Programs: name → { sources, opt }. cputest is built twice (two code shapes).
const PROGRAMS = [
  { name: 'hello', dir: 'hello', opt: '-O2' },
  { name: 'exitcode', dir: 'exitcode', opt: '-O2' },
  { name: 'fault', dir: 'fault', opt: '-O2' },
  { name: 'cputest', dir: 'cputest', opt: '-O2' },
  { name: 'cputest-o0', dir: 'cputest', opt: '-O0' },
  { name: 'sel4-pingpong', dir: 'sel4-pingpong', opt: '-O2' },
  { name: 'sel4-notify', dir: 'sel4-notify', opt: '-O2' },
  { name: 'sel4-test', dir: 'sel4-test', opt: '-O2' },
  { name: 'compute', dir: 'compute', opt: '-O2' },
  { name: 'ntconf', dir: 'ntconf', opt: '-O2' },
  { name: 'sysbench', dir: 'sysbench', opt: '-O2' },
  { name: 'ntseh', dir: 'ntseh', opt: '-O2' },
  { name: 'ntthread', dir: 'ntthread', opt: '-O2' },
  { name: 'ntpingpong', dir: 'ntpingpong', opt: '-O2' },
  { name: 'memhog', dir: 'memhog', opt: '-O2' },
  { name: 'ntlpc', dir: 'ntlpc', opt: '-O2' },
  { name: 'ntfuzz', dir: 'ntfuzz', opt: '-O2' },
  { name: 'ldrtest', dir: 'ldrtest', opt: '-O2' },
  // processes creating processes from \BootModules, static TLS and thread attach/detach (issue 5)
  { name: 'ntproc', dir: 'ntproc', opt: '-O2' },
  { name: 'ldrtls', dir: 'ldrtls', opt: '-O2', imports: ['ldrtls'] },
  // unwinding, compiler-made SEH, vectored handlers, FPU CONTEXT (seh branch)
  { name: 'ntunwind', dir: 'ntunwind', opt: '-O2' },
  // ntdll's Rtl heap, critical sections and Rtl basics (rtl branch)
  { name: 'ntheap', dir: 'ntheap', opt: '-O2' },
  // Ps set-information, Se tokens and access checks, Ex hard errors, locale, shutdown (services branch)
  { name: 'ntsvc', dir: 'ntsvc', opt: '-O2' },
  // threads that spin (forever, or ROUNDS rounds) on every core: --max-instructions on N cores (maxinsn branch)
  { name: 'ntspin', dir: 'ntspin', opt: '-O2' },
];
// Test DLLs (loaded by ntdll's loader from \\KnownDlls), linked in this order
// (a DLL may import the ones before it): name → { dir, base, def?, imports }.
// ldrdep sits at the programs' base (0x400000) so that it must be relocated.
// The forwarder is given with /export: lld-link 14 decorates a .def file's
// forwarder target with the x86 underscore ("_ntdll.X"), /export does not.
const DLLS = [
  { name: 'ldrdep', dir: 'ldrdep-dll', base: '0x400000', def: 'guest/programs/ldrdep-dll/ldrdep.def', imports: [] },
  { name: 'ldrtest', dir: 'ldrtest-dll', base: '0x10000000', def: 'guest/programs/ldrtest-dll/ldrtest.def', extra: ['/export:LdrTestCompare=ntdll.RtlCompareMemory'], imports: ['ldrdep'] },
  { name: 'ldrfail', dir: 'ldrfail-dll', base: '0x10100000', def: 'guest/programs/ldrfail-dll/ldrfail.def', imports: [] },
  // static TLS in a DLL: links the CRT for its TLS directory (guest/crt/nt/tls.c)
  { name: 'ldrtls', dir: 'ldrtls-dll', base: '0x10200000', def: 'guest/programs/ldrtls-dll/ldrtls.def', imports: [], crt: true },
];

function die(msg) {
  console.error(`build:guest: ${msg}`);
  process.exit(1);
}

function requireTool(tool) {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    die(`${tool} was not found. Install Debian's clang and lld:\n  apt-get install -y --no-install-recommends clang lld`);
  }
  return r.stdout.split('\n')[0];
}

function run(cmd, argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code}`))));
  });
}

async function pool(jobs, n) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, jobs.length) }, async () => {
    while (next < jobs.length) await jobs[next++]();
  });
  await Promise.all(workers);
}

function cfiles(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => join(dir, f));
}

async function main() {
  const clang = requireTool('clang');
  requireTool('lld-link');
  if (!/clang version 14\./.test(clang)) console.warn(`build:guest: warning: expected clang 14 (Debian 12), found: ${clang}; outputs may differ from the committed images`);

  if (!skipTs || !existsSync('dist/src/abi/services.js')) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (r.status !== 0) die('node scripts/build.mjs failed');
  }
  const gen = spawnSync(process.execPath, ['guest/tools/gen-sdk.mjs'], { stdio: 'inherit' });
  if (gen.status !== 0) die('guest/tools/gen-sdk.mjs failed');

  const out = check ? mkdtempSync(join(tmpdir(), 'neptune-guest-')) : 'guest';
  const obj = join('guest', 'build', 'obj');
  rmSync(obj, { recursive: true, force: true });
  const bin = join(out, 'bin');
  const lib = join(out, 'lib');
  mkdirSync(bin, { recursive: true });
  mkdirSync(lib, { recursive: true });
  const jobs = cpus().length || 2;

  // Objects: [source, object, extra flags]
  const compile = (src, o, extra) => async () => {
    mkdirSync(dirname(o), { recursive: true });
    await run('clang', [...CFLAGS, ...extra, '-c', src, '-o', o]);
  };
  const ntdllSrc = cfiles('guest/ntdll');
  const crtSrc = [...cfiles('guest/crt'), ...cfiles('guest/crt/nt')];
  const ntdllObj = ntdllSrc.map((s) => join(obj, 'ntdll', basename(s, '.c') + '.obj'));
  const crtObj = crtSrc.map((s) => join(obj, 'crt', relative('guest/crt', s).replace(/[\\/]/g, '_').replace(/\.c$/, '.obj')));
  const dllObj = DLLS.map((d) => cfiles(join('guest/programs', d.dir)).map((s) => [s, join(obj, 'dll-' + d.name, basename(s, '.c') + '.obj')]));
  const progObj = PROGRAMS.map((p) => cfiles(join('guest/programs', p.dir)).map((s) => [s, join(obj, p.name, basename(s, '.c') + '.obj')]));
  await pool([
    ...ntdllSrc.map((s, i) => compile(s, ntdllObj[i], ['-O2'])),
    ...crtSrc.map((s, i) => compile(s, crtObj[i], ['-O2'])),
    ...PROGRAMS.flatMap((p, i) => progObj[i].map(([s, o]) => compile(s, o, [p.opt]))),
    ...DLLS.flatMap((d, i) => dllObj[i].map(([s, o]) => compile(s, o, ['-O2']))),
  ], jobs);

  // ntdll.dll at NT's classic base, and its import library.
  await run('lld-link', [...LDFLAGS, '/dll', '/noentry', '/base:0x7c900000', '/def:guest/ntdll/ntdll.def',
    `/implib:${join(lib, 'ntdll.lib')}`, `/out:${join(bin, 'ntdll.dll')}`, ...ntdllObj]);
  // lld-link /lib names each member by its path relative to the output
  // file: build the archive beside the objects (members are plain file
  // names, whatever the output directory) and copy it.
  const crtLib = join(obj, 'crt', 'neptunecrt.lib');
  await run('lld-link', ['/lib', '/nologo', `/out:${crtLib}`, ...crtObj]);
  copyFileSync(crtLib, join(lib, 'neptunecrt.lib'));
  // Test DLLs with DllMain as entry; import libraries stay in the object directory
  // (linked before the programs: a program may import one).
  for (const [i, d] of DLLS.entries()) {
    await run('lld-link', [...LDFLAGS, '/dll', '/entry:DllMain', `/base:${d.base}`, ...(d.def ? [`/def:${d.def}`] : []), ...(d.extra ?? []),
      `/implib:${join(obj, 'dll-' + d.name, d.name + '.lib')}`, `/out:${join(bin, d.name + '.dll')}`, ...dllObj[i].map(([, o]) => o),
      ...d.imports.map((m) => join(obj, 'dll-' + m, m + '.lib')), ...(d.crt ? [join(lib, 'neptunecrt.lib')] : []), join(lib, 'ntdll.lib')]);
  }
  await pool(PROGRAMS.map((p, i) => () => run('lld-link', [...LDFLAGS, '/entry:NtProcessStartup',
    `/out:${join(bin, p.name + '.exe')}`, ...progObj[i].map(([, o]) => o),
    ...(p.imports ?? []).map((m) => join(obj, 'dll-' + m, m + '.lib')),
    join(lib, 'neptunecrt.lib'), join(lib, 'ntdll.lib')])), jobs);

  const outputs = [...readdirSync(bin).filter((f) => /\.(exe|dll)$/.test(f)).map((f) => join('bin', f)),
    ...readdirSync(lib).filter((f) => f.endsWith('.lib')).map((f) => join('lib', f))].sort();
  if (check) {
    const bad = [];
    for (const f of outputs) {
      const committed = join('guest', f);
      if (!existsSync(committed) || !readFileSync(committed).equals(readFileSync(join(out, f)))) bad.push(committed);
    }
    rmSync(out, { recursive: true, force: true });
    if (bad.length) die(`rebuilt images differ from the committed ones:\n  ${bad.join('\n  ')}\nrun \`npm run build:guest\` and commit the results`);
    console.log(`build:guest: ${outputs.length} outputs rebuilt bit-identical to the committed ones`);
  } else {
    for (const f of outputs) console.log(`build:guest: wrote guest/${f}`);
  }
}

main().catch((e) => die(e.message));
