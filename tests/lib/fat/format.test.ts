import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { fatTypeForClusterCount, parseBootSector } from '../../../src/lib/fat/bpb.js';
import { defaultFatType, formatVolume, planFormat } from '../../../src/lib/fat/format.js';
import { FatVolume } from '../../../src/lib/fat/volume.js';
import { FatError } from '../../../src/lib/fat/error.js';
import { NTSTATUS } from '../../../src/abi/ntstatus.js';

const MIB = 2048; // sectors

test('FAT type comes from the cluster count alone (fatgen103 boundaries)', () => {
  assert.equal(fatTypeForClusterCount(4084), 12);
  assert.equal(fatTypeForClusterCount(4085), 16);
  assert.equal(fatTypeForClusterCount(65524), 16);
  assert.equal(fatTypeForClusterCount(65525), 32);
});

test('cluster sizes follow the spec tables', () => {
  assert.equal(planFormat(15 * MIB, { fatType: 16 }).sectorsPerCluster, 2); // <= 32680 sectors: 1 KiB
  assert.equal(planFormat(100 * MIB, { fatType: 16 }).sectorsPerCluster, 4); // <= 128 MiB: 2 KiB
  assert.equal(planFormat(400 * MIB, { fatType: 16 }).sectorsPerCluster, 16); // <= 512 MiB: 8 KiB
  assert.equal(planFormat(64 * MIB, { fatType: 32 }).sectorsPerCluster, 1); // <= 260 MiB: 512 B
  assert.equal(planFormat(1024 * MIB, { fatType: 32 }).sectorsPerCluster, 8); // <= 8 GiB: 4 KiB
  assert.equal(defaultFatType(4 * MIB), 12);
  assert.equal(defaultFatType(64 * MIB), 16);
  assert.equal(defaultFatType(600 * MIB), 32);
});

test('a size that cannot hold the type is refused with the reason', () => {
  assert.throws(() => planFormat(20 * MIB, { fatType: 32 }), (e: unknown) => e instanceof FatError && /too small for FAT32/.test(e.message));
  assert.throws(() => planFormat(1 * MIB, { fatType: 16 }), /too small for FAT16/);
  assert.throws(() => planFormat(256 * MIB, { fatType: 12 }), /too large for FAT12/);
});

for (const [type, sectors] of [[12, 2 * MIB], [12, 2880], [16, 8 * MIB], [16, 200 * MIB], [32, 40 * MIB], [32, 300 * MIB]] as const) {
  test(`format FAT${type} on ${sectors} sectors: the BPB parses back to the same layout`, async () => {
    const dev = new MemoryBlockDevice(sectors);
    const plan = await formatVolume(dev, { fatType: type, label: 'T', volumeId: 0x1234abcd, hiddenSectors: 2048 });
    const layout = parseBootSector(dev.bytes.subarray(0, 512), dev.sectorCount);
    assert.equal(layout.fatType, type);
    assert.equal(layout.clusterCount, plan.clusterCount);
    assert.equal(layout.fatSectors, plan.fatSectors);
    assert.equal(layout.volumeId, 0x1234abcd);
    assert.equal(layout.hiddenSectors, 2048);
    assert.equal(layout.bpbLabel, 'T');
    // The FAT covers every cluster.
    assert.ok(layout.fatSectors * 512 * 8 >= (layout.clusterCount + 2) * type);
    const vol = await FatVolume.mount(dev);
    assert.equal(await vol.getLabel(), 'T');
    const fs = await vol.statfs();
    assert.equal(fs.freeClusters, plan.clusterCount - (type === 32 ? 1 : 0));
  });
}

test('BPB validation: each bad field is named', () => {
  const dev = new MemoryBlockDevice(8 * MIB);
  return formatVolume(dev, { fatType: 16 }).then(() => {
    const good = dev.bytes.slice(0, 512);
    const cases: [string, (b: Uint8Array, dv: DataView) => void, RegExp][] = [
      ['signature', (b) => { b[510] = 0; }, /55 AA/],
      ['jump', (b) => { b[0] = 0; }, /not a jump/],
      ['bytes per sector', (_b, dv) => dv.setUint16(11, 500, true), /bytes per sector is 500/],
      ['sectors per cluster', (b) => { b[13] = 3; }, /not a power of two/],
      ['reserved', (_b, dv) => dv.setUint16(14, 0, true), /reserved sector count is 0/],
      ['fat count', (b) => { b[16] = 0; }, /number of FATs is 0/],
      ['media', (b) => { b[21] = 0x12; }, /media byte/],
      ['fat size', (_b, dv) => dv.setUint16(22, 1, true), /too small for/],
      ['no root entries', (_b, dv) => dv.setUint16(17, 0, true), /no root directory entries/],
      ['total sectors', (_b, dv) => { dv.setUint16(19, 0, true); dv.setUint32(32, 0, true); }, /total sector count is 0/],
    ];
    for (const [what, mutate, re] of cases) {
      const b = good.slice();
      mutate(b, new DataView(b.buffer));
      assert.throws(() => parseBootSector(b, dev.sectorCount), (e: unknown) => e instanceof FatError && re.test(e.message), what);
    }
    assert.throws(() => parseBootSector(good, dev.sectorCount - 1), (e: unknown) => e instanceof FatError && e.status === NTSTATUS.STATUS_DISK_CORRUPT_ERROR && /truncated/.test(e.message));
  });
});
