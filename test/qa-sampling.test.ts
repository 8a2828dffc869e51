/**
 * Sampling rules and work queues against the real server process and chDB (zone
 * Asia/Shanghai): recordings, scorecards and evaluations are written to the store while the
 * server is stopped (shaped like migrations 0006/0007), call events go through the ingest.
 * N per agent per ISO week, the rule's filter, round robin over evaluators, assignments that
 * stay when new calls arrive, and todo → draft / done from the evaluations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import { migrate } from '../platform/store/migrate.ts';
import type { Store } from '../platform/store/store.ts';
import type { SamplingRule, WorkItem } from '../schemas/qa.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('qa-sampling');
let server: ServerProcess;
const cookies = new Map<string, string>();

// the week of Monday 2026-11-16 in Asia/Shanghai: [2026-11-15T16:00Z, 2026-11-22T16:00Z)
const WEEK_START = Date.parse('2026-11-15T16:00:00Z');
const H = 3_600_000;

interface Call {
  call: string;
  start: number;
  agent: string;
  queue: string;
  duration_s: number;
  status?: string;
}

const FIRST: Call[] = [
  { call: 's0', start: WEEK_START - H, agent: 'a1', queue: 'billing', duration_s: 100 }, // Sunday 23:00 local: the week before
  { call: 's1', start: WEEK_START + H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 's2', start: WEEK_START + 2 * H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 's3', start: WEEK_START + 3 * H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 's4', start: WEEK_START + 4 * H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 's5', start: WEEK_START + 5 * H, agent: 'a1', queue: 'sales', duration_s: 100 },
  { call: 's6', start: WEEK_START + 6 * H, agent: 'a1', queue: 'billing', duration_s: 100, status: 'failed' },
  { call: 't1', start: WEEK_START + 30 * H, agent: 'a2', queue: 'billing', duration_s: 300 },
  { call: 't2', start: WEEK_START + 31 * H, agent: 'a2', queue: 'billing', duration_s: 100 },
  { call: 't3', start: WEEK_START + 32 * H, agent: 'a2', queue: 'billing', duration_s: 300 }, // already evaluated
  { call: 'u1', start: WEEK_START + 50 * H, agent: 'a3', queue: 'billing', duration_s: 100 },
];
const LATER: Call[] = [
  { call: 's7', start: WEEK_START + 100 * H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 's8', start: WEEK_START + 101 * H, agent: 'a1', queue: 'billing', duration_s: 100 },
  { call: 'u2', start: WEEK_START + 102 * H, agent: 'a3', queue: 'billing', duration_s: 100 },
];

function events(c: Call): Record<string, unknown>[] {
  const ev = (n: number, type: string, ts: number, extra: Record<string, unknown>) => ({ id: `${c.call}-${n}`, type, ts, call: c.call, ...extra });
  return [
    ev(1, 'call.offered', c.start, { direction: 'inbound', from: '+8613812345678' }),
    ev(2, 'call.queued', c.start + 1000, { queue: c.queue }),
    ev(3, 'call.answered', c.start + 5000, { queue: c.queue, agent: c.agent }),
    ev(4, 'call.ended', c.start + 5000 + c.duration_s * 1000, { by: 'agent' }),
  ];
}

function recordingRow(c: Call) {
  return {
    call: c.call,
    sha256: `sha-${c.call}`,
    status: c.status ?? 'ready',
    channels: ['agent', 'customer'],
    duration_s: c.duration_s,
    sample_rate: 8000,
    silence_ratio: 0.1,
    talk_over_s: 1,
    uploaded_at: c.start + 600_000,
    source: 'test',
    version: 1,
    updated_at: c.start + 600_000,
  };
}

function evaluationRow(id: string, call: string, agent: string, status: string, evaluator = 'qa1') {
  const at = WEEK_START + 120 * H;
  return {
    id,
    call,
    agent,
    queue: 'billing',
    scorecard: 'sc1',
    scorecard_version: 1,
    evaluator,
    status,
    action: status === 'draft' ? 'save' : 'submit',
    calibration: '',
    answers: '{}',
    total: status === 'draft' ? null : 90,
    auto_fail: 0,
    section_scores: '[]',
    disputes: 0,
    call_at: WEEK_START,
    created_at: at,
    submitted_at: status === 'draft' ? null : at,
    version: 1,
    updated_at: at,
    updated_by: evaluator,
  };
}

/** Writes to the store while no server holds it. */
async function withStore(f: (s: Store) => Promise<void>): Promise<void> {
  const store = new ChdbStore(dir);
  await migrate(store);
  await f(store);
  await store.close();
}

async function call(who: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method, headers: { cookie: cookies.get(who)! }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
async function ok<T>(who: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await call(who, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
async function sendEvents(calls: Call[]): Promise<void> {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(calls.flatMap(events)) });
  expect(await r.json()).toMatchObject({ rejected_count: 0 });
}
async function login(): Promise<void> {
  cookies.set('admin', await server.login());
  for (const u of ['qa1', 'qa2', 'ag']) cookies.set(u, await server.login(u, `${u}-password-1`));
}
const queue = (who: string, query = 'week=2026-11-16') => ok<{ week: string; evaluator: string; items: WorkItem[] }>(who, 'GET', `/v1/qa/queue?${query}`);

const ruleBody = (over: Partial<SamplingRule> = {}) => ({
  name: 'Billing weekly',
  active: true,
  scorecard: 'sc1',
  evaluators: ['qa1', 'qa2'],
  per_agent_per_week: 2,
  filter: { queues: ['billing'] },
  ...over,
});

let rule: SamplingRule;
let first: WorkItem[] = [];

beforeAll(async () => {
  await withStore(async (s) => {
    await s.insertRows('qa_scorecards', [
      { id: 'sc1', name: 'Card', description: '', sections: '[]', pass_mark: 70, archived: 0, version: 1, updated_at: WEEK_START, updated_by: 'qa1' },
      { id: 'old', name: 'Old', description: '', sections: '[]', pass_mark: 70, archived: 1, version: 1, updated_at: WEEK_START, updated_by: 'qa1' },
    ]);
    await s.insertRows('recordings', FIRST.map(recordingRow));
    await s.insertRows('qa_evaluations', [evaluationRow('ev-t3', 't3', 'a2', 'submitted')]);
  });
  server = await ServerProcess.start(dir, { DEFAULT_TIME_ZONE: 'Asia/Shanghai' });
  cookies.set('admin', await server.login());
  for (const [u, roles] of [['qa1', ['qa']], ['qa2', ['qa']], ['ag', ['agent']]] as const) {
    await ok('admin', 'POST', '/v1/users', { username: u, password: `${u}-password-1`, roles });
  }
  await login();
  await sendEvents(FIRST);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('sampling rules', () => {
  it.each([
    [{ scorecard: 'nope' }, 'scorecard'],
    [{ scorecard: 'old' }, 'scorecard'],
    [{ evaluators: ['qa1', 'ag'] }, 'evaluators'],
    [{ evaluators: ['nobody-here'] }, 'evaluators'],
    [{ filter: { min_duration_s: 300, max_duration_s: 100 } }, 'filter.min_duration_s'],
    [{ filter: { survey_min: 4, survey_max: 2 } }, 'filter.survey_min'],
    [{ filter: { teams: ['no-such-team'] } }, 'filter.teams'],
    [{ per_agent_per_week: 0 }, 'per_agent_per_week'],
  ])('400 for %j, naming %s', async (over, field) => {
    const r = await call('qa1', 'POST', '/v1/qa/sampling-rules', ruleBody(over as Partial<SamplingRule>));
    expect(r.status).toBe(400);
    const { error } = (await r.json()) as { error: string };
    expect(error.startsWith(field), error).toBe(true);
  });

  it('POST creates (201), PUT makes a new version, GET lists the current ones, DELETE removes', async () => {
    const r = await call('qa1', 'POST', '/v1/qa/sampling-rules', ruleBody({ name: 'draft name' }));
    expect(r.status).toBe(201);
    const created = (await r.json()) as SamplingRule;
    expect(created).toMatchObject({ name: 'draft name', evaluators: ['qa1', 'qa2'], per_agent_per_week: 2, updated_by: 'qa1' });
    rule = await ok<SamplingRule>('qa1', 'PUT', `/v1/qa/sampling-rules/${created.id}`, ruleBody());
    expect(rule.version).toBeGreaterThan(created.version);
    expect(rule.name).toBe('Billing weekly');
    const other = await ok<SamplingRule>('qa2', 'POST', '/v1/qa/sampling-rules', ruleBody({ name: 'temp', active: false }));
    expect(((await call('qa2', 'DELETE', `/v1/qa/sampling-rules/${other.id}`)).status)).toBe(200);
    expect((await call('qa2', 'DELETE', `/v1/qa/sampling-rules/${other.id}`)).status).toBe(404);
    expect((await call('qa2', 'PUT', `/v1/qa/sampling-rules/${other.id}`, ruleBody())).status).toBe(404);
    const { rules } = await ok<{ rules: SamplingRule[] }>('qa1', 'GET', '/v1/qa/sampling-rules');
    expect(rules.map((x) => [x.id, x.name])).toEqual([[rule.id, 'Billing weekly']]);
  });
});

describe('work queues', () => {
  it('N per agent per week of the matching ready, unevaluated calls, round robin over the evaluators', async () => {
    const q1 = await queue('qa1');
    const q2 = await queue('qa2');
    expect(q1.week).toBe('2026-11-16');
    first = [...q1.items, ...q2.items];
    const calls = first.map((i) => i.call.call);
    expect(new Set(calls).size).toBe(5);
    // never: the week before (s0), another queue (s5), a failed recording (s6), an evaluated call (t3)
    for (const c of ['s0', 's5', 's6', 't3']) expect(calls).not.toContain(c);
    const perAgent: Record<string, number> = {};
    for (const i of first) perAgent[i.call.agent] = (perAgent[i.call.agent] ?? 0) + 1;
    expect(perAgent).toEqual({ a1: 2, a2: 2, a3: 1 });
    expect(calls.filter((c) => c.startsWith('t')).sort()).toEqual(['t1', 't2']);
    // 5 picks alternate qa1, qa2, qa1, qa2, qa1
    expect(q1.items).toHaveLength(3);
    expect(q2.items).toHaveLength(2);
    expect(q1.items.every((i) => i.assigned_to === 'qa1' && i.rule === rule.id && i.rule_name === 'Billing weekly' && i.scorecard === 'sc1' && i.week === '2026-11-16')).toBe(true);
    expect(first.every((i) => i.state === 'todo' && i.evaluation === null && i.call.queue === 'billing' && i.call.recording_status === 'ready')).toBe(true);
  });

  it('is stable: asking again (any day of the week, or for someone else) gives the same calls', async () => {
    const again = await queue('qa1', 'week=2026-11-19');
    expect(again.items.map((i) => i.call.call)).toEqual(first.filter((i) => i.assigned_to === 'qa1').map((i) => i.call.call));
    const other = await queue('qa1', 'evaluator=qa2&week=2026-11-22');
    expect(other.evaluator).toBe('qa2');
    expect(other.items.map((i) => i.call.call)).toEqual(first.filter((i) => i.assigned_to === 'qa2').map((i) => i.call.call));
  });

  it('a filter narrows the sample (agents, duration) and a second rule samples on its own', async () => {
    const r2 = await ok<SamplingRule>('admin', 'POST', '/v1/qa/sampling-rules', ruleBody({ name: 'Long a2', evaluators: ['admin'], per_agent_per_week: 5, filter: { agents: ['a2'], min_duration_s: 200 } }));
    const mine = await queue('admin');
    expect(mine.items.map((i) => [i.rule, i.call.call])).toEqual([[r2.id, 't1']]);
    await call('admin', 'DELETE', `/v1/qa/sampling-rules/${r2.id}`);
    expect((await queue('admin')).items).toEqual([]);
  });

  it('other weeks: the current one is empty here; the week before holds s0 (Sunday 23:00 in the zone); a bad week is 400', async () => {
    expect((await queue('qa1', '')).items).toEqual([]);
    const before = await queue('qa1', 'week=2026-11-15');
    expect(before.week).toBe('2026-11-09');
    expect(before.items.map((i) => i.call.call)).toEqual(['s0']);
    const bad = await call('qa1', 'GET', '/v1/qa/queue?week=2026-13-01');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^week: /);
  });

  it('new calls never push an assigned call out; states follow the evaluations; changes are audited', async () => {
    const qa1Items = first.filter((i) => i.assigned_to === 'qa1');
    const [doneCall, draftCall] = [qa1Items[0]!.call, qa1Items[1]!.call];
    await server.stop();
    let audited: string[] = [];
    await withStore(async (s) => {
      await s.insertRows('recordings', LATER.map(recordingRow));
      await s.insertRows('qa_evaluations', [
        evaluationRow('ev-done', doneCall.call, doneCall.agent, 'submitted'),
        evaluationRow('ev-draft', draftCall.call, draftCall.agent, 'draft'),
        // calibration evaluations do not make a work item done
        { ...evaluationRow('ev-cal', qa1Items[2]!.call.call, qa1Items[2]!.call.agent, 'submitted'), calibration: 'cal-1' },
      ]);
      audited = (await s.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'qa_sampling_rule%' ORDER BY ts`)).map((r) => r.action);
    });
    expect(audited).toEqual(['qa_sampling_rule_created', 'qa_sampling_rule_saved', 'qa_sampling_rule_created', 'qa_sampling_rule_deleted', 'qa_sampling_rule_created', 'qa_sampling_rule_deleted']);
    await server.start();
    await login();
    await sendEvents(LATER);

    const q1 = await queue('qa1');
    const q2 = await queue('qa2');
    const now = [...q1.items, ...q2.items];
    // every earlier pick is still there, with the same evaluator
    for (const i of first) expect(now.find((n) => n.call.call === i.call.call)?.assigned_to).toBe(i.assigned_to);
    // a1 was full (s7, s8 not taken); a3 had one free place: u2 fills it, round robin continues (6th pick → qa2)
    expect(now.map((i) => i.call.call)).not.toContain('s7');
    expect(now.map((i) => i.call.call)).not.toContain('s8');
    expect(now.find((i) => i.call.call === 'u2')?.assigned_to).toBe('qa2');
    expect(now).toHaveLength(6);
    const state = Object.fromEntries(q1.items.map((i) => [i.call.call, [i.state, i.evaluation]]));
    expect(state[doneCall.call]).toEqual(['done', 'ev-done']);
    expect(state[draftCall.call]).toEqual(['draft', 'ev-draft']);
    expect(state[qa1Items[2]!.call.call]).toEqual(['todo', null]);
  });
});
