/**
 * Ke: KUSER_SHARED_DATA, the page at 0x7ffe0000 every process maps read-only
 * (one frame; each process maps its own copy of the frame cap). The
 * executive keeps its clocks current from the timer poll (at most every
 * UPDATE_MS): system time, interrupt time, tick count; the rest is set once
 * (processor count, physical pages, image machine, system root, version).
 * Offsets are NT 5.1's (i386).
 */
import { systemTime } from './time.js';
import { KUSER_SHARED_DATA } from '../../abi/layouts.js';
import { PAGE_READONLY } from '../../abi/layouts.js';
import { invokeCNode_Copy, RIGHT_READ, seL4_CapInitThreadCNode, seL4_NoError, ERROR_NAMES } from '../../kernel/index.js';
import type { KernelObjects } from './objects.js';
import type { AddressSpace } from '../mm/address-space.js';

export const KUSD = {
  TickCountLowDeprecated: 0x000, TickCountMultiplier: 0x004, InterruptTime: 0x008, SystemTime: 0x014,
  TimeZoneBias: 0x020, ImageNumberLow: 0x02c, ImageNumberHigh: 0x02e, NtSystemRoot: 0x030,
  NtProductType: 0x264, ProductTypeIsValid: 0x268, NtMajorVersion: 0x26c, NtMinorVersion: 0x270,
  NumberOfPhysicalPages: 0x2e8, TickCount: 0x320,
} as const;

const UPDATE_MS = 10;
/** 100 ns intervals between 1601-01-01 and 1970-01-01. */

export class SharedUserData {
  readonly frame: number;
  private readonly dv: DataView;
  private readonly base: number;
  private lastUpdate = -1n;
  updates = 0;

  constructor(private readonly ko: KernelObjects, processors: number) {
    this.frame = ko.frame();
    this.base = ko.physOf(this.frame);
    this.dv = new DataView(ko.k.memory, this.base, 4096);
    const dv = this.dv;
    dv.setUint32(KUSD.TickCountMultiplier, 0x0fa00000, true);
    dv.setUint16(KUSD.ImageNumberLow, 0x14c, true);
    dv.setUint16(KUSD.ImageNumberHigh, 0x14c, true);
    const root = 'C:\\Windows';
    for (let i = 0; i < root.length; i++) dv.setUint16(KUSD.NtSystemRoot + i * 2, root.charCodeAt(i), true);
    dv.setUint32(KUSD.NtProductType, 1, true); // NtProductWinNt
    dv.setUint8(KUSD.ProductTypeIsValid, 1);
    dv.setUint32(KUSD.NtMajorVersion, 5, true);
    dv.setUint32(KUSD.NtMinorVersion, 1, true);
    dv.setUint32(KUSD.NumberOfPhysicalPages, Math.floor(ko.k.memory.byteLength / 4096), true);
    void processors;
    this.update(0n, true);
  }

  /** Maps the page read-only into a new process. */
  mapInto(space: AddressSpace): void {
    const ko = this.ko;
    const copy = ko.allocSlot();
    const root = ko.slot(seL4_CapInitThreadCNode);
    const e = invokeCNode_Copy(ko.k, root, copy, 32, root, this.frame, 32, RIGHT_READ);
    if (e !== seL4_NoError) throw new Error(`CNode_Copy(KUSER_SHARED_DATA) failed: ${ERROR_NAMES[e]}`);
    space.mapShared(KUSER_SHARED_DATA, [copy], PAGE_READONLY);
  }

  private setTime(off: number, v: bigint): void {
    // KSYSTEM_TIME: LowPart, High1Time, High2Time (readers loop until High1 == High2).
    const low = Number(v & 0xffffffffn);
    const high = Number((v >> 32n) & 0xffffffffn);
    this.dv.setUint32(off + 8, high, true);
    this.dv.setUint32(off, low, true);
    this.dv.setUint32(off + 4, high, true);
  }

  /** Brings the clocks up to date (`nowNs`: ns since boot); at most every UPDATE_MS unless forced. */
  update(nowNs: bigint, force = false): void {
    if (!force && nowNs - this.lastUpdate < BigInt(UPDATE_MS) * 1_000_000n) return;
    this.lastUpdate = nowNs;
    this.updates++;
    const interrupt = nowNs / 100n;
    this.setTime(KUSD.InterruptTime, interrupt);
    this.setTime(KUSD.SystemTime, systemTime());
    const ticks = nowNs / 15_625_000n; // 64 Hz, as NT's default clock
    this.setTime(KUSD.TickCount, ticks);
    this.dv.setUint32(KUSD.TickCountLowDeprecated, Number(ticks & 0xffffffffn), true);
  }
}
