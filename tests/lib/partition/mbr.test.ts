import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { buildMbr, lbaToChs, MBR_TYPE, parseMbr, readMbr, writeMbr } from '../../../src/lib/partition/mbr.js';
import { PartitionError, readPartitions } from '../../../src/lib/partition/index.js';

test('MBR round trip: entries, signature, disk signature', async () => {
  const dev = new MemoryBlockDevice(100000);
  const types = [MBR_TYPE.FAT12, MBR_TYPE.FAT16_SMALL, MBR_TYPE.FAT32_LBA, MBR_TYPE.FAT16_LBA];
  await writeMbr(dev, {
    diskSignature: 0x12345678,
    partitions: types.map((type, i) => ({ type, startLba: 2048 + i * 10000, sectorCount: 9000, bootable: i === 0 })),
  });
  assert.equal(dev.bytes[510], 0x55);
  assert.equal(dev.bytes[511], 0xaa);
  const t = await readMbr(dev);
  assert.equal(t.diskSignature, 0x12345678);
  assert.deepEqual(t.partitions.map((p) => [p.index, p.type, p.startLba, p.sectorCount, p.bootable]), types.map((type, i) => [i, type, 2048 + i * 10000, 9000, i === 0]));
  const found = await readPartitions(dev);
  assert.equal(found.scheme, 'mbr');
  assert.equal(found.partitions[2]!.type, '0c');
});

test('every FAT type byte and 0x0B/0x06 are accepted', () => {
  for (const type of [0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e]) {
    const s = buildMbr({ partitions: [{ type, startLba: 63, sectorCount: 1000 }] });
    assert.equal(parseMbr(s).partitions[0]!.type, type);
  }
});

test('CHS fields: LBA 2048 is C0/H32/S33; beyond cylinder 1023 saturates', () => {
  assert.deepEqual(lbaToChs(2048), [32, 33, 0]);
  assert.deepEqual(lbaToChs(2 ** 31), [254, 0xff, 0xff]);
});

test('corrupt MBRs give PartitionError with a reason', () => {
  const good = buildMbr({ partitions: [{ type: 0x0c, startLba: 2048, sectorCount: 4096 }, { type: 0x06, startLba: 8192, sectorCount: 100 }] });
  const noSig = good.slice(); noSig[511] = 0;
  assert.throws(() => parseMbr(noSig), (e: unknown) => e instanceof PartitionError && /55 AA/.test(e.message));
  const overlap = good.slice(); new DataView(overlap.buffer).setUint32(446 + 16 + 8, 3000, true);
  assert.throws(() => parseMbr(overlap), /overlap/);
  const badStatus = good.slice(); badStatus[446] = 0x12;
  assert.throws(() => parseMbr(badStatus), /status byte/);
  assert.throws(() => parseMbr(good, 5000), /past the end of the disk/);
  const zeroLen = good.slice(); new DataView(zeroLen.buffer).setUint32(446 + 12, 0, true);
  assert.throws(() => parseMbr(zeroLen), /zero length/);
});
