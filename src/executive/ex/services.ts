/** Ex services: NtDisplayString, NtQuerySystemInformation (ex/sysinfo.ts). */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { exQuerySystemInformation, exWriteSystemInformation } from './sysinfo.js';

/** The most NtDisplayString prints per call (bytes of UTF-16). */
const DISPLAY_MAX = 32 * 1024;

export const exServices: Record<string, ServiceHandler> = {
  NtDisplayString(ex, t, a) {
    ex.options.console(t.process.space.readUnicodeString(a[0]!, DISPLAY_MAX));
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtQuerySystemInformation(ex, t, a) {
    const [cls, buf, len, pRet] = a;
    const r = exQuerySystemInformation(ex, t, cls!, len!);
    const mem = t.process.space;
    if (r.bytes !== null) exWriteSystemInformation(cls!, r.bytes, buf!, (va, b) => mem.writeBytes(va, b));
    if (pRet !== 0 && r.status !== NTSTATUS.STATUS_INVALID_INFO_CLASS) mem.writeU32(pRet!, r.needed);
    return r.status;
  },
};
