import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { EVENT_TYPES, ISO_TIMESTAMP_PATTERN, type IngestAck, type IngestNack } from '../../schemas/events.ts';
import { INGEST_ERROR_CODES, ingestRefusal, type IngestRefusal } from '../../schemas/ingest-errors.ts';
import { limitsAt, parseTimestamp, validateBatch, type NormalizedEvent } from '../../schemas/validate.ts';
import type { Authenticator, Credentials, Principal } from '../../platform/auth.ts';
import { authorize } from '../../platform/http/authorize.ts';
import type { Logger } from '../../platform/log.ts';
import { ACK_SECONDS_BUCKETS, type Registry } from '../../platform/metrics.ts';
import { batchResult, DEFAULT_MAX_BATCH_EVENTS, parseEventsBody, quotableId, TooManyEventsError, type BatchResult, type Rejection } from '../parse-body.ts';
import { EXPORT_EVENTS_SQL, EXPORT_QUERY_PARAMETERS } from '../queries/export-events.ts';
import type { Store } from '../../platform/store/store.ts';
import { dryRunReport } from '../dry-run.ts';
import { BatchTooLargeError, WriterBusyError, WriterClosingError, type EventWriter } from '../writer.ts';
import { BodyTooLargeError, guard, readBody, requestInfo, sendError, sendJson, writeChunk, type Reply } from '../../platform/http/uws.ts';

export interface IngestRouteDeps {
  auth: Authenticator;
  writer: EventWriter;
  store: Store;
  metrics: Registry;
  log: Logger;
  /** largest HTTP body / WebSocket message accepted */
  maxBodyBytes: number;
  /** how often an open connection's key is checked again (a revoked key ends it) */
  credentialRecheckMs: number;
  /** most events in one batch (HTTP body or WebSocket message); default DEFAULT_MAX_BATCH_EVENTS */
  maxBatchEvents?: number | undefined;
  /**
   * bytes of un-read answers a WebSocket may hold before it is closed as too slow; default
   * ACK_BACKPRESSURE_BYTES
   */
  maxBackpressureBytes?: number | undefined;
  /** how far ahead of the server's clock an event's `ts` may be; default DEFAULT_MAX_FUTURE_SKEW_MS */
  maxFutureSkewMs?: number | undefined;
}


interface SocketData {
  principal: Principal;
  closed: boolean;
  /** kept to re-check the key while the connection lives (a revoked key closes it) */
  creds: Credentials;
  checkedAt: number;
}

const STORE_RETRY_AFTER_S = 2;

/**
 * Un-read answers a WebSocket may hold in uWS's buffer (beyond the kernel's socket buffers)
 * before it counts as a client that does not read its acks. The largest ack is ~35 KB
 * (MAX_REPORTED_REJECTIONS errors of at most MAX_REJECTION_ERROR_CHARS), so this holds dozens.
 */
export const ACK_BACKPRESSURE_BYTES = 1024 * 1024;

/**
 * uWS closes a connection (1009) on a message over its maxPayloadLength, without a word the
 * client could act on. It is set to this many times the limit, so a message somewhat over the
 * limit is read and answered with a too_large negative ack; only a message past the ceiling
 * still ends the connection.
 */
export const WS_MESSAGE_CEILING_FACTOR = 4;

/** How far into a message the batch id of a message that is not parsed is looked for. */
const BATCH_ID_SCAN_BYTES = 4096;
const LEADING_BATCH_ID = /^\s*\{\s*"batch"\s*:\s*("(?:[^"\\]|\\.){0,256}")/;
const TRAILING_BATCH_ID = /[,{]\s*"batch"\s*:\s*("(?:[^"\\]|\\.){0,256}")\s*\}\s*$/;

/** uWS `WebSocket.send` result: the message was not sent (over maxBackpressure). */
const SEND_DROPPED = 2;

/** Wire contract v1: WS /v1/ingest, POST /v1/events, and the raw export GET /v1/events. */
export function registerIngestRoutes(app: TemplatedApp, deps: IngestRouteDeps): { closeAll(): void } {
  const { writer, metrics, log } = deps;
  const m = {
    accepted: metrics.counter('callboard_events_accepted_total', 'Events newly stored (acknowledged)'),
    rejected: metrics.counter('callboard_events_rejected_total', 'Events rejected (invalid, or an id conflict)'),
    batches: metrics.counter('callboard_ingest_batches_total', 'Batches received'),
    nacks: metrics.counter('callboard_ingest_nacks_total', 'Batches answered with a negative ack or an error status', ['transport', 'code']),
    slowClosed: metrics.counter('callboard_ingest_slow_closed_total', 'WebSocket connections closed because the client did not read its acks'),
    ackSeconds: metrics.histogram('callboard_ack_seconds', 'Batch validated to its events durable (the ack waits for this)', ACK_SECONDS_BUCKETS, ['transport']),
  };
  // A batch is refused for good past the smaller of the batch limit and what the writer can ever hold pending.
  const batchLimit =
    writer.maxWriteEvents < (deps.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS)
      ? { events: writer.maxWriteEvents, name: 'MAX_PENDING_ROWS' }
      : { events: deps.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS, name: 'MAX_BATCH_EVENTS' };
  const tooManyEvents = () => {
    const err = new TooManyEventsError(batchLimit.events, batchLimit.name);
    return ingestRefusal('batch_too_large', err.message, { limit: batchLimit.events });
  };
  const tooLarge = () =>
    ingestRefusal('too_large', `message exceeds ${deps.maxBodyBytes} bytes (MAX_BODY_BYTES): split it into smaller batches`, { limit: deps.maxBodyBytes });
  const sockets = new Set<WebSocket<SocketData>>();
  metrics.gauge('callboard_ingest_connections', 'Open ingest WebSocket connections', () => sockets.size);

  /** Re-checks a connection's key now and then, so revoking a key also ends its open connections. */
  async function stillAuthorized(data: SocketData): Promise<boolean> {
    if (Date.now() - data.checkedAt < deps.credentialRecheckMs) return true;
    const principal = await deps.auth.authenticate(data.creds);
    data.checkedAt = Date.now();
    return principal !== null && principal.scopes.has('ingest');
  }

  /** Resolves an ingest key; answers 401 unauthorized / 403 forbidden (with their codes) itself and returns null then. */
  async function authorizeIngest(reply: Reply, creds: Credentials): Promise<Principal | null> {
    const principal = await deps.auth.authenticate(creds);
    if (!principal) {
      refuseHttp(reply, ingestRefusal('unauthorized', 'missing or invalid credentials'), { 'WWW-Authenticate': 'Bearer' });
      return null;
    }
    if (!principal.scopes.has('ingest')) {
      refuseHttp(reply, ingestRefusal('forbidden', 'requires the ingest permission'));
      return null;
    }
    return principal;
  }

  /** Stores the valid events; the caller answers only after this settles. The answer's size is bounded. */
  async function store(events: readonly unknown[], principal: Principal, transport: string): Promise<BatchResult> {
    m.batches.inc(1, { transport });
    const { accepted, rejected } = validateBatch(events, limitsAt(Date.now(), deps.maxFutureSkewMs));
    const timer = m.ackSeconds.startTimer({ transport });
    const written = await writer.write(accepted as NormalizedEvent[], principal.name);
    timer();
    const invalid: Rejection[] = rejected.map((r) => withId({ index: r.index, code: 'invalid_event', error: r.error }, events[r.index]));
    // Events the writer did not store are rejections too, at their index in the batch.
    const { failed, conflicts } = written;
    let all = invalid;
    if (failed.length > 0 || conflicts.length > 0) {
      const acceptedIndex = acceptedPositions(events.length, rejected);
      const fromWriter: Rejection[] = [
        ...failed.map((f): Rejection => ({ index: acceptedIndex[f.at]!, code: 'invalid_event', error: f.error, id: accepted[f.at]!.id })),
        ...conflicts.map(
          (at): Rejection => ({
            index: acceptedIndex[at]!,
            code: 'id_conflict',
            error: 'id: already stored for this source with different content (an id is never reused; a resend must be identical)',
            id: accepted[at]!.id,
          }),
        ),
      ];
      all = [...invalid, ...fromWriter].sort((a, b) => a.index - b.index);
    }
    if (all.length) m.rejected.inc(all.length, { transport });
    const stored = accepted.length - failed.length - conflicts.length - written.duplicates;
    m.accepted.inc(stored, { transport });
    return batchResult({ accepted: stored, duplicates: written.duplicates }, all);
  }

  /** The refusal for a failed `store`: busy, shutting down or the store failing are worth a resend; a batch the writer can never take is not. */
  function storeFailure(err: unknown): IngestRefusal {
    if (err instanceof WriterClosingError) return ingestRefusal('shutting_down', err.message, { retry_after: err.retryAfterS });
    if (err instanceof WriterBusyError) return ingestRefusal('writer_busy', err.message, { retry_after: err.retryAfterS });
    if (err instanceof BatchTooLargeError) return ingestRefusal('batch_too_large', err.message, { limit: err.limit });
    log('error', 'ingest write failed', { error: String(err) });
    return ingestRefusal('store_unavailable', 'store unavailable, retry', { retry_after: STORE_RETRY_AFTER_S });
  }

  function refuseHttp(reply: Reply, refusal: IngestRefusal, headers: Record<string, string> = {}): void {
    m.nacks.inc(1, { transport: 'http', code: refusal.code });
    const retryAfter = refusal.retry_after === undefined ? {} : { 'Retry-After': String(Math.ceil(refusal.retry_after)) };
    sendJson(reply, INGEST_ERROR_CODES[refusal.code].http, refusal, { ...headers, ...retryAfter });
  }

  app.ws<SocketData>('/v1/ingest', {
    maxPayloadLength: Math.min(deps.maxBodyBytes * WS_MESSAGE_CEILING_FACTOR, 0x7fffffff),
    idleTimeout: 120,
    maxBackpressure: deps.maxBackpressureBytes ?? ACK_BACKPRESSURE_BYTES,
    upgrade: (res, req, context) => {
      const reply = guard(res);
      const info = requestInfo(req, res);
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const creds: Credentials = { authorization: info.authorization, cookie: info.cookie, queryKey: info.query.get('key') ?? undefined };
      void (async () => {
        const principal = await authorizeIngest(reply, creds);
        if (!principal || reply.aborted) return;
        const data: SocketData = { principal, closed: false, creds, checkedAt: Date.now() };
        res.cork(() => res.upgrade<SocketData>(data, key, protocol, extensions, context));
      })().catch((err: unknown) => {
        log('error', 'ingest upgrade failed', { error: String(err) });
        refuseHttp(reply, ingestRefusal('internal_error', 'internal error'));
      });
    },
    open: (ws) => {
      sockets.add(ws);
    },
    close: (ws) => {
      ws.getUserData().closed = true;
      sockets.delete(ws);
    },
    message: (ws, message) => {
      const data = ws.getUserData();
      const send = (msg: IngestAck | IngestNack) => {
        if (data.closed) return;
        if (ws.send(JSON.stringify(msg)) !== SEND_DROPPED) return;
        // uWS dropped the answer (the client has not read ACK_BACKPRESSURE_BYTES of earlier ones).
        // A dropped ack on an open socket would leave the client waiting forever: close the
        // connection instead, so it reconnects and resends what was not acknowledged (resends
        // are de-duplicated). close(), not end(): a close frame would be dropped the same way.
        m.slowClosed.inc();
        log('warn', 'ingest connection closed: the client does not read its acks', { key: data.principal.name, buffered: ws.getBufferedAmount() });
        data.closed = true;
        ws.close();
      };
      const nack = (batch: string | null, refusal: IngestRefusal) => {
        m.nacks.inc(1, { transport: 'ws', code: refusal.code });
        send({ nack: batch, ...refusal });
      };
      // uWS reuses the message's memory after this callback: read it now.
      if (message.byteLength > deps.maxBodyBytes) {
        nack(batchIdOfUnparsed(Buffer.from(message)), tooLarge());
        return;
      }
      const text = Buffer.from(message).toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        nack(batchIdOfUnparsed(Buffer.from(message)), ingestRefusal('invalid_batch', `message is not valid JSON: ${(err as Error).message}`));
        return;
      }
      const { batch, events } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { batch?: unknown; events?: unknown };
      const batchId = typeof batch === 'string' ? batch : null;
      if (batchId === null || !Array.isArray(events)) {
        const missing = batchId === null ? '"batch" must be a string' : '"events" must be an array';
        nack(batchId, ingestRefusal('invalid_batch', `message must be {"batch": "<id>", "events": [...]}: ${missing}`));
        return;
      }
      if (events.length > batchLimit.events) {
        nack(batchId, tooManyEvents());
        return;
      }
      void (async () => {
        if (!(await stillAuthorized(data))) {
          nack(batchId, ingestRefusal('credentials_revoked', 'credentials revoked: the key was deleted or lost the ingest permission'));
          if (!data.closed) ws.end(1008, 'credentials revoked');
          return;
        }
        let result: BatchResult;
        try {
          result = await store(events as unknown[], data.principal, 'ws');
        } catch (err) {
          nack(batchId, storeFailure(err));
          return;
        }
        send({ ack: batchId, ...result });
      })().catch((err: unknown) => {
        log('error', 'ingest message failed', { error: String(err) });
        nack(batchId, ingestRefusal('internal_error', 'internal error'));
      });
    },
  });

  app.post('/v1/events', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    // Read from the start (uWS rule); a request refused by authorize never awaits it, which
    // readBody makes safe (its rejection is handled even then).
    const body = readBody(reply, deps.maxBodyBytes);
    void (async () => {
      const principal = await authorizeIngest(reply, info);
      if (!principal) return;
      const dryRun = info.query.get('dry_run') ?? '0';
      if (dryRun !== '0' && dryRun !== '1') return refuseHttp(reply, ingestRefusal('invalid_batch', `dry_run: must be 1 or 0 (got ${JSON.stringify(dryRun.slice(0, 16))})`));
      let events: unknown[];
      try {
        events = parseEventsBody((await body).toString('utf8'), batchLimit.events);
      } catch (err) {
        if (err instanceof BodyTooLargeError) return refuseHttp(reply, ingestRefusal('too_large', `body exceeds ${deps.maxBodyBytes} bytes (MAX_BODY_BYTES): split it into smaller batches`, { limit: deps.maxBodyBytes }));
        if (err instanceof TooManyEventsError) return refuseHttp(reply, tooManyEvents());
        if (err instanceof SyntaxError) return refuseHttp(reply, ingestRefusal('invalid_batch', err.message));
        throw err;
      }
      // Validation and the lifecycle audit of the batch; nothing is stored.
      if (dryRun === '1') return sendJson(reply, 200, dryRunReport(events, Date.now(), deps.maxFutureSkewMs));
      let result: BatchResult;
      try {
        result = await store(events, principal, 'http');
      } catch (err) {
        return refuseHttp(reply, storeFailure(err));
      }
      sendJson(reply, 200, result);
    })().catch((err: unknown) => {
      log('error', 'ingest request failed', { error: String(err) });
      refuseHttp(reply, ingestRefusal('internal_error', 'internal error'));
    });
  });

  app.get('/v1/events', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    let started = false;
    void (async () => {
      if (!(await authorize(reply, deps.auth, info, 'read'))) return;
      const q = info.query;
      const unknown = [...new Set(q.keys())].filter((k) => !(EXPORT_QUERY_PARAMETERS as readonly string[]).includes(k));
      if (unknown.length > 0) {
        return sendError(reply, 400, `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 64))).join(', ')} (allowed: ${EXPORT_QUERY_PARAMETERS.join(', ')})`);
      }
      const from = exportBound(q.get('from'));
      const to = exportBound(q.get('to'));
      if (Number.isNaN(from)) return sendError(reply, 400, `from: ${EXPORT_BOUND_RULE}`);
      if (Number.isNaN(to)) return sendError(reply, 400, `to: ${EXPORT_BOUND_RULE}`);
      if (to <= from) return sendError(reply, 400, 'to: must be after from');
      const type = q.get('type') ?? '';
      if (type && !(EVENT_TYPES as string[]).includes(type)) return sendError(reply, 400, `type: unknown event type ${JSON.stringify(type)}`);
      const withSource = q.get('with_source') ?? '0';
      if (withSource !== '0' && withSource !== '1') return sendError(reply, 400, `with_source: must be 1 or 0 (got ${JSON.stringify(withSource.slice(0, 16))})`);
      if (reply.aborted) return;
      started = true;
      res.cork(() => {
        res.writeStatus('200 OK');
        res.writeHeader('Content-Type', 'application/x-ndjson');
      });
      await deps.store.stream(
        EXPORT_EVENTS_SQL,
        { from, to, type, call: q.get('call') ?? '', agent: q.get('agent') ?? '', source: q.get('source') ?? '', with_source: Number(withSource) },
        'TSVRaw',
        async (chunk) => {
          await writeChunk(reply, chunk);
        },
      );
      if (!reply.aborted) {
        reply.aborted = true;
        res.cork(() => res.end());
      }
    })().catch((err: unknown) => {
      log('error', 'export failed', { error: String(err) });
      if (!started) return sendError(reply, 500, 'export failed');
      // Headers are out: cut the connection so the client cannot take a partial export for a whole one.
      if (!reply.aborted) {
        reply.aborted = true;
        res.close();
      }
    });
  });

  return {
    closeAll() {
      for (const ws of sockets) ws.end(1001, 'server shutting down');
    },
  };
}

/** The batch index of each accepted event, in order: the indexes not in `rejected` (which is ordered). */
function acceptedPositions(total: number, rejected: readonly { index: number }[]): number[] {
  const out: number[] = [];
  let r = 0;
  for (let i = 0; i < total; i++) {
    if (r < rejected.length && rejected[r]!.index === i) r++;
    else out.push(i);
  }
  return out;
}

/** The rejection, with the event's id when it has a usable one. */
function withId(rejection: Rejection, raw: unknown): Rejection {
  const id = quotableId(raw);
  return id === undefined ? rejection : { ...rejection, id };
}

/**
 * The batch id of a message that is not parsed (too large, or not valid JSON), when it can be
 * read cheaply: a "batch" member first or last in the message's object, found in its first or
 * last BATCH_ID_SCAN_BYTES. Null otherwise.
 */
export function batchIdOfUnparsed(message: Buffer): string | null {
  const head = message.subarray(0, BATCH_ID_SCAN_BYTES).toString('utf8');
  const tail = message.subarray(Math.max(0, message.length - BATCH_ID_SCAN_BYTES)).toString('utf8');
  const literal = LEADING_BATCH_ID.exec(head)?.[1] ?? TRAILING_BATCH_ID.exec(tail)?.[1];
  if (literal === undefined) return null;
  try {
    return JSON.parse(literal) as string;
  } catch {
    return null;
  }
}

const ISO_WITH_OFFSET = new RegExp(ISO_TIMESTAMP_PATTERN);
const EXPORT_BOUND_RULE = 'required, epoch milliseconds or ISO-8601 with an offset (Z or ±hh:mm), e.g. 2025-01-06T09:00:00Z';

/** An export bound: epoch milliseconds, or ISO-8601 with an explicit offset (one without is ambiguous). NaN otherwise. */
function exportBound(v: string | null): number {
  if (v === null) return NaN;
  if (/^\d+$/.test(v)) return parseTimestamp(Number(v));
  // An unencoded `+01:00` offset arrives as a space.
  const iso = v.replace(' ', '+');
  return ISO_WITH_OFFSET.test(iso) ? parseTimestamp(iso) : NaN;
}
