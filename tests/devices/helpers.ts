/** Shared test helpers: temporary disk images and byte patterns. */
import { mkdtempSync, rmSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempImage(name: string): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'neptune-dev-'));
  return { path: join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic bytes (xorshift) so every test checks real data, not zeros. */
export function fillPattern(dst: Uint8Array, off: number, len: number, seed: number): void {
  let x = (seed | 0) || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    dst[off + i] = x & 0xff;
  }
}

export function readFile(path: string, pos: number, len: number): Uint8Array {
  const fd = openSync(path, 'r');
  const b = new Uint8Array(len);
  readSync(fd, b, 0, len, pos);
  closeSync(fd);
  return b;
}

export function writeFile(path: string, pos: number, data: Uint8Array): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, data, 0, data.length, pos);
  closeSync(fd);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
