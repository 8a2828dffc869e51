/**
 * The report columns: which figure, its unit, how it is shown and which way is better
 * (UX.md §5: units in headers, rates with 1 decimal, durations m:ss, a Δ in percentage
 * points for rates, ▲/▼ coloured by polarity, negatives with U+2212).
 */
import { formatCount, formatDuration, NO_VALUE } from '$ui/format.ts';
import type { QueueReportFigures } from '../../../schemas/reports.ts';

/** `duration` m:ss (averages), `hours` h:mm:ss without a cap (an agent's week of logged-in time) */
export type Kind = 'count' | 'rate' | 'duration' | 'hours';
/** which direction is good: `up` (SL), `down` (AHT), or neither (volume) */
export type Polarity = 'up' | 'down' | 'none';

export type FigureKey = {
  [K in keyof QueueReportFigures]-?: QueueReportFigures[K] extends number | null ? K : never;
}[keyof QueueReportFigures];

export interface MetricDef {
  key: FigureKey;
  kind: Kind;
  polarity: Polarity;
  /** gets a Δ column when comparing */
  delta: boolean;
}

/** The queue and caller tables' figures, in column order. */
export const TABLE_METRICS: readonly MetricDef[] = [
  { key: 'offered', kind: 'count', polarity: 'none', delta: true },
  { key: 'answered', kind: 'count', polarity: 'none', delta: false },
  { key: 'abandoned', kind: 'count', polarity: 'down', delta: false },
  { key: 'abandon_rate', kind: 'rate', polarity: 'down', delta: true },
  { key: 'service_level', kind: 'rate', polarity: 'up', delta: true },
  { key: 'asa_s', kind: 'duration', polarity: 'down', delta: true },
  { key: 'aht_s', kind: 'duration', polarity: 'down', delta: true },
  { key: 'max_wait_s', kind: 'duration', polarity: 'down', delta: false },
  { key: 'flowed_out', kind: 'count', polarity: 'none', delta: false },
  { key: 'handled', kind: 'count', polarity: 'none', delta: false },
  { key: 'transfers', kind: 'count', polarity: 'none', delta: false },
];

/** The summary cards above the queue report. */
export const KPI_METRICS: readonly MetricDef[] = [
  { key: 'offered', kind: 'count', polarity: 'none', delta: true },
  { key: 'answered', kind: 'count', polarity: 'up', delta: true },
  { key: 'abandoned', kind: 'count', polarity: 'down', delta: true },
  { key: 'service_level', kind: 'rate', polarity: 'up', delta: true },
  { key: 'asa_s', kind: 'duration', polarity: 'down', delta: true },
  { key: 'aht_s', kind: 'duration', polarity: 'down', delta: true },
  { key: 'abandon_rate', kind: 'rate', polarity: 'down', delta: true },
];

const nfCache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, digits: number): Intl.NumberFormat {
  const k = `${locale}/${digits}`;
  let f = nfCache.get(k);
  if (!f) nfCache.set(k, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
}

/** Seconds as h:mm:ss with no 24-hour cap (totals of time over a period). */
export function formatHours(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NO_VALUE;
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** U+2212 for negatives (UX.md §5). */
export const minus = (s: string): string => s.replace(/^-/, '\u2212').replace(/(\s)-/g, '$1\u2212');

/** A figure as table text: counts grouped, rates as a number of percent with 1 decimal (the "%" is in the header), durations m:ss. */
export function formatFigure(kind: Kind, v: number | null | undefined, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
  if (kind === 'count') return formatCount(v, locale);
  if (kind === 'rate') return nf(locale, 1).format(v * 100);
  if (kind === 'hours') return formatHours(v);
  return formatDuration(v);
}

/** A rate with its "%" (cards, chart tooltips). */
export function formatRatePercent(v: number | null | undefined, locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NO_VALUE;
  return `${nf(locale, 1).format(v * 100)}%`;
}

export interface Delta {
  /** "+12 (+8.3%)", "+2.1 pp", "−0:12" */
  text: string;
  arrow: '▲' | '▼' | '';
  tone: 'good' | 'bad' | 'neutral';
  /** the raw difference, for sorting */
  value: number;
}

/**
 * The change from `prev` to `cur`; null when either is undefined. `pp(x)` words a change of
 * x percentage points ("+2.1 pp" / "+2.1个百分点"); `withPercent` adds the relative change.
 */
export function delta(kind: Kind, polarity: Polarity, cur: number | null | undefined, prev: number | null | undefined, locale: string, pp: (signed: string) => string, withPercent = true): Delta | null {
  if (cur === null || cur === undefined || prev === null || prev === undefined || !Number.isFinite(cur) || !Number.isFinite(prev)) return null;
  const diff = cur - prev;
  const sign = diff > 0 ? '+' : diff < 0 ? '\u2212' : '±';
  const abs = Math.abs(diff);
  let text: string;
  if (kind === 'rate') text = pp(sign + nf(locale, 1).format(abs * 100));
  else {
    text = sign + (kind === 'count' ? formatCount(abs, locale) : kind === 'hours' ? formatHours(abs) : formatDuration(abs));
    if (withPercent && prev !== 0 && diff !== 0) text += ` (${sign}${nf(locale, 1).format((abs / Math.abs(prev)) * 100)}%)`;
  }
  const shown = kind === 'rate' ? Math.round(abs * 1000) : kind === 'duration' || kind === 'hours' ? Math.floor(abs) : abs;
  const arrow = shown === 0 ? '' : diff > 0 ? '▲' : '▼';
  const better = polarity === 'none' || shown === 0 ? null : (diff > 0) === (polarity === 'up');
  return { text, arrow, tone: better === null ? 'neutral' : better ? 'good' : 'bad', value: diff };
}
