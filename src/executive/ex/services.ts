/** Ex services: NtDisplayString. */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';

/** The most NtDisplayString prints per call (bytes of UTF-16). */
const DISPLAY_MAX = 32 * 1024;

const SYSTEM_BASIC_INFORMATION_SIZE = 44;

export const exServices: Record<string, ServiceHandler> = {
  NtDisplayString(ex, t, a) {
    ex.options.console(t.process.space.readUnicodeString(a[0]!, DISPLAY_MAX));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQuerySystemInformation(ex, t, a) {
    const [cls, buf, len, pRet] = a;
    if (cls !== 0) return NTSTATUS.STATUS_INVALID_INFO_CLASS;
    const mem = t.process.space;
    if (pRet !== 0) mem.writeU32(pRet!, SYSTEM_BASIC_INFORMATION_SIZE);
    if (len !== SYSTEM_BASIC_INFORMATION_SIZE) return NTSTATUS.STATUS_INFO_LENGTH_MISMATCH;
    const b = new Uint8Array(SYSTEM_BASIC_INFORMATION_SIZE);
    const dv = new DataView(b.buffer);
    const pages = Math.floor(ex.k.memory.byteLength / 4096);
    const cpus = ex.cores;
    // Reserved TimerResolution PageSize NumberOfPhysicalPages Lowest/HighestPhysicalPageNumber AllocationGranularity
    // MinimumUserModeAddress MaximumUserModeAddress ActiveProcessorsAffinityMask NumberOfProcessors
    [0, 156250, 4096, pages, 1, pages - 1, 0x10000, 0x10000, 0x7ffeffff, (2 ** cpus - 1) >>> 0].forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
    dv.setUint8(40, cpus);
    mem.writeBytes(buf!, b);
    return NTSTATUS.STATUS_SUCCESS;
  },
};
