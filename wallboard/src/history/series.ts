/** A report's rows laid out on its period's intervals (charts, and comparison by interval position). */
import type { QueueReport, QueueReportFigures, ReportInterval } from '../../../schemas/reports.ts';
import { intervalIndex, intervalStarts, type Period } from './periods.ts';
import { localDate } from './zone-time.ts';

/** The local days of a report's [from, to). */
export function reportPeriod(r: { from: string; to: string; tz: string }): Period {
  return { from: localDate(r.tz, Date.parse(r.from)), to: localDate(r.tz, Date.parse(r.to)) };
}

export interface Layout {
  starts: number[];
  interval: ReportInterval;
  tz: string;
}

export function layoutOf(r: { from: string; to: string; tz: string; interval: ReportInterval }): Layout {
  return { starts: intervalStarts(reportPeriod(r), r.interval, r.tz), interval: r.interval, tz: r.tz };
}

/** Position of a row's interval in its report. */
export const positionOf = (l: Layout, iso: string): number => intervalIndex(l.starts, Date.parse(iso));

/**
 * Figures per interval for the charts: one queue's rows when the report has one queue, else
 * the caller view of the whole center (each call once, so a call offered to two queues is
 * not counted twice).
 */
export function intervalFigures(r: QueueReport, l: Layout): (QueueReportFigures | null)[] {
  const out: (QueueReportFigures | null)[] = l.starts.map(() => null);
  const queues = new Set(r.rows.map((x) => x.queue));
  const rows = queues.size === 1 ? r.rows : r.caller.rows.filter((x) => x.site === null);
  for (const row of rows) {
    const i = positionOf(l, row.interval_start);
    if (i >= 0) out[i] = row;
  }
  return out;
}

/** Per queue, the counters summed over the period (counts only: sums of counts are exact). */
export function queueSums(r: QueueReport): Map<string, { offered: number; answered: number; abandoned: number }> {
  const out = new Map<string, { offered: number; answered: number; abandoned: number }>();
  for (const row of r.rows) {
    const s = out.get(row.queue) ?? { offered: 0, answered: 0, abandoned: 0 };
    s.offered += row.offered;
    s.answered += row.answered;
    s.abandoned += row.abandoned;
    out.set(row.queue, s);
  }
  return out;
}

/** Pairs each row with the previous period's row at the same interval position and key (null when none). */
export function matchPrevious<R extends { interval_start: string }>(rows: readonly R[], l: Layout, prev: readonly R[] | null, pl: Layout | null, key: (r: R) => string): (R | null)[] {
  if (!prev || !pl) return rows.map(() => null);
  const byPos = new Map<string, R>();
  for (const r of prev) byPos.set(`${positionOf(pl, r.interval_start)}|${key(r)}`, r);
  return rows.map((r) => byPos.get(`${positionOf(l, r.interval_start)}|${key(r)}`) ?? null);
}

/**
 * Average agents logged in per interval of `l`: the agents' logged-in seconds in the interval
 * divided by its length (null when the agent report has no row there).
 */
export function loggedInPerInterval(l: Layout, periodEnd: number, rows: readonly { interval_start: string; logged_in_s: number }[]): (number | null)[] {
  const sums: (number | null)[] = l.starts.map(() => null);
  for (const r of rows) {
    const i = positionOf(l, r.interval_start);
    if (i >= 0) sums[i] = (sums[i] ?? 0) + r.logged_in_s;
  }
  return sums.map((s, i) => {
    if (s === null) return null;
    const len = ((l.starts[i + 1] ?? periodEnd) - l.starts[i]!) / 1000;
    return len > 0 ? Math.round((s / len) * 10) / 10 : null;
  });
}

/** Per site (caller view, each call once), the counters summed over the period. */
export function siteSums(r: QueueReport): { site: string; offered: number; answered: number; abandoned: number }[] {
  const out = new Map<string, { site: string; offered: number; answered: number; abandoned: number }>();
  for (const row of r.caller.rows) {
    if (row.site === null) continue;
    const s = out.get(row.site) ?? { site: row.site, offered: 0, answered: 0, abandoned: 0 };
    s.offered += row.offered;
    s.answered += row.answered;
    s.abandoned += row.abandoned;
    out.set(row.site, s);
  }
  return [...out.values()];
}
