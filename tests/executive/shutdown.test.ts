/**
 * NtShutdownSystem (src/executive/ex/system.ts) with several processes:
 * refused without SeShutdownPrivilege enabled; with it, every process
 * ends and the executive records who shut the system down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { exShutdownRecord } from '../../src/executive/ex/system.js';
import { sePrimaryToken } from '../../src/executive/se/services.js';
import { SE_SHUTDOWN_PRIVILEGE } from '../../src/executive/se/token.js';
import { call, firstThread, machineWith, scratch } from './helpers.js';

test('NtShutdownSystem: STATUS_PRIVILEGE_NOT_HELD until enabled, then every process ends', () => {
  const { m, procs } = machineWith([{ image: 'hello.exe' }, { image: 'exitcode.exe', args: ['3'] }]);
  const [a, b] = procs as [typeof procs[0], typeof procs[0]];
  const t = firstThread(a);
  const args = scratch(a);
  assert.equal(call(m, t, args, 'NtShutdownSystem', [0]), NTSTATUS.STATUS_PRIVILEGE_NOT_HELD);
  assert.equal(a.terminated || b.terminated, false);
  sePrimaryToken(a).privileges.find((p) => p.luid === SE_SHUTDOWN_PRIVILEGE)!.attributes |= 2;
  call(m, t, args, 'NtShutdownSystem', [0]);
  assert.ok(a.terminated && b.terminated, 'every process ended');
  assert.equal(b.exitStatus, 0);
  assert.deepEqual(exShutdownRecord(m.executive), { action: 'ShutdownNoReboot', by: `hello.exe (pid ${a.pid})` });
});
