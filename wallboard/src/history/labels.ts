/** Text for periods, intervals and zones in the UI locale (Intl; the words through the language layer). */
import { utcOffset } from '$ui/format.ts';
import { t } from '$ui/i18n.svelte.ts';
import type { ReportInterval } from '../../../schemas/reports.ts';
import type { Period } from './periods.ts';
import { addDays, type Ymd } from './zone-time.ts';

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = locale + JSON.stringify(opts);
  let f = fmtCache.get(k);
  if (!f) fmtCache.set(k, (f = new Intl.DateTimeFormat(locale, opts)));
  return f;
}

const utcDate = (d: Ymd) => new Date(Date.UTC(d.y, d.m - 1, d.d, 12));

/** "Nov 23 – 29, 2026" / "2026年11月23日至29日"; one day alone when the period is a day. */
export function rangeLabel(p: Period, locale: string): string {
  const zh = locale.startsWith('zh');
  const f = dtf(locale, { year: 'numeric', month: zh ? 'long' : 'short', day: 'numeric', timeZone: 'UTC' });
  const last = addDays(p.to, -1);
  const a = utcDate(p.from);
  const b = utcDate(last);
  if (a.getTime() === b.getTime()) return f.format(a);
  if (!zh) return f.formatRange(a, b);
  // ICU gives "2026/11/23 – 2026/11/29" for zh ranges; write "2026年11月23日至29日" as Chinese reports do
  const end = last.y !== p.from.y ? f : dtf(locale, last.m !== p.from.m ? { month: 'long', day: 'numeric', timeZone: 'UTC' } : { day: 'numeric', timeZone: 'UTC' });
  return `${f.format(a)}至${end.format(b)}`;
}

/** A short day, with weekday ("Mon, Nov 23" / "11月23日周一"). */
export function dayLabel(d: Ymd, locale: string): string {
  return dtf(locale, { month: 'short', day: 'numeric', weekday: 'short', timeZone: 'UTC' }).format(utcDate(d));
}

/** The label of an interval starting at `iso` (its own offset) in `zone`; `oneDay` drops the date from sub-day intervals. */
export function intervalLabel(iso: string, interval: ReportInterval, zone: string, locale: string, oneDay: boolean): string {
  const t0 = Date.parse(iso);
  switch (interval) {
    case '15m':
    case '30m':
    case '1h':
      return oneDay
        ? dtf(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(t0)
        : dtf(locale, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(t0);
    case '1d':
      return dtf(locale, { month: 'short', day: 'numeric', weekday: 'short', timeZone: zone }).format(t0);
    case '1w':
      return t('history.weekOf', { date: dtf(locale, { month: 'short', day: 'numeric', timeZone: zone }).format(t0) });
    case '1M':
      return dtf(locale, { year: 'numeric', month: 'short', timeZone: zone }).format(t0);
  }
}

/** "Asia/Shanghai (UTC+08:00)". */
export const zoneLabel = (zone: string): string => `${zone} (${utcOffset(zone)})`;

/** Localised name of an interval. */
export const intervalName = (i: ReportInterval): string => t(`history.interval.${i}`);

/** "Printed by admin at …" timestamp. */
export function stampLabel(ms: number, locale: string, zone: string): string {
  return dtf(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(ms);
}

/** A call's start in the report's zone ("Nov 24, 10:05:12" / "11月24日 10:05:12"). */
export function timeLabel(iso: string, zone: string, locale: string): string {
  return dtf(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: zone }).format(Date.parse(iso));
}

/** Short weekday names, Monday first ("Mon" … / "周一" …). */
export function weekdayNames(locale: string, width: 'short' | 'long' = 'short'): string[] {
  // 2024-01-01 was a Monday
  return Array.from({ length: 7 }, (_, i) => dtf(locale, { weekday: width, timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i, 12)));
}
