/**
 * (d) Corrupt images of every kind give a FatError with a readable message
 * and an NTSTATUS: no other exception, no hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { parseBootSector, type FatLayout } from '../../../src/lib/fat/bpb.js';
import { formatVolume } from '../../../src/lib/fat/format.js';
import { FatVolume } from '../../../src/lib/fat/volume.js';
import { FatError } from '../../../src/lib/fat/error.js';
import { NTSTATUS } from '../../../src/abi/ntstatus.js';
import { requireTools, Rng, run, scratchDir } from '../testkit.js';
import { readVolume } from './fatkit.js';

const SIZES = { 12: 4000, 16: 30000, 32: 70000 } as const;

/** A small volume with a directory, a multi-cluster file and a one-cluster file. */
async function sample(type: 12 | 16 | 32): Promise<{ bytes: Uint8Array; layout: FatLayout; big: number; dirCluster: number }> {
  const dev = new MemoryBlockDevice(SIZES[type]);
  await formatVolume(dev, { fatType: type, volumeId: 7, now: () => new Date(2024, 0, 1) });
  const vol = await FatVolume.mount(dev);
  await vol.mkdir('/dir');
  await vol.writeFile('/dir/big.bin', new Uint8Array(5000).fill(1));
  await vol.writeFile('/small.txt', new Uint8Array(10).fill(2));
  await vol.flush();
  return {
    bytes: dev.bytes,
    layout: vol.layout,
    big: (await vol.stat('/dir/big.bin')).firstCluster,
    dirCluster: (await vol.stat('/dir')).firstCluster,
  };
}

/** Mounts and reads everything; returns the FatError, or null if all went well. */
async function tryEverything(bytes: Uint8Array): Promise<FatError | null> {
  try {
    const vol = await FatVolume.mount(new MemoryBlockDevice(bytes));
    await readVolume(vol);
    return null;
  } catch (e) {
    if (e instanceof FatError) return e;
    throw e; // anything else is a bug
  }
}

function setFat(bytes: Uint8Array, layout: FatLayout, n: number, v: number, copies = layout.fatCount): void {
  for (let c = 0; c < copies; c++) {
    const base = (layout.reservedSectors + c * layout.fatSectors) * 512;
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base);
    if (layout.fatType === 16) dv.setUint16(n * 2, v, true);
    else if (layout.fatType === 32) dv.setUint32(n * 4, v, true);
    else {
      const o = n + (n >> 1);
      const cur = bytes[base + o]! | (bytes[base + o + 1]! << 8);
      const next = n & 1 ? (cur & 0x000f) | (v << 4) : (cur & 0xf000) | v;
      bytes[base + o] = next & 0xff;
      bytes[base + o + 1] = next >> 8;
    }
  }
}

const expectError = (e: FatError | null, status: number, re: RegExp, what: string) => {
  assert.ok(e, `${what}: expected a FatError`);
  assert.equal(e.status, status, `${what}: ${e.message}`);
  assert.match(e.message, re, what);
};

for (const type of [12, 16, 32] as const) {
  test(`FAT${type}: each kind of damage gives a clear FatError`, async () => {
    const s = await sample(type);
    const copy = () => s.bytes.slice();
    const C = NTSTATUS.STATUS_DISK_CORRUPT_ERROR, F = NTSTATUS.STATUS_FILE_CORRUPT_ERROR;

    expectError(await tryEverything(s.bytes.slice(0, s.bytes.length / 2)), C, /truncated/, 'truncated image');
    expectError(await tryEverything(s.bytes.slice(0, 100)), NTSTATUS.STATUS_UNRECOGNIZED_MEDIA, /empty/, 'shorter than a sector');
    let b = copy(); b[13] = 0; expectError(await tryEverything(b), C, /sectors per cluster/, 'bad BPB');
    b = copy(); b[510] = 0; expectError(await tryEverything(b), NTSTATUS.STATUS_UNRECOGNIZED_MEDIA, /55 AA/, 'no signature');

    b = copy(); setFat(b, s.layout, s.big + 1, s.big); // second cluster links back to the first
    expectError(await tryEverything(b), F, /loops/, 'looping chain');
    b = copy(); setFat(b, s.layout, s.big, s.layout.maxCluster + 5);
    expectError(await tryEverything(b), F, /outside 2\.\./, 'out-of-range link');
    b = copy(); setFat(b, s.layout, s.dirCluster, 0);
    expectError(await tryEverything(b), F, /free cluster/, 'directory chain into a free cluster');
    b = copy(); setFat(b, s.layout, s.big, s.layout.fatType === 12 ? 0xfff : s.layout.fatType === 16 ? 0xffff : 0x0fffffff);
    expectError(await tryEverything(b), F, /larger than its 1 clusters/, 'file size beyond its chain');
    b = copy(); setFat(b, s.layout, s.big, 0, 1); // only the first copy
    expectError(await tryEverything(b), C, /FAT copies 1 and 2 differ/, 'mismatched FATs');
    if (type === 32) {
      b = copy(); new DataView(b.buffer).setUint32(44, s.layout.maxCluster + 1, true);
      expectError(await tryEverything(b), C, /root cluster/, 'root cluster out of range');
      b = copy(); setFat(b, s.layout, s.layout.rootCluster, s.layout.rootCluster);
      expectError(await tryEverything(b), F, /loops/, 'root chain loops');
    }
  });

  test(`FAT${type}: random byte damage in the metadata is a FatError or harmless, never a crash or hang`, async () => {
    const s = await sample(type);
    const rng = new Rng(99 + type);
    const metaBytes = (s.layout.firstDataSector + s.layout.sectorsPerCluster * 4) * 512;
    let errors = 0;
    for (let i = 0; i < 150; i++) {
      const b = s.bytes.slice();
      for (let k = rng.int(1, 8); k > 0; k--) b[rng.int(0, metaBytes - 1)] = rng.int(0, 255);
      if (await tryEverything(b)) errors++;
    }
    assert.ok(errors > 0, 'some damage should be detected');
  });
}

test('images from mkfs.fat with damage (if dosfstools is installed)', async (t) => {
  if (!requireTools(t, ['mkfs.fat', 'mcopy'])) return;
  const { dir, cleanup } = scratchDir('corrupt');
  try {
    const img = join(dir, 'd.img');
    run('mkfs.fat', ['-C', '-F', '16', '--invariant', img, '20000']);
    run('mcopy', ['-i', img, '-', '::/file.bin'], { input: new Uint8Array(20000).fill(3) });
    const bytes = new Uint8Array(readFileSync(img));
    const layout = parseBootSector(bytes, bytes.length / 512);
    assert.equal(await tryEverything(bytes), null);
    const looped = bytes.slice();
    setFat(looped, layout, 3, 2);
    expectError(await tryEverything(looped), NTSTATUS.STATUS_FILE_CORRUPT_ERROR, /loops/, 'mkfs image, looping chain');
  } finally {
    cleanup();
  }
});
