/**
 * The ingest's error contract, the same on both transports (WS /v1/ingest, POST /v1/events):
 * every refusal carries a `code` from this table and says whether resending the same batch
 * can succeed (`retry`). The client library and the README's table are read from here.
 */

export interface IngestErrorSpec {
  /** resending the same batch unchanged can succeed (after `retry_after` seconds when given) */
  retry: boolean;
  /** the HTTP status of POST /v1/events (the WebSocket answers with a negative ack instead) */
  http: number;
  /** what the client should do, one sentence */
  advice: string;
}

export const INGEST_ERROR_CODES = {
  invalid_event: {
    retry: false,
    http: 200,
    advice: 'Fix the event named by `index` (the error names the field and the reason); the other events of the batch were stored.',
  },
  id_conflict: {
    retry: false,
    http: 200,
    advice: 'An event with this source and id is already stored with different content: give the new event its own id (ids are never reused); nothing was stored for it.',
  },
  invalid_batch: {
    retry: false,
    http: 400,
    advice: 'Fix the message: WebSocket {"batch": "<id>", "events": [...]}, HTTP a JSON array of events or NDJSON; nothing was stored.',
  },
  too_large: {
    retry: false,
    http: 413,
    advice: 'Split the batch so each message/body stays under `limit` bytes and send the parts; nothing was stored.',
  },
  batch_too_large: {
    retry: false,
    http: 413,
    advice: 'Split the batch into batches of at most `limit` events and send them; nothing was stored.',
  },
  rate_limited: {
    retry: true,
    http: 429,
    advice: 'Resend the same batch after `retry_after` seconds; nothing was stored.',
  },
  writer_busy: {
    retry: true,
    http: 429,
    advice: 'The server is behind: resend the same batch after `retry_after` seconds (and send less meanwhile); nothing was stored.',
  },
  store_unavailable: {
    retry: true,
    http: 503,
    advice: 'Resend the same batch after `retry_after` seconds, with back-off; resends are de-duplicated.',
  },
  shutting_down: {
    retry: true,
    http: 503,
    advice: 'The server is restarting: reconnect and resend the batch after `retry_after` seconds.',
  },
  credentials_revoked: {
    retry: false,
    http: 401,
    advice: 'The key was revoked or lost the ingest permission (the WebSocket is closed after this answer): get a new key; nothing of the batch was stored.',
  },
  unauthorized: {
    retry: false,
    http: 401,
    advice: 'Send a valid ingest key (Authorization: Bearer <key>, or ?key= on the WebSocket).',
  },
  forbidden: {
    retry: false,
    http: 403,
    advice: 'Use a key with the ingest permission (a user session cannot ingest).',
  },
  internal_error: {
    retry: true,
    http: 500,
    advice: 'Resend the same batch later, with back-off (resends are de-duplicated), and report the error if it persists.',
  },
} as const satisfies Record<string, IngestErrorSpec>;

export type IngestErrorCode = keyof typeof INGEST_ERROR_CODES;
/** Codes of a single event's rejection inside an ack; every other code refuses the whole batch. */
export type EventRejectionCode = 'invalid_event' | 'id_conflict';

/** A whole batch refused: the HTTP error body, and (with `nack`) the WebSocket negative ack. */
export interface IngestRefusal {
  code: IngestErrorCode;
  error: string;
  retry: boolean;
  /** seconds (may be fractional); HTTP also sends it, rounded up, as `Retry-After` */
  retry_after?: number;
  /** the limit that was passed: bytes for too_large, events for batch_too_large */
  limit?: number;
}

/** The refusal for `code`, with `retry` from the table. */
export function ingestRefusal(code: IngestErrorCode, error: string, extra: { retry_after?: number; limit?: number } = {}): IngestRefusal {
  const refusal: IngestRefusal = { code, error, retry: INGEST_ERROR_CODES[code].retry };
  if (extra.retry_after !== undefined) refusal.retry_after = extra.retry_after;
  if (extra.limit !== undefined) refusal.limit = extra.limit;
  return refusal;
}
