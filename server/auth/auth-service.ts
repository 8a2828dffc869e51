import { createHash, randomBytes } from 'node:crypto';
import type { Authenticator, Credentials, Principal, Scope } from '../../platform/auth.ts';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import { TABLES } from '../../schemas/tables.ts';
import { nextVersion } from '../../platform/store/version.ts';
import { BatchLookup, TableIndex, TtlCache } from './caches.ts';
import { DisplayTokens } from './display-tokens.ts';
import { GateFullError, HashGate } from './hash-gate.ts';
import { clientAddressKey, LoginLimiter, type LoginLimitOptions } from './login-limiter.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { normalizeRoles, scopesOf, type Role } from './roles.ts';

export const SESSION_COOKIE = 'cb_session';
const MIN_PASSWORD = 8;
/** Hashed for unknown usernames, so timing does not tell which usernames exist. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
/** Our session tokens: 32 random bytes, base64url. Anything else is no session, without a look-up. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface AuthOptions {
  /**
   * How long a resolved session (or a session known not to exist) is trusted before it is read
   * again: a logout, password change or disabled user by another server process takes effect
   * within this time (this process: at once).
   */
  cacheMs?: number;
  /** entries of each session cache (valid, unknown) */
  cacheEntries?: number;
  /** the API key index is read again when older than this (on use), so changes by another process apply within it */
  keyRefreshMs?: number;
  /** an unknown key reads the index again if the last read is older than this (a key just created by another process) */
  keyMissReloadMs?: number;
  /** unknown session tokens are looked up together, at most one query per this interval */
  sessionLookupIntervalMs?: number;
  /** unknown session tokens waiting for a look-up; past that they are answered as no session */
  maxPendingSessionLookups?: number;
  /** password hashes computed at once, process-wide */
  hashConcurrency?: number;
  /** sign-ins waiting for a hashing slot; past that a sign-in is answered 429 at once */
  hashQueue?: number;
  loginLimits?: LoginLimitOptions;
  now?: () => number;
}

const DEFAULTS = {
  cacheMs: 30_000,
  cacheEntries: 10_000,
  keyRefreshMs: 10_000,
  keyMissReloadMs: 2_000,
  sessionLookupIntervalMs: 100,
  maxPendingSessionLookups: 1024,
  hashConcurrency: 2,
  hashQueue: 32,
};

export interface UserRow {
  username: string;
  /** the first of `roles` (the column older versions read) */
  role: Role;
  /** every role the user holds (rows written before migration 0005 read as [role]) */
  roles: Role[];
  password_hash: string;
  disabled: number;
  version: number | string;
  updated_at: string;
}

export interface KeyRow {
  key_hash: string;
  key_prefix: string;
  name: string;
  scopes: Scope[];
  revoked: number;
  version: number | string;
  created_at: string;
  created_by: string;
}

/** A request that cannot be carried out, with the field it is about. */
export class AuthInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Sign-ins refused for now (429): too many failures, or too many sign-ins in progress. */
export class LoginThrottledError extends AuthInputError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message, 429);
  }
}

interface SessionRow {
  token_hash: string;
  username: string;
  expires: number | string;
  revoked: number | string;
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The id by which a key is listed and revoked: never the key itself. */
export function keyId(keyHash: string): string {
  return keyHash.slice(0, 16);
}

/** All cookies of a Cookie header; a value that is not valid percent-encoding is kept as sent. */
export function parseCookies(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const raw = part.slice(eq + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // someone else's cookie (e.g. `theme=100%`): not ours to judge
    }
    out.set(part.slice(0, eq).trim(), value);
  }
  return out;
}

/**
 * Our session token from a Cookie header: the first `cb_session` value that has the shape of
 * one of our tokens. Other cookies are never decoded; a malformed `cb_session` is no session.
 */
export function sessionToken(header: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (SESSION_TOKEN.test(value)) return value;
  }
  return undefined;
}

/**
 * Users, API keys and sessions, all versioned rows in ClickHouse. Unauthenticated requests
 * cost almost nothing: API keys are answered from an in-memory index of the (small) key table,
 * session tokens from bounded caches of known and unknown tokens (unknown ones are looked up
 * together, at most one query at a time), and sign-ins are rate-limited per username and
 * address, with password hashing bounded process-wide.
 */
export class AuthService implements Authenticator {
  private readonly opts: typeof DEFAULTS;
  private readonly now: () => number;
  private readonly keys: TableIndex<Principal>;
  private readonly sessions: TtlCache<Principal>;
  private readonly unknownSessions: TtlCache<true>;
  private readonly sessionLookup: BatchLookup<SessionRow>;
  private readonly hashing: HashGate;
  private readonly limiter: LoginLimiter;
  /** Display tokens (TV mode): created, listed and revoked here, recognised by `authenticate`. */
  readonly displayTokens: DisplayTokens;
  private failed = 0;
  private throttled = 0;
  private lockouts = 0;
  /** user changes run one at a time, so two cannot both remove "the other" last admin */
  private userChanges: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly sessionTtlMs = 12 * 3600_000,
    options: AuthOptions = {},
  ) {
    const { loginLimits, now, ...rest } = options;
    this.opts = { ...DEFAULTS, ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<typeof DEFAULTS>) };
    this.now = now ?? Date.now;
    const onError = (what: string) => (err: unknown) => this.log('error', what, { error: String(err) });
    this.keys = new TableIndex(() => this.loadKeys(), {
      refreshMs: this.opts.keyRefreshMs,
      missReloadMs: this.opts.keyMissReloadMs,
      onError: onError('reading the API key index failed'),
      now: this.now,
    });
    this.sessions = new TtlCache(this.opts.cacheMs, this.opts.cacheEntries, this.now);
    this.unknownSessions = new TtlCache(this.opts.cacheMs, this.opts.cacheEntries, this.now);
    this.sessionLookup = new BatchLookup((hashes) => this.loadSessions(hashes), {
      maxPending: this.opts.maxPendingSessionLookups,
      minIntervalMs: this.opts.sessionLookupIntervalMs,
      onError: onError('session look-up failed'),
      now: this.now,
    });
    this.hashing = new HashGate(this.opts.hashConcurrency, this.opts.hashQueue);
    this.limiter = new LoginLimiter({ ...loginLimits, now: loginLimits?.now ?? this.now });
    this.displayTokens = new DisplayTokens(store, (actor, action, target, detail) => this.audit(actor, action, target, detail), {
      refreshMs: this.opts.keyRefreshMs,
      missReloadMs: this.opts.keyMissReloadMs,
      onError: onError('reading the display token index failed'),
      now: this.now,
    });
  }

  /** Sign-ins refused for a wrong username or password since start (for metrics). */
  get failedLogins(): number {
    return this.failed;
  }
  /** Sign-ins answered 429 without checking the password (locked out, or too many in progress). */
  get throttledLogins(): number {
    return this.throttled;
  }
  /** Lockouts started (a username or an address). */
  get loginLockouts(): number {
    return this.lockouts;
  }
  /** Store reads made to resolve credentials: key index reads and batched session look-ups. */
  get credentialLookups(): { keyIndexReads: number; sessionQueries: number } {
    return { keyIndexReads: this.keys.loads, sessionQueries: this.sessionLookup.runs };
  }
  /** Password hashing now and the most ever at once. */
  get hashingStats(): { running: number; queued: number; peak: number } {
    return { running: this.hashing.running, queued: this.hashing.queued, peak: this.hashing.peak };
  }

  /** First run: creates `admin`; makes sure the bootstrap ingest key exists; reads the key index. */
  async bootstrap(opts: { adminPassword?: string | undefined; ingestKey?: string | undefined }): Promise<void> {
    const [{ n }] = (await this.store.query<{ n: number | string }>(`SELECT count() AS n FROM ${TABLES.users}`)) as [{ n: number }];
    if (Number(n) === 0) {
      const password = opts.adminPassword ?? randomBytes(12).toString('base64url');
      await this.putUser({ username: 'admin', roles: ['admin'], password, by: 'bootstrap' });
      if (opts.adminPassword) this.log('info', 'created user admin with ADMIN_PASSWORD');
      else
        this.log('warn', 'created user admin with a one-time password: sign in and change it (PATCH /v1/users/admin)', {
          username: 'admin',
          password,
        });
    }
    if (opts.ingestKey) {
      const hash = sha256(opts.ingestKey);
      const existing = await this.findKey(hash);
      if (!existing || existing.revoked) await this.writeKey(hash, opts.ingestKey, 'INGEST_KEY', ['ingest'], 'bootstrap');
    }
    await this.keys.reload();
    await this.displayTokens.reload();
  }

  /**
   * The caller: an API key or a display token (`Authorization: Bearer`, `?key=`, or for a
   * display token `?token=`), else the session cookie. A display token resolves to a
   * `display` principal with only the `live` scope and its boards.
   */
  async authenticate(creds: Credentials): Promise<Principal | null> {
    const bearer = /^Bearer\s+(.+)$/i.exec(creds.authorization)?.[1]?.trim() ?? creds.queryKey;
    if (bearer) {
      const hash = sha256(bearer);
      return (await this.displayTokens.principal(bearer, hash)) ?? (await this.keys.get(hash)) ?? null;
    }
    if (creds.queryToken) return this.displayTokens.principal(creds.queryToken, sha256(creds.queryToken));
    const token = sessionToken(creds.cookie);
    if (token) return this.principalForSession(token);
    return null;
  }

  /**
   * Refuses at once (429) when sign-ins from this address (and, given, for this username)
   * are locked out. Cheap: lets the route answer before reading a body.
   */
  checkLoginAllowed(remote: string, username: string | null = null): void {
    const ms = this.limiter.lockedFor(username, clientAddressKey(remote));
    if (ms > 0) {
      this.throttled++;
      throw new LoginThrottledError('too many failed sign-ins, try again later', Math.ceil(ms / 1000));
    }
  }

  /**
   * Checks a password and opens a session; returns the session token for the cookie, or null
   * for a wrong username or password. Throws LoginThrottledError (429) when sign-ins for this
   * username or from this address are locked out, or too many are in progress.
   */
  async login(
    username: string,
    password: string,
    remote = '',
  ): Promise<{ token: string; principal: Principal; maxAgeS: number } | null> {
    const address = clientAddressKey(remote);
    this.checkLoginAllowed(remote, username);
    let checked: { user: UserRow | undefined; ok: boolean };
    try {
      checked = await this.hashing.run(async () => {
        // Again: a lockout may have started while this sign-in waited for its turn.
        this.checkLoginAllowed(remote, username);
        const user = await this.findUser(username);
        return { user, ok: await verifyPassword(password, user?.password_hash ?? DUMMY_HASH) };
      });
    } catch (err) {
      if (!(err instanceof GateFullError)) throw err;
      this.throttled++;
      throw new LoginThrottledError('too many sign-ins in progress, retry', 1);
    }
    const { user, ok } = checked;
    if (!user || user.disabled || !ok) {
      await this.loginFailed(username, address, user !== undefined);
      return null;
    }
    this.limiter.succeed(username);
    const token = randomBytes(32).toString('base64url');
    const hash = sha256(token);
    await this.store.insertRows(TABLES.sessions, [
      { token_hash: hash, username, expires_at: this.now() + this.sessionTtlMs, revoked: 0, version: nextVersion() },
    ]);
    const principal = userPrincipal(user);
    this.sessions.set(hash, principal);
    await this.audit(username, 'login', username, '');
    return { token, principal, maxAgeS: Math.floor(this.sessionTtlMs / 1000) };
  }

  /** Counts a failure; writes one audit row when it locks out an existing user, none otherwise. */
  private async loginFailed(username: string, address: string, userExists: boolean): Promise<void> {
    this.failed++;
    const started = this.limiter.fail(username, address);
    if (started.address) {
      this.lockouts++;
      this.log('warn', 'sign-ins from an address locked out', { address, failures: started.address.failures, locked_s: started.address.lockedMs / 1000 });
    }
    if (started.user) {
      this.lockouts++;
      if (userExists) {
        const detail = `${started.user.failures} failed sign-ins; locked for ${started.user.lockedMs / 1000} s; last from ${address || 'unknown'}`;
        await this.audit(username, 'login_locked', username, detail).catch((err: unknown) =>
          this.log('error', 'audit write failed', { error: String(err) }),
        );
      }
    }
  }

  async logout(token: string, actor: string): Promise<void> {
    const hash = sha256(token);
    await this.store.insertRows(TABLES.sessions, [
      // expires no earlier than the session itself: see migration 0003 (sessions TTL)
      { token_hash: hash, username: actor, expires_at: this.now() + this.sessionTtlMs, revoked: 1, version: nextVersion() },
    ]);
    this.sessions.delete(hash);
    await this.audit(actor, 'logout', actor, '');
  }

  async listUsers(): Promise<Omit<UserRow, 'password_hash'>[]> {
    const rows = await this.store.query<UserRow>(
      `SELECT username, role, roles, disabled, version, updated_at FROM ${TABLES.users} FINAL ORDER BY username`,
    );
    return rows.map((r) => ({ ...r, ...rolesOf(r), disabled: Number(r.disabled) }));
  }

  async createUser(input: { username: string; password: string; roles: Role[] }, by: string): Promise<void> {
    await this.oneUserChangeAtATime(async () => {
      if (await this.findUser(input.username)) throw new AuthInputError(`username: ${input.username} already exists`, 409);
      await this.putUser({ ...input, by });
    });
  }

  /**
   * Changes a user. A new password ends the user's other sessions (`keepSessionToken`, the
   * session making the change when users change their own password, stays); disabling ends
   * all of them. The last enabled admin can neither lose the role nor be disabled (409).
   */
  async updateUser(
    username: string,
    change: { password?: string | undefined; roles?: Role[] | undefined; disabled?: boolean | undefined },
    by: string,
    opts: { keepSessionToken?: string | undefined } = {},
  ): Promise<void> {
    await this.oneUserChangeAtATime(async () => {
      const user = await this.findUser(username);
      if (!user) throw new AuthInputError(`username: no user ${username}`, 404);
      const roles = change.roles ? normalizeRoles(change.roles) : user.roles;
      if (roles.length === 0) throw new AuthInputError('roles: must hold at least one role');
      const disabled = change.disabled ?? Boolean(user.disabled);
      const isAdmin = roles.includes('admin');
      if (user.roles.includes('admin') && !user.disabled && (!isAdmin || disabled) && (await this.otherEnabledAdmins(username)) === 0) {
        throw !isAdmin
          ? new AuthInputError(`roles: ${username} is the last enabled admin; make another user admin first`, 409)
          : new AuthInputError(`disabled: ${username} is the last enabled admin; make another user admin first`, 409);
      }
      await this.putUser({ username, roles, password: change.password, passwordHash: user.password_hash, disabled, by });
      if (disabled) await this.endSessions(username, by, undefined);
      else if (change.password !== undefined) await this.endSessions(username, by, opts.keepSessionToken && sha256(opts.keepSessionToken));
      // role or state changed: this process reads the user again at its next request
      this.sessions.deleteWhere((p) => p.kind === 'user' && p.name === username);
    });
  }

  /**
   * A signed-in user changes their own password, giving the current one. A wrong `current`
   * counts as a failed sign-in (same limits, 429 when locked out). The user's other sessions
   * end; `keepSessionToken` (the session making the change) stays.
   */
  async changeOwnPassword(
    username: string,
    current: string,
    next: string,
    opts: { keepSessionToken?: string | undefined; remote?: string } = {},
  ): Promise<void> {
    const remote = opts.remote ?? '';
    this.checkLoginAllowed(remote, username);
    if (next.length < MIN_PASSWORD) throw new AuthInputError(`new: must be at least ${MIN_PASSWORD} characters`);
    let ok: boolean;
    try {
      ok = await this.hashing.run(async () => {
        this.checkLoginAllowed(remote, username);
        const user = await this.findUser(username);
        return user !== undefined && !user.disabled && (await verifyPassword(current, user.password_hash));
      });
    } catch (err) {
      if (!(err instanceof GateFullError)) throw err;
      this.throttled++;
      throw new LoginThrottledError('too many sign-ins in progress, retry', 1);
    }
    if (!ok) {
      await this.loginFailed(username, clientAddressKey(remote), true);
      throw new AuthInputError('current: wrong password', 403);
    }
    this.limiter.succeed(username);
    await this.updateUser(username, { password: next }, username, { keepSessionToken: opts.keepSessionToken });
  }

  async listKeys(): Promise<{ id: string; prefix: string; name: string; scopes: Scope[]; revoked: boolean; created_at: string; created_by: string }[]> {
    const rows = await this.store.query<KeyRow>(`SELECT * FROM ${TABLES.apiKeys} FINAL ORDER BY created_at`);
    return rows.map((r) => ({
      id: keyId(r.key_hash),
      prefix: r.key_prefix,
      name: r.name,
      scopes: r.scopes,
      revoked: Boolean(Number(r.revoked)),
      created_at: r.created_at,
      created_by: r.created_by,
    }));
  }

  /** Creates a key and returns it: the only time its text is shown. */
  async createKey(name: string, scopes: Scope[], by: string): Promise<{ key: string; id: string }> {
    const key = `cbk_${randomBytes(24).toString('base64url')}`;
    const hash = sha256(key);
    await this.writeKey(hash, key, name, scopes, by);
    return { key, id: keyId(hash) };
  }

  async revokeKey(id: string, by: string): Promise<void> {
    const rows = await this.store.query<KeyRow>(
      `SELECT * FROM ${TABLES.apiKeys} FINAL WHERE startsWith(key_hash, {id:String}) AND length({id:String}) = 16`,
      { id },
    );
    const row = rows[0];
    if (!row) throw new AuthInputError(`id: no key ${id}`, 404);
    await this.store.insertRows(TABLES.apiKeys, [{ ...row, revoked: 1, version: nextVersion() }]);
    this.keys.set(row.key_hash, null);
    await this.audit(by, 'key_revoked', id, row.name);
  }

  /** Revokes every key of this name (e.g. the simulator's key from an earlier run). */
  async revokeKeysNamed(name: string, by: string): Promise<void> {
    const rows = await this.store.query<KeyRow>(`SELECT * FROM ${TABLES.apiKeys} FINAL WHERE name = {name:String} AND revoked = 0`, { name });
    if (rows.length === 0) return;
    await this.store.insertRows(
      TABLES.apiKeys,
      rows.map((r) => ({ ...r, revoked: 1, version: nextVersion() })),
    );
    for (const r of rows) this.keys.set(r.key_hash, null);
    await this.audit(by, 'key_revoked', name, `${rows.length} keys`);
  }

  async audit(actor: string, action: string, target: string, detail: string): Promise<void> {
    await this.store.insertRows(TABLES.audit, [{ ts: this.now(), actor, action, target, detail }]);
  }

  private async principalForSession(token: string): Promise<Principal | null> {
    const hash = sha256(token);
    const known = this.sessions.get(hash);
    if (known) return known;
    if (this.unknownSessions.get(hash)) return null;
    const s = await this.sessionLookup.find(hash);
    if (s === 'overloaded') return null; // a flood of unknown tokens: answered without a look-up, and not remembered
    let principal: Principal | null = null;
    if (s && !Number(s.revoked) && Number(s.expires) > this.now()) {
      const user = await this.findUser(s.username);
      if (user && !user.disabled) principal = userPrincipal(user);
    }
    if (principal) this.sessions.set(hash, principal);
    else this.unknownSessions.set(hash, true);
    return principal;
  }

  /** The current version of each of these sessions (one query for many tokens). */
  private async loadSessions(hashes: string[]): Promise<Map<string, SessionRow>> {
    const rows = await this.store.query<SessionRow>(
      `SELECT token_hash, username, toUnixTimestamp64Milli(expires_at) AS expires, revoked
       FROM ${TABLES.sessions} FINAL WHERE token_hash IN {hashes:Array(String)}`,
      { hashes },
    );
    return new Map(rows.map((r) => [r.token_hash, r]));
  }

  /** Every key that is not revoked, by hash. */
  private async loadKeys(): Promise<Map<string, Principal>> {
    const rows = await this.store.query<{ key_hash: string; name: string; scopes: Scope[] }>(
      `SELECT key_hash, name, scopes FROM ${TABLES.apiKeys} FINAL WHERE revoked = 0`,
    );
    return new Map(rows.map((r) => [r.key_hash, keyPrincipal(r.name, r.scopes)]));
  }

  /** Revokes the user's open sessions but `keepHash`; this process forgets them at once, others within `cacheMs`. */
  private async endSessions(username: string, by: string, keepHash: string | undefined): Promise<void> {
    const rows = await this.store.query<{ token_hash: string; expires: number | string }>(
      `SELECT token_hash, toUnixTimestamp64Milli(expires_at) AS expires FROM ${TABLES.sessions} FINAL
       WHERE username = {u:String} AND revoked = 0 AND expires_at > now64(3)`,
      { u: username },
    );
    const ended = rows.filter((r) => r.token_hash !== keepHash);
    if (ended.length > 0) {
      await this.store.insertRows(
        TABLES.sessions,
        // expires no earlier than the session itself: see migration 0003 (sessions TTL)
        ended.map((r) => ({ token_hash: r.token_hash, username, expires_at: Number(r.expires), revoked: 1, version: nextVersion() })),
      );
      await this.audit(by, 'sessions_ended', username, `${ended.length} sessions`);
    }
    for (const r of ended) this.sessions.delete(r.token_hash);
  }

  private async otherEnabledAdmins(username: string): Promise<number> {
    const [row] = await this.store.query<{ n: number | string }>(
      `SELECT count() AS n FROM ${TABLES.users} FINAL WHERE has(roles, 'admin') AND disabled = 0 AND username != {u:String}`,
      { u: username },
    );
    return Number(row?.n ?? 0);
  }

  private oneUserChangeAtATime<T>(change: () => Promise<T>): Promise<T> {
    const run = this.userChanges.then(change, change);
    this.userChanges = run.catch(() => undefined);
    return run;
  }

  private async findUser(username: string): Promise<UserRow | undefined> {
    const rows = await this.store.query<UserRow>(`SELECT * FROM ${TABLES.users} FINAL WHERE username = {u:String}`, { u: username });
    const row = rows[0];
    return row && { ...row, ...rolesOf(row), disabled: Number(row.disabled) };
  }

  private async findKey(hash: string): Promise<KeyRow | undefined> {
    const rows = await this.store.query<KeyRow>(`SELECT * FROM ${TABLES.apiKeys} FINAL WHERE key_hash = {h:String}`, { h: hash });
    const row = rows[0];
    return row && { ...row, revoked: Number(row.revoked) };
  }

  private async putUser(u: {
    username: string;
    roles: Role[];
    password?: string | undefined;
    passwordHash?: string;
    disabled?: boolean;
    by: string;
  }): Promise<void> {
    if (u.password !== undefined && u.password.length < MIN_PASSWORD) {
      throw new AuthInputError(`password: must be at least ${MIN_PASSWORD} characters`);
    }
    const password = u.password;
    // Authenticated work: waits for a hashing slot ahead of sign-ins, never refused.
    const passwordHash = password !== undefined ? await this.hashing.run(() => hashPassword(password), { priority: true }) : u.passwordHash;
    if (!passwordHash) throw new AuthInputError('password: is required');
    await this.store.insertRows(TABLES.users, [
      {
        username: u.username,
        role: u.roles[0] ?? '',
        roles: u.roles,
        password_hash: passwordHash,
        disabled: u.disabled ? 1 : 0,
        version: nextVersion(),
        updated_at: this.now(),
        updated_by: u.by,
      },
    ]);
    await this.audit(u.by, 'user_saved', u.username, `roles=${u.roles.join(',')}${u.disabled ? ' disabled' : ''}${u.password ? ' password' : ''}`);
  }

  private async writeKey(hash: string, key: string, name: string, scopes: Scope[], by: string): Promise<void> {
    await this.store.insertRows(TABLES.apiKeys, [
      { key_hash: hash, key_prefix: key.slice(0, 8), name, scopes, revoked: 0, version: nextVersion(), created_at: this.now(), created_by: by },
    ]);
    this.keys.set(hash, keyPrincipal(name, scopes));
    await this.audit(by, 'key_created', keyId(hash), name);
  }
}

function userPrincipal(user: UserRow): Principal {
  return { kind: 'user', name: user.username, role: user.roles[0] ?? user.role, roles: user.roles, scopes: scopesOf(user.roles) };
}

/** `roles` as stored (known roles only), and `role` as its first; a row without `roles` reads as [role]. */
function rolesOf(row: { role: string; roles?: readonly string[] | undefined }): { role: Role; roles: Role[] } {
  const roles = normalizeRoles(row.roles && row.roles.length > 0 ? row.roles : [row.role]);
  return { role: roles[0] ?? (row.role as Role), roles };
}

function keyPrincipal(name: string, scopes: readonly Scope[]): Principal {
  return { kind: 'key', name, scopes: new Set(scopes) };
}
