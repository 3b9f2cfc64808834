/**
 * The 512-byte IDENTIFY DEVICE data of the model's SATA disk (ATA8-ACS
 * §7.16.7), with 48-bit addressing, DMA, write cache and FLUSH CACHE EXT
 * advertised, and the integrity word (255) checksummed.
 */

/** ATA strings: two characters per word, the first in the high byte; space padded. */
function ataString(w: Uint16Array, word: number, words: number, s: string): void {
  for (let i = 0; i < words; i++) {
    const a = 2 * i < s.length ? s.charCodeAt(2 * i) & 0x7f : 0x20;
    const b = 2 * i + 1 < s.length ? s.charCodeAt(2 * i + 1) & 0x7f : 0x20;
    w[word + i] = (a << 8) | b;
  }
}

/** Commands the disk queues with NCQ (tags 0..31, as many as the HBA's slots). */
export const NCQ_DEPTH = 32;

export function ataIdentify(sectors: number, serial: string, model: string, firmware: string): Uint8Array {
  const b = new Uint8Array(512);
  const w = new Uint16Array(b.buffer);
  w[0] = 0x0040; // fixed ATA device
  w[1] = 16383; // obsolete CHS geometry, as drivers still print it
  w[3] = 16;
  w[6] = 63;
  ataString(w, 10, 10, serial);
  ataString(w, 23, 4, firmware);
  ataString(w, 27, 20, model);
  w[47] = 0x8010; // READ/WRITE MULTIPLE: 16 sectors per DRQ block
  w[49] = 0x0300; // LBA and DMA supported
  w[50] = 0x4000;
  w[53] = 0x0006; // words 64-70 and 88 valid
  const lba28 = Math.min(sectors, 0x0fffffff);
  w[60] = lba28 & 0xffff;
  w[61] = lba28 >>> 16;
  w[63] = 0x0007; // multiword DMA 0-2 supported
  w[64] = 0x0003; // PIO 3-4
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[75] = NCQ_DEPTH - 1; // NCQ queue depth - 1 (bits 4:0)
  w[76] = 0x010e; // NCQ feature set supported (bit 8); SATA Gen1, Gen2, Gen3
  w[80] = 0x01f0; // ATA/ATAPI-5..ATA8-ACS
  w[82] = 0x4028; // NOP, write cache, power management supported
  w[83] = 0x7400; // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
  w[84] = 0x4000;
  w[85] = 0x4028; // enabled: write cache (and the rest above)
  w[86] = 0x3400;
  w[87] = 0x4000;
  w[88] = 0x407f; // UDMA 0-6 supported, mode 6 selected
  w[100] = sectors % 0x10000; // 48-bit max LBA + 1 (words 100-103)
  w[101] = Math.floor(sectors / 0x10000) % 0x10000;
  w[102] = Math.floor(sectors / 0x100000000) % 0x10000;
  w[103] = 0;
  w[106] = 0x4000; // one logical sector per physical sector, 512 bytes
  w[217] = 1; // non-rotating medium
  // Integrity word: signature A5h, and a checksum making all 512 bytes sum to 0 mod 256.
  b[510] = 0xa5;
  let sum = 0;
  for (let i = 0; i < 511; i++) sum += b[i]!;
  b[511] = (256 - (sum & 0xff)) & 0xff;
  return b;
}
