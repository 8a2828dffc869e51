/**
 * The ingest's request and answer shapes, shared by both transports: parsing an HTTP body
 * into events, the per-batch event limit, and the bounded answer (ack) for a batch.
 */
import type { EventRejectionCode } from '../schemas/ingest-errors.ts';

/** Default largest number of events in one batch (HTTP body or WebSocket message). */
export const DEFAULT_MAX_BATCH_EVENTS = 50_000;
/** Rejections listed in full in an answer; `rejected_count` has the total. */
export const MAX_REPORTED_REJECTIONS = 100;
/** A rejection's error is cut to this many UTF-16 code units (it may quote the sent value). */
export const MAX_REJECTION_ERROR_CHARS = 300;

/** A batch with more events than the limit: refused whole (permanent; split it and send again). */
export class TooManyEventsError extends Error {
  constructor(
    readonly limit: number,
    what = 'MAX_BATCH_EVENTS',
  ) {
    super(`batch has more than ${limit} events (${what}): split it into smaller batches`);
  }
}

/**
 * Parses an HTTP ingest body: a JSON array of events, or NDJSON (one event per line).
 * Throws SyntaxError for a malformed body (naming the line for NDJSON) and TooManyEventsError
 * past `maxEvents` (NDJSON stops parsing there, so the work stays bounded); nothing else.
 */
export function parseEventsBody(body: string, maxEvents = Number.POSITIVE_INFINITY): unknown[] {
  const text = body.trim();
  if (text.length === 0) return [];
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`body is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new SyntaxError('body must be a JSON array of events or NDJSON');
    if (parsed.length > maxEvents) throw new TooManyEventsError(maxEvents);
    return parsed;
  }
  // Line by line over the body as sent (so line numbers are the sender's), without split():
  // a 16 MB body of tiny lines would otherwise make millions of strings up front.
  const events: unknown[] = [];
  let start = 0;
  for (let lineNo = 1; start <= body.length; lineNo++) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    const line = body.slice(start, end).trim();
    start = end + 1;
    if (line.length === 0) continue;
    if (events.length === maxEvents) throw new TooManyEventsError(maxEvents);
    try {
      events.push(JSON.parse(line));
    } catch (err) {
      throw new SyntaxError(`line ${lineNo} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return events;
}

/** One event not stored: its position in the batch, why, and its id when it has a usable one. */
export interface Rejection {
  index: number;
  code: EventRejectionCode;
  error: string;
  id?: string;
}

/** The longest id an answer quotes (the contract's id limit): a longer "id" is the sender's garbage. */
const MAX_QUOTED_ID_CHARS = 64;

/** The id to quote for a rejected event: its `id` when it is a string of contract length, else undefined. */
export function quotableId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_QUOTED_ID_CHARS ? id : undefined;
}

/**
 * The answer to a batch: `rejected` holds the first MAX_REPORTED_REJECTIONS, `rejected_count` all;
 * accepted + duplicates + rejected_count = events sent; conflicts are the id_conflict rejections.
 */
export interface BatchResult {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: Rejection[];
  rejected_count: number;
}

/** `error`, cut to `max` code units (never inside a surrogate pair), marked with … when cut. */
export function truncateError(error: string, max = MAX_REJECTION_ERROR_CHARS): string {
  if (error.length <= max) return error;
  let cut = max - 1;
  const last = error.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${error.slice(0, cut)}…`;
}

/**
 * A batch's answer with a size bounded by a constant, whatever the number of events: a body of
 * millions of invalid events must not produce an answer larger than the body itself.
 * `rejected` must be ordered by index (validation produces it so).
 */
export function batchResult(counts: { accepted: number; duplicates: number }, rejected: readonly Rejection[]): BatchResult {
  const listed = rejected.length > MAX_REPORTED_REJECTIONS ? rejected.slice(0, MAX_REPORTED_REJECTIONS) : rejected;
  let conflicts = 0;
  for (const r of rejected) if (r.code === 'id_conflict') conflicts++;
  return {
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    conflicts,
    rejected: listed.map((r) => {
      const out: Rejection = { index: r.index, code: r.code, error: truncateError(r.error) };
      if (r.id !== undefined) out.id = r.id;
      return out;
    }),
    rejected_count: rejected.length,
  };
}
