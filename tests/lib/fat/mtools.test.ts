/**
 * Validation against tools we did not write (dosfstools, mtools):
 *  (a) images made by mkfs.fat and filled by mcopy read back identically here;
 *  (b) images this library writes after random workloads pass fsck.fat -n
 *      and read back byte-identically through mtools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { FileBlockDevice } from '../../../src/lib/blockdev.js';
import { formatVolume } from '../../../src/lib/fat/format.js';
import { FatVolume } from '../../../src/lib/fat/volume.js';
import { FatError } from '../../../src/lib/fat/error.js';
import { requireTools, Rng, run, scratchDir } from '../testkit.js';
import { makeHostTree, randomName, randomSize, readVolume, summary, type TreeModel } from './fatkit.js';

const CONFIGS = [
  { type: 12, kib: 3000 },
  { type: 16, kib: 24000 },
  { type: 32, kib: 40000 },
] as const;

for (const { type, kib } of CONFIGS) {
  test(`(a) mkfs.fat FAT${type} filled by mcopy reads back identically`, async (t) => {
    if (!requireTools(t, ['mkfs.fat', 'mcopy', 'mdir'])) return;
    const { dir, cleanup } = scratchDir(`mkfs${type}`);
    try {
      const img = join(dir, 'disk.img');
      run('mkfs.fat', ['-C', '-F', String(type), '-n', 'MKFS', '--invariant', img, String(kib)]);
      const host = join(dir, 'tree');
      const model = makeHostTree(host, new Rng(1000 + type), { files: type === 12 ? 40 : 80, maxDepth: 6, maxSize: type === 12 ? 40000 : 200000 });
      const top = [...model.keys()].filter((p) => p.lastIndexOf('/') === 0).map((p) => join(host, p));
      run('mcopy', ['-s', '-m', '-i', img, ...top, '::/']);
      const dev = await FileBlockDevice.open(img, { readOnly: true });
      try {
        // mtools writes 8.3-fitting names such as "ünïcode.c" as short names only, in its default code page 850.
        const vol = await FatVolume.mount(dev, { codePage: 850 });
        assert.equal(vol.fatType, type);
        assert.equal(await vol.getLabel(), 'MKFS');
        const got = await readVolume(vol);
        assert.deepEqual(summary(got), summary(model));
        for (const [p, data] of model) {
          if (data) assert.deepEqual(got.get(p), data, p);
        }
        // mcopy -m kept the host times, which we set to even seconds.
        for (const [p, data] of model) {
          if (!data) continue;
          const st = await vol.stat(p);
          assert.equal(st.modified!.getTime(), statSync(join(host, p)).mtime.getTime(), `mtime of ${p}`);
          break;
        }
      } finally {
        await dev.close();
      }
    } finally {
      cleanup();
    }
  });
}

/** Applies `steps` random operations to the volume and to a model of it. */
async function workload(vol: FatVolume, rng: Rng, steps: number, maxSize: number): Promise<TreeModel> {
  const model: TreeModel = new Map();
  const dirs = () => ['', ...[...model].filter(([, d]) => d === null).map(([p]) => p)];
  const files = () => [...model].filter(([, d]) => d !== null).map(([p]) => p);
  const taken = (p: string) => [...model.keys()].some((k) => k.toUpperCase() === p.toUpperCase());
  const newPath = (parent: string) => {
    for (;;) {
      const p = `${parent}/${randomName(rng)}`;
      if (!taken(p)) return p;
    }
  };
  for (let i = 0; i < steps; i++) {
    const op = rng.float();
    const fs = files();
    try {
      if (op < 0.3 || fs.length === 0) {
        const p = newPath(rng.pick(dirs()));
        const data = rng.bytes(randomSize(rng, maxSize));
        await vol.writeFile(p, data);
        model.set(p, data);
      } else if (op < 0.45) {
        const p = rng.pick(fs);
        const old = model.get(p)!;
        const pos = rng.int(0, old.length + 3000);
        const chunk = rng.bytes(rng.int(1, 9000));
        const f = await vol.open(p);
        await f.write(pos, chunk);
        await f.close();
        const next = new Uint8Array(Math.max(old.length, pos + chunk.length));
        next.set(old);
        next.set(chunk, pos);
        model.set(p, next);
      } else if (op < 0.55) {
        const p = rng.pick(fs);
        const old = model.get(p)!;
        const size = rng.float() < 0.7 ? rng.int(0, old.length) : old.length + rng.int(1, 5000);
        await vol.truncate(p, size);
        const next = new Uint8Array(size);
        next.set(old.subarray(0, Math.min(size, old.length)));
        model.set(p, next);
      } else if (op < 0.68) {
        const p = rng.pick(fs);
        await vol.unlink(p);
        model.delete(p);
      } else if (op < 0.8) {
        // Rename a file or a directory, possibly into another directory.
        const all = [...model.keys()];
        const from = rng.pick(all);
        const candidates = dirs().filter((d) => d !== from && !d.startsWith(from + '/'));
        const to = newPath(rng.pick(candidates));
        await vol.rename(from, to);
        for (const [k, v] of [...model]) {
          if (k === from || k.startsWith(from + '/')) {
            model.delete(k);
            model.set(to + k.slice(from.length), v);
          }
        }
      } else if (op < 0.93) {
        const parent = rng.pick(dirs());
        if (parent.split('/').length > 8) continue;
        const p = newPath(parent);
        await vol.mkdir(p);
        model.set(p, null);
      } else {
        const empty = dirs().filter((d) => d !== '' && ![...model.keys()].some((k) => k.startsWith(d + '/')));
        if (empty.length === 0) continue;
        const p = rng.pick(empty);
        await vol.rmdir(p);
        model.delete(p);
      }
    } catch (e) {
      // A full small volume is a legal outcome; anything else is a bug.
      if (e instanceof FatError && /full/.test(e.message)) continue;
      throw e;
    }
  }
  return model;
}

for (const { type, kib } of CONFIGS) {
  test(`(b) FAT${type} after a random workload passes fsck.fat -n and reads back with mtools`, async (t) => {
    if (!requireTools(t, ['fsck.fat', 'mcopy', 'mdir'])) return;
    const { dir, cleanup } = scratchDir(`work${type}`);
    try {
      const img = join(dir, 'disk.img');
      const dev = await FileBlockDevice.create(img, kib * 1024);
      await formatVolume(dev, { fatType: type, label: 'WORKLOAD' });
      const vol = await FatVolume.mount(dev);
      const model = await workload(vol, new Rng(4242 + type), type === 12 ? 250 : 400, type === 12 ? 30000 : 120000);
      await vol.flush();
      await dev.close();

      const fsck = run('fsck.fat', ['-n', img], { allowFail: true });
      assert.equal(fsck.status, 0, `fsck.fat -n failed:\n${fsck.stdout}\n${fsck.stderr}`);
      assert.doesNotMatch(fsck.stdout.toString(), /differ|lost|wrong|invalid|bad/i);

      const listing = run('mdir', ['-/', '-b', '-i', img, '::']).stdout.toString().split('\n').filter(Boolean)
        .map((l) => l.replace(/^::/, '').replace(/\/$/, '')).sort();
      assert.deepEqual(listing, [...model.keys()].sort());
      for (const [p, data] of model) {
        if (!data) continue;
        const got = run('mcopy', ['-n', '-i', img, `::${p}`, '-']).stdout;
        assert.equal(got.length, data.length, `size of ${p}`);
        assert.ok(Buffer.from(data).equals(got), `contents of ${p}`);
      }
      // And our own reader agrees with the model after a fresh mount.
      const again = await FileBlockDevice.open(img, { readOnly: true });
      try {
        assert.deepEqual(summary(await readVolume(await FatVolume.mount(again))), summary(model));
      } finally {
        await again.close();
      }
    } finally {
      cleanup();
    }
  });
}
