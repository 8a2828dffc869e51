import { randomBytes } from 'node:crypto';
import type { Principal } from '../../platform/auth.ts';
import type { Store } from '../../platform/store/store.ts';
import { nextVersion } from '../../platform/store/version.ts';
import type { DisplayToken } from '../../schemas/settings.ts';
import { TABLES } from '../../schemas/tables.ts';
import { TableIndex } from './caches.ts';
import { listDisplayTokens, type DisplayTokenRow } from './queries/display-tokens.ts';

/** Display tokens start with this, so a bearer credential is routed to the right index without a second look-up. */
export const DISPLAY_TOKEN_PREFIX = 'cbd_';

/** A token as listed (`GET /v1/display-tokens`): the JSON shape of schemas/settings.ts. */
export type DisplayTokenInfo = DisplayToken;

/**
 * Tokens for wall displays (TV mode, no sign-in): random, shown once, stored as SHA-256,
 * scoped to boards. A valid token resolves to a `display` principal with only the `live`
 * scope and its boards. Checked against an in-memory index (like API keys): a revocation
 * applies at once in this process, and in others sharing the store within `refreshMs`.
 */
export class DisplayTokens {
  private readonly index: TableIndex<Principal>;
  private readonly listeners = new Set<(id: string, change: 'created' | 'revoked') => void>();

  constructor(
    private readonly store: Store,
    private readonly audit: (actor: string, action: string, target: string, detail: string) => Promise<void>,
    opts: { refreshMs: number; missReloadMs: number; onError: (err: unknown) => void; now: () => number },
  ) {
    this.index = new TableIndex(() => this.load(), opts);
  }

  /** Called after a token is created or revoked (the push layer closes a revoked token's sockets). */
  onChange(listener: (id: string, change: 'created' | 'revoked') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reload(): Promise<void> {
    return this.index.reload();
  }

  /** The principal of a token, or null (unknown, revoked, or not shaped like one of ours). */
  async principal(token: string, hash: string): Promise<Principal | null> {
    if (!token.startsWith(DISPLAY_TOKEN_PREFIX)) return null;
    return (await this.index.get(hash)) ?? null;
  }

  async list(): Promise<DisplayTokenInfo[]> {
    const rows = await listDisplayTokens(this.store);
    return rows.map(info).sort((a, b) => a.created_at - b.created_at);
  }

  /** Creates a token; the answer holds its text: the only time it is shown. */
  async create(name: string, boards: string[], by: string, hashOf: (s: string) => string): Promise<{ id: string; token: string }> {
    const token = `${DISPLAY_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const hash = hashOf(token);
    const id = hash.slice(0, 16);
    await this.store.insertRows(TABLES.displayTokens, [
      { token_hash: hash, id, name, boards, revoked: 0, version: nextVersion(), created_at: Date.now(), created_by: by },
    ]);
    this.index.set(hash, displayPrincipal(id, name, boards));
    await this.audit(by, 'display_token_created', id, `${name}; boards=${boards.join(',')}`);
    this.emit(id, 'created');
    return { id, token };
  }

  /** Revokes at once; false when there is no such token. */
  async revoke(id: string, by: string): Promise<boolean> {
    const row = (await listDisplayTokens(this.store)).find((r) => r.id === id);
    if (!row) return false;
    if (!Number(row.revoked)) {
      await this.store.insertRows(TABLES.displayTokens, [
        { ...row, boards: row.boards, created_at: Number(row.created_at), revoked: 1, version: nextVersion() },
      ]);
    }
    this.index.set(row.token_hash, null);
    await this.audit(by, 'display_token_revoked', id, row.name);
    this.emit(id, 'revoked');
    return true;
  }

  private emit(id: string, change: 'created' | 'revoked'): void {
    for (const l of this.listeners) l(id, change);
  }

  private async load(): Promise<Map<string, Principal>> {
    const rows = await listDisplayTokens(this.store);
    return new Map(rows.filter((r) => !Number(r.revoked)).map((r) => [r.token_hash, displayPrincipal(r.id, r.name, r.boards)]));
  }
}

function info(r: DisplayTokenRow): DisplayTokenInfo {
  return { id: r.id, name: r.name, boards: r.boards, created_by: r.created_by, created_at: Number(r.created_at), revoked: Boolean(Number(r.revoked)) };
}

function displayPrincipal(id: string, name: string, boards: readonly string[]): Principal {
  return { kind: 'display', id, name, boards: [...boards], scopes: new Set(['live']) };
}
