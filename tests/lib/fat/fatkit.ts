/** Helpers for the FAT tests: host trees from a seed, and reading a whole volume back. */
import { mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { FatVolume } from '../../../src/lib/fat/volume.js';
import type { Rng } from '../testkit.js';

/** path (with leading "/") → contents, or null for a directory. */
export type TreeModel = Map<string, Uint8Array | null>;

const WORDS = ['alpha', 'Beta', 'gamma', 'Delta file', 'ünïcode', 'naïve ✓', 'x', 'README', 'notes', 'a.b.c', 'Long name with spaces', 'MiXeD', 'data', '日本語'];
const EXTS = ['', '.txt', '.bin', '.TXT', '.tar.gz', '.c', '.jpeg'];

export function randomName(rng: Rng): string {
  let n = rng.pick(WORDS);
  if (rng.float() < 0.5) n += ' ' + rng.int(0, 999);
  if (rng.float() < 0.2) n += '-' + 'z'.repeat(rng.int(10, 60)); // longer than one LFN entry
  return n + rng.pick(EXTS);
}

/** Random sizes skewed small, with some around cluster and sector boundaries. */
export function randomSize(rng: Rng, max: number): number {
  const r = rng.float();
  if (r < 0.1) return 0;
  if (r < 0.3) return rng.pick([511, 512, 513, 1023, 1024, 2047, 2048, 4095, 4096, 4097]);
  if (r < 0.8) return rng.int(1, 3000);
  return rng.int(3000, max);
}

/** Writes a random tree on the host and returns its model. */
export function makeHostTree(root: string, rng: Rng, opts: { files: number; maxDepth: number; maxSize: number }): TreeModel {
  const model: TreeModel = new Map();
  const dirs = [''];
  mkdirSync(root, { recursive: true });
  const used = new Set<string>();
  const unique = (parent: string) => {
    for (;;) {
      const name = randomName(rng);
      const key = `${parent}/${name}`.toUpperCase();
      if (!used.has(key)) { used.add(key); return name; }
    }
  };
  for (let i = 0; i < opts.files; i++) {
    const parent = rng.pick(dirs);
    const depth = parent.split('/').length - 1;
    if (rng.float() < 0.25 && depth < opts.maxDepth) {
      const p = `${parent}/${unique(parent)}`;
      mkdirSync(join(root, p));
      model.set(p, null);
      dirs.push(p);
    } else {
      const p = `${parent}/${unique(parent)}`;
      const data = rng.bytes(randomSize(rng, opts.maxSize));
      writeFileSync(join(root, p), data);
      // Even seconds: FAT keeps write times with 2-second resolution.
      const t = new Date(2020, 1, 2, 3, 4, 6 + 2 * rng.int(0, 20));
      utimesSync(join(root, p), t, t);
      model.set(p, data);
    }
  }
  return model;
}

/** Reads every directory and file of a volume (depth-capped, in case of a corrupt loop). */
export async function readVolume(vol: FatVolume, maxDepth = 40): Promise<TreeModel> {
  const out: TreeModel = new Map();
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > maxDepth) throw new Error(`directory tree deeper than ${maxDepth} at ${dir}`);
    for (const st of await vol.readdir(dir || '/')) {
      const p = `${dir}/${st.name}`;
      if (st.isDirectory) {
        out.set(p, null);
        await walk(p, depth + 1);
      } else {
        out.set(p, await vol.readFile(p));
      }
    }
  };
  await walk('', 0);
  return out;
}

/** Sorted "path:size" lines, for readable diffs in assertions. */
export function summary(model: TreeModel): string[] {
  return [...model].map(([p, d]) => (d === null ? `${p}/` : `${p}:${d.length}`)).sort();
}
