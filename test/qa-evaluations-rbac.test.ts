/**
 * RBAC of every QA evaluations-side route (scorecards, evaluations and their actions, comment
 * pins, calibration) against the real server process: each role, the evaluated agent and
 * another agent, a display token, and nobody. Routes that change state act on objects made
 * for each caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evaluation, ScorecardInput } from '../schemas/qa.ts';
import { callFlow } from './helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('qa-evaluations-rbac');
let server: ServerProcess;

const USERS = { manager: ['manager'], supervisor: ['supervisor'], qa: ['qa'], agent: ['agent'], agent2: ['agent'] } as const;
const CALLERS = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'agent2', 'display', 'nobody'] as const;
type Caller = (typeof CALLERS)[number];
const cookies = new Map<Caller, string>();
let displayToken = '';
let call = '';
let scorecard = '';

async function request(caller: Caller, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const cookie = cookies.get(caller);
  if (cookie) headers.cookie = cookie;
  if (caller === 'display') headers.authorization = `Bearer ${displayToken}`;
  return fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}
async function as<T>(caller: Caller, method: string, path: string, body?: unknown): Promise<T> {
  const r = await request(caller, method, path, body);
  if (r.status >= 300) throw new Error(`${caller} ${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

const CARD: ScorecardInput = {
  name: 'RBAC card',
  pass_mark: 50,
  sections: [{ id: 's', title: 'S', weight: 1, questions: [{ id: 'q', text: 'Q', kind: 'yes_no', points: 10, na_allowed: false, critical: false }] }],
};

/** `ok` for the callers named (or a status per caller), 403 for other credentials, 401 for nobody. */
function expected(ok: number, allowed: readonly Caller[], special: Partial<Record<Caller, number>> = {}): Record<Caller, number> {
  return Object.fromEntries(CALLERS.map((c) => [c, special[c] ?? (allowed.includes(c) ? ok : c === 'nobody' ? 401 : 403)])) as Record<Caller, number>;
}
const READERS: Caller[] = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'agent2'];
const QA: Caller[] = ['admin', 'qa'];

/** Objects made for each caller before the matrix runs. */
const per = {
  draft: new Map<Caller, string>(),
  complete: new Map<Caller, string>(),
  submitted: new Map<Caller, string>(),
  submitted2: new Map<Caller, string>(),
  disputed: new Map<Caller, string>(),
  disputed2: new Map<Caller, string>(),
  comment: new Map<Caller, string>(),
  session: new Map<Caller, string>(),
};
let shared = { submitted: '', draft: '', session: '' };

async function evaluation(state: 'draft' | 'complete' | 'submitted' | 'disputed'): Promise<string> {
  const ev = await as<Evaluation>('qa', 'POST', '/v1/qa/evaluations', { call, scorecard });
  if (state === 'draft') return ev.id;
  await as('qa', 'PUT', `/v1/qa/evaluations/${ev.id}`, { answers: { q: { value: 1 } } });
  if (state === 'complete') return ev.id;
  await as('qa', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'submit' });
  if (state === 'submitted') return ev.id;
  await as('agent', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'dispute', comment: 'I disagree' });
  return ev.id;
}

interface Case {
  name: string;
  method: string;
  path: (c: Caller) => string;
  body?: (c: Caller) => unknown;
  expect: Record<Caller, number>;
}

const CASES: Case[] = [
  { name: 'GET scorecards', method: 'GET', path: () => '/v1/qa/scorecards', expect: expected(200, READERS) },
  { name: 'GET scorecard', method: 'GET', path: () => '/v1/qa/scorecards/front-line', expect: expected(200, READERS) },
  { name: 'POST scorecard', method: 'POST', path: () => '/v1/qa/scorecards', body: () => CARD, expect: expected(201, QA) },
  { name: 'PUT scorecard', method: 'PUT', path: () => `/v1/qa/scorecards/${scorecard}`, body: () => CARD, expect: expected(200, QA) },
  { name: 'POST evaluation', method: 'POST', path: () => '/v1/qa/evaluations', body: () => ({ call, scorecard }), expect: expected(201, QA) },
  { name: 'GET evaluations', method: 'GET', path: () => '/v1/qa/evaluations', expect: expected(200, READERS) },
  { name: 'GET submitted evaluation', method: 'GET', path: () => `/v1/qa/evaluations/${shared.submitted}`, expect: expected(200, READERS, { agent2: 404 }) },
  { name: 'GET draft evaluation', method: 'GET', path: () => `/v1/qa/evaluations/${shared.draft}`, expect: expected(200, READERS, { agent: 404, agent2: 404 }) },
  {
    name: 'PUT evaluation (evaluator or admin)',
    method: 'PUT',
    path: (c) => `/v1/qa/evaluations/${per.draft.get(c)}`,
    body: () => ({ answers: { q: { value: 0 } } }),
    expect: expected(200, QA),
  },
  {
    name: 'submit (the evaluator only)',
    method: 'POST',
    path: (c) => `/v1/qa/evaluations/${per.complete.get(c)}/actions`,
    body: () => ({ action: 'submit' }),
    expect: expected(200, ['qa'], { agent: 404, agent2: 404 }),
  },
  {
    name: 'acknowledge (the agent only)',
    method: 'POST',
    path: (c) => `/v1/qa/evaluations/${per.submitted.get(c)}/actions`,
    body: () => ({ action: 'acknowledge', reviewed: true }),
    expect: expected(200, ['agent'], { agent2: 404 }),
  },
  {
    name: 'dispute (the agent only)',
    method: 'POST',
    path: (c) => `/v1/qa/evaluations/${per.submitted2.get(c)}/actions`,
    body: () => ({ action: 'dispute', comment: 'no' }),
    expect: expected(200, ['agent'], { agent2: 404 }),
  },
  {
    name: 'rescore (QA)',
    method: 'POST',
    path: (c) => `/v1/qa/evaluations/${per.disputed.get(c)}/actions`,
    body: () => ({ action: 'rescore' }),
    expect: expected(200, QA, { agent2: 404 }),
  },
  {
    name: 'uphold (QA)',
    method: 'POST',
    path: (c) => `/v1/qa/evaluations/${per.disputed2.get(c)}/actions`,
    body: () => ({ action: 'uphold', comment: 'stands' }),
    expect: expected(200, QA, { agent2: 404 }),
  },
  { name: 'GET comments', method: 'GET', path: () => `/v1/qa/calls/${call}/comments`, expect: expected(200, READERS, { agent2: 404 }) },
  {
    name: 'POST comment',
    method: 'POST',
    path: () => `/v1/qa/calls/${call}/comments`,
    body: () => ({ at_s: 1, text: 'pin', visibility: 'public' }),
    expect: expected(201, [...QA, 'agent'], { agent2: 404 }),
  },
  { name: 'DELETE comment (author or admin)', method: 'DELETE', path: (c) => `/v1/qa/comments/${per.comment.get(c)}`, expect: expected(204, QA, { agent: 403, agent2: 403 }) },
  {
    name: 'POST calibration',
    method: 'POST',
    path: () => '/v1/qa/calibrations',
    body: () => ({ call, scorecard, reference: 'qa', evaluators: ['qa'] }),
    expect: expected(201, QA),
  },
  { name: 'GET calibrations', method: 'GET', path: () => '/v1/qa/calibrations', expect: expected(200, QA) },
  { name: 'GET calibration', method: 'GET', path: () => `/v1/qa/calibrations/${shared.session}`, expect: expected(200, QA) },
  { name: 'close calibration', method: 'POST', path: (c) => `/v1/qa/calibrations/${per.session.get(c)}/close`, expect: expected(200, QA) },
];

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  cookies.set('admin', await server.login());
  for (const [name, roles] of Object.entries(USERS)) {
    await as('admin', 'POST', '/v1/users', { username: name, password: `${name}-password-1`, roles });
    cookies.set(name as Caller, await server.login(name, `${name}-password-1`));
  }
  displayToken = (await as<{ token: string }>('admin', 'POST', '/v1/display-tokens', { name: 'lobby', boards: ['center'] })).token;
  const events = callFlow('qa-rbac', Date.now() - 600_000).map((e) => ('agent' in e ? { ...e, agent: 'agent' } : e));
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
  expect(r.status).toBe(200);
  call = (events[0] as { call: string }).call;
  scorecard = (await as<{ id: string }>('qa', 'POST', '/v1/qa/scorecards', CARD)).id;
  shared = {
    submitted: await evaluation('submitted'),
    draft: await evaluation('draft'),
    session: (await as<{ id: string }>('admin', 'POST', '/v1/qa/calibrations', { call, scorecard, reference: 'someone', evaluators: ['someone'] })).id,
  };
  for (const c of CALLERS) {
    per.draft.set(c, await evaluation('draft'));
    per.complete.set(c, await evaluation('complete'));
    per.submitted.set(c, await evaluation('submitted'));
    per.submitted2.set(c, await evaluation('submitted'));
    per.disputed.set(c, await evaluation('disputed'));
    per.disputed2.set(c, await evaluation('disputed'));
    per.comment.set(c, (await as<{ id: string }>('qa', 'POST', `/v1/qa/calls/${call}/comments`, { at_s: 2, text: `for ${c}`, visibility: 'public' })).id);
    per.session.set(c, (await as<{ id: string }>('qa', 'POST', '/v1/qa/calibrations', { call, scorecard, reference: 'qa', evaluators: ['qa'] })).id);
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
});

describe('RBAC matrix of the QA evaluations routes', () => {
  for (const kase of CASES) {
    it(`${kase.method} ${kase.name}`, async () => {
      const got: Record<string, number> = {};
      for (const c of CALLERS) got[c] = (await request(c, kase.method, kase.path(c), kase.body?.(c))).status;
      expect(got).toEqual(kase.expect);
    });
  }
});

describe('what each side sees', () => {
  it('an agent lists only its own, non-draft evaluations; another agent none', async () => {
    const mine = await as<Evaluation[]>('agent', 'GET', '/v1/qa/evaluations?limit=1000');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.agent === 'agent' && e.status !== 'draft' && e.calibration === null)).toBe(true);
    expect(await as<Evaluation[]>('agent2', 'GET', '/v1/qa/evaluations')).toEqual([]);
    // an agent asking for another agent's evaluations gets none
    expect(await as<Evaluation[]>('agent2', 'GET', '/v1/qa/evaluations?agent=agent')).toEqual([]);
    const all = await as<Evaluation[]>('manager', 'GET', '/v1/qa/evaluations?limit=1000');
    expect(all.some((e) => e.status === 'draft')).toBe(true);
  });
});
