/**
 * WebSocket client of the ingest (wire contract v1, DESIGN.md): batches events,
 * keeps every batch until the server acknowledges it as durably written, and
 * resends un-acknowledged batches unchanged (same id, same content) after a
 * reconnect or a negative ack. The store de-duplicates on event ids, so a resend
 * never creates duplicates and nothing is lost or silently dropped.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { CallboardEvent, IngestAck, IngestNack } from '../../schemas/events.ts';
import { createAcdLogger, recordLogger } from '../log.ts';

export interface IngestClientOptions {
  /** `ws://host:port/v1/ingest` */
  url: string;
  /** API key, sent as `Authorization: Bearer <key>` */
  key: string;
  /** events per batch (default 500) */
  batchSize?: number;
  /** longest time a partial batch waits for more events (default 100 ms) */
  flushMs?: number;
  /** batches sent and awaiting their ack (default 8) */
  maxInFlight?: number;
  /** un-acknowledged events above which `send` waits (default 100,000) */
  maxBuffered?: number;
  /** no ack for this long while batches are in flight → the connection is presumed dead and replaced (default 30 s) */
  ackTimeoutMs?: number;
  /** first reconnect delay; doubles per failed attempt (default 100 ms) */
  reconnectMinMs?: number;
  /** cap of the reconnect delay (default 5 s) */
  reconnectMaxMs?: number;
  /** structured log sink: `{level, msg, …fields}` records (default: the ACD's pino logger, acd/log.ts) */
  log?: (entry: object) => void;
}

/** Counters of a client; event counts unless noted. */
export interface IngestClientStats {
  /** events put on the wire (first transmission only) */
  sent: number;
  /** events the server acknowledged as stored */
  acked: number;
  /** events the server refused (per-event errors, or a whole batch nacked as malformed) */
  rejected: number;
  /** event transmissions repeated after a reconnect, a negative ack or an ack timeout */
  resent: number;
  /** negative acks received (messages) */
  nacks: number;
  /** batches sent and awaiting their ack */
  inFlight: number;
  /** events given to `send` and not yet acknowledged or rejected (waiting or in flight) */
  buffered: number;
  /** highest `buffered` seen */
  maxBacklog: number;
}

interface Batch {
  id: string;
  seq: number;
  events: readonly CallboardEvent[];
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

const CLOSE_GRACE_MS = 2_000;

/** Streams contract events to the ingest over one WebSocket, with acks, resends, back-off and back-pressure. */
export class IngestClient {
  private readonly url: string;
  private readonly key: string;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxInFlight: number;
  private readonly maxBuffered: number;
  private readonly ackTimeoutMs: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private readonly log: (entry: object) => void;
  /** per client instance, so batch ids stay unique across restarts of the simulator */
  private readonly batchPrefix = randomUUID().slice(0, 8);

  private buffer: CallboardEvent[] = [];
  /** cut batches not yet answered, in sequence order (Map keeps insertion order) */
  private readonly batches = new Map<string, Batch>();
  private nextSeq = 0;
  private readonly counters = { sent: 0, acked: 0, rejected: 0, resent: 0, nacks: 0, buffered: 0, maxBacklog: 0 };
  private inFlight = 0;

  private ws: WebSocket | null = null;
  private connected = false;
  private failedAttempts = 0;
  private lastError: string | undefined;
  private pausedUntil = 0;
  private closing = false;
  private closed = false;

  private flushTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;

  private flushWaiters: FlushWaiter[] = [];
  private spaceWaiters: Waiter[] = [];

  constructor(opts: IngestClientOptions) {
    this.url = opts.url;
    this.key = opts.key;
    this.batchSize = positive(opts.batchSize, 500, 'batchSize');
    this.flushMs = positive(opts.flushMs, 100, 'flushMs');
    this.maxInFlight = positive(opts.maxInFlight, 8, 'maxInFlight');
    this.maxBuffered = positive(opts.maxBuffered, 100_000, 'maxBuffered');
    this.ackTimeoutMs = positive(opts.ackTimeoutMs, 30_000, 'ackTimeoutMs');
    this.reconnectMinMs = positive(opts.reconnectMinMs, 100, 'reconnectMinMs');
    this.reconnectMaxMs = positive(opts.reconnectMaxMs, 5_000, 'reconnectMaxMs');
    this.log = opts.log ?? recordLogger(createAcdLogger().child({ source: 'ingest-client' }));
  }

  /** A snapshot of the counters. */
  get stats(): IngestClientStats {
    return { ...this.counters, inFlight: this.inFlight };
  }

  /**
   * Queues events for sending. Resolves at once while fewer than `maxBuffered` events
   * are un-acknowledged; otherwise waits until acks make room (back-pressure).
   * The events are queued even if the caller does not await.
   */
  send(events: readonly CallboardEvent[]): Promise<void> {
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

  /** Resolves when every event given to `send` so far is acknowledged (stored or rejected). */
  flush(): Promise<void> {
    this.cutAll();
    this.pump();
    const seq = this.nextSeq - 1;
    if (this.settledThrough(seq)) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`IngestClient: closed with ${this.counters.buffered} events not acknowledged`));
    return new Promise((resolve, reject) => this.flushWaiters.push({ seq, resolve, reject }));
  }

  /**
   * Flushes, then closes the connection. After `timeoutMs` (default 30 s) without every
   * ack it closes anyway, logs what was not acknowledged and rejects.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<void> {
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

  private settle(batch: Batch): void {
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

  private onAck(ack: IngestAck): void {
    const batch = this.batches.get(ack.ack);
    if (!batch?.onWire) {
      this.log({ level: 'warn', msg: 'ingest acknowledged a batch not in flight', batch: ack.ack });
      return;
    }
    this.failedAttempts = 0;
    this.counters.acked += ack.accepted;
    // rejected_count is the total (rejected lists the first 100); servers before it sent only the list
    const rejectedCount = ack.rejected_count ?? ack.rejected.length;
    this.counters.rejected += rejectedCount;
    if (rejectedCount > 0) {
      this.log({
        level: 'warn',
        msg: 'ingest rejected events',
        batch: batch.id,
        rejected: ack.rejected.map((r) => {
          const event = batch.events[r.index];
          return { index: r.index, id: event?.id, type: event?.type, error: r.error };
        }),
      });
    }
    if (ack.accepted + rejectedCount !== batch.events.length) {
      this.log({ level: 'warn', msg: 'ingest ack does not add up', batch: batch.id, events: batch.events.length, accepted: ack.accepted, rejected: rejectedCount });
    }
    this.settle(batch);
    this.armAckTimer();
    this.pump();
  }

  private onNack(nack: IngestNack): void {
    this.counters.nacks++;
    const batch = nack.nack === null ? undefined : this.batches.get(nack.nack);
    const retryMs = nack.retry_after === undefined ? undefined : Math.max(0, nack.retry_after * 1000);
    if (!batch?.onWire) {
      // A nack we cannot tie to an in-flight batch leaves its batch unanswered forever on
      // this connection; a fresh connection resends everything un-acked.
      this.log({ level: 'warn', msg: 'ingest nack for no batch in flight; reconnecting', batch: nack.nack, error: nack.error });
      this.dropConnection(retryMs);
      return;
    }
    if (retryMs === undefined) {
      this.counters.rejected += batch.events.length;
      this.log({
        level: 'error',
        msg: 'ingest refused a batch as malformed; its events are rejected',
        batch: batch.id,
        error: nack.error,
        events: batch.events.length,
        ids: batch.events.slice(0, 20).map((e) => e.id),
      });
      this.settle(batch);
      this.pump();
      return;
    }
    batch.onWire = false;
    this.inFlight--;
    this.log({ level: 'info', msg: 'ingest overloaded; pausing', batch: batch.id, error: nack.error, retryAfterS: nack.retry_after });
    this.pauseFor(retryMs);
  }

  /** Holds all sending for `ms` (the server's retry_after), then resumes with the oldest waiting batch. */
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
    if (!this.ws && !this.reconnectTimer && !this.closed) this.connect();
  }

  private connect(): void {
    const ws = new WebSocket(this.url, {
      headers: { Authorization: `Bearer ${this.key}` },
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    ws.on('open', () => {
      if (ws !== this.ws) return;
      this.connected = true;
      this.log({ level: 'info', msg: 'ingest connected', url: this.url, unackedBatches: this.batches.size });
      this.pump();
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
    this.ws = null;
    this.connected = false;
    for (const batch of this.batches.values()) batch.onWire = false;
    this.inFlight = 0;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.closed) return;
    if (this.batches.size === 0 && this.buffer.length === 0) {
      // Nothing to deliver: the next send() opens a new connection.
      this.log({ level: 'info', msg: 'ingest connection closed while idle', code, reason });
      this.failedAttempts = 0;
      return;
    }
    this.failedAttempts++;
    const backoff = Math.min(this.reconnectMaxMs, this.reconnectMinMs * 2 ** Math.min(this.failedAttempts - 1, 30));
    // Jitter keeps many simulators from reconnecting in lock-step after an ingest restart.
    const delay = delayMs ?? Math.round(backoff * (0.75 + Math.random() * 0.25));
    this.log({
      level: 'warn',
      msg: wasConnected ? 'ingest disconnected; reconnecting' : 'ingest connection failed; retrying',
      code,
      reason,
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
      attempt: this.failedAttempts,
      delayMs: delay,
      unackedBatches: this.batches.size,
    });
    this.lastError = undefined;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed) this.connect();
    }, delay);
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

function isAck(msg: unknown): msg is IngestAck {
  const m = msg as Partial<IngestAck> | null;
  return typeof m === 'object' && m !== null && typeof m.ack === 'string' && typeof m.accepted === 'number' && Array.isArray(m.rejected);
}

function isNack(msg: unknown): msg is IngestNack {
  const m = msg as Partial<IngestNack> | null;
  return (
    typeof m === 'object' && m !== null && 'nack' in m && (typeof m.nack === 'string' || m.nack === null) &&
    typeof m.error === 'string' && (m.retry_after === undefined || typeof m.retry_after === 'number')
  );
}
