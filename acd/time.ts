/**
 * The one time-zone module of the ACD: zone names, wall-clock readings, local days
 * and the date/time text forms of its config files. Shifts, hourly arrival profiles,
 * night mode and IVR business hours all read local time through `Zone`.
 *
 * Offsets come from the platform's tz database (Intl), so DST changes are exact, and
 * are cached per UTC quarter hour: every zone's offset today is a multiple of 15
 * minutes, so it can only change on a quarter hour.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const QUARTER_MS = 15 * MINUTE_MS;

/** Day names in ISO order: index 0 = Monday (ISO weekday 1) … 6 = Sunday (7). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Wall-clock reading of an instant in a zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  weekday: Weekday;
  /** minutes after local midnight */
  minute: number;
}

const zones = new Map<string, Zone>();

/** True if `name` is a zone the platform's tz database knows (e.g. `Europe/Berlin`). */
export function isTimeZone(name: string): boolean {
  if (zones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Local-time view of one IANA zone. Get one with `Zone.of(name)`. */
export class Zone {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  /** @throws RangeError for a zone name the platform does not know (check with `isTimeZone`) */
  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** The shared instance for `name` (its offset cache is shared too). */
  static of(name: string): Zone {
    let zone = zones.get(name);
    if (!zone) {
      zone = new Zone(name);
      zones.set(name, zone);
    }
    return zone;
  }

  /** ISO weekday of a local day number: 1 = Monday … 7 = Sunday. */
  static weekday(dayNumber: number): number {
    // 1970-01-01 was a Thursday (4).
    return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
  }

  /** Offset of local time from UTC at instant `utcMs`, in milliseconds. */
  offsetMs(utcMs: number): number {
    const quarter = Math.floor(utcMs / QUARTER_MS);
    let offset = this.cache.get(quarter);
    if (offset === undefined) {
      const base = quarter * QUARTER_MS;
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(new Date(base))) {
        if (p.type !== 'literal') parts[p.type] = Number(p.value);
      }
      const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
      offset = local - base;
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(quarter, offset);
    }
    return offset;
  }

  /** Local time as "milliseconds since 1970-01-01 00:00 local". */
  local(utcMs: number): number {
    return utcMs + this.offsetMs(utcMs);
  }

  /** Minutes since local midnight. */
  minuteOfDay(utcMs: number): number {
    const l = this.local(utcMs);
    return Math.floor((((l % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
  }

  /** Hour of the local day, 0-23. */
  hourOfDay(utcMs: number): number {
    return Math.floor(this.minuteOfDay(utcMs) / 60);
  }

  /** Local day number (days since 1970-01-01 local). */
  dayNumber(utcMs: number): number {
    return Math.floor(this.local(utcMs) / DAY_MS);
  }

  /** Local date, weekday and minute of the day at `utcMs`. */
  reading(utcMs: number): LocalTime {
    const day = this.dayNumber(utcMs);
    return { date: formatDay(day), weekday: WEEKDAYS[Zone.weekday(day) - 1] as Weekday, minute: this.minuteOfDay(utcMs) };
  }

  /**
   * The instant at which the local clock shows `minute` minutes after midnight of
   * local day `dayNumber`. In a spring-forward gap the later instant is used.
   */
  instant(dayNumber: number, minute: number): number {
    const local = dayNumber * DAY_MS + minute * MINUTE_MS;
    let utc = local - this.offsetMs(local);
    utc = local - this.offsetMs(utc);
    return utc;
  }
}

/** The local date, weekday and minute of `epochMs` in zone `timeZone`. */
export function localTime(timeZone: string, epochMs: number): LocalTime {
  return Zone.of(timeZone).reading(epochMs);
}

/** Parses "HH:MM" (hours may have one digit; "24:00" is the end of a day) to minutes after midnight. */
export function parseClock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min > 0)) return undefined;
  return h * 60 + min;
}

/** Minutes after midnight as "HH:MM". */
export function formatClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Day number (days since 1970-01-01) of a calendar date "YYYY-MM-DD", or undefined if it is not a real date. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatDay(ms / DAY_MS) === text ? ms / DAY_MS : undefined;
}

/** "YYYY-MM-DD" of a day number. */
export function formatDay(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Epoch ms of an ISO-8601 date-time, or undefined if unreadable. */
export function parseDateTime(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Parses a duration such as "8h", "90m", "45s", "2d", "1h30m" or a bare number of
 * seconds; "forever" gives Infinity. Returns seconds, or undefined if unreadable.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'forever' || t === 'inf' || t === 'infinite') return Infinity;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(d|h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's'];
    end = re.lastIndex;
  }
  return end > 0 && end === t.length ? total : undefined;
}
