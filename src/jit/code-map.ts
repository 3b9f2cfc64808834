/**
 * Where translated code lives, finer than a page: one bit per 32-byte chunk
 * of physical RAM that holds bytes of a decoded or translated instruction,
 * and one generation counter per physical page, bumped whenever code on
 * that page is thrown away.
 *
 *   write to a page holding code ──> CPU slow path ──> hooks.codeWritten(p, n)
 *        ──> chunk bits of [p, p+n) set?  no: data that merely shares the page, keep the code
 *                                         yes: drop the page's code, bump its generation
 *
 * Both arrays live in SharedArrayBuffers so that several cores can share one
 * map: a core that throws code away bumps the generation every core checks
 * before it runs anything from that page (docs/jit.md, "Invalidation").
 */
export const CHUNK_SHIFT = 5;

export class CodeMap {
  /** Bit (p >>> 5) & 31 of word p >>> 10: the 32-byte chunk at p holds code. */
  readonly bits: Int32Array;
  /** Per physical page: bumped (atomically) when code on the page is dropped. */
  readonly gen: Int32Array;
  readonly pages: number;

  constructor(ramBytes: number, shared?: { bits: SharedArrayBuffer; gen: SharedArrayBuffer }) {
    this.pages = Math.ceil(ramBytes / 4096);
    const bits = shared?.bits ?? new SharedArrayBuffer(this.pages * 16);
    const gen = shared?.gen ?? new SharedArrayBuffer(this.pages * 4);
    this.bits = new Int32Array(bits);
    this.gen = new Int32Array(gen);
    if (this.bits.length < this.pages * 4 || this.gen.length < this.pages) throw new Error('CodeMap: shared buffers are too small for this RAM size');
  }

  /** The buffers, for another core's CodeMap over the same RAM. */
  get buffers(): { bits: SharedArrayBuffer; gen: SharedArrayBuffer } {
    return { bits: this.bits.buffer as SharedArrayBuffer, gen: this.gen.buffer as SharedArrayBuffer };
  }

  /** Marks [p, p + len) as code (len > 0, within one page or across into the next). */
  mark(p: number, len: number): void {
    const last = (p + len - 1) >>> CHUNK_SHIFT;
    for (let c = p >>> CHUNK_SHIFT; c <= last; c++) {
      const w = c >>> 5, b = 1 << (c & 31);
      if ((this.bits[w]! & b) === 0) Atomics.or(this.bits, w, b);
    }
  }

  /** True when any chunk of [p, p + size) holds code. */
  hits(p: number, size: number): boolean {
    const last = (p + size - 1) >>> CHUNK_SHIFT;
    for (let c = p >>> CHUNK_SHIFT; c <= last; c++) if ((this.bits[c >>> 5]! >>> (c & 31)) & 1) return true;
    return false;
  }

  /** True when the page has any code chunk. */
  pageHasCode(pfn: number): boolean {
    const w = pfn << 2;
    return (this.bits[w]! | this.bits[w + 1]! | this.bits[w + 2]! | this.bits[w + 3]!) !== 0;
  }

  /** Forgets the page's code chunks and bumps its generation. */
  dropPage(pfn: number): void {
    const w = pfn << 2;
    for (let i = 0; i < 4; i++) Atomics.store(this.bits, w + i, 0);
    Atomics.add(this.gen, pfn, 1);
  }
}
