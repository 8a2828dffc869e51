/**
 * Issue 11 part 3: every answer of both ingest transports that refuses something carries a
 * `code` from schemas/ingest-errors.ts and says whether a resend can help (`retry`), the same
 * situation giving the same code on WS /v1/ingest and POST /v1/events. Against the real server
 * process, except the failures that cannot be caused from outside (the store failing, the
 * writer closing), which run the same routes in this process over a failing writer.
 */
import uWS from 'uWebSockets.js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestAck, IngestNack } from '../schemas/events.ts';
import { INGEST_ERROR_CODES } from '../schemas/ingest-errors.ts';
import { TABLES } from '../schemas/tables.ts';
import { validateBatch } from '../schemas/validate.ts';
import type { Authenticator, Principal } from '../platform/auth.ts';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import type { Store } from '../platform/store/store.ts';
import { registerIngestRoutes } from '../ingest/http/routes.ts';
import { BatchTooLargeError, EventWriter, WriterBusyError, WriterClosingError } from '../ingest/writer.ts';
import { callFlow } from './helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';
import { freshChdbStore } from './helpers/store.ts';
import { TestIngestSocket } from './helpers/ws-client.ts';

const MAX_BODY_BYTES = 200_000;
/** Smaller than MAX_BATCH_EVENTS: the writer's pending limit is what a batch can never pass. */
const MAX_PENDING_ROWS = 1000;
const dir = tempDataDir('ingest-errors');
let server: ServerProcess;
let admin: string;
const bearer = { Authorization: `Bearer ${TEST_INGEST_KEY}` };

beforeAll(async () => {
  server = await ServerProcess.start(dir, {
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MAX_PENDING_ROWS: String(MAX_PENDING_ROWS),
    MAX_BATCH_EVENTS: '5000',
    CREDENTIAL_RECHECK_MS: '300',
  });
  admin = await server.login();
});
afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

const post = (body: string, headers: Record<string, string> = bearer, query = '') => fetch(`${server.url}/v1/events${query}`, { method: 'POST', body, headers });
const openSocket = () => TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY);
const asAck = (reply: IngestAck | IngestNack) => {
  expect(reply).toHaveProperty('ack');
  return reply as IngestAck;
};

/** A refusal as the table has it: the code, its `retry`, and on HTTP its status. */
function expectRefusal(body: unknown, code: keyof typeof INGEST_ERROR_CODES, extra: Record<string, unknown> = {}): void {
  expect(body).toMatchObject({ code, retry: INGEST_ERROR_CODES[code].retry, error: expect.any(String), ...extra });
}

async function expectHttpRefusal(r: Response, code: keyof typeof INGEST_ERROR_CODES, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  expect(r.status).toBe(INGEST_ERROR_CODES[code].http);
  const body = (await r.json()) as Record<string, unknown>;
  expectRefusal(body, code, extra);
  return body;
}

describe('per-event rejections inside an ack', () => {
  it('an invalid event: code invalid_event with its index and id, the rest stored (both transports)', async () => {
    const flow = callFlow('inv');
    const bad = { ...flow[1]!, type: 'call.bogus' };
    const r = await post(JSON.stringify([flow[0], bad, flow[2]]));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: [{ index: 1, code: 'invalid_event', error: 'type: unknown event type "call.bogus"', id: bad.id }],
      rejected_count: 1,
    });
    expect(INGEST_ERROR_CODES.invalid_event.retry).toBe(false);

    const ws = await openSocket();
    const wsFlow = callFlow('inv-ws');
    const ack = asAck(await ws.batch('inv-1', [wsFlow[0], { ...wsFlow[1]!, type: 'call.bogus' }, 7]));
    expect(ack).toEqual({
      ack: 'inv-1',
      accepted: 1,
      duplicates: 0,
      conflicts: 0,
      rejected: [
        { index: 1, code: 'invalid_event', error: 'type: unknown event type "call.bogus"', id: wsFlow[1]!.id },
        { index: 2, code: 'invalid_event', error: '(event): must be a JSON object' },
      ],
      rejected_count: 2,
    });
    ws.close();
  });

  it('tells resends (duplicates) from reused ids with other content (conflicts), and never stores a conflict', async () => {
    const flow = callFlow('dup');
    expect(await (await post(JSON.stringify(flow))).json()).toMatchObject({ accepted: 10, duplicates: 0, conflicts: 0 });
    const changed = { ...flow[5]!, agent: 'someone-else' };
    const resent = [...flow.slice(0, 5), changed, ...flow.slice(6)];
    const r = await post(JSON.stringify(resent));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      accepted: 0,
      duplicates: 9,
      conflicts: 1,
      rejected: [{ index: 5, code: 'id_conflict', error: expect.stringMatching(/^id: already stored for this source with different content/), id: changed.id }],
      rejected_count: 1,
    });
    expect(INGEST_ERROR_CODES.id_conflict.retry).toBe(false);

    // The same situation on the WebSocket gives the same answer; a conflict inside one batch too.
    const ws = await openSocket();
    const twice = { ...flow[0]!, id: `${flow[0]!.id}-new` };
    const ack = asAck(await ws.batch('dup-ws', [...resent, twice, { ...twice, from: '+1' }]));
    expect(ack).toMatchObject({ ack: 'dup-ws', accepted: 1, duplicates: 9, conflicts: 2, rejected_count: 2 });
    expect(ack.rejected.map((x) => [x.index, x.code, x.id])).toEqual([
      [5, 'id_conflict', changed.id],
      [11, 'id_conflict', twice.id],
    ]);
    ws.close();

    const stored = await server.exportEvents(admin, { call: (flow[0] as { call: string }).call });
    expect(stored.find((e) => e.id === changed.id)).toEqual(flow[5]);
    expect(stored.filter((e) => e.id === twice.id)).toEqual([twice]);
  });

  it('counts accepted + duplicates + rejected_count = events sent', async () => {
    const flow = callFlow('sum');
    await post(JSON.stringify(flow.slice(0, 4)));
    const body = [...flow, 1, { ...flow[0]!, site: 'elsewhere' }];
    const answer = (await (await post(JSON.stringify(body))).json()) as IngestAck;
    expect(answer).toMatchObject({ accepted: 6, duplicates: 4, conflicts: 1, rejected_count: 2 });
    expect(answer.accepted + answer.duplicates + answer.rejected_count).toBe(body.length);
  });
});

describe('refused batches', () => {
  it('a body or message that is not a batch: invalid_batch, with the batch id when it can be read', async () => {
    await expectHttpRefusal(await post('[{"id":'), 'invalid_batch', { error: expect.stringMatching(/not valid JSON/) });
    await expectHttpRefusal(await post('{"a":1}\n{"a":'), 'invalid_batch', { error: expect.stringMatching(/^line 2 is not valid JSON/) });

    const ws = await openSocket();
    expectRefusal(await ws.send(null, 'not json'), 'invalid_batch', { nack: null, error: expect.stringMatching(/not valid JSON/) });
    // Not JSON, but the batch id leads the message: the negative ack names it.
    expectRefusal(await ws.send('cut-1', '{"batch": "cut-1", "events": [{"id":'), 'invalid_batch', { nack: 'cut-1' });
    expectRefusal(await ws.send('b-2', { batch: 'b-2', events: 'nope' }), 'invalid_batch', { nack: 'b-2', error: expect.stringMatching(/"events" must be an array/) });
    expect(ws.isOpen).toBe(true);
    ws.close();
  });

  it('a message without a batch id: invalid_batch naming "batch", nack null', async () => {
    const ws = await openSocket();
    expectRefusal(await ws.send(null, { events: [] }), 'invalid_batch', { nack: null, error: expect.stringMatching(/"batch" must be a string/) });
    expectRefusal(await ws.send(null, { batch: 42, events: [] }), 'invalid_batch', { nack: null });
    expectRefusal(await ws.send(null, [1, 2]), 'invalid_batch', { nack: null });
    ws.close();
  });

  it('a WebSocket message over MAX_BODY_BYTES: a too_large nack naming the limit and the batch id; the connection stays open', async () => {
    const ws = await openSocket();
    const padding = 'x'.repeat(1000);
    const events = Array.from({ length: 250 }, (_, i) => ({ id: `big-${i}`, type: 'call.offered', ts: Date.now(), call: 'big', direction: 'inbound', note: padding }));
    const leading = JSON.stringify({ batch: 'big-1', events });
    expect(Buffer.byteLength(leading)).toBeGreaterThan(MAX_BODY_BYTES);
    const nack = await ws.send('big-1', leading);
    expect(nack).toEqual({ nack: 'big-1', code: 'too_large', retry: false, limit: MAX_BODY_BYTES, error: expect.stringMatching(new RegExp(`exceeds ${MAX_BODY_BYTES} bytes`)) });
    // The id is read from the end of the message too (a client that writes `events` first).
    expectRefusal(await ws.send('big-2', JSON.stringify({ events, batch: 'big-2' })), 'too_large', { nack: 'big-2', limit: MAX_BODY_BYTES });
    expect(ws.isOpen).toBe(true);
    const flow = callFlow('after-big');
    expect(await ws.batch('after-big', flow)).toMatchObject({ ack: 'after-big', accepted: 10 });
    ws.close();
    expect(await server.exportEvents(admin, { call: 'big' })).toEqual([]);
  });

  it('only a message past the hard ceiling (4 × MAX_BODY_BYTES) still cuts the connection (1006, no answer)', async () => {
    const ws = await openSocket();
    ws.ws.send(Buffer.alloc(4 * MAX_BODY_BYTES + 1, 0x20));
    expect(await ws.closed).toBe(1006);
  });

  it('an HTTP body over MAX_BODY_BYTES: 413 too_large naming the limit', async () => {
    const big = JSON.stringify(Array.from({ length: 3000 }, () => callFlow('big-http')).flat());
    expect(big.length).toBeGreaterThan(MAX_BODY_BYTES);
    await expectHttpRefusal(await post(big), 'too_large', { limit: MAX_BODY_BYTES });
  });

  it('more events than the writer can ever hold pending: a permanent batch_too_large naming the maximum, not a 429', async () => {
    const over = new Array<number>(MAX_PENDING_ROWS + 1).fill(1);
    const body = await expectHttpRefusal(await post(JSON.stringify(over)), 'batch_too_large', { limit: MAX_PENDING_ROWS });
    expect(body.error).toMatch(new RegExp(`more than ${MAX_PENDING_ROWS} events \\(MAX_PENDING_ROWS\\)`));
    await expectHttpRefusal(await post(over.join('\n')), 'batch_too_large', { limit: MAX_PENDING_ROWS });
    const ws = await openSocket();
    expectRefusal(await ws.batch('over', over), 'batch_too_large', { nack: 'over', limit: MAX_PENDING_ROWS });
    expect(asAck(await ws.batch('at-limit', over.slice(1)))).toMatchObject({ accepted: 0, rejected_count: MAX_PENDING_ROWS });
    ws.close();
  });
});

describe('credentials', () => {
  /** The status and JSON body of a refused WebSocket upgrade. */
  function refusedUpgrade(headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(server.wsUrl, { headers });
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      });
      ws.once('open', () => reject(new Error('upgraded')));
      ws.once('error', () => undefined);
    });
  }

  it('401 unauthorized and 403 forbidden, on both transports', async () => {
    await expectHttpRefusal(await post('[]', {}), 'unauthorized');
    await expectHttpRefusal(await post('[]', { Authorization: 'Bearer wrong-key-000000000' }), 'unauthorized');
    await expectHttpRefusal(await post('[]', { cookie: admin }), 'forbidden');
    const noKey = await refusedUpgrade({});
    expect(noKey.status).toBe(401);
    expectRefusal(noKey.body, 'unauthorized');
    const session = await refusedUpgrade({ cookie: admin });
    expect(session.status).toBe(403);
    expectRefusal(session.body, 'forbidden');
  });

  it('a key revoked while its connection is open: credentials_revoked, then the connection is closed; HTTP answers 401', async () => {
    const created = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ name: 'pbx-revoked', scopes: ['ingest'] }) });
    const { key, id } = (await created.json()) as { key: string; id: string };
    const ws = await TestIngestSocket.open(server.wsUrl, key);
    expect(await ws.batch('rv-1', callFlow('rv').slice(0, 2))).toMatchObject({ ack: 'rv-1', accepted: 2 });
    expect((await fetch(`${server.url}/v1/keys/${id}`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400)); // past CREDENTIAL_RECHECK_MS
    const refused = callFlow('rv2');
    expect(await ws.batch('rv-2', refused)).toEqual({ nack: 'rv-2', code: 'credentials_revoked', retry: false, error: expect.stringMatching(/^credentials revoked/) });
    expect(await ws.closed).toBe(1008);
    await expectHttpRefusal(await post('[]', { Authorization: `Bearer ${key}` }), 'unauthorized');
    expect(await server.exportEvents(admin, { call: (refused[0] as { call: string }).call })).toEqual([]);
  });
});

describe('the writer behind: writer_busy, worth a resend after retry_after', () => {
  it('429 with Retry-After on HTTP, a nack with retry_after on the WebSocket', async () => {
    const busyDir = tempDataDir('ingest-errors-busy');
    const busy = await ServerProcess.start(busyDir, { MAX_PENDING_ROWS: '25', FLUSH_MS: '1500' });
    try {
      const cookie = await busy.login();
      const send = (events: unknown[]) => fetch(`${busy.url}/v1/events`, { method: 'POST', headers: bearer, body: JSON.stringify(events) });
      const first = send(callFlow('busy1'));
      const second = send(callFlow('busy2'));
      await busy.waitForMetric(cookie, 'callboard_buffer_rows', (rows) => rows === 20);
      const refused = await send(callFlow('busy3'));
      const body = await expectHttpRefusal(refused, 'writer_busy', { retry_after: expect.any(Number) });
      expect(Number(refused.headers.get('retry-after'))).toBe(Math.ceil(body.retry_after as number));
      const ws = await TestIngestSocket.open(busy.wsUrl, TEST_INGEST_KEY);
      expectRefusal(await ws.batch('busy-ws', callFlow('busy4')), 'writer_busy', { nack: 'busy-ws', retry_after: expect.any(Number) });
      ws.close();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
    } finally {
      await busy.stop();
      removeDir(busyDir);
    }
  });
});

describe('failures that cannot be caused from outside (same routes, in this process, over a failing writer)', () => {
  const principal: Principal = { kind: 'key', name: 'pbx', scopes: new Set(['ingest']) };
  let failure: Error = new Error('unset');
  let authFails = false;
  const auth: Authenticator = {
    authenticate: (creds) => {
      if (authFails) return Promise.reject(new Error('key table unreadable'));
      return Promise.resolve(creds.authorization === 'Bearer good' ? principal : null);
    },
  };
  const writer = { maxWriteEvents: 1000, write: () => Promise.reject(failure) } as unknown as EventWriter;
  let listen: uWS.us_listen_socket | null = null;
  let url = '';

  beforeAll(async () => {
    const app = uWS.App();
    registerIngestRoutes(app, { auth, writer, store: {} as Store, metrics: new Registry(), log: silentLogger, maxBodyBytes: 10_000, credentialRecheckMs: 0 });
    const port = await new Promise<number>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (s) => {
        if (!s) return reject(new Error('cannot listen'));
        listen = s;
        resolve(uWS.us_socket_local_port(s));
      }),
    );
    url = `127.0.0.1:${port}`;
  });
  afterAll(() => {
    if (listen) uWS.us_listen_socket_close(listen);
  });

  const postTo = (body: unknown) => fetch(`http://${url}/v1/events`, { method: 'POST', headers: { Authorization: 'Bearer good' }, body: JSON.stringify(body) });

  it('the store failing: 503 store_unavailable with Retry-After; the same nack on the WebSocket', async () => {
    failure = new Error('disk full');
    const r = await postTo(callFlow('fail'));
    await expectHttpRefusal(r, 'store_unavailable', { retry_after: 2 });
    expect(r.headers.get('retry-after')).toBe('2');
    const ws = await TestIngestSocket.open(`ws://${url}/v1/ingest`, 'good');
    expect(await ws.batch('s-1', callFlow('fail-ws'))).toEqual({ nack: 's-1', code: 'store_unavailable', retry: true, retry_after: 2, error: expect.any(String) });
    ws.close();
  });

  it('the server shutting down: 503 shutting_down, retry; busy stays writer_busy; a write the writer can never take is batch_too_large', async () => {
    failure = new WriterClosingError();
    const r = await postTo(callFlow('closing'));
    await expectHttpRefusal(r, 'shutting_down', { retry_after: 5 });
    expect(r.headers.get('retry-after')).toBe('5');
    const ws = await TestIngestSocket.open(`ws://${url}/v1/ingest`, 'good');
    expectRefusal(await ws.batch('c-1', callFlow('closing-ws')), 'shutting_down', { nack: 'c-1', retry_after: 5 });
    failure = new WriterBusyError('writer is behind', 0.4);
    expectRefusal(await ws.batch('c-2', callFlow('busy-ws')), 'writer_busy', { nack: 'c-2', retry_after: 0.4 });
    const busy = await postTo(callFlow('busy-http'));
    await expectHttpRefusal(busy, 'writer_busy', { retry_after: 0.4 });
    expect(busy.headers.get('retry-after')).toBe('1');
    failure = new BatchTooLargeError(3);
    expectRefusal(await ws.batch('c-3', callFlow('huge-ws')), 'batch_too_large', { nack: 'c-3', limit: 3 });
    ws.close();
  });

  it('an unexpected failure: 500 internal_error on HTTP, an internal_error nack on the WebSocket, never silence', async () => {
    const ws = await TestIngestSocket.open(`ws://${url}/v1/ingest`, 'good');
    authFails = true;
    try {
      await expectHttpRefusal(await postTo([]), 'internal_error');
      // The connection's key is re-checked on every message here (credentialRecheckMs 0).
      expectRefusal(await ws.batch('i-1', callFlow('internal')), 'internal_error', { nack: 'i-1' });
    } finally {
      authFails = false;
      ws.close();
    }
  });
});

describe('the writer: duplicates and conflicts, in memory, after a restart and past memory (real chDB)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshChdbStore('ingest-errors-writer');
  });
  const normalized = (events: unknown[]) => validateBatch(events).accepted;
  const payloads = async (prefix: string) =>
    (await store.query<{ payload: string }>(`SELECT payload FROM ${TABLES.events} WHERE startsWith(id, {p:String})`, { p: prefix })).map((r) => r.payload);

  it('tells them apart from memory, after a restart (warm load), and from the store past memory', async () => {
    const events = normalized(callFlow('wc', Date.now() - 60_000));
    const conflicting = events.map((e) => ({ ...e, payload: e.payload.replace('"ts":', '"extra":1,"ts":') }));
    const first = new EventWriter(store, new Registry(), silentLogger, { flushMs: 5 });
    expect(await first.write(events, 'k')).toEqual({ duplicates: 0, conflicts: [], failed: [] });
    expect(await first.write([...events.slice(0, 3), ...conflicting.slice(3, 5)], 'k')).toEqual({ duplicates: 3, conflicts: [3, 4], failed: [] });
    await first.close();

    const metrics = new Registry();
    const restarted = new EventWriter(store, metrics, silentLogger, { flushMs: 5 });
    await restarted.start();
    expect(await restarted.write([...conflicting.slice(0, 2), ...events.slice(2)], 'k')).toEqual({ duplicates: 8, conflicts: [0, 1], failed: [] });
    expect(await metrics.render()).toMatch(/^callboard_dedup_store_lookups_total 0$/m);
    await restarted.close();

    // Nothing in memory: the writer asks the store and compares the stored payload.
    const coldMetrics = new Registry();
    const cold = new EventWriter(store, coldMetrics, silentLogger, { flushMs: 5, dedupWarmMs: 1 });
    await cold.start();
    expect(await cold.write([events[0]!, conflicting[1]!], 'k')).toEqual({ duplicates: 1, conflicts: [1], failed: [] });
    expect(await coldMetrics.render()).toMatch(/^callboard_dedup_store_lookups_total [1-9]/m);
    await cold.close();
    expect((await payloads('wc-')).sort()).toEqual(events.map((e) => e.payload).sort());
  });

  it('refuses for good a write larger than the pending limit, and for now one that does not fit yet', async () => {
    const w = new EventWriter(store, new Registry(), silentLogger, { maxPendingRows: 15, flushMs: 60_000 });
    const big = normalized([...callFlow('wl'), ...callFlow('wl')]);
    await expect(w.write(big, 'k')).rejects.toEqual(new BatchTooLargeError(15));
    const pending = w.write(big.slice(0, 10), 'k');
    await expect(w.write(big.slice(10), 'k')).rejects.toBeInstanceOf(WriterBusyError);
    await w.close();
    await pending;
    await expect(w.write(big.slice(10), 'k')).rejects.toBeInstanceOf(WriterClosingError);
  });
});

describe('POST /v1/events?dry_run=1: validated and audited, nothing stored', () => {
  it('answers the report, stores nothing, and refuses as the ingest does', async () => {
    const flow = callFlow('dry');
    const r = await post(JSON.stringify([...flow, { ...flow[0]!, id: 'dry-bad', type: 'call.bogus' }]), bearer, '?dry_run=1');
    expect(r.status).toBe(200);
    const report = (await r.json()) as { dry_run: boolean; events: number; valid: number; rejected: unknown[]; rejected_count: number; audit: unknown };
    expect(report).toMatchObject({ dry_run: true, events: 11, valid: 10, rejected_count: 1, rejected: [{ index: 10, code: 'invalid_event' }] });
    expect(report.audit).toBeTypeOf('object');
    expect(await server.exportEvents(admin, { call: (flow[0] as { call: string }).call })).toEqual([]);
    // The same credentials, limits and codes as a real send.
    await expectHttpRefusal(await post('[]', { cookie: admin }, '?dry_run=1'), 'forbidden');
    await expectHttpRefusal(await post('[]', {}, '?dry_run=1'), 'unauthorized');
    await expectHttpRefusal(await post('[1,', bearer, '?dry_run=1'), 'invalid_batch');
    await expectHttpRefusal(await post(JSON.stringify(new Array<number>(MAX_PENDING_ROWS + 1).fill(1)), bearer, '?dry_run=1'), 'batch_too_large', { limit: MAX_PENDING_ROWS });
    await expectHttpRefusal(await post('[]', bearer, '?dry_run=yes'), 'invalid_batch', { error: expect.stringMatching(/^dry_run: must be 1 or 0/) });
  });
});
