/**
 * `GET /v1/live/history`: offered, answered and service level per 15 minutes of today in the
 * site's zone, and offered/answered of the same weekday last week, for the board charts.
 * Computed from the stored events with the metric module (`deriveCall`,
 * `callContributions`, `queueFigures`): the same definitions as the live engine and the
 * reports. Results are cached briefly (today) or long (last week, which no longer changes).
 */
import type { Store } from '../../platform/store/store.ts';
import type { LiveHistoryInterval, LiveHistoryResponse } from '../../schemas/live.ts';
import {
  addQueueCounters,
  callContributions,
  callEventFromRow,
  deriveCall,
  emptyQueueCounters,
  localDayOf,
  queueFigures,
  resolveQueueSettings,
  type CallEvent,
  type QueueCounters,
  type QueueSettings,
} from '../contact-metrics/index.ts';
import { HISTORY_CALL_EVENTS_SQL, type HistoryCallEventRow, type HistoryCallEventsParams } from './queries/history-call-events.ts';

export const INTERVAL_MS = 15 * 60_000;
/** events of a call looked for before and after the day (calls queued that day) */
const MARGIN_MS = 4 * 3_600_000;

// The response's JSON shape is a wire shape shared with the apps (schemas/live.ts).
export type HistoryResponse = LiveHistoryResponse;
export type HistoryInterval = LiveHistoryInterval;

export interface HistoryScope {
  /** queues counted; empty = every queue */
  queues: string[];
  zone: string;
  /** settings of each queue (T, S, formula) */
  settingsOf: (queue: string) => QueueSettings;
  /** formula of the total when several queues are counted */
  groupSettings?: QueueSettings;
}

/** Queue-view counters per 15-minute interval of [dayStart, dayEnd). */
export async function intervalCounters(store: Store, scope: HistoryScope, dayStart: number, dayEnd: number, now: number): Promise<QueueCounters[]> {
  const n = Math.round((dayEnd - dayStart) / INTERVAL_MS);
  const out = Array.from({ length: n }, () => emptyQueueCounters());
  if (dayStart > now) return out;
  const rows = await store.query<HistoryCallEventRow>(HISTORY_CALL_EVENTS_SQL, {
    from: dayStart - MARGIN_MS,
    to: Math.min(dayEnd + MARGIN_MS, now + MARGIN_MS),
    dayStart,
    dayEnd,
    queues: scope.queues,
  } satisfies HistoryCallEventsParams);
  const byCall = new Map<string, CallEvent[]>();
  for (const r of rows) {
    let list = byCall.get(r.call);
    if (!list) byCall.set(r.call, (list = []));
    list.push(callEventFromRow(r));
  }
  const wanted = scope.queues.length > 0 ? new Set(scope.queues) : null;
  for (const events of byCall.values()) {
    for (const c of callContributions(deriveCall(events), scope.settingsOf)) {
      if (c.scope !== 'queue' || (wanted && !wanted.has(c.key)) || c.at < dayStart || c.at >= dayEnd) continue;
      const slot = out[Math.floor((c.at - dayStart) / INTERVAL_MS)];
      if (slot) addQueueCounters(slot, c.counters);
    }
  }
  return out;
}

interface CacheEntry {
  at: number;
  value: Promise<QueueCounters[]>;
}

export class LiveHistory {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    /** how long today's series is reused; default 30 s */
    private readonly todayTtlMs = 30_000,
  ) {}

  async series(scope: HistoryScope, now: number): Promise<HistoryResponse> {
    const today = localDayOf(scope.zone, now);
    const lastWeek = localDayOf(scope.zone, today.start - 6 * 86_400_000 - 1);
    const [cur, prev] = await Promise.all([this.cached(scope, today.start, today.end, now, this.todayTtlMs), this.cached(scope, lastWeek.start, lastWeek.end, now, 3_600_000)]);
    const single = scope.queues.length === 1 ? scope.settingsOf(scope.queues[0] as string) : (scope.groupSettings ?? resolveQueueSettings());
    return {
      time_zone: scope.zone,
      day: today.key,
      // Today up to the interval now running: the rest of the day has not happened (a gap, not zeros).
      intervals: cur
        .slice(0, Math.floor((now - today.start) / INTERVAL_MS) + 1)
        .map((c, i) => ({ start: today.start + i * INTERVAL_MS, offered: c.offered, answered: c.answered, service_level: round4(queueFigures(c, single).service_level) })),
      last_week_day: lastWeek.key,
      last_week: prev.map((c, i) => ({ start: lastWeek.start + i * INTERVAL_MS, offered: c.offered, answered: c.answered })),
    };
  }

  private cached(scope: HistoryScope, start: number, end: number, now: number, ttl: number): Promise<QueueCounters[]> {
    const key = `${scope.zone}\u0000${scope.queues.join(',')}\u0000${start}`;
    const hit = this.cache.get(key);
    if (hit && now - hit.at < ttl) return hit.value;
    const value = intervalCounters(this.store, scope, start, end, now);
    this.cache.set(key, { at: now, value });
    value.catch(() => this.cache.delete(key));
    if (this.cache.size > 500) {
      for (const [k, e] of this.cache) if (now - e.at >= 3_600_000) this.cache.delete(k);
    }
    return value;
  }
}

const round4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
