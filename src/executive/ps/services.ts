/** Ps services: NtTerminateProcess, NtTerminateThread. */
import { NTSTATUS } from '../../abi/ntstatus.js';
import type { ServiceHandler } from '../dispatch.js';
import { obReferenceObjectByHandle } from '../ob/reference.js';
import { ProcessType, ThreadType, type EProcess, type EThread } from './process.js';

const PROCESS_TERMINATE = 1;
const THREAD_TERMINATE = 1;

export const psServices: Record<string, ServiceHandler> = {
  NtTerminateProcess(ex, t, a) {
    const p = a[0] === 0 ? t.process : obReferenceObjectByHandle<EProcess>(t, a[0]!, PROCESS_TERMINATE, ProcessType).object;
    if (p.terminated) return NTSTATUS.STATUS_PROCESS_IS_TERMINATING;
    ex.terminateProcess(p, a[1]!);
    return NTSTATUS.STATUS_SUCCESS;
  },
  NtTerminateThread(ex, t, a) {
    const target = a[0] === 0 ? t : obReferenceObjectByHandle<EThread>(t, a[0]!, THREAD_TERMINATE, ThreadType).object;
    if (target.terminated) return NTSTATUS.STATUS_THREAD_IS_TERMINATING;
    ex.terminateThread(target, a[1]!);
    return NTSTATUS.STATUS_SUCCESS;
  },
};
