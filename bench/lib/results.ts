/**
 * Benchmark results in the format DESIGN.md fixes, so runs can be compared
 * over time and against other systems:
 *   { suite, date, host: { cpus, node }, results: [ { name, value, unit, samples, rme } ] }
 * Names are stable across versions (e.g. `alu-loop.interp`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  /** Stable name, e.g. `alu-loop.interp`. */
  name: string;
  value: number;
  /** e.g. `MIPS`, `ns`, `MB/s`, `ratio`. */
  unit: string;
  samples: number;
  /** Relative margin of error, percent (0 when not measured statistically). */
  rme: number;
  /** Optional human note shown in the table (a target, a reference figure). */
  note?: string;
}

export interface BenchSuite {
  readonly name: string;
  readonly summary: string;
  run(opts: { quick: boolean }): Promise<BenchResult[]>;
}

export function writeResults(resultsDir: string, suite: string, results: BenchResult[]): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${suite}.json`);
  const doc = {
    suite,
    date: new Date().toISOString(),
    host: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    results: results.map(({ name, value, unit, samples, rme }) => ({ name, value, unit, samples, rme })),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}

export function formatTable(suite: string, results: BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.value >= 100 ? r.value.toFixed(0) : r.value >= 1 ? r.value.toFixed(2) : r.value.toPrecision(3),
    r.unit,
    `±${r.rme.toFixed(1)}%`,
    String(r.samples),
    r.note ?? '',
  ]);
  const head = ['name', 'value', 'unit', 'rme', 'samples', 'note'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 3 || i === 4 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [`== ${suite} ==`, line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

/** Median and relative margin of error (95%, t≈1.96) of repeated measurements. */
export function summarize(values: number[]): { median: number; rme: number } {
  const s = [...values].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  const rme = s.length > 1 && mean !== 0 ? ((1.96 * sd) / Math.sqrt(s.length) / Math.abs(mean)) * 100 : 0;
  return { median, rme };
}
