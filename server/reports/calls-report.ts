/** `GET /v1/reports/calls`: the call-detail list ("access detail"), from the per-call history rows. */
import type { Store } from '../../platform/store/store.ts';
import type { CallReport, CallReportRow } from '../../schemas/reports.ts';
import { isoWithOffset } from './intervals.ts';
import { CALL_LIST_SQL, type CallListRow } from './queries/call-list.ts';
import { listParam, ReportInputError, type ReportPeriod } from './report-query.ts';

export const CALL_OUTCOMES = ['answered', 'abandoned', 'flowed_out', 'waiting', 'ivr_abandoned', 'self_service', 'outbound', 'in_progress'] as const;
export const CALLS_REPORT_PARAMS = ['outcome', 'caller', 'disposition', 'limit', 'offset'] as const;
/** Most rows of one page (CSV included: page through longer lists). */
export const MAX_CALL_ROWS = 10_000;

export interface CallListOptions {
  /** any of these outcomes (empty: all) */
  outcomes: string[];
  caller: string;
  disposition: string;
  limit: number;
  offset: number;
}

export function parseCallListOptions(q: URLSearchParams): CallListOptions {
  const outcomes = listParam(q, 'outcome');
  for (const outcome of outcomes) {
    if (!(CALL_OUTCOMES as readonly string[]).includes(outcome)) throw new ReportInputError(`outcome: must be one of ${CALL_OUTCOMES.join(', ')} (got ${JSON.stringify(outcome)})`);
  }
  const int = (name: string, dflt: number, max: number): number => {
    const raw = q.get(name);
    if (raw === null || raw === '') return dflt;
    const v = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v > max) throw new ReportInputError(`${name}: must be a whole number from 0 to ${max} (got ${JSON.stringify(raw)})`);
    return v;
  };
  return { outcomes, caller: (q.get('caller') ?? '').trim().slice(0, 64), disposition: q.get('disposition') ?? '', limit: int('limit', 100, MAX_CALL_ROWS), offset: int('offset', 0, 10_000_000) };
}

const sec = (ms: number | null) => (ms === null ? null : Math.round(Number(ms) / 100) / 10);

export async function callsReport(store: Store, p: ReportPeriod, o: CallListOptions): Promise<CallReport> {
  const rows = await store.query<CallListRow>(CALL_LIST_SQL, { from: p.from, to: p.to, sites: p.sites, queues: p.queues, agents: p.agents, ...o });
  const out: CallReportRow[] = rows.map((r) => ({
    call: r.call,
    started_at: isoWithOffset(Number(r.started_ms), p.tz),
    site: r.site,
    direction: r.direction,
    caller: r.caller,
    service_number: r.service_number,
    service: r.first_queue || 'ivr',
    outcome: r.outcome,
    abandon_stage: r.abandon_stage,
    wait_s: sec(r.wait_ms),
    talk_s: sec(r.talk_ms) ?? 0,
    hold_s: sec(r.hold_ms) ?? 0,
    acw_s: sec(r.acw_ms) ?? 0,
    duration_s: sec(r.duration_ms),
    agent: r.agent,
    queues: r.queues,
    disposition: r.disposition,
    survey_score: r.survey_score === null ? null : Number(r.survey_score),
    survey_resolved: r.survey_resolved === null ? null : Number(r.survey_resolved) === 1,
    transfers: Number(r.transfers),
    ivr_path: r.ivr_path,
  }));
  return { from: isoWithOffset(p.from, p.tz), to: isoWithOffset(p.to, p.tz), tz: p.tz, rows: out, total: Number(rows[0]?.total ?? 0) };
}
