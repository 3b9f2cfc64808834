/**
 * Every failure of the FAT library is a FatError: a readable reason plus the
 * NTSTATUS a file-system driver would complete the IRP with. Damage found on
 * disk is STATUS_DISK_CORRUPT_ERROR (volume structures) or
 * STATUS_FILE_CORRUPT_ERROR (one file's chain or directory).
 */
import { NTSTATUS, NtStatusError } from '../../abi/ntstatus.js';

export class FatError extends NtStatusError {
  constructor(status: number, reason: string) {
    super(status, reason);
    this.name = 'FatError';
  }
}

export const corruptVolume = (reason: string) => new FatError(NTSTATUS.STATUS_DISK_CORRUPT_ERROR, reason);
export const corruptFile = (reason: string) => new FatError(NTSTATUS.STATUS_FILE_CORRUPT_ERROR, reason);
