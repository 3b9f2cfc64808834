/**
 * Two processes on one executive share named events through the object
 * namespace and bounce N times (guest/programs/ntpingpong); then both end
 * and their names leave \BaseNamedObjects with their last handles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootNt, runUntil } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

test('two processes ping-pong over named events, then the names go away', () => {
  let out = '';
  const m = bootNt({ memory: 64 << 20, console: (s) => { out += s; } });
  const bin = guestBinDir();
  const ping = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['ping', '500'], dllPath: [bin] });
  const pong = m.executive.createProcess({ image: join(bin, 'ntpingpong.exe'), args: ['pong', '500'], dllPath: [bin] });
  assert.equal(runUntil(m, () => ping.terminated && pong.terminated, 200_000_000), 'done');
  assert.match(out, /ping done 500/);
  assert.match(out, /pong done 500/);
  assert.equal(ping.exitStatus, 0);
  assert.equal(pong.exitStatus, 0);
  const r = m.executive.namespace.lookup('\\BaseNamedObjects\\NeptunePing', null, false, false);
  assert.equal(r.object, undefined, 'a temporary named event leaves the namespace with its last handle');
  assert.equal(m.executive.processes.size, 0);
});
