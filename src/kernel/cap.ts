/**
 * The capability table format: one slot (seL4's cte_t) is 8 int32 words in
 * kernel object memory, addressed by its physical byte address.
 *
 *   word 0  type (bits 0-4) | rights W,R,G,GR (bits 5-8) | mdbRevocable (bit 9)
 *           | mdbFirstBadged (bit 10) | type-specific small fields (bits 16-31)
 *   word 1  object pointer (physical address; IRQ number for IRQHandler)
 *   word 2  badge (endpoint, notification), guard (CNode), freeIndex in
 *           bytes (untyped), mapped virtual address (frame, PT, PD)
 *   word 3  second datum: mapped ASID (frame, PT, PD); reply: caller TCB
 *   word 4  MDB previous slot (0 = none)
 *   word 5  MDB next slot (0 = none)
 *   word 6,7 reserved
 *
 * Type-specific fields in word 0 bits 16-31:
 *   CNode:    radix (16-20), guardSize (21-26)
 *   Untyped:  blockSize bits (16-20), isDevice (21)
 *   Reply:    master (16), canGrant (17)
 *   Frame:    large (16), vmRights (17-18: 1 RO, 3 RW), isDevice (19)
 *
 * seL4 packs a 32-bit cte_t into 16 bytes; here a slot is 32 bytes
 * (seL4_SlotBits = 5) so that reading a field is one load and a mask.
 *
 * The MDB links make the Capability Derivation Tree: all slots form one
 * list in depth-first order of derivation; whether the next slot is a child
 * of this one is decided by isMDBParentOf (cdt.ts), as in seL4.
 *
 * A "cap value" outside a slot (a cap being derived or inserted) is held in a
 * 4-word Int32Array scratch register (words 0-3 of the layout above), so that
 * no operation allocates.
 */
import type { Kernel } from './state.js';

export const CTE_WORDS = 8;
export const CTE_BYTES = 32;
export const CTE_W0 = 0;
export const CTE_PTR = 1;
export const CTE_DATA = 2;
export const CTE_DATA2 = 3;
export const CTE_PREV = 4;
export const CTE_NEXT = 5;

/** seL4_CapRights bits. */
export const RIGHT_WRITE = 1;
export const RIGHT_READ = 2;
export const RIGHT_GRANT = 4;
export const RIGHT_GRANT_REPLY = 8;
export const RIGHTS_ALL = 15;

export const W0_TYPE_MASK = 31;
export const W0_RIGHTS_SHIFT = 5;
export const W0_REVOCABLE = 1 << 9;
export const W0_FIRST_BADGED = 1 << 10;
export const W0_MDB_BITS = W0_REVOCABLE | W0_FIRST_BADGED;

/** Builds word 0 of a cap. */
export function capWord0(type: number, rights: number, extra: number): number {
  return type | (rights << W0_RIGHTS_SHIFT) | (extra << 16);
}
export const capTypeOf = (w0: number): number => w0 & W0_TYPE_MASK;
export const capRightsOf = (w0: number): number => (w0 >>> W0_RIGHTS_SHIFT) & 15;
export const capExtraOf = (w0: number): number => w0 >>> 16;

// CNode extra fields
export const cnodeExtra = (radix: number, guardSize: number): number => radix | (guardSize << 5);
export const cnodeRadix = (w0: number): number => (w0 >>> 16) & 31;
export const cnodeGuardSize = (w0: number): number => (w0 >>> 21) & 63;
// Untyped extra fields
export const untypedExtra = (sizeBits: number, isDevice: boolean): number => sizeBits | (isDevice ? 32 : 0);
export const untypedSizeBits = (w0: number): number => (w0 >>> 16) & 31;
export const untypedIsDevice = (w0: number): boolean => ((w0 >>> 21) & 1) !== 0;
// Reply extra fields
export const replyExtra = (master: boolean, canGrant: boolean): number => (master ? 1 : 0) | (canGrant ? 2 : 0);
export const replyIsMaster = (w0: number): boolean => ((w0 >>> 16) & 1) !== 0;
export const replyCanGrant = (w0: number): boolean => ((w0 >>> 17) & 1) !== 0;
// Frame extra fields
export const VM_READ_ONLY = 1;
export const VM_READ_WRITE = 3;
export const frameExtra = (large: boolean, vmRights: number, isDevice: boolean): number => (large ? 1 : 0) | (vmRights << 1) | (isDevice ? 8 : 0);
export const frameIsLarge = (w0: number): boolean => ((w0 >>> 16) & 1) !== 0;
export const frameVMRights = (w0: number): number => (w0 >>> 17) & 3;
export const frameIsDevice = (w0: number): boolean => ((w0 >>> 19) & 1) !== 0;

/** Unsigned masks of 0..32 low bits. */
export const MASKS: Float64Array = (() => {
  const a = new Float64Array(33);
  for (let i = 0; i <= 32; i++) a[i] = 2 ** i - 1;
  return a;
})();
/** x >>> n for n in 0..32 (JS masks shift counts to 5 bits). */
export function shr(x: number, n: number): number {
  return n >= 32 ? 0 : x >>> n;
}

// ---- slot access ---------------------------------------------------------

export function slotType(k: Kernel, slot: number): number {
  return k.m[slot >> 2]! & W0_TYPE_MASK;
}
export function slotW0(k: Kernel, slot: number): number {
  return k.m[slot >> 2]!;
}
export function slotPtr(k: Kernel, slot: number): number {
  return k.m[(slot >> 2) + CTE_PTR]!;
}
export function slotData(k: Kernel, slot: number): number {
  return k.m[(slot >> 2) + CTE_DATA]! >>> 0;
}
export function slotData2(k: Kernel, slot: number): number {
  return k.m[(slot >> 2) + CTE_DATA2]!;
}
export function mdbPrev(k: Kernel, slot: number): number {
  return k.m[(slot >> 2) + CTE_PREV]!;
}
export function mdbNext(k: Kernel, slot: number): number {
  return k.m[(slot >> 2) + CTE_NEXT]!;
}
export function setMdbPrev(k: Kernel, slot: number, v: number): void {
  k.m[(slot >> 2) + CTE_PREV] = v;
}
export function setMdbNext(k: Kernel, slot: number, v: number): void {
  k.m[(slot >> 2) + CTE_NEXT] = v;
}
export function isRevocable(k: Kernel, slot: number): boolean {
  return (k.m[slot >> 2]! & W0_REVOCABLE) !== 0;
}
export function isFirstBadged(k: Kernel, slot: number): boolean {
  return (k.m[slot >> 2]! & W0_FIRST_BADGED) !== 0;
}

/** Copies the cap (words 0-3, without the MDB bits) of `slot` into the scratch `cap`. */
export function loadCap(k: Kernel, slot: number, cap: Int32Array): void {
  const i = slot >> 2;
  const m = k.m;
  cap[0] = m[i]! & ~W0_MDB_BITS;
  cap[1] = m[i + 1]!;
  cap[2] = m[i + 2]!;
  cap[3] = m[i + 3]!;
}
/** Writes the cap value into `slot`, keeping the slot's MDB bits and links. */
export function storeCapKeepMdb(k: Kernel, slot: number, cap: Int32Array): void {
  const i = slot >> 2;
  const m = k.m;
  m[i] = (cap[0]! & ~W0_MDB_BITS) | (m[i]! & W0_MDB_BITS);
  m[i + 1] = cap[1]!;
  m[i + 2] = cap[2]!;
  m[i + 3] = cap[3]!;
}
/** Sets a scratch cap. */
export function setCap(cap: Int32Array, w0: number, ptr: number, data: number, data2: number): void {
  cap[0] = w0;
  cap[1] = ptr;
  cap[2] = data;
  cap[3] = data2;
}
export function clearCap(cap: Int32Array): void {
  cap[0] = 0; cap[1] = 0; cap[2] = 0; cap[3] = 0;
}

/** A readable description of a slot's cap, for tests and debugging. */
export interface CapInfo {
  type: number;
  typeName: string;
  rights: number;
  ptr: number;
  badge: number;
  data: number;
  data2: number;
  extra: number;
}
export function describeSlot(k: Kernel, slot: number): CapInfo {
  const w0 = slotW0(k, slot);
  const type = capTypeOf(w0);
  const data = slotData(k, slot);
  return {
    type,
    typeName: (['null', 'untyped', 'endpoint', 'notification', 'reply', 'cnode', 'thread', 'irq_control', 'irq_handler', 'domain', 'frame', 'page_table', 'page_directory', 'asid_control', 'asid_pool'])[type] ?? '?',
    rights: capRightsOf(w0),
    ptr: slotPtr(k, slot),
    badge: type === 2 || type === 3 ? data : 0,
    data,
    data2: slotData2(k, slot),
    extra: capExtraOf(w0),
  };
}
