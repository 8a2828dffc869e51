/**
 * Issue 6, defects 9-11 (auth part): unauthenticated requests cost almost nothing (no store
 * query for an unknown key or session token, bounded password hashing, rate-limited sign-ins,
 * bounded audit rows), malformed cookies are never a 500, and sessions end with a password
 * change or a disabled user, while the last enabled admin stays an admin.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../platform/auth.ts';
import type { Logger } from '../platform/log.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import type { Store } from '../platform/store/store.ts';
import { TABLES } from '../schemas/tables.ts';
import { AuthService, LoginThrottledError, parseCookies, SESSION_COOKIE, sessionToken } from '../server/auth/auth-service.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_ADMIN_PASSWORD } from './helpers/server-process.ts';
import { freshChdbStore } from './helpers/store.ts';

const TTL = 12 * 3600_000;
const INGEST_KEY = 'auth-hardening-ingest-key-0123';
const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = (level, msg, fields) => void logs.push({ level, msg, ...(fields ? { fields } : {}) });

let chdb: ChdbStore;

/** The real store, counting the queries made through it. */
function counting(store: Store): { store: Store; queries: () => number } {
  let n = 0;
  const wrapped = new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'query') {
        return (...args: unknown[]) => {
          n++;
          return fn.apply(target, args);
        };
      }
      return fn.bind(target);
    },
  });
  return { store: wrapped, queries: () => n };
}

async function service(opts: ConstructorParameters<typeof AuthService>[3] = {}): Promise<{ auth: AuthService; queries: () => number }> {
  const c = counting(chdb);
  const auth = new AuthService(c.store, log, TTL, opts);
  await auth.bootstrap({ adminPassword: TEST_ADMIN_PASSWORD, ingestKey: INGEST_KEY });
  return { auth, queries: c.queries };
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const randomToken = () => randomBytes(32).toString('base64url');
const byKey = (key: string) => ({ authorization: `Bearer ${key}`, cookie: '' });
const byCookie = (cookie: string) => ({ authorization: '', cookie });
const bySession = (token: string) => byCookie(`${SESSION_COOKIE}=${token}`);

async function auditRows(target: string): Promise<Record<string, number>> {
  const rows = await chdb.query<{ action: string; n: number | string }>(
    `SELECT action, count() AS n FROM ${TABLES.audit} WHERE target = {t:String} GROUP BY action`,
    { t: target },
  );
  return Object.fromEntries(rows.map((r) => [r.action, Number(r.n)]));
}

async function session(auth: AuthService, username: string, password: string, remote = '192.0.2.1'): Promise<string> {
  const s = await auth.login(username, password, remote);
  if (!s) throw new Error(`sign-in of ${username} failed`);
  return s.token;
}

beforeAll(async () => {
  chdb = await freshChdbStore('auth-hardening');
});
afterAll(async () => {
  await chdb.close();
  removeDir(chdb.dataDir);
});

describe('API keys are answered from memory', () => {
  it('costs no store query for a flood of unknown keys (header or ?key=), nor for a known one', async () => {
    const { auth, queries } = await service({ keyMissReloadMs: 60_000 });
    const before = queries();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        auth.authenticate(i % 2 ? byKey(`cbk_${randomToken()}`) : { authorization: '', cookie: '', queryKey: randomToken() }),
      ),
    );
    expect(results.every((r) => r === null)).toBe(true);
    expect(await auth.authenticate(byKey(INGEST_KEY))).toMatchObject({ kind: 'key', name: 'INGEST_KEY' });
    expect(queries() - before).toBe(0);
  });

  it('applies its own key writes at once, and another process’s within the reload times, with a bounded number of reads', async () => {
    const { auth: a } = await service({ keyMissReloadMs: 60_000, keyRefreshMs: 60_000 });
    const { auth: b, queries: bQueries } = await service({ keyMissReloadMs: 200, keyRefreshMs: 200 });
    const readsBefore = bQueries();
    let asked = 0;
    const bAuthenticate = (k: string) => (asked++, b.authenticate(byKey(k)));
    const { key, id } = await a.createKey('pbx-hardening', ['ingest'], 'test');
    expect(await a.authenticate(byKey(key))).toMatchObject({ kind: 'key', name: 'pbx-hardening' });
    await waitFor('the other process to accept the new key', async () => (await bAuthenticate(key)) !== null);
    await a.revokeKey(id, 'test');
    expect(await a.authenticate(byKey(key))).toBeNull();
    await waitFor('the other process to refuse the revoked key', async () => (await bAuthenticate(key)) === null);
    for (let i = 0; i < 200; i++) await bAuthenticate(`cbk_${randomToken()}`);
    // however often it was asked, b read the table at most once per reload interval
    expect(bQueries() - readsBefore).toBeLessThanOrEqual(5);
    expect(asked).toBeGreaterThan(200);
  });
});

describe('session tokens: unknown ones are cheap', () => {
  it('answers malformed session cookies without a query, and a flood of random tokens with a few batched ones', async () => {
    const { auth, queries } = await service();
    const before = queries();
    for (const cookie of ['cb_session=abc', `cb_session=${'x'.repeat(44)}`, 'cb_session=%zz', `cb_session=${'a'.repeat(42)}=`, 'cb_session=', 'theme=dark']) {
      expect(await auth.authenticate(byCookie(cookie))).toBeNull();
    }
    expect(queries() - before).toBe(0);
    const tokens = Array.from({ length: 500 }, randomToken);
    expect((await Promise.all(tokens.map((t) => auth.authenticate(bySession(t))))).every((r) => r === null)).toBe(true);
    const afterFlood = queries();
    expect(afterFlood - before).toBeLessThanOrEqual(3);
    // the same tokens again: known to be unknown, no query at all
    expect((await Promise.all(tokens.map((t) => auth.authenticate(bySession(t))))).every((r) => r === null)).toBe(true);
    expect(queries()).toBe(afterFlood);
    // a real session, signed in through another process, is still found amid a flood
    const { auth: other } = await service();
    const real = await session(other, 'admin', TEST_ADMIN_PASSWORD);
    const mixed = await Promise.all([...Array.from({ length: 200 }, randomToken), real].map((t) => auth.authenticate(bySession(t))));
    expect(mixed.at(-1)).toMatchObject({ kind: 'user', name: 'admin', role: 'admin' });
    expect(mixed.slice(0, -1).every((r) => r === null)).toBe(true);
  });

  it('bounds the tokens waiting for a look-up: past the bound they are no session, without a query', async () => {
    const { auth, queries } = await service({ maxPendingSessionLookups: 20 });
    const before = queries();
    const results = await Promise.all(Array.from({ length: 300 }, () => auth.authenticate(bySession(randomToken()))));
    expect(results.every((r) => r === null)).toBe(true);
    expect(queries() - before).toBe(1);
    expect(auth.credentialLookups.sessionQueries).toBe(1);
  });
});

describe('cookies', () => {
  it('ignores a stray malformed cookie next to a valid session; a malformed value of our cookie is no session', async () => {
    const { auth } = await service();
    const token = await session(auth, 'admin', TEST_ADMIN_PASSWORD);
    for (const cookie of [
      `theme=100%; cb_session=${token}`,
      `cb_session=${token}; theme=%E0%A4%A`,
      `a=%; b="%%"; =%; ;; cb_session="${token}"`,
      `cb_session=%zz; cb_session=${token}`,
    ]) {
      expect(await auth.authenticate(byCookie(cookie)), cookie).toMatchObject({ name: 'admin' });
    }
    for (const cookie of ['cb_session=100%', 'cb_session=%E0%A4%A; theme=1', `cb_session=${token}%`, `cb_session=${encodeURIComponent(`${token}/`)}`]) {
      expect(await auth.authenticate(byCookie(cookie)), cookie).toBeNull();
    }
    expect(parseCookies('theme=100%; x=%41; y')).toEqual(new Map([['theme', '100%'], ['x', 'A']]));
  });

  it('property: any cookies around our session resolve to it, any other cb_session value is no session, nothing throws', async () => {
    const { auth } = await service();
    const token = await session(auth, 'admin', TEST_ADMIN_PASSWORD);
    const cookie = fc.tuple(fc.oneof(fc.string(), fc.constant(SESSION_COOKIE), fc.constant(' cb_session ')), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('%', '100%', '%E0%A4%A', '"', '=')));
    await fc.assert(
      fc.asyncProperty(fc.array(cookie, { maxLength: 8 }), fc.option(fc.nat(), { nil: undefined }), async (others, at) => {
        const parts = others.map(([k, v]) => `${k}=${v}`);
        if (at !== undefined) parts.splice(at % (parts.length + 1), 0, `${SESSION_COOKIE}=${token}`);
        const header = parts.join('; ');
        const theirs = others.some(([k, v]) => k.trim() === SESSION_COOKIE && /^[A-Za-z0-9_-]{43}$/.test(v.trim()));
        fc.pre(!theirs);
        expect(() => parseCookies(header)).not.toThrow();
        const who: Principal | null = await auth.authenticate(byCookie(header));
        expect(who?.name ?? null).toBe(at === undefined ? null : 'admin');
        expect(sessionToken(header)).toBe(at === undefined ? undefined : token);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sign-in throttling', () => {
  it('locks a username after 5 failures (429, Retry-After) for a growing time, with one audit row per lockout and none per failure', async () => {
    let t = Date.now();
    const { auth } = await service({ now: () => t });
    await auth.createUser({ username: 'erin', password: 'erin-password', roles: ['agent'] }, 'test');
    for (let i = 0; i < 5; i++) expect(await auth.login('erin', 'wrong-password', `198.51.100.${i}`)).toBeNull();
    const locked = auth.login('erin', 'erin-password', '203.0.113.9');
    await expect(locked).rejects.toBeInstanceOf(LoginThrottledError);
    await expect(locked).rejects.toMatchObject({ status: 429, retryAfterS: 60 });
    for (let i = 0; i < 20; i++) await expect(auth.login('erin', 'wrong-password', '198.51.100.1')).rejects.toMatchObject({ status: 429 });
    t += 30_000;
    await expect(auth.login('erin', 'erin-password')).rejects.toMatchObject({ retryAfterS: 30 });
    t += 30_000;
    for (let i = 0; i < 4; i++) expect(await auth.login('erin', 'wrong-password', '198.51.100.7')).toBeNull();
    expect(await auth.login('erin', 'wrong-again', '198.51.100.7')).toBeNull();
    await expect(auth.login('erin', 'erin-password')).rejects.toMatchObject({ retryAfterS: 120 });
    t += 120_000;
    expect(await auth.login('erin', 'erin-password')).toMatchObject({ principal: { name: 'erin' } });
    expect(await auditRows('erin')).toEqual({ user_saved: 1, login_locked: 2, login: 1 });
    expect(auth.failedLogins).toBe(10);
    expect(auth.throttledLogins).toBe(23);
    expect(auth.loginLockouts).toBe(2);
  });

  it('locks an address out across usernames (IPv6 per /64), and writes no audit row for unknown usernames', async () => {
    const { auth } = await service({ loginLimits: { addressFailures: 6 } });
    const names = Array.from({ length: 6 }, (_, i) => `nobody-${i}-${randomToken().slice(0, 6)}`);
    for (const [i, name] of names.entries()) expect(await auth.login(name, 'whatever-1', `2001:db8:aa:bb::${i + 1}`)).toBeNull();
    await expect(auth.login('admin', TEST_ADMIN_PASSWORD, '2001:db8:aa:bb:ffff::1')).rejects.toMatchObject({ status: 429, retryAfterS: 60 });
    expect(await auth.login('admin', TEST_ADMIN_PASSWORD, '2001:db8:aa:cc::1')).toMatchObject({ principal: { name: 'admin' } });
    for (const name of names) expect(await auditRows(name)).toEqual({});
    expect(logs.some((l) => l.msg === 'sign-ins from an address locked out' && l.fields?.address === '2001:db8:aa:bb::/64')).toBe(true);
  });

  it('hashes at most 2 passwords at once and refuses sign-ins past the queue at once', async () => {
    const { auth } = await service({ hashConcurrency: 2, hashQueue: 16 });
    const attempts = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => auth.login(`crowd-${i}`, 'wrong-password', `10.20.${i}.1`)),
    );
    const refused = attempts.filter((a) => a.status === 'rejected');
    expect(refused).toHaveLength(40 - 2 - 16);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 429, retryAfterS: 1 });
    expect(attempts.filter((a) => a.status === 'fulfilled' && a.value === null)).toHaveLength(18);
    expect(auth.hashingStats).toEqual({ running: 0, queued: 0, peak: 2 });
    expect(auth.failedLogins).toBe(18);
  });
});

describe('sessions end with a password change or a disabled user', () => {
  it('an admin password reset ends the user’s sessions: in this process at once, in another within the cache time', async () => {
    const { auth: a } = await service();
    const { auth: b } = await service({ cacheMs: 300 });
    await a.createUser({ username: 'frank', password: 'frank-password', roles: ['supervisor'] }, 'admin');
    const s1 = await session(a, 'frank', 'frank-password');
    const s2 = await session(a, 'frank', 'frank-password');
    expect(await b.authenticate(bySession(s1))).toMatchObject({ name: 'frank' });
    await a.updateUser('frank', { password: 'frank-new-password' }, 'admin');
    expect(await a.authenticate(bySession(s1))).toBeNull();
    expect(await a.authenticate(bySession(s2))).toBeNull();
    await waitFor('the other process to end the session', async () => (await b.authenticate(bySession(s1))) === null, 5000);
    expect(await a.login('frank', 'frank-password')).toBeNull();
    expect(await a.login('frank', 'frank-new-password')).toMatchObject({ principal: { name: 'frank' } });
    expect(await auditRows('frank')).toMatchObject({ sessions_ended: 1 });
  });

  it('users changing their own password keep that session and lose the others', async () => {
    const { auth } = await service();
    await auth.createUser({ username: 'gina', password: 'gina-password', roles: ['qa'] }, 'admin');
    const kept = await session(auth, 'gina', 'gina-password');
    const other = await session(auth, 'gina', 'gina-password');
    await auth.updateUser('gina', { password: 'gina-new-password' }, 'gina', { keepSessionToken: kept });
    expect(await auth.authenticate(bySession(kept))).toMatchObject({ name: 'gina' });
    expect(await auth.authenticate(bySession(other))).toBeNull();
    // another process agrees (it reads the store)
    const { auth: fresh } = await service();
    expect(await fresh.authenticate(bySession(kept))).toMatchObject({ name: 'gina' });
    expect(await fresh.authenticate(bySession(other))).toBeNull();
  });

  it('disabling a user ends all their sessions; enabling again does not bring them back', async () => {
    const { auth } = await service();
    await auth.createUser({ username: 'hank', password: 'hank-password', roles: ['agent'] }, 'admin');
    const s = await session(auth, 'hank', 'hank-password');
    await auth.updateUser('hank', { disabled: true }, 'admin');
    expect(await auth.authenticate(bySession(s))).toBeNull();
    await auth.updateUser('hank', { disabled: false }, 'admin');
    expect(await auth.authenticate(bySession(s))).toBeNull();
    const { auth: fresh } = await service();
    expect(await fresh.authenticate(bySession(s))).toBeNull();
    expect(await session(auth, 'hank', 'hank-password')).toMatch(/^[\w-]{43}$/);
  });

  it('keeps at least one enabled admin: the last one can be neither demoted nor disabled (409 naming the field), by anyone', async () => {
    const { auth } = await service();
    const enabledAdmins = async () =>
      (await auth.listUsers()).filter((u) => u.roles.includes('admin') && !u.disabled).map((u) => u.username);
    expect(await enabledAdmins()).toEqual(['admin']);
    await expect(auth.updateUser('admin', { roles: ['agent'] }, 'admin')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/^roles: admin is the last enabled admin/) });
    await expect(auth.updateUser('admin', { disabled: true }, 'someone')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/^disabled: /) });
    await auth.createUser({ username: 'admin-x', password: 'admin-x-password', roles: ['admin'] }, 'admin');
    await auth.updateUser('admin-x', { disabled: true }, 'admin');
    // a disabled admin does not count
    await expect(auth.updateUser('admin', { roles: ['manager'], disabled: true }, 'admin')).rejects.toMatchObject({ status: 409 });
    await auth.updateUser('admin-x', { disabled: false }, 'admin');
    // two admins demoting each other at once: one of them stays admin
    const both = await Promise.allSettled([
      auth.updateUser('admin', { roles: ['agent'] }, 'admin-x'),
      auth.updateUser('admin-x', { roles: ['agent'] }, 'admin'),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await enabledAdmins()).toHaveLength(1);
    // put `admin` back for the rest of the file
    await auth.updateUser('admin', { roles: ['admin'] }, 'test');
    await auth.updateUser('admin-x', { roles: ['admin'], disabled: true }, 'test');
    expect(await enabledAdmins()).toEqual(['admin']);
  });
});

describe('over HTTP', () => {
  let dir: string;
  let server: ServerProcess;
  let admin: string;
  beforeAll(async () => {
    dir = tempDataDir('auth-hardening-http');
    server = await ServerProcess.start(dir);
    admin = await server.login();
  });
  afterAll(async () => {
    await server.stop();
    removeDir(dir);
  });
  const call = (method: string, path: string, cookie: string, body?: unknown) =>
    fetch(`${server.url}${path}`, { method, headers: { cookie }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const login = (username: string, password: string) =>
    fetch(`${server.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username, password }) });

  it('answers 429 with Retry-After once a username is locked out, and reads at most 8 KB of a sign-in body', async () => {
    for (let i = 0; i < 5; i++) expect((await login('ivy', 'wrong-password')).status).toBe(401);
    const r = await login('ivy', 'wrong-password');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(await r.json()).toEqual({ error: 'too many failed sign-ins, try again later' });
    const big = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'x', password: 'p'.repeat(20_000) }) });
    expect(big.status).toBe(413);
  });

  it('a stray malformed cookie never breaks a route; a malformed session cookie is 401', async () => {
    const cookie = `theme=100%; ${admin}; lang=%E0%A4%A`;
    expect(await (await call('GET', '/v1/auth/me', cookie)).json()).toMatchObject({ name: 'admin' });
    expect((await call('GET', '/v1/users', cookie)).status).toBe(200);
    expect((await call('GET', '/v1/keys', cookie)).status).toBe(200);
    expect((await call('GET', '/metrics', cookie)).status).toBe(200);
    expect((await call('GET', '/v1/events?from=0&to=1', cookie)).status).toBe(200);
    const bad = await call('GET', '/v1/auth/me', 'cb_session=100%');
    expect(bad.status).toBe(401);
    expect((await call('POST', '/v1/auth/logout', 'cb_session=%E0%A4%A')).status).toBe(200);
  });

  it('PATCH: the last admin gets 409 naming the field; a password change ends the other sessions but the one used', async () => {
    const demote = await call('PATCH', '/v1/users/admin', admin, { role: 'agent' });
    expect(demote.status).toBe(409);
    expect(((await demote.json()) as { error: string }).error).toMatch(/^roles: admin is the last enabled admin/);
    const disable = await call('PATCH', '/v1/users/admin', admin, { disabled: true });
    expect(disable.status).toBe(409);
    expect(((await disable.json()) as { error: string }).error).toMatch(/^disabled: /);

    expect((await call('POST', '/v1/users', admin, { username: 'jack', password: 'jack-password', role: 'supervisor' })).status).toBe(201);
    const jack = await server.login('jack', 'jack-password');
    expect((await call('PATCH', '/v1/users/jack', admin, { password: 'jack-new-password' })).status).toBe(200);
    expect((await call('GET', '/v1/auth/me', jack)).status).toBe(401);

    const other = await server.login();
    expect((await call('PATCH', '/v1/users/admin', admin, { password: 'admin-new-password' })).status).toBe(200);
    expect((await call('GET', '/v1/auth/me', admin)).status).toBe(200);
    expect((await call('GET', '/v1/auth/me', other)).status).toBe(401);
  });

  // last: it locks this test's address out of signing in
  it('answers a locked-out address 429 before reading its body, and keeps serving everything else', async () => {
    let status = 401;
    let failures = 0;
    while (status === 401) {
      status = (await login(`spray-${failures}`, 'wrong-password')).status;
      if (status === 401) failures++;
      expect(failures).toBeLessThanOrEqual(30);
    }
    expect(status).toBe(429);
    // the address limit is 30 failures in 5 minutes; 5 of them were ivy's above
    expect(failures + 5).toBe(30);
    const huge = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', body: 'x'.repeat(4 * 1024 * 1024) });
    expect(huge.status).toBe(429);
    expect(Number(huge.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await call('GET', '/v1/auth/me', admin)).status).toBe(200);
  });
});
