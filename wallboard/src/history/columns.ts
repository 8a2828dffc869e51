/** The figure columns of the queue and caller tables, with Δ columns when comparing. */
import { t } from '$ui/i18n.svelte.ts';
import type { QueueReportFigures } from '../../../schemas/reports.ts';
import { delta, formatFigure, TABLE_METRICS, type MetricDef } from './metrics.ts';
import type { Column } from './table.ts';

export interface FigureRow {
  f: QueueReportFigures;
  /** the same row in the previous period (null: none, or not comparing) */
  p: QueueReportFigures | null;
}

/** "+2.1 pp" / "+2.1个百分点" */
export const pp = (signed: string): string => t('history.pp', { value: signed });

export function deltaOf(m: MetricDef, r: FigureRow, locale: string, withPercent = false) {
  return r.p ? delta(m.kind, m.polarity, r.f[m.key], r.p[m.key], locale, pp, withPercent) : null;
}

export function figureColumns<R extends FigureRow>(compare: boolean, locale: string): Column<R>[] {
  const out: Column<R>[] = [];
  for (const m of TABLE_METRICS) {
    out.push({ id: m.key, label: t(`history.col.${m.key}`), numeric: true, value: (r) => r.f[m.key], text: (r) => formatFigure(m.kind, r.f[m.key], locale) });
    if (compare && m.delta) {
      out.push({
        id: `d_${m.key}`,
        label: t('history.col.delta', { metric: t(`history.short.${m.key}`) }),
        numeric: true,
        delta: true,
        value: (r) => deltaOf(m, r, locale)?.value ?? null,
        text: (r) => {
          const d = deltaOf(m, r, locale);
          return d ? `${d.arrow} ${d.text}`.trim() : '—';
        },
        tone: (r) => deltaOf(m, r, locale)?.tone ?? null,
      });
    }
  }
  return out;
}
