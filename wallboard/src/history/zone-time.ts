/**
 * Calendar arithmetic in an IANA zone for the report period (pure, Intl only): local dates,
 * the instant a local date starts, and ISO 8601 with the zone's offset, which is what the
 * report APIs take (`from`/`to` with an offset, `to` exclusive).
 */

/** A local calendar date. */
export interface Ymd {
  y: number;
  m: number;
  d: number;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
function wallFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partsCache.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `t`, in ms (UTC+08:00 → 28 800 000). */
export function offsetMs(zone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of wallFormat(zone).formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour === 24 ? 0 : p.hour!, p.minute!, p.second!);
  return wall - (Math.floor(t / 1000) * 1000);
}

/** The local date of instant `t` in `zone`. */
export function localDate(zone: string, t: number): Ymd {
  const w = new Date(t + offsetMs(zone, t));
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate() };
}

/** `d` normalised (day 0 = the last day of the month before, month 13 = January next year). */
export function normalise(d: Ymd): Ymd {
  const n = new Date(Date.UTC(d.y, d.m - 1, d.d));
  return { y: n.getUTCFullYear(), m: n.getUTCMonth() + 1, d: n.getUTCDate() };
}

export const addDays = (d: Ymd, n: number): Ymd => normalise({ y: d.y, m: d.m, d: d.d + n });
export const addMonths = (d: Ymd, n: number): Ymd => normalise({ y: d.y, m: d.m + n, d: 1 });

/** Day of week, 0 = Sunday … 6 = Saturday. */
export const weekday = (d: Ymd): number => new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay();

/** Whole days from `a` to `b` (calendar days, DST-proof). */
export const daysBetween = (a: Ymd, b: Ymd): number => Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000);

export const compareYmd = (a: Ymd, b: Ymd): number => daysBetween(b, a);

/** `2026-11-23` */
export const ymdString = (d: Ymd): string => `${String(d.y).padStart(4, '0')}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;

/** `2026-11-23` → Ymd, or null when it is not a real date. */
export function parseYmd(s: string | null | undefined): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  const d = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  const n = normalise(d);
  return n.y === d.y && n.m === d.m && n.d === d.d && d.y >= 2000 ? d : null;
}

/** The first instant of local date `d` in `zone` (after a midnight DST gap: the first existing instant). */
export function startOfDate(zone: string, d: Ymd): number {
  const wall = Date.UTC(d.y, d.m - 1, d.d);
  let t = wall - offsetMs(zone, wall);
  t = wall - offsetMs(zone, t);
  // a gap at midnight: the wall time does not exist; take the instant the day starts
  if (localDate(zone, t).d !== d.d) t = wall - offsetMs(zone, t - 3_600_000);
  return t;
}

/** ISO 8601 with the zone's offset at `t`: `2026-11-23T00:00:00+08:00`. */
export function isoWithOffset(t: number, zone: string): string {
  const off = offsetMs(zone, t);
  const wall = new Date(t + off).toISOString().slice(0, 19);
  const abs = Math.abs(off) / 60_000;
  return `${wall}${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Whether `zone` is an IANA zone this browser knows. */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The browser's own zone. */
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The zone most of `zones` use (ties: the first seen), or '' when none is valid. */
export function commonZone(zones: readonly string[]): string {
  const counts = new Map<string, number>();
  let best = '';
  for (const z of zones) {
    if (!z || !isZone(z)) continue;
    const n = (counts.get(z) ?? 0) + 1;
    counts.set(z, n);
    if (!best || n > counts.get(best)!) best = z;
  }
  return best;
}

/** Distinct zones, sorted. */
export const distinctZones = (zones: readonly string[]): string[] => [...new Set(zones.filter(Boolean))].sort();

/** A query string from parameters (no leading "?"). */
export const qs = (params: Record<string, string>): string => new URLSearchParams(params).toString();
