/**
 * seL4's error codes (seL4_Error) and lookup-failure types, with the numbers
 * the reference manual and libsel4 give them. An invocation that fails
 * returns one of these; the details that seL4 puts in the reply's message
 * registers (the valid range of a RangeError, the memory left for
 * NotEnoughMemory, the lookup failure of a FailedLookup) are kept in the
 * per-entry `SyscallError` record of the kernel instance that handled it.
 */
export const seL4_NoError = 0;
export const seL4_InvalidArgument = 1;
export const seL4_InvalidCapability = 2;
export const seL4_IllegalOperation = 3;
export const seL4_RangeError = 4;
export const seL4_AlignmentError = 5;
export const seL4_FailedLookup = 6;
export const seL4_TruncatedMessage = 7;
export const seL4_DeleteFirst = 8;
export const seL4_RevokeFirst = 9;
export const seL4_NotEnoughMemory = 10;

export const ERROR_NAMES = [
  'seL4_NoError', 'seL4_InvalidArgument', 'seL4_InvalidCapability', 'seL4_IllegalOperation',
  'seL4_RangeError', 'seL4_AlignmentError', 'seL4_FailedLookup', 'seL4_TruncatedMessage',
  'seL4_DeleteFirst', 'seL4_RevokeFirst', 'seL4_NotEnoughMemory',
] as const;

/** Lookup failure types (seL4_LookupFailureType). */
export const seL4_NoFailure = 0;
export const seL4_InvalidRoot = 1;
export const seL4_MissingCapability = 2;
export const seL4_DepthMismatch = 3;
export const seL4_GuardMismatch = 4;

/**
 * What seL4 keeps in `current_syscall_error` and `current_lookup_fault`:
 * the details of the last failed invocation. One per kernel instance
 * (per core worker); valid only right after an operation returned an error.
 */
export class SyscallError {
  type = seL4_NoError;
  /** InvalidArgument / InvalidCapability: which argument or cap was bad. */
  invalidArgumentNumber = 0;
  invalidCapNumber = 0;
  /** RangeError: the allowed range [rangeErrorMin, rangeErrorMax]. */
  rangeErrorMin = 0;
  rangeErrorMax = 0;
  /** NotEnoughMemory: bytes still free in the untyped. */
  memoryLeft = 0;
  /** FailedLookup: whether the source (true) or destination slot failed. */
  failedLookupWasSource = false;
  /** The lookup failure (seL4_LookupFailureType and its fields). */
  lookupFailureType = seL4_NoFailure;
  bitsLeft = 0;
  bitsFound = 0;
  guardFound = 0;

  /** Records InvalidCapability of cap argument `n`; returns the error for the invocation to return. */
  invalidCapability(n: number): number {
    this.type = seL4_InvalidCapability;
    this.invalidCapNumber = n;
    return seL4_InvalidCapability;
  }

  /** Records InvalidArgument of message argument `n`; returns the error. */
  invalidArgument(n: number): number {
    this.type = seL4_InvalidArgument;
    this.invalidArgumentNumber = n;
    return seL4_InvalidArgument;
  }

  /** Records RangeError with the allowed range [min, max]; returns the error. */
  rangeError(min: number, max: number): number {
    this.type = seL4_RangeError;
    this.rangeErrorMin = min;
    this.rangeErrorMax = max;
    return seL4_RangeError;
  }
}
