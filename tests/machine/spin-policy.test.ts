import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpinPolicy } from '../../src/machine/spin-policy.js';

const now = (): boolean => true;
const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);

test('spin policy: a short block after a timed-out spin shrinks the spin fourfold (contention)', () => {
  const p = new SpinPolicy(200, 2);
  assert.equal(p.spinUs, 200);
  p.blocked(0.01); // 10 µs after blocking: the partner was waiting for our core
  near(p.spinUs, 50);
  p.blocked(1); // a long block: idle partner, grow by a quarter
  assert.equal(p.spinUs, 62.5);
});

test('spin policy with probeLongEvents: the first short block probes a spin covering the whole wait', () => {
  const p = new SpinPolicy(200, 2, { probeLongEvents: true });
  p.blocked(0.01); // spin already at max: nothing longer to probe, so it is contention
  near(p.spinUs, 50);
  // A 1 MiB command of ~120 µs against a 50 µs spin: blocked 70 µs, longer than the spin: grow.
  p.blocked(0.07);
  assert.equal(p.spinUs, 62.5);
  // Now the event comes 40 µs after blocking (< 62.5): probe (62.5 + 40) * 1.25 µs instead of shrinking.
  p.blocked(0.04);
  assert.ok(Math.abs(p.spinUs - 128.125) < 1e-9, `probe spin ${p.spinUs}`);
  // The probe catches the event while spinning: the long event is confirmed, the spin keeps growing.
  assert.equal(p.spin(now), true);
  assert.ok(p.spinUs > 128);
});

test('spin policy with probeLongEvents: a probe that also times out means contention; probing pauses', () => {
  const p = new SpinPolicy(200, 2, { probeLongEvents: true });
  p.blocked(0.01); // → 50
  p.blocked(0.01); // probe: (50 + 10) * 1.25 = 75
  near(p.spinUs, 75);
  // The probe spun out (no spin() success in between) and the event again
  // came right after blocking: contention.
  p.blocked(0.01);
  near(p.spinUs, 18.75);
  // During the cooldown a short block shrinks at once instead of probing.
  p.blocked(0.001);
  near(p.spinUs, 18.75 / 4);
});

test('spin policy with probeLongEvents: a probe followed by a long block is inconclusive, not contention', () => {
  const p = new SpinPolicy(200, 2, { probeLongEvents: true });
  p.blocked(0.01); // → 50
  p.blocked(0.01); // probe: 75
  p.blocked(0.5); // the event took far longer than even the probe: grow, no verdict
  near(p.spinUs, 93.75);
  p.blocked(0.01); // a short block now starts a new probe rather than shrinking
  near(p.spinUs, (93.75 + 10) * 1.25);
});
