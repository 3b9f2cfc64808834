/**
 * Unwinding and the rest of NT's x86 exception model end to end
 * (guest/programs/ntunwind): clang's __try/__except/__finally through
 * ntdll's _except_handler3 (filter first, then the inner __finally blocks,
 * then the __except block), RtlUnwind to a frame (flags, STATUS_UNWIND,
 * TargetIp, return value), a collided unwind, a nested exception raised in
 * a handler (EXCEPTION_NESTED_CALL up to that handler's frame), continuing
 * a noncontinuable exception, an unwind target off the chain, vectored
 * handlers (first/last order, before the frames, removal), the x87 and SSE
 * registers in an exception's CONTEXT (seen and changed by the handler,
 * resumed by NtContinue) and from NtGetContextThread, and an exit unwind
 * that ends the process.
 * Run with the kernel fastpath on and off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

const want: Record<string, string> = {
  'eh3.code': '0xc0000005',
  // the filter runs first (?), then the unwind runs innermost's __finally (F: abnormal) and middle's (M), then the __except block (E)
  'eh3.order': 'i?FME',
  'eh3.continue-filter': '0x4242', // EXCEPTION_CONTINUE_EXECUTION resumed the changed CONTEXT
  // the inner filter takes the first fault (1); its unwind runs the __finally (f g), which faults again;
  // that fault's dispatch asks the same filter (1), whose unwind collides with the first one and ends in the
  // inner __except block (I): the outer filter never runs, and the SEH chain is back to main's
  'eh3.fault-in-finally': 't1fg1I chain-restored 1',
  'unwind.order': 'AB', // the frames above the target, innermost first; the target's own handler is not called
  'unwind.chain-at-target': '1',
  'unwind.flags': '0x2 code 0xc0000027', // EXCEPTION_UNWINDING on a STATUS_UNWIND record (none was given)
  'unwind.target-ip-eax': '1119', // continued at TargetIp with EAX = ReturnValue (0x77 + 1000)
  'unwind.return-order': 'B chain-at-target 1', // without TargetIp RtlUnwind returns to its caller
  // A's unwind handler unwinds to the same target: the second unwind meets A's protecting frame (collided),
  // goes on from A without calling it again, runs B once and returns into A's handler (r)
  'collided.order': 'ABr a 1 b 1 chain-at-target 1',
  // the exception raised inside nest_inner's handler: nest_inner is asked with EXCEPTION_NESTED_CALL, nest_outer without
  'nested.order': '1NO2 inner-nested 1 outer-nested 0',
  'noncontinuable': '0xc0000025 of 0xe0000003', // STATUS_NONCONTINUABLE_EXCEPTION naming the original record
  'bad-target': '0xc0000029', // STATUS_INVALID_UNWIND_TARGET
  'veh.handled': '12 ecx 0x5151', // the First handler, then the last one, which handles it: no frame is asked
  'veh.passed': '12S ecx 0x6161', // both pass: the SEH frame handles it
  'veh.remove': '1 1 0',
  'veh.removed': 'S ecx 0x6161',
  'fpu.flags': '0x1002f', // CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | EXTENDED_REGISTERS
  'fpu.seen': 'st0 1 st1 1 xmm1 1 mxcsr 0x1f80',
  'fpu.resumed': 'st0 650 st1 150 xmm1 aaaa0001 bbbb0002 cccc0003 dddd0004', // the handler's changes took effect
  // only the parts asked for: the FPU ones (not CONTROL: EIP stays 0); XMM2 as the caller left it
  'getcontext.fpu': 'flags 0x10028 xmm2 01020304 05060708 090a0b0c 0d0e0f10 eip 0',
  'exit-unwind.next': '1',
};

for (const fastpath of [true, false]) {
  test(`ntunwind.exe: unwinding, compiler SEH, vectored handlers, FPU CONTEXT (fastpath ${fastpath ? 'on' : 'off'})`, () => {
    let out = '';
    const r = runNtProgram({ image: join(guestBinDir(), 'ntunwind.exe'), args: [], dllPath: [guestBinDir()], memory: 32 << 20, fastpath, console: (s) => { out += s; } });
    const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, k);
    assert.equal(got.has('exit-unwind.survived'), false);
    // An exit unwind (TargetFrame NULL) that reaches the end of the chain raises its record as the second chance.
    assert.equal(r.exitStatus, 0xc0000027);
    assert.match(r.exception!, /^unhandled exception STATUS_UNWIND \(0xc0000027\).* at 0x[0-9a-f]{8} \(ntunwind\.exe\+0x[0-9a-f]+\)$/);
  });
}
