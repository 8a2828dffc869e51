import { describe, expect, it } from 'vitest';
import { LocalDayCache, isValidTimeZone, localDateKey, localDayOf, startOfLocalDate, zoneOffsetMs } from './zoned-time.ts';

const H = 3_600_000;
const utc = (s: string) => Date.parse(s);

describe('local days', () => {
  it('an ordinary day is 24 h from local midnight', () => {
    const d = localDayOf('Europe/Berlin', utc('2026-03-10T12:00:00Z'));
    expect(d).toEqual({ key: '2026-03-10', start: utc('2026-03-09T23:00:00Z'), end: utc('2026-03-10T23:00:00Z') });
  });

  it('the autumn DST day in Berlin (2026-10-25) is 25 h long', () => {
    const d = localDayOf('Europe/Berlin', utc('2026-10-25T12:00:00Z'));
    expect(d.key).toBe('2026-10-25');
    expect(d.start).toBe(utc('2026-10-24T22:00:00Z'));
    expect(d.end).toBe(utc('2026-10-25T23:00:00Z'));
    expect(d.end - d.start).toBe(25 * H);
    // Both ends belong to it, in either offset.
    expect(localDayOf('Europe/Berlin', utc('2026-10-24T22:00:00Z')).key).toBe('2026-10-25');
    expect(localDayOf('Europe/Berlin', utc('2026-10-25T22:59:59Z')).key).toBe('2026-10-25');
    expect(localDayOf('Europe/Berlin', utc('2026-10-25T23:00:00Z')).key).toBe('2026-10-26');
  });

  it('the spring DST day is 23 h long', () => {
    const d = localDayOf('Europe/Berlin', utc('2026-03-29T12:00:00Z'));
    expect(d.end - d.start).toBe(23 * H);
    const ny = localDayOf('America/New_York', utc('2026-03-08T12:00:00Z'));
    expect(ny.start).toBe(utc('2026-03-08T05:00:00Z'));
    expect(ny.end - ny.start).toBe(23 * H);
  });

  it('a zone whose DST change skips midnight starts the day at the first existing instant', () => {
    // America/Santiago springs forward at 24:00 → 01:00 (2026-09-06 local).
    const start = startOfLocalDate('America/Santiago', 2026, 9, 6);
    expect(localDateKey('America/Santiago', start)).toBe('2026-09-06');
    expect(localDateKey('America/Santiago', start - 1000)).toBe('2026-09-05');
  });

  it('offsets and zone validity', () => {
    expect(zoneOffsetMs('Asia/Shanghai', utc('2026-01-01T00:00:00Z'))).toBe(8 * H);
    expect(zoneOffsetMs('America/New_York', utc('2026-07-01T00:00:00Z'))).toBe(-4 * H);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('the cache answers like localDayOf', () => {
    const c = new LocalDayCache();
    for (const t of [utc('2026-10-24T21:59:59Z'), utc('2026-10-24T22:00:00Z'), utc('2026-10-25T22:00:00Z'), utc('2026-10-25T23:00:00Z')]) {
      expect(c.dayOf('Europe/Berlin', t)).toEqual(localDayOf('Europe/Berlin', t));
    }
  });
});
