/**
 * DOS timestamps as FAT stores them: a date word (years since 1980, month,
 * day), a time word with 2-second resolution, and for creation times a byte
 * of 10 ms units (0..199) that supplies the odd second and the fraction.
 * They are local time, as on DOS and Windows.
 */
export interface DosTimestamp {
  readonly date: number;
  readonly time: number;
  /** 10 ms units past `time`, 0..199. */
  readonly centis: number;
}

const MIN_YEAR = 1980, MAX_YEAR = 2107;

export function toDosTimestamp(d: Date): DosTimestamp {
  let year = d.getFullYear();
  if (Number.isNaN(year) || year < MIN_YEAR) return { date: (1 << 5) | 1, time: 0, centis: 0 };
  if (year > MAX_YEAR) return { date: ((MAX_YEAR - 1980) << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29, centis: 199 };
  const sec = d.getSeconds();
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (sec >> 1),
    centis: (sec & 1) * 100 + Math.floor(d.getMilliseconds() / 10),
  };
}

/** A DOS date/time back to a Date; a zero or invalid date gives null. */
export function fromDosTimestamp(date: number, time: number, centis = 0): Date | null {
  const day = date & 0x1f, month = (date >> 5) & 0x0f, year = 1980 + (date >> 9);
  if (day === 0 || month === 0 || month > 12) return null;
  const h = time >> 11, m = (time >> 5) & 0x3f, s = (time & 0x1f) * 2;
  const c = centis <= 199 ? centis : 0;
  return new Date(year, month - 1, day, h, m, s + Math.floor(c / 100), (c % 100) * 10);
}
