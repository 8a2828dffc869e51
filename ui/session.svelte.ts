/** Who is signed in (`GET /v1/auth/me`), their roles, and where each role lands. */
import { get, post, setUnauthorizedHandler } from './api.ts';

export type Role = 'admin' | 'manager' | 'supervisor' | 'qa' | 'agent';

export interface Me {
  kind: 'user' | 'key';
  name: string;
  roles: Role[];
  scopes: string[];
  display_name?: string;
}

/** `roles` from the contract, or the older single `role`. */
function normalise(raw: Me & { role?: Role | null }): Me {
  const roles = Array.isArray(raw.roles) ? raw.roles : raw.role ? [raw.role] : [];
  return { ...raw, roles, scopes: Array.isArray(raw.scopes) ? raw.scopes : [] };
}

/** The sign-in page, coming back to `next` afterwards. */
export function signInUrl(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}

export class Session {
  me = $state<Me | null>(null);
  loaded = $state(false);

  /** Loads the current user; null when nobody is signed in. */
  async load(): Promise<Me | null> {
    try {
      this.me = normalise(await get<Me & { role?: Role }>('/v1/auth/me'));
    } catch {
      this.me = null;
    }
    this.loaded = true;
    return this.me;
  }

  /** Sends the browser to the sign-in page whenever the API says the session ended. */
  redirectOnSignOut(): void {
    setUnauthorizedHandler(() => {
      location.assign(signInUrl(location.pathname + location.search + location.hash));
    });
  }

  hasRole(...roles: Role[]): boolean {
    return !!this.me && roles.some((r) => this.me!.roles.includes(r));
  }

  get name(): string {
    return this.me?.display_name || this.me?.name || '';
  }

  async signOut(): Promise<void> {
    try {
      await post('/v1/auth/logout', {});
    } finally {
      this.me = null;
      location.assign('/login');
    }
  }
}

export const session = new Session();
