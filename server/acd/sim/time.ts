/**
 * Wall-clock arithmetic in IANA time zones for shifts, hourly arrival profiles
 * and night mode. Offsets come from Intl and are cached per UTC quarter hour
 * (every zone's offset is a multiple of 15 minutes, so it can only change there).
 */

const QUARTER_MS = 15 * 60_000;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Local-time view of one IANA zone. */
export class Zone {
  readonly name: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
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

  /** Throws a readable error for an unknown zone name. */
  static check(name: string): void {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
    } catch {
      throw new Error(`unknown IANA time zone ${JSON.stringify(name)}`);
    }
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
    return Math.floor((((l % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  }

  /** Hour of the local day, 0-23. */
  hourOfDay(utcMs: number): number {
    return Math.floor(this.minuteOfDay(utcMs) / 60);
  }

  /** Local day number (days since 1970-01-01 local). */
  dayNumber(utcMs: number): number {
    return Math.floor(this.local(utcMs) / DAY_MS);
  }

  /** ISO weekday of a local day number: 1 = Monday … 7 = Sunday. */
  static weekday(dayNumber: number): number {
    // 1970-01-01 was a Thursday (4).
    return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
  }

  /**
   * The instant at which the local clock shows `minute` minutes after midnight of
   * local day `dayNumber`. In a spring-forward gap the later instant is used.
   */
  instant(dayNumber: number, minute: number): number {
    const local = dayNumber * DAY_MS + minute * 60_000;
    let utc = local - this.offsetMs(local);
    utc = local - this.offsetMs(utc);
    return utc;
  }
}

/** Parses "HH:MM" to minutes after midnight (24:00 allowed as the end of a day). */
export function parseClock(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min > 0)) return undefined;
  return h * 60 + min;
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
