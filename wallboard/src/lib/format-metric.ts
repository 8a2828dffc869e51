/** A metric's value as text (kept apart from metrics.ts so that module stays free of the shell). */
import { formatCount, formatDuration, formatPercent } from '$ui/format.ts';
import type { MetricId } from './contract.ts';
import { METRICS } from './metrics.ts';

/** The value as text for the locale; percentages get `percentDigits` decimals. */
export function formatMetric(metric: MetricId, value: number | null, locale: string, over24h: string, percentDigits = 0): string {
  const kind = METRICS[metric].kind;
  if (kind === 'duration') return formatDuration(value, over24h);
  if (kind === 'percent') return formatPercent(value, locale, percentDigits);
  return formatCount(value, locale);
}

