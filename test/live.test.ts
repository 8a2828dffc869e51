/**
 * Live push (issue 8) against the real server process and real chDB: snapshot then deltas
 * over `/v1/live`, coalescing, the snapshot and history routes, help acknowledgement, the
 * rebuild after a restart, and who may call each route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callFlow } from './helpers/events.ts';
import { LiveClient, type LiveFrame } from './helpers/live-client.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('live');
let server: ServerProcess;
let admin: string;
const bearer = { Authorization: `Bearer ${TEST_INGEST_KEY}` };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  admin = await server.login();
});
afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

async function ingest(events: unknown[]): Promise<void> {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', body: JSON.stringify(events), headers: bearer });
  expect(r.status).toBe(200);
  expect(((await r.json()) as { accepted: number }).accepted).toBe(events.length);
}

interface Snap {
  now: number;
  version: number;
  queues: { queue: string; site: string; waiting: number; today: Record<string, number | null>; agents: Record<string, number> }[];
  agents: { agent: string; state: string; since: number | null; queues: string[]; reason: string | null }[];
  sites: { site: string }[];
  teams: unknown[];
  center: { today: Record<string, number | null>; caller_view: unknown };
  help: { id: string; agent: string; acked_by?: string }[];
}

async function snapshot(query = '', headers: Record<string, string> = { cookie: admin }): Promise<Snap> {
  const r = await fetch(`${server.url}/v1/live/snapshot${query}`, { headers });
  expect(r.status).toBe(200);
  return (await r.json()) as Snap;
}

describe('WebSocket /v1/live', () => {
  it('sends a snapshot on subscribe, then a delta within 1 s of an ingested event', async () => {
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.subscribe({});
    const snap = await c.next((f) => f.type === 'snapshot');
    expect(snap.data).toMatchObject({ queues: expect.any(Array), agents: expect.any(Array), center: expect.any(Object), help: expect.any(Array) });
    const start = Date.now();
    await ingest([{ id: 'live-1', type: 'call.queued', ts: Date.now(), call: 'live-call-1', queue: 'q-live', site: 'paris' }]);
    const delta = await c.next((f) => f.type === 'delta' && (f.queues as { queue: string }[]).some((q) => q.queue === 'q-live'), 1000);
    expect(Date.now() - start).toBeLessThan(1000);
    const q = (delta.queues as { queue: string; waiting: number; today: { offered: number } }[]).find((x) => x.queue === 'q-live')!;
    expect(q.waiting).toBe(1);
    expect(q.today.offered).toBe(1);
    expect(delta.version).toBeGreaterThan(snap.version!);
    c.close();
  });

  it('sends at most one frame per 100 ms to a subscriber under a burst', async () => {
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.subscribe({ sites: ['burst'] });
    await c.next((f) => f.type === 'snapshot');
    const from = c.frames.length;
    for (let i = 0; i < 30; i++) {
      await ingest(callFlow(`burst${i}`, Date.now()).map((e) => ({ ...e, site: 'burst' })));
      await sleep(20);
    }
    await sleep(300);
    const deltas = c.frames.slice(from).filter((f) => f.frame.type === 'delta');
    expect(deltas.length).toBeGreaterThan(3);
    for (let i = 1; i < deltas.length; i++) expect(deltas[i]!.at - deltas[i - 1]!.at).toBeGreaterThanOrEqual(90);
    c.close();
  });

  it('filters a view: a queue subscription sees its queue only', async () => {
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.subscribe({ queues: ['q-only'] });
    const snap = await c.next((f) => f.type === 'snapshot');
    expect((snap.data as Snap).queues.every((q) => q.queue === 'q-only')).toBe(true);
    await ingest([
      { id: 'f-1', type: 'call.queued', ts: Date.now(), call: 'f-call-1', queue: 'q-other', site: 'paris' },
      { id: 'f-2', type: 'call.queued', ts: Date.now(), call: 'f-call-2', queue: 'q-only', site: 'paris' },
    ]);
    const d = await c.next((f) => f.type === 'delta' && (f.queues as unknown[]).length > 0, 2000);
    expect((d.queues as { queue: string }[]).map((q) => q.queue)).toEqual(['q-only']);
    c.close();
  });

  it('answers a bad subscribe with an error frame, and heartbeats when nothing changes', async () => {
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.ws.send('nope');
    expect((await c.next((f) => f.type === 'error')).error).toMatch(/JSON/);
    c.subscribe({ queues: [3] });
    expect((await c.next((f) => f.type === 'error' && /queues/.test(String(f.error)))).error).toMatch(/array of ids/);
    c.subscribe({ teams: ['quiet-team'] });
    await c.next((f) => f.type === 'snapshot');
    // 5 s after the last frame; a delta may still come from the previous test's burst on a busy machine
    const hb = await c.next((f) => f.type === 'heartbeat', 12_000);
    expect(typeof hb.now).toBe('number');
    c.close();
  }, 20_000);
});

describe('GET /v1/live/snapshot', () => {
  it('has the contract shape, with filters', async () => {
    const t = Date.now();
    await ingest([
      { id: 'shape-1', type: 'agent.state', ts: t, agent: 'shape-a', state: 'available', queues: ['q-shape'], site: 'lyon' },
      ...callFlow('shape', t - 300_000).map((e) => ({ ...e, site: 'lyon', ...('queue' in e ? { queue: 'q-shape' } : {}) })),
    ]);
    const s = await snapshot('?site=lyon');
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['now', 'queues', 'agents', 'sites', 'teams', 'center', 'help']));
    const q = s.queues.find((x) => x.queue === 'q-shape')!;
    expect(Object.keys(q)).toEqual(
      expect.arrayContaining(['queue', 'name', 'site', 'waiting', 'longest_wait_s', 'oldest_waiting_since', 'waiting_calls', 'agents', 'today', 'rolling']),
    );
    expect(Object.keys(q.agents).sort()).toEqual(['acw', 'available', 'not_ready', 'on_call', 'ringing']);
    expect(q.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0, flowed_out: 0, service_level: expect.any(Number), asa_s: expect.any(Number) });
    expect(q.today).toHaveProperty('aht_s');
    expect(q.today).toHaveProperty('abandon_rate');
    expect(Object.keys((q as unknown as { rolling: object }).rolling)).toEqual(['15m', '30m', '60m']);
    const a = s.agents.find((x) => x.agent === 'shape-a')!;
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['agent', 'name', 'team', 'site', 'state', 'reason', 'since', 'queue', 'call', 'queues']));
    expect(a.queues).toEqual(['q-shape']);
    expect(q.agents.available).toBe(1);
    expect(s.sites.map((x) => x.site)).toEqual(['lyon']);
    expect((await snapshot('?queue=nothing-here')).queues).toEqual([]);
  });
});

describe('help requests', () => {
  it('are pushed, acknowledged by an admin, and the ack is pushed to subscribers', async () => {
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.subscribe({});
    await c.next((f) => f.type === 'snapshot');
    await ingest([{ id: 'help-1', type: 'agent.help', ts: Date.now(), agent: 'helpless', site: 'paris' }]);
    await c.next((f) => f.type === 'delta' && Array.isArray(f.help) && (f.help as { id: string }[]).some((h) => h.id === 'help-1'), 2000);
    const r = await fetch(`${server.url}/v1/live/help/help-1/ack`, { method: 'POST', headers: { cookie: admin } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id: 'help-1', acked_by: 'admin' });
    const acked = (f: LiveFrame) => f.type === 'delta' && Array.isArray(f.help) && (f.help as { id: string; acked_by?: string }[]).some((h) => h.id === 'help-1' && h.acked_by === 'admin');
    await c.next(acked, 2000);
    expect((await snapshot()).help.find((h) => h.id === 'help-1')?.acked_by).toBe('admin');
    expect((await fetch(`${server.url}/v1/live/help/nope/ack`, { method: 'POST', headers: { cookie: admin } })).status).toBe(404);
    c.close();
  });
});

describe('GET /v1/live/history', () => {
  it('counts today per 15 minutes with the metric module, and the same weekday last week', async () => {
    const t = Date.now() - 600_000;
    await ingest(callFlow('hist', t).map((e) => ({ ...e, site: 'rome', ...('queue' in e ? { queue: 'q-hist' } : {}) })));
    const r = await fetch(`${server.url}/v1/live/history?queue=q-hist`, { headers: { cookie: admin } });
    expect(r.status).toBe(200);
    const h = (await r.json()) as { intervals: { start: number; offered: number; answered: number; service_level: number | null }[]; last_week: { start: number; offered: number }[] };
    // today up to the interval now running, none after it (the rest of the day is a gap, not zeros)
    const last = h.intervals.at(-1)!;
    expect(last.start).toBeLessThanOrEqual(Date.now());
    expect(last.start + 900_000).toBeGreaterThan(Date.now() - 60_000);
    expect(h.last_week.length).toBeGreaterThanOrEqual(92);
    const total = h.intervals.reduce((s, i) => s + i.offered, 0);
    expect(total).toBe(1);
    const hit = h.intervals.find((i) => i.offered === 1)!;
    expect(hit.answered).toBe(1);
    expect(hit.service_level).toBe(1);
    expect(hit.start).toBeLessThanOrEqual(t + 4500);
    expect(h.last_week.reduce((s, i) => s + i.offered, 0)).toBe(0);
    const live = (await snapshot('?queue=q-hist')).queues[0]!;
    expect(live.today.offered).toBe(total);
  });
});

describe('who may call the live routes', () => {
  const routes: [string, string][] = [
    ['GET', '/v1/live/snapshot'],
    ['GET', '/v1/live/history'],
    ['POST', '/v1/live/help/x/ack'],
  ];
  it('refuses no credentials (401) and an ingest key (403); an admin session passes', async () => {
    for (const [method, path] of routes) {
      expect((await fetch(`${server.url}${path}`, { method })).status, `${method} ${path} anonymous`).toBe(401);
      expect((await fetch(`${server.url}${path}`, { method, headers: bearer })).status, `${method} ${path} ingest key`).toBe(403);
      const ok = await fetch(`${server.url}${path}`, { method, headers: { cookie: admin } });
      expect([200, 404], `${method} ${path} admin`).toContain(ok.status);
    }
    await expect(LiveClient.open(server.url)).rejects.toThrow(/401/);
    await expect(LiveClient.open(server.url, { token: 'not-a-display-token' })).rejects.toThrow(/401/);
    const keyed = new Promise<number>((resolve) => {
      import('ws')
        .then(({ default: WebSocket }) => {
          const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live`, { headers: bearer });
          ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
          ws.once('open', () => resolve(101));
        })
        .catch(() => resolve(0));
    });
    expect(await keyed).toBe(403);
  });
});

describe('restart', () => {
  it('rebuilds today from the store: same figures, and agents signed in before midnight keep their state', async () => {
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const beforeMidnight = midnight.getTime() - 2 * 3_600_000;
    await ingest([
      { id: 'night-login', type: 'agent.state', ts: beforeMidnight, agent: 'night-owl', state: 'available', queues: ['q-night'], site: 'oslo' },
      { id: 'night-break', type: 'agent.state', ts: beforeMidnight + 60_000, agent: 'night-owl', state: 'not_ready', reason: 'break', site: 'oslo' },
    ]);
    await ingest(callFlow('restart', Date.now() - 400_000).map((e) => ({ ...e, site: 'oslo', ...('queue' in e ? { queue: 'q-night' } : {}) })));
    const before = await snapshot();
    const owl = before.agents.find((a) => a.agent === 'night-owl')!;
    expect(owl).toMatchObject({ state: 'not_ready', reason: 'break', queues: ['q-night'] });
    await server.stop();
    (server.env as Record<string, string>).LOG_LEVEL = 'info';
    await server.start();
    admin = await server.login();
    let after = await snapshot();
    for (let i = 0; i < 50 && (after as { rebuilding?: boolean }).rebuilding; i++) {
      await sleep(100);
      after = await snapshot();
    }
    const pick = (s: Snap) => s.queues.map((q) => ({ queue: q.queue, today: q.today, agents: q.agents, waiting: q.waiting }));
    expect(pick(after)).toEqual(pick(before));
    expect(after.center.today).toEqual(before.center.today);
    const owl2 = after.agents.find((a) => a.agent === 'night-owl')!;
    expect(owl2).toMatchObject({ state: 'not_ready', reason: 'break', since: beforeMidnight + 60_000, queues: ['q-night'] });
    expect(after.queues.find((q) => q.queue === 'q-night')!.agents.not_ready).toBe(1);
    expect(server.logs).toMatch(/live engine rebuilt/);
  }, 90_000);
});
