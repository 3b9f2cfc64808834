/**
 * `npm run bench [-- SUITE ...] [--quick]`: runs benchmark suites, prints a
 * table per suite and writes bench/results/SUITE.json (DESIGN.md's format).
 * Suites live in bench/suites and are listed in bench/suites/index.ts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suites } from './suites/index.js';
import { formatTable, writeResults } from './lib/results.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !suites.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length > 0 ? suites.filter((s) => names.includes(s.name)) : suites;
for (const suite of chosen) {
  const results = await suite.run({ quick });
  console.log(formatTable(suite.name, results));
  const file = writeResults(join(root, 'bench', 'results'), suite.name, results);
  console.log(`(written to ${file})\n`);
}
