/**
 * RBAC of every settings, directory, board, display-token, user, key and own-password route,
 * against the real server process: each role, a user holding two roles, a display token (by
 * header and by `?token=`, on a board it is scoped to and one it is not), an ingest key, and
 * nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, ServerProcess, tempDataDir, TEST_ADMIN_PASSWORD, TEST_INGEST_KEY } from './helpers/server-process.ts';

const dir = tempDataDir('rbac-settings');
let server: ServerProcess;

const USERS = {
  manager: ['manager'],
  supervisor: ['supervisor'],
  qa: ['qa'],
  agent: ['agent'],
  // first role qa (no directory), second supervisor: scopes are the union
  lead: ['qa', 'supervisor'],
} as const;
const CALLERS = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'lead', 'display', 'display-q', 'ingest', 'nobody'] as const;
type Caller = (typeof CALLERS)[number];
const password = (c: Caller) => (c === 'admin' ? TEST_ADMIN_PASSWORD : `${c}-password-1`);

const cookies = new Map<Caller, string>();
let displayToken = '';
let otherBoard = '';

async function call(caller: Caller, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  let url = `${server.url}${path}`;
  const cookie = cookies.get(caller);
  if (cookie) headers.cookie = cookie;
  if (caller === 'display') headers.authorization = `Bearer ${displayToken}`;
  if (caller === 'display-q') url += `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(displayToken)}`;
  if (caller === 'ingest') headers.authorization = `Bearer ${TEST_INGEST_KEY}`;
  return fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function asAdmin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await call('admin', method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

const aBoard = (name: string) => ({
  name,
  filter: { sites: [], queues: [], teams: [] },
  rotate_s: 30,
  ticker: '',
  pages: [{ title: 'Main', widgets: [{ id: 'w1', kind: 'tile', x: 0, y: 0, w: 4, h: 3, metric: 'waiting', scope: {} }] }],
});

/** Expected statuses: `ok` for the callers allowed, 403 for other credentials, 401 for nobody. */
function expected(ok: number, allowed: readonly Caller[]): Record<Caller, number> {
  return Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c) ? ok : c === 'nobody' ? 401 : 403])) as Record<Caller, number>;
}
const LIVE_USERS: Caller[] = ['admin', 'manager', 'supervisor', 'qa', 'lead'];
const LIVE_AND_DISPLAY: Caller[] = [...LIVE_USERS, 'display', 'display-q'];
const DIRECTORY: Caller[] = ['admin', 'supervisor', 'lead'];
const ADMIN: Caller[] = ['admin'];
const USERS_ALL: Caller[] = ['admin', 'manager', 'supervisor', 'qa', 'agent', 'lead'];

/** Per-caller objects a route acts on (each caller deletes its own). */
const perCaller = { teams: new Map<Caller, string>(), boards: new Map<Caller, string>(), tokens: new Map<Caller, string>(), keys: new Map<Caller, string>() };

interface Case {
  method: string;
  path: (c: Caller) => string;
  body?: (c: Caller) => unknown;
  expect: Record<Caller, number>;
}

const CASES: Case[] = [
  { method: 'GET', path: () => '/v1/sites', expect: expected(200, LIVE_USERS) },
  { method: 'GET', path: () => '/v1/queues', expect: expected(200, LIVE_USERS) },
  { method: 'GET', path: () => '/v1/teams', expect: expected(200, LIVE_USERS) },
  { method: 'GET', path: () => '/v1/agents', expect: expected(200, LIVE_USERS) },
  { method: 'PUT', path: (c) => `/v1/sites/site-${c}`, body: () => ({ name: 'Site', time_zone: 'Asia/Shanghai' }), expect: expected(200, ADMIN) },
  { method: 'PUT', path: (c) => `/v1/queues/queue-${c}`, body: () => ({ name: 'Queue', sl_threshold_s: 30 }), expect: expected(200, DIRECTORY) },
  { method: 'PUT', path: (c) => `/v1/teams/team-${c}`, body: () => ({ name: 'Team' }), expect: expected(200, DIRECTORY) },
  { method: 'DELETE', path: (c) => `/v1/teams/${perCaller.teams.get(c)}`, expect: expected(200, DIRECTORY) },
  { method: 'PUT', path: (c) => `/v1/agents/agent-${c}`, body: () => ({ name: 'Agent' }), expect: expected(200, DIRECTORY) },
  { method: 'GET', path: () => '/v1/boards', expect: expected(200, LIVE_AND_DISPLAY) },
  { method: 'GET', path: () => '/v1/boards/center', expect: expected(200, LIVE_AND_DISPLAY) },
  { method: 'GET', path: () => `/v1/boards/${otherBoard}`, expect: expected(200, LIVE_USERS) },
  { method: 'POST', path: () => '/v1/boards', body: (c) => aBoard(`by ${c}`), expect: expected(201, DIRECTORY) },
  { method: 'PUT', path: () => `/v1/boards/${otherBoard}`, body: (c) => aBoard(`edited by ${c}`), expect: expected(200, DIRECTORY) },
  { method: 'DELETE', path: (c) => `/v1/boards/${perCaller.boards.get(c)}`, expect: expected(200, DIRECTORY) },
  { method: 'GET', path: () => '/v1/display-tokens', expect: expected(200, DIRECTORY) },
  { method: 'POST', path: () => '/v1/display-tokens', body: (c) => ({ name: `tv ${c}`, boards: ['center'] }), expect: expected(201, DIRECTORY) },
  { method: 'DELETE', path: (c) => `/v1/display-tokens/${perCaller.tokens.get(c)}`, expect: expected(200, DIRECTORY) },
  { method: 'GET', path: () => '/v1/users', expect: expected(200, ADMIN) },
  { method: 'POST', path: () => '/v1/users', body: (c) => ({ username: `new-${c}`, password: 'new-user-password', roles: ['agent', 'qa'] }), expect: expected(201, ADMIN) },
  { method: 'PATCH', path: () => '/v1/users/agent', body: () => ({ disabled: false }), expect: expected(200, ADMIN) },
  { method: 'GET', path: () => '/v1/keys', expect: expected(200, ADMIN) },
  { method: 'POST', path: () => '/v1/keys', body: (c) => ({ name: `key-${c}`, scopes: ['read'] }), expect: expected(201, ADMIN) },
  { method: 'DELETE', path: (c) => `/v1/keys/${perCaller.keys.get(c)}`, expect: expected(200, ADMIN) },
  { method: 'GET', path: () => '/v1/auth/me', expect: expected(200, [...USERS_ALL, 'display', 'display-q', 'ingest']) },
  { method: 'POST', path: () => '/v1/auth/password', body: (c) => ({ current: password(c), new: password(c) }), expect: expected(200, USERS_ALL) },
  { method: 'GET', path: () => '/v1/staffing/erlang?calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8', expect: expected(200, ['admin', 'manager', 'supervisor', 'lead']) },
];

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  cookies.set('admin', await server.login());
  for (const [name, roles] of Object.entries(USERS)) {
    await asAdmin('POST', '/v1/users', { username: name, password: password(name as Caller), roles });
    cookies.set(name as Caller, await server.login(name, password(name as Caller)));
  }
  otherBoard = (await asAdmin<{ id: string }>('POST', '/v1/boards', aBoard('Other'))).id;
  displayToken = (await asAdmin<{ token: string }>('POST', '/v1/display-tokens', { name: 'lobby', boards: ['center'] })).token;
  for (const c of CALLERS) {
    perCaller.teams.set(c, (await asAdmin<{ id: string }>('PUT', `/v1/teams/doomed-${c}`, { name: 'Doomed' })).id);
    perCaller.boards.set(c, (await asAdmin<{ id: string }>('POST', '/v1/boards', aBoard(`doomed ${c}`))).id);
    perCaller.tokens.set(c, (await asAdmin<{ id: string }>('POST', '/v1/display-tokens', { name: `doomed ${c}`, boards: ['center'] })).id);
    perCaller.keys.set(c, (await asAdmin<{ id: string }>('POST', '/v1/keys', { name: `doomed-${c}`, scopes: ['read'] })).id);
  }
}, 120_000);
afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

describe('RBAC matrix of the settings routes', () => {
  for (const kase of CASES) {
    it(`${kase.method} ${kase.path('admin').replace(/doomed-admin|[A-Za-z0-9_-]{16}$/, ':id')}`, async () => {
      const got: Record<string, number> = {};
      for (const c of CALLERS) got[c] = (await call(c, kase.method, kase.path(c), kase.body?.(c))).status;
      expect(got).toEqual(kase.expect);
    });
  }
});

describe('roles and display tokens', () => {
  it('answers /v1/auth/me with every role, role = the first, and the union of scopes', async () => {
    const me = (await (await call('lead', 'GET', '/v1/auth/me')).json()) as { roles: string[]; role: string; scopes: string[] };
    expect(me).toMatchObject({ kind: 'user', name: 'lead', roles: ['qa', 'supervisor'], role: 'qa' });
    expect(me.scopes.sort()).toEqual(['directory', 'live', 'qa', 'qa_read', 'recordings', 'reports']);
    const { users } = await asAdmin<{ users: { username: string; roles: string[] }[] }>('GET', '/v1/users');
    expect(users.find((u) => u.username === 'new-admin')?.roles).toEqual(['agent', 'qa']);
    const display = (await (await call('display', 'GET', '/v1/auth/me')).json()) as Record<string, unknown>;
    expect(display).toMatchObject({ kind: 'display', name: 'lobby', boards: ['center'], scopes: ['live'] });
  });

  it('lets a display token read only its boards and never anything else', async () => {
    const { boards } = (await (await call('display-q', 'GET', '/v1/boards')).json()) as { boards: { id: string }[] };
    expect(boards.map((b) => b.id)).toEqual(['center']);
    for (const c of ['display', 'display-q'] as const) {
      expect((await call(c, 'GET', `/v1/events?from=0&to=1`)).status).toBe(403);
      expect((await call(c, 'GET', '/metrics')).status).toBe(403);
      expect((await call(c, 'PUT', '/v1/boards/center', aBoard('hijack'))).status).toBe(403);
      expect((await call(c, 'POST', '/v1/display-tokens', { name: 'more', boards: ['center'] })).status).toBe(403);
    }
    const ingest = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${displayToken}` }, body: '[]' });
    expect(ingest.status).toBe(403);
    // an API key is not a display token, and a display token is no key: `?token=` takes display tokens only
    expect((await fetch(`${server.url}/v1/boards/center?token=${TEST_INGEST_KEY}`)).status).toBe(401);
  });

  it('revokes a display token at once', async () => {
    const { id, token } = await asAdmin<{ id: string; token: string }>('POST', '/v1/display-tokens', { name: 'kitchen', boards: ['center', otherBoard] });
    expect((await fetch(`${server.url}/v1/boards/${otherBoard}?token=${token}`)).status).toBe(200);
    const { tokens } = await asAdmin<{ tokens: { id: string; revoked: boolean; boards: string[] }[] }>('GET', '/v1/display-tokens');
    expect(tokens.find((t) => t.id === id)).toMatchObject({ revoked: false, boards: ['center', otherBoard] });
    expect(JSON.stringify(tokens)).not.toContain(token);
    expect(await asAdmin('DELETE', `/v1/display-tokens/${id}`)).toEqual({ id, revoked: true });
    expect((await fetch(`${server.url}/v1/boards/center?token=${token}`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/boards/center`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('refuses a display token for a board that does not exist, naming the field', async () => {
    const r = await call('supervisor', 'POST', '/v1/display-tokens', { name: 'tv', boards: ['center', 'nope'] });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'boards[1]: no board "nope"' });
  });

  it('names the field of a bad settings body', async () => {
    const tz = await call('admin', 'PUT', '/v1/sites/mars', { name: 'Mars', time_zone: 'Mars/Base' });
    expect(tz.status).toBe(400);
    expect(await tz.json()).toEqual({ error: 'time_zone: not an IANA time zone (got "Mars/Base")' });
    const board = aBoard('bad') as Record<string, any>;
    board.pages[0].widgets[0].metric = 'mood';
    const b = await call('supervisor', 'POST', '/v1/boards', board);
    expect(b.status).toBe(400);
    expect(((await b.json()) as { error: string }).error).toMatch(/^pages\[0\]\.widgets\[0\]\.metric: must be one of/);
    const q = await call('supervisor', 'PUT', '/v1/queues/q1', { sl_formula: 'magic' });
    expect(((await q.json()) as { error: string }).error).toMatch(/^sl_formula: must be one of default, answered_only, abandon_positive, abandon_negative/);
  });

  it('answers staffing with Erlang C, and names the field of a bad query', async () => {
    const ok = await call('manager', 'GET', '/v1/staffing/erlang?calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8&shrinkage=0.3');
    expect(await ok.json()).toMatchObject({ model: 'erlang_c', agents: 14, scheduled: 20, abandon_rate: 0 });
    const bad = await call('manager', 'GET', '/v1/staffing/erlang?calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=80');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^target_sl: must be a fraction/);
  });

  it('creates agents, queues and sites first seen in ingested events', async () => {
    const now = Date.now();
    const events = [
      { id: 'fs-1', type: 'agent.state', ts: now, agent: 'fresh-agent', state: 'available', queues: ['fresh-queue'], site: 'fresh-site' },
      { id: 'fs-2', type: 'call.queued', ts: now, call: 'fs-call', queue: 'fresh-queue', site: 'fresh-site' },
    ];
    const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
    expect(r.status).toBe(200);
    await expect
      .poll(async () => (await asAdmin<{ agents: { id: string }[] }>('GET', '/v1/agents')).agents.find((a) => a.id === 'fresh-agent'), { timeout: 15_000, interval: 200 })
      .toMatchObject({ name: 'fresh-agent', site: 'fresh-site', team: null, updated_by: 'first-seen' });
    const { queues } = await asAdmin<{ queues: { id: string; site: string; sl_threshold_s: number }[] }>('GET', '/v1/queues');
    expect(queues.find((q) => q.id === 'fresh-queue')).toMatchObject({ sl_threshold_s: 20, sl_formula: 'default', sl_flowouts: 'exclude' });
    const { sites } = await asAdmin<{ sites: { id: string; time_zone: string }[] }>('GET', '/v1/sites');
    expect(sites.find((x) => x.id === 'fresh-site')?.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  });

  it('changes one’s own password: wrong current 403, then rate-limited like sign-in', async () => {
    await asAdmin('POST', '/v1/users', { username: 'locky', password: 'locky-password', roles: ['agent'] });
    const cookie = await server.login('locky', 'locky-password');
    const other = await server.login('locky', 'locky-password');
    const change = (current: string, next = 'locky-password-2') =>
      fetch(`${server.url}/v1/auth/password`, { method: 'POST', headers: { cookie }, body: JSON.stringify({ current, new: next }) });
    const wrong = await change('not-my-password');
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ error: 'current: wrong password' });
    expect((await change('locky-password', 'short')).status).toBe(400);
    expect((await change('locky-password')).status).toBe(200);
    // the other session ended; this one stays
    expect((await fetch(`${server.url}/v1/auth/me`, { headers: { cookie: other } })).status).toBe(401);
    expect((await fetch(`${server.url}/v1/auth/me`, { headers: { cookie } })).status).toBe(200);
    for (let i = 0; i < 5; i++) await change(`wrong-${i}-password`);
    const locked = await change('locky-password-2', 'locky-password-3');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
