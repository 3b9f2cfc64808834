/**
 * LPC round trip (guest/programs/ntlpc): named connection port, listen,
 * accept with a port context, complete, request/reply by MessageId,
 * port views (sections mapped into both sides), refusal, and a request on
 * the wrong kind of port. Requests and replies take ntdll's direct path
 * (seL4 endpoint, src/executive/lpc/direct.ts); the cases: the maximum
 * message, bad lengths, out-of-order replies, a closed client port, a
 * server thread and a server process that end with a request unanswered.
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

for (const fastpath of [true, false]) test(`ntlpc.exe cases: long, bad lengths, out of order, closed port, dead server thread (fastpaths ${fastpath ? 'on' : 'off'})`, () => {
  let out = '';
  const traced: string[] = [];
  const r = runNtProgram({
    image: join(guestBinDir(), 'ntlpc.exe'), args: ['cases'], dllPath: [guestBinDir()], memory: 32 << 20, console: (s) => { out += s; }, fastpath,
    trace: (l) => { if (/^Nt(RequestWaitReplyPort|ReplyWaitReceivePort|ReplyPort) /.test(l)) traced.push(l); },
  });
  assert.equal(r.exception, undefined);
  assert.equal(r.exitStatus, 0);
  assert.equal(out, [
    'cases.connect: 0x00000000 0x00000000',
    'cases.long: 0x00000000 length 256 words-ok 64', // 256 bytes each way in the message registers
    'cases.too-long: 0xc000002f', // STATUS_PORT_MESSAGE_TOO_LONG (checked in ntdll)
    'cases.total-short: 0xc000000d', // STATUS_INVALID_PARAMETER: TotalLength < DataLength + 24
    'cases.copied-total-short: 0xc000000d', // the executive's copy checks the same
    // the held request (1001) is answered after a later one (1002): its reply cap was saved
    'cases.out-of-order: 0x00000000 later 1003 first-still-waiting 1 first 1002',
    'cases.closed-handle: 0xc0000008', // STATUS_INVALID_HANDLE: the cached endpoint cap went with the port
    'cases.port-closed: type 5 context 9', // LPC_PORT_CLOSED with the closed port's context
    'cases.server-thread-died: 0xc0000037', // STATUS_PORT_DISCONNECTED, not a hang
    '',
  ].join('\n'));
  // Requests and replies went over the endpoint: the executive only copied the connection requests and the close
  // (Ki* fallbacks after its signal) and the bad-length request sent through its copy on purpose.
  assert.ok(traced.every((l) => /^NtReplyWaitReceivePort|^NtRequestWaitReplyPort: DataLength/.test(l) || /^NtRequestWaitReplyPort -> STATUS_INVALID_PARAMETER/.test(l)), traced.join('\n'));
  assert.ok(traced.filter((l) => l.startsWith('NtReplyWaitReceivePort')).length <= 4, traced.join('\n'));
});

test('ntlpc.exe dieserver + dieclient: a server process that ends while its client waits', () => {
  let out = '';
  const m = bootNt({ memory: 64 << 20, console: (s) => { out += s; } });
  const bin = guestBinDir();
  const client = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['dieclient'], dllPath: [bin] });
  const server = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['dieserver'], dllPath: [bin] });
  assert.equal(runUntil(m, () => client.terminated && server.terminated, 200_000_000), 'done');
  assert.equal(client.exitStatus, 0);
  assert.equal(out, 'die.waiting-client: 0xc0000037\ndie.next-request: 0xc0000037\n'); // STATUS_PORT_DISCONNECTED both
});

for (const copied of [false, true]) test(`ntlpc.exe bserver + bclient: request/reply between two processes (${copied ? 'executive copy' : 'direct'})`, () => {
  const m = bootNt({ memory: 64 << 20, console: () => {} });
  const bin = guestBinDir();
  const mode = copied ? 'copied' : 'direct';
  const client = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['bclient', '50', mode], dllPath: [bin] });
  const server = m.executive.createProcess({ image: join(bin, 'ntlpc.exe'), args: ['bserver', mode], dllPath: [bin] });
  assert.equal(runUntil(m, () => client.terminated && server.terminated, 200_000_000), 'done');
  assert.equal(client.exitStatus, 0); // every reply carried its request + 1
  assert.equal(server.exitStatus, 0);
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
