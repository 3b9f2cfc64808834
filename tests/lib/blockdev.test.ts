import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BlockDeviceError, FileBlockDevice, MemoryBlockDevice, SliceBlockDevice } from '../../src/lib/blockdev.js';
import { NTSTATUS } from '../../src/abi/ntstatus.js';
import { scratchDir } from './testkit.js';

test('memory device reads back what was written, sector by sector', async () => {
  const dev = new MemoryBlockDevice(8);
  const src = new Uint8Array(1024).map((_, i) => i & 0xff);
  await dev.write(3, 2, src);
  const dst = new Uint8Array(1024);
  await dev.read(3, 2, dst);
  assert.deepEqual(dst, src);
  assert.equal(dev.sectorSize, 512);
  assert.equal(dev.sectorCount, 8);
});

test('out-of-range I/O is refused with a clear error', async () => {
  const dev = new MemoryBlockDevice(4);
  const buf = new Uint8Array(1024);
  await assert.rejects(dev.read(3, 2, buf), (e: unknown) => e instanceof BlockDeviceError && e.status === NTSTATUS.STATUS_NONEXISTENT_SECTOR && /past the end/.test(e.message));
  await assert.rejects(dev.write(-1, 1, buf), BlockDeviceError);
  await assert.rejects(dev.read(0, 3, buf), /smaller than 3 sectors/);
});

test('a slice is a window: LBA 0 is its start and it cannot reach outside', async () => {
  const disk = new MemoryBlockDevice(16);
  const part = new SliceBlockDevice(disk, 4, 8);
  const one = new Uint8Array(512).fill(0xab);
  await part.write(0, 1, one);
  assert.equal(disk.bytes[4 * 512], 0xab);
  await assert.rejects(part.write(8, 1, one), /past the end of the device \(8 sectors\)/);
  assert.throws(() => new SliceBlockDevice(disk, 10, 8), BlockDeviceError);
});

test('file device: sparse create, read/write, flush, reopen', async () => {
  const { dir, cleanup } = scratchDir('blockdev');
  try {
    const path = join(dir, 'disk.img');
    const dev = await FileBlockDevice.create(path, 64 << 20);
    assert.equal(dev.sectorCount, (64 << 20) / 512);
    const data = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    await dev.write(1000, 8, data);
    await dev.flush();
    await dev.close();
    const st = statSync(path);
    assert.equal(st.size, 64 << 20);
    // Sparse: far less than 64 MiB actually allocated.
    assert.ok(st.blocks * 512 < 8 << 20, `allocated ${st.blocks * 512} bytes`);
    const again = await FileBlockDevice.open(path, { readOnly: true });
    const back = new Uint8Array(4096);
    await again.read(1000, 8, back);
    assert.deepEqual(back, data);
    await assert.rejects(again.write(0, 1, data), /read-only/);
    await assert.rejects(again.read(again.sectorCount, 1, back), BlockDeviceError);
    await again.close();
  } finally {
    cleanup();
  }
});
