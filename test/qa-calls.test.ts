/**
 * QA recording search and the player's call view, against the real server process and chDB:
 * recordings and evaluations rows are written to the store before the server starts (shaped
 * like migrations 0006/0007), call events go through the ingest. Each filter narrows to the
 * calls it should; an agent sees only the calls they handled, with the number masked; the
 * timeline is placed from the first answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import { migrate } from '../platform/store/migrate.ts';
import type { CallDetail, CallRow, CallSearchResult } from '../schemas/qa.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('qa-calls');
let server: ServerProcess;
let admin = '';
let agentA1 = '';
let qaUser = '';

const BASE = Date.parse('2026-11-16T09:00:00Z');
const H = 3_600_000;

interface Flow {
  call: string;
  start: number;
  agent: string;
  queue: string;
  direction: 'inbound' | 'outbound';
  from: string;
  code: string;
  survey?: number;
  talk_s: number;
}

/** offered, IVR at +2 s, queued +5 s, ringing +15 s, answered +20 s, hold +30…+45 s after the answer, ended, wrapup, survey. */
function flow(f: Flow): Record<string, unknown>[] {
  const { call, agent, queue } = f;
  const a = f.start + 20_000;
  const ev = (n: number, type: string, ts: number, extra: Record<string, unknown> = {}) => ({ id: `${call}-${n}`, type, ts, call, ...extra });
  return [
    ev(1, 'call.offered', f.start, { direction: f.direction, from: f.from, site: 'berlin' }),
    ev(2, 'call.ivr', f.start + 2000, { node: 'main', input: '1' }),
    ev(3, 'call.queued', f.start + 5000, { queue }),
    ev(4, 'call.ringing', f.start + 15_000, { queue, agent }),
    ev(5, 'call.answered', a, { queue, agent }),
    ev(6, 'call.hold', a + 30_000, { agent }),
    ev(7, 'call.unhold', a + 45_000, { agent }),
    ev(8, 'call.ended', a + f.talk_s * 1000, { by: 'caller' }),
    ev(9, 'call.wrapup', a + f.talk_s * 1000 + 10_000, { agent, code: f.code }),
    ...(f.survey === undefined ? [] : [ev(10, 'call.survey', a + f.talk_s * 1000 + 60_000, { score: f.survey })]),
  ];
}

const FLOWS: Flow[] = [
  { call: 'c1', start: BASE + 1 * H, agent: 'a1', queue: 'billing', direction: 'inbound', from: '+8613812345678', code: 'resolved', survey: 5, talk_s: 120 },
  { call: 'c2', start: BASE + 2 * H, agent: 'a2', queue: 'sales', direction: 'outbound', from: '13900001111', code: 'sale', survey: 2, talk_s: 300 },
  { call: 'c3', start: BASE + 3 * H, agent: 'a1', queue: 'sales', direction: 'inbound', from: '+4930123456', code: 'resolved', talk_s: 60 },
  { call: 'c4', start: BASE + 4 * H, agent: 'a2', queue: 'billing', direction: 'inbound', from: '+8613812349999', code: 'callback', survey: 3, talk_s: 600 },
  // events only, no recording: never listed
  { call: 'c6', start: BASE + 5 * H, agent: 'a1', queue: 'billing', direction: 'inbound', from: '+8613800000000', code: 'resolved', talk_s: 30 },
];

function recordingRow(call: string, status: string, duration_s: number, silence_ratio: number, talk_over_s: number, uploaded_at: number) {
  return {
    call,
    sha256: `sha-${call}`,
    status,
    error: status === 'failed' ? 'not audio' : '',
    channels: ['agent', 'customer'],
    duration_s,
    sample_rate: 8000,
    original_format: 'wav pcm_mulaw',
    original_bytes: 1000,
    original_path: `xx/sha-${call}`,
    media_path: `xx/sha-${call}.wav`,
    peaks_path: `xx/sha-${call}-peaks`,
    agent_talk_s: duration_s * 0.4,
    customer_talk_s: duration_s * 0.4,
    silence_ratio,
    longest_silence_s: 3,
    talk_over_s,
    agent_talk_ratio: 0.5,
    uploaded_at,
    source: 'test',
    version: 1,
    updated_at: uploaded_at,
  };
}

function evaluationRow(p: { id: string; call: string; agent: string; status: string; total?: number | null; calibration?: string; version?: number; at?: number }) {
  const at = p.at ?? BASE + 30 * H;
  return {
    id: p.id,
    call: p.call,
    agent: p.agent,
    queue: 'billing',
    scorecard: 'sc1',
    scorecard_version: 1,
    evaluator: 'qa1',
    status: p.status,
    action: p.status === 'draft' ? 'save' : 'submit',
    action_comment: '',
    calibration: p.calibration ?? '',
    answers: '{}',
    comment: '',
    total: p.total ?? null,
    raw_total: p.total ?? null,
    auto_fail: 0,
    passed: p.total === undefined || p.total === null ? null : p.total >= 70 ? 1 : 0,
    section_scores: '[]',
    disputes: 0,
    call_at: BASE,
    created_at: at,
    submitted_at: p.status === 'draft' ? null : at,
    version: p.version ?? 2,
    updated_at: at + (p.version ?? 2),
    updated_by: 'qa1',
  };
}

async function asUser<T>(cookie: string, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${server.url}${path}`, { headers: { cookie } });
  return { status: r.status, body: (await r.json()) as T };
}
const search = async (query: string, cookie = admin) => {
  const r = await asUser<CallSearchResult>(cookie, `/v1/qa/calls?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const ids = (r: CallSearchResult) => r.rows.map((x) => x.call);

async function post(cookie: string, method: string, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${server.url}${path}`, { method, headers: { cookie }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
}

beforeAll(async () => {
  const store = new ChdbStore(dir);
  await migrate(store);
  await store.insertRows('recordings', [
    recordingRow('c1', 'ready', 120, 0.1, 1, BASE + 10 * H),
    recordingRow('c2', 'ready', 300, 0.4, 5, BASE + 10 * H),
    recordingRow('c3', 'ready', 60, 0.2, 0, BASE + 10 * H),
    // an older version of c4 that the latest replaces
    { ...recordingRow('c4', 'processing', 0, 0, 0, BASE + 9 * H), version: 1 },
    { ...recordingRow('c4', 'ready', 600, 0.05, 10, BASE + 10 * H), version: 2 },
    // no events: started_at falls back to the upload
    recordingRow('c5', 'failed', 0, 0, 0, BASE + 5 * 24 * H),
  ]);
  await store.insertRows('qa_evaluations', [
    evaluationRow({ id: 'e1', call: 'c1', agent: 'a1', status: 'submitted', total: 80 }),
    evaluationRow({ id: 'e2', call: 'c2', agent: 'a2', status: 'draft' }),
    evaluationRow({ id: 'e3', call: 'c3', agent: 'a1', status: 'submitted', total: 95, calibration: 'cal-1' }),
    evaluationRow({ id: 'e4', call: 'c4', agent: 'a2', status: 'draft', version: 1 }),
    evaluationRow({ id: 'e4', call: 'c4', agent: 'a2', status: 'acknowledged', total: 50, version: 3 }),
  ]);
  await store.close();

  server = await ServerProcess.start(dir);
  admin = await server.login();
  await post(admin, 'POST', '/v1/users', { username: 'a1', password: 'a1-password-1', roles: ['agent'] });
  await post(admin, 'POST', '/v1/users', { username: 'qa1', password: 'qa1-password-1', roles: ['qa'] });
  agentA1 = await server.login('a1', 'a1-password-1');
  qaUser = await server.login('qa1', 'qa1-password-1');
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(FLOWS.flatMap(flow)) });
  expect(await r.json()).toMatchObject({ rejected_count: 0 });
  await post(admin, 'PUT', '/v1/teams/t1', { name: 'Team One' });
  await post(admin, 'PUT', '/v1/agents/a1', { name: 'Alice', team: 't1' });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('GET /v1/qa/calls', () => {
  it('lists the recorded calls (latest recording version, failed included), newest first, with the row fields', async () => {
    const r = await search('');
    expect(ids(r)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(r.total).toBe(5);
    const c1 = r.rows.find((x) => x.call === 'c1')!;
    expect(c1).toMatchObject<Partial<CallRow>>({
      started_at: BASE + H,
      site: 'berlin',
      direction: 'inbound',
      agent: 'a1',
      agent_name: 'Alice',
      team: 't1',
      queue: 'billing',
      caller: '+8613812345678',
      duration_s: 120,
      disposition: 'resolved',
      survey_score: 5,
      recording_status: 'ready',
      evaluations: 1,
      last_score: 80,
    });
    expect(c1.speech.silence_ratio).toBeCloseTo(0.1);
    const c4 = r.rows.find((x) => x.call === 'c4')!;
    expect(c4).toMatchObject({ recording_status: 'ready', duration_s: 600, evaluations: 1, last_score: 50 });
    // a draft and a calibration evaluation do not count
    expect(r.rows.find((x) => x.call === 'c2')).toMatchObject({ evaluations: 0, last_score: null, survey_score: 2 });
    expect(r.rows.find((x) => x.call === 'c3')).toMatchObject({ evaluations: 0, last_score: null, survey_score: null });
    expect(r.rows.find((x) => x.call === 'c5')).toMatchObject({ recording_status: 'failed', duration_s: null, started_at: BASE + 5 * 24 * H, agent: '' });
  });

  it.each([
    ['agent=a1', ['c3', 'c1']],
    ['team=t1', ['c3', 'c1']],
    ['queue=billing', ['c4', 'c1']],
    ['direction=outbound', ['c2']],
    ['min_duration_s=100&max_duration_s=400', ['c2', 'c1']],
    ['caller=1381234', ['c4', 'c1']],
    ['disposition=resolved', ['c3', 'c1']],
    ['survey_min=3', ['c4', 'c1']],
    ['survey_max=2', ['c2']],
    ['min_silence_ratio=0.3', ['c2']],
    ['min_talk_over_s=5', ['c4', 'c2']],
    ['evaluated=yes', ['c4', 'c1']],
    ['evaluated=no', ['c5', 'c3', 'c2']],
    ['score_min=60', ['c1']],
    ['score_max=60', ['c4']],
    [`from=${new Date(BASE + 1.5 * H).toISOString()}&to=${BASE + 3.5 * H}`, ['c3', 'c2']],
    ['queue=billing&evaluated=yes&agent=a2', ['c4']],
  ])('%s narrows to %j', async (q, expected) => {
    const r = await search(q);
    expect(ids(r)).toEqual(expected);
    expect(r.total).toBe(expected.length);
  });

  it('sorts by duration and score, pages with limit/offset and keeps the total', async () => {
    expect(ids(await search('sort=duration'))).toEqual(['c4', 'c2', 'c1', 'c3', 'c5']);
    expect(ids(await search('sort=duration&order=asc'))).toEqual(['c3', 'c1', 'c2', 'c4', 'c5']);
    expect(ids(await search('sort=score'))).toEqual(['c1', 'c4', 'c5', 'c3', 'c2']);
    const page = await search('limit=2&offset=1');
    expect(ids(page)).toEqual(['c4', 'c3']);
    expect(page.total).toBe(5);
    const past = await search('limit=2&offset=10');
    expect(past).toEqual({ rows: [], total: 5 });
  });

  it.each([
    ['limit=201', 'limit'],
    ['survey_min=6', 'survey_min'],
    ['from=yesterday', 'from'],
    ['min_duration_s=500&max_duration_s=100', 'min_duration_s'],
    ['evaluated=maybe', 'evaluated'],
    ['sort=caller', 'sort'],
    ['team=nope', 'team'],
    [`from=${BASE}&to=${BASE}`, 'to'],
  ])('400 for %s, naming %s', async (q, param) => {
    const r = await asUser<{ error: string }>(admin, `/v1/qa/calls?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.startsWith(`${param}: `), r.body.error).toBe(true);
  });

  it('an agent sees only the calls they handled, the number masked (first 3 and last 4 kept)', async () => {
    const r = await search('', agentA1);
    expect(ids(r)).toEqual(['c3', 'c1']);
    expect(r.rows.map((x) => x.caller)).toEqual(['+49****3456', '+86*******5678']);
    // the caller filter matches what the agent sees
    expect(ids(await search('caller=5678', agentA1))).toEqual(['c1']);
    expect(ids(await search('caller=1381234', agentA1))).toEqual([]);
    // asking for another agent's calls finds nothing
    expect(ids(await search('agent=a2', agentA1))).toEqual([]);
    // QA users see every call unmasked
    const qa = await search('agent=a1', qaUser);
    expect(qa.rows.map((x) => x.caller)).toEqual(['+4930123456', '+8613812345678']);
  });
});

describe('GET /v1/qa/calls/:call', () => {
  it('the call, its recording and its timeline placed from the first answer (IVR negative)', async () => {
    const r = await asUser<CallDetail>(admin, '/v1/qa/calls/c1');
    expect(r.status).toBe(200);
    expect(r.body.call).toMatchObject({ call: 'c1', agent: 'a1', last_score: 80, caller: '+8613812345678' });
    expect(r.body.recording).toMatchObject({ call: 'c1', status: 'ready', duration_s: 120, media_url: '/v1/recordings/c1/media' });
    const at = Object.fromEntries(r.body.timeline.map((e) => [e.type, e.at_s]));
    expect(at).toEqual({
      'call.offered': -20,
      'call.ivr': -18,
      'call.queued': -15,
      'call.ringing': -5,
      'call.answered': 0,
      'call.hold': 30,
      'call.unhold': 45,
      'call.ended': 120,
      'call.wrapup': 130,
      'call.survey': 180,
    });
    expect(r.body.timeline.map((e) => e.ts)).toEqual([...r.body.timeline.map((e) => e.ts)].sort((x, y) => x - y));
    const byType = (t: string) => r.body.timeline.find((e) => e.type === t)!;
    expect(byType('call.ivr').detail).toBe('main, input 1');
    expect(byType('call.hold').agent).toBe('a1');
    expect(byType('call.answered').queue).toBe('billing');
    expect(byType('call.wrapup').detail).toBe('resolved');
    expect(byType('call.offered').detail).toContain('from +8613812345678');
  });

  it('404 for a call without a recording or unknown; an agent: own call 200 (masked), another agent\'s 404', async () => {
    expect((await asUser(admin, '/v1/qa/calls/c6')).status).toBe(404);
    expect((await asUser(admin, '/v1/qa/calls/nope')).status).toBe(404);
    const own = await asUser<CallDetail>(agentA1, '/v1/qa/calls/c1');
    expect(own.status).toBe(200);
    expect(own.body.call.caller).toBe('+86*******5678');
    expect(own.body.timeline.find((e) => e.type === 'call.offered')!.detail).toContain('from +86*******5678');
    expect(JSON.stringify(own.body)).not.toContain('13812345678');
    expect((await asUser(agentA1, '/v1/qa/calls/c2')).status).toBe(404);
    expect((await asUser(agentA1, '/v1/qa/calls/nope')).status).toBe(404);
  });
});
