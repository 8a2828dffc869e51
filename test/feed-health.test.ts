/**
 * `GET /v1/feed-health` against the real server process and chDB: two sources send over HTTP,
 * one a sound call and one with planted problems; the admin's answer audits each source
 * separately. Only admins may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedHealth } from '../schemas/feed-audit/health.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('feed-health');
let server: ServerProcess;
let adminCookie = '';
let supervisorCookie = '';
let pbxBKey = '';

async function send(key: string, events: unknown[]): Promise<void> {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
  const text = await r.text();
  expect(r.status, text).toBe(200);
  expect(JSON.parse(text)).toMatchObject({ accepted: events.length });
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  adminCookie = await server.login();
  const created = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: adminCookie }, body: JSON.stringify({ name: 'pbx-b', scopes: ['ingest'] }) });
  expect(created.status).toBe(201);
  pbxBKey = ((await created.json()) as { key: string }).key;
  const user = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: adminCookie }, body: JSON.stringify({ username: 'sup', password: 'sup-password-12', roles: ['supervisor'] }) });
  expect(user.status).toBe(201);
  supervisorCookie = await server.login('sup', 'sup-password-12');

  const t = Date.now() - 5 * 60_000;
  await send(TEST_INGEST_KEY, [
    { id: 'a1', type: 'agent.state', ts: t, agent: 'ann', state: 'available', queues: ['sales'] },
    { id: 'a2', type: 'call.offered', ts: t + 1000, call: 'good-1', direction: 'inbound' },
    { id: 'a3', type: 'call.queued', ts: t + 2000, call: 'good-1', queue: 'sales' },
    { id: 'a4', type: 'call.answered', ts: t + 9000, call: 'good-1', queue: 'sales', agent: 'ann' },
    { id: 'a5', type: 'agent.state', ts: t + 9000, agent: 'ann', state: 'on_call' },
    { id: 'a6', type: 'call.ended', ts: t + 60_000, call: 'good-1', by: 'caller' },
    { id: 'a7', type: 'agent.state', ts: t + 60_000, agent: 'ann', state: 'available' },
  ]);
  await send(pbxBKey, [
    { id: 'b1', type: 'call.offered', ts: t, call: 'bad-1', direction: 'inbound' },
    { id: 'b2', type: 'call.queued', ts: t + 1000, call: 'bad-1', queue: 'support' },
    { id: 'b3', type: 'call.ended', ts: t + 30_000, call: 'bad-1', by: 'caller' },
    // Stamped two minutes ahead of the server clock.
    { id: 'b4', type: 'call.offered', ts: Date.now() + 120_000, call: 'bad-2', direction: 'inbound' },
  ]);
});

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('GET /v1/feed-health', () => {
  it('audits each source on its own: a sound one is ok, the planted problems are named with examples and advice', async () => {
    const r = await get('/v1/feed-health?window=1h', { cookie: adminCookie });
    expect(r.status).toBe(200);
    const health = (await r.json()) as FeedHealth;
    expect(health).toMatchObject({ window_s: 3600, truncated: false, late_after_s: 10, max_events_per_source: 100_000 });
    expect(health.to - health.from).toBe(3_600_000);
    expect(health.sources.map((s) => s.source)).toEqual(['INGEST_KEY', 'pbx-b']);
    const [good, bad] = health.sources;
    expect(good).toMatchObject({ status: 'ok', events: 7, truncated: false });
    expect(good!.audit.problems).toEqual([]);
    expect(good!.events_per_s).toBeCloseTo(7 / 3600, 6);
    expect(good!.last_received).toBeGreaterThan(health.from);
    // Sent five minutes after their ts: all late.
    expect(good!.late_share).toBe(1);

    expect(bad).toMatchObject({ status: 'error', events: 4, late_share: 0.75 });
    const codes = Object.fromEntries(bad!.audit.problems.map((p) => [p.code, p]));
    expect(codes.queued_never_closed).toMatchObject({ severity: 'error', count: 1 });
    expect(codes.queued_never_closed!.examples[0]).toMatchObject({ call: 'bad-1', event_ids: ['b2', 'b3'], source: 'pbx-b' });
    expect(codes.queued_never_closed!.advice).toMatch(/call\.answered/);
    expect(codes.clock_skew).toMatchObject({ severity: 'warning', count: 1 });
    expect(codes.clock_skew!.examples[0]!.message).toMatch(/1 event stamped ahead of the server clock, up to 2 min/);

    // Refreshes within a few seconds share one audit.
    const again = (await (await get('/v1/feed-health?window=1h', { cookie: adminCookie })).json()) as FeedHealth;
    expect(again.to).toBe(health.to);
  });

  it('is for admins only, and refuses a window it cannot read', async () => {
    expect((await get('/v1/feed-health', { cookie: supervisorCookie })).status).toBe(403);
    expect((await get('/v1/feed-health', { authorization: `Bearer ${TEST_INGEST_KEY}` })).status).toBe(403);
    expect((await get('/v1/feed-health')).status).toBe(401);
    const bad = await get('/v1/feed-health?window=2d', { cookie: adminCookie });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^window: must be a duration from 1m to 24h/);
    const short = await get('/v1/feed-health?window=1m', { cookie: adminCookie });
    expect(short.status).toBe(200);
    expect(((await short.json()) as FeedHealth).sources.map((s) => s.source)).toEqual(['INGEST_KEY', 'pbx-b']);
  });
});
