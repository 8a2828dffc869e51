import { Type } from '@sinclair/typebox';
import type { TemplatedApp } from 'uWebSockets.js';
import { SCOPES, type Principal, type Scope } from '../../ingest/auth.ts';
import { authorize } from '../../ingest/http/routes.ts';
import { BodyTooLargeError, guard, requestInfo, sendError, sendJson, type Reply } from '../../ingest/http/uws.ts';
import type { Logger } from '../../ingest/log.ts';
import { AuthInputError, parseCookies, SESSION_COOKIE, type AuthService } from '../auth/auth-service.ts';
import { ROLES } from '../auth/roles.ts';
import { jsonBody, RequestBodyError, startBody } from './request-body.ts';

const roleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const scopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));
const loginBody = jsonBody(Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ maxLength: 256 }) }));
const createUserBody = jsonBody(
  Type.Object({
    username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    role: roleSchema,
  }),
);
const updateUserBody = jsonBody(
  Type.Object({
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    role: Type.Optional(roleSchema),
    disabled: Type.Optional(Type.Boolean()),
  }),
);
const createKeyBody = jsonBody(
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), scopes: Type.Array(scopeSchema, { minItems: 1 }) }),
);

function principalJson(p: Principal) {
  return { kind: p.kind, name: p.name, role: p.role ?? null, scopes: [...p.scopes] };
}

/** Login/logout, the current user, and admin management of users and API keys. */
export function registerAuthRoutes(app: TemplatedApp, auth: AuthService, log: Logger, opts: { cookieSecure: boolean }): void {
  const fail = (reply: Reply, err: unknown) => {
    if (err instanceof RequestBodyError) return sendError(reply, 400, err.message);
    if (err instanceof AuthInputError) return sendError(reply, err.status, err.message);
    if (err instanceof BodyTooLargeError) return sendError(reply, 413, err.message);
    log('error', 'auth route failed', { error: String(err) });
    sendError(reply, 500, 'internal error');
  };
  const cookie = (token: string, maxAge: number) =>
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${opts.cookieSecure ? '; Secure' : ''}`;

  /** Registers an admin-only route. */
  const admin = (
    method: 'get' | 'post' | 'patch' | 'del',
    path: string,
    handle: (reply: Reply, who: Principal, param: string, body: Promise<Buffer>) => Promise<void>,
  ) => {
    app[method](path, (res, req) => {
      const reply = guard(res);
      const info = requestInfo(req, res);
      const param = req.getParameter(0) ?? '';
      const body = method === 'post' || method === 'patch' ? startBody(reply) : Promise.resolve(Buffer.alloc(0));
      void (async () => {
        const who = await authorize(reply, auth, info, 'admin');
        if (who) await handle(reply, who, decodeURIComponent(param), body);
      })().catch((err: unknown) => fail(reply, err));
    });
  };

  app.post('/v1/auth/login', (res) => {
    const reply = guard(res);
    const body = loginBody(startBody(reply));
    void (async () => {
      const { username, password } = await body;
      const session = await auth.login(username, password);
      if (!session) return sendError(reply, 401, 'wrong username or password');
      sendJson(reply, 200, principalJson(session.principal), { 'Set-Cookie': cookie(session.token, session.maxAgeS) });
    })().catch((err: unknown) => fail(reply, err));
  });

  app.post('/v1/auth/logout', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      const token = parseCookies(info.cookie).get(SESSION_COOKIE);
      const who = await auth.authenticate({ authorization: '', cookie: info.cookie });
      if (token && who) await auth.logout(token, who.name);
      sendJson(reply, 200, { ok: true }, { 'Set-Cookie': cookie('', 0) });
    })().catch((err: unknown) => fail(reply, err));
  });

  app.get('/v1/auth/me', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      const who = await auth.authenticate(info);
      if (!who) return sendError(reply, 401, 'not signed in');
      sendJson(reply, 200, principalJson(who));
    })().catch((err: unknown) => fail(reply, err));
  });

  admin('get', '/v1/users', async (reply) => sendJson(reply, 200, await auth.listUsers()));
  admin('post', '/v1/users', async (reply, who, _, raw) => {
    const body = await createUserBody(raw);
    await auth.createUser(body, who.name);
    sendJson(reply, 201, { username: body.username, role: body.role });
  });
  admin('patch', '/v1/users/:username', async (reply, who, username, raw) => {
    const body = await updateUserBody(raw);
    await auth.updateUser(username, body, who.name);
    sendJson(reply, 200, { username });
  });
  admin('get', '/v1/keys', async (reply) => sendJson(reply, 200, await auth.listKeys()));
  admin('post', '/v1/keys', async (reply, who, _, raw) => {
    const body = await createKeyBody(raw);
    const created = await auth.createKey(body.name, body.scopes as Scope[], who.name);
    sendJson(reply, 201, { ...created, name: body.name, scopes: body.scopes });
  });
  admin('del', '/v1/keys/:id', async (reply, who, id) => {
    await auth.revokeKey(id, who.name);
    sendJson(reply, 200, { id, revoked: true });
  });
}
