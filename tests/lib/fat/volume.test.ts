import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBlockDevice } from '../../../src/lib/blockdev.js';
import { formatVolume } from '../../../src/lib/fat/format.js';
import { FatVolume } from '../../../src/lib/fat/volume.js';
import { FatError } from '../../../src/lib/fat/error.js';
import { NTSTATUS } from '../../../src/abi/ntstatus.js';
import { Rng } from '../testkit.js';

const CLOCK = new Date(2024, 4, 17, 13, 45, 31, 250);

async function fresh(type: 12 | 16 | 32 = 16, sectors = 40000) {
  const dev = new MemoryBlockDevice(sectors);
  await formatVolume(dev, { fatType: type, now: () => CLOCK, volumeId: 1 });
  return { dev, vol: await FatVolume.mount(dev, { now: () => CLOCK }) };
}

const status = (s: number) => (e: unknown) => e instanceof FatError && e.status === s;
const text = (s: string) => new TextEncoder().encode(s);

test('create, read, case-insensitive lookup, long and short names', async () => {
  const { vol } = await fresh();
  await vol.writeFile('/Hello World.txt', text('hi'));
  assert.deepEqual(await vol.readFile('/HELLO world.TXT'), text('hi'));
  assert.deepEqual(await vol.readFile('\\HELLOW~1.TXT'), text('hi'));
  const [st] = await vol.readdir('/');
  assert.equal(st!.name, 'Hello World.txt');
  assert.equal(st!.shortName, 'HELLOW~1.TXT');
  await vol.writeFile('/readme.txt', text('x'));
  const names = (await vol.readdir('/')).map((s) => [s.name, s.shortName]);
  assert.deepEqual(names[1], ['readme.txt', 'README.TXT']);
  await assert.rejects(vol.readFile('/missing'), status(NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND));
  await assert.rejects(vol.readFile('/no/such/file'), status(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND));
  await assert.rejects(vol.open('/HELLO WORLD.TXT', { create: true, exclusive: true }), status(NTSTATUS.STATUS_OBJECT_NAME_COLLISION));
  await assert.rejects(vol.writeFile('/bad:name', text('')), status(NTSTATUS.STATUS_OBJECT_NAME_INVALID));
});

test('timestamps are DOS create/write/access from the clock', async () => {
  const { vol } = await fresh();
  await vol.writeFile('/t.txt', text('t'));
  const st = await vol.stat('/t.txt');
  assert.equal(st.created!.getTime(), CLOCK.getTime() - (CLOCK.getMilliseconds() % 10));
  assert.equal(st.modified!.getTime(), new Date(2024, 4, 17, 13, 45, 30).getTime()); // 2-second resolution
  assert.equal(st.accessed!.getTime(), new Date(2024, 4, 17).getTime());
  const when = new Date(2001, 0, 2, 3, 4, 6);
  await vol.setTimes('/t.txt', { modified: when });
  assert.equal((await vol.stat('/t.txt')).modified!.getTime(), when.getTime());
});

test('write at offsets, extend with a zero gap, truncate down and up', async () => {
  const { vol } = await fresh(16);
  const f = await vol.open('/f.bin', { create: true });
  await f.write(0, text('abc'));
  await f.write(5000, text('xyz'));
  assert.equal(await f.size(), 5003);
  const all = await f.readAll();
  assert.deepEqual(all.subarray(0, 3), text('abc'));
  assert.ok(all.subarray(3, 5000).every((b) => b === 0));
  assert.deepEqual(await f.read(5001, 100), text('yz'));
  await f.truncate(2);
  assert.deepEqual(await f.readAll(), text('ab'));
  await f.truncate(4000);
  const grown = await f.readAll();
  assert.equal(grown.length, 4000);
  assert.ok(grown.subarray(2).every((b) => b === 0), 'old bytes must not come back after truncate+extend');
  await f.truncate(0);
  assert.equal((await vol.stat('/f.bin')).firstCluster, 0);
  await f.close();
  await assert.rejects(f.read(0, 1), status(NTSTATUS.STATUS_INVALID_HANDLE));
});

test('directories: mkdir, . and .., rmdir only when empty, rename across directories', async () => {
  const { vol, dev } = await fresh(32, 70000);
  await vol.mkdir('/a/b/c', { recursive: true });
  await vol.writeFile('/a/b/c/file.txt', text('deep'));
  await assert.rejects(vol.rmdir('/a/b'), status(NTSTATUS.STATUS_DIRECTORY_NOT_EMPTY));
  await vol.rename('/a/b/c', '/Moved C');
  assert.deepEqual(await vol.readFile('/moved c/FILE.TXT'), text('deep'));
  await vol.rename('/Moved C/file.txt', '/a/b/renamed file.txt');
  assert.deepEqual(await vol.readFile('/a/b/renamed file.txt'), text('deep'));
  await assert.rejects(vol.rename('/a', '/a/b/inside'), status(NTSTATUS.STATUS_INVALID_PARAMETER));
  await vol.rename('/a/b/renamed file.txt', '/a/b/RENAMED FILE.TXT'); // case-only rename in place
  assert.equal((await vol.readdir('/a/b'))[0]!.name, 'RENAMED FILE.TXT');
  await vol.rmdir('/Moved C');
  await assert.rejects(vol.stat('/Moved C'), status(NTSTATUS.STATUS_OBJECT_NAME_NOT_FOUND));
  await assert.rejects(vol.unlink('/a'), status(NTSTATUS.STATUS_FILE_IS_A_DIRECTORY));
  // ".." of a moved directory points at its new parent (0 = root).
  await vol.mkdir('/x');
  await vol.mkdir('/a/y');
  await vol.rename('/a/y', '/x/y');
  const again = await FatVolume.mount(dev);
  await again.writeFile('/x/y/../y/z.txt', text('z'));
  assert.deepEqual(await again.readFile('/x/y/z.txt'), text('z'));
});

test('directory growth past one cluster, and ~N tails for many similar names', async () => {
  const { vol } = await fresh(16, 20000);
  await vol.mkdir('/many');
  for (let i = 0; i < 120; i++) await vol.writeFile(`/many/Similar long name ${i}.txt`, text(String(i)));
  const list = await vol.readdir('/many');
  assert.equal(list.length, 120);
  assert.equal(new Set(list.map((s) => s.shortName)).size, 120);
  assert.equal(list[0]!.shortName, 'SIMILA~1.TXT');
  for (let i = 0; i < 120; i += 17) assert.deepEqual(await vol.readFile(`/many/similar LONG name ${i}.TXT`), text(String(i)));
});

test('fixed root directory fills up with a clear error', async () => {
  const { vol } = await fresh(12, 2880); // 224 root entries
  let err: unknown;
  try {
    for (let i = 0; i < 300; i++) await vol.writeFile(`/F${i}`, text(''));
  } catch (e) { err = e; }
  assert.ok(err instanceof FatError && err.status === NTSTATUS.STATUS_DISK_FULL && /root directory is full/.test(err.message));
});

test('disk full leaves the volume consistent (free count exact after remount)', async () => {
  const { vol, dev } = await fresh(12, 4000);
  const { freeBytes } = await vol.statfs();
  await assert.rejects(vol.writeFile('/huge', new Uint8Array(freeBytes + 512)), status(NTSTATUS.STATUS_DISK_FULL));
  await vol.writeFile('/fits', new Uint8Array(freeBytes - 4096));
  const re = await FatVolume.mount(dev);
  assert.equal((await re.statfs()).freeClusters, (await vol.statfs()).freeClusters);
});

test('volume label: set, change, remove', async () => {
  const { vol, dev } = await fresh(32, 70000);
  assert.equal(await vol.getLabel(), '');
  await vol.setLabel('My Disk');
  assert.equal(await vol.getLabel(), 'MY DISK');
  assert.equal((await FatVolume.mount(dev)).layout.bpbLabel, 'MY DISK');
  await vol.setLabel('');
  assert.equal(await vol.getLabel(), '');
  await assert.rejects(vol.setLabel('way too long label'), status(NTSTATUS.STATUS_INVALID_PARAMETER));
});

test('concurrent operations are serialized', async () => {
  const { vol } = await fresh();
  const rng = new Rng(7);
  const datas = Array.from({ length: 20 }, (_, i) => rng.bytes(100 + i * 300));
  await Promise.all(datas.map((d, i) => vol.writeFile(`/c${i}.bin`, d)));
  for (let i = 0; i < datas.length; i++) assert.deepEqual(await vol.readFile(`/c${i}.bin`), datas[i]);
});

test('FSInfo keeps the exact free count and a next-free hint (FAT32)', async () => {
  const { vol, dev } = await fresh(32, 70000);
  await vol.writeFile('/a', new Uint8Array(10000));
  await vol.flush();
  const re = await FatVolume.mount(dev);
  const layout = re.layout;
  const dv = new DataView(dev.bytes.buffer, layout.fsInfoSector * 512, 512);
  assert.equal(dv.getUint32(488, true), (await re.statfs()).freeClusters);
  const hint = dv.getUint32(492, true);
  assert.ok(hint >= 2 && hint <= layout.maxCluster);
});
