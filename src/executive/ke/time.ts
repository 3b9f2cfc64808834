/** NT system time: 100 ns intervals since 1601-01-01 UTC, from the host's clock. */

/** 1601-01-01 to 1970-01-01 in 100 ns intervals. */
export const EPOCH_1601_OFFSET = 116444736000000000n;

/** The current system time (NtQuerySystemTime, KUSER_SHARED_DATA.SystemTime, creation times). */
export function systemTime(): bigint {
  return BigInt(Date.now()) * 10000n + EPOCH_1601_OFFSET;
}
