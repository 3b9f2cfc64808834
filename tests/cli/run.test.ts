/**
 * `neptune run` end to end: the committed guest images run under the engine
 * through the CLI bundle, exactly as a user runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/machine/paths.js';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { DEFAULT_TICK_INSTRUCTIONS } from '../../src/kernel/core.js';

const root = packageRoot();
const bin = join(root, 'bin', 'neptune.js');
const guest = (name: string) => join(root, 'guest', 'bin', name);

function neptune(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('hello.exe prints its greeting and arguments and exits 0', () => {
  const r = neptune('run', guest('hello.exe'), 'one', 'two words', 'quote"inside');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /one/);
  assert.match(r.stdout, /two words/);
  assert.match(r.stdout, /quote"inside/);
});

test('exit status of the program is the exit status of neptune run', () => {
  assert.equal(neptune('run', guest('exitcode.exe'), '42').status, 42);
  assert.equal(neptune('run', guest('exitcode.exe'), '0').status, 0);
  assert.equal(neptune('run', guest('exitcode.exe'), '0x1ff').status, 0xff);
});

test('cputest (-O2 and -O0) prints exactly what the same C prints on this machine\'s CPU', () => {
  const expected = readFileSync(join(root, 'guest', 'programs', 'cputest', 'expected.txt'), 'utf8');
  for (const exe of ['cputest.exe', 'cputest-o0.exe']) {
    const r = neptune('run', guest(exe));
    assert.equal(r.stderr, '', `${exe} stderr`);
    assert.equal(r.status, 0, `${exe} status`);
    const got = r.stdout.split('\n');
    const want = expected.split('\n');
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      assert.equal(got[i], want[i], `${exe}: first difference at line ${i + 1}`);
    }
  }
});

test('compute.exe (checksums, sort, matrix multiply) prints the digests the same C gives natively', () => {
  // Reference: guest/programs/compute/compute.c built with the host's clang and run natively.
  const r = neptune('run', guest('compute.exe'), '2');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'adler32 9eb9fba9 crc32 d373ff2d sort 8b41d335 matmul d65768be\ncompute: 2 rounds, digest 6f8262bf\n');
});

test('an access violation ends the program with one readable line naming it', () => {
  const r = neptune('run', guest('fault.exe'));
  assert.equal(r.status, 0xc0000005 & 0xff);
  assert.match(r.stdout, /writing to address 0x10 now/);
  assert.doesNotMatch(r.stdout, /survived/);
  assert.match(r.stderr, /unhandled exception STATUS_ACCESS_VIOLATION \(0xc0000005\).*fault\.exe\+0x[0-9a-f]+.*write to 0x00000010/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('runner failures use the container-runner exit codes with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neptune-run-'));
  const missing = neptune('run', join(dir, 'nope.exe'));
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /no such file/);

  const junk = join(dir, 'junk.exe');
  writeFileSync(junk, Buffer.from('MZ this is not a PE image at all'.repeat(8)));
  const bad = neptune('run', junk);
  assert.equal(bad.status, 126);
  assert.match(bad.stderr, /STATUS_INVALID_IMAGE_FORMAT/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');

  // A program whose ntdll.dll is missing: copy hello.exe alone into a directory
  // and search only there (the SDK directory is searched last, so use a DLL
  // name that cannot be found: truncate the import by pointing at a broken ntdll).
  const lonely = join(dir, 'hello.exe');
  copyFileSync(guest('hello.exe'), lonely);
  writeFileSync(join(dir, 'ntdll.dll'), Buffer.alloc(64));
  const noDll = neptune('run', lonely);
  assert.equal(noDll.status, 126);
  assert.match(noDll.stderr, /ntdll\.dll/);

  const usage = neptune('run');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /no program given/);
});

test('--max-instructions stops a program and says so (one core: between the core\'s slices)', () => {
  const r = neptune('run', '--max-instructions', '1000', guest('cputest.exe'));
  assert.equal(r.status, NTSTATUS.STATUS_TIMEOUT & 0xff);
  const n = Number(/stopped after (\d+) instructions \(--max-instructions\)/.exec(r.stderr)?.[1]);
  assert.ok(n >= 1000 && n < 1000 + DEFAULT_TICK_INSTRUCTIONS, `stopped after ${n}: at most one slice past the limit`);
});

test('--max-instructions with --cores N counts the instructions of every core and stops exactly there', () => {
  // ntspin.exe 3: three threads that count for ever, one per core on 3 cores.
  for (const cores of ['2', '3']) {
    const r = neptune('run', '--cores', cores, '--max-instructions', '2000000', guest('ntspin.exe'), '3');
    assert.equal(r.status, NTSTATUS.STATUS_TIMEOUT & 0xff, `${cores} cores: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ntspin\.exe: stopped after 2000000 instructions \(--max-instructions\)\n$/);
  }
  const small = neptune('run', '--cores', '2', '--max-instructions', '1000', guest('hello.exe'));
  assert.equal(small.status, NTSTATUS.STATUS_TIMEOUT & 0xff);
  assert.match(small.stderr, /hello\.exe: stopped after 1000 instructions \(--max-instructions\)/);
  const seven = neptune('run', '--cores', '2', '--max-instructions', '100000000', guest('exitcode.exe'), '7');
  assert.equal(seven.status, 7, 'a program that ends under the limit exits with its own status');
  assert.equal(seven.stderr, '');
});

test('--trace-syscalls shows the services a program calls', () => {
  const r = neptune('run', '--trace-syscalls', guest('exitcode.exe'), '3');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /NtTerminateProcess/);
});

test('--cores N runs sel4-pingpong as N client/server pairs across cores, fastpath on and off alike', () => {
  const lines = (out: string) => out.split('\n').filter((l) => l.startsWith('pair '));
  const fast = neptune('run', '--cores', '2', guest('sel4-pingpong.exe'), '500');
  assert.equal(fast.stderr, '');
  assert.equal(fast.status, 0);
  assert.deepEqual(lines(fast.stdout), [
    'pair 0: client on core 0, server on core 1: 500 good replies, 0 bad; server served 500, 0 bad',
    'pair 1: client on core 1, server on core 0: 500 good replies, 0 bad; server served 500, 0 bad',
  ]);
  const slow = neptune('run', '--cores=2', '--no-fastpath', guest('sel4-pingpong.exe'), '500');
  assert.equal(slow.status, 0);
  assert.deepEqual(lines(slow.stdout), lines(fast.stdout));
});

test('--cores larger than the host\'s core count (sel4-pingpong on 4 cores, sel4-notify on 3)', () => {
  const cores = Math.max(4, availableParallelism() + 1);
  const r = neptune('--debug', 'run', '--cores', String(cores), guest('sel4-pingpong.exe'), '200');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const pairs = r.stdout.split('\n').filter((l) => l.startsWith('pair '));
  assert.equal(pairs.length, cores);
  for (const [c, l] of pairs.entries()) {
    assert.equal(l, `pair ${c}: client on core ${c}, server on core ${(c + 1) % cores}: 200 good replies, 0 bad; server served 200, 0 bad`);
  }
  assert.equal(r.stderr.split('\n').filter((l) => /^neptune run: core \d+: \d+ system calls/.test(l)).length, cores, 'one counter line per core');
  const n = neptune('run', '--cores', '3', guest('sel4-notify.exe'), '300');
  assert.equal(n.status, 0, n.stdout + n.stderr);
  assert.match(n.stdout, /^initiator on core 0, responder on core 1: 300 rounds, 0 bad$/m);
});

test('--cores N runs NT programs with the output and exit status of one core (N = 2 and N > host cores); bad --cores values are usage errors', () => {
  const many = Math.max(3, availableParallelism() + 1);
  for (const [prog, args] of [['hello.exe', ['one', 'two words']], ['ntproc.exe', []], ['ldrtls.exe', []]] as [string, string[]][]) {
    const one = neptune('run', guest(prog), ...args);
    assert.equal(one.status, 0, `${prog} on one core: ${one.stderr}`);
    for (const n of [2, many]) {
      const r = neptune('run', '--cores', String(n), guest(prog), ...args);
      assert.equal(r.stderr, '', `${prog} on ${n} cores`);
      assert.equal(r.status, one.status, `${prog} on ${n} cores`);
      assert.equal(r.stdout, one.stdout, `${prog} on ${n} cores`);
    }
  }
  const seven = neptune('--debug', 'run', '--cores', '2', guest('exitcode.exe'), '7');
  assert.equal(seven.status, 7, 'the exit status comes back from the SMP machine');
  assert.equal(seven.stderr.split('\n').filter((l) => /^neptune run: core \d+: \d+ system calls/.test(l)).length, 2, 'one counter line per core');
  assert.match(seven.stderr, /executive: \d+ messages served on the host core/);
  for (const bad of ['0', '64', '1.5', 'two', '-1']) {
    const b = neptune('run', `--cores=${bad}`, guest('hello.exe'));
    assert.equal(b.status, 2, `--cores=${bad}`);
    assert.match(b.stderr, /--cores needs an integer 1\.\.63/);
  }
  const rounds = neptune('run', '--cores', '2', guest('sel4-pingpong.exe'), 'many');
  assert.equal(rounds.status, 2);
  assert.match(rounds.stderr, /ROUNDS must be a positive integer/);
  const trace = neptune('run', '--cores', '2', '--trace-syscalls', guest('sel4-pingpong.exe'));
  assert.equal(trace.status, 2);
  assert.match(trace.stderr, /--trace-syscalls does not apply to the seL4 program/);
});

test('--trace-stages prints each core\'s steps on stderr, and needs --cores N > 1', () => {
  const r = neptune('run', '--cores', '2', '--trace-stages', guest('sel4-pingpong.exe'), '2000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^core 0: step/m);
  assert.match(r.stderr, /^core 1: step/m);
  assert.match(r.stderr, /fastpath-declined -> handed-off\s+\d+\s+\d+\s+\d+$/m);
  const one = neptune('run', '--trace-stages', guest('hello.exe'));
  assert.equal(one.status, 2);
  assert.match(one.stderr, /--trace-stages needs --cores N with N > 1/);
});
