/**
 * WebSocket client of the callboard ingest (`/v1/ingest`, wire contract v1; client/README.md).
 *
 * It batches events, keeps several batches in flight (pipelining), keeps every batch until
 * the server answers it, and resends an unanswered batch unchanged (same batch id, same
 * bytes) after a reconnect or a retryable negative ack. The server de-duplicates on event
 * ids, so a resend never stores an event twice, and nothing is lost or silently dropped:
 * every event ends up counted as accepted, duplicate, rejected (with its code and error) or
 * failed (its batch refused permanently, with the code and error).
 *
 * Self-contained: its only dependency is the `ws` package (Node.js 20 or newer), so it can
 * be copied into another project as it is.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** What the client needs of an event: the id the server de-duplicates on. */
export interface IngestEvent {
  readonly id: string;
}

export interface IngestClientOptions<E extends IngestEvent = IngestEvent> {
  /** `ws://host:port/v1/ingest` (or `wss://…`) */
  url: string;
  /** API key with the ingest permission, sent as `Authorization: Bearer <key>` */
  key: string;
  /** events per batch (default 500; the server refuses more than its MAX_BATCH_EVENTS, 50,000 by default) */
  batchSize?: number;
  /** longest time a partial batch waits for more events (default 100 ms) */
  flushMs?: number;
  /** batches sent and awaiting their answer (default 8) */
  maxInFlight?: number;
  /** un-answered events above which `send` waits (default 100,000) */
  maxBuffered?: number;
  /** no answer for this long while batches are in flight → the connection is presumed dead and replaced (default 30 s) */
  ackTimeoutMs?: number;
  /** first reconnect delay; doubles per failed attempt, with jitter (default 100 ms) */
  reconnectMinMs?: number;
  /** cap of the reconnect delay (default 5 s) */
  reconnectMaxMs?: number;
  /** first wait after a retryable negative ack without `retry_after`; doubles per consecutive one, with jitter (default 500 ms) */
  retryMinMs?: number;
  /** cap of that wait (default 30 s) */
  retryMaxMs?: number;
  /** structured log records `{level: 'info'|'warn'|'error', msg, …fields}` (default: warnings and errors to stderr as JSON) */
  log?: (entry: LogEntry) => void;
  /** a batch was stored: its counts and its rejected events */
  onAck?: (ack: AckReport<E>) => void;
  /** events of a batch were not stored (invalid_event, id_conflict); they are not resent */
  onRejected?: (rejected: readonly EventRejection<E>[], batch: string) => void;
  /** a batch was refused permanently (retry false); it is not resent, its events are handed back */
  onFailure?: (failure: BatchFailure<E>) => void;
  /** a batch was refused for now (retry true); sending pauses for `delayMs`, then the batch is resent */
  onRetry?: (retry: RetryNotice) => void;
  /** the connection opened or closed */
  onConnection?: (change: ConnectionChange) => void;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

/** Counters of a client; event counts unless noted. */
export interface IngestClientStats {
  /** events put on the wire (first transmission only) */
  sent: number;
  /** event transmissions repeated after a reconnect, a retryable negative ack or an ack timeout */
  resent: number;
  /** events the server acknowledged as stored: accepted + duplicates */
  acked: number;
  /** events newly stored (before the error contract, servers counted resent events here too) */
  accepted: number;
  /** events that were already stored with the same content (resends after a lost ack) */
  duplicates: number;
  /** events whose id was already stored with different content; also counted in `rejected` */
  conflicts: number;
  /** events the server did not store (invalid_event, id_conflict) */
  rejected: number;
  /** events of batches refused permanently (negative ack with retry false, 401/403 on connect) */
  failed: number;
  /** negative acks received (messages) */
  nacks: number;
  /** connections opened after the first one */
  reconnects: number;
  /** batches sent and awaiting their answer */
  inFlight: number;
  /** events given to `send` and not yet answered (waiting or in flight) */
  buffered: number;
  /** highest `buffered` seen */
  maxBacklog: number;
}

/** One event the server did not store. */
export interface EventRejection<E extends IngestEvent = IngestEvent> {
  /** position in its batch */
  index: number;
  /** `invalid_event` (fix the event) or `id_conflict` (the id is already stored with other content) */
  code: string;
  /** the field and the reason */
  error: string;
  /** the event's id */
  id: string | undefined;
  /** the event as it was sent */
  event: E | undefined;
}

export interface AckReport<E extends IngestEvent = IngestEvent> {
  batch: string;
  /** events in the batch */
  events: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  /** all rejections; `rejected` lists at most the first 100 the server reports */
  rejectedCount: number;
  rejected: EventRejection<E>[];
}

export interface BatchFailure<E extends IngestEvent = IngestEvent> {
  /** the batch id, when the server named it */
  batch: string;
  /** e.g. `batch_too_large`, `too_large`, `credentials_revoked`, `unauthorized`, `forbidden`, `invalid_batch` */
  code: string;
  error: string;
  /** the limit that was passed: events for batch_too_large, bytes for too_large */
  limit: number | undefined;
  /** the events of the batch, none of them stored: fix the cause and send them again (same ids) */
  events: readonly E[];
}

export interface RetryNotice {
  /** the batch to resend, or null when the server could not name it (then all un-answered batches are resent on a new connection) */
  batch: string | null;
  code: string;
  error: string;
  /** the server's retry_after, or the client's back-off when it gave none */
  delayMs: number;
  /** consecutive retryable negative acks */
  attempt: number;
}

export type ConnectionChange =
  | { state: 'connected'; reconnect: boolean; unackedBatches: number }
  | {
      state: 'disconnected';
      code: number;
      reason: string;
      error: string | undefined;
      /** failed attempts in a row */
      attempt: number;
      /** wait before the next attempt; undefined when no attempt follows (idle, closed, or refused for good) */
      delayMs: number | undefined;
      unackedBatches: number;
    };

/** An ack as servers send it: `duplicates`, `conflicts`, `code` and `id` came with the error contract. */
export interface IngestAckMessage {
  ack: string;
  accepted: number;
  duplicates?: number;
  conflicts?: number;
  rejected: { index: number; error: string; code?: string; id?: string }[];
  rejected_count?: number;
}

/** A negative ack: `code`, `retry` and `limit` came with the error contract. */
export interface IngestNackMessage {
  nack: string | null;
  error: string;
  code?: string;
  retry?: boolean;
  retry_after?: number;
  limit?: number;
}

interface Batch<E> {
  id: string;
  seq: number;
  events: readonly E[];
  /** serialized once, so a resend is byte-identical */
  payload: string;
  transmissions: number;
  /** sent on the current connection and not yet answered */
  onWire: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

interface FlushWaiter extends Waiter {
  seq: number;
}

/** An HTTP answer instead of the WebSocket upgrade. */
interface Refusal {
  status: number;
  code: string | undefined;
  error: string;
  retryAfterMs: number | undefined;
}

const CLOSE_GRACE_MS = 2_000;
const REFUSAL_BODY_MAX_BYTES = 16 * 1024;

/** Streams events to the ingest over one WebSocket, with acks, resends, back-off and back-pressure. */
export class IngestClient<E extends IngestEvent = IngestEvent> {
  private readonly url: string;
  private readonly key: string;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxInFlight: number;
  private readonly maxBuffered: number;
  private readonly ackTimeoutMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly log: (entry: LogEntry) => void;
  private readonly hooks: Readonly<Pick<IngestClientOptions<E>, 'onAck' | 'onRejected' | 'onFailure' | 'onRetry' | 'onConnection'>>;
  /** per client instance, so batch ids stay unique across restarts of the sender */
  private readonly batchPrefix = randomUUID().slice(0, 8);

  private buffer: E[] = [];
  /** cut batches not yet answered, in sequence order (Map keeps insertion order) */
  private readonly batches = new Map<string, Batch<E>>();
  private nextSeq = 0;
  private readonly counters = {
    sent: 0, resent: 0, acked: 0, accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, failed: 0, nacks: 0, reconnects: 0, buffered: 0, maxBacklog: 0,
  };
  private inFlight = 0;

  private ws: WebSocket | null = null;
  private connected = false;
  private everConnected = false;
  private failedAttempts = 0;
  private consecutiveRetries = 0;
  private lastError: string | undefined;
  private refusal: Refusal | undefined;
  private pausedUntil = 0;
  private closing = false;
  private closed = false;

  private flushTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;

  private flushWaiters: FlushWaiter[] = [];
  private spaceWaiters: Waiter[] = [];

  constructor(opts: IngestClientOptions<E>) {
    if (typeof opts.url !== 'string' || !/^wss?:\/\//.test(opts.url)) throw new TypeError(`IngestClient: url must be a ws:// or wss:// URL (got ${JSON.stringify(opts.url)})`);
    if (typeof opts.key !== 'string' || opts.key.length === 0) throw new TypeError('IngestClient: key must be a non-empty API key');
    this.url = opts.url;
    this.key = opts.key;
    this.batchSize = positive(opts.batchSize, 500, 'batchSize');
    this.flushMs = positive(opts.flushMs, 100, 'flushMs');
    this.maxInFlight = positive(opts.maxInFlight, 8, 'maxInFlight');
    this.maxBuffered = positive(opts.maxBuffered, 100_000, 'maxBuffered');
    this.ackTimeoutMs = positive(opts.ackTimeoutMs, 30_000, 'ackTimeoutMs');
    this.reconnectMinMs = positive(opts.reconnectMinMs, 100, 'reconnectMinMs');
    this.reconnectMaxMs = positive(opts.reconnectMaxMs, 5_000, 'reconnectMaxMs');
    this.retryMinMs = positive(opts.retryMinMs, 500, 'retryMinMs');
    this.retryMaxMs = positive(opts.retryMaxMs, 30_000, 'retryMaxMs');
    this.log = opts.log ?? logWarningsToStderr;
    this.hooks = { ...opts };
  }

  /** A snapshot of the counters. */
  get stats(): IngestClientStats {
    return { ...this.counters, inFlight: this.inFlight };
  }

  /**
   * Queues events for sending. Resolves at once while fewer than `maxBuffered` events are
   * un-answered; otherwise when answers make room (back-pressure). The events are queued
   * even if the caller does not await. What became of them: `flush()`, `stats` and the hooks.
   */
  send(events: readonly E[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('IngestClient: send after close'));
    if (events.length === 0) return Promise.resolve();
    for (const e of events) this.buffer.push(e);
    this.counters.buffered += events.length;
    this.counters.maxBacklog = Math.max(this.counters.maxBacklog, this.counters.buffered);
    this.cut(false);
    if (this.buffer.length > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.cutAll();
        this.pump();
      }, this.flushMs);
    }
    this.ensureConnection();
    this.pump();
    if (this.counters.buffered < this.maxBuffered) return Promise.resolve();
    return new Promise((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
  }

  /** Sends what is queued and resolves, with the counters, when every event given to `send` so far is answered. */
  flush(): Promise<IngestClientStats> {
    this.cutAll();
    this.ensureConnection();
    this.pump();
    const seq = this.nextSeq - 1;
    if (this.settledThrough(seq)) return Promise.resolve(this.stats);
    if (this.closed) return Promise.reject(new Error(`IngestClient: closed with ${this.counters.buffered} events not acknowledged`));
    return new Promise<void>((resolve, reject) => this.flushWaiters.push({ seq, resolve, reject })).then(() => this.stats);
  }

  /**
   * Flushes, then closes the connection, resolving with the counters. After `timeoutMs`
   * (default 30 s) without every answer it closes anyway, logs what was not answered and rejects.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<IngestClientStats> {
    this.closing = true;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.flush().then(() => 'flushed' as const), timedOut]);
    clearTimeout(timer);
    const unacked = { batches: this.batches.size, events: this.counters.buffered };
    await this.shutdown();
    if (result === 'timeout') {
      this.log({ level: 'error', msg: 'ingest client closed with un-acknowledged events', timeoutMs, ...unacked });
      throw new Error(`IngestClient: ${unacked.events} events not acknowledged within ${timeoutMs} ms`);
    }
    return this.stats;
  }

  // ---- batching -------------------------------------------------------------------------

  /** Moves buffered events into batches: full batches only, or everything when `all`. */
  private cut(all: boolean): void {
    let offset = 0;
    while (this.buffer.length - offset >= this.batchSize || (all && offset < this.buffer.length)) {
      const events = this.buffer.slice(offset, offset + this.batchSize);
      offset += events.length;
      const seq = this.nextSeq++;
      const id = `${this.batchPrefix}-${seq}`;
      this.batches.set(id, { id, seq, events, payload: JSON.stringify({ batch: id, events }), transmissions: 0, onWire: false });
    }
    if (offset > 0) this.buffer = this.buffer.slice(offset);
  }

  private cutAll(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.cut(true);
  }

  /** Sends waiting batches, oldest first, while the connection is up and in-flight slots are free. */
  private pump(): void {
    if (!this.connected || !this.ws || Date.now() < this.pausedUntil) return;
    for (const batch of this.batches.values()) {
      if (this.inFlight >= this.maxInFlight) break;
      if (batch.onWire) continue;
      if (batch.transmissions === 0) this.counters.sent += batch.events.length;
      else this.counters.resent += batch.events.length;
      batch.transmissions++;
      batch.onWire = true;
      this.inFlight++;
      this.ws.send(batch.payload);
    }
    if (this.inFlight > 0 && !this.ackTimer) this.armAckTimer();
  }

  private settle(batch: Batch<E>): void {
    this.batches.delete(batch.id);
    if (batch.onWire) this.inFlight--;
    this.counters.buffered -= batch.events.length;
    this.flushWaiters = this.flushWaiters.filter((w) => {
      if (!this.settledThrough(w.seq)) return true;
      w.resolve();
      return false;
    });
    if (this.counters.buffered < this.maxBuffered) {
      const waiting = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of waiting) w.resolve();
    }
  }

  /** True when every batch up to sequence number `seq` has been answered. */
  private settledThrough(seq: number): boolean {
    const oldest = this.batches.values().next();
    return oldest.done === true || oldest.value.seq > seq;
  }

  /** A batch the server refused for good: counted as failed, handed back to the caller, never resent. */
  private fail(batch: Batch<E>, code: string, error: string, limit: number | undefined): void {
    this.counters.failed += batch.events.length;
    this.log({
      level: 'error',
      msg: 'ingest refused a batch permanently; its events are not stored',
      batch: batch.id,
      code,
      error,
      ...(limit === undefined ? {} : { limit }),
      events: batch.events.length,
      ids: batch.events.slice(0, 20).map((e) => e.id),
    });
    this.settle(batch);
    this.hooks.onFailure?.({ batch: batch.id, code, error, limit, events: batch.events });
  }

  // ---- replies --------------------------------------------------------------------------

  private onMessage(ws: WebSocket, data: WebSocket.RawData): void {
    if (ws !== this.ws) return;
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      this.log({ level: 'warn', msg: 'ingest sent a reply that is not JSON', reply: data.toString().slice(0, 200) });
      return;
    }
    if (isAck(msg)) this.onAck(msg);
    else if (isNack(msg)) this.onNack(msg);
    else this.log({ level: 'warn', msg: 'ingest sent an unknown reply', reply: JSON.stringify(msg).slice(0, 200) });
  }

  private onAck(ack: IngestAckMessage): void {
    const batch = this.batches.get(ack.ack);
    if (!batch?.onWire) {
      this.log({ level: 'warn', msg: 'ingest acknowledged a batch not in flight', batch: ack.ack });
      return;
    }
    this.failedAttempts = 0;
    this.consecutiveRetries = 0;
    const duplicates = ack.duplicates ?? 0;
    // rejected_count is the total (rejected lists the first 100); servers before it sent only the list
    const rejectedCount = ack.rejected_count ?? ack.rejected.length;
    const rejected: EventRejection<E>[] = ack.rejected.map((r) => {
      const event = batch.events[r.index];
      return { index: r.index, code: r.code ?? 'invalid_event', error: r.error, id: r.id ?? event?.id, event };
    });
    const conflicts = ack.conflicts ?? rejected.filter((r) => r.code === 'id_conflict').length;
    this.counters.accepted += ack.accepted;
    this.counters.duplicates += duplicates;
    this.counters.acked += ack.accepted + duplicates;
    this.counters.conflicts += conflicts;
    this.counters.rejected += rejectedCount;
    if (rejectedCount > 0) {
      this.log({
        level: 'warn',
        msg: 'ingest rejected events',
        batch: batch.id,
        rejected: rejected.map((r) => ({ index: r.index, id: r.id, type: eventType(r.event), code: r.code, error: r.error })),
      });
    }
    if (ack.accepted + duplicates + rejectedCount !== batch.events.length) {
      this.log({ level: 'warn', msg: 'ingest ack does not add up', batch: batch.id, events: batch.events.length, accepted: ack.accepted, duplicates, rejected: rejectedCount });
    }
    this.settle(batch);
    this.armAckTimer();
    this.pump();
    if (rejected.length > 0) this.hooks.onRejected?.(rejected, batch.id);
    this.hooks.onAck?.({ batch: batch.id, events: batch.events.length, accepted: ack.accepted, duplicates, conflicts, rejectedCount, rejected });
  }

  private onNack(nack: IngestNackMessage): void {
    this.counters.nacks++;
    const code = nack.code ?? 'unspecified';
    // Servers before the error contract sent no `retry`: a retry_after meant "resend later".
    const retry = nack.retry ?? nack.retry_after !== undefined;
    let batch = nack.nack === null ? undefined : this.batches.get(nack.nack);
    if (!batch?.onWire && code === 'too_large' && nack.limit !== undefined) {
      // The server could not read the id of a message over its size limit: that is the in-flight batch over it.
      const limit = nack.limit;
      batch = [...this.batches.values()].find((b) => b.onWire && Buffer.byteLength(b.payload) > limit);
    }
    if (!batch?.onWire) {
      // A nack we cannot tie to an in-flight batch leaves its batch unanswered forever on
      // this connection; a fresh connection resends everything un-acked.
      const delayMs = retry ? this.retryDelayMs(nack) : undefined;
      this.log({ level: 'warn', msg: 'ingest nack for no batch in flight; reconnecting', batch: nack.nack, code, error: nack.error });
      if (delayMs !== undefined) this.hooks.onRetry?.({ batch: null, code, error: nack.error, delayMs, attempt: this.consecutiveRetries });
      this.dropConnection(delayMs);
      return;
    }
    if (!retry) {
      this.fail(batch, code, nack.error, nack.limit);
      this.pump();
      return;
    }
    batch.onWire = false;
    this.inFlight--;
    const delayMs = this.retryDelayMs(nack);
    this.log({ level: 'info', msg: 'ingest refused a batch for now; pausing', batch: batch.id, code, error: nack.error, retryAfterS: nack.retry_after, delayMs });
    this.pauseFor(delayMs);
    this.hooks.onRetry?.({ batch: batch.id, code, error: nack.error, delayMs, attempt: this.consecutiveRetries });
  }

  /** The server's retry_after, else exponential back-off with jitter over consecutive retryable nacks. */
  private retryDelayMs(nack: IngestNackMessage): number {
    this.consecutiveRetries++;
    if (nack.retry_after !== undefined) return Math.max(0, nack.retry_after * 1000);
    return jittered(Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(this.consecutiveRetries - 1, 30)));
  }

  /** Holds all sending for `ms`, then resumes with the oldest waiting batch. */
  private pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      this.pump();
    }, this.pausedUntil - Date.now());
  }

  /** (Re)starts the watchdog that replaces a connection on which acks stopped coming. */
  private armAckTimer(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.inFlight === 0) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.log({ level: 'warn', msg: 'no ingest ack in time; reconnecting', ackTimeoutMs: this.ackTimeoutMs, inFlight: this.inFlight });
      this.dropConnection();
    }, this.ackTimeoutMs);
  }

  // ---- connection -----------------------------------------------------------------------

  private ensureConnection(): void {
    if (!this.ws && !this.reconnectTimer && !this.closed && this.batches.size + this.buffer.length > 0) this.connect();
  }

  private connect(): void {
    const ws = new WebSocket(this.url, {
      headers: { Authorization: `Bearer ${this.key}` },
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    this.refusal = undefined;
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.connected = true;
      const reconnect = this.everConnected;
      if (reconnect) this.counters.reconnects++;
      this.everConnected = true;
      this.log({ level: 'info', msg: 'ingest connected', url: this.url, unackedBatches: this.batches.size });
      this.pump();
      this.hooks.onConnection?.({ state: 'connected', reconnect, unackedBatches: this.batches.size });
    });
    ws.on('unexpected-response', (_req, res) => {
      // The upgrade was answered with an HTTP error: read its JSON body for the code, then give up this attempt.
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < REFUSAL_BODY_MAX_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', () => ws.terminate());
      res.on('end', () => {
        if (ws === this.ws) this.refusal = readRefusal(res.statusCode ?? 0, res.headers['retry-after'], Buffer.concat(chunks).toString('utf8'));
        ws.terminate();
      });
    });
    ws.on('message', (data) => this.onMessage(ws, data));
    ws.on('error', (err) => {
      if (ws === this.ws) this.lastError = err.message;
    });
    ws.on('close', (code, reason) => {
      if (ws !== this.ws) return;
      this.onDisconnect(code, reason.toString());
    });
  }

  /** Abandons the current connection; `delayMs` (a retry_after) overrides the back-off delay. */
  private dropConnection(delayMs?: number): void {
    const ws = this.ws;
    if (!ws) return;
    this.onDisconnect(4000, 'dropped by client', delayMs);
    ws.terminate();
  }

  private onDisconnect(code: number, reason: string, delayMs?: number): void {
    const wasConnected = this.connected;
    const refusal = this.refusal;
    this.ws = null;
    this.connected = false;
    this.refusal = undefined;
    for (const batch of this.batches.values()) batch.onWire = false;
    this.inFlight = 0;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const error = refusal ? `HTTP ${refusal.status}: ${refusal.error}` : this.lastError;
    this.lastError = undefined;
    const report = (delay: number | undefined) =>
      this.hooks.onConnection?.({ state: 'disconnected', code, reason, error, attempt: this.failedAttempts, delayMs: delay, unackedBatches: this.batches.size });
    if (this.closed) return report(undefined);
    if (refusal && (refusal.status === 401 || refusal.status === 403)) {
      // A key the server does not take will not be taken on the next attempt either: every waiting batch fails.
      const failCode = refusal.code ?? (refusal.status === 401 ? 'unauthorized' : 'forbidden');
      this.log({ level: 'error', msg: 'ingest refused the connection; waiting batches fail', status: refusal.status, code: failCode, error: refusal.error });
      this.cutAll();
      for (const batch of [...this.batches.values()]) this.fail(batch, failCode, refusal.error, undefined);
      this.failedAttempts = 0;
      return report(undefined);
    }
    if (this.batches.size === 0 && this.buffer.length === 0) {
      // Nothing to deliver: the next send() opens a new connection.
      this.log({ level: 'info', msg: 'ingest connection closed while idle', code, reason });
      this.failedAttempts = 0;
      return report(undefined);
    }
    this.failedAttempts++;
    const backoff = Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** Math.min(this.failedAttempts - 1, 30));
    // Jitter keeps many senders from reconnecting in lock-step after an ingest restart.
    const delay = delayMs ?? refusal?.retryAfterMs ?? Math.round(backoff * (0.75 + Math.random() * 0.25));
    this.log({
      level: 'warn',
      msg: wasConnected ? 'ingest disconnected; reconnecting' : 'ingest connection failed; retrying',
      code,
      reason,
      ...(error === undefined ? {} : { error }),
      attempt: this.failedAttempts,
      delayMs: delay,
      unackedBatches: this.batches.size,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed) this.connect();
    }, delay);
    report(delay);
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const left = new Error(`IngestClient: closed with ${this.counters.buffered} events not acknowledged`);
    for (const w of [...this.flushWaiters, ...this.spaceWaiters]) w.reject(left);
    this.flushWaiters = [];
    this.spaceWaiters = [];
    for (const t of [this.flushTimer, this.reconnectTimer, this.resumeTimer, this.ackTimer]) if (t) clearTimeout(t);
    this.flushTimer = this.reconnectTimer = this.resumeTimer = this.ackTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.connected = false;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(grace);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`IngestClient: ${name} must be a positive number (got ${value})`);
  return value;
}

/** `ms` scaled by a random factor in [0.5, 1): spreads the retries of many senders. */
function jittered(ms: number): number {
  return Math.round(ms * (0.5 + Math.random() * 0.5));
}

function eventType(event: unknown): unknown {
  return typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
}

function logWarningsToStderr(entry: LogEntry): void {
  if (entry.level !== 'info') process.stderr.write(`${JSON.stringify({ component: 'ingest-client', ...entry })}\n`);
}

/** What an HTTP answer to the upgrade says: the error contract's JSON body `{error, code, retry_after}`, or the bare status. */
function readRefusal(status: number, retryAfterHeader: string | undefined, body: string): Refusal {
  let parsed: { error?: unknown; code?: unknown; retry_after?: unknown } = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null) parsed = value;
  } catch {
    // not JSON: the status says enough
  }
  const retryAfterS = typeof parsed.retry_after === 'number' ? parsed.retry_after : retryAfterHeader === undefined ? NaN : Number(retryAfterHeader);
  return {
    status,
    code: typeof parsed.code === 'string' ? parsed.code : undefined,
    error: typeof parsed.error === 'string' ? parsed.error : body.slice(0, 200) || `HTTP ${status}`,
    retryAfterMs: Number.isFinite(retryAfterS) && retryAfterS >= 0 ? retryAfterS * 1000 : undefined,
  };
}

function isAck(msg: unknown): msg is IngestAckMessage {
  const m = msg as Partial<IngestAckMessage> | null;
  return typeof m === 'object' && m !== null && typeof m.ack === 'string' && typeof m.accepted === 'number' && Array.isArray(m.rejected);
}

function isNack(msg: unknown): msg is IngestNackMessage {
  const m = msg as Partial<IngestNackMessage> | null;
  return (
    typeof m === 'object' && m !== null && 'nack' in m && (typeof m.nack === 'string' || m.nack === null) &&
    typeof m.error === 'string' && (m.retry_after === undefined || typeof m.retry_after === 'number') &&
    (m.retry === undefined || typeof m.retry === 'boolean')
  );
}
