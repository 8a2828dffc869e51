/** Parameters every history report shares: period, zone, interval, filters; checked by name. */
import { isValidTimeZone } from '../contact-metrics/zoned-time.ts';
import { REPORT_INTERVALS, intervalStart, nextIntervalStart, type ReportInterval } from './intervals.ts';

/** A report parameter that is not acceptable: the message names it (answered 400). */
export class ReportInputError extends Error {}

export interface ReportPeriod {
  /** inclusive, epoch ms */
  from: number;
  /** exclusive, epoch ms */
  to: number;
  tz: string;
  interval: ReportInterval;
  sites: string[];
  queues: string[];
  agents: string[];
  teams: string[];
  format: 'json' | 'csv';
}

/** ISO 8601 with an explicit offset (Z or ±hh:mm), optional seconds and fraction. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Most intervals one report may have (a 30-day 15-minute report has 2,880). */
export const MAX_INTERVALS = 3000;

function instant(q: URLSearchParams, name: string): number {
  const raw = q.get(name);
  if (raw === null || raw === '') throw new ReportInputError(`${name}: required, ISO 8601 with an offset, e.g. 2026-11-23T00:00:00+08:00`);
  const t = ISO_WITH_OFFSET.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(t)) throw new ReportInputError(`${name}: must be ISO 8601 with an offset (Z or ±hh:mm), e.g. 2026-11-23T00:00:00+08:00 (got ${JSON.stringify(raw)})`);
  return t;
}

/** Comma-separated or repeated values of a filter. */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * Reads the shared parameters. `extra` names the report's own parameters (anything else is
 * refused, so a misspelt filter is never silently ignored); `filters` the filters it takes.
 */
export function parseReportPeriod(
  q: URLSearchParams,
  opts: { defaultZone: (sites: string[]) => string; filters: readonly ('site' | 'queue' | 'agent' | 'team')[]; extra?: readonly string[] },
): ReportPeriod {
  const known = new Set(['from', 'to', 'tz', 'interval', 'format', ...opts.filters, ...(opts.extra ?? [])]);
  for (const k of q.keys()) {
    if (!known.has(k)) {
      const filter = ['site', 'queue', 'agent', 'team'].includes(k);
      throw new ReportInputError(filter ? `${k}: not a filter of this report (filters: ${opts.filters.join(', ')})` : `${k}: unknown parameter (known: ${[...known].join(', ')})`);
    }
  }
  const from = instant(q, 'from');
  const to = instant(q, 'to');
  if (to <= from) throw new ReportInputError('to: must be after from');
  const sites = listParam(q, 'site');
  const tz = q.get('tz') || opts.defaultZone(sites);
  if (!isValidTimeZone(tz)) throw new ReportInputError(`tz: not an IANA time zone (got ${JSON.stringify(tz)})`);
  const rawInterval = q.get('interval') || (to - from <= 3 * 86_400_000 ? '1h' : to - from <= 62 * 86_400_000 ? '1d' : '1M');
  if (!(REPORT_INTERVALS as readonly string[]).includes(rawInterval)) throw new ReportInputError(`interval: must be one of ${REPORT_INTERVALS.join(', ')} (got ${JSON.stringify(rawInterval)})`);
  const interval = rawInterval as ReportInterval;
  let n = 0;
  for (let s = intervalStart(from, interval, tz); s < to && n <= MAX_INTERVALS; s = nextIntervalStart(s, interval, tz)) n++;
  if (n > MAX_INTERVALS) throw new ReportInputError(`interval: ${interval} from ${q.get('from')} to ${q.get('to')} gives more than ${MAX_INTERVALS} intervals; choose a longer interval or a shorter period`);
  const format = q.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new ReportInputError(`format: must be json or csv (got ${JSON.stringify(format)})`);
  return { from, to, tz, interval, sites, queues: listParam(q, 'queue'), agents: listParam(q, 'agent'), teams: listParam(q, 'team'), format };
}
