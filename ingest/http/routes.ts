import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import { EVENT_TYPES, type IngestAck, type IngestNack } from '../../schemas/events.ts';
import { limitsAt, parseTimestamp, validateBatch, type NormalizedEvent } from '../../schemas/validate.ts';
import type { Authenticator, Credentials, Principal } from '../../platform/auth.ts';
import { authorize } from '../../platform/http/authorize.ts';
import type { Logger } from '../../platform/log.ts';
import { ACK_SECONDS_BUCKETS, type Registry } from '../../platform/metrics.ts';
import { batchResult, DEFAULT_MAX_BATCH_EVENTS, parseEventsBody, TooManyEventsError, type BatchResult } from '../parse-body.ts';
import { EXPORT_EVENTS_SQL } from '../queries/export-events.ts';
import type { Store } from '../../platform/store/store.ts';
import { WriterBusyError, type EventWriter } from '../writer.ts';
import { BodyTooLargeError, guard, readBody, requestInfo, sendError, sendJson, writeChunk } from '../../platform/http/uws.ts';

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

/** uWS `WebSocket.send` result: the message was not sent (over maxBackpressure). */
const SEND_DROPPED = 2;

/** Wire contract v1: WS /v1/ingest, POST /v1/events, and the raw export GET /v1/events. */
export function registerIngestRoutes(app: TemplatedApp, deps: IngestRouteDeps): { closeAll(): void } {
  const { writer, metrics, log } = deps;
  const m = {
    accepted: metrics.counter('callboard_events_accepted_total', 'Events acknowledged as stored'),
    rejected: metrics.counter('callboard_events_rejected_total', 'Events rejected by validation'),
    batches: metrics.counter('callboard_ingest_batches_total', 'Batches received'),
    nacks: metrics.counter('callboard_ingest_nacks_total', 'Batches answered with a negative ack or an error status'),
    slowClosed: metrics.counter('callboard_ingest_slow_closed_total', 'WebSocket connections closed because the client did not read its acks'),
    ackSeconds: metrics.histogram('callboard_ack_seconds', 'Batch validated to its events durable (the ack waits for this)', ACK_SECONDS_BUCKETS, ['transport']),
  };
  const maxBatchEvents = deps.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS;
  const sockets = new Set<WebSocket<SocketData>>();
  metrics.gauge('callboard_ingest_connections', 'Open ingest WebSocket connections', () => sockets.size);

  /** Re-checks a connection's key now and then, so revoking a key also ends its open connections. */
  async function stillAuthorized(data: SocketData): Promise<boolean> {
    if (Date.now() - data.checkedAt < deps.credentialRecheckMs) return true;
    const principal = await deps.auth.authenticate(data.creds);
    data.checkedAt = Date.now();
    return principal !== null && principal.scopes.has('ingest');
  }

  /** Stores the valid events; the caller answers only after this settles. The answer's size is bounded. */
  async function store(events: readonly unknown[], principal: Principal, transport: string): Promise<BatchResult> {
    m.batches.inc(1, { transport });
    const { accepted, rejected } = validateBatch(events, limitsAt(Date.now(), deps.maxFutureSkewMs));
    const timer = m.ackSeconds.startTimer({ transport });
    const written = await writer.write(accepted as NormalizedEvent[], principal.name);
    timer();
    // Events the writer could not store are rejections too, at their index in the batch.
    const failed = written.failed;
    let all = rejected;
    if (failed.length > 0) {
      const acceptedIndex = acceptedPositions(events.length, rejected);
      all = [...rejected, ...failed.map((f) => ({ index: acceptedIndex[f.at]!, error: f.error }))].sort((a, b) => a.index - b.index);
    }
    if (all.length) m.rejected.inc(all.length, { transport });
    m.accepted.inc(accepted.length - failed.length, { transport });
    return batchResult(accepted.length - failed.length, all);
  }

  app.ws<SocketData>('/v1/ingest', {
    maxPayloadLength: deps.maxBodyBytes,
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
        const principal = await authorize(reply, deps.auth, creds, 'ingest');
        if (!principal || reply.aborted) return;
        const data: SocketData = { principal, closed: false, creds, checkedAt: Date.now() };
        res.cork(() => res.upgrade<SocketData>(data, key, protocol, extensions, context));
      })().catch((err: unknown) => {
        log('error', 'ingest upgrade failed', { error: String(err) });
        sendError(reply, 500, 'internal error');
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
      const reply = (msg: IngestAck | IngestNack) => {
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
      let parsed: { batch?: unknown; events?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(message).toString('utf8')) as typeof parsed;
      } catch (err) {
        reply({ nack: null, error: `message is not valid JSON: ${(err as Error).message}` });
        return;
      }
      const batch = typeof parsed?.batch === 'string' ? parsed.batch : null;
      if (batch === null || !Array.isArray(parsed.events)) {
        reply({ nack: batch, error: 'message must be {"batch": "<id>", "events": [...]}' });
        return;
      }
      const events = parsed.events as unknown[];
      if (events.length > maxBatchEvents) {
        m.nacks.inc(1, { transport: 'ws' });
        reply({ nack: batch, error: new TooManyEventsError(maxBatchEvents).message });
        return;
      }
      void (async () => {
        try {
          if (!(await stillAuthorized(data))) {
            reply({ nack: batch, error: 'credentials revoked' });
            if (!data.closed) ws.end(1008, 'credentials revoked');
            return;
          }
          reply({ ack: batch, ...(await store(events, data.principal, 'ws')) });
        } catch (err) {
          m.nacks.inc(1, { transport: 'ws' });
          if (err instanceof WriterBusyError) reply({ nack: batch, error: err.message, retry_after: err.retryAfterS });
          else {
            log('error', 'ingest write failed', { error: String(err) });
            reply({ nack: batch, error: 'store unavailable, retry', retry_after: STORE_RETRY_AFTER_S });
          }
        }
      })().catch((err: unknown) => log('error', 'ingest message failed', { error: String(err) }));
    },
  });

  app.post('/v1/events', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    // Read from the start (uWS rule); a request refused by authorize never awaits it, which
    // readBody makes safe (its rejection is handled even then).
    const body = readBody(reply, deps.maxBodyBytes);
    void (async () => {
      const principal = await authorize(reply, deps.auth, info, 'ingest');
      if (!principal) return;
      let events: unknown[];
      try {
        events = parseEventsBody((await body).toString('utf8'), maxBatchEvents);
      } catch (err) {
        if (err instanceof BodyTooLargeError || err instanceof TooManyEventsError) return sendError(reply, 413, err.message);
        if (err instanceof SyntaxError) return sendError(reply, 400, err.message);
        throw err;
      }
      try {
        const result = await store(events, principal, 'http');
        sendJson(reply, 200, result);
      } catch (err) {
        m.nacks.inc(1, { transport: 'http' });
        if (err instanceof WriterBusyError) {
          return sendError(reply, 429, err.message, { 'Retry-After': String(Math.ceil(err.retryAfterS)) });
        }
        log('error', 'ingest write failed', { error: String(err) });
        sendError(reply, 503, 'store unavailable, retry', { 'Retry-After': String(STORE_RETRY_AFTER_S) });
      }
    })().catch((err: unknown) => {
      log('error', 'ingest request failed', { error: String(err) });
      sendError(reply, 500, 'internal error');
    });
  });

  app.get('/v1/events', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    let started = false;
    void (async () => {
      if (!(await authorize(reply, deps.auth, info, 'read'))) return;
      const q = info.query;
      const from = parseTimestamp(numericOrString(q.get('from')));
      const to = parseTimestamp(numericOrString(q.get('to')));
      if (Number.isNaN(from)) return sendError(reply, 400, 'from: required, ISO-8601 with offset or epoch milliseconds');
      if (Number.isNaN(to)) return sendError(reply, 400, 'to: required, ISO-8601 with offset or epoch milliseconds');
      if (to <= from) return sendError(reply, 400, 'to: must be after from');
      const type = q.get('type') ?? '';
      if (type && !(EVENT_TYPES as string[]).includes(type)) return sendError(reply, 400, `type: unknown event type ${JSON.stringify(type)}`);
      if (reply.aborted) return;
      started = true;
      res.cork(() => {
        res.writeStatus('200 OK');
        res.writeHeader('Content-Type', 'application/x-ndjson');
      });
      await deps.store.stream(
        EXPORT_EVENTS_SQL,
        { from, to, type, call: q.get('call') ?? '', agent: q.get('agent') ?? '' },
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

function numericOrString(v: string | null): unknown {
  if (v === null) return undefined;
  // An unencoded `+01:00` offset arrives as a space.
  return /^\d+$/.test(v) ? Number(v) : v.replace(' ', '+');
}
