/** A partition table that cannot be read or built, with the NTSTATUS a driver would return. */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';

export class PartitionError extends NtStatusError {
  constructor(reason: string, status: number = NTSTATUS.STATUS_DISK_CORRUPT_ERROR) {
    super(status, reason);
    this.name = 'PartitionError';
  }
}
