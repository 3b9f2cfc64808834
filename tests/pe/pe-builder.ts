/**
 * A small PE32 image writer for tests: emits valid i386 images with chosen
 * sections, exports, imports, base relocations and TLS, and reports where
 * everything landed (header offsets, RVAs, IAT slots) so that tests can
 * corrupt one field at a time.
 *
 * Written from the PE/COFF specification, independent of the loader's code
 * (it shares only the numeric constants' meaning, not any parsing logic).
 */

export const CODE = 0x60000020; // CNT_CODE | MEM_EXECUTE | MEM_READ
export const DATA = 0xc0000040; // CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE
export const RDATA = 0x40000040; // CNT_INITIALIZED_DATA | MEM_READ

/** A place inside a user section. */
export interface Where {
  readonly section: string;
  readonly offset: number;
}

export interface SectionSpec {
  readonly name: string;
  readonly characteristics: number;
  readonly data: Uint8Array | readonly number[];
  /** Size in memory; defaults to data.length (at least 1). Larger = zero-filled tail. */
  readonly virtualSize?: number;
}

export interface ExportSpec {
  readonly name?: string;
  /** Absolute ordinal; defaults to the next free one. */
  readonly ordinal?: number;
  readonly at?: Where;
  readonly forwarder?: string;
}

export interface PeSpec {
  readonly imageBase?: number;
  readonly dll?: boolean;
  readonly sections: readonly SectionSpec[];
  readonly entry?: Where;
  readonly exports?: { readonly dllName: string; readonly ordinalBase?: number; readonly entries: readonly ExportSpec[] };
  /** Symbols: a string imports by name, a number by ordinal. */
  readonly imports?: readonly { readonly dll: string; readonly symbols: readonly (string | number)[] }[];
  /** Absolute pointers to write (at → VA of `to`), each with a HIGHLOW relocation. */
  readonly pointers?: readonly { readonly at: Where; readonly to: Where }[];
  /** Emit a .reloc section even with no fixups (an empty-but-present directory is not emitted). */
  readonly noRelocations?: boolean;
  readonly relocsStripped?: boolean;
  /** Extra raw relocation entries: RVA-in-section and type. */
  readonly extraRelocations?: readonly { readonly at: Where; readonly type: number; readonly extra?: number }[];
  readonly tls?: { readonly templateSize: number; readonly zeroFill?: number; readonly callbacks?: readonly Where[] };
  readonly sectionAlignment?: number;
  readonly fileAlignment?: number;
  readonly dllCharacteristics?: number;
  readonly subsystem?: number;
}

export interface BuiltPe {
  readonly bytes: Uint8Array;
  readonly imageBase: number;
  readonly sizeOfImage: number;
  readonly peOffset: number;
  readonly coffOffset: number;
  readonly optionalOffset: number;
  readonly sectionTableOffset: number;
  readonly sizeOfHeaders: number;
  /** Section name → header index, RVA, file offset. */
  readonly sections: ReadonlyMap<string, { index: number; rva: number; fileOffset: number; rawSize: number; virtualSize: number }>;
  /** "dll!symbol" (symbol as given, ordinals as "#n") → IAT slot RVA. */
  readonly iat: ReadonlyMap<string, number>;
  /** Data directory RVAs by index (0 when absent). */
  readonly directories: readonly { rva: number; size: number }[];
  rvaOf(where: Where): number;
  /** File offset of the optional header's data directory `index` entry. */
  directoryEntryOffset(index: number): number;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Growable little-endian byte buffer. */
class Bytes {
  private buf = new Uint8Array(256);
  length = 0;
  private ensure(n: number): void {
    if (n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(n, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }
  u8(v: number): void { this.ensure(this.length + 1); this.buf[this.length++] = v & 0xff; }
  u16(v: number): void { this.u8(v); this.u8(v >>> 8); }
  u32(v: number): void { this.u16(v & 0xffff); this.u16(v >>> 16); }
  bytes(b: Uint8Array | readonly number[]): void { for (const x of b) this.u8(x); }
  asciiz(s: string): void { for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i)); this.u8(0); }
  align(a: number): void { while (this.length % a !== 0) this.u8(0); }
  setU32(at: number, v: number): void { this.buf[at] = v & 0xff; this.buf[at + 1] = (v >>> 8) & 0xff; this.buf[at + 2] = (v >>> 16) & 0xff; this.buf[at + 3] = (v >>> 24) & 0xff; }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
}
export function writeU16(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(at, v & 0xffff, true);
}
export function readU32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

/** A generated section: its content depends on its own RVA, its size does not. */
interface Generated {
  name: string;
  characteristics: number;
  build(rva: number): Uint8Array;
}

export function buildPe(spec: PeSpec): BuiltPe {
  const imageBase = spec.imageBase ?? (spec.dll ? 0x10000000 : 0x400000);
  const SA = spec.sectionAlignment ?? 0x1000;
  const FA = spec.fileAlignment ?? 0x200;
  const peOffset = 0x80;
  const coffOffset = peOffset + 4;
  const optionalOffset = coffOffset + 20;
  const optionalSize = 96 + 16 * 8;
  const sectionTableOffset = optionalOffset + optionalSize;

  // --- Section RVAs: user sections first, then generated ones in a fixed order.
  const generated: Generated[] = [];
  const directories = Array.from({ length: 16 }, () => ({ rva: 0, size: 0 }));
  const iat = new Map<string, number>();
  const relocRvas: { rva: number; type: number; extra?: number }[] = [];
  const userLayout = new Map<string, number>();
  const rvaOf = (w: Where): number => {
    const r = userLayout.get(w.section);
    if (r === undefined) throw new Error(`builder: no section ${w.section}`);
    return r + w.offset;
  };

  if (spec.exports) {
    const ex = spec.exports;
    generated.push({ name: '.edata', characteristics: RDATA, build: (rva) => buildExports(ex, rva, rvaOf, directories) });
  }
  if (spec.imports && spec.imports.length > 0) {
    const im = spec.imports;
    generated.push({ name: '.idata', characteristics: DATA, build: (rva) => buildImports(im, rva, directories, iat) });
  }
  if (spec.tls) {
    const tls = spec.tls;
    generated.push({ name: '.tls', characteristics: DATA, build: (rva) => buildTls(tls, rva, imageBase, rvaOf, directories, relocRvas) });
  }
  const wantRelocs = !spec.noRelocations;
  const numberOfSections = spec.sections.length + generated.length + (wantRelocs ? 1 : 0);
  const sizeOfHeaders = alignUp(sectionTableOffset + 40 * numberOfSections, FA);

  interface Laid { name: string; characteristics: number; data: Uint8Array; virtualSize: number; rva: number }
  const laid: Laid[] = [];
  let nextRva = alignUp(sizeOfHeaders, SA);
  for (const s of spec.sections) {
    const data = Uint8Array.from(s.data);
    const virtualSize = s.virtualSize ?? Math.max(1, data.length);
    userLayout.set(s.name, nextRva);
    laid.push({ name: s.name, characteristics: s.characteristics, data, virtualSize, rva: nextRva });
    nextRva = alignUp(nextRva + virtualSize, SA);
  }
  // Pointers are written into user data now that RVAs are known.
  for (const p of spec.pointers ?? []) {
    const target = laid.find((l) => l.name === p.at.section)!;
    writeU32(target.data, p.at.offset, imageBase + rvaOf(p.to));
    relocRvas.push({ rva: rvaOf(p.at), type: 3 });
  }
  for (const x of spec.extraRelocations ?? []) relocRvas.push({ rva: rvaOf(x.at), type: x.type, extra: x.extra });
  for (const g of generated) {
    const data = g.build(nextRva);
    laid.push({ name: g.name, characteristics: g.characteristics, data, virtualSize: Math.max(1, data.length), rva: nextRva });
    nextRva = alignUp(nextRva + Math.max(1, data.length), SA);
  }
  if (wantRelocs) {
    const data = buildRelocations(relocRvas);
    const rva = nextRva;
    directories[5] = { rva, size: data.length };
    laid.push({ name: '.reloc', characteristics: 0x42000040, data, virtualSize: Math.max(1, data.length), rva });
    nextRva = alignUp(nextRva + Math.max(1, data.length), SA);
    if (data.length === 0) directories[5] = { rva: 0, size: 0 };
  }
  const sizeOfImage = nextRva;

  // --- File layout.
  let fileOffset = sizeOfHeaders;
  const sections = new Map<string, { index: number; rva: number; fileOffset: number; rawSize: number; virtualSize: number }>();
  const placed = laid.map((l, index) => {
    const rawSize = alignUp(l.data.length, FA);
    const at = rawSize === 0 ? 0 : fileOffset;
    fileOffset += rawSize;
    sections.set(l.name, { index, rva: l.rva, fileOffset: at, rawSize, virtualSize: l.virtualSize });
    return { ...l, rawSize, at };
  });
  const out = new Bytes();
  // DOS header: MZ, e_lfanew at 0x3c, the rest zero (no stub program needed).
  out.u16(0x5a4d);
  while (out.length < 0x3c) out.u8(0);
  out.u32(peOffset);
  while (out.length < peOffset) out.u8(0);
  out.u32(0x00004550);
  // COFF header.
  let characteristics = 0x0002 | 0x0100; // EXECUTABLE_IMAGE | 32BIT_MACHINE
  if (spec.dll) characteristics |= 0x2000;
  if (spec.relocsStripped) characteristics |= 0x0001;
  out.u16(0x14c);
  out.u16(numberOfSections);
  out.u32(0); // TimeDateStamp (reproducible)
  out.u32(0);
  out.u32(0);
  out.u16(optionalSize);
  out.u16(characteristics);
  // Optional header (PE32).
  const codeSize = placed.filter((p) => p.characteristics & 0x20).reduce((n, p) => n + p.rawSize, 0);
  out.u16(0x10b);
  out.u8(14);
  out.u8(0);
  out.u32(codeSize);
  out.u32(0);
  out.u32(0);
  out.u32(spec.entry ? rvaOf(spec.entry) : 0);
  out.u32(placed[0]?.rva ?? 0); // BaseOfCode
  out.u32(0); // BaseOfData
  out.u32(imageBase);
  out.u32(SA);
  out.u32(FA);
  out.u16(6); out.u16(0); // OS version
  out.u16(0); out.u16(0); // image version
  out.u16(6); out.u16(0); // subsystem version
  out.u32(0); // Win32VersionValue
  out.u32(sizeOfImage);
  out.u32(sizeOfHeaders);
  out.u32(0); // CheckSum
  out.u16(spec.subsystem ?? 1);
  out.u16(spec.dllCharacteristics ?? 0x0540); // DYNAMIC_BASE | NX_COMPAT | NO_SEH
  out.u32(0x100000); out.u32(0x1000); out.u32(0x100000); out.u32(0x1000);
  out.u32(0); // LoaderFlags
  out.u32(16);
  for (const d of directories) { out.u32(d.rva); out.u32(d.size); }
  // Section table.
  for (const p of placed) {
    for (let i = 0; i < 8; i++) out.u8(i < p.name.length ? p.name.charCodeAt(i) : 0);
    out.u32(p.virtualSize);
    out.u32(p.rva);
    out.u32(p.rawSize);
    out.u32(p.at);
    out.u32(0); out.u32(0); out.u16(0); out.u16(0);
    out.u32(p.characteristics);
  }
  while (out.length < sizeOfHeaders) out.u8(0);
  for (const p of placed) {
    out.bytes(p.data);
    while (out.length < p.at + p.rawSize) out.u8(0);
  }

  return {
    bytes: out.done(),
    imageBase,
    sizeOfImage,
    peOffset,
    coffOffset,
    optionalOffset,
    sectionTableOffset,
    sizeOfHeaders,
    sections,
    iat,
    directories,
    rvaOf,
    directoryEntryOffset: (index) => optionalOffset + 96 + 8 * index,
  };
}

function buildExports(
  ex: NonNullable<PeSpec['exports']>,
  rva: number,
  rvaOf: (w: Where) => number,
  directories: { rva: number; size: number }[],
): Uint8Array {
  const base = ex.ordinalBase ?? 1;
  // Unnumbered entries take ordinals after the highest explicit one.
  let next = Math.max(base, ...ex.entries.map((e) => (e.ordinal ?? -1) + 1));
  const entries = ex.entries.map((e) => ({ ...e, ordinal: e.ordinal ?? next++ }));
  const functionCount = entries.length === 0 ? 0 : Math.max(...entries.map((e) => e.ordinal)) - base + 1;
  const named = entries.filter((e) => e.name !== undefined).sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
  // Layout: header | address table | name pointers | ordinals | strings.
  const addressTable = rva + 40;
  const namePointers = addressTable + 4 * functionCount;
  const ordinals = namePointers + 4 * named.length;
  const stringsAt = ordinals + 2 * named.length;
  const strings = new Bytes();
  const addString = (s: string): number => { const at = stringsAt + strings.length; strings.asciiz(s); return at; };
  const dllNameRva = addString(ex.dllName);
  const nameRvas = named.map((e) => addString(e.name!));
  const addresses = new Array<number>(functionCount).fill(0);
  for (const e of entries) {
    addresses[e.ordinal - base] = e.forwarder !== undefined ? addString(e.forwarder) : e.at ? rvaOf(e.at) : 0;
  }
  const b = new Bytes();
  b.u32(0); b.u32(0); b.u16(0); b.u16(0);
  b.u32(dllNameRva); b.u32(base); b.u32(functionCount); b.u32(named.length);
  b.u32(functionCount ? addressTable : 0); b.u32(named.length ? namePointers : 0); b.u32(named.length ? ordinals : 0);
  for (const a of addresses) b.u32(a);
  for (const n of nameRvas) b.u32(n);
  for (const e of named) b.u16(e.ordinal - base);
  b.bytes(strings.done());
  directories[0] = { rva, size: b.length };
  return b.done();
}

function buildImports(
  imports: NonNullable<PeSpec['imports']>,
  rva: number,
  directories: { rva: number; size: number }[],
  iat: Map<string, number>,
): Uint8Array {
  // Layout: descriptors (+ null) | per DLL: ILT, IAT (each + null) | hint/names | DLL names.
  const descriptors = rva;
  let at = descriptors + 20 * (imports.length + 1);
  const tables = imports.map((d) => {
    const ilt = at;
    at += 4 * (d.symbols.length + 1);
    const iatRva = at;
    at += 4 * (d.symbols.length + 1);
    return { ilt, iat: iatRva };
  });
  const iatStart = tables[0]!.iat;
  const strings = new Bytes();
  const stringsAt = at;
  const hintNames = imports.map((d) => d.symbols.map((s) => {
    if (typeof s === 'number') return 0x80000000 | s;
    strings.align(2);
    const r = stringsAt + strings.length;
    strings.u16(0); // hint
    strings.asciiz(s);
    return r;
  }));
  const dllNames = imports.map((d) => { const r = stringsAt + strings.length; strings.asciiz(d.dll); return r; });
  const b = new Bytes();
  imports.forEach((_, i) => { b.u32(tables[i]!.ilt); b.u32(0); b.u32(0); b.u32(dllNames[i]!); b.u32(tables[i]!.iat); });
  for (let i = 0; i < 5; i++) b.u32(0);
  imports.forEach((d, i) => {
    for (const v of hintNames[i]!) b.u32(v);
    b.u32(0);
    d.symbols.forEach((s, j) => { iat.set(`${d.dll}!${typeof s === 'number' ? `#${s}` : s}`, tables[i]!.iat + 4 * j); b.u32(hintNames[i]![j]!); });
    b.u32(0);
  });
  b.bytes(strings.done());
  directories[1] = { rva, size: 20 * (imports.length + 1) };
  directories[12] = { rva: iatStart, size: at - iatStart };
  return b.done();
}

function buildTls(
  tls: NonNullable<PeSpec['tls']>,
  rva: number,
  imageBase: number,
  rvaOf: (w: Where) => number,
  directories: { rva: number; size: number }[],
  relocs: { rva: number; type: number }[],
): Uint8Array {
  // Layout: directory (24) | index slot (4) | callbacks (+ null) | template.
  const callbacks = tls.callbacks ?? [];
  const index = rva + 24;
  const callbackArray = index + 4;
  const template = callbackArray + 4 * (callbacks.length + 1);
  const b = new Bytes();
  b.u32(imageBase + template);
  b.u32(imageBase + template + tls.templateSize);
  b.u32(imageBase + index);
  b.u32(callbacks.length ? imageBase + callbackArray : 0);
  b.u32(tls.zeroFill ?? 0);
  b.u32(0);
  b.u32(0);
  for (const c of callbacks) b.u32(imageBase + rvaOf(c));
  b.u32(0);
  for (let i = 0; i < tls.templateSize; i++) b.u8(0xaa);
  relocs.push({ rva, type: 3 }, { rva: rva + 4, type: 3 }, { rva: rva + 8, type: 3 });
  if (callbacks.length) relocs.push({ rva: rva + 12, type: 3 });
  callbacks.forEach((_, i) => relocs.push({ rva: callbackArray + 4 * i, type: 3 }));
  directories[9] = { rva, size: 24 };
  return b.done();
}

/** Base relocation blocks, one per 4 KiB page, each padded to 4 bytes with an ABSOLUTE entry. */
export function buildRelocations(relocs: readonly { rva: number; type: number; extra?: number }[]): Uint8Array {
  const byPage = new Map<number, { rva: number; type: number; extra?: number }[]>();
  for (const r of relocs) {
    const page = r.rva & ~0xfff;
    if (!byPage.has(page)) byPage.set(page, []);
    byPage.get(page)!.push(r);
  }
  const b = new Bytes();
  for (const page of [...byPage.keys()].sort((x, y) => x - y)) {
    const entries: number[] = [];
    for (const r of byPage.get(page)!) {
      entries.push((r.type << 12) | (r.rva & 0xfff));
      if (r.extra !== undefined) entries.push(r.extra & 0xffff);
    }
    if (entries.length % 2 !== 0) entries.push(0);
    b.u32(page);
    b.u32(8 + 2 * entries.length);
    for (const e of entries) b.u16(e);
  }
  return b.done();
}

/** A tiny DLL + EXE pair most tests start from. */
export function sampleDll(name = 'util.dll', extra: Partial<PeSpec> = {}): BuiltPe {
  return buildPe({
    dll: true,
    imageBase: 0x10000000,
    sections: [
      { name: '.text', characteristics: CODE, data: [0xb8, 1, 0, 0, 0, 0xc3, 0x90, 0x90, 0xb8, 2, 0, 0, 0, 0xc3] },
      { name: '.data', characteristics: DATA, data: new Uint8Array(16), virtualSize: 0x2000 },
    ],
    exports: {
      dllName: name,
      entries: [
        { name: 'Alpha', at: { section: '.text', offset: 0 } },
        { name: 'Beta', at: { section: '.text', offset: 8 } },
        { name: 'Counter', at: { section: '.data', offset: 0 } },
      ],
    },
    pointers: [{ at: { section: '.data', offset: 4 }, to: { section: '.text', offset: 8 } }],
    ...extra,
  });
}

export function sampleExe(imports: PeSpec['imports'] = [{ dll: 'UTIL.dll', symbols: ['Alpha', 'Beta'] }], extra: Partial<PeSpec> = {}): BuiltPe {
  return buildPe({
    sections: [
      { name: '.text', characteristics: CODE, data: [0x31, 0xc0, 0xc3] },
      { name: '.data', characteristics: DATA, data: new Uint8Array(8) },
    ],
    entry: { section: '.text', offset: 0 },
    imports,
    pointers: [{ at: { section: '.data', offset: 0 }, to: { section: '.text', offset: 0 } }],
    ...extra,
  });
}
