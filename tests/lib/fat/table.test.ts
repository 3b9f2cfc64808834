import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { parseBootSector } from '../../../src/lib/fat/bpb.js';
import { formatVolume } from '../../../src/lib/fat/format.js';
import { FatTable } from '../../../src/lib/fat/table.js';
import { FatError } from '../../../src/lib/fat/error.js';
import { NTSTATUS } from '../../../src/abi/ntstatus.js';

async function table(type: 12 | 16 | 32, sectors: number) {
  const dev = new MemoryBlockDevice(sectors);
  await formatVolume(dev, { fatType: type });
  const layout = parseBootSector(dev.bytes.subarray(0, 512), sectors);
  return { dev, layout, fat: await FatTable.load(dev, layout) };
}

test('FAT12 packs two entries in three bytes (odd entries in the high nibbles)', async () => {
  const { fat, dev, layout } = await table(12, 4096);
  fat.set(2, 0xabc);
  fat.set(3, 0x123);
  await fat.commit();
  const off = layout.reservedSectors * 512;
  assert.deepEqual([...dev.bytes.subarray(off + 3, off + 6)], [0xbc, 0x3a, 0x12]);
  assert.equal(fat.get(2), 0xabc);
  assert.equal(fat.get(3), 0x123);
});

test('FAT32 keeps the reserved top nibble', async () => {
  const { fat, dev, layout } = await table(32, 70000);
  const off = layout.reservedSectors * 512 + 5 * 4;
  new DataView(dev.bytes.buffer).setUint32(off, 0xf0000000, true);
  const fresh = await FatTable.load(dev, layout, { verifyCopies: false });
  assert.equal(fresh.get(5), 0);
  fresh.set(5, 0x0fffffff);
  await fresh.commit();
  assert.equal(new DataView(dev.bytes.buffer).getUint32(off, true) >>> 0, 0xffffffff);
  void fat;
});

for (const type of [12, 16, 32] as const) {
  test(`FAT${type}: allocate, walk, free; both copies written identically`, async () => {
    const { fat, dev, layout } = await table(type, type === 32 ? 70000 : type === 16 ? 20000 : 4000);
    const free0 = fat.freeCount;
    const a = fat.allocate(5);
    assert.deepEqual(a, [a[0]!, a[0]! + 1, a[0]! + 2, a[0]! + 3, a[0]! + 4], 'contiguous from the hint');
    const b = fat.allocate(3);
    fat.set(a[4]!, b[0]!);
    await fat.commit();
    assert.deepEqual(fat.chain(a[0]!, 'f'), [...a, ...b]);
    assert.equal(fat.freeCount, free0 - 8);
    const size = layout.fatSectors * 512;
    const copy1 = dev.bytes.subarray(layout.reservedSectors * 512, layout.reservedSectors * 512 + size);
    const copy2 = dev.bytes.subarray(layout.reservedSectors * 512 + size, layout.reservedSectors * 512 + 2 * size);
    assert.deepEqual(copy1, copy2);
    fat.free([...a, ...b]);
    await fat.commit();
    assert.equal(fat.freeCount, free0);
    const reloaded = await FatTable.load(dev, layout);
    assert.equal(reloaded.freeCount, free0);
  });
}

test('chain walks: loops, free, bad and out-of-range links are FILE_CORRUPT errors, never hangs', async () => {
  const { fat, layout } = await table(16, 20000);
  const isCorrupt = (re: RegExp) => (e: unknown) => e instanceof FatError && e.status === NTSTATUS.STATUS_FILE_CORRUPT_ERROR && re.test(e.message);
  fat.set(10, 11); fat.set(11, 12); fat.set(12, 10);
  assert.throws(() => fat.chain(10, 'loop'), isCorrupt(/loops/));
  fat.set(12, 13); // 13 is free
  assert.throws(() => fat.chain(10, 'f'), isCorrupt(/free cluster 13/));
  fat.set(12, 0xfff7);
  assert.throws(() => fat.chain(10, 'f'), isCorrupt(/cluster 12, marked bad/));
  fat.set(12, layout.maxCluster + 1);
  assert.throws(() => fat.chain(10, 'f'), isCorrupt(/outside 2\.\./));
  assert.throws(() => fat.chain(1, 'f'), isCorrupt(/first cluster 1/));
});

test('allocation beyond the free space is DISK_FULL and changes nothing', async () => {
  const { fat } = await table(12, 4000);
  const before = fat.freeCount;
  assert.throws(() => fat.allocate(before + 1), (e: unknown) => e instanceof FatError && e.status === NTSTATUS.STATUS_DISK_FULL);
  assert.equal(fat.freeCount, before);
});
