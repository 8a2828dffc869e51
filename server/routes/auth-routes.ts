import { Type } from '@sinclair/typebox';
import type { TemplatedApp } from 'uWebSockets.js';
import { KEY_SCOPES, type Principal, type Scope } from '../../platform/auth.ts';
import { authorize } from '../../platform/http/authorize.ts';
import { BodyTooLargeError, guard, requestInfo, sendError, sendJson, type Reply, type RequestInfo } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { AuthInputError, LoginThrottledError, SESSION_COOKIE, sessionToken, type AuthService } from '../auth/auth-service.ts';
import { normalizeRoles, ROLES, type Role } from '../auth/roles.ts';
import { jsonBody, LOGIN_BODY_BYTES, RequestBodyError, startBody } from './request-body.ts';

const roleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const scopeSchema = Type.Union(KEY_SCOPES.map((s) => Type.Literal(s)));
const rolesSchema = Type.Array(roleSchema, { minItems: 1, maxItems: ROLES.length });
const loginBody = jsonBody(Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ maxLength: 256 }) }));
const createUserBody = jsonBody(
  Type.Object({
    username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    roles: Type.Optional(rolesSchema),
    /** older form: one role */
    role: Type.Optional(roleSchema),
  }),
);
const updateUserBody = jsonBody(
  Type.Object({
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    roles: Type.Optional(rolesSchema),
    /** older form: one role */
    role: Type.Optional(roleSchema),
    disabled: Type.Optional(Type.Boolean()),
  }),
);
const passwordBody = jsonBody(Type.Object({ current: Type.String({ maxLength: 256 }), new: Type.String({ minLength: 8, maxLength: 256 }) }));
const createKeyBody = jsonBody(
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), scopes: Type.Array(scopeSchema, { minItems: 1 }) }),
);

function principalJson(p: Principal) {
  return {
    kind: p.kind,
    name: p.name,
    roles: p.roles ?? [],
    role: p.role ?? null,
    scopes: [...p.scopes],
    ...(p.kind === 'display' ? { id: p.id, boards: p.boards ?? [] } : {}),
  };
}

/** The request's credentials with a `?token=` display token. */
function withQueryToken(info: RequestInfo) {
  return { authorization: info.authorization, cookie: info.cookie, queryToken: info.query.get('token') ?? undefined };
}

/** `roles`, or the older single `role`; undefined when neither is given. */
function rolesFrom(body: { roles?: Role[] | undefined; role?: Role | undefined }): Role[] | undefined {
  if (body.roles !== undefined) return normalizeRoles(body.roles);
  return body.role !== undefined ? [body.role] : undefined;
}

/** Login/logout, the current user, and admin management of users and API keys. */
export function registerAuthRoutes(app: TemplatedApp, auth: AuthService, log: Logger, opts: { cookieSecure: boolean }): void {
  const fail = (reply: Reply, err: unknown) => {
    if (err instanceof RequestBodyError) return sendError(reply, 400, err.message);
    if (err instanceof LoginThrottledError) return sendError(reply, 429, err.message, { 'Retry-After': String(err.retryAfterS) });
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
    handle: (reply: Reply, who: Principal, param: string, body: Promise<Buffer>, info: RequestInfo) => Promise<void>,
    paramName = '',
  ) => {
    app[method](path, (res, req) => {
      const reply = guard(res);
      const info = requestInfo(req, res);
      const param = req.getParameter(0) ?? '';
      const body = method === 'post' || method === 'patch' ? startBody(reply) : Promise.resolve(Buffer.alloc(0));
      void (async () => {
        const who = await authorize(reply, auth, info, 'admin');
        if (!who) return;
        let decoded: string;
        try {
          decoded = decodeURIComponent(param);
        } catch {
          return sendError(reply, 400, `${paramName}: malformed percent-encoding in the path`);
        }
        await handle(reply, who, decoded, body, info);
      })().catch((err: unknown) => fail(reply, err));
    });
  };

  app.post('/v1/auth/login', (res, req) => {
    const reply = guard(res);
    const { remote } = requestInfo(req, res);
    try {
      // A locked-out address is answered before its body is read.
      auth.checkLoginAllowed(remote);
    } catch (err) {
      return fail(reply, err);
    }
    const body = loginBody(startBody(reply, LOGIN_BODY_BYTES));
    void (async () => {
      const { username, password } = await body;
      const session = await auth.login(username, password, remote);
      if (!session) return sendError(reply, 401, 'wrong username or password');
      sendJson(reply, 200, principalJson(session.principal), { 'Set-Cookie': cookie(session.token, session.maxAgeS) });
    })().catch((err: unknown) => fail(reply, err));
  });

  app.post('/v1/auth/logout', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      const token = sessionToken(info.cookie);
      const who = await auth.authenticate({ authorization: '', cookie: info.cookie });
      if (token && who) await auth.logout(token, who.name);
      sendJson(reply, 200, { ok: true }, { 'Set-Cookie': cookie('', 0) });
    })().catch((err: unknown) => fail(reply, err));
  });

  app.get('/v1/auth/me', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      const who = await auth.authenticate(withQueryToken(info));
      if (!who) return sendError(reply, 401, 'not signed in');
      sendJson(reply, 200, principalJson(who));
    })().catch((err: unknown) => fail(reply, err));
  });

  app.post('/v1/auth/password', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    const raw = startBody(reply, LOGIN_BODY_BYTES);
    void (async () => {
      const who = await auth.authenticate(withQueryToken(info));
      if (!who) return sendError(reply, 401, 'not signed in');
      const token = sessionToken(info.cookie);
      // Only a signed-in person changes their own password: keys and displays have none.
      if (who.kind !== 'user' || !token) return sendError(reply, 403, 'requires a signed-in user');
      const body = await passwordBody(raw);
      await auth.changeOwnPassword(who.name, body.current, body.new, { keepSessionToken: token, remote: info.remote });
      sendJson(reply, 200, { ok: true });
    })().catch((err: unknown) => fail(reply, err));
  });

  admin('get', '/v1/users', async (reply) => {
    const users = await auth.listUsers();
    sendJson(reply, 200, { users });
  });
  admin('post', '/v1/users', async (reply, who, _, raw) => {
    const body = await createUserBody(raw);
    const roles = rolesFrom(body);
    if (!roles) return sendError(reply, 400, 'roles: is required');
    await auth.createUser({ username: body.username, password: body.password, roles }, who.name);
    sendJson(reply, 201, { username: body.username, roles, role: roles[0] });
  });
  admin(
    'patch',
    '/v1/users/:username',
    async (reply, who, username, raw, info) => {
      const body = await updateUserBody(raw);
      // Users changing their own password keep the session they do it with; their other sessions end.
      const keepSessionToken = who.kind === 'user' && who.name === username ? sessionToken(info.cookie) : undefined;
      await auth.updateUser(username, { password: body.password, disabled: body.disabled, roles: rolesFrom(body) }, who.name, { keepSessionToken });
      sendJson(reply, 200, { username });
    },
    'username',
  );
  admin('get', '/v1/keys', async (reply) => sendJson(reply, 200, await auth.listKeys()));
  admin('post', '/v1/keys', async (reply, who, _, raw) => {
    const body = await createKeyBody(raw);
    const created = await auth.createKey(body.name, body.scopes as Scope[], who.name);
    sendJson(reply, 201, { ...created, name: body.name, scopes: body.scopes });
  });
  admin(
    'del',
    '/v1/keys/:id',
    async (reply, who, id) => {
      await auth.revokeKey(id, who.name);
      sendJson(reply, 200, { id, revoked: true });
    },
    'id',
  );
}
