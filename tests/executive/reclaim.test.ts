/**
 * Kernel memory of ended processes is reused (ke/objects.ts,
 * retypeReclaimable): page directories, page tables, TCBs and CNodes come
 * from child untypeds of their own size that go back to a free list when
 * the object is deleted, so creating and ending processes one after the
 * other does not consume untyped memory after the first one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootNt, runUntil } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

test('40 processes created and ended one after another use no more untyped memory than the first', () => {
  const m = bootNt({ memory: 16 << 20, console: () => {} });
  const bin = guestBinDir();
  const ko = m.executive.ko;
  const run = () => {
    const p = m.executive.createProcess({ image: join(bin, 'exitcode.exe'), args: ['5'], dllPath: [bin] });
    assert.equal(runUntil(m, () => p.terminated, 50_000_000), 'done');
    assert.equal(p.exitStatus, 5);
  };
  run();
  const free = ko.untypedFree();
  const frames = ko.framesInUse;
  const fresh = ko.objectsRetyped;
  for (let i = 0; i < 39; i++) run();
  // Each process needs about 24 KiB of kernel objects (a page directory, page tables, a TCB, a CNode):
  // without reclaim 39 more would have taken about 950 KiB more.
  assert.equal(ko.untypedFree(), free);
  assert.equal(ko.framesInUse, frames);
  assert.equal(ko.objectsRetyped, fresh, 'every later object came from reclaimed untyped memory');
  assert.ok(ko.objectsReused >= 39 * 4, `objects reused: ${ko.objectsReused}`);
});
