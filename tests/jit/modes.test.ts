/**
 * Every CPU test (tests/cpu: unit tests and the native-oracle fixtures) and
 * the `neptune run` end-to-end tests (cputest.exe against the native
 * reference output) again, under the JIT and under the JIT translating every
 * block at its first execution: NEPTUNE_CPU_ENGINE selects the run loop in
 * tests/cpu/helpers.ts, the oracle engine and `neptune run`. (The plain run
 * of the suite is the interpreter mode.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(fileURLToPath(new URL('.', import.meta.url)), '..');
function testFiles(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (n.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const inner = process.env['NEPTUNE_CPU_ENGINE'] !== undefined && process.env['NEPTUNE_CPU_ENGINE'] !== '';

for (const engine of ['jit', 'jit-eager']) {
  test(`CPU tests and cputest.exe under NEPTUNE_CPU_ENGINE=${engine}`, { skip: inner ? 'already running under a chosen engine' : false }, () => {
    const files = [...testFiles(join(dist, 'cpu')), join(dist, 'cli', 'run.test.js')];
    // A child of the test runner reports to it instead of printing TAP unless NODE_TEST_CONTEXT is removed.
    const env: NodeJS.ProcessEnv = { ...process.env, NEPTUNE_CPU_ENGINE: engine };
    delete env['NODE_TEST_CONTEXT'];
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=1', ...files], {
      env,
      encoding: 'utf8',
      timeout: 600_000,
    });
    const failed = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('not ok') || /^# fail/.test(l));
    assert.equal(r.status, 0, `under ${engine}:\n${failed.join('\n')}\n${(r.stdout ?? '').slice(-3000)}${r.stderr ?? ''}`);
    assert.match(r.stdout, /^# pass [1-9]/m);
  });
}
