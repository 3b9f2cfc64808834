// One core keeps the running thread's general registers in its TCB (reg-views.ts):
// Cpu.reg is a view of the save area, and a run with views ends in the machine a
// run with copies (the SMP cores' way) ends in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameMachines } from './helpers.js';
import { CoreExit, TCB_REGS } from '../../src/kernel/index.js';
import { pingPong } from '../../src/kernel/guest/sel4-guest.js';
import type { CpuEngine } from '../../src/jit/index.js';

test('on one core Cpu.reg is the running thread\'s save area in guest RAM, switched with the thread', () => {
  const m = pingPong(50);
  assert.notEqual(m.k.regViews, null);
  const seen = new Set<number>();
  for (let i = 0; i < 200 && seen.size < 2; i++) {
    assert.equal(m.core.run(37), CoreExit.LIMIT);
    const t = m.core.loaded;
    assert.ok(t === m.server.tcb || t === m.client.tcb, 'a guest thread is loaded');
    assert.equal(m.cpu.reg.buffer, m.k.memory, 'a view of guest RAM');
    assert.equal(m.cpu.reg.byteOffset, t + TCB_REGS * 4, "the loaded thread's register words");
    seen.add(t);
  }
  assert.equal(seen.size, 2, 'both threads were loaded at some stop');
  assert.equal(m.core.run(10_000_000), CoreExit.IDLE);
  assert.deepEqual(m.core.unhandled, []);
});

test('register views and register copies leave identical machines (fastpath and slow path, JIT and interpreter)', () => {
  const engines: CpuEngine[] = ['jit', 'interp'];
  for (const engine of engines) {
    for (const fastpath of [true, false]) {
      const a = pingPong(150, { fastpath, engine });
      const b = pingPong(150, { fastpath, engine });
      b.k.regViews = null; // copies, as on SMP
      assert.equal(a.core.run(20_000_000), CoreExit.IDLE);
      assert.equal(b.core.run(20_000_000), CoreExit.IDLE);
      assert.equal(b.cpu.reg.byteOffset, 0, 'b kept its own register array');
      assert.equal(a.core.syscalls, b.core.syscalls);
      assert.equal(a.core.fastpaths, b.core.fastpaths);
      assertSameMachines(a, b);
    }
  }
});
