/**
 * Business hours: a weekly schedule of local opening times, holiday dates and an
 * IANA time zone. Local time comes from the ACD's one time-zone module (../time.ts),
 * so DST changes follow the platform's tz database rather than fixed offsets.
 */
import { at, compile, formatTimeRange, objectOf, parseTimeRange, type Issues } from '../schemas/check.ts';
import { BusinessHoursSchema, type BusinessHoursJson } from '../schemas/ivr-flow.ts';
import { parseDay, WEEKDAYS, Zone, type Weekday } from '../time.ts';

/** A local opening range in minutes after midnight, `start` inclusive, `end` exclusive. */
export interface TimeRange {
  start: number;
  end: number;
}

export interface BusinessHours {
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Opening ranges per local weekday, sorted; a day with no ranges is closed. */
  weekly: Readonly<Record<Weekday, readonly TimeRange[]>>;
  /** Local days (days since 1970-01-01 in the zone) on which the center is closed all day. */
  holidays: ReadonlySet<number>;
}

/** True if the center is open at `epochMs` (not a holiday, and inside one of the day's ranges). */
export function isOpenAt(hours: BusinessHours, epochMs: number): boolean {
  const zone = Zone.of(hours.timeZone);
  const day = zone.dayNumber(epochMs);
  if (hours.holidays.has(day)) return false;
  const minute = zone.minuteOfDay(epochMs);
  const ranges = hours.weekly[WEEKDAYS[Zone.weekday(day) - 1] as Weekday];
  return ranges.some((r) => minute >= r.start && minute < r.end);
}

const check = compile(BusinessHoursSchema);

/**
 * Reads the `timezone`, `weekly` and `holidays` fields of `obj` (found at `path`).
 * `weekly` maps `mon`…`sun` to ranges like `"08:00-20:00"` (`"24:00"` ends at midnight);
 * days left out are closed. `holidays` lists local dates `YYYY-MM-DD`.
 * Records every problem in `issues` and returns undefined if there was one.
 */
export function parseBusinessHours(obj: unknown, path: string, issues: Issues): BusinessHours | undefined {
  const before = issues.list.length;
  issues.schema(check, obj, path);
  checkBusinessHours(obj, path, issues);
  return issues.list.length > before ? undefined : businessHoursFrom(obj as BusinessHoursJson);
}

/** What the schema cannot say: the ranges of a day do not overlap. `obj` need not be valid. */
export function checkBusinessHours(obj: unknown, path: string, issues: Issues): void {
  for (const [day, ranges] of Object.entries(objectOf(objectOf(obj)?.['weekly']) ?? {})) {
    if (!Array.isArray(ranges)) continue;
    const valid = ranges.flatMap((r) => {
      const range = typeof r === 'string' ? parseTimeRange(r) : undefined;
      return range && 'start' in range ? [range] : [];
    });
    const sorted = valid.sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as TimeRange;
      const cur = sorted[i] as TimeRange;
      if (cur.start < prev.end) issues.add(at(at(path, 'weekly'), day), `ranges overlap (${formatTimeRange(prev)} and ${formatTimeRange(cur)})`);
    }
  }
}

/** Business hours of checked fields. */
export function businessHoursFrom(json: BusinessHoursJson): BusinessHours {
  const weekly = Object.fromEntries(
    WEEKDAYS.map((d) => [d, (json.weekly[d] ?? []).map((r) => parseTimeRange(r) as TimeRange).sort((a, b) => a.start - b.start)]),
  ) as Record<Weekday, TimeRange[]>;
  return { timeZone: json.timezone, weekly, holidays: new Set((json.holidays ?? []).map((d) => parseDay(d) as number)) };
}
