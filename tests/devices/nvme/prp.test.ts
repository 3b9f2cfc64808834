import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GuestRam } from '../../../src/machine/ram.js';
import { PrpWalker } from '../../../src/devices/nvme/prp.js';
import { SC_PRP_OFFSET_INVALID } from '../../../src/devices/nvme/regs.js';

const PAGE = 4096;

function segments(w: PrpWalker): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < w.count; i++) out.push([w.addr[i]!, w.len[i]!]);
  return out;
}

/** Writes a PRP list of `pages` at `list` (one page, no chaining). */
function writeList(ram: GuestRam, list: number, pages: number[]): void {
  pages.forEach((a, i) => {
    ram.u32[(list >>> 2) + i * 2] = a;
    ram.u32[(list >>> 2) + i * 2 + 1] = 0;
  });
}

test('PRP walker: contiguous pages of a 1 MiB transfer become one segment (one host call)', () => {
  const ram = new GuestRam(4 * 1024 * 1024);
  const w = new PrpWalker(ram, 258);
  const buf = 0x100000;
  const list = 0x10000;
  writeList(ram, list, Array.from({ length: 255 }, (_, i) => buf + (i + 1) * PAGE));
  assert.equal(w.walk(buf, 0, list, 0, 1 << 20, PAGE), 0);
  assert.deepEqual(segments(w), [[buf, 1 << 20]]);
});

test('PRP walker: pages with a gap are not merged across it; adjacent runs are', () => {
  const ram = new GuestRam(4 * 1024 * 1024);
  const w = new PrpWalker(ram, 16);
  const a = 0x100000;
  const list = 0x10000;
  // a, a+1p | gap | a+3p, a+4p | a+2p (below: adjacent in address order, not in transfer order)
  writeList(ram, list, [a + PAGE, a + 3 * PAGE, a + 4 * PAGE, a + 2 * PAGE]);
  assert.equal(w.walk(a, 0, list, 0, 5 * PAGE, PAGE), 0);
  assert.deepEqual(segments(w), [[a, 2 * PAGE], [a + 3 * PAGE, 2 * PAGE], [a + 2 * PAGE, PAGE]]);
});

test('PRP walker: a PRP1 offset shortens the first segment; PRP2 as the second data pointer merges when adjacent', () => {
  const ram = new GuestRam(4 * 1024 * 1024);
  const w = new PrpWalker(ram, 4);
  const a = 0x200000;
  assert.equal(w.walk(a + 512, 0, a + PAGE, 0, PAGE, PAGE), 0);
  assert.deepEqual(segments(w), [[a + 512, PAGE]], 'the two pieces are physically contiguous');
  assert.equal(w.walk(a + 512, 0, a + 3 * PAGE, 0, PAGE, PAGE), 0);
  assert.deepEqual(segments(w), [[a + 512, PAGE - 512], [a + 3 * PAGE, 512]]);
  assert.equal(w.walk(a + 512, 0, a + 3 * PAGE + 8, 0, PAGE, PAGE), SC_PRP_OFFSET_INVALID, 'PRP2 data pointer with an offset');
});
