// Per-thread x87/SSE state (fpu.ts, the lazy switch by CR0.TS and #NM): two threads on
// one core each put their own value in xmm0 and ST(0), yield to each other, and must find
// their own values; two threads using SSE and x87 between Call/ReplyRecv keep theirs, and
// the fastpath leaves the same machine as the slow path; threads that never touch the
// FPU never trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSameMachines } from './helpers.js';
import {
  CoreExit, seL4_Fault_UserException, TCB_FPU, RIGHT_READ, RIGHT_WRITE, RIGHT_GRANT_REPLY,
} from '../../src/kernel/index.js';
import { machine, pingPong, stack } from '../../src/kernel/guest/sel4-guest.js';

const CODE = [
  0x8b, 0x54, 0x24, 0x04, // mov edx, [esp+4]      (this thread's data block)
  0x66, 0x0f, 0x6e, 0x02, // movd xmm0, [edx]
  0xd9, 0x42, 0x04, // fld dword [edx+4]
  0xb8, 0xf9, 0xff, 0xff, 0xff, 0x0f, 0x34, // mov eax, seL4_SysYield; sysenter
  0xb8, 0xf9, 0xff, 0xff, 0xff, 0x0f, 0x34, // and again
  0x8b, 0x54, 0x24, 0x04, // mov edx, [esp+4]
  0x66, 0x0f, 0x7e, 0x42, 0x08, // movd [edx+8], xmm0
  0xd9, 0x5a, 0x0c, // fstp dword [edx+12]
  0x0f, 0x0b, // ud2: the end (no fault handler: recorded, thread stops)
];

const f32 = (v: number): number => new Int32Array(Float32Array.of(v).buffer)[0]!;

test('threads switching on one core keep their own x87 and SSE registers', () => {
  const m = machine();
  const { b } = m;
  b.mapPage(0x600000);
  b.write(0x600000, Uint8Array.from(CODE));
  b.mapPage(0x601000);
  const blocks = [{ at: 0x601000, xmm: 0x11111111, st: 1.5 }, { at: 0x601100, xmm: 0x22222222, st: -2.25 }];
  const tcbs = blocks.map((d, i) => {
    b.writeWords(d.at, [d.xmm, f32(d.st), 0, 0]);
    const th = b.thread({ entry: 0x600000, esp: stack(m, 0x700000 + i * 0x10000, d.at), priority: 50, ipcBuffer: 0x710000 + i * 0x1000 });
    b.start(th);
    return th.tcb;
  });
  assert.equal(m.core.run(100_000), CoreExit.IDLE);
  assert.equal(m.core.unhandled.length, 2);
  assert.ok(m.core.unhandled.every((u) => u.label === seL4_Fault_UserException && u.msg[3] === 6), 'both ended at their ud2');
  for (const d of blocks) {
    assert.equal(m.b.readWord(d.at + 8) | 0, d.xmm, 'xmm0 survived the switches');
    assert.equal(m.b.readWord(d.at + 12) | 0, f32(d.st), 'ST(0) survived the switches');
  }
  // The state of a thread switched out is in its TCB (the other one is still live in the CPU).
  const saved = tcbs.filter((t) => m.k.m[(t >> 2) + TCB_FPU + 37] === 1);
  assert.ok(saved.length >= 1);
});

test('a fresh thread starts with the reset FPU state, not the previous thread\'s', () => {
  const m = machine();
  const { b } = m;
  // mov eax,0x12345678; movd xmm0,eax; fnstcw [0x602000]; mov eax,0xc7f; mov [0x602000],eax; fldcw [0x602000]; ud2
  const first = [0xb8, 0x78, 0x56, 0x34, 0x12, 0x66, 0x0f, 0x6e, 0xc0, 0xd9, 0x3d, 0x00, 0x20, 0x60, 0x00, 0xb8, 0x7f, 0x0c, 0, 0, 0xa3, 0x00, 0x20, 0x60, 0x00, 0xd9, 0x2d, 0x00, 0x20, 0x60, 0x00, 0x0f, 0x0b];
  // movd [0x601008], xmm0; fnstcw [0x60100c]; ud2: the second thread reads what the first left.
  const second = [0x66, 0x0f, 0x7e, 0x05, 0x08, 0x10, 0x60, 0x00, 0xd9, 0x3d, 0x0c, 0x10, 0x60, 0x00, 0x0f, 0x0b];
  b.mapPage(0x600000);
  b.write(0x600000, Uint8Array.from(first));
  b.write(0x600800, Uint8Array.from(second));
  b.mapPage(0x601000);
  b.mapPage(0x602000);
  const t1 = b.thread({ entry: 0x600000, esp: stack(m, 0x700000, 0), priority: 60, ipcBuffer: 0x710000 });
  const t2 = b.thread({ entry: 0x600800, esp: stack(m, 0x710000 + 0x10000, 0), priority: 50, ipcBuffer: 0x730000 });
  b.start(t1);
  b.start(t2);
  assert.equal(m.core.run(100_000), CoreExit.IDLE);
  assert.equal(m.core.unhandled.length, 2);
  assert.equal(m.b.readWord(0x601008), 0, 'xmm0 of the new thread is zero');
  assert.equal(m.b.readWord(0x60100c) & 0xffff, 0x037f, 'control word of the new thread is the reset one');
});

// The client: N Calls (MR0 = its counter), adding the counter into xmm0 (a double) and
// ST(0) before each and the reply's MR0 into memory after it; at the end it stores both.
const CNT = 0x601000, RESULT = 0x601004, OUT = 0x601008;
const CLIENT = [
  0xd9, 0xee, // fldz
  0x8b, 0x3d, 0x00, 0x10, 0x60, 0x00, // L: mov edi, [CNT]
  0xf2, 0x0f, 0x2a, 0xcf, // cvtsi2sd xmm1, edi
  0xf2, 0x0f, 0x58, 0xc1, // addsd xmm0, xmm1
  0xda, 0x05, 0x00, 0x10, 0x60, 0x00, // fiadd dword [CNT]
  0xbe, 0x01, 0x00, 0x00, 0x00, // mov esi, 1       (length 1)
  0xbb, 0x01, 0x00, 0x00, 0x00, // mov ebx, 1       (the endpoint)
  0xb8, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x34, // mov eax, seL4_SysCall; sysenter
  0x01, 0x3d, 0x04, 0x10, 0x60, 0x00, // add [RESULT], edi
  0xff, 0x0d, 0x00, 0x10, 0x60, 0x00, // dec dword [CNT]
  0x75, 0xcd, // jnz L
  0xf2, 0x0f, 0x11, 0x05, 0x08, 0x10, 0x60, 0x00, // movsd [OUT], xmm0
  0xdd, 0x1d, 0x10, 0x10, 0x60, 0x00, // fstp qword [OUT + 8]
  0x0f, 0x0b, // ud2: the end
];
// The server: Recv, then forever: xmm0 += MR0 (paddd), reply MR0 + 1 by ReplyRecv.
const SERVER = [
  0xbb, 0x01, 0x00, 0x00, 0x00, 0xb8, 0xfb, 0xff, 0xff, 0xff, 0x0f, 0x34, // mov ebx, 1; mov eax, seL4_SysRecv; sysenter
  0x66, 0x0f, 0x6e, 0xcf, // L: movd xmm1, edi
  0x66, 0x0f, 0xfe, 0xc1, // paddd xmm0, xmm1
  0x47, // inc edi
  0xbe, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x01, 0x00, 0x00, 0x00, // mov esi, 1; mov ebx, 1
  0xb8, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x34, // mov eax, seL4_SysReplyRecv; sysenter
  0xeb, 0xe4, // jmp L
];

function fpuPingPong(n: number, fastpath: boolean) {
  const m = machine({ fastpath });
  const { b } = m;
  b.mapPage(0x600000);
  b.write(0x600000, Uint8Array.from(CLIENT));
  b.write(0x600800, Uint8Array.from(SERVER));
  b.mapPage(0x601000);
  b.writeWords(CNT, [n, 0]);
  const ep = b.endpoint();
  const server = b.thread({ entry: 0x600800, esp: stack(m, 0x700000, 0), priority: 100, ipcBuffer: 0x710000 });
  const client = b.thread({ entry: 0x600000, esp: stack(m, 0x720000, 0), priority: 100, ipcBuffer: 0x730000 });
  b.giveCap(server, 1, ep, RIGHT_READ);
  b.giveCap(client, 1, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY);
  b.start(server);
  b.start(client);
  return { ...m, server, client };
}

test('threads using SSE and x87 between Call and ReplyRecv keep their own registers (fastpath and slow path)', () => {
  const n = 300, sum = (n * (n + 1)) / 2;
  for (const fastpath of [true, false]) {
    const m = fpuPingPong(n, fastpath);
    assert.equal(m.core.run(5_000_000), CoreExit.IDLE);
    assert.equal(m.core.unhandled.length, 1, 'the client ended at its ud2');
    assert.equal(m.b.readWord(RESULT), sum + n, 'every reply was MR0 + 1');
    const out = new Float64Array(Uint32Array.of(m.b.readWord(OUT), m.b.readWord(OUT + 4), m.b.readWord(OUT + 8), m.b.readWord(OUT + 12)).buffer);
    assert.deepEqual([out[0], out[1]], [sum, sum], "the client's xmm0 and ST(0)");
    // The client's last FPU instructions took the registers: the server's are in its TCB.
    assert.equal(m.k.m[(m.server.tcb >> 2) + TCB_FPU + 37], 1);
    assert.equal(m.k.m[(m.server.tcb >> 2) + TCB_FPU], sum, "the server's xmm0 (paddd)");
    assert.ok(m.core.fpuSwitches >= 2 * n, 'each side traps once after each switch: both use the FPU every round');
    if (fastpath) assert.ok(m.core.fastpaths >= 2 * n - 1);
  }
});

test('with FPU use between IPCs the fastpath leaves the machine the slow path leaves (RAM, kernel globals, instructions)', () => {
  const a = fpuPingPong(200, true);
  const b = fpuPingPong(200, false);
  assert.equal(a.core.run(5_000_000), CoreExit.IDLE);
  assert.equal(b.core.run(5_000_000), CoreExit.IDLE);
  assert.ok(a.core.fastpaths > 300);
  assert.equal(b.core.fastpaths, 0);
  assert.equal(a.core.fpuSwitches, b.core.fpuSwitches);
  assertSameMachines(a, b);
});

test('threads that never use the FPU never trap (sel4-pingpong: no FPU handover at all)', () => {
  const m = pingPong(500);
  assert.equal(m.core.run(20_000_000), CoreExit.IDLE);
  assert.ok(m.core.fastpaths > 900);
  assert.equal(m.core.fpuSwitches, 0);
});
