/**
 * Ke: CPU exceptions as NT exception codes (what EXCEPTION_RECORD's
 * ExceptionCode says), and the one line that reports an unhandled one
 * (the dispatch to user mode is exception-dispatch.ts and Executive).
 */
import { NTSTATUS, ntStatusMessage } from '../../abi/ntstatus.js';

/** NT code of a CPU exception vector. */
export function exceptionForFault(vector: number): number {
  switch (vector) {
    case 0: return NTSTATUS.STATUS_INTEGER_DIVIDE_BY_ZERO;
    case 1: return NTSTATUS.STATUS_SINGLE_STEP;
    case 3: return NTSTATUS.STATUS_BREAKPOINT;
    case 4: return NTSTATUS.STATUS_INTEGER_OVERFLOW;
    case 5: return NTSTATUS.STATUS_ARRAY_BOUNDS_EXCEEDED;
    case 6: return NTSTATUS.STATUS_ILLEGAL_INSTRUCTION;
    case 13: return NTSTATUS.STATUS_PRIVILEGED_INSTRUCTION;
    case 14: return NTSTATUS.STATUS_ACCESS_VIOLATION;
    case 16: return NTSTATUS.STATUS_FLOAT_INVALID_OPERATION;
    case 17: return NTSTATUS.STATUS_DATATYPE_MISALIGNMENT;
    case 19: return NTSTATUS.STATUS_FLOAT_INVALID_OPERATION;
    default: return NTSTATUS.STATUS_UNHANDLED_EXCEPTION;
  }
}

/** "unhandled exception STATUS_ACCESS_VIOLATION (...) at 0x00401010 (fault.exe+0x1010): write to 0x00000010 (...)" */
export function describeException(code: number, ip: number, where: string, detail: string): string {
  return `unhandled exception ${ntStatusMessage(code)} at 0x${(ip >>> 0).toString(16).padStart(8, '0')}${where ? ` (${where})` : ''}${detail}`;
}
