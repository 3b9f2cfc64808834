/**
 * Mutation fuzzing: thousands of corrupted variants of valid images (fixed
 * seed, so failures reproduce) go through every stage of the loader. Each
 * must either load or be refused with an NtStatusError; any other exception
 * (a TypeError from an undefined read, a RangeError from a DataView) fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtStatusError } from '../../src/abi/ntstatus.js';
import { lookupExport, parseExports } from '../../src/pe/exports.js';
import { parsePeImage } from '../../src/pe/image.js';
import { parseImports, refuseDelayImports } from '../../src/pe/imports.js';
import { ImageLoader } from '../../src/pe/loader.js';
import { mapImage } from '../../src/pe/mapped.js';
import { computeProtections } from '../../src/pe/protections.js';
import { relocateImage } from '../../src/pe/relocate.js';
import { memorySource } from '../../src/pe/source.js';
import { byName, byOrdinal } from '../../src/pe/symbol.js';
import { parseTls, refuseUnsupportedTls } from '../../src/pe/tls.js';
import { MemoryTarget } from './memory-target.js';
import { buildPe, CODE, sampleDll, sampleExe } from './pe-builder.js';

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000, 0x200, 0x10000];

function mutate(original: Uint8Array, rand: () => number, hotEnd: number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  // Mostly mutate headers and directory data, where parsing decisions are made.
  const offset = (): number => (rand() < 0.6 ? pick(Math.min(hotEnd, original.length)) : pick(original.length));
  let b = original.slice();
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const dv = new DataView(b.buffer);
    switch (pick(5)) {
      case 0: b[offset()] = pick(256); break;
      case 1: b[offset()]! ^= 1 << pick(8); break;
      case 2: { const at = offset(); if (at + 4 <= b.length) dv.setUint32(at & ~3, INTERESTING[pick(INTERESTING.length)]!, true); break; }
      case 3: { const at = offset(); if (at + 2 <= b.length) dv.setUint16(at & ~1, pick(0x10000), true); break; }
      case 4: if (rand() < 0.3) b = b.slice(0, pick(b.length)); break;
    }
  }
  return b;
}

/** Every stage, the way the loader and other callers use them. */
function exercise(bytes: Uint8Array, name: string, others: Record<string, Uint8Array>): void {
  const pe = parsePeImage(bytes, name);
  computeProtections(pe);
  const img = mapImage(pe);
  parseTls(img);
  refuseUnsupportedTls(img);
  refuseDelayImports(img);
  parseImports(img);
  const ex = parseExports(img);
  for (const n of ex.names) lookupExport(ex, byName(n));
  for (let o = 0; o < 8; o++) lookupExport(ex, byOrdinal(o));
  relocateImage(img, 0x30000000);
  const target = new MemoryTarget();
  new ImageLoader({ target, source: memorySource({ ...others, [name]: bytes }), findFreeRange: target.freeRangeFinder() }).load({ name, path: name, bytes });
}

function fuzz(label: string, original: Uint8Array, name: string, others: Record<string, Uint8Array>, seed: number, iterations: number): void {
  exercise(original, name, others); // the unmutated image loads
  const rand = prng(seed);
  const hotEnd = 0x400;
  let refused = 0;
  for (let i = 0; i < iterations; i++) {
    const b = mutate(original, rand, hotEnd);
    try {
      exercise(b, name, others);
    } catch (e) {
      if (e instanceof NtStatusError) {
        refused++;
        assert.ok(e.message.length > 0 && e.message.includes(name), `message names the image: ${e.message}`);
        continue;
      }
      assert.fail(`${label} iteration ${i} (seed ${seed}): ${String(e)}\n${(e as Error).stack ?? ''}`);
    }
  }
  // Sanity: the mutations are not all harmless, nor all fatal.
  assert.ok(refused > iterations / 10 && refused < iterations, `${label}: ${refused}/${iterations} refused`);
}

test('mutated EXE images: success or NtStatusError, never another exception', () => {
  const dll = sampleDll();
  const exe = sampleExe([{ dll: 'UTIL.dll', symbols: ['Alpha', 'Beta', 2] }]);
  fuzz('exe', exe.bytes, 'hello.exe', { 'util.dll': dll.bytes }, 0xc0ffee, 2000);
});

test('mutated DLL images with exports, forwarders and relocations', () => {
  const dll = sampleDll('util.dll', {
    exports: { dllName: 'util.dll', ordinalBase: 0, entries: [
      { name: 'Alpha', ordinal: 1, at: { section: '.text', offset: 0 } },
      { name: 'Beta', at: { section: '.text', offset: 8 } },
      { name: 'Fwd', forwarder: 'core.Real' },
      { name: 'Self', forwarder: 'util.Self' },
    ] },
  });
  const core = buildPe({ dll: true, imageBase: 0x14000000, sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], exports: { dllName: 'core.dll', entries: [{ name: 'Real', at: { section: '.text', offset: 0 } }] } });
  fuzz('dll', dll.bytes, 'util.dll', { 'core.dll': core.bytes }, 0x5eed, 2000);
});

test('mutated images with a TLS directory', () => {
  const exe = buildPe({ sections: [{ name: '.text', characteristics: CODE, data: [0xc3] }], entry: { section: '.text', offset: 0 }, tls: { templateSize: 0 } });
  fuzz('tls', exe.bytes, 'tls.exe', {}, 42, 1000);
});
