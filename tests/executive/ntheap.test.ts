/**
 * ntdll's Rtl heap, critical sections and Rtl basics end to end
 * (guest/programs/ntheap): the program prints "name: value" lines; the
 * calendar expectations come from JavaScript's Date, not from the guest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runNtProgram } from '../../src/executive/boot.js';
import { guestBinDir } from '../../src/machine/paths.js';

/* "YYYY-MM-DD hh:mm:ss.mmm wd N" for a Date (UTC), as the guest prints it. */
function fields(ms: number): string {
  const d = new Date(ms);
  const p = (v: number, n = 2) => String(v).padStart(n, '0');
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)} wd ${d.getUTCDay()}`;
}

test('ntheap.exe: the Rtl heap, critical sections, the process heap under malloc, Rtl strings, bitmaps and time', () => {
  let out = '';
  const r = runNtProgram({ image: join(guestBinDir(), 'ntheap.exe'), args: [], dllPath: [guestBinDir()], memory: 64 << 20, console: (s) => { out += s; } });
  assert.equal(r.exception, undefined, out);
  assert.equal(r.exitStatus, 0, out);
  const got = new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
  const epoch1601 = Date.UTC(1601, 0, 1);
  const want: Record<string, string> = {
    'create': 'ok',
    // 20000 random operations from a fixed seed, every byte of every live block checked each time it is touched
    'churn': 'errors 0 validate 1',
    'drain': 'errors 0 validate 1',
    'growth': '1 size 409600', // a heap created with one committed page
    'zero': 'alloc 1000 realloc-kept 1000 realloc-tail 2000',
    'size': '0 13 600000', // exact requested sizes; 600000 is a large (own region) block
    'large': 'realloc-kept 1 size 900000 validate 1',
    'in-place': 'blocked null grown same shrunk same size 40',
    'bad-realloc': 'null',
    // a second free, a pointer into a block, one on the stack and a misaligned one are refused; the heap stays sound
    'double-free': 'first 1 second 0 middle 0 stack 0 misaligned 0 validate 1 size-of-freed -1',
    'corrupt': 'validate 0 block 0 free 0 restored 1 1',
    'fixed': '32k ok 64k null validate 1',
    // STATUS_NO_MEMORY from a heap with HEAP_GENERATE_EXCEPTIONS, from a call with it, for a huge request;
    // STATUS_INVALID_PARAMETER for a bad free on such a heap; a quiet heap answers FALSE
    'exceptions': 'heap 0xc0000017 ok 0x00000000 call 0xc0000017 huge 0xc0000017 bad-free 0xc000000d quiet 0x00000000 0',
    'process-heaps': '4 found 4',
    'destroy': 'null null process-heap refused after 2',
    'threads.heap': 'errors 0 0 validate 1 1',
    'threads.lock': 'counter 4000 overlap 0 contended yes try 1 1 counts 1 2 free -1',
    'threads.unowned-leave': '0xc000000d',
    'destroy.private': 'null',
    'process-heap': 'set malloc-size 77 calloc-zero 100 calloc-overflow null',
    'process-heap.realloc': 'size 5000',
    'vectored': 'added 100 calls 100 code 0xe0000042 removed 100 again 0 after 0',
    'time.epoch1970': String((BigInt(Date.UTC(1970, 0, 1) - epoch1601) * 10000n)),
    'time.zero': `${fields(epoch1601)} back 1`,
    'time.1970': `${fields(0)} back 1`,
    'time.leapday': `${fields(951827696_789)} back 1`,
    'time.leapyear-end': `${fields(978307199_999)} back 1`,
    'time.2100': `${fields(4107542400_000)} back 1`,
    'time.max': `${fields(epoch1601 + Number(0x7fffffffffffffffn / 10000n))} back 1`,
    'time.seconds': `1 ${Date.UTC(2100, 2, 1) / 1000} since1980 1 1000 before1970 0`,
    'time.fields-valid': '2100-02-29 0 2096-02-29 1 month13 0',
    'time.roundtrip': 'bad 0',
    'string.append': '0x00000000 0x00000000 0xc0000023 0x00000000 "abcdefgh" len 16 nul 1',
    'string.upcase': '0x00000000 "HÉLLO WÖRLD ДA" heap 30',
    'string.int': '0x00000000 12345678 4294967295 101 0 base7 0xc000000d small 0x80000005',
    'string.toint': '0/0xffffffd6 0/0x1f 0/0x5 0/0xf 0/0x7b 0/0x7 0/0x0 hex 0/0xff base3 0xc000000d',
    'string.ansi-alloc': '0x00000000 converted heap 20',
    // 100 bits: 3..9 and 30..40 set; the 4 bits of word 3 past the map keep the caller's ones
    'bitmap.set': '18 words c00003f8 000001ff 00000000 fffffff0',
    'bitmap.are': '1 0 1 0 0 test 1 0',
    // first 5 clear from 0: 10; 25: 41; 20 from 50, set; 60: none; 11 set: 30; 3 from 95; 5 from 98 wraps to 10
    'bitmap.find': '10 41 50 0xffffffff 30 95 10 set 38 clear 62',
    'bitmap.all': 'cleared-at 50 set 100 tail-word ffffffff',
    'done': '1',
  };
  for (const [k, v] of Object.entries(want)) assert.equal(got.get(k), v, k);
});
