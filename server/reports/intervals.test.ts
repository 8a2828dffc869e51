import { describe, expect, it } from 'vitest';
import { intervalStart, intervalStarts, isoWithOffset, nextIntervalStart } from './intervals.ts';

const BERLIN = 'Europe/Berlin';
const t = (iso: string) => Date.parse(iso);

describe('report intervals', () => {
  it('gives the repeated autumn hour two 1h intervals with different offsets', () => {
    // 2026-10-25: Berlin goes from +02:00 back to +01:00 at 03:00 local
    const starts = intervalStarts(t('2026-10-24T22:00:00Z'), t('2026-10-25T03:00:00Z'), '1h', BERLIN).map((s) => isoWithOffset(s, BERLIN));
    expect(starts).toEqual([
      '2026-10-25T00:00:00+02:00',
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ]);
  });

  it('makes the spring day 23 hours and the autumn day 25', () => {
    const spring = intervalStart(t('2026-03-29T12:00:00Z'), '1d', BERLIN);
    expect(nextIntervalStart(spring, '1d', BERLIN) - spring).toBe(23 * 3_600_000);
    const autumn = intervalStart(t('2026-10-25T12:00:00Z'), '1d', BERLIN);
    expect(nextIntervalStart(autumn, '1d', BERLIN) - autumn).toBe(25 * 3_600_000);
    expect(isoWithOffset(autumn, BERLIN)).toBe('2026-10-25T00:00:00+02:00');
  });

  it('finds the Monday of a week from any of its days, across a month and a year end', () => {
    const mon = isoWithOffset(intervalStart(t('2027-01-03T10:00:00+08:00'), '1w', 'Asia/Shanghai'), 'Asia/Shanghai');
    expect(mon).toBe('2026-12-28T00:00:00+08:00');
    expect(isoWithOffset(intervalStart(t('2026-12-28T00:00:00+08:00'), '1w', 'Asia/Shanghai'), 'Asia/Shanghai')).toBe(mon);
    expect(isoWithOffset(nextIntervalStart(t('2026-12-28T00:00:00+08:00'), '1w', 'Asia/Shanghai'), 'Asia/Shanghai')).toBe('2027-01-04T00:00:00+08:00');
  });

  it('starts months on the 1st and 30-minute intervals on local half hours (India is +05:30)', () => {
    expect(isoWithOffset(intervalStart(t('2026-02-14T09:00:00Z'), '1M', BERLIN), BERLIN)).toBe('2026-02-01T00:00:00+01:00');
    expect(isoWithOffset(nextIntervalStart(t('2026-12-01T00:00:00+01:00'), '1M', BERLIN), BERLIN)).toBe('2027-01-01T00:00:00+01:00');
    expect(isoWithOffset(intervalStart(t('2026-05-06T09:10:00Z'), '30m', 'Asia/Kolkata'), 'Asia/Kolkata')).toBe('2026-05-06T14:30:00+05:30');
    expect(isoWithOffset(intervalStart(t('2026-05-06T09:10:00Z'), '15m', 'Asia/Kathmandu'), 'Asia/Kathmandu')).toBe('2026-05-06T14:45:00+05:45');
  });
});
