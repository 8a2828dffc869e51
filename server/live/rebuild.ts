/** Helpers for rebuilding the live engine from the store on start. */
import { isValidTimeZone, localDayOf } from '../contact-metrics/zoned-time.ts';

/** Default look-back for the rolling windows: the longest window. */
export const DEFAULT_ROLLING_LOOKBACK_MS = 60 * 60_000;

/**
 * The earliest UTC ms of events to load so the engine shows "today" for every zone and
 * full rolling windows: the earliest local midnight of `zones` at `now`, or `now −
 * lookbackMs` if earlier (just after midnight the rolling windows reach into yesterday).
 * Invalid zones count as UTC.
 *
 * Agents whose last state change is older (signed in before midnight) need their latest
 * `agent.state` (and their latest login event, which lists their queues) fed too: see
 * `LiveEngine.rebuildFrom`.
 */
export function rebuildStartMs(zones: Iterable<string>, now: number, lookbackMs = DEFAULT_ROLLING_LOOKBACK_MS): number {
  let start = now - lookbackMs;
  let any = false;
  for (const z of zones) {
    any = true;
    start = Math.min(start, localDayOf(isValidTimeZone(z) ? z : 'UTC', now).start);
  }
  if (!any) start = Math.min(start, localDayOf('UTC', now).start);
  return start;
}
