import { createHash, randomBytes } from 'node:crypto';
import type { Authenticator, Credentials, Principal, Scope } from '../../ingest/auth.ts';
import type { Logger } from '../../ingest/log.ts';
import type { Store } from '../../ingest/store/store.ts';
import { TABLES } from '../../schemas/tables.ts';
import { nextVersion } from '../../ingest/store/version.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { ROLE_SCOPES, type Role } from './roles.ts';

export const SESSION_COOKIE = 'cb_session';
const CACHE_MS = 30_000;
const MIN_PASSWORD = 8;

export interface UserRow {
  username: string;
  role: Role;
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

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The id by which a key is listed and revoked: never the key itself. */
export function keyId(keyHash: string): string {
  return keyHash.slice(0, 16);
}

export function parseCookies(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

/** Users, API keys and sessions, all versioned rows in ClickHouse, with short read caches. */
export class AuthService implements Authenticator {
  private readonly keyCache = new Map<string, { principal: Principal | null; at: number }>();
  private readonly sessionCache = new Map<string, { principal: Principal | null; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly sessionTtlMs = 12 * 3600_000,
  ) {}

  /** First run: creates `admin`; makes sure the bootstrap ingest key exists. */
  async bootstrap(opts: { adminPassword?: string | undefined; ingestKey?: string | undefined }): Promise<void> {
    const [{ n }] = (await this.store.query<{ n: number | string }>(`SELECT count() AS n FROM ${TABLES.users}`)) as [{ n: number }];
    if (Number(n) === 0) {
      const password = opts.adminPassword ?? randomBytes(12).toString('base64url');
      await this.putUser({ username: 'admin', role: 'admin', password, by: 'bootstrap' });
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
  }

  async authenticate(creds: Credentials): Promise<Principal | null> {
    const bearer = /^Bearer\s+(.+)$/i.exec(creds.authorization)?.[1]?.trim() ?? creds.queryKey;
    if (bearer) return this.principalForKey(bearer);
    const token = parseCookies(creds.cookie).get(SESSION_COOKIE);
    if (token) return this.principalForSession(token);
    return null;
  }

  /** Checks a password and opens a session; returns the session token for the cookie. */
  async login(username: string, password: string): Promise<{ token: string; principal: Principal; maxAgeS: number } | null> {
    const user = await this.findUser(username);
    // Hash even for unknown users so timing does not tell which usernames exist.
    const ok = await verifyPassword(password, user?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA');
    if (!user || user.disabled || !ok) {
      await this.audit(username, 'login_failed', username, '');
      return null;
    }
    const token = randomBytes(32).toString('base64url');
    await this.store.insertRows(TABLES.sessions, [
      { token_hash: sha256(token), username, expires_at: Date.now() + this.sessionTtlMs, revoked: 0, version: nextVersion() },
    ]);
    await this.audit(username, 'login', username, '');
    return { token, principal: userPrincipal(user), maxAgeS: Math.floor(this.sessionTtlMs / 1000) };
  }

  async logout(token: string, actor: string): Promise<void> {
    const hash = sha256(token);
    await this.store.insertRows(TABLES.sessions, [
      // expires no earlier than the session itself: see migration 0003 (sessions TTL)
      { token_hash: hash, username: actor, expires_at: Date.now() + this.sessionTtlMs, revoked: 1, version: nextVersion() },
    ]);
    this.sessionCache.delete(hash);
    await this.audit(actor, 'logout', actor, '');
  }

  async listUsers(): Promise<Omit<UserRow, 'password_hash'>[]> {
    const rows = await this.store.query<UserRow>(
      `SELECT username, role, disabled, version, updated_at FROM ${TABLES.users} FINAL ORDER BY username`,
    );
    return rows.map((r) => ({ ...r, disabled: Number(r.disabled) }));
  }

  async createUser(input: { username: string; password: string; role: Role }, by: string): Promise<void> {
    if (await this.findUser(input.username)) throw new AuthInputError(`username: ${input.username} already exists`, 409);
    await this.putUser({ ...input, by });
  }

  async updateUser(
    username: string,
    change: { password?: string | undefined; role?: Role | undefined; disabled?: boolean | undefined },
    by: string,
  ): Promise<void> {
    const user = await this.findUser(username);
    if (!user) throw new AuthInputError(`username: no user ${username}`, 404);
    await this.putUser({
      username,
      role: change.role ?? user.role,
      password: change.password,
      passwordHash: user.password_hash,
      disabled: change.disabled ?? Boolean(user.disabled),
      by,
    });
    this.sessionCache.clear();
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
    this.keyCache.delete(row.key_hash);
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
    for (const r of rows) this.keyCache.delete(r.key_hash);
    await this.audit(by, 'key_revoked', name, `${rows.length} keys`);
  }

  async audit(actor: string, action: string, target: string, detail: string): Promise<void> {
    await this.store.insertRows(TABLES.audit, [{ ts: Date.now(), actor, action, target, detail }]);
  }

  private async principalForKey(key: string): Promise<Principal | null> {
    const hash = sha256(key);
    const cached = this.keyCache.get(hash);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.principal;
    const row = await this.findKey(hash);
    const principal: Principal | null =
      row && !row.revoked ? { kind: 'key', name: row.name, scopes: new Set(row.scopes) } : null;
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    this.keyCache.set(hash, { principal, at: Date.now() });
    return principal;
  }

  private async principalForSession(token: string): Promise<Principal | null> {
    const hash = sha256(token);
    const cached = this.sessionCache.get(hash);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.principal;
    const rows = await this.store.query<{ username: string; expires: number | string; revoked: number }>(
      `SELECT username, toUnixTimestamp64Milli(expires_at) AS expires, revoked
       FROM ${TABLES.sessions} FINAL WHERE token_hash = {hash:String}`,
      { hash },
    );
    const s = rows[0];
    let principal: Principal | null = null;
    if (s && !Number(s.revoked) && Number(s.expires) > Date.now()) {
      const user = await this.findUser(s.username);
      if (user && !user.disabled) principal = userPrincipal(user);
    }
    if (this.sessionCache.size > 10_000) this.sessionCache.clear();
    this.sessionCache.set(hash, { principal, at: Date.now() });
    return principal;
  }

  private async findUser(username: string): Promise<UserRow | undefined> {
    const rows = await this.store.query<UserRow>(`SELECT * FROM ${TABLES.users} FINAL WHERE username = {u:String}`, { u: username });
    const row = rows[0];
    return row && { ...row, disabled: Number(row.disabled) };
  }

  private async findKey(hash: string): Promise<KeyRow | undefined> {
    const rows = await this.store.query<KeyRow>(`SELECT * FROM ${TABLES.apiKeys} FINAL WHERE key_hash = {h:String}`, { h: hash });
    const row = rows[0];
    return row && { ...row, revoked: Number(row.revoked) };
  }

  private async putUser(u: {
    username: string;
    role: Role;
    password?: string | undefined;
    passwordHash?: string;
    disabled?: boolean;
    by: string;
  }): Promise<void> {
    if (u.password !== undefined && u.password.length < MIN_PASSWORD) {
      throw new AuthInputError(`password: must be at least ${MIN_PASSWORD} characters`);
    }
    const passwordHash = u.password !== undefined ? await hashPassword(u.password) : u.passwordHash;
    if (!passwordHash) throw new AuthInputError('password: is required');
    await this.store.insertRows(TABLES.users, [
      {
        username: u.username,
        role: u.role,
        password_hash: passwordHash,
        disabled: u.disabled ? 1 : 0,
        version: nextVersion(),
        updated_at: Date.now(),
        updated_by: u.by,
      },
    ]);
    await this.audit(u.by, 'user_saved', u.username, `role=${u.role}${u.disabled ? ' disabled' : ''}${u.password ? ' password' : ''}`);
  }

  private async writeKey(hash: string, key: string, name: string, scopes: Scope[], by: string): Promise<void> {
    await this.store.insertRows(TABLES.apiKeys, [
      { key_hash: hash, key_prefix: key.slice(0, 8), name, scopes, revoked: 0, version: nextVersion(), created_at: Date.now(), created_by: by },
    ]);
    this.keyCache.delete(hash);
    await this.audit(by, 'key_created', keyId(hash), name);
  }
}

function userPrincipal(user: UserRow): Principal {
  return { kind: 'user', name: user.username, role: user.role, scopes: new Set(ROLE_SCOPES[user.role] ?? []) };
}
