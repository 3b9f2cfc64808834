// Stage time stamps of the SMP core workers (src/kernel/smp/stages.ts): the recorder's
// rows, the table, and a cross-core ping-pong run with them on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stage, StageRecorder, formatStages, type StageRow } from '../../src/kernel/smp/stages.js';
import { runSel4Smp } from '../../src/kernel/guest/smp-run.js';
import { guestBinDir } from '../../src/machine/paths.js';
import { join } from 'node:path';

test('the recorder counts each pair of consecutive stamps and times it', () => {
  const r = new StageRecorder();
  for (let i = 0; i < 10; i++) {
    r.mark(Stage.SPIN);
    r.mark(Stage.WAKE);
    r.mark(Stage.LOCKED);
  }
  const rows = r.summary();
  const by = new Map(rows.map((x) => [`${x.from}>${x.to}`, x]));
  assert.equal(by.get('spin>wake')?.count, 10);
  assert.equal(by.get('wake>locked')?.count, 10);
  assert.equal(by.get('locked>spin')?.count, 9, 'the last stamp starts no step');
  assert.equal(rows.length, 3);
  for (const x of rows) assert.ok(x.medianNs >= 0 && x.p90Ns >= x.medianNs, `${x.from} -> ${x.to}: ${x.medianNs} / ${x.p90Ns}`);
});

test('the table leaves out steps rarer than 1 % of the busiest', () => {
  const rows: StageRow[] = [
    { from: 'spin', to: 'wake', count: 1000, medianNs: 2000, p90Ns: 3000 },
    { from: 'wake', to: 'locked', count: 10, medianNs: 150, p90Ns: 200 },
    { from: 'spin', to: 'sleep', count: 9, medianNs: 20000, p90Ns: 90000 },
  ];
  const lines = formatStages(3, rows);
  assert.match(lines[0]!, /^core 3:/);
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /spin -> wake\s+1000\s+2000\s+3000$/);
  assert.match(lines[2]!, /wake -> locked\s+10\s+150\s+200$/);
});

test('a cross-core ping-pong with stages on reports each core\'s steps; off, none', async () => {
  const image = join(guestBinDir(), 'sel4-pingpong.exe');
  const rounds = 3000;
  const on = await runSel4Smp('sel4-pingpong', image, { cores: 2, rounds, traceStages: true, out: () => {} });
  assert.ok(on.ok);
  for (const c of on.cores) {
    const rows = c.stages ?? [];
    const by = new Map(rows.map((x) => [`${x.from}>${x.to}`, x]));
    // Each core holds a client and a server whose partners are on the other core: after
    // each of its 2 x rounds Calls and ReplyRecvs it took the lock and the same-core
    // fastpath declined; the cross-core one handed over those whose partner core was idle.
    assert.ok((by.get('locked>fastpath-declined')?.count ?? 0) >= 2 * rounds, `core ${c.core}: ${by.get('locked>fastpath-declined')?.count}`);
    const handed = by.get('fastpath-declined>handed-off');
    assert.ok(handed !== undefined && handed.count > 0, `core ${c.core}: hand-offs ${handed?.count}`);
    assert.ok(handed.count <= c.handoffsSent, 'no more hand-offs stamped than committed');
    for (const step of ['engine-in>engine-out', 'engine-out>locked', 'unlocked>engine-in']) {
      assert.ok((by.get(step)?.count ?? 0) >= 2 * rounds, `core ${c.core}: ${step} ${by.get(step)?.count}`);
    }
    assert.ok((by.get('spin>wake')?.count ?? 0) + (by.get('spin>sleep')?.count ?? 0) > 0, 'the idle spin is stamped');
    for (const x of rows) assert.ok(x.medianNs >= 0 && x.p90Ns >= x.medianNs);
  }
  const off = await runSel4Smp('sel4-pingpong', image, { cores: 2, rounds: 200, out: () => {} });
  assert.ok(off.ok);
  for (const c of off.cores) assert.equal(c.stages, undefined);
});
