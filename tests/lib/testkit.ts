/**
 * Shared helpers for the disk-format tests: a seeded PRNG, scratch
 * directories, and running dosfstools/mtools (skipped with a message when
 * they are missing, unless CI is set, where missing tools are a failure).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** mulberry32: a tiny, fast, seedable PRNG; the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.next() * 256) | 0;
    return out;
  }
}

export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `neptune-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const toolCache = new Map<string, boolean>();
function haveTool(name: string): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    const r = spawnSync('sh', ['-c', `command -v ${name} || test -x /usr/sbin/${name} || test -x /sbin/${name}`], { encoding: 'utf8' });
    ok = r.status === 0;
    toolCache.set(name, ok);
  }
  return ok;
}

/**
 * True when every tool is there. Otherwise: under CI, an assertion failure;
 * elsewhere the test is skipped with a message saying what to install.
 */
export function requireTools(t: TestContext, names: string[]): boolean {
  const missing = names.filter((n) => !haveTool(n));
  if (missing.length === 0) return true;
  const msg = `missing ${missing.join(', ')} (apt-get install dosfstools mtools)`;
  if (process.env.CI) throw new Error(`${msg}: required under CI`);
  t.skip(msg);
  return false;
}

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;

/** Runs a tool, returning stdout as bytes; throws with its stderr on a non-zero exit unless `allowFail`. */
export function run(cmd: string, args: string[], opts: { allowFail?: boolean; input?: Uint8Array } = {}): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(cmd, args, {
    env: { ...process.env, PATH, MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '', LC_ALL: 'C.UTF-8' },
    input: opts.input,
    maxBuffer: 256 << 20,
  });
  if (r.error) throw r.error;
  const out = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
  if (!opts.allowFail && out.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${out.status}: ${out.stderr}${out.stdout.toString().slice(0, 2000)}`);
  }
  return out;
}
