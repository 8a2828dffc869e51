/**
 * RBAC of every QA calls-side route (search, call view, sampling rules, work queue, reports)
 * and of the recordings read routes for an agent, against the real server process: each role
 * (admin, manager, supervisor, qa, agent) and nobody. An agent (own scope) reads the calls
 * they handled, audio included, and gets 404 for another agent's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbStore } from '../platform/store/chdb-store.ts';
import { migrate } from '../platform/store/migrate.ts';
import { toneAndNoise } from './helpers/audio.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('qa-calls-rbac');
const audio = tempDataDir('qa-calls-rbac-audio');
let server: ServerProcess;

const CALLERS = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'nobody'] as const;
type Caller = (typeof CALLERS)[number];
const cookies = new Map<Caller, string>();
const rules = new Map<Caller, string>();
let sharedRule = '';

const START = Date.parse('2026-11-24T09:00:00Z');
const RANGE = `from=${START - 86_400_000}&to=${START + 86_400_000}`;

async function call(caller: Caller, method: string, path: string, body?: unknown): Promise<Response> {
  const cookie = cookies.get(caller);
  return fetch(`${server.url}${path}`, { method, headers: cookie ? { cookie } : {}, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** `ok` for the callers allowed, `other` (403 unless told) for the rest, 401 for nobody. */
function expected(ok: number, allowed: readonly Caller[], other = 403): Record<Caller, number> {
  return Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c) ? ok : c === 'nobody' ? 401 : other])) as Record<Caller, number>;
}
const USERS: Caller[] = ['admin', 'manager', 'supervisor', 'qa', 'agent'];
const READ_ALL: Caller[] = ['admin', 'manager', 'supervisor', 'qa'];
const QA: Caller[] = ['admin', 'qa'];

const rule = (name: string) => ({ name, active: true, scorecard: 'sc1', evaluators: ['qa'], per_agent_per_week: 1, filter: {} });

interface Case {
  method: string;
  path: (c: Caller) => string;
  body?: (c: Caller) => unknown;
  expect: Record<Caller, number>;
}

const CASES: Case[] = [
  { method: 'GET', path: () => '/v1/qa/calls', expect: expected(200, USERS) },
  { method: 'GET', path: () => '/v1/qa/calls?limit=500', expect: expected(400, USERS) },
  { method: 'GET', path: () => '/v1/qa/calls/own-1', expect: expected(200, USERS) },
  { method: 'GET', path: () => '/v1/qa/calls/other-1', expect: { ...expected(200, READ_ALL), agent: 404 } },
  { method: 'GET', path: () => '/v1/qa/sampling-rules', expect: expected(200, QA) },
  { method: 'POST', path: () => '/v1/qa/sampling-rules', body: (c) => rule(`by ${c}`), expect: expected(201, QA) },
  { method: 'PUT', path: () => `/v1/qa/sampling-rules/${sharedRule}`, body: (c) => rule(`edited by ${c}`), expect: expected(200, QA) },
  { method: 'DELETE', path: (c) => `/v1/qa/sampling-rules/${rules.get(c) ?? sharedRule}`, expect: expected(200, QA) },
  { method: 'GET', path: () => '/v1/qa/queue', expect: expected(200, QA) },
  { method: 'GET', path: () => '/v1/qa/queue?evaluator=admin', expect: expected(200, QA) },
  { method: 'GET', path: () => `/v1/qa/reports?${RANGE}&group=agent`, expect: expected(200, USERS) },
  { method: 'GET', path: () => `/v1/qa/reports?${RANGE}&group=question&format=csv`, expect: expected(200, USERS) },
  { method: 'GET', path: () => `/v1/qa/reports?${RANGE}&group=evaluator`, expect: { ...expected(200, READ_ALL), agent: 403 } },
  { method: 'GET', path: () => '/v1/recordings/own-1', expect: expected(200, USERS) },
  { method: 'GET', path: () => '/v1/recordings/own-1/media', expect: expected(200, USERS) },
  { method: 'GET', path: () => '/v1/recordings/own-1/peaks?pps=10', expect: expected(200, USERS) },
  { method: 'GET', path: () => '/v1/recordings/other-1', expect: { ...expected(200, READ_ALL), agent: 404 } },
  { method: 'GET', path: () => '/v1/recordings/other-1/media', expect: { ...expected(200, READ_ALL), agent: 404 } },
  { method: 'GET', path: () => '/v1/recordings/other-1/peaks?pps=10', expect: { ...expected(200, READ_ALL), agent: 404 } },
];

async function upload(callId: string, file: string): Promise<void> {
  const r = await fetch(`${server.url}/v1/recordings/${callId}?channels=agent,customer`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: readFileSync(file) });
  expect(r.status).toBe(202);
}
async function ready(callId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await call('admin', 'GET', `/v1/recordings/${callId}`);
    const body = (await r.json()) as { status?: string };
    if (body.status === 'ready') return;
    if (body.status === 'failed' || Date.now() > deadline) throw new Error(`${callId}: ${JSON.stringify(body)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function flow(callId: string, agent: string): Record<string, unknown>[] {
  return [
    { id: `${callId}-1`, type: 'call.offered', ts: START, call: callId, direction: 'inbound', from: '+8613812345678' },
    { id: `${callId}-2`, type: 'call.queued', ts: START + 1000, call: callId, queue: 'billing' },
    { id: `${callId}-3`, type: 'call.answered', ts: START + 5000, call: callId, queue: 'billing', agent },
    { id: `${callId}-4`, type: 'call.ended', ts: START + 65_000, call: callId, by: 'caller' },
  ];
}

beforeAll(async () => {
  const store = new ChdbStore(dir);
  await migrate(store);
  await store.insertRows('qa_scorecards', [{ id: 'sc1', name: 'Card', description: '', sections: '[]', pass_mark: 70, archived: 0, version: 1, updated_at: START, updated_by: 'qa' }]);
  await store.close();
  server = await ServerProcess.start(dir);
  cookies.set('admin', await server.login());
  for (const role of ['manager', 'supervisor', 'qa', 'agent'] as const) {
    const r = await call('admin', 'POST', '/v1/users', { username: role, password: `${role}-password-1`, roles: [role] });
    expect(r.status).toBe(201);
    cookies.set(role, await server.login(role, `${role}-password-1`));
  }
  // the agent user's username is the agent id in events
  const ev = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify([...flow('own-1', 'agent'), ...flow('other-1', 'a9')]) });
  expect(await ev.json()).toMatchObject({ rejected_count: 0 });
  const file = join(audio, 'call.wav');
  toneAndNoise(file, { total: 2, left: [0, 1], right: [0.5, 1.5] });
  await upload('own-1', file);
  await upload('other-1', file);
  await ready('own-1');
  await ready('other-1');
  const created = await call('qa', 'POST', '/v1/qa/sampling-rules', rule('shared'));
  sharedRule = ((await created.json()) as { id: string }).id;
  for (const c of QA) {
    const r = await call(c, 'POST', '/v1/qa/sampling-rules', rule(`to delete by ${c}`));
    rules.set(c, ((await r.json()) as { id: string }).id);
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  removeDir(dir);
  removeDir(audio);
});

describe('QA calls-side routes × roles', () => {
  for (const c of CASES) {
    it(`${c.method} ${c.path('admin')}`, async () => {
      const got: Record<string, number> = {};
      for (const who of CALLERS) {
        const r = await call(who, c.method, c.path(who), c.body?.(who));
        got[who] = r.status;
        await r.arrayBuffer();
      }
      expect(got).toEqual(c.expect);
    });
  }

  it('the agent\'s search lists only their own call, the number masked', async () => {
    const r = await call('agent', 'GET', '/v1/qa/calls');
    const body = (await r.json()) as { rows: { call: string; caller: string }[]; total: number };
    expect(body.rows.map((x) => [x.call, x.caller])).toEqual([['own-1', '+86*******5678']]);
    expect(body.total).toBe(1);
    const all = (await (await call('manager', 'GET', '/v1/qa/calls')).json()) as { total: number };
    expect(all.total).toBe(2);
  });
});
