/**
 * Number, percentage, duration and time formatting for boards (UX.md 1.8), via Intl in
 * the UI locale. Pure functions: the locale is a parameter, so they are testable in Node.
 */

/** U+2014, what an undefined rate or average shows (UX.md 1.8). */
export const NO_VALUE = '—';

/**
 * `m:ss` below an hour, `h:mm:ss` from an hour on; `over24h` (e.g. "24h+") past a day,
 * which flags a stuck session. Negative inputs (clock skew) show 0:00.
 */
export function formatDuration(seconds: number | null | undefined, over24h = '24h+'): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NO_VALUE;
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 86_400) return over24h;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}

/** A count with grouping (`1,234`); null shows "—". */
export function formatCount(n: number | null | undefined, locale: string): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NO_VALUE;
  return nf(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A fraction 0–1 as a percentage ("85%"); `digits` decimals (0 on TV, 1 in reports). */
export function formatPercent(fraction: number | null | undefined, locale: string, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return NO_VALUE;
  return nf(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(fraction);
}

/** Splits a formatted percentage into number and sign, so the "%" can be set at 0.5 em. */
export function splitPercent(text: string): { number: string; unit: string } {
  const m = /^(.*?)(\s?%)$/.exec(text);
  return m ? { number: m[1] ?? text, unit: '%' } : { number: text, unit: '' };
}

/** hh:mm:ss of an instant in a time zone (the stale marker, "today" labels). */
export function formatClock(epochMs: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }).format(epochMs);
}

/** hh:mm of an instant in a time zone (chart axes). */
export function formatHourMinute(epochMs: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(epochMs);
}

/** A date with weekday ("Tue, May 6" / "5月6日周二") in a time zone. */
export function formatDay(epochMs: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', weekday: 'short', timeZone }).format(epochMs);
}

/** A full date and time (settings tables). */
export function formatDateTime(value: number | string, locale: string, timeZone?: string): string {
  const d = typeof value === 'number' ? new Date(value) : new Date(value.includes('T') || value.includes('Z') ? value : value.replace(' ', 'T') + 'Z');
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

/** The UTC offset of a zone at an instant, e.g. "UTC+08:00". */
export function utcOffset(timeZone: string, at = Date.now()): string {
  try {
    const part = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (!part || part === 'GMT') return 'UTC+00:00';
    return part.replace('GMT', 'UTC');
  } catch {
    return '';
  }
}
