import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { crc32 } from '../../../src/lib/crc32.js';
import { guidFromBytes, guidToBytes } from '../../../src/lib/guid.js';
import { GPT_TYPE, gptUsableRange, readGpt, writeGpt } from '../../../src/lib/partition/gpt.js';
import { PartitionError, readPartitions } from '../../../src/lib/partition/index.js';
import { parseMbr } from '../../../src/lib/partition/mbr.js';

const DISK = 'A1B2C3D4-1111-4222-8333-444455556666';
const PART = '0F0E0D0C-0B0A-4908-8706-050403020100';

test('CRC32 is the IEEE one ("123456789" → CBF43926)', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('GUID text is mixed-endian: Basic Data type bytes on disk', () => {
  const b = guidToBytes(GPT_TYPE.BASIC_DATA);
  assert.deepEqual([...b], [0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7]);
  assert.equal(guidFromBytes(b), GPT_TYPE.BASIC_DATA);
  assert.throws(() => guidToBytes('not-a-guid'), RangeError);
});

async function makeDisk() {
  const dev = new MemoryBlockDevice(20480);
  const { lastUsableLba } = gptUsableRange(dev.sectorCount);
  await writeGpt(dev, { diskGuid: DISK, partitions: [{ typeGuid: GPT_TYPE.BASIC_DATA, uniqueGuid: PART, firstLba: 2048, lastLba: lastUsableLba, name: 'Basic data partition' }] });
  return dev;
}

test('GPT round trip: protective MBR, both headers, entries', async () => {
  const dev = await makeDisk();
  const mbr = parseMbr(dev.bytes.subarray(0, 512));
  assert.deepEqual(mbr.partitions.map((p) => [p.type, p.startLba, p.sectorCount]), [[0xee, 1, 20479]]);
  assert.equal(new TextDecoder().decode(dev.bytes.subarray(512, 520)), 'EFI PART');
  const last = (dev.sectorCount - 1) * 512;
  assert.equal(new TextDecoder().decode(dev.bytes.subarray(last, last + 8)), 'EFI PART');
  const t = await readGpt(dev);
  assert.equal(t.usedBackup, false);
  assert.equal(t.diskGuid, DISK);
  assert.equal(t.firstUsableLba, 34);
  assert.equal(t.lastUsableLba, dev.sectorCount - 34);
  assert.equal(t.partitions.length, 1);
  assert.deepEqual({ ...t.partitions[0]! }, { index: 0, typeGuid: GPT_TYPE.BASIC_DATA, uniqueGuid: PART, firstLba: 2048, lastLba: dev.sectorCount - 34, attributes: 0n, name: 'Basic data partition' });
  const found = await readPartitions(dev);
  assert.equal(found.scheme, 'gpt');
  assert.equal(found.partitions[0]!.startLba, 2048);
});

test('a damaged primary header or array falls back to the backup', async () => {
  const dev = await makeDisk();
  dev.bytes[512 + 40] ^= 1; // primary header field: header CRC now wrong
  let t = await readGpt(dev);
  assert.equal(t.usedBackup, true);
  assert.equal(t.partitions[0]!.uniqueGuid, PART);
  const dev2 = await makeDisk();
  dev2.bytes[2 * 512 + 100] ^= 1; // primary entry array: array CRC now wrong
  t = await readGpt(dev2);
  assert.equal(t.usedBackup, true);
});

test('both copies damaged: a PartitionError naming both problems', async () => {
  const dev = await makeDisk();
  dev.bytes[512 + 40] ^= 1;
  dev.bytes[(dev.sectorCount - 1) * 512] = 0; // backup signature gone
  await assert.rejects(readGpt(dev), (e: unknown) => e instanceof PartitionError && /primary: .*CRC32 mismatch.*backup: .*signature/.test(e.message));
});

test('partitions outside the usable range are refused, on write and on read', async () => {
  const dev = new MemoryBlockDevice(4096);
  await assert.rejects(writeGpt(dev, { partitions: [{ typeGuid: GPT_TYPE.BASIC_DATA, firstLba: 10, lastLba: 100 }] }), /outside the usable range/);
});
