/**
 * LPC round trip (guest/programs/ntlpc): named connection port, listen,
 * accept with a port context, complete, request/reply by MessageId,
 * port views (sections mapped into both sides), refusal, and a request on
 * the wrong kind of port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootNt, runNtProgram, runUntil } from '../../src/executive/boot.js';
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
    // port views: the client's 64 KiB section mapped on both sides (the server saw its size in ClientViewSize),
    // the server's 4 KiB section too; a string written through one mapping reads back through the other,
    // and a request naming an offset in the client's view is answered in the server's view
    'view.client: size 65536 mapped 1 remote-elsewhere 1 server-saw-size 65536',
    'view.server: size 4096 client-side-mapped 1 matches 1',
    'view.shared: hello through the view',
    'view.round-trip: 100 HELLO THROUGH THE VIEW',
    'requests-answered: 5', // each reply carried the doubled value, and the server saw its port context
    'connect-refused: 0xc0000041', // STATUS_PORT_CONNECTION_REFUSED
    'bad-port-request: 0xc0000042', // STATUS_INVALID_PORT_HANDLE: requests go through a communication port
    'server-requests: 7',
    '',
  ].join('\n'));
});

test('ntlpc.exe server + ntlpc.exe client: port views across two processes', () => {
  let out = '';
  const m = bootNt({ memory: 64 << 20, console: (s) => { out += s; } });
  const bin = guestBinDir();
  const client = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['client'], dllPath: [bin] });
  const server = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['server'], dllPath: [bin] });
  assert.equal(runUntil(m, () => client.terminated && server.terminated, 200_000_000), 'done');
  assert.equal(client.exitStatus, 0);
  assert.equal(server.exitStatus, 0);
  const lines = out.trim().split('\n').sort();
  assert.deepEqual(lines, [
    'client: connect 0x00000000 view size 65536 mapped 1 server-view size 4096 mapped 1',
    // the server read the string through its own mapping of the client's section and answered in its section,
    // which the client reads through its mapping
    'client: view.round-trip: 100 HELLO THROUGH THE VIEW',
    'server: accept 0x00000000 client-view size 65536 mapped-here 65536 1 own-view mapped 1',
    'server: port.create 0x00000000',
  ]);
});
