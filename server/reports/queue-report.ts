/**
 * `GET /v1/reports/queues`: the queue view per queue and interval, and the caller view (each
 * call once, by its first queue) per site and for the whole center. Counters come from the
 * 15-minute rollup (or, for a what-if T or S, from the per-call rows); every figure is the
 * metric module's (`queueFigures`, `serviceLevelVariants`) applied to summed counters, so a
 * total is computed from raw sums, never averaged from averages.
 */
import type { Store } from '../../platform/store/store.ts';
import type { CallerReportRow, QueueReport, QueueReportFigures, QueueReportRow } from '../../schemas/reports.ts';
import { SL_FORMULAS, type SlFormula } from '../../schemas/settings.ts';
import {
  addQueueCounters,
  emptyQueueCounters,
  queueFigures,
  resolveQueueSettings,
  roundFigures,
  serviceLevelVariants,
  type QueueCounters,
  type QueueSettings,
} from '../contact-metrics/index.ts';
import type { QueueInfo, SiteInfo } from '../live/directory.ts';
import { intervalStart, isoWithOffset } from './intervals.ts';
import { QUEUE_ROLLUP_SQL, QUEUE_WHAT_IF_SQL, type QueueIntervalRow } from './queries/queue-intervals.ts';
import { ReportInputError, type ReportPeriod } from './report-query.ts';

/** What the reports read from the directory. */
export interface ReportDirectory {
  queue(id: string): QueueInfo | undefined;
  site(id: string): SiteInfo | undefined;
  listQueues(): readonly { id: string; site: string }[];
  listAgents(): readonly { id: string; site: string; team: string | null }[];
}

export interface QueueReportOptions extends ReportPeriod {
  /** one formula for every row, or `all` to add each row's service level by every formula */
  slFormula: SlFormula | 'all' | null;
  /** what-if thresholds over the queues' own */
  slThresholdS: number | null;
  shortAbandonS: number | null;
}

// The report's JSON shapes are wire shapes shared with the apps (schemas/reports.ts).
export type { CallerReportRow, QueueReport, QueueReportFigures, QueueReportRow } from '../../schemas/reports.ts';

/** The report's own parameters (besides from, to, tz, interval, format and the filters). */
export const QUEUE_REPORT_PARAMS = ['sl_formula', 'sl_threshold_s', 'short_abandon_s'] as const;

export function parseQueueReportExtras(q: URLSearchParams): Pick<QueueReportOptions, 'slFormula' | 'slThresholdS' | 'shortAbandonS'> {
  const f = q.get('sl_formula');
  if (f !== null && f !== 'all' && !(SL_FORMULAS as readonly string[]).includes(f)) {
    throw new ReportInputError(`sl_formula: must be one of ${SL_FORMULAS.join(', ')} or all (got ${JSON.stringify(f)})`);
  }
  const seconds = (name: string): number | null => {
    const raw = q.get(name);
    if (raw === null || raw === '') return null;
    const v = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(v) || v > 3600) throw new ReportInputError(`${name}: must be seconds from 0 to 3600 (got ${JSON.stringify(raw)})`);
    return v;
  };
  return { slFormula: (f as SlFormula | 'all' | null) ?? null, slThresholdS: seconds('sl_threshold_s'), shortAbandonS: seconds('short_abandon_s') };
}

const QUARTER_MS = 15 * 60_000;

function countersOf(r: QueueIntervalRow): QueueCounters {
  const c = emptyQueueCounters();
  c.offered = Number(r.offered);
  c.answered = Number(r.answered);
  c.abandoned = Number(r.abandoned);
  c.short_abandoned = Number(r.short_abandoned);
  c.flowed_out = Number(r.flowed_out);
  c.answered_within_sl = Number(r.answered_within_sl);
  c.abandoned_within_sl = Number(r.abandoned_within_sl);
  c.answer_wait_ms = Number(r.answer_wait_ms);
  c.abandon_wait_ms = Number(r.abandon_wait_ms);
  const max = Number(r.max_wait_ms);
  if (max > 0 || c.answered + c.abandoned > 0) c.top_waits = [max];
  c.handled = Number(r.handled);
  c.talk_ms = Number(r.talk_ms);
  c.hold_ms = Number(r.hold_ms);
  c.acw_ms = Number(r.acw_ms);
  c.transfers = Number(r.transfers);
  return c;
}

/** The queues a report covers: the `queue` filter, else the queues of the `site` filter, else all (empty list). */
export function queuesInScope(dir: ReportDirectory, p: Pick<ReportPeriod, 'queues' | 'sites'>): string[] {
  if (p.queues.length > 0) return p.queues;
  if (p.sites.length === 0) return [];
  const sites = new Set(p.sites);
  const out = dir.listQueues().filter((q) => sites.has(q.site)).map((q) => q.id);
  return out.length > 0 ? out : ['\u0000none'];
}

export async function queueReport(store: Store, dir: ReportDirectory, p: QueueReportOptions): Promise<QueueReport> {
  const keys = queuesInScope(dir, p);
  const { rows: all, source } = await readQueueCounters(store, p, keys, ['queue', 'caller'], p.slThresholdS, p.shortAbandonS);
  const queueRows = all.filter((r) => r.scope === 'queue');
  const callerRows = all.filter((r) => r.scope === 'caller');

  const settingsOf = (queue: string): QueueSettings => resolveQueueSettings(dir.queue(queue)?.settings);
  const startOf = memoStart(p);
  const siteOf = (queue: string) => dir.queue(queue)?.site ?? '';

  const byQueue = new Map<string, Map<number, QueueCounters>>();
  const total = emptyQueueCounters();
  for (const r of queueRows) {
    const c = countersOf(r);
    addTo(byQueue, r.key, startOf(Number(r.bucket_ms)), c);
    addQueueCounters(total, c);
  }
  const bySite = new Map<string, Map<number, QueueCounters>>();
  const center = new Map<number, QueueCounters>();
  const callerTotal = emptyQueueCounters();
  for (const r of callerRows) {
    const c = countersOf(r);
    const start = startOf(Number(r.bucket_ms));
    addTo(bySite, siteOf(r.key), start, c);
    addQueueCounters(center.get(start) ?? setGet(center, start, emptyQueueCounters()), c);
    addQueueCounters(callerTotal, c);
  }

  const figures = (c: QueueCounters, s: Pick<QueueSettings, 'slFormula' | 'slFlowouts'>): QueueReportFigures => {
    const formula = p.slFormula !== null && p.slFormula !== 'all' ? p.slFormula : s.slFormula;
    const f: QueueReportFigures = roundFigures(queueFigures(c, { slFormula: formula, slFlowouts: s.slFlowouts }));
    if (p.slFormula === 'all') f.service_level_by_formula = roundFigures(serviceLevelVariants(c, s.slFlowouts));
    return f;
  };
  const mixed = commonSettings(keys.length > 0 ? keys : [...byQueue.keys()], settingsOf);
  const isoCache = new Map<number, string>();
  const iso = (t: number) => {
    let v = isoCache.get(t);
    if (v === undefined) isoCache.set(t, (v = isoWithOffset(t, p.tz)));
    return v;
  };

  const sortedRows: { start: number; row: QueueReportRow }[] = [];
  for (const queue of [...byQueue.keys()].sort()) {
    for (const [start, c] of byQueue.get(queue)!) sortedRows.push({ start, row: { interval_start: iso(start), queue, ...figures(c, settingsOf(queue)) } });
  }
  // by interval, then queue (queues were added in order and the sort is stable)
  const rows = sortedRows.sort((a, b) => a.start - b.start).map((r) => r.row);
  const callerRowsOut: CallerReportRow[] = [];
  for (const site of [...bySite.keys()].sort()) {
    for (const [start, c] of [...bySite.get(site)!].sort((a, b) => a[0] - b[0])) callerRowsOut.push({ interval_start: iso(start), site, ...figures(c, mixed) });
  }
  for (const [start, c] of [...center].sort((a, b) => a[0] - b[0])) callerRowsOut.push({ interval_start: iso(start), site: null, ...figures(c, mixed) });

  return {
    from: iso(p.from),
    to: iso(p.to),
    tz: p.tz,
    interval: p.interval,
    source,
    rows,
    totals: figures(total, mixed),
    caller: { rows: callerRowsOut, totals: figures(callerTotal, mixed) },
  };
}

/** Whether a period starts and ends on 15-minute edges (the rollup's buckets). */
export const onQuarterEdges = (p: Pick<ReportPeriod, 'from' | 'to'>): boolean => p.from % QUARTER_MS === 0 && p.to % QUARTER_MS === 0;

/**
 * The counters of `scopes` per key and bucket: from the rollup when the period is on 15-minute
 * edges and no what-if threshold is given, else from the per-call rows (a null threshold keeps
 * the deriver's).
 */
async function readQueueCounters(
  store: Store,
  p: ReportPeriod,
  keys: string[],
  scopes: string[],
  slThresholdS: number | null,
  shortAbandonS: number | null,
): Promise<{ rows: QueueIntervalRow[]; source: 'rollup' | 'calls' }> {
  if (onQuarterEdges(p) && slThresholdS === null && shortAbandonS === null) {
    const rows = await store.query<QueueIntervalRow>(QUEUE_ROLLUP_SQL, { scopes, fromS: Math.floor(p.from / 1000), toS: Math.floor(p.to / 1000), keys, iv: p.interval, tz: p.tz });
    return { rows, source: 'rollup' };
  }
  const rows = await store.query<QueueIntervalRow>(QUEUE_WHAT_IF_SQL, {
    scopes,
    from: p.from,
    to: p.to,
    keys,
    slMs: slThresholdS === null ? -1 : Math.round(slThresholdS * 1000),
    shortMs: shortAbandonS === null ? -1 : Math.round(shortAbandonS * 1000),
  });
  return { rows, source: 'calls' };
}

/** Queue-view counters of the queues in scope, summed per interval start (rollup when the period is 15-minute aligned). */
export async function intervalTotals(store: Store, dir: ReportDirectory, p: ReportPeriod): Promise<Map<number, QueueCounters>> {
  const { rows } = await readQueueCounters(store, p, queuesInScope(dir, p), ['queue'], null, null);
  const startOf = memoStart(p);
  const out = new Map<number, QueueCounters>();
  for (const r of rows) {
    const start = startOf(Number(r.bucket_ms));
    const cur = out.get(start);
    if (cur) addQueueCounters(cur, countersOf(r));
    else out.set(start, countersOf(r));
  }
  return out;
}

/** Settings for a group of queues: theirs when they agree on the formula and flow-outs, else the defaults. */
function commonSettings(queues: readonly string[], settingsOf: (q: string) => QueueSettings): QueueSettings {
  const all = queues.map(settingsOf);
  const first = all[0];
  if (first && all.every((s) => s.slFormula === first.slFormula && s.slFlowouts === first.slFlowouts)) return first;
  return resolveQueueSettings(null);
}

function memoStart(p: Pick<ReportPeriod, 'interval' | 'tz'>): (bucket: number) => number {
  const cache = new Map<number, number>();
  return (bucket) => {
    let s = cache.get(bucket);
    if (s === undefined) cache.set(bucket, (s = intervalStart(bucket, p.interval, p.tz)));
    return s;
  };
}

function setGet<K, V>(m: Map<K, V>, k: K, v: V): V {
  m.set(k, v);
  return v;
}

/** Adds a row's counters (a fresh object, taken over when its slot is empty) to its key's interval. */
function addTo(m: Map<string, Map<number, QueueCounters>>, key: string, start: number, c: QueueCounters): void {
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  const cur = inner.get(start);
  if (cur) addQueueCounters(cur, c);
  else inner.set(start, c);
}
