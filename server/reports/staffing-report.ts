/**
 * `GET /v1/reports/staffing`: for each interval of a period, the agents its own volume and
 * AHT needed for a service-level target (Erlang C, or Erlang A with `patience_s`), from the
 * same queue-view counters as the queue report.
 */
import type { Store } from '../../platform/store/store.ts';
import type { StaffingReport, StaffingRow } from '../../schemas/reports.ts';
import { ahtS } from '../contact-metrics/index.ts';
import { intervalStarts, isoWithOffset, nextIntervalStart } from './intervals.ts';
import { intervalTotals, type ReportDirectory } from './queue-report.ts';
import type { ReportPeriod } from './report-query.ts';
import { parseStaffingQuery, staffingFor, type StaffingQuery } from './staffing.ts';

/** The report's own parameters (besides the period, zone, interval and the site / queue filters). */
export const STAFFING_REPORT_PARAMS = ['target_s', 'target_sl', 'aht_s', 'patience_s', 'max_occupancy', 'shrinkage'] as const;

export type StaffingTargets = Omit<StaffingQuery, 'calls' | 'interval_s' | 'aht_s'> & { aht_s?: number };

/** Reads the targets, with the staffing calculator's own checks (`aht_s` optional: the fallback when an interval handled nothing). */
export function parseStaffingTargets(q: URLSearchParams): StaffingTargets {
  const probe = new URLSearchParams();
  for (const k of STAFFING_REPORT_PARAMS) {
    const v = q.get(k);
    if (v !== null) probe.set(k, v);
  }
  probe.set('calls', '0');
  probe.set('interval_s', '900');
  const hasAht = probe.has('aht_s');
  if (!hasAht) probe.set('aht_s', '1');
  const { calls: _c, interval_s: _i, aht_s, ...targets } = parseStaffingQuery(probe);
  return hasAht ? { ...targets, aht_s } : targets;
}

export async function staffingReport(store: Store, dir: ReportDirectory, p: ReportPeriod, targets: StaffingTargets): Promise<StaffingReport> {
  const totals = await intervalTotals(store, dir, p);
  let handled = 0;
  let handleMs = 0;
  for (const c of totals.values()) {
    handled += c.handled;
    handleMs += c.talk_ms + c.hold_ms + c.acw_ms;
  }
  const periodAht = handled > 0 ? handleMs / handled / 1000 : null;
  const rows: StaffingRow[] = [];
  for (const start of intervalStarts(p.from, p.to, p.interval, p.tz)) {
    const c = totals.get(start);
    const calls = c?.offered ?? 0;
    const aht = c ? ahtS(c) : null;
    const usedAht = aht ?? targets.aht_s ?? periodAht ?? 180;
    const a = staffingFor({ ...targets, calls, interval_s: (nextIntervalStart(start, p.interval, p.tz) - start) / 1000, aht_s: usedAht });
    rows.push({
      interval_start: isoWithOffset(start, p.tz),
      calls,
      aht_s: aht === null ? null : Math.round(aht * 10) / 10,
      required: a.agents,
      scheduled: a.scheduled,
      service_level: Math.round(a.service_level * 10_000) / 10_000,
      occupancy: Math.round(a.occupancy * 10_000) / 10_000,
    });
  }
  return { from: isoWithOffset(p.from, p.tz), to: isoWithOffset(p.to, p.tz), tz: p.tz, interval: p.interval, target_s: targets.target_s, target_sl: targets.target_sl, rows };
}
