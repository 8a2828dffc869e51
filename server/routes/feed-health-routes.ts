import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import { sendError, sendJson } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import type { FeedHealth } from '../../schemas/feed-audit/health.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../../schemas/validate.ts';
import { auditSourcesInWorker, type SourceAuditJob } from '../feed-health/audit-worker-pool.ts';
import { recentEvents, type ReceivedEvent } from '../feed-health/recent-events.ts';
import { LATE_AFTER_MS } from '../feed-health/source-health.ts';
import { registerRoute } from './route-kit.ts';

export const DEFAULT_WINDOW_MS = 3600_000;
export const MAX_WINDOW_MS = 24 * 3600_000;
/**
 * Events audited per source and answer at most (≈ 3-7 µs an event on the reference machine, in
 * a worker thread so the ingest and the live push never wait for it).
 */
export const MAX_EVENTS_PER_SOURCE = 100_000;
/** Answers are shared this long (per window): several admins' pages refreshing cost one audit. */
const CACHE_MS = 15_000;
/** Events stamped this long before they were received are left out of the window (they are history imports). */
const MAX_LAG_MS = 24 * 3600_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000 };

/** `window` as `30m`, `1h`, `90s`: 1 minute to 24 hours. */
export function parseWindow(value: string | null): number | { error: string } {
  if (value === null || value === '') return DEFAULT_WINDOW_MS;
  const m = /^(\d{1,6})(s|m|h)$/.exec(value);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : NaN;
  if (!(ms >= 60_000 && ms <= MAX_WINDOW_MS)) return { error: `window: must be a duration from 1m to 24h such as 15m or 1h (got ${JSON.stringify(value.slice(0, 20))})` };
  return ms;
}

/** Reads each source's events received in `[to − windowMs, to)` and audits them, a source at a time. */
export async function feedHealth(store: Store, windowMs: number, to: number, maxFutureSkewMs: number): Promise<FeedHealth> {
  const rows = await recentEvents(store, { from: to - windowMs, to, maxLagMs: MAX_LAG_MS, maxLeadMs: maxFutureSkewMs, perSource: MAX_EVENTS_PER_SOURCE + 1 });
  const bySource = new Map<string, ReceivedEvent[]>();
  for (const r of rows) {
    let list = bySource.get(r.source);
    if (!list) bySource.set(r.source, (list = []));
    list.push(r);
  }
  const jobs: SourceAuditJob[] = [];
  for (const [source, list] of bySource) {
    const truncated = list.length > MAX_EVENTS_PER_SOURCE;
    if (truncated) list.length = MAX_EVENTS_PER_SOURCE;
    jobs.push({ source, rows: list, windowMs, to, truncated, maxFutureSkewMs });
  }
  const sources = jobs.length > 0 ? await auditSourcesInWorker(jobs) : [];
  sources.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return {
    window_s: windowMs / 1000,
    from: to - windowMs,
    to,
    late_after_s: LATE_AFTER_MS / 1000,
    max_events_per_source: MAX_EVENTS_PER_SOURCE,
    truncated: sources.some((s) => s.truncated),
    sources,
  };
}

/** `GET /v1/feed-health?window=1h` (admin): what each source sent in the window, audited. */
export function registerFeedHealthRoutes(app: TemplatedApp, auth: Authenticator, store: Store, log: Logger, maxFutureSkewMs = DEFAULT_MAX_FUTURE_SKEW_MS): void {
  const cache = new Map<number, { at: number; answer: Promise<FeedHealth> }>();
  registerRoute(app, auth, log, 'get', '/v1/feed-health', { scope: 'admin' }, async ({ reply, info }) => {
    const windowMs = parseWindow(info.query.get('window'));
    if (typeof windowMs !== 'number') return sendError(reply, 400, windowMs.error);
    const now = Date.now();
    let hit = cache.get(windowMs);
    if (!hit || now - hit.at > CACHE_MS) {
      const fresh = { at: now, answer: feedHealth(store, windowMs, now, maxFutureSkewMs) };
      cache.set(windowMs, fresh);
      // A failed answer is not shared.
      fresh.answer.catch(() => cache.get(windowMs) === fresh && cache.delete(windowMs));
      hit = fresh;
    }
    sendJson(reply, 200, await hit.answer);
  });
}
