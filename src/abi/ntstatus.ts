/**
 * NTSTATUS codes: the one table of the status values this system returns.
 *
 * Values and meanings follow the public NT headers (ntstatus.h). Everything
 * that crosses a protection boundary (the native API, IRP completion, the
 * loader) speaks these; the CLI turns them into a readable line with
 * `ntStatusName` / `ntStatusMessage`.
 */

const table = {
  STATUS_SUCCESS: [0x00000000, 'The operation completed successfully'],
  STATUS_WAIT_0: [0x00000000, 'The wait was satisfied by the first object'],
  STATUS_WAIT_1: [0x00000001, 'The wait was satisfied by the second object'],
  STATUS_ABANDONED_WAIT_0: [0x00000080, 'The wait was satisfied by an abandoned mutant'],
  STATUS_USER_APC: [0x000000c0, 'A user APC was delivered before the wait completed'],
  STATUS_ALERTED: [0x00000101, 'The wait was alerted'],
  STATUS_TIMEOUT: [0x00000102, 'The wait timed out'],
  STATUS_PENDING: [0x00000103, 'The operation is in progress'],
  STATUS_REPARSE: [0x00000104, 'The name must be reparsed'],
  STATUS_MORE_ENTRIES: [0x00000105, 'More entries are available'],
  STATUS_OBJECT_NAME_EXISTS: [0x40000000, 'An object of that name already exists'],
  STATUS_IMAGE_NOT_AT_BASE: [0x40000003, 'The image was not loaded at its preferred base'],
  STATUS_GUARD_PAGE_VIOLATION: [0x80000001, 'A guard page was touched'],
  STATUS_DATATYPE_MISALIGNMENT: [0x80000002, 'A datum was not properly aligned'],
  STATUS_BREAKPOINT: [0x80000003, 'A breakpoint was reached'],
  STATUS_SINGLE_STEP: [0x80000004, 'A single step trap occurred'],
  STATUS_BUFFER_OVERFLOW: [0x80000005, 'The data was too large for the buffer'],
  STATUS_NO_MORE_FILES: [0x80000006, 'No more files were found'],
  STATUS_NO_MORE_ENTRIES: [0x8000001a, 'No more entries are available'],
  STATUS_UNSUCCESSFUL: [0xc0000001, 'The operation was unsuccessful'],
  STATUS_NOT_IMPLEMENTED: [0xc0000002, 'The requested operation is not implemented'],
  STATUS_INVALID_INFO_CLASS: [0xc0000003, 'The information class is not valid'],
  STATUS_INFO_LENGTH_MISMATCH: [0xc0000004, 'The buffer length does not match the information class'],
  STATUS_ACCESS_VIOLATION: [0xc0000005, 'Access violation'],
  STATUS_IN_PAGE_ERROR: [0xc0000006, 'A page could not be read in'],
  STATUS_INVALID_HANDLE: [0xc0000008, 'The handle is not valid'],
  STATUS_NO_TOKEN: [0xc000007c, 'The thread is not impersonating: it has no token of its own'],
  STATUS_INVALID_CID: [0xc000000b, 'The client id (process or thread id) names nothing'],
  STATUS_INVALID_PARAMETER: [0xc000000d, 'A parameter is not valid'],
  STATUS_NO_SUCH_DEVICE: [0xc000000e, 'No such device exists'],
  STATUS_NO_SUCH_FILE: [0xc000000f, 'No such file exists'],
  STATUS_INVALID_DEVICE_REQUEST: [0xc0000010, 'The request is not valid for this device'],
  STATUS_END_OF_FILE: [0xc0000011, 'The end of the file was reached'],
  STATUS_NO_MEDIA_IN_DEVICE: [0xc0000013, 'There is no media in the device'],
  STATUS_UNRECOGNIZED_MEDIA: [0xc0000014, 'The media is not recognized'],
  STATUS_NONEXISTENT_SECTOR: [0xc0000015, 'The sector does not exist'],
  STATUS_NO_MEMORY: [0xc0000017, 'Not enough virtual memory or paging file quota'],
  STATUS_CONFLICTING_ADDRESSES: [0xc0000018, 'The address range conflicts with an existing one'],
  STATUS_NOT_MAPPED_VIEW: [0xc0000019, 'The address is not a mapped view'],
  STATUS_UNABLE_TO_FREE_VM: [0xc000001a, 'The virtual memory cannot be freed'],
  STATUS_ILLEGAL_INSTRUCTION: [0xc000001d, 'Illegal instruction'],
  STATUS_INVALID_SYSTEM_SERVICE: [0xc000001c, 'The system service number is not valid'],
  STATUS_INVALID_LOCK_SEQUENCE: [0xc000001e, 'Invalid lock sequence'],
  STATUS_INVALID_VIEW_SIZE: [0xc000001f, 'The view size is not valid'],
  STATUS_INVALID_FILE_FOR_SECTION: [0xc0000020, 'The file cannot back a section'],
  STATUS_ALREADY_COMMITTED: [0xc0000021, 'The address range is already committed'],
  STATUS_ACCESS_DENIED: [0xc0000022, 'Access is denied'],
  STATUS_BUFFER_TOO_SMALL: [0xc0000023, 'The buffer is too small'],
  STATUS_OBJECT_TYPE_MISMATCH: [0xc0000024, 'The object is not of the expected type'],
  STATUS_NONCONTINUABLE_EXCEPTION: [0xc0000025, 'A noncontinuable exception was continued'],
  STATUS_INVALID_DISPOSITION: [0xc0000026, 'An exception handler returned an invalid disposition'],
  STATUS_UNWIND: [0xc0000027, 'Frames are being unwound'],
  STATUS_BAD_STACK: [0xc0000028, 'The stack is not valid'],
  STATUS_INVALID_UNWIND_TARGET: [0xc0000029, 'The unwind target is not valid'],
  STATUS_NOT_COMMITTED: [0xc000002d, 'The address range is not committed'],
  STATUS_PORT_MESSAGE_TOO_LONG: [0xc000002f, 'The port message is too long'],
  STATUS_INVALID_PARAMETER_MIX: [0xc0000030, 'The combination of parameters is not valid'],
  STATUS_DISK_CORRUPT_ERROR: [0xc0000032, 'The disk structure is corrupt'],
  STATUS_OBJECT_NAME_INVALID: [0xc0000033, 'The object name is not valid'],
  STATUS_OBJECT_NAME_NOT_FOUND: [0xc0000034, 'The object name was not found'],
  STATUS_OBJECT_NAME_COLLISION: [0xc0000035, 'The object name already exists'],
  STATUS_PORT_DISCONNECTED: [0xc0000037, 'The port is disconnected'],
  STATUS_OBJECT_PATH_INVALID: [0xc0000039, 'The object path is not valid'],
  STATUS_OBJECT_PATH_NOT_FOUND: [0xc000003a, 'The object path was not found'],
  STATUS_OBJECT_PATH_SYNTAX_BAD: [0xc000003b, 'The object path syntax is bad'],
  STATUS_DATA_ERROR: [0xc000003e, 'A data error occurred'],
  STATUS_CRC_ERROR: [0xc000003f, 'A CRC error occurred'],
  STATUS_SECTION_TOO_BIG: [0xc0000040, 'The section is too big'],
  STATUS_PORT_CONNECTION_REFUSED: [0xc0000041, 'The port connection was refused'],
  STATUS_INVALID_PORT_HANDLE: [0xc0000042, 'The port handle is not valid'],
  STATUS_REPLY_MESSAGE_MISMATCH: [0xc000021f, 'The reply does not answer a request that is waiting'],
  STATUS_SHARING_VIOLATION: [0xc0000043, 'A sharing violation occurred'],
  STATUS_INVALID_PAGE_PROTECTION: [0xc0000045, 'The page protection is not valid'],
  STATUS_SUSPEND_COUNT_EXCEEDED: [0xc000004a, 'The thread\'s suspend count is at its maximum'],
  STATUS_MUTANT_NOT_OWNED: [0xc0000046, 'The mutant is not owned by the caller'],
  STATUS_SEMAPHORE_LIMIT_EXCEEDED: [0xc0000047, 'The semaphore limit was exceeded'],
  STATUS_SECTION_NOT_IMAGE: [0xc0000049, 'The section is not an image'],
  STATUS_THREAD_IS_TERMINATING: [0xc000004b, 'The thread is terminating'],
  STATUS_FILE_IS_A_DIRECTORY: [0xc00000ba, 'The file is a directory'],
  STATUS_DELETE_PENDING: [0xc0000056, 'A delete is pending on the file'],
  STATUS_PROCEDURE_NOT_FOUND: [0xc000007a, 'The procedure was not found in the DLL'],
  STATUS_INVALID_IMAGE_FORMAT: [0xc000007b, 'The image is not a valid PE image'],
  STATUS_DISK_FULL: [0xc000007f, 'The disk is full'],
  STATUS_INSUFFICIENT_RESOURCES: [0xc000009a, 'Insufficient system resources'],
  STATUS_DEVICE_DATA_ERROR: [0xc000009c, 'A device data error occurred'],
  STATUS_DEVICE_NOT_CONNECTED: [0xc000009d, 'The device is not connected'],
  STATUS_FREE_VM_NOT_AT_BASE: [0xc000009f, 'The address is not the base of an allocation'],
  STATUS_MEMORY_NOT_ALLOCATED: [0xc00000a0, 'The memory is not allocated'],
  STATUS_ARRAY_BOUNDS_EXCEEDED: [0xc000008c, 'Array bounds exceeded'],
  STATUS_FLOAT_DENORMAL_OPERAND: [0xc000008d, 'Floating-point denormal operand'],
  STATUS_FLOAT_DIVIDE_BY_ZERO: [0xc000008e, 'Floating-point division by zero'],
  STATUS_FLOAT_INEXACT_RESULT: [0xc000008f, 'Floating-point inexact result'],
  STATUS_FLOAT_INVALID_OPERATION: [0xc0000090, 'Floating-point invalid operation'],
  STATUS_FLOAT_OVERFLOW: [0xc0000091, 'Floating-point overflow'],
  STATUS_FLOAT_STACK_CHECK: [0xc0000092, 'Floating-point stack check'],
  STATUS_FLOAT_UNDERFLOW: [0xc0000093, 'Floating-point underflow'],
  STATUS_INTEGER_DIVIDE_BY_ZERO: [0xc0000094, 'Integer division by zero'],
  STATUS_INTEGER_OVERFLOW: [0xc0000095, 'Integer overflow'],
  STATUS_PRIVILEGED_INSTRUCTION: [0xc0000096, 'Privileged instruction'],
  STATUS_MEDIA_WRITE_PROTECTED: [0xc00000a2, 'The media is write protected'],
  STATUS_DEVICE_NOT_READY: [0xc00000a3, 'The device is not ready'],
  STATUS_INVALID_DEVICE_STATE: [0xc0000184, 'The device is not in a valid state'],
  STATUS_IO_DEVICE_ERROR: [0xc0000185, 'An I/O device error occurred'],
  STATUS_NOT_SUPPORTED: [0xc00000bb, 'The request is not supported'],
  STATUS_INVALID_NETWORK_RESPONSE: [0xc00000c3, 'The network response is not valid'],
  STATUS_INTERNAL_ERROR: [0xc00000e5, 'An internal error occurred'],
  STATUS_INVALID_PARAMETER_1: [0xc00000ef, 'The first parameter is not valid'],
  STATUS_INVALID_PARAMETER_2: [0xc00000f0, 'The second parameter is not valid'],
  STATUS_INVALID_PARAMETER_3: [0xc00000f1, 'The third parameter is not valid'],
  STATUS_INVALID_PARAMETER_4: [0xc00000f2, 'The fourth parameter is not valid'],
  STATUS_INVALID_PARAMETER_6: [0xc00000f4, 'The sixth parameter is not valid'],
  STATUS_DIRECTORY_NOT_EMPTY: [0xc0000101, 'The directory is not empty'],
  STATUS_FILE_CORRUPT_ERROR: [0xc0000102, 'The file or directory is corrupt'],
  STATUS_NOT_A_DIRECTORY: [0xc0000103, 'The file is not a directory'],
  STATUS_NAME_TOO_LONG: [0xc0000106, 'The name is too long'],
  STATUS_PROCESS_IS_TERMINATING: [0xc000010a, 'The process is terminating'],
  STATUS_INVALID_IMAGE_NOT_MZ: [0xc000012f, 'The image has no MZ header'],
  STATUS_INVALID_IMAGE_PROTECT: [0xc0000130, 'The image protection is not valid'],
  STATUS_INVALID_IMAGE_WIN_16: [0xc0000131, 'The image is a 16-bit image'],
  STATUS_DLL_NOT_FOUND: [0xc0000135, 'A DLL the image needs was not found'],
  STATUS_ORDINAL_NOT_FOUND: [0xc0000138, 'An imported ordinal was not found'],
  STATUS_ENTRYPOINT_NOT_FOUND: [0xc0000139, 'An imported procedure was not found'],
  STATUS_CONTROL_C_EXIT: [0xc000013a, 'The program was interrupted'],
  STATUS_DLL_INIT_FAILED: [0xc0000142, 'A DLL initialization routine failed'],
  STATUS_UNHANDLED_EXCEPTION: [0xc0000144, 'An exception was not handled'],
  STATUS_PAGEFILE_QUOTA_EXCEEDED: [0xc000012c, 'The page file quota was exceeded'],
  STATUS_COMMITMENT_LIMIT: [0xc000012d, 'The commitment limit was reached'],
  STATUS_INVALID_DEVICE_OBJECT_PARAMETER: [0xc0000369, 'The device object parameter is not valid'],
  STATUS_STACK_OVERFLOW: [0xc00000fd, 'Stack overflow'],
  STATUS_IMAGE_MACHINE_TYPE_MISMATCH: [0x4000000e, 'The image is for another machine type'],
  STATUS_INVALID_ADDRESS: [0xc0000141, 'The address is not valid'],
  STATUS_DRIVER_UNLOADED: [0xc0000269, 'The driver was unloaded'],
  STATUS_CANCELLED: [0xc0000120, 'The I/O request was cancelled'],
  STATUS_FILE_INVALID: [0xc0000098, 'The volume holding the file was changed'],
  STATUS_FILE_SYSTEM_LIMITATION: [0xc0000427, 'The file system cannot complete the request'],
  STATUS_NOT_ALL_ASSIGNED: [0x00000106, 'Not all the privileges referenced were assigned to the caller'],
  STATUS_PRIVILEGE_NOT_HELD: [0xc0000061, 'A required privilege is not held by the client'],
  STATUS_NO_IMPERSONATION_TOKEN: [0xc000005c, 'The thread is not impersonating a client: an impersonation token was needed'],
  STATUS_BAD_IMPERSONATION_LEVEL: [0xc00000a5, 'The impersonation level of the token is too low'],
  STATUS_BAD_TOKEN_TYPE: [0xc00000a8, 'The token is of the wrong type for the operation'],
  STATUS_INVALID_ACL: [0xc0000077, 'The ACL is malformed'],
  STATUS_INVALID_SID: [0xc0000078, 'The SID is malformed'],
  STATUS_INVALID_SECURITY_DESCR: [0xc0000079, 'The security descriptor is malformed'],
  STATUS_INVALID_PARAMETER_5: [0xc00000f3, 'The fifth parameter is not valid'],
} as const satisfies Record<string, readonly [number, string]>;

export type NtStatusName = keyof typeof table;

/** NTSTATUS values by name, as unsigned 32-bit numbers. */
export const NTSTATUS: { readonly [K in NtStatusName]: number } = Object.fromEntries(
  Object.entries(table).map(([k, v]) => [k, v[0] >>> 0]),
) as { [K in NtStatusName]: number };

const byValue = new Map<number, NtStatusName>();
for (const [k, v] of Object.entries(table) as [NtStatusName, readonly [number, string]][]) {
  // First name wins (STATUS_SUCCESS before STATUS_WAIT_0).
  if (!byValue.has(v[0] >>> 0)) byValue.set(v[0] >>> 0, k);
}

/** The symbolic name of a status, or its hex form when it is not in the table. */
export function ntStatusName(status: number): string {
  return byValue.get(status >>> 0) ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

/** A readable one-line description: "STATUS_ACCESS_VIOLATION (0xc0000005): Access violation". */
export function ntStatusMessage(status: number): string {
  const name = byValue.get(status >>> 0);
  const hex = `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
  return name ? `${name} (${hex}): ${table[name][1]}` : `status ${hex}`;
}

/** NT_SUCCESS: severity success or informational. */
export function ntSuccess(status: number): boolean {
  return (status | 0) >= 0;
}

/**
 * An NTSTATUS carried as a JS exception inside the engine, with a readable
 * reason. Host code throws it; service boundaries turn it into the status.
 */
export class NtStatusError extends Error {
  readonly status: number;
  constructor(status: number, reason: string) {
    super(`${reason} [${ntStatusName(status)}]`);
    this.name = 'NtStatusError';
    this.status = status >>> 0;
  }
}
