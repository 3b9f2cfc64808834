/**
 * Where the package's own files are (guest images, worker bundles), found by
 * walking up from this module to the package.json named neptune-ts: works
 * from the bundles (dist/bundle) and from the per-file build (dist/src/...).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'neptune-ts') return (cached = dir);
      } catch { /* not ours; keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the neptune-ts package directory');
    dir = up;
  }
}

/** Directory of the prebuilt guest images (ntdll.dll, programs). */
export function guestBinDir(): string {
  return join(packageRoot(), 'guest', 'bin');
}
