/**
 * How the PE loader says no.
 *
 * Every refusal is an NtStatusError whose reason starts with the image name,
 * so a message read in isolation (a CLI line, a test failure) still says
 * which file was wrong and where.
 */
import { NTSTATUS, NtStatusError } from '../abi/ntstatus.js';

/** 0x-prefixed lowercase hex of an unsigned 32-bit value, for messages. */
export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** STATUS_INVALID_IMAGE_FORMAT naming the image: the one error for malformed files. */
export function invalidImage(image: string, reason: string): NtStatusError {
  return new NtStatusError(NTSTATUS.STATUS_INVALID_IMAGE_FORMAT, `${image}: ${reason}`);
}

/** Throwing form of invalidImage, typed `never` so callers narrow after it. */
export function failImage(image: string, reason: string): never {
  throw invalidImage(image, reason);
}

/** A valid-but-unsupported feature (static TLS, delay-load imports, ...). */
export function notSupported(image: string, reason: string): NtStatusError {
  return new NtStatusError(NTSTATUS.STATUS_NOT_IMPLEMENTED, `${image}: ${reason}`);
}
