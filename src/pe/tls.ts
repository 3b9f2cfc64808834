/**
 * The TLS directory. Static TLS (a per-thread copy of the template data,
 * reached through the TEB's ThreadLocalStoragePointer) and TLS callbacks are
 * not supported yet; an image that needs either is refused by name. An
 * empty directory (no template, no zero fill, no callbacks) is accepted.
 *
 * PE32 layout: StartAddressOfRawData, EndAddressOfRawData, AddressOfIndex,
 * AddressOfCallBacks (all VAs at the preferred base), SizeOfZeroFill,
 * Characteristics.
 */
import { DIR_TLS } from './constants.js';
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';
import { failImage, hex } from './errors.js';
import { directory } from './mapped.js';
import type { MappedImage } from './mapped.js';

export interface TlsDirectory {
  readonly startAddressOfRawData: number;
  readonly endAddressOfRawData: number;
  readonly addressOfIndex: number;
  readonly addressOfCallBacks: number;
  readonly sizeOfZeroFill: number;
  readonly characteristics: number;
  /** Callback VAs (preferred base), in order. */
  readonly callbacks: readonly number[];
  /** Template bytes + zero fill. */
  readonly dataSize: number;
}

const TLS_DIRECTORY_SIZE = 24;
const MAX_TLS_CALLBACKS = 1024;

/** Parses the TLS directory (undefined when absent); VAs are checked to lie inside the image. */
export function parseTls(img: MappedImage): TlsDirectory | undefined {
  const dir = directory(img.pe, DIR_TLS);
  if (dir === undefined) return undefined;
  const { name, imageBase, sizeOfImage } = img.pe;
  const r = img.reader;
  if (dir.size < TLS_DIRECTORY_SIZE) failImage(name, `TLS directory size ${hex(dir.size)} is smaller than ${TLS_DIRECTORY_SIZE} bytes`);
  const start = r.u32(dir.rva, 'TLS StartAddressOfRawData');
  const end = r.u32(dir.rva + 4, 'TLS EndAddressOfRawData');
  const addressOfIndex = r.u32(dir.rva + 8, 'TLS AddressOfIndex');
  const addressOfCallBacks = r.u32(dir.rva + 12, 'TLS AddressOfCallBacks');
  const sizeOfZeroFill = r.u32(dir.rva + 16, 'TLS SizeOfZeroFill');
  const characteristics = r.u32(dir.rva + 20, 'TLS Characteristics');

  // A VA field (0 = absent) must land inside the image at its preferred base.
  const rvaOf = (va: number, field: string, size = 1): number => {
    const rva = va - imageBase;
    if (rva < 0 || rva + size > sizeOfImage) failImage(name, `TLS ${field} ${hex(va)} lies outside the image (${hex(imageBase)}..${hex(imageBase + sizeOfImage)})`);
    return rva;
  };
  if (end < start) failImage(name, `TLS EndAddressOfRawData ${hex(end)} is below StartAddressOfRawData ${hex(start)}`);
  if (start !== 0) rvaOf(start, 'StartAddressOfRawData', end - start);
  if (addressOfIndex !== 0) rvaOf(addressOfIndex, 'AddressOfIndex', 4);
  const callbacks: number[] = [];
  if (addressOfCallBacks !== 0) {
    const listRva = rvaOf(addressOfCallBacks, 'AddressOfCallBacks', 4);
    for (let i = 0; ; i++) {
      const cb = r.u32(listRva + 4 * i, 'TLS callback array entry');
      if (cb === 0) break;
      if (i >= MAX_TLS_CALLBACKS) failImage(name, `TLS callback array has no terminating zero within ${MAX_TLS_CALLBACKS} entries`);
      callbacks.push(cb);
    }
  }
  return {
    startAddressOfRawData: start, endAddressOfRawData: end, addressOfIndex, addressOfCallBacks, sizeOfZeroFill,
    characteristics, callbacks, dataSize: end - start + sizeOfZeroFill,
  };
}

/** Throws STATUS_NOT_IMPLEMENTED when the image needs static TLS or TLS callbacks. */
export function refuseUnsupportedTls(img: MappedImage): void {
  const tls = parseTls(img);
  if (tls === undefined) return;
  const name = img.pe.name;
  if (tls.callbacks.length > 0) {
    throw new NtStatusError(
      NTSTATUS.STATUS_NOT_IMPLEMENTED,
      `TLS callbacks in ${name} (${tls.callbacks.length}, first at ${hex(tls.callbacks[0]!)}) are not supported yet`,
    );
  }
  if (tls.dataSize > 0) {
    throw new NtStatusError(NTSTATUS.STATUS_NOT_IMPLEMENTED, `static TLS in ${name} (${tls.dataSize} bytes per thread) is not supported yet`);
  }
}
