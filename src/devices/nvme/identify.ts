/**
 * Identify data structures (NVMe 1.4 §5.15.2): the controller (CNS 01h) and
 * namespace (CNS 00h) pages, built once per controller as 4 KiB templates.
 */

export interface NvmeIdentity {
  vendorId: number;
  subsystemVendorId: number;
  serial: string; // SN, 20 ASCII characters
  model: string; // MN, 40 ASCII characters
  firmware: string; // FR, 8 ASCII characters
  /** Maximum Data Transfer Size, as a power of two of the minimum page size (0 = no limit). */
  mdts: number;
  /** Number of I/O queue pairs the controller can allocate. */
  maxIoQueues: number;
  maxQueueEntries: number;
}

function ascii(b: Uint8Array, off: number, len: number, s: string): void {
  for (let i = 0; i < len; i++) b[off + i] = i < s.length ? s.charCodeAt(i) & 0x7f : 0x20; // space padded
}

function le16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

function le32(b: Uint8Array, off: number, v: number): void {
  le16(b, off, v);
  le16(b, off + 2, v >>> 16);
}

function le64(b: Uint8Array, off: number, v: number): void {
  le32(b, off, v % 2 ** 32);
  le32(b, off + 4, Math.floor(v / 2 ** 32));
}

export function identifyController(id: NvmeIdentity): Uint8Array {
  const b = new Uint8Array(4096);
  le16(b, 0, id.vendorId); // VID
  le16(b, 2, id.subsystemVendorId); // SSVID
  ascii(b, 4, 20, id.serial); // SN
  ascii(b, 24, 40, id.model); // MN
  ascii(b, 64, 8, id.firmware); // FR
  b[72] = 0; // RAB: arbitration burst 1
  b[73] = 0x4e; // IEEE OUI (locally chosen)
  b[74] = 0x54;
  b[75] = 0x00;
  b[76] = 0; // CMIC: one port, one controller
  b[77] = id.mdts; // MDTS
  le16(b, 78, 1); // CNTLID
  le32(b, 80, 0x00010400); // VER 1.4
  le32(b, 84, 0); // RTD3R
  le32(b, 88, 0); // RTD3E
  le32(b, 92, 0); // OAES: no optional async events
  le32(b, 96, 0); // CTRATT
  b[111] = 1; // CNTRLTYPE: I/O controller
  le16(b, 256, 0); // OACS: no optional admin commands
  b[258] = 3; // ACL: 4 concurrent Aborts (0-based)
  b[259] = 3; // AERL: 4 outstanding AERs (0-based)
  b[260] = 0x02; // FRMW: one slot, slot 1 read-only
  b[261] = 0x00; // LPA
  b[262] = 0; // ELPE: one error log entry (0-based)
  b[263] = 0; // NPSS: one power state (0-based)
  b[264] = 0; // AVSCC
  le16(b, 266, 0x0157); // WCTEMP (343 K)
  le16(b, 268, 0x0160); // CCTEMP
  b[512] = 0x66; // SQES: required and maximum 64 bytes
  b[513] = 0x44; // CQES: 16 bytes
  le16(b, 514, 0); // MAXCMD: not reported
  le32(b, 516, 1); // NN: one namespace
  le16(b, 520, (1 << 2) | (1 << 3)); // ONCS: Dataset Management, Write Zeroes
  le16(b, 522, 0); // FUSES
  b[524] = 0; // FNA
  b[525] = 1; // VWC: volatile write cache present (Flush makes it durable)
  le16(b, 526, 0); // AWUN
  le16(b, 528, 0); // AWUPF
  b[530] = 0; // NVSCC
  le32(b, 536, 0); // SGLS: SGLs not supported (PRPs only)
  const nqn = `nqn.2024-01.org.neptune-ts:nvme:${id.serial.trim()}`;
  for (let i = 0; i < nqn.length && i < 255; i++) b[768 + i] = nqn.charCodeAt(i) & 0x7f;
  // Power State 0 descriptor: MP = 9.00 W (centiwatts), entry/exit latency 0.
  le16(b, 2048, 900);
  return b;
}

/** Namespace 1: `blocks` logical blocks of 2^lbads bytes, one LBA format. */
export function identifyNamespace(blocks: number, lbads: number): Uint8Array {
  const b = new Uint8Array(4096);
  le64(b, 0, blocks); // NSZE
  le64(b, 8, blocks); // NCAP
  le64(b, 16, blocks); // NUSE
  b[24] = 0; // NSFEAT
  b[25] = 0; // NLBAF: one format (0-based)
  b[26] = 0; // FLBAS: format 0, no metadata
  b[27] = 0; // MC
  b[28] = 0; // DPC
  b[29] = 0; // DPS
  b[30] = 0; // NMIC
  b[33] = 0; // DLFEAT: deallocate is advisory (reads return the old data)
  le32(b, 128, lbads << 16); // LBAF0: MS = 0, LBADS, RP = 0 (best performance)
  return b;
}
