/** The answer of `GET /v1/feed-health` (server/routes/feed-health-routes.ts), read by the wallboard's feed-health page. */
import type { FeedAudit } from './index.ts';

export interface SourceHealth {
  /** the API key name the events came with */
  source: string;
  status: FeedAudit['status'];
  events: number;
  events_per_s: number;
  /** epoch ms of the last event received from the source */
  last_received: number;
  /** share (0–1) of events received more than `late_after_s` after their `ts` */
  late_share: number;
  /** the source sent more events in the window than one answer checks: only the first were audited */
  truncated: boolean;
  audit: FeedAudit;
}

export interface FeedHealth {
  window_s: number;
  /** the window, epoch ms; `to` is when the answer was computed (answers are shared for a few seconds) */
  from: number;
  to: number;
  late_after_s: number;
  /** events audited per source at most */
  max_events_per_source: number;
  /** some source was truncated */
  truncated: boolean;
  sources: SourceHealth[];
}
