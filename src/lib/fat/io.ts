/**
 * Byte-granular I/O over a sector device and over a file's cluster list.
 * Partial sectors are read, patched and written back; runs of adjacent
 * clusters become one device request (bounded, so buffers stay small).
 */
import type { BlockDevice } from '../blockdev.js';
import { NTSTATUS } from '../../abi/ntstatus.js';
import { clusterToSector } from './bpb.js';
import type { VolumeContext } from './context.js';
import { FatError } from './error.js';

const MAX_REQUEST = 4 << 20;

export async function readBytes(dev: BlockDevice, byteOffset: number, dst: Uint8Array): Promise<void> {
  if (dst.length === 0) return;
  const ss = dev.sectorSize;
  const first = Math.floor(byteOffset / ss);
  const last = Math.floor((byteOffset + dst.length - 1) / ss);
  const head = byteOffset - first * ss;
  if (head === 0 && dst.length % ss === 0) {
    await dev.read(first, last - first + 1, dst);
    return;
  }
  const tmp = new Uint8Array((last - first + 1) * ss);
  await dev.read(first, last - first + 1, tmp);
  dst.set(tmp.subarray(head, head + dst.length));
}

export async function writeBytes(dev: BlockDevice, byteOffset: number, src: Uint8Array): Promise<void> {
  if (src.length === 0) return;
  const ss = dev.sectorSize;
  const first = Math.floor(byteOffset / ss);
  const last = Math.floor((byteOffset + src.length - 1) / ss);
  const head = byteOffset - first * ss;
  const count = last - first + 1;
  if (head === 0 && src.length % ss === 0) {
    await dev.write(first, count, src);
    return;
  }
  // Read-modify-write of the partial sectors at either end only.
  const tmp = new Uint8Array(count * ss);
  if (head !== 0) await dev.read(first, 1, tmp.subarray(0, ss));
  const tailEnd = (byteOffset + src.length) - last * ss;
  if (tailEnd !== ss && (last !== first || head === 0)) await dev.read(last, 1, tmp.subarray((count - 1) * ss));
  tmp.set(src, head);
  await dev.write(first, count, tmp);
}

/** Moves bytes [offset, offset+buf.length) of the space a cluster list covers. */
export async function transferClusters(ctx: VolumeContext, clusters: readonly number[], offset: number, buf: Uint8Array, write: boolean): Promise<void> {
  const { layout, dev } = ctx;
  const bpc = layout.bytesPerCluster;
  let done = 0;
  while (done < buf.length) {
    const pos = offset + done;
    const ci = Math.floor(pos / bpc);
    const within = pos - ci * bpc;
    const start = clusters[ci];
    if (start === undefined) throw new FatError(NTSTATUS.STATUS_INTERNAL_ERROR, `I/O at byte ${pos} is past the ${clusters.length} clusters of the chain`);
    let run = 1;
    while (ci + run < clusters.length && clusters[ci + run] === start + run && run * bpc - within < buf.length - done && run * bpc < MAX_REQUEST) run++;
    const n = Math.min(buf.length - done, run * bpc - within);
    const devByte = clusterToSector(layout, start) * layout.bytesPerSector + within;
    const piece = buf.subarray(done, done + n);
    if (write) await writeBytes(dev, devByte, piece);
    else await readBytes(dev, devByte, piece);
    done += n;
  }
}

/** Fills whole clusters with zeros (new directory clusters must read as empty). */
export async function zeroClusters(ctx: VolumeContext, clusters: readonly number[]): Promise<void> {
  const { layout, dev } = ctx;
  const zeros = new Uint8Array(Math.min(MAX_REQUEST, layout.bytesPerCluster * Math.max(1, clusters.length)));
  const perRequest = Math.max(1, Math.floor(zeros.length / layout.bytesPerCluster));
  for (let i = 0; i < clusters.length;) {
    let run = 1;
    while (i + run < clusters.length && run < perRequest && clusters[i + run] === clusters[i]! + run) run++;
    await dev.write(clusterToSector(layout, clusters[i]!), run * layout.sectorsPerCluster, zeros);
    i += run;
  }
}
