/** The message pattern and checksum the ring tests and bench agree on. */

/** Word `i` of message `j`. */
export function messageWord(j: number, i: number): number {
  return (Math.imul(j, 0x9e3779b1) + i * 0x01000193) | 0;
}

/** Order-sensitive checksum step (FNV-like): a reordered, lost or duplicated word changes the result. */
export function checksumStep(sum: number, word: number): number {
  return Math.imul(sum ^ word, 0x01000193) + 1 | 0;
}

/** The checksum a sink must report after `count` messages of `slotWords` words. */
export function expectedChecksum(count: number, slotWords: number): number {
  let sum = 0;
  for (let j = 0; j < count; j++) for (let i = 0; i < slotWords; i++) sum = checksumStep(sum, messageWord(j, i));
  return sum;
}
