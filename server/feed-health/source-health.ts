/** One source's feed-health figures and audit (pure: runs in the audit worker). */
import type { SourceHealth } from '../../schemas/feed-audit/health.ts';
import { auditFeed, type EventOrigin } from '../../schemas/feed-audit/index.ts';
import { limitsAt } from '../../schemas/validate.ts';
import type { ReceivedEvent } from './recent-events.ts';

/** An event received this long after its `ts` counts as late. */
export const LATE_AFTER_MS = 10_000;

/** The feed audit of one source's events (stored ones: they passed the ingest's validation). */
export function sourceHealth(source: string, rows: readonly ReceivedEvent[], windowMs: number, to: number, truncated: boolean, maxFutureSkewMs: number): SourceHealth {
  const events: unknown[] = [];
  const origins: EventOrigin[] = [];
  let lastReceived = 0;
  for (const r of rows) {
    events.push(JSON.parse(r.payload));
    origins.push({ source, received: r.received });
    if (r.received > lastReceived) lastReceived = r.received;
  }
  const audit = auditFeed(events, { origins, startsMidStream: true, lateAfterMs: LATE_AFTER_MS, limits: limitsAt(to, maxFutureSkewMs) });
  const figures = audit.sources[0];
  return {
    source,
    status: audit.status,
    events: rows.length,
    events_per_s: rows.length / (windowMs / 1000),
    last_received: lastReceived,
    late_share: figures && figures.received_events > 0 ? figures.late_events / figures.received_events : 0,
    truncated,
    audit,
  };
}

