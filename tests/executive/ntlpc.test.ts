/**
 * LPC round trip (guest/programs/ntlpc): named connection port, listen,
 * accept with a port context, complete, request/reply by MessageId,
 * refusal, and a request on the wrong kind of port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

for (const fastpath of [true, false]) test(`ntlpc.exe: connect, accept, request/reply, refuse (fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ntlpc.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; }, fastpath });
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  assert.equal(out, [
    'port.create: 0x00000000',
    'connect: 0x00000000',
    'server-saw-info: 42', // the connection information reached the server
    'requests-answered: 5', // each reply carried the doubled value, and the server saw its port context
    'connect-refused: 0xc0000041', // STATUS_PORT_CONNECTION_REFUSED
    'bad-port-request: 0xc0000042', // STATUS_INVALID_PORT_HANDLE: requests go through a communication port
    'server-requests: 6',
    '',
  ].join('\n'));
});
