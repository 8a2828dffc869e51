/**
 * Issue 11 part 5, the raw export GET /v1/events: a total, stable order for equal timestamps
 * (ts, source, id), the `source` filter, the source on each event on request (`with_source=1`),
 * unknown parameters and `from`/`to` without an offset refused with 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('export');
let server: ServerProcess;
let admin: string;
/** the source name of TEST_INGEST_KEY (the bootstrap key) */
const BOOTSTRAP_SOURCE = 'INGEST_KEY';
const OTHER_SOURCE = 'pbx-b';
const t0 = Date.UTC(2025, 2, 3, 8, 0, 0, 0);
const range = { from: t0 - 1000, to: t0 + 60_000 };

const at = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'call.offered', ts: t0, call: `c-${id}`, direction: 'inbound', ...extra });
const fromBootstrap = [at('eq-b'), at('eq-same', { from: '+1' }), at('eq-a'), at('eq-later', { ts: t0 + 1 })];
const fromOther = [at('eq-c'), at('eq-same', { from: '+2' }), at('eq-0', { source: 'its own source field' })];

async function ingest(key: string, events: unknown[]): Promise<void> {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
  expect(await r.json()).toMatchObject({ accepted: events.length, rejected_count: 0 });
}

const get = (query: string) => fetch(`${server.url}/v1/events?${query}`, { headers: { cookie: admin } });

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  admin = await server.login();
  const created = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ name: OTHER_SOURCE, scopes: ['ingest'] }) });
  const { key } = (await created.json()) as { key: string };
  // Interleaved, so the stored order is not the export's.
  await ingest(key, fromOther.slice(0, 1));
  await ingest(TEST_INGEST_KEY, fromBootstrap);
  await ingest(key, fromOther.slice(1));
});
afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('raw export GET /v1/events', () => {
  it('orders equal timestamps by source, then id: the same on every export', async () => {
    const expected = [
      ...[fromBootstrap[2], fromBootstrap[0], fromBootstrap[1]], // INGEST_KEY: eq-a, eq-b, eq-same
      ...[fromOther[2], fromOther[0], fromOther[1]], // pbx-b: eq-0, eq-c, eq-same
      fromBootstrap[3], // one millisecond later
    ];
    const first = await server.exportEvents(admin, range);
    expect(first).toEqual(expected);
    expect(await server.exportEvents(admin, range)).toEqual(first);
  });

  it('filters by source', async () => {
    expect((await server.exportEvents(admin, { ...range, source: OTHER_SOURCE })).map((e) => e.id)).toEqual(['eq-0', 'eq-c', 'eq-same']);
    expect((await server.exportEvents(admin, { ...range, source: BOOTSTRAP_SOURCE })).map((e) => e.id)).toEqual(['eq-a', 'eq-b', 'eq-same', 'eq-later']);
    expect(await server.exportEvents(admin, { ...range, source: 'nobody' })).toEqual([]);
  });

  it('adds the source as a first "source" member on request, the event otherwise as sent', async () => {
    const lines = (await (await get(`from=${range.from}&to=${range.to}&with_source=1&source=${BOOTSTRAP_SOURCE}`)).text()).split('\n').filter(Boolean);
    expect(lines.every((l) => l.startsWith(`{"source":"${BOOTSTRAP_SOURCE}",`))).toBe(true);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual(
      [fromBootstrap[2], fromBootstrap[0], fromBootstrap[1], fromBootstrap[3]].map((e) => ({ source: BOOTSTRAP_SOURCE, ...e })),
    );
    // An event that carries a `source` of its own keeps it: nothing is overwritten or duplicated.
    const other = (await server.exportEvents(admin, { ...range, source: OTHER_SOURCE, with_source: 1 })).find((e) => e.id === 'eq-0');
    expect(other).toEqual(fromOther[2]);
    // Without the parameter, every line is the event exactly as sent.
    expect((await server.exportEvents(admin, { ...range, with_source: 0 })).every((e) => e.source === undefined || e.id === 'eq-0')).toBe(true);
    const bad = await get(`from=0&to=1&with_source=yes`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^with_source: must be 1 or 0/);
  });

  it('refuses unknown query parameters with 400 naming them', async () => {
    const r = await get('from=0&to=1&agnet=a1&limit=5');
    expect(r.status).toBe(400);
    const { error } = (await r.json()) as { error: string };
    expect(error).toMatch(/^unknown query parameters "agnet", "limit" \(allowed: from, to, type, call, agent, source, with_source, token\)$/);
  });

  it('refuses from/to in ISO-8601 without an offset; epoch milliseconds and ISO with Z or ±hh:mm are taken', async () => {
    for (const [query, field] of [
      ['from=2025-03-03T08:00:00&to=2025-03-03T09:00:00Z', 'from'],
      ['from=2025-03-03T08:00:00Z&to=2025-03-03T09:00:00', 'to'],
      ['from=2025-03-03&to=2025-03-04T00:00:00Z', 'from'],
      ['from=1741000000.5&to=1741003600000', 'from'],
    ] as const) {
      const r = await get(query);
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { error: string }).error, query).toMatch(new RegExp(`^${field}: required, epoch milliseconds or ISO-8601 with an offset`));
    }
    const iso = await get('from=2025-03-03T07:59:59Z&to=2025-03-03T10:00:00%2B01:00');
    expect(iso.status).toBe(200);
    expect((await iso.text()).split('\n').filter(Boolean)).toHaveLength(7);
    expect((await get(`from=${range.from}&to=${range.to}`)).status).toBe(200);
  });
});
