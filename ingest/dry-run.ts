/**
 * `POST /v1/events?dry_run=1`: what the ingest would answer for a batch, plus the feed audit
 * of it, without storing anything. Validation is exactly the real ingest's.
 */
import { auditFeed, type FeedAudit } from '../schemas/feed-audit/index.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, limitsAt, validateBatch } from '../schemas/validate.ts';
import { MAX_REPORTED_REJECTIONS, quotableId, truncateError } from './parse-body.ts';

/** Rejections listed in full; the rest are only counted (as in an ack). */
export const DRY_RUN_MAX_REJECTED = MAX_REPORTED_REJECTIONS;

export interface DryRunReport {
  dry_run: true;
  /** events sent */
  events: number;
  /** events the ingest would accept */
  valid: number;
  /** the first 100 rejections, as an ack lists them (error cut to 300 characters, the event's id when it has a usable one) */
  rejected: { index: number; code: 'invalid_event'; error: string; id?: string }[];
  /** all rejections: valid + rejected_count = events */
  rejected_count: number;
  /** the lifecycle audit of the batch, taken as a whole feed (calls are expected to start and end in it) */
  audit: FeedAudit;
}

/**
 * Validates and audits `events` as the ingest would at `nowMs`, storing nothing.
 * @param maxFutureSkewMs how far ahead of `nowMs` a `ts` may be (the server's MAX_FUTURE_SKEW_MS)
 */
export function dryRunReport(events: readonly unknown[], nowMs: number, maxFutureSkewMs: number = DEFAULT_MAX_FUTURE_SKEW_MS): DryRunReport {
  const limits = limitsAt(nowMs, maxFutureSkewMs);
  const { accepted, rejected } = validateBatch(events, limits);
  return {
    dry_run: true,
    events: events.length,
    valid: accepted.length,
    rejected: rejected.slice(0, DRY_RUN_MAX_REJECTED).map((r) => {
      const id = quotableId(events[r.index]);
      return { index: r.index, code: 'invalid_event' as const, error: truncateError(r.error), ...(id === undefined ? {} : { id }) };
    }),
    rejected_count: rejected.length,
    audit: auditFeed(events, { limits }),
  };
}
