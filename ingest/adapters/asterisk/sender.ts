/**
 * Sends batches over the wire contract: `POST /v1/events` with `Authorization: Bearer KEY`.
 * Returns only once the server acknowledged the batch (its accepted events are durable);
 * resends the same batch (the server de-duplicates it) with back-off when the answer says
 * `retry: true` (honouring Retry-After) and on network errors; an answer with `retry: false`
 * (a bad key, a refused body) cannot get better by waiting: it throws with the answer's code.
 */
import type { RejectedEvent } from '../../../schemas/events.ts';

export interface SendResult {
  /** events newly stored */
  accepted: number;
  /** resends of events already stored */
  duplicates?: number;
  rejected: RejectedEvent[];
  rejected_count: number;
}

export type Send = (events: readonly unknown[]) => Promise<SendResult>;

export class FatalSendError extends Error {}

export interface HttpSenderOptions {
  /** server base URL (`http://host:8080`) or the full `/v1/events` URL */
  url: string;
  key: string;
  /** first back-off, doubled up to `maxBackoffMs`; default 500 ms */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** called before each wait, for logging */
  onRetry?: (reason: string, waitMs: number) => void;
  /** stops retrying (throws) once it returns true, e.g. on SIGTERM */
  stopped?: () => boolean;
  timeoutMs?: number;
}

export function eventsUrl(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/v1/events')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/events`;
  return u.toString();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the answer's `retry` says (schemas/ingest-errors.ts); a server without it: 429 and 5xx. */
function retryable(status: number, body: string): boolean {
  try {
    const retry = (JSON.parse(body) as { retry?: unknown }).retry;
    if (typeof retry === 'boolean') return retry;
  } catch {
    // not JSON: a proxy's page
  }
  return status === 429 || status >= 500;
}

export function httpSender(o: HttpSenderOptions): Send {
  const target = eventsUrl(o.url);
  const first = o.backoffMs ?? 500;
  const max = o.maxBackoffMs ?? 30_000;
  return async (events) => {
    const body = JSON.stringify(events);
    let backoff = first;
    for (;;) {
      let reason: string;
      let wait = backoff;
      try {
        const r = await fetch(target, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(o.timeoutMs ?? 120_000),
        });
        const text = await r.text();
        if (r.status === 200) return JSON.parse(text) as SendResult;
        if (retryable(r.status, text)) {
          reason = `HTTP ${r.status} ${text.slice(0, 200)}`;
          const ra = Number(r.headers.get('retry-after'));
          if (Number.isFinite(ra) && ra > 0) wait = Math.max(ra * 1000, first);
        } else {
          throw new FatalSendError(`${target}: HTTP ${r.status} ${text.slice(0, 300)}`);
        }
      } catch (err) {
        if (err instanceof FatalSendError) throw err;
        reason = `network: ${(err as Error).message}`;
      }
      if (o.stopped?.()) throw new FatalSendError(`stopped while retrying (${reason})`);
      o.onRetry?.(reason, wait);
      await sleep(wait);
      backoff = Math.min(backoff * 2, max);
    }
  };
}
