/**
 * QA evaluations side (issue 9 part 2) against the real server process on chDB: the seeded
 * default scorecard, scorecard versions, the evaluation lifecycle with its history and audit
 * rows, the dispute limit, comment pin visibility, and calibration (numbers and the blind rule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../platform/auth.ts';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import type { CalibrationResult, CallComment, Evaluation, Scorecard, ScorecardInput } from '../schemas/qa.ts';
import { TABLES } from '../schemas/tables.ts';
import type { QaDeps } from '../server/qa/deps.ts';
import { EvaluationService } from '../server/qa/evaluations/evaluation-service.ts';
import { ScorecardService } from '../server/qa/scorecards/scorecard-service.ts';
import { callFlow } from './helpers/events.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('qa-evaluations');
let server: ServerProcess;
const USERS: Record<string, string[]> = { qa1: ['qa'], qa2: ['qa'], qa3: ['qa'], lead: ['qa'], sup: ['supervisor'], a1: ['agent'], a2: ['agent'] };
const cookies = new Map<string, string>();
const password = (u: string) => `${u}-password-1`;

interface Res<T> {
  status: number;
  body: T;
}
async function api<T = unknown>(user: string, method: string, path: string, body?: unknown): Promise<Res<T>> {
  const r = await fetch(`${server.url}${path}`, { method, headers: { cookie: cookies.get(user) ?? '' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
}
async function ok<T>(user: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await api<T>(user, method, path, body);
  if (r.status >= 300) throw new Error(`${user} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const errorOf = (r: Res<unknown>) => (r.body as { error: string }).error;

async function sendEvents(events: unknown[]): Promise<void> {
  const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
  if (r.status !== 200) throw new Error(`ingest: ${r.status} ${await r.text()}`);
}

/** A call answered by `agent` (events of test/helpers callFlow with the agent replaced). */
async function callBy(agent: string): Promise<string> {
  const events = callFlow('qae', Date.now() - 3_600_000).map((e) => ('agent' in e ? { ...e, agent } : e));
  await sendEvents(events);
  return (events[0] as { call: string }).call;
}

const MINI: ScorecardInput = {
  name: 'Mini check',
  pass_mark: 70,
  sections: [
    {
      id: 'greeting',
      title: 'Greeting',
      weight: 1,
      questions: [
        { id: 'q1', text: 'Greeted the caller', kind: 'yes_no', points: 10, na_allowed: false, critical: false, comment_required: true },
        { id: 'q2', text: 'Friendly tone', kind: 'scale', points: 10, scale_max: 5, na_allowed: false, critical: false },
      ],
    },
    {
      id: 'accuracy',
      title: 'Accuracy',
      weight: 1,
      questions: [
        { id: 'q3', text: 'Errors', kind: 'errors', points: 10, per_error: 5, na_allowed: false, critical: false },
        { id: 'q4', text: 'Offered a follow-up', kind: 'yes_no', points: 10, na_allowed: true, critical: false },
        { id: 'q5', text: 'No false promise', kind: 'yes_no', points: 10, na_allowed: false, critical: true },
      ],
    },
  ],
};
type Answers = Record<string, { value: number | null; na?: boolean; comment?: string }>;
const answers = (q1: number, q2: number, q3: number, q4: number | 'na', q5: number): Answers => ({
  q1: q1 === 0 ? { value: 0, comment: 'no greeting' } : { value: q1 },
  q2: { value: q2 },
  q3: { value: q3 },
  q4: q4 === 'na' ? { value: null, na: true } : { value: q4 },
  q5: { value: q5 },
});

let mini: Scorecard;
let call1 = '';
let call2 = '';
let lateId = '';
let store: ChdbStore | undefined;

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  cookies.set('admin', await server.login());
  for (const [u, roles] of Object.entries(USERS)) {
    await ok('admin', 'POST', '/v1/users', { username: u, password: password(u), roles });
    cookies.set(u, await server.login(u, password(u)));
  }
  call1 = await callBy('a1');
  call2 = await callBy('a1');
  mini = await ok<Scorecard>('qa1', 'POST', '/v1/qa/scorecards', MINI);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await store?.close();
  removeDir(dir);
});

describe('scorecards', () => {
  it('seeds the default front-line quality check, visible to agents too', async () => {
    const list = await ok<Scorecard[]>('a1', 'GET', '/v1/qa/scorecards');
    const fl = list.find((s) => s.id === 'front-line')!;
    expect(fl).toMatchObject({ name: 'Front-line quality check', version: 1, updated_by: 'system', archived: false });
    expect(fl.sections.map((s) => s.title)).toEqual(['Business knowledge', 'Professional knowledge', 'Service attitude', 'Service language', 'Operation', 'Answering']);
    for (const s of fl.sections.slice(0, 3)) {
      expect(s.questions.map((q) => [q.kind, q.points, q.per_error, q.critical])).toEqual([
        ['errors', 10, 2, false],
        ['errors', 10, 5, false],
        ['errors', 10, 10, true],
      ]);
    }
    expect(fl.sections.slice(3).every((s) => s.questions.every((q) => q.kind === 'yes_no' || q.kind === 'scale'))).toBe(true);
  });

  it('checks a scorecard beyond its schema, naming the field', async () => {
    const dup = structuredClone(MINI);
    dup.sections[1]!.questions[0]!.id = 'q1';
    const r1 = await api('qa1', 'POST', '/v1/qa/scorecards', dup);
    expect([r1.status, errorOf(r1)]).toEqual([400, 'sections[1].questions[0].id: another question has the id "q1"']);
    const noMax = structuredClone(MINI);
    delete noMax.sections[0]!.questions[1]!.scale_max;
    expect(errorOf(await api('qa1', 'POST', '/v1/qa/scorecards', noMax))).toBe('sections[0].questions[1].scale_max: a scale question needs scale_max');
    const noPer = structuredClone(MINI);
    delete noPer.sections[1]!.questions[0]!.per_error;
    expect(errorOf(await api('qa1', 'POST', '/v1/qa/scorecards', noPer))).toBe('sections[1].questions[0].per_error: an errors question needs per_error');
    const zero = structuredClone(MINI);
    for (const s of zero.sections) for (const q of s.questions) q.points = 0;
    expect(errorOf(await api('qa1', 'POST', '/v1/qa/scorecards', zero))).toBe('sections: at least one question must have points > 0');
    const dupSection = structuredClone(MINI);
    dupSection.sections[1]!.id = 'greeting';
    expect(errorOf(await api('qa1', 'POST', '/v1/qa/scorecards', dupSection))).toBe('sections[1].id: another section has the id "greeting"');
    const r2 = await api('qa1', 'POST', '/v1/qa/scorecards', { ...MINI, colour: 'red' });
    expect(r2.status).toBe(400);
    expect((await api('qa1', 'PUT', '/v1/qa/scorecards/nope', MINI)).status).toBe(404);
  });

  it('keeps versions: an evaluation stays on the version it was scored on', async () => {
    const card = await ok<Scorecard>('qa1', 'POST', '/v1/qa/scorecards', { ...MINI, name: 'Versioned' });
    expect(card.version).toBe(1);
    const ev = await ok<Evaluation>('qa1', 'POST', '/v1/qa/evaluations', { call: call2, scorecard: card.id });
    expect(ev).toMatchObject({ scorecard: card.id, scorecard_version: 1, status: 'draft', agent: 'a1', queue: 'billing', evaluator: 'qa1' });
    const v2input = structuredClone(MINI);
    v2input.name = 'Versioned 2';
    v2input.sections[0]!.questions.push({ id: 'q6', text: 'Used the name', kind: 'yes_no', points: 10, na_allowed: false, critical: false });
    const v2 = await ok<Scorecard>('qa2', 'PUT', `/v1/qa/scorecards/${card.id}`, v2input);
    expect(v2).toMatchObject({ id: card.id, version: 2, name: 'Versioned 2', updated_by: 'qa2' });
    expect((await ok<Scorecard>('sup', 'GET', `/v1/qa/scorecards/${card.id}?version=1`)).name).toBe('Versioned');
    expect((await ok<Scorecard>('sup', 'GET', `/v1/qa/scorecards/${card.id}`)).version).toBe(2);
    expect((await api('sup', 'GET', `/v1/qa/scorecards/${card.id}?version=3`)).status).toBe(404);
    // the old evaluation is still on v1: q6 is not one of its questions
    const r = await api('qa1', 'PUT', `/v1/qa/evaluations/${ev.id}`, { answers: { q6: { value: 1 } } });
    expect([r.status, errorOf(r)]).toEqual([400, `answers.q6: no such question in scorecard ${card.id} v1`]);
    const again = await ok<Evaluation>('qa1', 'GET', `/v1/qa/evaluations/${ev.id}`);
    expect(again.scorecard_version).toBe(1);
    expect(again.score.unanswered).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    const ev2 = await ok<Evaluation>('qa1', 'POST', '/v1/qa/evaluations', { call: call2, scorecard: card.id });
    expect(ev2.scorecard_version).toBe(2);
    expect(ev2.score.unanswered).toContain('q6');
    // archived: listed only on request, no new evaluations
    await ok('qa1', 'PUT', `/v1/qa/scorecards/${card.id}`, { ...v2input, archived: true });
    expect((await ok<Scorecard[]>('qa1', 'GET', '/v1/qa/scorecards')).some((s) => s.id === card.id)).toBe(false);
    expect((await ok<Scorecard[]>('qa1', 'GET', '/v1/qa/scorecards?archived=1')).find((s) => s.id === card.id)).toMatchObject({ version: 3, archived: true });
    expect((await api('qa1', 'POST', '/v1/qa/evaluations', { call: call2, scorecard: card.id })).status).toBe(404);
  });
});

describe('evaluation lifecycle', () => {
  let id = '';

  it('refuses unknown calls, calls no agent answered, unknown scorecards', async () => {
    const unknown = await api('qa1', 'POST', '/v1/qa/evaluations', { call: 'no-such-call', scorecard: mini.id });
    expect([unknown.status, errorOf(unknown)]).toEqual([404, 'call: no events for "no-such-call"']);
    await sendEvents([
      { id: 'unans-1', type: 'call.offered', ts: Date.now() - 60_000, call: 'unanswered-call', direction: 'inbound', from: '+4930123', site: 'berlin' },
      { id: 'unans-2', type: 'call.queued', ts: Date.now() - 59_000, call: 'unanswered-call', queue: 'billing', priority: 1 },
    ]);
    const noAgent = await api('qa1', 'POST', '/v1/qa/evaluations', { call: 'unanswered-call', scorecard: mini.id });
    expect(noAgent.status).toBe(409);
    expect((await api('qa1', 'POST', '/v1/qa/evaluations', { call: call1, scorecard: 'nope' })).status).toBe(404);
  });

  it('drafts are the evaluator’s: hidden from the agent, answers checked, submit refused while unanswered', async () => {
    const ev = await ok<Evaluation>('qa1', 'POST', '/v1/qa/evaluations', { call: call1, scorecard: mini.id });
    id = ev.id;
    expect(ev).toMatchObject({ status: 'draft', version: 1, agent: 'a1', evaluator: 'qa1', calibration: null, disputes: 0, submitted_at: null });
    expect((await api('a1', 'GET', `/v1/qa/evaluations/${id}`)).status).toBe(404);
    expect((await ok<Evaluation[]>('a1', 'GET', '/v1/qa/evaluations')).map((e) => e.id)).not.toContain(id);
    expect((await ok<Evaluation[]>('sup', 'GET', `/v1/qa/evaluations?call=${call1}`)).map((e) => e.id)).toContain(id);

    const bad = await api('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: { q2: { value: 7 } } });
    expect([bad.status, errorOf(bad)]).toEqual([400, 'answers.q2: must be an integer from 1 to 5']);
    const na = await api('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: { q1: { value: null, na: true } } });
    expect(errorOf(na)).toBe('answers.q1: N/A is not allowed for this question');
    const other = await api('qa2', 'PUT', `/v1/qa/evaluations/${id}`, { answers: {} });
    expect(other.status).toBe(403);

    const part = await ok<Evaluation>('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: { q1: { value: 1 }, q2: { value: 5 } } });
    expect(part.score.unanswered).toEqual(['q3', 'q4', 'q5']);
    const refused = await api('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'submit' });
    expect([refused.status, errorOf(refused)]).toEqual([409, 'answers: unanswered questions: q3, q4, q5']);

    // a comment_required question answered "no" needs a comment
    const noComment = { ...answers(1, 5, 0, 1, 1), q1: { value: 0 } };
    await ok('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: noComment });
    const needs = await api('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'submit' });
    expect([needs.status, errorOf(needs)]).toEqual([409, 'answers.q1.comment: a missed answer to this question needs a comment']);

    // q1 no (with comment), q2 4 → 7.5, q3 1 error → 5, q4 N/A, q5 yes: greeting 7.5/20 = 37.5%, accuracy 15/20 = 75% → 56.25
    const saved = await ok<Evaluation>('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: answers(0, 4, 1, 'na', 1), comment: 'first pass' });
    expect(saved.score).toMatchObject({ total: 56.25, raw_total: 56.25, auto_fail: false, unanswered: [] });
    expect(saved.passed).toBe(false);
    expect(saved.comment).toBe('first pass');
    expect((await api('qa2', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'submit' })).status).toBe(403);
    const submitted = await ok<Evaluation>('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'submit' });
    expect(submitted.status).toBe('submitted');
    expect(submitted.submitted_at).toBeGreaterThan(0);
    const again = await api('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'submit' });
    expect([again.status, errorOf(again)]).toEqual([409, 'status: the evaluation is submitted; submit needs draft']);
    expect((await api('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: answers(1, 5, 0, 1, 1) })).status).toBe(409);
  });

  it('the agent disputes, the evaluator rescores, the agent acknowledges', async () => {
    expect((await api('a2', 'GET', `/v1/qa/evaluations/${id}`)).status).toBe(404);
    expect((await ok<Evaluation>('a1', 'GET', `/v1/qa/evaluations/${id}`)).status).toBe('submitted');
    expect((await ok<Evaluation[]>('a1', 'GET', '/v1/qa/evaluations')).map((e) => e.id)).toContain(id);
    expect((await api('a2', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'dispute', comment: 'not mine' })).status).toBe(404);
    expect((await api('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'dispute', comment: 'x' })).status).toBe(403);
    const noComment = await api('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'dispute' });
    expect([noComment.status, errorOf(noComment)]).toEqual([400, 'comment: a dispute needs a comment']);
    const unreviewed = await api('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'acknowledge' });
    expect(unreviewed.status).toBe(400);
    expect(errorOf(unreviewed)).toMatch(/^reviewed: /);
    const disputed = await ok<Evaluation>('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'dispute', comment: 'I did greet the caller at 0:03' });
    expect(disputed).toMatchObject({ status: 'disputed', disputes: 1 });
    const early = await api('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'acknowledge', reviewed: true });
    expect(early.status).toBe(403);
    expect((await api('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'acknowledge', reviewed: true })).status).toBe(409);
    // the evaluator edits while disputed, then rescores: 100 on everything
    const edited = await ok<Evaluation>('qa1', 'PUT', `/v1/qa/evaluations/${id}`, { answers: answers(1, 5, 0, 1, 1) });
    expect(edited).toMatchObject({ status: 'disputed', score: { total: 100 }, passed: true });
    const rescored = await ok<Evaluation>('qa1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'rescore', comment: 'greeting was there' });
    expect(rescored).toMatchObject({ status: 'rescored', score: { total: 100 } });
    const ack = await ok<Evaluation>('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'acknowledge', reviewed: true });
    expect(ack.status).toBe('acknowledged');
    const late = await api('a1', 'POST', `/v1/qa/evaluations/${id}/actions`, { action: 'dispute', comment: 'again' });
    expect([late.status, errorOf(late)]).toEqual([409, 'status: the evaluation is acknowledged; dispute needs submitted or rescored or upheld']);

    const full = await ok<Evaluation>('a1', 'GET', `/v1/qa/evaluations/${id}`);
    expect(full.history!.map((s) => [s.version, s.action, s.status, s.by, s.total])).toEqual([
      [1, 'create', 'draft', 'qa1', null],
      [2, 'save', 'draft', 'qa1', 100],
      [3, 'save', 'draft', 'qa1', 75],
      [4, 'save', 'draft', 'qa1', 56.25],
      [5, 'submit', 'submitted', 'qa1', 56.25],
      [6, 'dispute', 'disputed', 'a1', 56.25],
      [7, 'save', 'disputed', 'qa1', 100],
      [8, 'rescore', 'rescored', 'qa1', 100],
      [9, 'acknowledge', 'acknowledged', 'a1', 100],
    ]);
    expect(full.history![5]!.comment).toBe('I did greet the caller at 0:03');
    expect(full.history![7]!.comment).toBe('greeting was there');
    expect(full.version).toBe(9);
    expect(full.submitted_at).toBe(full.history![4]!.at);
  });

  it('allows at most 5 disputes; uphold needs a comment', async () => {
    const ev = await ok<Evaluation>('qa1', 'POST', '/v1/qa/evaluations', { call: call1, scorecard: mini.id });
    await ok('qa1', 'PUT', `/v1/qa/evaluations/${ev.id}`, { answers: answers(1, 3, 0, 1, 1) });
    await ok('qa1', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'submit' });
    for (let i = 1; i <= 5; i++) {
      expect(await ok<Evaluation>('a1', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'dispute', comment: `dispute ${i}` })).toMatchObject({ disputes: i });
      if (i === 1) {
        const bare = await api('qa2', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'uphold' });
        expect([bare.status, errorOf(bare)]).toEqual([400, 'comment: upholding a score needs a comment']);
      }
      // any QA user may uphold, not only the evaluator
      expect(await ok<Evaluation>('qa2', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'uphold', comment: 'score stands' })).toMatchObject({ status: 'upheld' });
    }
    const sixth = await api('a1', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'dispute', comment: 'dispute 6' });
    expect([sixth.status, errorOf(sixth)]).toEqual([409, 'disputes: this evaluation was already disputed 5 times (at most 5)']);
    expect(await ok<Evaluation>('a1', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'acknowledge', reviewed: true })).toMatchObject({ status: 'acknowledged', disputes: 5 });
  });

  it('filters the list', async () => {
    const disputedOnes = await ok<Evaluation[]>('sup', 'GET', `/v1/qa/evaluations?status=acknowledged&evaluator=qa1&agent=a1`);
    expect(disputedOnes.length).toBe(2);
    expect(disputedOnes.every((e) => e.status === 'acknowledged')).toBe(true);
    expect(await ok<Evaluation[]>('sup', 'GET', `/v1/qa/evaluations?status=acknowledged&limit=1&offset=5`)).toEqual([]);
    expect(errorOf(await api('sup', 'GET', '/v1/qa/evaluations?status=happy'))).toMatch(/^status: must be one of draft/);
    expect(errorOf(await api('sup', 'GET', '/v1/qa/evaluations?limit=0'))).toMatch(/^limit: must be an integer from 1 to 1000/);
    expect(await ok<Evaluation[]>('sup', 'GET', `/v1/qa/evaluations?to=${Date.now() - 86_400_000}`)).toEqual([]);
  });
});

describe('comment pins', () => {
  it('private pins are for QA staff; agents pin public comments on their own calls', async () => {
    const priv = await ok<CallComment>('qa1', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 12.5, text: 'coach this', visibility: 'private' });
    const pub = await ok<CallComment>('qa1', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 3, end_s: 6, text: 'nice greeting', visibility: 'public', question: 'q1' });
    expect(pub).toMatchObject({ author: 'qa1', author_role: 'evaluator', call: call1, deleted: false, end_s: 6 });
    const mine = await ok<CallComment>('a1', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 20, text: 'the system was slow here', visibility: 'public' });
    expect(mine.author_role).toBe('agent');
    const agentPrivate = await api('a1', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 1, text: 'secret', visibility: 'private' });
    expect([agentPrivate.status, errorOf(agentPrivate)]).toEqual([400, "visibility: an agent's comments are public"]);
    expect((await api('a2', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 1, text: 'x', visibility: 'public' })).status).toBe(404);
    expect((await api('qa1', 'POST', `/v1/qa/calls/${call1}/comments`, { at_s: 9, end_s: 2, text: 'x', visibility: 'public' })).status).toBe(400);

    expect((await ok<CallComment[]>('sup', 'GET', `/v1/qa/calls/${call1}/comments`)).map((c) => c.id)).toEqual([pub.id, priv.id, mine.id]);
    expect((await ok<CallComment[]>('a1', 'GET', `/v1/qa/calls/${call1}/comments`)).map((c) => c.id)).toEqual([pub.id, mine.id]);
    expect((await api('a2', 'GET', `/v1/qa/calls/${call1}/comments`)).status).toBe(404);

    expect((await api('a1', 'DELETE', `/v1/qa/comments/${pub.id}`)).status).toBe(403);
    expect((await api('qa2', 'DELETE', `/v1/qa/comments/${pub.id}`)).status).toBe(403);
    expect((await api('qa1', 'DELETE', `/v1/qa/comments/${pub.id}`)).status).toBe(204);
    expect((await api('qa1', 'DELETE', `/v1/qa/comments/${pub.id}`)).status).toBe(404);
    expect((await api('admin', 'DELETE', `/v1/qa/comments/${mine.id}`)).status).toBe(204);
    expect((await ok<CallComment[]>('qa1', 'GET', `/v1/qa/calls/${call1}/comments`)).map((c) => c.id)).toEqual([priv.id]);
    expect(await ok<CallComment[]>('a1', 'GET', `/v1/qa/calls/${call1}/comments`)).toEqual([]);
  });
});

describe('calibration', () => {
  let session = '';
  const evals = new Map<string, string>();

  it('evaluators named in the session score the call; one evaluation each', async () => {
    const s = await ok<{ id: string; evaluators: string[]; status: string }>('lead', 'POST', '/v1/qa/calibrations', {
      call: call1,
      scorecard: mini.id,
      reference: 'qa1',
      evaluators: ['qa2', 'qa3'],
      note: 'monthly calibration',
    });
    session = s.id;
    expect(s).toMatchObject({ evaluators: ['qa2', 'qa3', 'qa1'], status: 'open' });
    expect((await ok<{ id: string }[]>('qa2', 'GET', '/v1/qa/calibrations')).map((c) => c.id)).toContain(session);
    const outsider = await api('lead', 'POST', '/v1/qa/evaluations', { call: call1, scorecard: mini.id, calibration: session });
    expect(outsider.status).toBe(409);
    expect((await api('qa1', 'POST', '/v1/qa/evaluations', { call: call2, scorecard: mini.id, calibration: session })).status).toBe(400);
    for (const u of ['qa1', 'qa2', 'qa3']) {
      const ev = await ok<Evaluation>(u, 'POST', '/v1/qa/evaluations', { call: call1, scorecard: mini.id, calibration: session });
      expect(ev.calibration).toBe(session);
      evals.set(u, ev.id);
    }
    expect((await api('qa2', 'POST', '/v1/qa/evaluations', { call: call1, scorecard: mini.id, calibration: session })).status).toBe(409);
  });

  it('is blind until the evaluator submitted its own evaluation', async () => {
    await ok('qa1', 'PUT', `/v1/qa/evaluations/${evals.get('qa1')}`, { answers: answers(1, 5, 0, 1, 1) });
    await ok('qa1', 'POST', `/v1/qa/evaluations/${evals.get('qa1')}/actions`, { action: 'submit' });
    const blind = await api('qa2', 'GET', `/v1/qa/calibrations/${session}`);
    expect([blind.status, errorOf(blind)]).toEqual([409, 'calibration: submit your own evaluation first']);
    expect((await api('qa2', 'GET', `/v1/qa/evaluations/${evals.get('qa1')}`)).status).toBe(404);
    expect((await ok<Evaluation[]>('qa2', 'GET', `/v1/qa/evaluations?calibration=${session}`)).map((e) => e.evaluator)).toEqual(['qa2']);
    // the session's creator and an admin are not blind
    expect((await api('lead', 'GET', `/v1/qa/calibrations/${session}`)).status).toBe(200);
    expect((await api('admin', 'GET', `/v1/qa/calibrations/${session}`)).status).toBe(200);
    await ok('qa2', 'PUT', `/v1/qa/evaluations/${evals.get('qa2')}`, { answers: answers(1, 3, 0, 1, 1) });
    await ok('qa2', 'POST', `/v1/qa/evaluations/${evals.get('qa2')}/actions`, { action: 'submit' });
    expect((await api('qa2', 'GET', `/v1/qa/calibrations/${session}`)).status).toBe(200);
    expect((await api('qa2', 'GET', `/v1/qa/evaluations/${evals.get('qa1')}`)).status).toBe(200);
  });

  it('compares per question against the reference and flags disagreement', async () => {
    await ok('qa3', 'PUT', `/v1/qa/evaluations/${evals.get('qa3')}`, { answers: answers(0, 5, 2, 'na', 1) });
    await ok('qa3', 'POST', `/v1/qa/evaluations/${evals.get('qa3')}/actions`, { action: 'submit' });
    const r = await ok<CalibrationResult>('qa3', 'GET', `/v1/qa/calibrations/${session}`);
    expect([...r.submitted].sort()).toEqual(['qa1', 'qa2', 'qa3']);
    const q = Object.fromEntries(r.questions.map((x) => [x.question, x]));
    expect(q.q1).toMatchObject({ section: 'greeting', scores: { qa1: 100, qa2: 100, qa3: 0 }, reference: 100, spread: 100, deviation: 50, agreement: 0.5, flagged: true });
    expect(q.q2).toMatchObject({ scores: { qa1: 100, qa2: 50, qa3: 100 }, reference: 100, spread: 50, deviation: 25, agreement: 0.5, flagged: true });
    expect(q.q3).toMatchObject({ scores: { qa1: 100, qa2: 100, qa3: 0 }, spread: 100, deviation: 50, agreement: 0.5, flagged: true });
    expect(q.q4).toMatchObject({ scores: { qa1: 100, qa2: 100, qa3: null }, spread: 0, deviation: 0, agreement: 0.5, flagged: true });
    expect(q.q5).toMatchObject({ scores: { qa1: 100, qa2: 100, qa3: 100 }, spread: 0, deviation: 0, agreement: 1, flagged: false });
    expect(r.totals).toEqual({ qa1: 100, qa2: 87.5, qa3: 50 });
    expect(r.deviation).toEqual({ qa1: 0, qa2: 12.5, qa3: 50 });
  });

  it('keeps calibration evaluations away from agents and out of the default lists of readers', async () => {
    const ids = [...evals.values()];
    expect((await ok<Evaluation[]>('a1', 'GET', '/v1/qa/evaluations')).some((e) => ids.includes(e.id))).toBe(false);
    expect((await api('a1', 'GET', `/v1/qa/evaluations/${evals.get('qa1')}`)).status).toBe(404);
    expect((await ok<Evaluation[]>('sup', 'GET', '/v1/qa/evaluations')).some((e) => ids.includes(e.id))).toBe(false);
    expect((await ok<Evaluation[]>('sup', 'GET', `/v1/qa/evaluations?calibration=${session}`)).map((e) => e.id).sort()).toEqual([...ids].sort());
  });

  it('closes a session; no new calibration evaluations after', async () => {
    expect(await ok('lead', 'POST', `/v1/qa/calibrations/${session}/close`)).toMatchObject({ status: 'closed', version: 2 });
    expect((await api('lead', 'POST', `/v1/qa/calibrations/${session}/close`)).status).toBe(409);
  });
});

describe('restart and audit', () => {
  it('does not seed the default scorecard again after a restart', async () => {
    await server.stop();
    await server.start();
    const list = await ok<Scorecard[]>('admin', 'GET', '/v1/qa/scorecards');
    expect(list.filter((s) => s.id === 'front-line').map((s) => s.version)).toEqual([1]);
    // left submitted for the dispute-window check below
    const ev = await ok<Evaluation>('qa1', 'POST', '/v1/qa/evaluations', { call: call2, scorecard: mini.id });
    await ok('qa1', 'PUT', `/v1/qa/evaluations/${ev.id}`, { answers: answers(1, 5, 0, 1, 1) });
    await ok('qa1', 'POST', `/v1/qa/evaluations/${ev.id}/actions`, { action: 'submit' });
    lateId = ev.id;
  });

  it('wrote one scorecard row per version and an audit entry for every change', async () => {
    await server.stop();
    store = new ChdbStore(dir);
    {
      const rows = await store.query<{ n: string }>(`SELECT count() AS n FROM ${TABLES.qaScorecards} WHERE id = 'front-line'`);
      expect(Number(rows[0]!.n)).toBe(1);
      const audit = await store.query<{ actor: string; action: string; target: string }>(`SELECT actor, action, target FROM ${TABLES.audit} WHERE action LIKE 'qa_%' ORDER BY ts`);
      const count = (action: string) => audit.filter((a) => a.action === action).length;
      expect(audit.filter((a) => a.action === 'qa_scorecard_created' && a.target === 'front-line')).toEqual([{ actor: 'system', action: 'qa_scorecard_created', target: 'front-line' }]);
      expect(count('qa_evaluation_submit')).toBeGreaterThanOrEqual(5);
      for (const a of ['qa_scorecard_saved', 'qa_evaluation_created', 'qa_evaluation_saved', 'qa_evaluation_dispute', 'qa_evaluation_rescore', 'qa_evaluation_uphold', 'qa_evaluation_acknowledge', 'qa_comment_created', 'qa_comment_deleted', 'qa_calibration_created', 'qa_calibration_closed']) {
        expect(count(a), a).toBeGreaterThan(0);
      }
      expect(audit.filter((a) => a.action === 'qa_evaluation_dispute').every((a) => a.actor === 'a1')).toBe(true);
    }
  });

  it('accepts a dispute up to 45 days after submission, not later (the service on the same store, clock moved)', async () => {
    const deps = { store: store!, audit: async () => {}, log: () => {}, timeZone: 'UTC' } as unknown as QaDeps;
    const agent: Principal = { kind: 'user', name: 'a1', roles: ['agent'], scopes: new Set(['own']) };
    const at = (days: number) => new EvaluationService(deps, new ScorecardService(store!, deps.audit), () => Date.now() + days * 86_400_000);
    const late = at(46).act(agent, lateId, { action: 'dispute', comment: 'too late?' });
    await expect(late).rejects.toMatchObject({ status: 409, message: 'submitted_at: disputes are accepted within 45 days of submission' });
    expect(await at(44).act(agent, lateId, { action: 'dispute', comment: 'in time' })).toMatchObject({ status: 'disputed', disputes: 1 });
  });
});
