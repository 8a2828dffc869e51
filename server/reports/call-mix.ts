/**
 * What callers wanted and how the calls went, from the per-call history rows: volume with call
 * reasons (wrap-up codes), IVR self-service look-ups and containment, surveys; abandon analysis
 * by stage and wait; the weekday × hour heatmap.
 */
import type { Store } from '../../platform/store/store.ts';
import type { AbandonReport, HeatmapReport, VolumeReport, VolumeRow } from '../../schemas/reports.ts';
import { intervalStart, intervalStarts, isoWithOffset } from './intervals.ts';
import { ABANDONS_SQL, HEATMAP_SQL, IVR_NODES_SQL, REASONS_SQL, VOLUME_SQL } from './queries/call-mix.ts';
import type { ReportPeriod } from './report-query.ts';

type Totals = Omit<VolumeRow, 'interval_start'>;

const emptyTotals = (): Totals & { score_sum: number; resolved: number; asked: number } => ({
  calls: 0,
  answered: 0,
  abandoned: 0,
  self_service: 0,
  ivr_calls: 0,
  containment: null,
  surveys: 0,
  avg_survey_score: null,
  resolution_rate: null,
  reasons: {},
  ivr_nodes: {},
  score_sum: 0,
  resolved: 0,
  asked: 0,
});

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

function finish(t: ReturnType<typeof emptyTotals>): Totals {
  const { score_sum, resolved, asked, ...rest } = t;
  return {
    ...rest,
    containment: t.ivr_calls > 0 ? r4(t.self_service / t.ivr_calls) : null,
    avg_survey_score: t.surveys > 0 ? Math.round((score_sum / t.surveys) * 100) / 100 : null,
    resolution_rate: asked > 0 ? r4(resolved / asked) : null,
  };
}

const params = (p: ReportPeriod) => ({ from: p.from, to: p.to, sites: p.sites, queues: p.queues });

export async function volumeReport(store: Store, p: ReportPeriod): Promise<VolumeReport> {
  const q = params(p);
  const volume = await store.query<Record<string, number>>(VOLUME_SQL, q);
  const reasons = await store.query<{ bucket_ms: number; code: string; calls: number }>(REASONS_SQL, q);
  const nodes = await store.query<{ bucket_ms: number; node: string; calls: number }>(IVR_NODES_SQL, q);
  const cache = new Map<number, number>();
  const startOf = (b: number) => {
    let s = cache.get(b);
    if (s === undefined) cache.set(b, (s = Math.max(intervalStart(b, p.interval, p.tz), p.from)));
    return s;
  };
  const slots = new Map<number, ReturnType<typeof emptyTotals>>();
  for (const s of intervalStarts(p.from, p.to, p.interval, p.tz)) slots.set(Math.max(s, p.from), emptyTotals());
  const total = emptyTotals();
  const slot = (b: number) => slots.get(startOf(Number(b))) ?? total;
  for (const r of volume) {
    for (const t of [slot(r.bucket_ms as number), total]) {
      t.calls += Number(r.calls);
      t.answered += Number(r.answered);
      t.abandoned += Number(r.abandoned);
      t.self_service += Number(r.self_service);
      t.ivr_calls += Number(r.ivr_calls);
      t.surveys += Number(r.surveys);
      t.score_sum += Number(r.survey_score_sum);
      t.resolved += Number(r.resolved);
      t.asked += Number(r.resolved_asked);
    }
  }
  for (const r of reasons) for (const t of [slot(r.bucket_ms), total]) t.reasons[r.code] = (t.reasons[r.code] ?? 0) + Number(r.calls);
  for (const r of nodes) for (const t of [slot(r.bucket_ms), total]) t.ivr_nodes[r.node] = (t.ivr_nodes[r.node] ?? 0) + Number(r.calls);
  return {
    from: isoWithOffset(p.from, p.tz),
    to: isoWithOffset(p.to, p.tz),
    tz: p.tz,
    interval: p.interval,
    rows: [...slots].map(([start, t]) => ({ interval_start: isoWithOffset(start, p.tz), ...finish(t) })),
    totals: finish(total),
  };
}

export async function abandonReport(store: Store, p: ReportPeriod): Promise<AbandonReport> {
  const rows = await store.query<{ stage: string; wait_bucket: string; calls: number }>(ABANDONS_SQL, params(p));
  const by_stage: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    by_stage[r.stage] = (by_stage[r.stage] ?? 0) + Number(r.calls);
    total += Number(r.calls);
  }
  const order = ['0-10', '10-20', '20-30', '30-60', '60-120', '120-300', '300+', ''];
  const buckets = rows
    .map((r) => ({ stage: r.stage, wait_bucket: r.wait_bucket, calls: Number(r.calls) }))
    .sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : order.indexOf(a.wait_bucket) - order.indexOf(b.wait_bucket)));
  return { from: isoWithOffset(p.from, p.tz), to: isoWithOffset(p.to, p.tz), tz: p.tz, buckets, by_stage, total };
}

export async function heatmapReport(store: Store, p: ReportPeriod): Promise<HeatmapReport> {
  const rows = await store.query<{ weekday: number; hour: number; calls: number; answered: number }>(HEATMAP_SQL, { ...params(p), tz: p.tz });
  const cells = rows.map((r) => ({ weekday: Number(r.weekday), hour: Number(r.hour), calls: Number(r.calls), answered: Number(r.answered) })).sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
  return { from: isoWithOffset(p.from, p.tz), to: isoWithOffset(p.to, p.tz), tz: p.tz, cells };
}
