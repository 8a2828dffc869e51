import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFlow } from './helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';
import { TestIngestSocket } from './helpers/ws-client.ts';

const dir = tempDataDir('server');
let server: ServerProcess;
let admin: string;
const bearer = { Authorization: `Bearer ${TEST_INGEST_KEY}` };

beforeAll(async () => {
  server = await ServerProcess.start(dir, { MAX_BODY_BYTES: '200000', CREDENTIAL_RECHECK_MS: '300' });
  admin = await server.login();
});
afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

const post = (body: string, headers: Record<string, string> = bearer) =>
  fetch(`${server.url}/v1/events`, { method: 'POST', body, headers });

describe('HTTP ingest POST /v1/events', () => {
  it('stores valid events, reports each invalid one by index, and accepts NDJSON', async () => {
    const flow = callFlow('http');
    const r = await post(JSON.stringify([flow[0], { ...flow[1], type: 'call.bogus' }, flow[2]]));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      conflicts: 0,
      rejected: [{ index: 1, code: 'invalid_event', error: 'type: unknown event type "call.bogus"', id: flow[1]!.id }],
      rejected_count: 1,
    });
    const nd = await post(flow.slice(3).map((e) => JSON.stringify(e)).join('\n'));
    expect(await nd.json()).toEqual({ accepted: 7, duplicates: 0, conflicts: 0, rejected: [], rejected_count: 0 });
    const call = (flow[0] as { call: string }).call;
    const stored = await server.exportEvents(admin, { call });
    const expected = flow.filter((e, i) => i !== 1 && 'call' in e && e.call === call);
    expect(stored.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  });

  it('answers 400 for a malformed body, 401 for a bad key, 413 for a body too large', async () => {
    const bad = await post('[{"id":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect((await post('[]', { Authorization: 'Bearer wrong-key-000000000' })).status).toBe(401);
    expect((await post('[]', {})).status).toBe(401);
    const big = await post(JSON.stringify(Array.from({ length: 3000 }, () => callFlow('big')).flat()));
    expect(big.status).toBe(413);
  });

  it('does not let a user session ingest (keys only)', async () => {
    expect((await post('[]', { cookie: admin })).status).toBe(403);
  });
});

describe('WebSocket ingest /v1/ingest', () => {
  it('acks each batch after storing it, with rejections by index', async () => {
    const ws = await TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY);
    const flow = callFlow('ws');
    const events: unknown[] = [...flow];
    events.splice(4, 0, { id: 'ws-bad', type: 'agent.state', ts: 1, agent: 'a1', state: 'asleep' });
    expect(await ws.batch('b-1', events)).toEqual({
      ack: 'b-1',
      accepted: 10,
      duplicates: 0,
      conflicts: 0,
      rejected: [{ index: 4, code: 'invalid_event', error: 'state: must be one of logged_out, available, not_ready, ringing, on_call, acw (got "asleep")', id: 'ws-bad' }],
      rejected_count: 1,
    });
    const stored = await server.exportEvents(admin, { call: (flow[0] as { call: string }).call });
    expect(stored).toHaveLength(7); // the call's events; agent.state rows carry no call
    ws.close();
  });

  it('accepts the key as ?key= and answers malformed messages with a negative ack', async () => {
    const ws = await TestIngestSocket.open(server.wsUrl, TEST_INGEST_KEY, 'query');
    expect(await ws.send(null, 'not json')).toMatchObject({ nack: null, error: expect.stringMatching(/not valid JSON/) });
    expect(await ws.send('b-2', { batch: 'b-2', events: 'nope' })).toMatchObject({ nack: 'b-2', error: expect.stringMatching(/"events"/) });
    ws.close();
  });

  it('ends open connections of a key once it is revoked', async () => {
    const created = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ name: 'pbx-2', scopes: ['ingest'] }) });
    const { key, id } = (await created.json()) as { key: string; id: string };
    const ws = await TestIngestSocket.open(server.wsUrl, key);
    expect(await ws.batch('r-1', callFlow('revoke').slice(0, 2))).toMatchObject({ ack: 'r-1', accepted: 2 });
    expect((await fetch(`${server.url}/v1/keys/${id}`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    const closed = new Promise<number>((resolve) => ws.ws.once('close', (code: number) => resolve(code)));
    const refused = callFlow('revoke2');
    expect(await ws.batch('r-2', refused)).toEqual({ nack: 'r-2', code: 'credentials_revoked', retry: false, error: expect.stringMatching(/^credentials revoked/) });
    expect(await closed).toBe(1008);
    expect(await server.exportEvents(admin, { call: (refused[0] as { call: string }).call })).toEqual([]);
  });

  it('refuses the upgrade without a valid key', async () => {
    await expect(TestIngestSocket.open(server.wsUrl, 'wrong-key-000000000')).rejects.toThrow(/401/);
  });
});

describe('raw export GET /v1/events', () => {
  it('streams events in time order, exactly as sent, filtered by time, type and agent', async () => {
    const t0 = Date.UTC(2025, 0, 6, 9, 0, 0, 0);
    const flow = callFlow('export', t0);
    const shuffled = [...flow].reverse();
    expect((await post(JSON.stringify(shuffled))).status).toBe(200);
    const range = { from: new Date(t0).toISOString(), to: new Date(t0 + 3600_000).toISOString() };
    const all = await server.exportEvents(admin, range);
    expect(all).toEqual([...flow].sort((a, b) => Number(a.ts) - Number(b.ts) || String(a.id).localeCompare(String(b.id))));
    expect((await server.exportEvents(admin, { ...range, type: 'agent.state' })).map((e) => e.state)).toEqual(['ringing', 'on_call', 'available']);
    expect(await server.exportEvents(admin, { ...range, agent: 'nobody' })).toEqual([]);
    // `to` is exclusive
    expect(await server.exportEvents(admin, { from: t0 - 1000, to: t0 })).toEqual([]);
  });

  it('accepts an unencoded +hh:mm offset and explains bad parameters', async () => {
    const r = await fetch(`${server.url}/v1/events?from=2025-01-06T10:00:00+01:00&to=2025-01-06T11:00:00+01:00`, { headers: { cookie: admin } });
    expect(r.status).toBe(200);
    expect((await r.text()).split('\n').filter(Boolean).length).toBe(10);
    const bad = await fetch(`${server.url}/v1/events?from=yesterday&to=now`, { headers: { cookie: admin } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^from:/);
    const badType = await fetch(`${server.url}/v1/events?from=0&to=1&type=x`, { headers: { cookie: admin } });
    expect(((await badType.json()) as { error: string }).error).toMatch(/^type:/);
  });

  it('needs an admin session or a key with read scope', async () => {
    expect((await fetch(`${server.url}/v1/events?from=0&to=1`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/events?from=0&to=1`, { headers: bearer })).status).toBe(403);
    const created = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ name: 'auditor', scopes: ['read'] }) });
    expect(created.status).toBe(201);
    const { key, id } = (await created.json()) as { key: string; id: string };
    expect((await fetch(`${server.url}/v1/events?from=0&to=1`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    const listed = (await (await fetch(`${server.url}/v1/keys`, { headers: { cookie: admin } })).json()) as { id: string; name: string }[];
    expect(listed.find((k) => k.id === id)?.name).toBe('auditor');
    expect(JSON.stringify(listed)).not.toContain(key);
    expect((await fetch(`${server.url}/v1/keys/${id}`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/events?from=0&to=1`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
  });
});

describe('auth', () => {
  it('logs in with an HttpOnly cookie, rejects a wrong password, logs out', async () => {
    const r = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'nope-nope' }) });
    expect(r.status).toBe(401);
    const ok = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: 'admin-password-123' }) });
    expect(ok.headers.get('set-cookie')).toMatch(/^cb_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await fetch(`${server.url}/v1/auth/me`, { headers: { cookie } })).json()).toMatchObject({ name: 'admin', role: 'admin' });
    await fetch(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect((await fetch(`${server.url}/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('names the bad field of a request body', async () => {
    const r = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: 'sup1', password: 'long-enough', role: 'boss' }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^role: must be one of admin, manager, supervisor, qa, agent/);
  });

  it('creates users with roles; a non-admin cannot manage users or read events', async () => {
    const r = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: 'sup1', password: 'sup-password', role: 'supervisor' }) });
    expect(r.status).toBe(201);
    const dup = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: 'sup1', password: 'sup-password', role: 'supervisor' }) });
    expect(dup.status).toBe(409);
    const sup = await server.login('sup1', 'sup-password');
    expect((await fetch(`${server.url}/v1/users`, { headers: { cookie: sup } })).status).toBe(403);
    expect((await fetch(`${server.url}/v1/events?from=0&to=1`, { headers: { cookie: sup } })).status).toBe(403);
    const disable = await fetch(`${server.url}/v1/users/sup1`, { method: 'PATCH', headers: { cookie: admin }, body: JSON.stringify({ disabled: true }) });
    expect(disable.status).toBe(200);
    expect((await fetch(`${server.url}/v1/auth/me`, { headers: { cookie: sup } })).status).toBe(401);
    const { users } = (await (await fetch(`${server.url}/v1/users`, { headers: { cookie: admin } })).json()) as { users: { username: string; disabled: number }[] };
    expect(users.find((u) => u.username === 'sup1')?.disabled).toBe(1);
    expect(JSON.stringify(users)).not.toContain('scrypt');
  });

  it('reaches nothing without credentials except /healthz and the login page', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/login`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/metrics'],
      ['GET', '/v1/events?from=0&to=1'],
      ['POST', '/v1/events'],
      ['GET', '/v1/users'],
      ['POST', '/v1/users'],
      ['PATCH', '/v1/users/admin'],
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys'],
      ['DELETE', '/v1/keys/0123456789abcdef'],
      ['GET', '/v1/auth/me'],
    ] as const) {
      const r = await fetch(`${server.url}${path}`, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('operations', () => {
  it('serves Prometheus metrics to an admin', async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { cookie: admin } })).text();
    expect(text).toMatch(/^callboard_events_accepted_total\{transport="http"\} \d+$/m);
    expect(text).toMatch(/^callboard_events_rejected_total\{transport="ws"\} 1$/m);
    expect(text).toMatch(/^callboard_flush_seconds_count \d+$/m);
    expect(text).toMatch(/^callboard_buffer_rows 0$/m);
    expect(text).toMatch(/^callboard_store_errors_total 0$/m);
  });
});
