/**
 * QA reports against the real server process and chDB (center zone Asia/Shanghai): a small
 * set of evaluations written to the store before the server starts (shaped like migration
 * 0007, scored with schemas/qa-score.ts as the evaluation service stores them); every figure
 * is checked against a computation by hand. Drafts and calibration are left out, an
 * auto-fail counts as 0, a rescored evaluation counts with its current version, week and
 * month periods start in the zone, and the CSV has the BOM and the JSON field names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import { migrate } from '../platform/store/migrate.ts';
import { scoreEvaluation, type AnswerValue } from '../schemas/qa-score.ts';
import type { QaReport, QaReportRow, Section } from '../schemas/qa.ts';
import { removeDir, ServerProcess, tempDataDir } from './helpers/server-process.ts';

const dir = tempDataDir('qa-reports');
let server: ServerProcess;
let admin = '';
let agentA1 = '';

const SECTIONS_V1: Section[] = [
  {
    id: 'greet',
    title: 'Greeting',
    weight: 1,
    questions: [
      { id: 'g1', text: 'Said their name', kind: 'yes_no', points: 10, na_allowed: false, critical: false },
      { id: 'g2', text: 'Verified identity', kind: 'yes_no', points: 10, na_allowed: false, critical: true },
    ],
  },
  {
    id: 'know',
    title: 'Knowledge',
    weight: 1,
    questions: [
      { id: 'k1', text: 'Business knowledge errors', kind: 'errors', points: 10, per_error: 5, na_allowed: false, critical: false },
      { id: 'k2', text: 'Explained clearly', kind: 'scale', points: 10, scale_max: 5, na_allowed: true, critical: false },
    ],
  },
];
const SECTIONS_V2: Section[] = SECTIONS_V1.map((s) => ({ ...s, title: `${s.title} v2` }));

const PASS_MARK = 70;
let seq = 0;

function evaluation(p: { id: string; agent: string; queue: string; evaluator: string; status: string; at: string; answers: Record<string, AnswerValue>; disputes?: number; calibration?: string; version?: number }) {
  const score = scoreEvaluation(SECTIONS_V1, p.answers);
  const at = Date.parse(p.at);
  return {
    id: p.id,
    call: `call-${p.id}`,
    agent: p.agent,
    queue: p.queue,
    scorecard: 'sc1',
    scorecard_version: 1,
    evaluator: p.evaluator,
    status: p.status,
    action: 'submit',
    action_comment: '',
    calibration: p.calibration ?? '',
    answers: JSON.stringify(p.answers),
    comment: '',
    total: score.total,
    raw_total: score.raw_total,
    auto_fail: score.auto_fail ? 1 : 0,
    passed: p.status === 'draft' || score.total === null ? null : score.total >= PASS_MARK ? 1 : 0,
    section_scores: JSON.stringify(score.sections),
    disputes: p.disputes ?? 0,
    call_at: at,
    created_at: at + 3_600_000,
    submitted_at: p.status === 'draft' ? null : at + 3_600_000,
    version: p.version ?? 1,
    updated_at: at + 3_600_000 + ++seq,
    updated_by: p.evaluator,
  };
}

const ROWS = [
  // E1: 100, passed (Mon 2 Nov 09:00 in Shanghai)
  evaluation({ id: 'E1', agent: 'a1', queue: 'billing', evaluator: 'qa1', status: 'submitted', at: '2026-11-02T01:00:00Z', answers: { g1: { value: 1 }, g2: { value: 1 }, k1: { value: 0 }, k2: { value: 5 } } }),
  // E2: greet 50, know 25 → 37.5, failed, disputed once and upheld (Mon 9 Nov 23:30 local)
  evaluation({ id: 'E2', agent: 'a1', queue: 'billing', evaluator: 'qa2', status: 'upheld', disputes: 1, at: '2026-11-09T15:30:00Z', answers: { g1: { value: 0 }, g2: { value: 1 }, k1: { value: 2 }, k2: { value: 3 } } }),
  // E3: critical g2 missed → auto-fail 0 (raw 62.5); Mon 16 Nov 01:00 local = Sun 15 Nov in UTC
  evaluation({ id: 'E3', agent: 'a2', queue: 'sales', evaluator: 'qa1', status: 'acknowledged', at: '2026-11-15T17:00:00Z', answers: { g1: { value: 1 }, g2: { value: 0 }, k1: { value: 1 }, k2: { value: 5 } } }),
  // E4: a draft: left out
  evaluation({ id: 'E4', agent: 'a1', queue: 'billing', evaluator: 'qa1', status: 'draft', at: '2026-11-10T02:00:00Z', answers: { g1: { value: 0 }, g2: { value: 0 }, k1: { value: 9 }, k2: { value: 1 } } }),
  // E5: calibration: left out
  evaluation({ id: 'E5', agent: 'a2', queue: 'sales', evaluator: 'qa2', status: 'submitted', calibration: 'cal-1', at: '2026-11-10T02:00:00Z', answers: { g1: { value: 0 }, g2: { value: 0 }, k1: { value: 9 }, k2: { value: 1 } } }),
  // E6: version 1 scored 25 and was disputed; version 2 (rescored) greet 100, know 50 → 75, passed (Fri 20 Nov)
  evaluation({ id: 'E6', agent: 'a1', queue: 'billing', evaluator: 'qa1', status: 'disputed', disputes: 1, at: '2026-11-20T04:00:00Z', answers: { g1: { value: 0 }, g2: { value: 1 }, k1: { value: 2 }, k2: { value: 1 } } }),
  evaluation({ id: 'E6', agent: 'a1', queue: 'billing', evaluator: 'qa1', status: 'rescored', disputes: 1, version: 2, at: '2026-11-20T04:00:00Z', answers: { g1: { value: 1 }, g2: { value: 1 }, k1: { value: 2 }, k2: { value: 5 } } }),
  // E7: outside the range
  evaluation({ id: 'E7', agent: 'a3', queue: 'billing', evaluator: 'qa2', status: 'submitted', at: '2026-12-05T02:00:00Z', answers: { g1: { value: 1 }, g2: { value: 1 }, k1: { value: 0 }, k2: { value: 5 } } }),
];

// 1 Nov 00:00 to 1 Dec 00:00 in Shanghai
const RANGE = `from=${encodeURIComponent('2026-11-01T00:00:00+08:00')}&to=${Date.parse('2026-11-30T16:00:00Z')}`;

async function get<T>(path: string, cookie = admin): Promise<{ status: number; body: T; type: string; text: string; raw: Buffer }> {
  const r = await fetch(`${server.url}${path}`, { headers: { cookie } });
  // the bytes as sent (Response.text() would drop a BOM)
  const raw = Buffer.from(await r.arrayBuffer());
  const text = raw.toString('utf8');
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, body: (type.includes('json') ? JSON.parse(text) : null) as T, type, text, raw };
}
async function report(query: string, cookie = admin): Promise<QaReport> {
  const r = await get<QaReport>(`/v1/qa/reports?${RANGE}&${query}`, cookie);
  expect(r.status, r.text).toBe(200);
  return r.body;
}
const byKey = (rows: QaReportRow[]) => Object.fromEntries(rows.map((r) => [r.key, r]));

beforeAll(async () => {
  const store = new ChdbStore(dir);
  await migrate(store);
  const card = (version: number, sections: Section[]) => ({ id: 'sc1', name: 'Card', description: '', sections: JSON.stringify(sections), pass_mark: PASS_MARK, archived: 0, version, updated_at: Date.now(), updated_by: 'qa1' });
  await store.insertRows('qa_scorecards', [card(1, SECTIONS_V1), card(2, SECTIONS_V2)]);
  await store.insertRows('qa_evaluations', ROWS);
  await store.close();
  server = await ServerProcess.start(dir, { DEFAULT_TIME_ZONE: 'Asia/Shanghai' });
  admin = await server.login();
  const put = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${server.url}${path}`, { method, headers: { cookie: admin }, body: JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  };
  await put('PUT', '/v1/teams/t1', { name: 'Team One' });
  await put('PUT', '/v1/teams/t2', { name: 'Team Two' });
  await put('PUT', '/v1/agents/a1', { name: 'Alice', team: 't1' });
  await put('PUT', '/v1/agents/a2', { name: 'Bob', team: 't2' });
  await put('POST', '/v1/users', { username: 'a1', password: 'a1-password-1', roles: ['agent'] });
  agentA1 = await server.login('a1', 'a1-password-1');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('GET /v1/qa/reports', () => {
  it('by agent over the range: counted evaluations only, auto-fail as 0, current versions', async () => {
    const r = await report('group=agent&interval=total');
    expect(r).toMatchObject({ group: 'agent', interval: 'total', time_zone: 'Asia/Shanghai', from: Date.parse('2026-10-31T16:00:00Z') });
    const rows = byKey(r.rows);
    expect(Object.keys(rows).sort()).toEqual(['a1', 'a2']);
    // a1: E1 100, E2 37.5, E6 75 (its rescored version); passed E1, E6; disputed E2, E6; errors 0 + 2 + 2
    expect(rows.a1).toMatchObject({ label: 'Alice', period: null, evaluations: 3, auto_fails: 0, passed: 2, disputed: 2, errors: 4 });
    expect(rows.a1!.avg_score).toBeCloseTo((100 + 37.5 + 75) / 3, 2);
    // a2: E3 auto-fail (0), 1 error
    expect(rows.a2).toMatchObject({ label: 'Bob', evaluations: 1, avg_score: 0, auto_fails: 1, passed: 0, disputed: 0, errors: 1 });
  });

  it('by team, queue and evaluator', async () => {
    const team = byKey((await report('group=team')).rows);
    expect(team.t1).toMatchObject({ label: 'Team One', evaluations: 3, passed: 2 });
    expect(team.t2).toMatchObject({ label: 'Team Two', evaluations: 1, auto_fails: 1 });
    const queue = byKey((await report('group=queue')).rows);
    expect(queue.billing).toMatchObject({ evaluations: 3, errors: 4 });
    expect(queue.sales).toMatchObject({ evaluations: 1, avg_score: 0 });
    const ev = byKey((await report('group=evaluator')).rows);
    expect(ev.qa1).toMatchObject({ evaluations: 3, auto_fails: 1, errors: 3 });
    expect(ev.qa1!.avg_score).toBeCloseTo((100 + 0 + 75) / 3, 2);
    expect(ev.qa2).toMatchObject({ evaluations: 1, avg_score: 37.5, disputed: 1, errors: 2 });
  });

  it('by section and question: titles of the version scored on, section %, question %, errors', async () => {
    const sec = byKey((await report('group=section')).rows);
    // greet: E1 100, E2 50, E3 50, E6 100; the auto-fail's critical miss is in it
    expect(sec.greet).toMatchObject({ label: 'Greeting', evaluations: 4, avg_score: 75, auto_fails: 1, passed: 2, disputed: 2, errors: 0 });
    // know: E1 100, E2 25, E3 75, E6 50; errors 0 + 2 + 1 + 2
    expect(sec.know).toMatchObject({ label: 'Knowledge', evaluations: 4, avg_score: 62.5, auto_fails: 0, errors: 5 });
    const q = byKey((await report('group=question')).rows);
    expect(q.g2).toMatchObject({ label: 'Verified identity', evaluations: 4, avg_score: 75, auto_fails: 1 });
    expect(q.k1).toMatchObject({ label: 'Business knowledge errors', evaluations: 4, avg_score: 37.5, errors: 5 });
    expect(q.k2).toMatchObject({ evaluations: 4, errors: 0 });
    expect(q.k2!.avg_score).toBeCloseTo((100 + 50 + 100 + 100) / 4, 2);
  });

  it('week and month periods start in the zone (Monday; the 1st), or in ?tz', async () => {
    const weeks = (await report('group=agent&interval=week')).rows.map((r) => [r.key, r.period, r.evaluations]);
    expect(weeks).toEqual([
      ['a1', Date.parse('2026-11-01T16:00:00Z'), 1],
      ['a1', Date.parse('2026-11-08T16:00:00Z'), 1],
      ['a1', Date.parse('2026-11-15T16:00:00Z'), 1],
      ['a2', Date.parse('2026-11-15T16:00:00Z'), 1],
    ]);
    // in UTC, E3 (15 Nov 17:00Z, a Sunday) falls in the week of 9 Nov
    const utc = (await report('group=agent&interval=week&tz=UTC')).rows.filter((r) => r.key === 'a2');
    expect(utc.map((r) => r.period)).toEqual([Date.parse('2026-11-09T00:00:00Z')]);
    const months = (await report('group=agent&interval=month')).rows.map((r) => [r.key, r.period, r.evaluations]);
    expect(months).toEqual([
      ['a1', Date.parse('2026-10-31T16:00:00Z'), 3],
      ['a2', Date.parse('2026-10-31T16:00:00Z'), 1],
    ]);
    const days = (await report('group=agent&interval=day')).rows.filter((r) => r.key === 'a2');
    expect(days.map((r) => r.period)).toEqual([Date.parse('2026-11-15T16:00:00Z')]);
  });

  it('filters: agent, team, queue', async () => {
    expect((await report('group=question&agent=a2')).rows.every((r) => r.evaluations === 1)).toBe(true);
    expect((await report('group=agent&team=t1')).rows.map((r) => r.key)).toEqual(['a1']);
    expect((await report('group=agent&queue=sales')).rows.map((r) => r.key)).toEqual(['a2']);
  });

  it('CSV: BOM, the JSON field names, period as ISO 8601 with offset, no %', async () => {
    const r = await get<null>(`/v1/qa/reports?${RANGE}&group=agent&interval=week&format=csv`);
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/csv');
    expect([...r.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = r.text.slice(1).trim().split(/\r\n/);
    expect(lines[0]).toBe('key,label,period,evaluations,avg_score,auto_fails,passed,disputed,errors');
    expect(lines[1]).toBe('a1,Alice,2026-11-02T00:00:00+08:00,1,100,0,1,0,0');
    expect(lines).toHaveLength(5);
    expect(r.text).not.toContain('%');
    const total = await get<null>(`/v1/qa/reports?${RANGE}&group=agent&format=csv`);
    expect(total.text.slice(1).split('\r\n')[2]).toBe('a2,Bob,,1,0,1,0,0,1');
  });

  it('an agent: own evaluations only, groups agent / section / question', async () => {
    const own = await report('group=agent', agentA1);
    expect(own.rows.map((r) => [r.key, r.evaluations])).toEqual([['a1', 3]]);
    const q = byKey((await report('group=question', agentA1)).rows);
    expect(q.g2!.evaluations).toBe(3);
    expect((await get(`/v1/qa/reports?${RANGE}&group=team`, agentA1)).status).toBe(403);
    expect((await get(`/v1/qa/reports?${RANGE}&group=agent&agent=a2`, agentA1)).status).toBe(403);
  });

  it.each([
    ['group=agent', 'from'],
    [`from=${Date.parse('2026-11-01T00:00:00Z')}&group=agent`, 'to'],
    [`${RANGE}&group=teams`, 'group'],
    [`${RANGE}&interval=hour`, 'interval'],
    [`${RANGE}&tz=Mars/Base`, 'tz'],
    [`${RANGE}&team=nope`, 'team'],
    [`${RANGE}&format=xlsx`, 'format'],
  ])('400 for %s, naming %s', async (q, param) => {
    const r = await get<{ error: string }>(`/v1/qa/reports?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.startsWith(`${param}: `), r.body.error).toBe(true);
  });
});
