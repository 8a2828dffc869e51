/**
 * QA report periods and ISO weeks in an IANA zone: the history reports' intervals
 * (server/reports/intervals.ts): a day starts at local midnight, a week on Monday, a month on the 1st.
 */
import { localDateKey, startOfLocalDate } from '../../contact-metrics/zoned-time.ts';
import { intervalStart, nextIntervalStart, type ReportInterval } from '../../reports/intervals.ts';

export type Interval = 'day' | 'week' | 'month' | 'total';
export const INTERVALS: readonly Interval[] = ['day', 'week', 'month', 'total'];

const keyOf = (d: Date) => d.toISOString().slice(0, 10);
const REPORT_INTERVAL: Record<Exclude<Interval, 'total'>, ReportInterval> = { day: '1d', week: '1w', month: '1M' };

/** A local week (Monday 00:00 to the next Monday 00:00) and its Monday as `YYYY-MM-DD`. */
export interface Week {
  key: string;
  start: number;
  end: number;
}

/** The week of `zone` holding instant `t`. */
export function weekOf(zone: string, t: number): Week {
  const start = intervalStart(t, '1w', zone);
  return { key: localDateKey(zone, start), start, end: nextIntervalStart(start, '1w', zone) };
}

/** The week of `zone` holding local date `key` (`YYYY-MM-DD`). */
export function weekOfDate(zone: string, key: string): Week {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return weekOf(zone, startOfLocalDate(zone, y, m, d));
}

/** Start (epoch ms) of the period of `interval` holding `t` in `zone`; null for `total`. */
export function periodStart(zone: string, interval: Interval, t: number): number | null {
  return interval === 'total' ? null : intervalStart(t, REPORT_INTERVAL[interval], zone);
}

/** A `YYYY-MM-DD` that is a real date, else null. */
export function parseDateKey(v: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || keyOf(d) !== v ? null : v;
}
