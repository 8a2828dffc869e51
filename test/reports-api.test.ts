/**
 * `GET /v1/reports/queues` through the real server: events sent to the ingest show up in the
 * report once derived (the deriver runs beside the writer), JSON and CSV, parameters checked by
 * name, and the roles that may read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('reports-api');
let server: ServerProcess;
let admin = '';

const hour = Date.UTC(2026, 10, 23, 2, 0, 0); // 10:00 in Shanghai
const REPORT = `/v1/reports/queues?from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T12:00:00%2B08:00&tz=Asia/Shanghai&interval=1h&queue=billing`;

async function get(path: string, cookie = admin): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { cookie } });
}

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  admin = await server.login();
  const events = [
    { id: 'r1', type: 'call.queued', ts: hour, call: 'rc1', queue: 'billing' },
    { id: 'r2', type: 'call.answered', ts: hour + 12_000, call: 'rc1', queue: 'billing', agent: 'a1' },
    { id: 'r3', type: 'call.ended', ts: hour + 192_000, call: 'rc1', by: 'caller' },
    { id: 'r4', type: 'call.wrapup', ts: hour + 202_000, call: 'rc1', agent: 'a1', code: 'billing_question' },
    { id: 'r5', type: 'call.queued', ts: hour + 600_000, call: 'rc2', queue: 'billing' },
    { id: 'r6', type: 'call.abandoned', ts: hour + 640_000, call: 'rc2', queue: 'billing', stage: 'queue' },
    { id: 'r7', type: 'call.ended', ts: hour + 640_000, call: 'rc2', by: 'caller' },
  ];
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
  expect(r.status).toBe(200);
  for (const [name, roles] of [['boss', ['manager']], ['lead', ['supervisor']], ['qa1', ['qa']], ['ag1', ['agent']]] as const) {
    expect((await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: name, password: `${name}-password-1`, roles }) })).status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

describe('GET /v1/reports/queues', () => {
  it('reports the ingested calls once derived', async () => {
    await expect
      .poll(async () => ((await (await get(REPORT)).json()) as { rows: { offered: number }[] }).rows[0]?.offered, { timeout: 20_000, interval: 250 })
      .toBe(2);
    const body = (await (await get(REPORT)).json()) as { rows: Record<string, unknown>[]; totals: Record<string, unknown>; tz: string };
    expect(body.tz).toBe('Asia/Shanghai');
    expect(body.rows).toEqual([
      expect.objectContaining({ interval_start: '2026-11-23T10:00:00+08:00', queue: 'billing', offered: 2, answered: 1, abandoned: 1, service_level: 0.5, asa_s: 12, aht_s: 190, abandon_rate: 0.5 }),
    ]);
    expect(body.totals).toMatchObject({ offered: 2, answered: 1 });
  });

  it('gives CSV with a BOM and the JSON field names as headers', async () => {
    const r = await get(`${REPORT}&format=csv`);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, first] = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(header?.split(',').slice(0, 4)).toEqual(['interval_start', 'queue', 'offered', 'answered']);
    expect(first?.startsWith('2026-11-23T10:00:00+08:00,billing,2,1,')).toBe(true);
  });

  it.each([
    ['from=2026-11-23T10:00:00&to=2026-11-23T12:00:00%2B08:00', /^from: must be ISO 8601 with an offset/],
    ['from=2026-11-23T12:00:00Z&to=2026-11-23T10:00:00Z', /^to: must be after from/],
    ['from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&interval=5m', /^interval: must be one of 15m, 30m, 1h, 1d, 1w, 1M/],
    ['from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&interval=15m', /^interval: 15m .* more than 3000 intervals/],
    ['from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&tz=Mars/Base', /^tz: not an IANA time zone/],
    ['from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&agent=a1', /^agent: not a filter of this report/],
    ['from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&queues=billing', /^queues: unknown parameter/],
    ['from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&sl_threshold_s=-1', /^sl_threshold_s: must be seconds/],
  ])('refuses %s naming the field', async (query, message) => {
    const r = await get(`/v1/reports/queues?${query}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(message);
  });

  it('lists the calls with CSV, and names a bad outcome', async () => {
    const q = '/v1/reports/calls?from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T12:00:00%2B08:00';
    const body = (await (await get(q)).json()) as { rows: { call: string; outcome: string; disposition: string }[]; total: number };
    expect(body.total).toBe(2);
    expect(body.rows.map((r) => [r.call, r.outcome, r.disposition])).toEqual([
      ['rc2', 'abandoned', ''],
      ['rc1', 'answered', 'billing_question'],
    ]);
    expect((await (await get(`${q}&format=csv`)).text()).split('\r\n')[0]?.startsWith('call,started_at,site,direction,caller,')).toBe(true);
    const bad = await get(`${q}&outcome=lost`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^outcome: must be one of answered, abandoned/);
  });

  it('gives the agents each interval needed from its own volume and AHT', async () => {
    const r = await get('/v1/reports/staffing?from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T11:00:00%2B08:00&tz=Asia/Shanghai&interval=30m&queue=billing&target_s=20&target_sl=0.8');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { rows: { interval_start: string; calls: number; aht_s: number | null; required: number }[] };
    // 10:00–10:30 offered 2 calls, one handled (AHT 190 s): 2 calls in 30 min need 1 agent; 10:30–11:00 nothing
    expect(body.rows).toEqual([
      expect.objectContaining({ interval_start: '2026-11-23T10:00:00+08:00', calls: 2, aht_s: 190, required: 1 }),
      expect.objectContaining({ interval_start: '2026-11-23T10:30:00+08:00', calls: 0, aht_s: null, required: 0 }),
    ]);
    const bad = await get('/v1/reports/staffing?from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T11:00:00%2B08:00&target_s=20');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^target_sl: required/);
  });

  it('gives agents their own figures only, whatever agent they ask for', async () => {
    const q = '/v1/reports/agents?from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T12:00:00%2B08:00&interval=1h';
    const manager = (await (await get(`${q}&agent=a1`, await server.login('boss', 'boss-password-1'))).json()) as { rows: { agent: string; answered: number; handle_s: number }[] };
    expect(manager.rows).toEqual([expect.objectContaining({ agent: 'a1', answered: 1, handle_s: 190 })]);
    const agent = await get(`${q}&agent=a1`, await server.login('ag1', 'ag1-password-1'));
    expect(agent.status).toBe(200);
    expect(((await agent.json()) as { rows: unknown[] }).rows).toEqual([]);
    expect((await get(q, await server.login('qa1', 'qa1-password-1'))).status).toBe(403);
    const csv = await get(`${q}&agent=a1&format=csv`, await server.login('boss', 'boss-password-1'));
    expect((await csv.text()).split('\r\n')[0]).toBe('interval_start,agent,sign_ins,sign_outs,breaks,break_s,not_ready_count,not_ready_s,answered,talk_s,hold_s,acw_s,handle_s,ring_noanswer,agent_hangups,transfers,help_requests,logged_in_s,occupancy,utilization');
  });

  it('is read by admins, managers and supervisors, not by QA or agents', async () => {
    const status: Record<string, number> = {};
    for (const name of ['boss', 'lead', 'qa1', 'ag1']) status[name] = (await get(REPORT, await server.login(name, `${name}-password-1`))).status;
    status.nobody = (await fetch(`${server.url}${REPORT}`)).status;
    expect(status).toEqual({ boss: 200, lead: 200, qa1: 403, ag1: 403, nobody: 401 });
  });
});
