import { describe, expect, it } from 'vitest';
import { ArrivalStream } from './arrivals.ts';
import { EventCalendar } from './calendar.ts';
import { Rng } from './rng.ts';
import { parseClock, parseDuration, Zone } from '../time.ts';

describe('Rng', () => {
  it('replays for a seed and samples the right means', () => {
    const a = new Rng('x');
    const b = new Rng('x');
    expect(Array.from({ length: 5 }, () => a.nextU32())).toEqual(Array.from({ length: 5 }, () => b.nextU32()));
    const r = new Rng(7);
    let exp = 0;
    let logn = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      exp += r.exponential(180);
      logn += r.lognormal(300, 150);
    }
    // Standard errors: 180/√n ≈ 0.40 and 150/√n ≈ 0.34; allow 5 of them.
    expect(Math.abs(exp / n - 180)).toBeLessThan(2);
    expect(Math.abs(logn / n - 300)).toBeLessThan(1.7);
  });
});

describe('EventCalendar', () => {
  it('pops in time order, ties in insertion order', () => {
    const cal = new EventCalendar<object>(4);
    const r = new Rng(3);
    const entries = Array.from({ length: 5000 }, (_, i) => ({ t: Math.floor(r.next() * 100), i }));
    for (const e of entries) cal.push(e.t, 1, null, e.i);
    const out: number[] = [];
    while (cal.pop()) out.push(cal.popped.token);
    const expected = [...entries].sort((x, y) => x.t - y.t || x.i - y.i).map((e) => e.i);
    expect(out).toEqual(expected);
    expect(cal.peekTime()).toBe(Infinity);
  });
});

describe('time', () => {
  it('parses durations and clock times', () => {
    expect(parseDuration('8h')).toBe(28_800);
    expect(parseDuration('1h30m')).toBe(5_400);
    expect(parseDuration('3600')).toBe(3_600);
    expect(parseDuration('forever')).toBe(Infinity);
    expect(parseDuration('8 hours')).toBeUndefined();
    expect(parseClock('07:30')).toBe(450);
    expect(parseClock('24:00')).toBe(1440);
    expect(parseClock('25:00')).toBeUndefined();
  });

  it('converts local times across a DST change', () => {
    const berlin = new Zone('Europe/Berlin');
    const day = berlin.dayNumber(Date.parse('2025-03-30T12:00:00Z')); // spring forward
    expect(new Date(berlin.instant(day, 60)).toISOString()).toBe('2025-03-30T00:00:00.000Z');
    expect(new Date(berlin.instant(day, 8 * 60)).toISOString()).toBe('2025-03-30T06:00:00.000Z');
    expect(berlin.hourOfDay(Date.parse('2025-03-29T07:00:00Z'))).toBe(8);
    expect(Zone.weekday(day)).toBe(7);
  });
});

describe('ArrivalStream', () => {
  it('follows an hourly profile', () => {
    const perHour = new Array<number>(24).fill(0);
    perHour[9] = 600;
    perHour[10] = 60;
    const stream = new ArrivalStream({ queue: 'q', priority: 0, perHour, weekdayFactor: [1, 1, 1, 1, 1, 1, 1], timezone: 'UTC' }, new Rng(1));
    const counts = new Array<number>(24).fill(0);
    const start = Date.parse('2025-03-03T00:00:00Z');
    for (let t = stream.next(start); t < start + 20 * 86_400_000; t = stream.next(t)) counts[new Date(t).getUTCHours()]! += 1;
    // 20 days: 12,000 ± 110 and 1,200 ± 35 expected.
    expect(Math.abs((counts[9] ?? 0) - 12_000)).toBeLessThan(550);
    expect(Math.abs((counts[10] ?? 0) - 1_200)).toBeLessThan(175);
    expect(counts.reduce((a, b) => a + b, 0)).toBe((counts[9] ?? 0) + (counts[10] ?? 0));
  });
});
