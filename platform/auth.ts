/** Who is calling, as the server's auth resolves it; the ingest only checks scopes. */
export interface Principal {
  kind: 'key' | 'user';
  /** key name or username */
  name: string;
  role?: string;
  scopes: ReadonlySet<Scope>;
}

/** ingest: send events; read: raw export and report APIs; metrics: /metrics; admin: manage users and keys. */
export type Scope = 'ingest' | 'read' | 'metrics' | 'admin';
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'metrics', 'admin'];

export interface Credentials {
  authorization: string;
  cookie: string;
  /** `?key=` (WebSocket clients that cannot set headers) */
  queryKey?: string | undefined;
}

export interface Authenticator {
  authenticate(creds: Credentials): Promise<Principal | null>;
}
