/** Assertion helpers: "this throws an NtStatusError with that status and a message matching that". */
import assert from 'node:assert/strict';
import { NtStatusError, ntStatusName } from '../../src/abi/ntstatus.js';

export function assertStatus(fn: () => unknown, status: number, message?: RegExp | string): NtStatusError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${ntStatusName(status)}${message ? ` (${String(message)})` : ""}, but nothing was thrown`);
  assert.ok(caught instanceof NtStatusError, `expected NtStatusError, got ${String(caught)}\n${(caught as Error)?.stack ?? ''}`);
  assert.equal(ntStatusName(caught.status), ntStatusName(status), caught.message);
  if (typeof message === 'string') assert.ok(caught.message.includes(message), `message "${caught.message}" lacks "${message}"`);
  else if (message) assert.match(caught.message, message);
  return caught;
}
