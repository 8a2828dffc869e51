/**
 * Date range presets of the search and reports (UX.md §5): today, yesterday, this/last week,
 * this/last month, last 7/30 days, custom. The week starts Monday in zh-CN and Sunday in en
 * (CLDR weekInfo). Ranges are [from, to) in epoch ms of the browser's zone; inputs use
 * YYYY-MM-DD.
 */
export const PRESETS = ['today', 'yesterday', 'thisWeek', 'lastWeek', 'thisMonth', 'lastMonth', 'last7', 'last30', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

/** 1 = Monday … 7 = Sunday, from Intl where the browser has weekInfo. */
export function firstDayOfWeek(locale: string): number {
  try {
    const loc = new Intl.Locale(locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info?.firstDay) return info.firstDay;
  } catch {
    // older engines
  }
  return locale.startsWith('zh') ? 1 : 7;
}

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

export function presetRange(p: Exclude<Preset, 'custom'>, locale: string, now = new Date()): { from: number; to: number } {
  const today = startOfDay(now);
  const first = firstDayOfWeek(locale) % 7; // JS: 0 = Sunday
  const weekStart = addDays(today, -((today.getDay() - first + 7) % 7));
  switch (p) {
    case 'today':
      return { from: +today, to: +addDays(today, 1) };
    case 'yesterday':
      return { from: +addDays(today, -1), to: +today };
    case 'thisWeek':
      return { from: +weekStart, to: +addDays(weekStart, 7) };
    case 'lastWeek':
      return { from: +addDays(weekStart, -7), to: +weekStart };
    case 'thisMonth':
      return { from: +new Date(today.getFullYear(), today.getMonth(), 1), to: +new Date(today.getFullYear(), today.getMonth() + 1, 1) };
    case 'lastMonth':
      return { from: +new Date(today.getFullYear(), today.getMonth() - 1, 1), to: +new Date(today.getFullYear(), today.getMonth(), 1) };
    case 'last7':
      return { from: +addDays(today, -6), to: +addDays(today, 1) };
    case 'last30':
      return { from: +addDays(today, -29), to: +addDays(today, 1) };
  }
}

/** YYYY-MM-DD of an instant in the browser's zone (date inputs). */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight of a YYYY-MM-DD. */
export function dayStart(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? +new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** A range from URL parameters: a preset name, or custom `from`/`to` days (to inclusive). */
export function rangeOf(preset: string | null, from: string | null, to: string | null, locale: string, fallback: Exclude<Preset, 'custom'>): { preset: Preset; from: number; to: number } {
  if (preset === 'custom') {
    const f = dayStart(from ?? '');
    const t = dayStart(to ?? '');
    if (f !== null && t !== null) return { preset: 'custom', from: f, to: +addDays(new Date(t), 1) };
  }
  const p = (PRESETS as readonly string[]).includes(preset ?? '') && preset !== 'custom' ? (preset as Exclude<Preset, 'custom'>) : fallback;
  return { preset: p, ...presetRange(p, locale) };
}
