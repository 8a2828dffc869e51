import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IngestAck, IngestNack } from '../schemas/events.ts';
import { manyEvents, callFlow } from './helpers/events.ts';
import { ServerFleet, TEST_INGEST_KEY } from './helpers/server-process.ts';
import { TestIngestSocket } from './helpers/ws-client.ts';

const fleet = new ServerFleet();
afterAll(() => fleet.end('kill'));
const startServer = (name: string, env: Record<string, string> = {}) => fleet.start(name, env);

/**
 * A client as the contract expects one: pipelines batches, keeps every batch until its ack,
 * and resends the un-acked ones after reconnecting.
 */
class ResendingClient {
  ws: WebSocket | null = null;
  readonly unacked = new Map<string, unknown[]>();
  readonly acked = new Set<string>();
  /** negative acks this client does not expect (it resends only after a reconnect) */
  readonly nacks: IngestNack[] = [];
  ackedEvents = 0;
  constructor(private url: string) {}

  async connect(): Promise<void> {
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as IngestAck | IngestNack;
      if ('ack' in reply && this.unacked.has(reply.ack)) {
        expect(reply.rejected).toEqual([]);
        expect(reply.conflicts).toBe(0);
        // A resend after a lost ack: its events count as duplicates, not as new.
        this.ackedEvents += reply.accepted + reply.duplicates;
        this.unacked.delete(reply.ack);
        this.acked.add(reply.ack);
      } else if ('nack' in reply) this.nacks.push(reply);
    });
    this.ws = ws;
  }

  send(id: string, events: unknown[]): void {
    this.unacked.set(id, events);
    this.ws!.send(JSON.stringify({ batch: id, events }));
  }

  resendUnacked(): void {
    for (const [id, events] of this.unacked) this.ws!.send(JSON.stringify({ batch: id, events }));
  }

  async waitAllAcked(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unacked.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(this.nacks).toEqual([]);
    expect(this.unacked.size).toBe(0);
  }
}

describe('durability', () => {
  it('after resends and a SIGKILL mid-stream, exactly the acknowledged events are stored, once each', async () => {
    const server = await startServer('sigkill', { FLUSH_MS: '30', FLUSH_MIN_ROWS: '3000' });
    const client = new ResendingClient(server.wsUrl);
    await client.connect();

    const batches = new Map<string, unknown[]>();
    const start = Date.now() - 60_000;
    let n = 0;
    // Stream until some batches are acknowledged and others are still in flight, then kill.
    while (client.acked.size < 20 || client.unacked.size === 0) {
      const id = `kill-${n}`;
      const events = manyEvents(`k${n}`, 250, start + n * 10);
      batches.set(id, events);
      client.send(id, events);
      n++;
      if (client.unacked.size >= 8) await new Promise((r) => setTimeout(r, 2));
    }
    await server.signal('SIGKILL');
    const ackedBeforeKill = new Set(client.acked);
    const unackedAtKill = client.unacked.size;
    expect(unackedAtKill).toBeGreaterThan(0);

    await server.start();
    const cookie = await server.login();
    // Every acknowledged event survived the kill.
    const afterKill = new Set((await server.exportEvents(cookie)).map((e) => e.id as string));
    for (const id of ackedBeforeKill) for (const e of batches.get(id)! as { id: string }[]) expect(afterKill.has(e.id)).toBe(true);

    // The client reconnects and resends what was not acknowledged, plus (lost acks) some that were.
    await client.connect();
    client.resendUnacked();
    for (const id of [...ackedBeforeKill].slice(0, 5)) client.send(id, batches.get(id)!);
    await client.waitAllAcked();

    const stored = (await server.exportEvents(cookie)).map((e) => e.id as string);
    const sent = [...batches.values()].flat().map((e) => (e as { id: string }).id);
    expect(stored.length).toBe(sent.length);
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored)).toEqual(new Set(sent));
  });

  it('on SIGTERM flushes pending events, acknowledges them, and exits 0', async () => {
    const server = await startServer('sigterm', { FLUSH_MS: '60000' });
    const admin = await server.login();
    const flow = callFlow('term');
    const pending = fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` },
      body: JSON.stringify(flow),
    });
    await server.waitForMetric(admin, 'callboard_buffer_rows', (rows) => rows === 10); // accepted, not yet written
    const exit = server.signal('SIGTERM');
    const r = await pending;
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ accepted: 10, duplicates: 0, conflicts: 0, rejected: [], rejected_count: 0 });
    expect(await exit).toBe(0);
    await server.start();
    expect(await server.exportEvents(await server.login())).toHaveLength(10);
  });
});

describe('backpressure', () => {
  it('refuses new batches with 429 + Retry-After (HTTP) and a negative ack with retry_after (WS), keeping what it accepted', async () => {
    const server = await startServer('busy', { MAX_PENDING_ROWS: '25', FLUSH_MS: '1500' });
    const admin = await server.login();
    const headers = { Authorization: `Bearer ${TEST_INGEST_KEY}` };
    const first = fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(callFlow('busy1')) });
    const second = fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(callFlow('busy2')) });
    await server.waitForMetric(admin, 'callboard_buffer_rows', (rows) => rows === 20);
    const refused = await fetch(`${server.url}/v1/events`, { method: 'POST', headers, body: JSON.stringify(callFlow('busy3')) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'writer_busy', retry: true, retry_after: expect.any(Number) });
    const ws = await TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY);
    const nack = await ws.batch('w1', callFlow('busy4'));
    expect(nack).toMatchObject({ nack: 'w1', code: 'writer_busy', retry: true, retry_after: expect.any(Number) });
    ws.close();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const stored = await server.exportEvents(admin);
    expect(stored).toHaveLength(20);
    expect(stored.every((e) => /^busy[12]-/.test(e.id as string))).toBe(true);
  });
});
