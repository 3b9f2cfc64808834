/**
 * Guest physical RAM: one SharedArrayBuffer, seen through typed-array views.
 *
 * Every worker (CPU cores, device models, the executive) wraps the same SAB
 * in its own GuestRam, so a DMA write by the NVMe worker is visible to a CPU
 * worker without any message. Physical addresses are byte offsets into the
 * buffer; RAM starts at physical 0 and its size is a multiple of 4 KiB.
 */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export const DEFAULT_RAM_BYTES = 256 * 1024 * 1024;
/** Physical addresses must stay below 2^31 so that they are non-negative int32s. */
export const MAX_RAM_BYTES = 2 * 1024 * 1024 * 1024 - PAGE_SIZE;

export class GuestRam {
  readonly sab: SharedArrayBuffer;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly view: DataView;

  constructor(sizeOrBuffer: number | SharedArrayBuffer = DEFAULT_RAM_BYTES) {
    if (typeof sizeOrBuffer === 'number') {
      const size = sizeOrBuffer;
      if (!Number.isInteger(size) || size < PAGE_SIZE || size % PAGE_SIZE !== 0 || size > MAX_RAM_BYTES) {
        throw new RangeError(`guest RAM size must be a multiple of 4 KiB between 4 KiB and ${MAX_RAM_BYTES} bytes (got ${size})`);
      }
      this.sab = new SharedArrayBuffer(size);
    } else {
      this.sab = sizeOrBuffer;
    }
    this.size = this.sab.byteLength;
    this.u8 = new Uint8Array(this.sab);
    this.u16 = new Uint16Array(this.sab);
    this.i32 = new Int32Array(this.sab);
    this.u32 = new Uint32Array(this.sab);
    this.f32 = new Float32Array(this.sab);
    this.f64 = new Float64Array(this.sab);
    this.view = new DataView(this.sab);
  }

  /** True when [paddr, paddr+len) lies inside RAM. */
  contains(paddr: number, len: number): boolean {
    return paddr >= 0 && len >= 0 && paddr + len <= this.size;
  }
}

/** Parses a size such as "256M", "1G", "65536", "64KiB" into bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) throw new RangeError(`not a size: "${text}" (examples: 256M, 1G, 65536)`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(parseFloat(m[1]!) * mult[m[2]!.toLowerCase()]!);
}
