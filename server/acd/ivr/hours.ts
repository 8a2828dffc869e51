/**
 * Business hours: a weekly schedule of local opening times, holiday dates and an
 * IANA time zone. Instants are converted with Intl.DateTimeFormat, so DST changes
 * are handled by the platform's tz database rather than by fixed offsets.
 */
import { at, describe, type Issues, type JsonObject } from './issues.ts';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local opening range in minutes after midnight, `start` inclusive, `end` exclusive. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface BusinessHours {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Opening ranges per local weekday; a day with no ranges is closed. */
  weekly: Readonly<Record<Weekday, readonly TimeRange[]>>;
  /** Local dates (`YYYY-MM-DD`) on which the center is closed all day. */
  holidays: ReadonlySet<string>;
}

/** Wall-clock reading of an instant in a time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  weekday: Weekday;
  /** minutes after local midnight */
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True if `timeZone` is a zone name the platform's tz database knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Last reading per zone, keyed by UTC minute. Zone offsets are whole minutes, so every
 * instant of one UTC minute has the same local minute; a simulator asking about
 * thousands of calls per simulated minute then formats once (formatToParts ≈ 4 µs).
 */
const lastReading = new Map<string, { utcMinute: number; local: Readonly<LocalTime> }>();

/** The local date, weekday and minute of `epochMs` in `timeZone`. */
export function localTime(timeZone: string, epochMs: number): Readonly<LocalTime> {
  const utcMinute = Math.floor(epochMs / 60_000);
  const cached = lastReading.get(timeZone);
  if (cached?.utcMinute === utcMinute) return cached.local;
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of formatter(timeZone).formatToParts(epochMs)) parts[p.type] = p.value;
  const local = Object.freeze({
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: (parts.weekday ?? '').toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  });
  lastReading.set(timeZone, { utcMinute, local });
  return local;
}

/** True if the center is open at `epochMs` (not a holiday, and inside one of the day's ranges). */
export function isOpenAt(hours: BusinessHours, epochMs: number): boolean {
  const local = localTime(hours.timeZone, epochMs);
  if (hours.holidays.has(local.date)) return false;
  return hours.weekly[local.weekday].some((r) => local.minute >= r.start && local.minute < r.end);
}

const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads the `timezone`, `weekly` and `holidays` fields of `obj` (found at `path`).
 * `weekly` maps `mon`…`sun` to ranges like `"08:00-20:00"` (`"24:00"` ends at midnight);
 * days left out are closed. `holidays` lists local dates `YYYY-MM-DD`.
 */
export function parseBusinessHours(obj: JsonObject, path: string, issues: Issues): BusinessHours | undefined {
  const before = issues.list.length;
  const timeZone = issues.string(obj, 'timezone', path);
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    issues.add(at(path, 'timezone'), `${JSON.stringify(timeZone)} is not an IANA time zone (e.g. "Europe/Berlin")`);
  }

  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, [] as TimeRange[]])) as Record<Weekday, TimeRange[]>;
  const weeklyPath = at(path, 'weekly');
  if (obj['weekly'] === undefined) issues.add(weeklyPath, 'is required');
  const weeklyJson = obj['weekly'] === undefined ? undefined : issues.object(obj['weekly'], weeklyPath);
  if (weeklyJson) {
    for (const [day, value] of Object.entries(weeklyJson)) {
      const dayPath = at(weeklyPath, day);
      if (!(WEEKDAYS as readonly string[]).includes(day)) {
        issues.add(dayPath, `unknown day (expected ${['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].join(', ')})`);
        continue;
      }
      if (!Array.isArray(value)) {
        issues.add(dayPath, `must be an array of ranges like "08:00-20:00" (got ${describe(value)})`);
        continue;
      }
      weekly[day as Weekday] = parseRanges(value, dayPath, issues);
    }
  }

  const holidays = new Set<string>();
  const list = issues.array(obj, 'holidays', path, { optional: true }) ?? [];
  list.forEach((value, i) => {
    const p = at(at(path, 'holidays'), i);
    if (typeof value !== 'string' || !isCalendarDate(value)) {
      issues.add(p, `must be a date "YYYY-MM-DD" (got ${describe(value)})`);
    } else {
      holidays.add(value);
    }
  });

  if (issues.list.length > before || timeZone === undefined) return undefined;
  return { timeZone, weekly, holidays };
}

function parseRanges(values: unknown[], path: string, issues: Issues): TimeRange[] {
  const ranges: TimeRange[] = [];
  values.forEach((value, i) => {
    const p = at(path, i);
    const m = typeof value === 'string' ? RANGE.exec(value) : null;
    if (!m) {
      issues.add(p, `must be a range "HH:MM-HH:MM" (got ${describe(value)})`);
      return;
    }
    const start = clock(m[1], m[2]);
    const end = clock(m[3], m[4]);
    if (start === undefined || end === undefined || start >= 24 * 60) {
      issues.add(p, `${JSON.stringify(value)} is not a valid time of day`);
    } else if (start >= end) {
      issues.add(p, `${JSON.stringify(value)} ends before it starts (split ranges that cross midnight over two days)`);
    } else {
      ranges.push({ start, end });
    }
  });
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev && cur && cur.start < prev.end) issues.add(path, `ranges overlap (${fmt(prev)} and ${fmt(cur)})`);
  }
  return sorted;
}

function clock(h: string | undefined, m: string | undefined): number | undefined {
  const hours = Number(h);
  const minutes = Number(m);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return undefined;
  return hours * 60 + minutes;
}

function fmt(r: TimeRange): string {
  const hm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return `${hm(r.start)}-${hm(r.end)}`;
}

function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
