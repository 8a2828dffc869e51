import { describe, expect, it } from 'vitest';
import { Issues } from '../schemas/check.ts';
import { localTime } from '../time.ts';
import { isOpenAt, parseBusinessHours, type BusinessHours } from './hours.ts';

function hours(json: Record<string, unknown>): BusinessHours {
  const issues = new Issues();
  const parsed = parseBusinessHours(json, 'hours', issues);
  issues.throwIfAny();
  if (!parsed) throw new Error('no hours parsed');
  return parsed;
}

const berlin = hours({
  timezone: 'Europe/Berlin',
  weekly: {
    mon: ['08:00-20:00'],
    tue: ['08:00-20:00'],
    wed: ['08:00-12:00', '13:00-20:00'],
    thu: ['08:00-20:00'],
    fri: ['08:00-20:00'],
    sat: ['09:00-13:00'],
    // Sunday hours only so the DST-change Sundays can be tested.
    sun: ['08:00-10:00'],
  },
  holidays: ['2025-12-25', '2026-01-01'],
});

const utc = (iso: string) => Date.parse(iso);

describe('localTime', () => {
  it('reads the wall clock in the zone, across the DST change', () => {
    // 2025-03-30: Berlin moves from +01:00 to +02:00 at 01:00 UTC.
    expect(localTime('Europe/Berlin', utc('2025-03-30T00:30:00Z'))).toEqual({ date: '2025-03-30', weekday: 'sun', minute: 90 });
    expect(localTime('Europe/Berlin', utc('2025-03-30T01:30:00Z'))).toEqual({ date: '2025-03-30', weekday: 'sun', minute: 210 });
    // Midnight is minute 0, never 24:00.
    expect(localTime('Europe/Berlin', utc('2025-06-01T22:00:00Z'))).toEqual({ date: '2025-06-02', weekday: 'mon', minute: 0 });
    expect(localTime('America/Chicago', utc('2025-06-02T03:00:00Z'))).toEqual({ date: '2025-06-01', weekday: 'sun', minute: 22 * 60 });
  });
});

describe('isOpenAt', () => {
  it('opens and closes at the local range edges on a weekday', () => {
    // Monday 2025-06-02, CEST (+02:00)
    expect(isOpenAt(berlin, utc('2025-06-02T05:59:59Z'))).toBe(false);
    expect(isOpenAt(berlin, utc('2025-06-02T06:00:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-06-02T17:59:59Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-06-02T18:00:00Z'))).toBe(false);
  });

  it('honours a lunch break and the short Saturday', () => {
    // Wednesday 2025-06-04, CEST: times below in local time.
    expect(isOpenAt(berlin, utc('2025-06-04T09:59:00Z'))).toBe(true); // Wed 11:59
    expect(isOpenAt(berlin, utc('2025-06-04T10:00:00Z'))).toBe(false); // Wed 12:00, lunch
    expect(isOpenAt(berlin, utc('2025-06-04T10:30:00Z'))).toBe(false); // Wed 12:30, lunch
    expect(isOpenAt(berlin, utc('2025-06-04T11:00:00Z'))).toBe(true); // Wed 13:00
    expect(isOpenAt(berlin, utc('2025-06-07T10:59:00Z'))).toBe(true); // Sat 12:59
    expect(isOpenAt(berlin, utc('2025-06-07T11:00:00Z'))).toBe(false); // Sat 13:00
  });

  it('is closed all day on a holiday that falls on a weekday', () => {
    // Thursday 2025-12-25 and the same time a week later (Thursday 2026-01-01, also a holiday), and the Friday after.
    expect(isOpenAt(berlin, utc('2025-12-25T10:00:00Z'))).toBe(false);
    expect(isOpenAt(berlin, utc('2025-12-18T10:00:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2026-01-01T10:00:00Z'))).toBe(false);
    expect(isOpenAt(berlin, utc('2026-01-02T10:00:00Z'))).toBe(true);
  });

  it('judges the holiday by the local date, not the UTC date', () => {
    // 2025-12-24T23:30Z is already 00:30 on 25 December in Berlin.
    const all = hours({ timezone: 'Europe/Berlin', weekly: { wed: ['00:00-24:00'], thu: ['00:00-24:00'] }, holidays: ['2025-12-25'] });
    expect(isOpenAt(all, utc('2025-12-24T22:59:00Z'))).toBe(true);
    expect(isOpenAt(all, utc('2025-12-24T23:30:00Z'))).toBe(false);
  });

  it('is DST-correct on the spring-forward day', () => {
    // Sunday 2025-03-30 opens 08:00 CEST = 06:00Z; a fixed +01:00 offset would say 07:00Z.
    expect(isOpenAt(berlin, utc('2025-03-30T05:59:00Z'))).toBe(false);
    expect(isOpenAt(berlin, utc('2025-03-30T06:00:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-03-30T07:59:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-03-30T08:00:00Z'))).toBe(false);
  });

  it('is DST-correct on the fall-back day', () => {
    // Sunday 2025-10-26 opens 08:00 CET = 07:00Z; a fixed +02:00 offset would say 06:00Z.
    expect(isOpenAt(berlin, utc('2025-10-26T06:30:00Z'))).toBe(false);
    expect(isOpenAt(berlin, utc('2025-10-26T07:00:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-10-26T08:59:00Z'))).toBe(true);
    expect(isOpenAt(berlin, utc('2025-10-26T09:00:00Z'))).toBe(false);
  });

  it('handles the repeated hour itself (America/Chicago, 2025-11-02)', () => {
    const night = hours({ timezone: 'America/Chicago', weekly: { sun: ['01:00-02:00'] } });
    // 01:00-02:00 local happens twice: 06:00-07:00Z (CDT) and 07:00-08:00Z (CST); both are open.
    expect(isOpenAt(night, utc('2025-11-02T05:59:00Z'))).toBe(false);
    expect(isOpenAt(night, utc('2025-11-02T06:30:00Z'))).toBe(true);
    expect(isOpenAt(night, utc('2025-11-02T07:30:00Z'))).toBe(true);
    expect(isOpenAt(night, utc('2025-11-02T08:00:00Z'))).toBe(false);
  });
});
