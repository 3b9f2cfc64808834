// Guest-level kernel behaviour tests: guest/bin/sel4-test.exe (guest/programs/sel4-test)
// runs sel4test-style checks from guest code through sysenter; each category reports
// its passed/failed checks. Also: sel4.h's invocation labels equal the kernel's table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directorySource, loadProgram } from '../../src/pe/index.js';
import {
  CoreExit, INVOCATION_LABELS, RIGHTS_ALL, RIGHT_GRANT_REPLY, RIGHT_READ, RIGHT_WRITE, cnodeCapData, seL4_CapASIDControl, seL4_UntypedObject,
  type BuiltThread,
} from '../../src/kernel/index.js';
import { GUEST_BIN, machine, rootReceive, stack } from '../../src/kernel/guest/sel4-guest.js';

const CATEGORIES = ['ipc', 'cnode', 'untyped', 'notification', 'scheduling', 'faults', 'bad invocations', 'vspace'];

test('sel4-test: IPC, CNode, untyped, notifications, scheduling, faults, bad invocations and VSpace objects from guest code', () => {
  const m = machine({ fastpath: true });
  const { b } = m;
  const { main } = loadProgram(join(GUEST_BIN, 'sel4-test.exe'), {
    target: b, source: directorySource([GUEST_BIN]), findFreeRange: () => undefined,
  });
  const ep = b.endpoint();
  const ep2 = b.endpoint();
  const report = b.endpoint();
  const fep = b.endpoint();
  const ntfn = b.notification();
  const untyped = b.retype(seL4_UntypedObject, 14);
  const untyped2 = b.retype(seL4_UntypedObject, 15);
  let n = 0;
  const thread = (role: number, priority: number, faultEP = 0): BuiltThread => {
    const i = n++;
    return b.thread({ entry: main.entry, esp: stack(m, 0x20000000 + i * 0x100000, role), priority, ipcBuffer: 0x30000000 + i * 0x1000, cnodeBits: 6, faultEP });
  };
  const selfCNode = (th: BuiltThread): void => b.giveCap(th, 1, th.cnodeSlot, RIGHTS_ALL, cnodeCapData(0, 32 - th.cnodeBits));
  const tester = thread(0, 100);
  const server = thread(1, 200);
  const helperA = thread(2, 150);
  const helperB = thread(3, 120);
  const faulter = thread(4, 90, 10);
  const prober = thread(5, 90, 10);
  selfCNode(tester);
  b.giveCap(tester, 2, tester.tcbSlot);
  b.giveCap(tester, 3, untyped);
  b.giveCap(tester, 4, ep, RIGHTS_ALL, 0x77);
  b.giveCap(tester, 5, report, RIGHT_WRITE);
  b.giveCap(tester, 6, ntfn);
  b.giveCap(tester, 7, helperA.tcbSlot);
  b.giveCap(tester, 8, helperB.tcbSlot);
  b.giveCap(tester, 9, faulter.tcbSlot);
  b.giveCap(tester, 10, fep, RIGHT_READ);
  b.giveCap(tester, 11, ep2);
  b.giveCap(tester, 12, b.pdSlot);
  b.giveCap(tester, 13, seL4_CapASIDControl);
  b.giveCap(tester, 14, prober.tcbSlot);
  b.giveCap(tester, 15, untyped2);
  selfCNode(server);
  b.giveCap(server, 4, ep, RIGHT_READ);
  for (const h of [helperA, helperB]) b.giveCap(h, 11, ep2, RIGHT_READ);
  b.giveCap(faulter, 10, fep, RIGHT_WRITE | RIGHT_GRANT_REPLY, 0xf);
  b.giveCap(prober, 10, fep, RIGHT_WRITE | RIGHT_GRANT_REPLY, 0xe);
  b.start(server);
  b.start(tester);

  // Each report is a blocking Send: the root receives it and the tester goes on.
  const results: Record<string, { passed: number; failed: number; line: number }> = {};
  for (let i = 0; i < CATEGORIES.length; i++) {
    assert.equal(m.core.run(50_000_000), CoreExit.IDLE);
    const r = rootReceive(m, report);
    if (r === null) break;
    assert.ok(r.label >= 1 && r.label <= CATEGORIES.length, `report label ${r.label}`);
    results[CATEGORIES[r.label - 1]!] = { passed: r.mrs[0]!, failed: r.mrs[1]!, line: r.mrs[2]! };
  }
  assert.equal(m.core.run(50_000_000), CoreExit.IDLE);
  assert.equal(rootReceive(m, report), null, 'nothing more reported');
  assert.deepEqual(m.core.unhandled, [], 'no thread died of an unhandled fault');
  for (const c of CATEGORIES) {
    const res = results[c];
    assert.ok(res !== undefined, `category ${c} reported`);
    assert.equal(res.failed, 0, `${c}: ${res.failed} check(s) failed, the first at sel4test.c:${res.line}`);
    assert.ok(res.passed >= 5, `${c}: ${res.passed} checks ran`);
  }
});

test('sel4.h invocation labels are the kernel\'s (invocation.ts is the source)', () => {
  const h = readFileSync(join(GUEST_BIN, '..', 'sdk', 'include', 'sel4.h'), 'utf8');
  const body = /enum \{\s*seL4_UntypedRetype = 1,([^}]*)\}/.exec(h);
  assert.ok(body, 'the label enum is in sel4.h');
  const names = ['UntypedRetype', ...body[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => s.replace(/^seL4_/, ''))];
  const fromHeader = Object.fromEntries(names.map((nm, i) => [nm, i + 1]));
  assert.deepEqual(fromHeader, INVOCATION_LABELS);
});
