/** Ex services: NtDisplayString. */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';

/** The most NtDisplayString prints per call (bytes of UTF-16). */
const DISPLAY_MAX = 32 * 1024;

export const exServices: Record<string, ServiceHandler> = {
  NtDisplayString(ex, t, a) {
    ex.options.console(t.process.space.readUnicodeString(a[0]!, DISPLAY_MAX));
    return NTSTATUS.STATUS_SUCCESS;
  },
};
