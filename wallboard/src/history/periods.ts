/**
 * Report periods (UX.md §5): the presets, the previous period a comparison uses, and which
 * intervals a period allows. Pure: dates are local calendar dates of the report's zone; the
 * period is [from, to) with `to` exclusive, as the API takes it.
 */
import type { ReportInterval } from '../../../schemas/reports.ts';
import { addDays, addMonths, compareYmd, daysBetween, localDate, startOfDate, weekday, type Ymd } from './zone-time.ts';

/** The API's intervals (schemas/reports.ts REPORT_INTERVALS; the apps import its types only). */
export const INTERVALS = ['15m', '30m', '1h', '1d', '1w', '1M'] as const satisfies readonly ReportInterval[];

export const PRESETS = ['today', 'yesterday', 'this_week', 'last_week', 'last_7', 'last_30', 'this_month', 'last_month', 'week', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

/**
 * First day of the week, 1 = Monday. UX.md §5 lets the organisation override the locale's
 * week; there is no such setting yet, and the server's `1w` interval is the ISO (Monday)
 * week, so every locale uses Monday: a week picked here is the week the server reports.
 */
export const WEEK_START = 1;

export interface Period {
  /** first day */
  from: Ymd;
  /** the day after the last day (exclusive) */
  to: Ymd;
}

/** The first day of the week that contains `d` ("a week is found from any day in it"). */
export function weekOf(d: Ymd): Period {
  const from = addDays(d, -((weekday(d) - WEEK_START + 7) % 7));
  return { from, to: addDays(from, 7) };
}

/** The period of a preset, `today` being the report zone's local date now ('week' and 'custom' need their own days). */
export function presetPeriod(preset: Exclude<Preset, 'custom' | 'week'>, today: Ymd): Period {
  const month = { y: today.y, m: today.m, d: 1 };
  switch (preset) {
    case 'today':
      return { from: today, to: addDays(today, 1) };
    case 'yesterday':
      return { from: addDays(today, -1), to: today };
    case 'this_week':
      return weekOf(today);
    case 'last_week':
      return weekOf(addDays(today, -7));
    case 'last_7':
      return { from: addDays(today, -7), to: today };
    case 'last_30':
      return { from: addDays(today, -30), to: today };
    case 'this_month':
      return { from: month, to: addMonths(month, 1) };
    case 'last_month':
      return { from: addMonths(month, -1), to: month };
  }
}

/** Today in `zone`. */
export const todayIn = (zone: string, now = Date.now()): Ymd => localDate(zone, now);

export const periodDays = (p: Period): number => daysBetween(p.from, p.to);

/**
 * The period a comparison uses: the same length immediately before. A period of whole
 * calendar months compares with the same number of months before it.
 */
export function previousPeriod(p: Period): Period {
  if (p.from.d === 1 && p.to.d === 1) {
    const months = (p.to.y - p.from.y) * 12 + (p.to.m - p.from.m);
    if (months > 0) return { from: addMonths(p.from, -months), to: p.from };
  }
  return { from: addDays(p.from, -periodDays(p)), to: p.from };
}

/**
 * Whether an interval suits a period of `days` days (UX.md §5, after Amazon Connect's
 * limits): 15 min / 30 min / 1 h under 3 days, day and week under 35 days (a week from 7
 * days on), month from 28 days on (and the only choice from 35 days on).
 */
export function intervalAllowed(interval: ReportInterval, days: number): boolean {
  switch (interval) {
    case '15m':
    case '30m':
    case '1h':
      return days < 3;
    case '1d':
      return days < 35;
    case '1w':
      return days >= 7 && days < 35;
    case '1M':
      return days >= 28;
  }
}

/** `current` when the period allows it, else the interval that suits it best. */
export function pickInterval(current: ReportInterval | null, days: number): ReportInterval {
  if (current && intervalAllowed(current, days)) return current;
  return days < 3 ? '1h' : days < 35 ? '1d' : '1M';
}

const SUB_DAY_MS: Partial<Record<ReportInterval, number>> = { '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000 };

/**
 * The start of every interval of period `p` in `zone`, as the server names them (sub-day on
 * the local clock, days at local midnight, weeks on Monday, months on the 1st), so charts
 * show empty intervals as empty and a comparison lines interval i up with interval i.
 */
export function intervalStarts(p: Period, interval: ReportInterval, zone: string): number[] {
  const out: number[] = [];
  const end = startOfDate(zone, p.to);
  const size = SUB_DAY_MS[interval];
  if (size !== undefined) {
    for (let t = startOfDate(zone, p.from); t < end && out.length < 3000; t += size) out.push(t);
    return out;
  }
  let d: Ymd = interval === '1w' ? weekOf(p.from).from : interval === '1M' ? { y: p.from.y, m: p.from.m, d: 1 } : p.from;
  while (compareYmd(d, p.to) < 0 && out.length < 3000) {
    out.push(startOfDate(zone, d));
    d = interval === '1d' ? addDays(d, 1) : interval === '1w' ? addDays(d, 7) : addMonths(d, 1);
  }
  return out;
}

/** Index of the interval that contains instant `t` among `starts` (-1 when outside). */
export function intervalIndex(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || t < starts[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
