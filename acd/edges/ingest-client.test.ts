import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallboardEvent, IngestBatch } from '../../schemas/events.ts';
import { IngestClient, type IngestClientOptions } from './ingest-client.ts';

/** What the fake ingest does with one received batch. */
type Reply =
  | { do: 'ack'; reject?: (event: CallboardEvent, index: number) => string | undefined }
  | { do: 'nack'; error: string; retry_after?: number }
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
 * A stand-in for the ingest's WebSocket endpoint: stores accepted events by id (as the
 * real store de-duplicates), records every message, and replies as `reply` decides.
 * Until `accepting` is set, it drops every connection attempt at once (an ingest that is
 * not up yet): the port stays this server's, so no test waits on or races for a freed port.
 */
class FakeIngest {
  readonly stored = new Map<string, CallboardEvent>();
  readonly received: Received[] = [];
  readonly headers: IncomingHttpHeaders[] = [];
  readonly held: { ws: WebSocket; batch: IngestBatch }[] = [];
  connections = 0;
  /** connection attempts dropped while not accepting */
  refused = 0;
  reply: (r: Received, batch: IngestBatch) => Reply = () => ({ do: 'ack' });
  private readonly wss = new WebSocketServer({ noServer: true, path: '/v1/ingest' });
  private constructor(
    private readonly http: Server,
    public accepting: boolean,
  ) {
    http.on('upgrade', (req, socket, head) => {
      if (!this.accepting) {
        this.refused++;
        socket.destroy();
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
    servers.push(fake);
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
    else if (reply.do === 'nack') ws.send(JSON.stringify({ nack: batch.batch, error: reply.error, ...(reply.retry_after === undefined ? {} : { retry_after: reply.retry_after }) }));
    else this.ack(ws, batch, reply.reject);
  }

  private ack(ws: WebSocket, batch: IngestBatch, reject?: (e: CallboardEvent, i: number) => string | undefined): void {
    const rejected: { index: number; error: string }[] = [];
    (batch.events as CallboardEvent[]).forEach((e, index) => {
      const error = reject?.(e, index);
      if (error) rejected.push({ index, error });
      else this.stored.set(e.id, e);
    });
    ws.send(JSON.stringify({ ack: batch.batch, accepted: batch.events.length - rejected.length, rejected }));
  }
}

const servers: FakeIngest[] = [];
const clients: IngestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 10 }).catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function client(url: string, opts: Partial<IngestClientOptions> = {}) {
  const logs: Record<string, unknown>[] = [];
  const c = new IngestClient({
    url,
    key: 'secret-key',
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    log: (entry) => logs.push(entry as Record<string, unknown>),
    ...opts,
  });
  clients.push(c);
  return { c, logs };
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

describe('IngestClient', () => {
  it('sends batches with the API key and resolves flush once everything is acked', async () => {
    const server = await FakeIngest.start();
    const { c } = client(server.url, { batchSize: 500 });
    await c.send(events(1200));
    await c.flush();

    expect(server.headers[0]?.authorization).toBe('Bearer secret-key');
    expect(server.received.map((r) => (JSON.parse(r.payload) as IngestBatch).events.length)).toEqual([500, 500, 200]);
    expect(new Set(server.received.map((r) => r.batch)).size).toBe(3);
    expect(server.stored.size).toBe(1200);
    expect(c.stats).toEqual({ sent: 1200, acked: 1200, rejected: 0, resent: 0, nacks: 0, inFlight: 0, buffered: 0, maxBacklog: 1200 });
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

  it('keeps at most maxInFlight batches awaiting ack', async () => {
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
    const { c, logs } = client(server.url, { batchSize: 100, maxInFlight: 4 });
    for (let i = 0; i < 20; i++) await c.send(events(100, i * 100));
    await c.flush();

    expect(server.connections).toBe(3);
    expect(server.stored.size).toBe(2000);
    expect([...server.stored.keys()].sort()).toEqual(events(2000).map((e) => e.id).sort());
    const firstPayload = new Map<string, string>();
    for (const r of server.received) {
      if (!firstPayload.has(r.batch)) firstPayload.set(r.batch, r.payload);
      expect(r.payload).toBe(firstPayload.get(r.batch));
    }
    // Each new connection starts with the oldest un-acked batch.
    for (const conn of [2, 3]) {
      const onConn = server.received.filter((r) => r.conn === conn).map((r) => r.batch);
      const seqs = onConn.map((id) => Number(id.split('-').at(-1)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(server.received.find((r) => r.conn === conn)?.attempt).toBeGreaterThan(0);
    }
    const stats = c.stats;
    expect(stats.sent).toBe(2000);
    expect(stats.acked).toBe(2000);
    // Batches written to a socket the server had already dropped count as resent without ever arriving twice.
    expect(stats.resent).toBeGreaterThanOrEqual(server.received.filter((r) => r.attempt > 0).length * 100);
    expect(stats.sent + stats.resent).toBeGreaterThanOrEqual(server.received.length * 100);
    expect(logs.filter((l) => l['msg'] === 'ingest disconnected; reconnecting')).toHaveLength(2);
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

  it('waits retry_after on a negative ack, then resends the same batch', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => (r.attempt === 0 && r.batch.endsWith('-1') ? { do: 'nack', error: 'overloaded', retry_after: 0.3 } : { do: 'ack' });
    const { c, logs } = client(server.url, { batchSize: 10 });
    await c.send(events(30));
    await c.flush();

    const tries = server.received.filter((r) => r.batch.endsWith('-1'));
    expect(tries).toHaveLength(2);
    expect(tries[1]?.payload).toBe(tries[0]?.payload);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(280);
    expect(server.stored.size).toBe(30);
    expect(c.stats).toMatchObject({ sent: 30, acked: 30, resent: 10, nacks: 1, rejected: 0 });
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'ingest overloaded; pausing', retryAfterS: 0.3 }));
    expect(server.connections).toBe(1);
  });

  it('counts and logs rejected events, and never resends them', async () => {
    const server = await FakeIngest.start();
    server.reply = () => ({ do: 'ack', reject: (e) => (Number(e.id.slice(3)) % 10 === 0 ? 'node: is required' : undefined) });
    const { c, logs } = client(server.url, { batchSize: 50 });
    await c.send(events(100));
    await c.flush();

    expect(c.stats).toMatchObject({ sent: 100, acked: 90, rejected: 10, resent: 0 });
    expect(server.received).toHaveLength(2);
    const rejected = logs.filter((l) => l['msg'] === 'ingest rejected events').flatMap((l) => l['rejected'] as { id: string; error: string }[]);
    expect(rejected.map((r) => r.id)).toEqual(['ev-0', 'ev-10', 'ev-20', 'ev-30', 'ev-40', 'ev-50', 'ev-60', 'ev-70', 'ev-80', 'ev-90']);
    expect(rejected[0]).toEqual({ index: 0, id: 'ev-0', type: 'call.ivr', error: 'node: is required' });
  });

  it('reports a batch refused as malformed (nack without retry_after) as rejected, without resending', async () => {
    const server = await FakeIngest.start();
    server.reply = (r) => (r.batch.endsWith('-0') ? { do: 'nack', error: 'events: must be an array' } : { do: 'ack' });
    const { c, logs } = client(server.url, { batchSize: 5 });
    await c.send(events(10));
    await c.flush();
    expect(c.stats).toMatchObject({ sent: 10, acked: 5, rejected: 5, resent: 0, nacks: 1, buffered: 0 });
    expect(server.received).toHaveLength(2);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', error: 'events: must be an array', events: 5 }));
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
    await c.close();
    expect(server.stored.size).toBe(10);
    await expect(c.send(events(1))).rejects.toThrow('send after close');

    server.reply = () => ({ do: 'hold' });
    const { c: stuck, logs } = client(server.url);
    await stuck.send(events(7, 100));
    await expect(stuck.close({ timeoutMs: 100 })).rejects.toThrow('7 events not acknowledged within 100 ms');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', events: 7, batches: 1 }));
  });
});
