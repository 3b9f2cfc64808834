/**
 * Semantics oracle: every fixture case (recorded on real hardware by
 * generate-fixtures.ts) runs in the engine's interpreter, in both layouts:
 *   A  aligned code and operands;
 *   B  the first instruction crosses a page, operands at [buf] and the stack
 *      cross pages (slow paths).
 * Registers, flags (minus the undefined ones), the memory windows, SSE and
 * x87 state and the fault vector are compared. Failures are grouped by the
 * case's group (opcode) with bytes, disassembly, expected and actual values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadEngine, type Engine } from './engine.js';
import { LAYOUTS, type Case } from './fixture-format.js';
import { disassemble, unhex } from './iced.js';
import { makeEnv, runAndCompare } from './runner.js';

const engine = await loadEngine();
const skip = typeof engine === 'string' ? engine : false;
const fixturesDir = fileURLToPath(new URL('../../../../tests/cpu/oracle/fixtures/', import.meta.url));
const FILES = ['integer', 'sse', 'x87'];
const EXAMPLES = Number(process.env['ORACLE_EXAMPLES'] ?? 3);

function load(name: string): Case[] {
  const p = join(fixturesDir, `${name}.json`);
  if (!existsSync(p)) return [];
  return JSON.parse(readFileSync(p, 'utf8')) as Case[];
}

test('fixtures are present and well formed', () => {
  let n = 0;
  for (const f of FILES) {
    const cases = load(f);
    assert.ok(cases.length > 0, `tests/cpu/oracle/fixtures/${f}.json is missing or empty: run npm run fixtures:cpu`);
    for (const c of cases) assert.ok(typeof c.c === 'string' && c.r.length === 8 && c.A !== undefined, c.g);
    n += cases.length;
  }
  assert.ok(n >= 1000, `${n} cases`);
});

for (const file of FILES) {
  for (const layout of LAYOUTS) {
    test(`semantics oracle: ${file} cases, layout ${layout.name}${layout.name === 'B' ? ' (page-crossing code and operands)' : ''}`, { skip }, () => {
      const e = engine as Engine;
      const env = makeEnv(e);
      const cases = load(file);
      const groups = new Map<string, { n: number; fails: string[] }>();
      let failed = 0;
      for (const c of cases) {
        let g = groups.get(c.g);
        if (g === undefined) groups.set(c.g, (g = { n: 0, fails: [] }));
        g.n++;
        const diffs = runAndCompare(env, c, layout);
        if (diffs.length === 0) continue;
        failed++;
        if (g.fails.length < EXAMPLES) {
          const code = unhex(c.c);
          g.fails.push([
            `    ${c.c.match(/../g)!.join(' ')}   ${disassemble(code, layout.code)}`,
            `      in:  ${c.r.join(' ')} flags ${(c.f >>> 0).toString(16)}${c.m ? ` mem ${c.m.slice(0, 32)}..` : ''}`,
            ...diffs.map((d) => `      ${d}`),
          ].join('\n'));
        } else g.fails.push('');
      }
      const bad = [...groups.entries()].filter(([, g]) => g.fails.length > 0).sort((a, b) => b[1].fails.length - a[1].fails.length);
      const lines = [`${file} / layout ${layout.name}: ${cases.length - failed} of ${cases.length} cases pass; ${bad.length} of ${groups.size} groups fail`];
      for (const [name, g] of bad) {
        lines.push(`  [${name}] ${g.fails.length}/${g.n} fail`);
        for (const f of g.fails) if (f !== '') lines.push(f);
      }
      const msg = lines.join('\n');
      if (failed > 0) console.log(msg);
      assert.equal(failed, 0, lines.slice(0, 1 + Math.min(40, bad.length)).map((l) => l.split('\n')[0]).join('\n'));
    });
  }
}
