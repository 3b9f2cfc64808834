/**
 * CPU exceptions as NT exception codes (what EXCEPTION_RECORD.ExceptionCode
 * would say), and the one-line description of an unhandled one.
 *
 * Before the executive dispatches exceptions to user mode (SEH, a later
 * issue), every exception is unhandled: the process ends with the exception
 * code as its exit status, as NT does for a second-chance exception.
 */
import { NTSTATUS, ntStatusMessage } from '../../abi/ntstatus.js';
import { Vector, type FaultInfo } from '../../cpu/fault.js';

export function exceptionCode(f: FaultInfo): number {
  switch (f.vector) {
    case Vector.PF: return NTSTATUS.STATUS_ACCESS_VIOLATION;
    case Vector.DE: return NTSTATUS.STATUS_INTEGER_DIVIDE_BY_ZERO;
    case Vector.OF: return NTSTATUS.STATUS_INTEGER_OVERFLOW;
    case Vector.BR: return NTSTATUS.STATUS_ARRAY_BOUNDS_EXCEEDED;
    case Vector.UD: return NTSTATUS.STATUS_ILLEGAL_INSTRUCTION;
    case Vector.BP: return NTSTATUS.STATUS_BREAKPOINT;
    case Vector.DB: return NTSTATUS.STATUS_SINGLE_STEP;
    case Vector.GP: return NTSTATUS.STATUS_PRIVILEGED_INSTRUCTION;
    case Vector.AC: return NTSTATUS.STATUS_DATATYPE_MISALIGNMENT;
    case Vector.MF: return NTSTATUS.STATUS_FLOAT_INVALID_OPERATION;
    case Vector.XM: return NTSTATUS.STATUS_FLOAT_INVALID_OPERATION;
    default: return NTSTATUS.STATUS_UNHANDLED_EXCEPTION;
  }
}

/** "unhandled exception STATUS_ACCESS_VIOLATION (...) at 0x00401010 (fault.exe+0x1010): write to 0x00000000" */
export function describeUnhandled(f: FaultInfo, eip: number, where: string): string {
  let detail = '';
  if (f.vector === Vector.PF) {
    const kind = (f.errorCode & 2) !== 0 ? 'write to' : 'read of';
    const why = (f.errorCode & 1) !== 0 ? 'protection violation' : 'page not mapped';
    detail = `: ${kind} 0x${(f.address >>> 0).toString(16).padStart(8, '0')} (${why})`;
  }
  return `unhandled exception ${ntStatusMessage(exceptionCode(f))} at 0x${(eip >>> 0).toString(16).padStart(8, '0')}${where ? ` (${where})` : ''}${detail}`;
}
