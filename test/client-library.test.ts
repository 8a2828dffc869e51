/**
 * The ingest client library (client/ingest-client.ts): its retry and failure logic against a
 * fake ingest that answers exactly as each case needs (old and new answer shapes), then end to
 * end against the real server process: pipelining, a server killed mid-stream, writer_busy
 * back-off, a permanent refusal, a refused key, and the TypeScript example.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  IngestClient,
  type BatchFailure,
  type ConnectionChange,
  type EventRejection,
  type IngestAckMessage,
  type IngestClientOptions,
  type IngestNackMessage,
  type RetryNotice,
} from '../client/ingest-client.ts';
import type { CallboardEvent, IngestAck, IngestBatch, IngestNack } from '../schemas/events.ts';
import { manyEvents } from './helpers/events.ts';
import { ServerFleet, TEST_INGEST_KEY, type ServerProcess } from './helpers/server-process.ts';

// The client parses the wire answers with its own (copyable) types: the server's must fit them.
const _ackFits: IngestAckMessage = {} as IngestAck;
const _nackFits: IngestNackMessage = {} as IngestNack;

/** What the fake ingest does with one received batch. */
type Reply =
  | { do: 'ack'; reject?: (event: CallboardEvent, index: number) => { code: string; error: string } | undefined }
  | { do: 'nack'; nack?: IngestNackMessage }
  | { do: 'drop' }
  | { do: 'hold' };

interface Received {
  conn: number;
  batch: string;
  payload: string;
  at: number;
  /** how many times this batch id had been received before */
  attempt: number;
}

/**
 * A stand-in for the ingest's WebSocket endpoint: stores accepted events by id (as the real
 * store de-duplicates), records every message, and replies as `reply` decides, in the answer
 * shape of the error contract (`shape: 'new'`) or of the servers before it (`'old'`: no
 * duplicates/conflicts/codes, resends counted as accepted). Until `accepting` is set it drops
 * every connection attempt; with `refuse` it answers the upgrade with that HTTP error.
 */
class FakeIngest {
  readonly stored = new Map<string, CallboardEvent>();
  readonly received: Received[] = [];
  readonly headers: IncomingHttpHeaders[] = [];
  readonly held: { ws: WebSocket; batch: IngestBatch }[] = [];
  connections = 0;
  upgradeAttempts = 0;
  shape: 'old' | 'new' = 'new';
  refuse: { status: number; body: object } | null = null;
  reply: (r: Received, batch: IngestBatch) => Reply = () => ({ do: 'ack' });
  private readonly wss = new WebSocketServer({ noServer: true, path: '/v1/ingest' });
  private constructor(
    private readonly http: Server,
    public accepting: boolean,
  ) {
    http.on('upgrade', (req, socket, head) => {
      this.upgradeAttempts++;
      if (!this.accepting) {
        socket.destroy();
        return;
      }
      if (this.refuse) {
        const body = JSON.stringify(this.refuse.body);
        socket.end(`HTTP/1.1 ${this.refuse.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = ++this.connections;
        this.headers.push(req.headers);
        ws.on('message', (data) => this.onMessage(ws, conn, data.toString()));
      });
    });
  }

  static async start(opts: { accepting?: boolean } = {}): Promise<FakeIngest> {
    const http = createServer((_req, res) => res.writeHead(426).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const fake = new FakeIngest(http, opts.accepting ?? true);
    fakes.push(fake);
    return fake;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}/v1/ingest`;
  }

  /** Acks every held batch. */
  release(): void {
    for (const { ws, batch } of this.held.splice(0)) this.ack(ws, batch);
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onMessage(ws: WebSocket, conn: number, payload: string): void {
    const batch = JSON.parse(payload) as IngestBatch;
    const attempt = this.received.filter((r) => r.batch === batch.batch).length;
    const rec: Received = { conn, batch: batch.batch, payload, at: Date.now(), attempt };
    this.received.push(rec);
    const reply = this.reply(rec, batch);
    if (reply.do === 'drop') ws.terminate();
    else if (reply.do === 'hold') this.held.push({ ws, batch });
    else if (reply.do === 'nack') ws.send(JSON.stringify({ nack: batch.batch, error: 'refused', ...reply.nack }));
    else this.ack(ws, batch, reply.reject);
  }

  private ack(ws: WebSocket, batch: IngestBatch, reject?: (e: CallboardEvent, i: number) => { code: string; error: string } | undefined): void {
    const rejected: { index: number; code: string; error: string; id: string }[] = [];
    let accepted = 0;
    let duplicates = 0;
    (batch.events as CallboardEvent[]).forEach((e, index) => {
      const refusal = reject?.(e, index);
      if (refusal) rejected.push({ index, ...refusal, id: e.id });
      else if (this.stored.has(e.id)) duplicates++;
      else {
        this.stored.set(e.id, e);
        accepted++;
      }
    });
    const answer =
      this.shape === 'new'
        ? { ack: batch.batch, accepted, duplicates, conflicts: rejected.filter((r) => r.code === 'id_conflict').length, rejected, rejected_count: rejected.length }
        : { ack: batch.batch, accepted: accepted + duplicates, rejected: rejected.map((r) => ({ index: r.index, error: r.error })), rejected_count: rejected.length };
    ws.send(JSON.stringify(answer));
  }
}

const fakes: FakeIngest[] = [];
const clients: IngestClient<CallboardEvent>[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 10 }).catch(() => undefined)));
  await Promise.all(fakes.splice(0).map((s) => s.stop()));
});

/** A client with fast back-off that records its log and every hook call. */
function client(url: string, opts: Partial<IngestClientOptions<CallboardEvent>> = {}) {
  const seen = {
    logs: [] as Record<string, unknown>[],
    failures: [] as BatchFailure<CallboardEvent>[],
    retries: [] as RetryNotice[],
    rejected: [] as EventRejection<CallboardEvent>[],
    connections: [] as ConnectionChange[],
  };
  const c = new IngestClient<CallboardEvent>({
    url,
    key: 'secret-key',
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    log: (entry) => seen.logs.push(entry),
    onFailure: (f) => seen.failures.push(f),
    onRetry: (r) => seen.retries.push(r),
    onRejected: (r) => seen.rejected.push(...r),
    onConnection: (c) => seen.connections.push(c),
    ...opts,
  });
  clients.push(c);
  return { c, ...seen };
}

function events(n: number, from = 0): CallboardEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `ev-${from + i}`,
    type: 'call.ivr' as const,
    ts: 1_700_000_000_000 + from + i,
    call: `call-${Math.floor((from + i) / 5)}`,
    node: 'main',
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('IngestClient against a fake ingest', () => {
  it('refuses a bad url, key or size with the option named', () => {
    expect(() => new IngestClient({ url: 'http://h/v1/ingest', key: 'k' })).toThrow('url must be a ws:// or wss:// URL (got "http://h/v1/ingest")');
    expect(() => new IngestClient({ url: 'ws://h/v1/ingest', key: '' })).toThrow('key must be a non-empty API key');
    expect(() => new IngestClient({ url: 'ws://h/v1/ingest', key: 'k', maxInFlight: 0 })).toThrow('maxInFlight must be a positive number (got 0)');
  });

  it('sends batches with the API key; flush resolves with the counters once everything is acked', async () => {
    const server = await FakeIngest.start();
    const { c } = client(server.url, { batchSize: 500 });
    await c.send(events(1200));
    const stats = await c.flush();

    expect(server.headers[0]?.authorization).toBe('Bearer secret-key');
    expect(server.received.map((r) => (JSON.parse(r.payload) as IngestBatch).events.length)).toEqual([500, 500, 200]);
    expect(new Set(server.received.map((r) => r.batch)).size).toBe(3);
    expect(server.stored.size).toBe(1200);
    expect(stats).toEqual({
      sent: 1200, resent: 0, acked: 1200, accepted: 1200, duplicates: 0, conflicts: 0, rejected: 0, failed: 0, nacks: 0, reconnects: 0, inFlight: 0, buffered: 0, maxBacklog: 1200,
    });
  });

  it('sends a partial batch after flushMs without a flush call', async () => {
    const server = await FakeIngest.start();
    const { c } = client(server.url, { flushMs: 50 });
    const t0 = Date.now();
    await c.send(events(3));
    await until(() => c.stats.acked === 3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(server.stored.size).toBe(3);
  });

  it('pipelines at most maxInFlight batches awaiting their ack', async () => {
    const server = await FakeIngest.start();
    server.reply = () => ({ do: 'hold' });
    const { c } = client(server.url, { batchSize: 10, maxInFlight: 3 });
    await c.send(events(100));
    await until(() => server.received.length === 3);
    // Nothing is acked, so the client's count of batches on the wire only grows: 3 means it sent no more.
    expect(c.stats.inFlight).toBe(3);
    expect(server.received.length).toBe(3);
    server.reply = () => ({ do: 'ack' });
    const flushed = c.flush();
    server.release();
    await flushed;
    expect(server.stored.size).toBe(100);
    expect(server.received.map((r) => r.batch)).toEqual([...new Set(server.received.map((r) => r.batch))]);
  });

  it('reconnects after a dropped connection and resends un-acked batches in order, unchanged', async () => {
    const server = await FakeIngest.start();
    // Each of the first two connections dies on its third message, leaving batches in flight.
    server.reply = (r) => (r.conn <= 2 && server.received.filter((x) => x.conn === r.conn).length === 3 ? { do: 'drop' } : { do: 'ack' });
    const { c, logs, connections } = client(server.url, { batchSize: 100, maxInFlight: 4 });
    for (let i = 0; i < 20; i++) await c.send(events(100, i * 100));
    const stats = await c.flush();

    expect(server.connections).toBe(3);
    expect([...server.stored.keys()].sort()).toEqual(events(2000).map((e) => e.id).sort());
    const firstPayload = new Map<string, string>();
    for (const r of server.received) {
      if (!firstPayload.has(r.batch)) firstPayload.set(r.batch, r.payload);
      expect(r.payload).toBe(firstPayload.get(r.batch));
    }
    // Each new connection starts with the oldest un-acked batch.
    for (const conn of [2, 3]) {
      const seqs = server.received.filter((r) => r.conn === conn).map((r) => Number(r.batch.split('-').at(-1)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(server.received.find((r) => r.conn === conn)?.attempt).toBeGreaterThan(0);
    }
    expect(stats).toMatchObject({ sent: 2000, acked: 2000, reconnects: 2 });
    // A batch stored just before its connection died was acked on a socket already gone: its resend is all duplicates.
    expect(stats.accepted + stats.duplicates).toBe(2000);
    // Batches written to a socket the server had already dropped count as resent without ever arriving twice.
    expect(stats.resent).toBeGreaterThanOrEqual(server.received.filter((r) => r.attempt > 0).length * 100);
    expect(logs.filter((l) => l['msg'] === 'ingest disconnected; reconnecting')).toHaveLength(2);
    expect(connections.filter((x) => x.state === 'connected').map((x) => x.state === 'connected' && x.reconnect)).toEqual([false, true, true]);
  });

  it('connects with back-off when the ingest starts late', async () => {
    const server = await FakeIngest.start({ accepting: false });
    const { c, logs } = client(server.url);
    await c.send(events(50));
    const failures = () => logs.filter((l) => l['msg'] === 'ingest connection failed; retrying');
    await until(() => failures().length >= 3);
    const delays = failures().map((l) => l['delayMs'] as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(200);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? 0);
    expect(server.connections).toBe(0);

    server.accepting = true;
    await c.flush();
    expect(server.stored.size).toBe(50);
    expect(c.stats).toMatchObject({ sent: 50, acked: 50, resent: 0 });
  });

  it('on a retryable nack waits retry_after, then resends the same batch (new shape: code, retry)', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) =>
      r.attempt === 0 && r.batch.endsWith('-1') ? { do: 'nack', nack: { nack: r.batch, code: 'writer_busy', error: 'writer is behind', retry: true, retry_after: 0.3 } } : { do: 'ack' };
    const { c, retries, failures } = client(server.url, { batchSize: 10 });
    await c.send(events(30));
    await c.flush();

    const tries = server.received.filter((r) => r.batch.endsWith('-1'));
    expect(tries).toHaveLength(2);
    expect(tries[1]?.payload).toBe(tries[0]?.payload);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(280);
    expect(server.stored.size).toBe(30);
    expect(c.stats).toMatchObject({ sent: 30, acked: 30, resent: 10, nacks: 1, rejected: 0, failed: 0 });
    expect(retries).toEqual([{ batch: tries[0]?.batch, code: 'writer_busy', error: 'writer is behind', delayMs: 300, attempt: 1 }]);
    expect(failures).toEqual([]);
    expect(server.connections).toBe(1);
  });

  it('on a retryable nack without retry_after backs off exponentially with jitter', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => (r.attempt < 3 ? { do: 'nack', nack: { nack: r.batch, code: 'internal_error', error: 'internal error', retry: true } } : { do: 'ack' });
    const { c, retries } = client(server.url, { retryMinMs: 100, retryMaxMs: 300 });
    await c.send(events(5));
    await c.flush();

    expect(server.received).toHaveLength(4);
    expect(new Set(server.received.map((r) => r.payload)).size).toBe(1);
    // Nominal waits 100, 200, 400 → capped 300; each jittered into [½, 1) of it.
    const delays = retries.map((r) => r.delayMs);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThan(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThan(200);
    expect(delays[2]).toBeGreaterThanOrEqual(150);
    expect(delays[2]).toBeLessThan(300);
    const gaps = server.received.slice(1).map((r, i) => r.at - server.received[i]!.at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delays[i]! - 5));
    expect(c.stats).toMatchObject({ acked: 5, resent: 15, nacks: 3, failed: 0 });
  });

  it('old shape: a nack with retry_after is retried, one without is a permanent failure', async () => {
    const server = await FakeIngest.start();
    server.shape = 'old';
    server.reply = (r) => {
      if (r.batch.endsWith('-0')) return { do: 'nack', nack: { nack: r.batch, error: 'events: must be an array' } };
      if (r.batch.endsWith('-1') && r.attempt === 0) return { do: 'nack', nack: { nack: r.batch, error: 'writer is behind', retry_after: 0.05 } };
      return { do: 'ack' };
    };
    const { c, failures, retries } = client(server.url, { batchSize: 5 });
    await c.send(events(10));
    await c.flush();

    expect(server.received.filter((r) => r.batch.endsWith('-0'))).toHaveLength(1);
    expect(server.received.filter((r) => r.batch.endsWith('-1'))).toHaveLength(2);
    expect(failures).toEqual([{ batch: expect.stringMatching(/-0$/), code: 'unspecified', error: 'events: must be an array', limit: undefined, events: events(5) }]);
    expect(retries).toMatchObject([{ code: 'unspecified', delayMs: 50 }]);
    expect(c.stats).toMatchObject({ sent: 10, acked: 5, failed: 5, resent: 5, nacks: 2, buffered: 0 });
  });

  it('a permanent nack (retry false) is surfaced with its code and limit and never resent, even with a retry_after', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => {
      if (r.batch.endsWith('-0')) return { do: 'nack', nack: { nack: r.batch, code: 'batch_too_large', error: 'batch has more than 4 events', retry: false, limit: 4 } };
      if (r.batch.endsWith('-1')) return { do: 'nack', nack: { nack: r.batch, code: 'credentials_revoked', error: 'credentials revoked', retry: false, retry_after: 0.01 } };
      return { do: 'ack' };
    };
    const { c, failures, retries, logs } = client(server.url, { batchSize: 5 });
    await c.send(events(15));
    const stats = await c.flush();
    await sleep(50);

    expect(server.received.map((r) => r.attempt)).toEqual([0, 0, 0]);
    expect(failures.map((f) => [f.code, f.limit, f.events.map((e) => e.id)])).toEqual([
      ['batch_too_large', 4, ['ev-0', 'ev-1', 'ev-2', 'ev-3', 'ev-4']],
      ['credentials_revoked', undefined, ['ev-5', 'ev-6', 'ev-7', 'ev-8', 'ev-9']],
    ]);
    expect(retries).toEqual([]);
    expect(stats).toMatchObject({ sent: 15, acked: 5, failed: 10, resent: 0, nacks: 2, buffered: 0 });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', code: 'batch_too_large', limit: 4, events: 5 }));
  });

  it('a too_large nack without a batch id fails the in-flight batch over the limit, and only that one', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => (r.payload.length > 2000 ? { do: 'nack', nack: { nack: null, code: 'too_large', error: 'message over 2000 bytes', retry: false, limit: 2000 } } : { do: 'ack' });
    const { c, failures } = client(server.url, { batchSize: 50 });
    await c.send(events(3));
    await c.flush();
    await c.send(events(50, 100));
    await c.send(events(3, 200));
    await c.flush();

    expect(failures.map((f) => [f.code, f.limit, f.events.length])).toEqual([['too_large', 2000, 50]]);
    expect(server.stored.size).toBe(6);
    expect(server.connections).toBe(1);
  });

  it('reports per-event rejections with id and code, counts conflicts and duplicates, and never resends them', async () => {
    const server = await FakeIngest.start();
    server.stored.set('ev-1', events(1, 1)[0]!); // already stored: a resend after a lost ack
    server.reply = () => ({
      do: 'ack',
      reject: (e) =>
        e.id === 'ev-10' ? { code: 'invalid_event', error: 'node: is required' } : e.id === 'ev-20' ? { code: 'id_conflict', error: 'id already stored with different content' } : undefined,
    });
    const { c, rejected, logs } = client(server.url, { batchSize: 50 });
    await c.send(events(30));
    const stats = await c.flush();

    expect(stats).toMatchObject({ sent: 30, accepted: 27, duplicates: 1, acked: 28, conflicts: 1, rejected: 2, resent: 0 });
    expect(server.received).toHaveLength(1);
    expect(rejected.map((r) => ({ index: r.index, id: r.id, code: r.code, type: r.event?.type }))).toEqual([
      { index: 10, id: 'ev-10', code: 'invalid_event', type: 'call.ivr' },
      { index: 20, id: 'ev-20', code: 'id_conflict', type: 'call.ivr' },
    ]);
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'ingest rejected events', rejected: expect.arrayContaining([{ index: 10, id: 'ev-10', type: 'call.ivr', code: 'invalid_event', error: 'node: is required' }]) }));
  });

  it('old shape: rejections without code count as invalid_event; resends count as accepted', async () => {
    const server = await FakeIngest.start();
    server.shape = 'old';
    server.stored.set('ev-0', events(1)[0]!);
    server.reply = () => ({ do: 'ack', reject: (e) => (e.id === 'ev-3' ? { code: 'x', error: 'ts: required' } : undefined) });
    const { c, rejected } = client(server.url);
    await c.send(events(5));
    expect(await c.flush()).toMatchObject({ accepted: 4, duplicates: 0, acked: 4, rejected: 1, conflicts: 0 });
    expect(rejected).toMatchObject([{ index: 3, id: 'ev-3', code: 'invalid_event', error: 'ts: required' }]);
  });

  it('a key refused at the upgrade (401) fails the waiting batches with the code, without reconnecting', async () => {
    const server = await FakeIngest.start();
    server.refuse = { status: 401, body: { error: 'missing or invalid API key', code: 'unauthorized', retry: false } };
    const { c, failures, connections } = client(server.url, { batchSize: 5 });
    await c.send(events(12));
    const stats = await c.flush();
    await sleep(100);

    expect(server.upgradeAttempts).toBe(1);
    expect(failures.map((f) => [f.code, f.error, f.events.length])).toEqual([
      ['unauthorized', 'missing or invalid API key', 5],
      ['unauthorized', 'missing or invalid API key', 5],
      ['unauthorized', 'missing or invalid API key', 2],
    ]);
    expect(stats).toMatchObject({ sent: 0, failed: 12, buffered: 0 });
    expect(connections).toMatchObject([{ state: 'disconnected', error: 'HTTP 401: missing or invalid API key', delayMs: undefined }]);
  });

  it('an upgrade answered 503 with Retry-After is retried after that wait', async () => {
    const server = await FakeIngest.start();
    server.refuse = { status: 503, body: { error: 'server is starting', code: 'shutting_down', retry: true, retry_after: 0.25 } };
    const { c, connections } = client(server.url);
    await c.send(events(4));
    await until(() => server.upgradeAttempts === 1);
    server.refuse = null;
    await c.flush();
    expect(connections[0]).toMatchObject({ state: 'disconnected', error: 'HTTP 503: server is starting', delayMs: 250 });
    expect(server.stored.size).toBe(4);
  });

  it('replaces a connection on which acks stopped coming', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => (r.conn === 1 ? { do: 'hold' } : { do: 'ack' });
    const { c, logs } = client(server.url, { ackTimeoutMs: 150 });
    await c.send(events(20));
    await c.flush();
    expect(server.connections).toBe(2);
    expect(server.stored.size).toBe(20);
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'no ingest ack in time; reconnecting' }));
  });

  it('applies back-pressure: send waits while maxBuffered events are un-acked', async () => {
    const server = await FakeIngest.start();
    server.reply = () => ({ do: 'hold' });
    const { c } = client(server.url, { batchSize: 10, maxBuffered: 50 });
    await c.send(events(40));
    let resolved = false;
    const blocked = c.send(events(20, 40)).then(() => (resolved = true));
    await until(() => server.received.length === 6);
    // Only an ack can make room, and none came: after the pending callbacks have run, send is still waiting.
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    expect(c.stats).toMatchObject({ buffered: 60, maxBacklog: 60 });
    server.reply = () => ({ do: 'ack' });
    server.release();
    await blocked;
    await c.flush();
    expect(server.stored.size).toBe(60);
  });

  it('close flushes first; with the ingest gone it gives up after the timeout and says so', async () => {
    const server = await FakeIngest.start();
    const { c } = client(server.url);
    await c.send(events(10));
    expect(await c.close()).toMatchObject({ acked: 10, buffered: 0 });
    expect(server.stored.size).toBe(10);
    await expect(c.send(events(1))).rejects.toThrow('send after close');

    server.reply = () => ({ do: 'hold' });
    const { c: stuck, logs } = client(server.url);
    await stuck.send(events(7, 100));
    await expect(stuck.close({ timeoutMs: 100 })).rejects.toThrow('7 events not acknowledged within 100 ms');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', events: 7, batches: 1 }));
  });
});

describe('IngestClient against the real server', () => {
  const fleet = new ServerFleet();
  const startServer = (name: string, env: Record<string, string> = {}) => fleet.start(name, env);
  let server: ServerProcess;
  let admin: string;

  beforeAll(async () => {
    // acks wait for the writer's flush: batches stay in flight long enough to be cut off by a kill
    server = await startServer('client-lib', { FLUSH_MS: '400' });
    admin = await server.login();
  });
  afterAll(() => fleet.end('kill'));

  const realClient = (url: string, opts: Partial<IngestClientOptions<CallboardEvent>> = {}) => client(url, { key: TEST_INGEST_KEY, ...opts });
  const storedIds = async (s: ServerProcess, cookie: string, prefix: string) =>
    (await s.exportEvents(cookie)).map((e) => e.id as string).filter((id) => id.startsWith(prefix));

  it('pipelines batches and stores every event once; the same events again are all duplicates', async () => {
    const sent = manyEvents('pipe', 2000, Date.now() - 3_600_000);
    let inFlightAtOpen = 0;
    const { c } = realClient(server.wsUrl, { batchSize: 200, maxInFlight: 4, onConnection: (x) => {
      if (x.state === 'connected') inFlightAtOpen = c.stats.inFlight;
    } });
    await c.send(sent);
    const stats = await c.flush();

    expect(inFlightAtOpen).toBe(4);
    expect(stats).toMatchObject({ sent: 2000, acked: 2000, rejected: 0, failed: 0, nacks: 0 });
    const stored = await storedIds(server, admin, 'pipe-');
    expect(stored).toHaveLength(2000);
    expect(new Set(stored)).toEqual(new Set(sent.map((e) => e.id)));

    const { c: again } = realClient(server.wsUrl, { batchSize: 500 });
    await again.send(sent);
    const second = await again.flush();
    expect(second).toMatchObject({ acked: 2000, rejected: 0 });
    expect(second.accepted + second.duplicates).toBe(2000);
    expect(second.duplicates).toBe(2000);
    expect(await storedIds(server, admin, 'pipe-')).toHaveLength(2000);
  });

  it('after the server is killed mid-stream, resends the un-acked batches: nothing lost, nothing stored twice', async () => {
    const sent = manyEvents('kill', 3000, Date.now() - 3_600_000);
    const { c, connections } = realClient(server.wsUrl, { batchSize: 250, maxInFlight: 4, reconnectMinMs: 100, reconnectMaxMs: 500 });
    await c.send(sent);
    await until(() => c.stats.inFlight > 0 && c.stats.buffered > 0, 20_000);
    await server.signal('SIGKILL');
    const unansweredAtKill = c.stats.buffered;
    await server.start();
    admin = await server.login();
    const stats = await c.flush();

    expect(unansweredAtKill).toBeGreaterThan(0);
    expect(stats.resent).toBeGreaterThan(0);
    expect(stats).toMatchObject({ sent: 3000, acked: 3000, rejected: 0, failed: 0 });
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(connections.some((x) => x.state === 'disconnected' && x.delayMs !== undefined)).toBe(true);
    const stored = await storedIds(server, admin, 'kill-');
    expect(stored).toHaveLength(3000);
    expect(new Set(stored)).toEqual(new Set(sent.map((e) => e.id)));
  });

  it('a key the server does not know fails the batches as unauthorized, without retrying', async () => {
    const { c, failures } = client(server.wsUrl, { key: 'not-a-valid-ingest-key', batchSize: 10 });
    await c.send(manyEvents('badkey', 15));
    const stats = await c.flush();
    expect(failures.map((f) => [f.code, f.events.length])).toEqual([
      ['unauthorized', 10],
      ['unauthorized', 5],
    ]);
    expect(stats).toMatchObject({ sent: 0, failed: 15 });
    expect(await storedIds(server, admin, 'badkey-')).toEqual([]);
  });

  it('backs off on writer_busy and resends; a batch over MAX_BATCH_EVENTS fails for good and is not resent', async () => {
    const busy = await startServer('client-lib-busy', { MAX_PENDING_ROWS: '25', MAX_BATCH_EVENTS: '20', FLUSH_MS: '800', FLUSH_MIN_ROWS: '100000' });
    const busyAdmin = await busy.login();
    const start = Date.now() - 3_600_000;
    const sent = manyEvents('busy', 60, start);
    const { c, retries, failures } = realClient(busy.wsUrl, { batchSize: 10, maxInFlight: 4 });
    await c.send(sent);
    const stats = await c.flush();

    // 25 pending rows hold two batches of 10: the third waits for a flush.
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(r).toMatchObject({ code: 'writer_busy', batch: expect.any(String), delayMs: expect.any(Number) });
    for (const r of retries) expect(r.delayMs).toBeGreaterThan(0);
    expect(stats).toMatchObject({ sent: 60, acked: 60, failed: 0 });
    expect(stats.nacks).toBe(retries.length);
    expect(stats.resent).toBeGreaterThanOrEqual(10);
    expect(new Set(await storedIds(busy, busyAdmin, 'busy-'))).toEqual(new Set(sent.map((e) => e.id)));

    const big = manyEvents('big', 21, start);
    const { c: tooBig, failures: bigFailures } = realClient(busy.wsUrl, { batchSize: 21 });
    await tooBig.send(big);
    const bigStats = await tooBig.flush();
    expect(failures).toEqual([]);
    expect(bigFailures).toHaveLength(1);
    expect(bigFailures[0]?.events.map((e) => e.id)).toEqual(big.map((e) => e.id));
    expect(bigFailures[0]).toMatchObject({ code: 'batch_too_large', limit: 20, error: expect.stringMatching(/more than 20 events/) });
    expect(bigStats).toMatchObject({ sent: 21, failed: 21, resent: 0, acked: 0 });
    expect(await storedIds(busy, busyAdmin, 'big-')).toEqual([]);
  });

  it('the TypeScript example sends its call and prints the counts; sent again, everything is a duplicate', async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'client/examples/send-events.ts', '--url', server.wsUrl, '--key', TEST_INGEST_KEY, '--start', '2026-11-30T09:00:00Z'], {
        timeout: 30_000,
      });
    const first = await run();
    expect(first.stdout).toContain('sent 14 events: accepted 14, duplicates 0, conflicts 0, rejected 0, failed 0');
    const stored = await server.exportEvents(admin, { call: `example-call-${Date.parse('2026-11-30T09:00:00Z')}` });
    expect(stored.map((e) => e.type)).toEqual([
      'call.offered', 'call.ivr', 'call.queued', 'call.ringing', 'call.answered', 'call.hold', 'call.unhold', 'call.ended', 'call.wrapup',
    ]);
    const second = await run();
    expect(second.stdout).toContain('sent 14 events: accepted 0, duplicates 14, conflicts 0, rejected 0, failed 0');
  });
});
