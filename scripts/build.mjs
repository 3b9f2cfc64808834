// Builds the TypeScript tree with esbuild.
//
// Two outputs, for two uses:
//  - dist/{src,tests,bench}/**.js: every .ts file transpiled on its own (no
//    bundling), so the test runner and the benches load modules by path and
//    stack traces name the source file;
//  - dist/bundle/*.mjs: one bundle per entry point (the CLI and each worker
//    entry), the form that `neptune` runs and that workers are started from.
// Type checking is tsc's job (`npm run typecheck`); esbuild only strips types.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const dist = join(root, 'dist');

function walk(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// Entry points that become bundles: every file named `*.entry.ts` under src/
// (workers) plus the CLI.
const files = ['src', 'tests', 'bench'].flatMap((d) => walk(join(root, d), []));
const bundles = files.filter((f) => f.endsWith('.entry.ts') || f === join(root, 'src/cli/main.ts'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: files,
  outdir: dist,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});

if (bundles.length > 0) {
  await build({
    entryPoints: Object.fromEntries(bundles.map((f) => [relative(join(root, 'src'), f).replace(/\.ts$/, '').replace(/[\\/]/g, '-'), f])),
    outdir: join(dist, 'bundle'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Bundled CommonJS dependencies may call require(); give them one.
    banner: { js: "import { createRequire as __nt_cr } from 'node:module'; const require = __nt_cr(import.meta.url);" },
  });
}
