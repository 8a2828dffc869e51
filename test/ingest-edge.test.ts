/**
 * Hostile and careless clients against the real server process (issue 6): a body that keeps
 * arriving after the 401 (defect 1), answers amplified by invalid events (7), a WebSocket client
 * that stops reading its acks (8), malformed percent-encoding in URLs (10).
 */
import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestNack } from '../schemas/events.ts';
import { callFlow } from './helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';
import { TestIngestSocket } from './helpers/ws-client.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024; // the default, so the 16 MB answer-amplification case is the one reported
const MAX_BATCH_EVENTS = 50_000; // the default
const dir = tempDataDir('ingest-edge');
let server: ServerProcess;
let admin: string;
const bearer = { Authorization: `Bearer ${TEST_INGEST_KEY}` };

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  admin = await server.login();
});
afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

const post = (body: string, headers: Record<string, string> = bearer) => fetch(`${server.url}/v1/events`, { method: 'POST', body, headers });

/** The server is alive, healthy, and logged no unhandled rejection or uncaught exception. */
async function expectServerAlive(): Promise<void> {
  expect(server.child?.exitCode).toBeNull();
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect(server.logs).not.toMatch(/unhandled|uncaught/i);
}

/** One raw HTTP/1.1 connection: what a hostile client can do that fetch cannot (write after the answer). */
class RawConnection {
  text = '';
  closed = false;
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.text += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined); // a reset shows as `closed`
  }
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }
  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves once the bytes received match `re`; rejects if the connection closes first. */
  async until(re: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = re.exec(this.text);
      if (m) return m;
      if (this.closed) throw new Error(`connection closed before ${re} was received; got:\n${this.text.slice(0, 500)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async write(data: string | Buffer): Promise<void> {
    if (this.socket.write(data)) return;
    await new Promise<void>((resolve, reject) => {
      const onClose = () => reject(new Error('connection closed while writing'));
      this.socket.once('close', onClose);
      this.socket.once('drain', () => {
        this.socket.off('close', onClose);
        resolve();
      });
    });
  }
  end() {
    this.socket.destroy();
  }
}

describe('a body that keeps arriving after the answer (defect 1)', () => {
  const cases: { name: string; path: string; headers: string; status: number }[] = [
    { name: 'ingest, wrong key', path: '/v1/events', headers: 'Authorization: Bearer wrong-key-0000000000\r\n', status: 401 },
    { name: 'ingest, no credentials', path: '/v1/events', headers: '', status: 401 },
    { name: 'ingest, valid key', path: '/v1/events', headers: `Authorization: Bearer ${TEST_INGEST_KEY}\r\n`, status: 413 },
    { name: 'admin API, no credentials', path: '/v1/users', headers: '', status: 401 },
  ];
  for (const c of cases) {
    it(`${c.name}: answers ${c.status}, reads the rest past MAX_BODY_BYTES, and the server lives on`, async () => {
      const total = MAX_BODY_BYTES + 1024 * 1024;
      const conn = await RawConnection.open(server.port);
      try {
        await conn.write(`POST ${c.path} HTTP/1.1\r\nHost: x\r\n${c.headers}Content-Length: ${total}\r\n\r\n`);
        const head = Buffer.alloc(1024, '1');
        await conn.write(head);
        let sent = head.length;
        const chunk = Buffer.alloc(1024 * 1024, '1');
        // For 401: wait for the answer first, so the rest of the body arrives after it (the crash).
        if (c.status === 401) await conn.until(new RegExp(`^HTTP/1\\.1 ${c.status} `));
        while (sent < total) {
          const part = Math.min(chunk.length, total - sent);
          await conn.write(part === chunk.length ? chunk : chunk.subarray(0, part));
          sent += part;
        }
        // A second request on the same connection is answered only after the server consumed the
        // whole first body: proof it read past the limit and is still running.
        await conn.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        await conn.until(/HTTP\/1\.1 200 OK[\s\S]*"status":"ok"/);
        expect(conn.text).toMatch(new RegExp(`^HTTP/1\\.1 ${c.status} `));
      } finally {
        conn.end();
      }
      await expectServerAlive();
    });
  }
});

describe('bounded answers and bounded work per batch (defect 7)', () => {
  const ones = (n: number) => `[${new Array<string>(n).fill('1').join(',')}]`;

  it('refuses a 16 MB body of [1,1,…] with a short 413 naming the limit', async () => {
    const n = Math.floor((MAX_BODY_BYTES - 2) / 2);
    const body = ones(n);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    const r = await post(body);
    const text = await r.text();
    expect(r.status).toBe(413);
    expect(text.length).toBeLessThan(300);
    expect(JSON.parse(text)).toEqual({
      code: 'batch_too_large',
      retry: false,
      limit: MAX_BATCH_EVENTS,
      error: expect.stringMatching(new RegExp(`more than ${MAX_BATCH_EVENTS} events \\(MAX_BATCH_EVENTS\\)`)),
    });
    await expectServerAlive();
  });

  it('refuses NDJSON past the limit the same way, and takes exactly the limit', async () => {
    const r = await post(new Array<string>(MAX_BATCH_EVENTS + 1).fill('1').join('\n'));
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ code: 'batch_too_large', retry: false, limit: MAX_BATCH_EVENTS, error: expect.stringMatching(/MAX_BATCH_EVENTS/) });
    const atLimit = await post(ones(MAX_BATCH_EVENTS));
    expect(atLimit.status).toBe(200);
    const answer = (await atLimit.json()) as { accepted: number; rejected: unknown[]; rejected_count: number };
    expect(answer).toMatchObject({ accepted: 0, rejected_count: MAX_BATCH_EVENTS });
    expect(answer.rejected).toHaveLength(100);
  });

  it('lists the first 100 rejections in full, counts all of them, and stores the valid events', async () => {
    const flow = callFlow('amp');
    const invalid = new Array<unknown>(20_000).fill(1);
    const long = { id: 'amp-long', type: 'agent.state', ts: Date.now(), agent: 'a1', state: 'x'.repeat(10_000) };
    const body = JSON.stringify([long, ...invalid.slice(0, 50), flow[0], ...invalid.slice(50), flow[2]]);
    const r = await post(body);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text.length).toBeLessThan(64 * 1024);
    const answer = JSON.parse(text) as { accepted: number; rejected: { index: number; error: string }[]; rejected_count: number };
    expect(answer.accepted).toBe(2);
    expect(answer.rejected_count).toBe(20_001);
    expect(answer.rejected).toHaveLength(100);
    expect(answer.rejected.map((x) => x.index)).toEqual([0, ...Array.from({ length: 50 }, (_, i) => i + 1), ...Array.from({ length: 49 }, (_, i) => i + 52)]);
    expect(answer.rejected[0]!.error.length).toBeLessThanOrEqual(300);
    expect(answer.rejected[0]!.error).toMatch(/^state: /);
    expect(answer.rejected[1]).toEqual({ index: 1, code: 'invalid_event', error: '(event): must be a JSON object' });
    const stored = await server.exportEvents(admin, { call: (flow[0] as { call: string }).call });
    expect(stored.map((e) => e.id)).toEqual([flow[0]!.id, flow[2]!.id]);
  });

  it('applies the same rules on the WebSocket: a permanent nack past the limit, a bounded ack below it', async () => {
    const ws = await TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY);
    try {
      const nack = (await ws.batch('too-many', new Array<unknown>(MAX_BATCH_EVENTS + 1).fill(1))) as IngestNack;
      expect(nack).toEqual({
        nack: 'too-many',
        code: 'batch_too_large',
        retry: false,
        limit: MAX_BATCH_EVENTS,
        error: expect.stringMatching(new RegExp(`more than ${MAX_BATCH_EVENTS} events \\(MAX_BATCH_EVENTS\\)`)),
      });
      expect(nack).not.toHaveProperty('retry_after');
      const flow = callFlow('ws-amp');
      const ack = await ws.batch('many-bad', [...new Array<unknown>(20_000).fill(1), flow[0]]);
      expect(ack).toMatchObject({ ack: 'many-bad', accepted: 1, rejected_count: 20_000 });
      expect((ack as { rejected: unknown[] }).rejected).toHaveLength(100);
      expect(JSON.stringify(ack).length).toBeLessThan(64 * 1024);
    } finally {
      ws.close();
    }
  });
});

describe('a WebSocket client that stops reading its acks (defect 8)', () => {
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { cookie: admin } })).text();
    const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };

  it('is disconnected, never left open with acks dropped; it reconnects and every resent batch is acked', async () => {
    // Each batch: 100 invalid events whose errors quote a long value, so each ack is ~30 KB.
    const batchEvents = Array.from({ length: 100 }, (_, i) => ({ id: `slow-${i}`, type: 'agent.state', ts: Date.now(), agent: 'a1', state: 'y'.repeat(400) }));
    const payload = (id: string) => JSON.stringify({ batch: id, events: batchEvents });
    const closedBefore = await metric('callboard_ingest_slow_closed_total');
    const batchesBefore = await metric('callboard_ingest_batches_total\\{transport="ws"\\}');

    const ws = new WebSocket(server.wsUrl, { headers: bearer });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const acked = new Set<string>();
    let closeCode: number | null = null;
    const closed = new Promise<void>((resolve) =>
      ws.on('close', (code) => {
        closeCode = code;
        resolve();
      }),
    );
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => acked.add((JSON.parse(data.toString()) as { ack: string }).ack));
    ws.pause(); // stop reading: acks pile up in the kernel's buffers, then in uWS's

    // Send in rounds; after each, wait until the server has handled the round, then look whether
    // it closed the connection. Past ~5 MB of un-read acks it must; the old code never did (it
    // dropped acks silently once 16 MB were buffered): 1,000 batches are ~30 MB of acks.
    const sent: string[] = [];
    let slowClosed = false;
    for (let round = 0; round < 50 && !slowClosed; round++) {
      for (let i = 0; i < 20; i++) {
        const id = `slow-${sent.length}`;
        sent.push(id);
        ws.send(payload(id));
      }
      for (;;) {
        slowClosed = (await metric('callboard_ingest_slow_closed_total')) > closedBefore;
        const handled = (await metric('callboard_ingest_batches_total\\{transport="ws"\\}')) - batchesBefore;
        if (slowClosed || handled >= sent.length) break;
        await new Promise((r) => setTimeout(r, 20)); // poll interval while the server works through the round
      }
    }
    expect(slowClosed).toBe(true);

    // Reading again, the client gets what the kernel kept, then the end of the connection:
    // it can tell it must resend what was not acknowledged.
    ws.resume();
    await closed;
    expect(closeCode).not.toBe(1000);
    const missing = sent.filter((id) => !acked.has(id));
    expect(missing.length).toBeGreaterThan(0);

    const again = await TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY);
    try {
      const replies = await Promise.all(missing.map((id) => again.send(id, payload(id))));
      for (const [i, r] of replies.entries()) expect(r).toMatchObject({ ack: missing[i], accepted: 0, rejected_count: 100 });
    } finally {
      again.close();
    }
    await expectServerAlive();
  });
});

describe('malformed percent-encoding in URLs (defect 10)', () => {
  it('answers 400, not 500, on route parameters and query strings', async () => {
    const req = (method: string, path: string, body?: string) => fetch(`${server.url}${path}`, { method, headers: { cookie: admin }, ...(body === undefined ? {} : { body }) });
    const del = await req('DELETE', '/v1/keys/%E0%A4%A');
    expect(del.status).toBe(400);
    expect(((await del.json()) as { error: string }).error).toMatch(/malformed/);
    expect((await req('PATCH', '/v1/users/%zz', '{}')).status).toBe(400);
    expect((await req('GET', `/v1/events?from=0&to=${Date.now()}&call=%E0%A4%A`)).status).toBe(400);
    expect((await req('GET', '/v1/%E0%A4%A')).status).toBe(400);
    // well-formed escapes still reach the handler, decoded
    const flow = callFlow('pct');
    expect((await post(JSON.stringify(flow.slice(0, 1)))).status).toBe(200);
    const call = (flow[0] as { call: string }).call;
    const found = await req('GET', `/v1/events?from=0&to=${Date.now() + 86400_000}&call=${encodeURIComponent(call).replace(/-/g, '%2D')}`);
    expect(found.status).toBe(200);
    expect(await found.text()).toContain(flow[0]!.id);
  });

  it('refuses a WebSocket upgrade with a malformed ?key= as 400', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${server.wsUrl}?key=%zz${TEST_INGEST_KEY}`);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('upgraded')));
      ws.once('error', reject);
    });
    expect(status).toBe(400);
  });

  it('answers 400 to any route with any broken escape, never 5xx (property)', async () => {
    const routes = ['GET /v1/events', 'POST /v1/events', 'GET /v1/ingest', 'GET /v1/users', 'PATCH /v1/users/admin', 'DELETE /v1/keys/x', 'GET /v1/auth/me', 'GET /metrics', 'GET /healthz', 'GET /nowhere'];
    const broken = fc.constantFrom('%', '%z', '%zz', '%E0%A4%A', '%C3', '%FF', '%ED%A0%80', '%%', '%0');
    const where = fc.constantFrom('path', 'query-key', 'query-value');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), broken, where, fc.string({ maxLength: 8 }), async (route, bad, at, noise) => {
        const [method, path] = route.split(' ') as [string, string];
        const clean = encodeURIComponent(noise);
        const url = at === 'path' ? `${path}/${clean}${bad}` : at === 'query-key' ? `${path}?${clean}${bad}=1` : `${path}?from=0&to=1&call=${clean}${bad}`;
        const r = await fetch(`${server.url}${url}`, { method, headers: { cookie: admin }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });
        await r.arrayBuffer();
        expect(r.status).toBe(400);
      }),
      { numRuns: 60 },
    );
    await expectServerAlive();
  });
});
