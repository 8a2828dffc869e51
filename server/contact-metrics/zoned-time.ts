/**
 * Local days in IANA time zones, DST-correct: a "day" is the UTC instant range
 * [start of the local date, start of the next local date), so it lasts 23, 24 or 25
 * hours. Figures labelled "today" are per site, in that site's zone.
 *
 * Pure (Intl only); formatters are cached per zone.
 */

/** A local calendar day in a zone: its label and the UTC instants it covers. */
export interface LocalDay {
  /** `YYYY-MM-DD`, the local date; string order is date order */
  key: string;
  /** first UTC ms of the day (local midnight, or the first instant after a skipped midnight) */
  start: number;
  /** first UTC ms of the next day */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function localParts(zone: string, t: number): LocalParts {
  const out: LocalParts = { y: 0, m: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of formatter(zone).formatToParts(t)) {
    switch (p.type) {
      case 'year':
        out.y = Number(p.value);
        break;
      case 'month':
        out.m = Number(p.value);
        break;
      case 'day':
        out.d = Number(p.value);
        break;
      case 'hour':
        out.h = Number(p.value);
        break;
      case 'minute':
        out.mi = Number(p.value);
        break;
      case 'second':
        out.s = Number(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

const QUARTER_MS = 15 * 60_000;
const OFFSET_CACHE_LIMIT = 200_000;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * UTC offset of `zone` at instant `t`, in ms (local = UTC + offset). Whole seconds. Cached per
 * quarter hour: offsets change on quarter-hour edges (every zone's transitions fall on them), and
 * reports ask for the same quarters again and again (an Intl lookup costs microseconds).
 */
export function zoneOffsetMs(zone: string, t: number): number {
  const quarter = Math.floor(t / QUARTER_MS);
  let byQuarter = offsetCache.get(zone);
  if (!byQuarter) offsetCache.set(zone, (byQuarter = new Map()));
  let off = byQuarter.get(quarter);
  if (off === undefined) {
    const q = quarter * QUARTER_MS;
    const p = localParts(zone, q);
    off = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - q;
    if (byQuarter.size >= OFFSET_CACHE_LIMIT) byQuarter.clear();
    byQuarter.set(quarter, off);
  }
  return off;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const keyOf = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** The local date (`YYYY-MM-DD`) of instant `t` in `zone`. */
export function localDateKey(zone: string, t: number): string {
  const p = localParts(zone, t);
  return keyOf(p.y, p.m, p.d);
}

/**
 * First UTC instant of local date y-m-d in `zone`: local midnight when it exists; when a
 * DST change skips midnight, the first instant that carries that date.
 */
export function startOfLocalDate(zone: string, y: number, m: number, d: number): number {
  const wall = Date.UTC(y, m - 1, d);
  const key = keyOf(y, m, d);
  // Usual case: midnight exists and the offset at midnight is the one found by two steps.
  const c = wall - zoneOffsetMs(zone, wall - zoneOffsetMs(zone, wall));
  if (localDateKey(zone, c) === key && localDateKey(zone, c - 1000) < key) {
    const p = localParts(zone, c);
    if (p.h === 0 && p.mi === 0 && p.s === 0) return c;
  }
  // DST edge at midnight: search. UTC offsets lie within -12 h … +14 h.
  let lo = wall - 15 * 3_600_000; // local date < key here
  let hi = wall + 13 * 3_600_000; // local date >= key here
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (localDateKey(zone, mid) >= key) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The local day of `zone` that contains instant `t`. */
export function localDayOf(zone: string, t: number): LocalDay {
  const p = localParts(zone, t);
  const start = startOfLocalDate(zone, p.y, p.m, p.d);
  const next = new Date(Date.UTC(p.y, p.m - 1, p.d + 1));
  const end = startOfLocalDate(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  return { key: keyOf(p.y, p.m, p.d), start, end };
}

/**
 * Fast `localDayOf` for hot paths: remembers the last few days per zone, so an event
 * of the current day costs two comparisons instead of an Intl call.
 */
export class LocalDayCache {
  private readonly byZone = new Map<string, LocalDay[]>();

  /** The local day of `zone` containing `t`. */
  dayOf(zone: string, t: number): LocalDay {
    let days = this.byZone.get(zone);
    if (!days) {
      days = [];
      this.byZone.set(zone, days);
    }
    for (const d of days) if (t >= d.start && t < d.end) return d;
    const day = localDayOf(zone, t);
    days.unshift(day);
    if (days.length > 4) days.pop();
    return day;
  }

  /** The `YYYY-MM-DD` key of the local day of `zone` containing `t`. */
  keyOf(zone: string, t: number): string {
    return this.dayOf(zone, t).key;
  }
}
