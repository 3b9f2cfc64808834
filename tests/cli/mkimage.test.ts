/**
 * (c) `neptune mkimage` output checked by tools we did not write: the FAT
 * partition passes fsck.fat -n and mtools reads every file back through
 * the partition offset (-i img@@1M), for MBR and GPT; plus the usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync, readSync, writeSync, closeSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { mkimage } from '../../src/cli/commands/mkimage.js';
import { CliError, EXIT_NOT_FOUND, EXIT_USAGE, type CliContext } from '../../src/cli/command.js';
import { FileBlockDevice, SliceBlockDevice } from '../../src/lib/blockdev.js';
import { readPartitions } from '../../src/lib/partition/index.js';
import { FatVolume } from '../../src/lib/fat/volume.js';
import { requireTools, Rng, run, scratchDir } from '../lib/testkit.js';
import { makeHostTree, readVolume, summary, type TreeModel } from '../lib/fat/fatkit.js';

function ctx(): CliContext & { out: () => string } {
  let text = '';
  const sink = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { debug: false, stdout: sink, stderr: sink, out: () => text };
}

/** Copies the partition out to its own file, since fsck.fat has no offset option. */
function extract(img: string, startLba: number, sectors: number, out: string): void {
  const src = openSync(img, 'r');
  const dst = openSync(out, 'w');
  const buf = Buffer.alloc(1 << 20);
  for (let done = 0; done < sectors * 512;) {
    const n = readSync(src, buf, 0, Math.min(buf.length, sectors * 512 - done), startLba * 512 + done);
    writeSync(dst, buf, 0, n);
    done += n;
  }
  closeSync(src);
  closeSync(dst);
}

async function check(t: import('node:test').TestContext, dir: string, args: string[], model: TreeModel, expect: { scheme: 'mbr' | 'gpt'; fatType?: number; label?: string }) {
  const img = join(dir, `out-${expect.scheme}-${expect.fatType ?? 'auto'}.img`);
  const c = ctx();
  assert.equal(await mkimage.run([...args, img], c), 0);
  assert.match(c.out(), new RegExp(`${expect.scheme.toUpperCase()}, FAT${expect.fatType ?? '\\d+'} partition at LBA 2048`));
  assert.equal(statSync(img).size % (1 << 20), 0);

  const dev = await FileBlockDevice.open(img, { readOnly: true });
  let part;
  try {
    const table = await readPartitions(dev);
    assert.equal(table.scheme, expect.scheme);
    assert.equal(table.partitions.length, 1);
    part = table.partitions[0]!;
    assert.equal(part.startLba, 2048);
    if (expect.scheme === 'gpt') assert.equal(part.type, 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7');
    const vol = await FatVolume.mount(new SliceBlockDevice(dev, part.startLba, part.sectorCount));
    if (expect.fatType) assert.equal(vol.fatType, expect.fatType);
    if (expect.label) assert.equal(await vol.getLabel(), expect.label);
    assert.equal(vol.layout.hiddenSectors, 2048);
    assert.deepEqual(summary(await readVolume(vol)), summary(model));
  } finally {
    await dev.close();
  }

  if (!requireTools(t, ['fsck.fat', 'mcopy', 'mdir'])) return;
  const partImg = join(dir, 'part.img');
  extract(img, part.startLba, part.sectorCount, partImg);
  const fsck = run('fsck.fat', ['-n', partImg], { allowFail: true });
  assert.equal(fsck.status, 0, `fsck.fat -n: ${fsck.stdout}${fsck.stderr}`);
  const at = `${img}@@${part.startLba * 512}`;
  const listing = run('mdir', ['-/', '-b', '-i', at, '::']).stdout.toString().split('\n').filter(Boolean).map((l) => l.replace(/^::/, '').replace(/\/$/, '')).sort();
  assert.deepEqual(listing, [...model.keys()].sort());
  for (const [p, data] of model) {
    if (data) assert.ok(run('mcopy', ['-n', '-i', at, `::${p}`, '-']).stdout.equals(Buffer.from(data)), `contents of ${p}`);
  }
}

test('mkimage: MBR (automatic FAT type and size), GPT FAT32, FAT12 with a label', async (t) => {
  const { dir, cleanup } = scratchDir('mkimage');
  try {
    const tree = join(dir, 'tree');
    const model = makeHostTree(tree, new Rng(2024), { files: 60, maxDepth: 5, maxSize: 150000 });
    await check(t, dir, ['--from', tree], model, { scheme: 'mbr' });
    await check(t, dir, ['--gpt', '--fat', '32', '--label', 'NEPTUNE', '--from', tree], model, { scheme: 'gpt', fatType: 32, label: 'NEPTUNE' });
    await check(t, dir, ['--fat', '12', '--label', 'small', '--from', tree], model, { scheme: 'mbr', fatType: 12, label: 'SMALL' });
    await check(t, dir, ['--fat', '16', '--size', '48M', '--gpt', '--from', tree], model, { scheme: 'gpt', fatType: 16 });
  } finally {
    cleanup();
  }
});

test('mkimage is reproducible with SOURCE_DATE_EPOCH', async () => {
  const { dir, cleanup } = scratchDir('mkimage-repro');
  const saved = process.env.SOURCE_DATE_EPOCH;
  try {
    const tree = join(dir, 'tree');
    makeHostTree(tree, new Rng(5), { files: 15, maxDepth: 3, maxSize: 20000 });
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    for (const name of ['a.img', 'b.img']) assert.equal(await mkimage.run(['--gpt', '--from', tree, join(dir, name)], ctx()), 0);
    assert.ok(readFileSync(join(dir, 'a.img')).equals(readFileSync(join(dir, 'b.img'))));
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
    cleanup();
  }
});

test('mkimage failures: missing directory (127), bad options and too small a size (usage, clear message)', async () => {
  const { dir, cleanup } = scratchDir('mkimage-err');
  try {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    const fails = async (args: string[], code: number, re: RegExp) => {
      await assert.rejects(mkimage.run(args, ctx()), (e: unknown) => e instanceof CliError && e.exitCode === code && re.test(e.message));
    };
    await fails(['--from', join(dir, 'nope'), join(dir, 'x.img')], EXIT_NOT_FOUND, /no such directory/);
    await fails(['--from', tree], EXIT_USAGE, /missing OUT\.img/);
    await fails([join(dir, 'x.img')], EXIT_USAGE, /missing --from/);
    await fails(['--fat', '13', '--from', tree, join(dir, 'x.img')], EXIT_USAGE, /12, 16 or 32/);
    await fails(['--size', 'lots', '--from', tree, join(dir, 'x.img')], EXIT_USAGE, /not a size/);
    await fails(['--fat', '32', '--size', '20M', '--from', tree, join(dir, 'x.img')], EXIT_USAGE, /too small for FAT32.*try --size 34M/);
    writeFileBig(join(tree, 'big.bin'), 3 << 20);
    await fails(['--size', '3M', '--from', tree, join(dir, 'x.img')], EXIT_USAGE, /too small: the tree needs/);
  } finally {
    cleanup();
  }
});

function writeFileBig(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.alloc(bytes, 1));
  closeSync(fd);
}
