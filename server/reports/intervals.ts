/**
 * Report intervals in an IANA zone: 15m, 30m and 1h start on local clock multiples (so the
 * repeated autumn hour gives two intervals with different UTC offsets), 1d at local midnight,
 * 1w on Monday (ISO week: any day finds its week), 1M on the 1st. An interval is named by the
 * UTC instant of its start and printed with the local offset.
 */
import { localDayOf, startOfLocalDate, zoneOffsetMs } from '../contact-metrics/zoned-time.ts';

import { REPORT_INTERVALS, type ReportInterval } from '../../schemas/reports.ts';

export { REPORT_INTERVALS, type ReportInterval };

const SUB_DAY_MS: Partial<Record<ReportInterval, number>> = { '15m': 15 * 60_000, '30m': 30 * 60_000, '1h': 3_600_000 };

function localYmd(zone: string, t: number): { y: number; m: number; d: number } {
  const wall = new Date(t + zoneOffsetMs(zone, t));
  return { y: wall.getUTCFullYear(), m: wall.getUTCMonth() + 1, d: wall.getUTCDate() };
}

/** First instant of local date y-m-d, with day and month overflow normalised (d = 0 is the last day of the month before). */
function dateStart(zone: string, y: number, m: number, d: number): number {
  const n = new Date(Date.UTC(y, m - 1, d));
  return startOfLocalDate(zone, n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate());
}

/** Start of the interval that contains `t`. */
export function intervalStart(t: number, interval: ReportInterval, zone: string): number {
  const size = SUB_DAY_MS[interval];
  if (size !== undefined) {
    const local = t + zoneOffsetMs(zone, t);
    return t - (((local % size) + size) % size);
  }
  const { y, m, d } = localYmd(zone, t);
  switch (interval) {
    case '1d':
      return localDayOf(zone, t).start;
    case '1w': {
      const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
      return dateStart(zone, y, m, d - ((dow + 6) % 7));
    }
    default:
      return dateStart(zone, y, m, 1);
  }
}

/** Start of the interval after the one starting at `start`. */
export function nextIntervalStart(start: number, interval: ReportInterval, zone: string): number {
  const size = SUB_DAY_MS[interval];
  if (size !== undefined) return start + size;
  const { y, m, d } = localYmd(zone, start);
  switch (interval) {
    case '1d':
      return dateStart(zone, y, m, d + 1);
    case '1w':
      return dateStart(zone, y, m, d + 7);
    default:
      return dateStart(zone, y, m + 1, 1);
  }
}

/** The starts of every interval overlapping [from, to). */
export function intervalStarts(from: number, to: number, interval: ReportInterval, zone: string): number[] {
  const out: number[] = [];
  for (let s = intervalStart(from, interval, zone); s < to; s = nextIntervalStart(s, interval, zone)) out.push(s);
  return out;
}

/** ISO 8601 with the zone's offset at `t`: `2026-10-25T02:00:00+01:00`. */
export function isoWithOffset(t: number, zone: string): string {
  const off = zoneOffsetMs(zone, t);
  const wall = new Date(t + off).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60_000;
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
