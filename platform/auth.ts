/** Who is calling, as the server's auth resolves it; the ingest only checks scopes. */
export interface Principal {
  /** `display`: a wall display's token (TV mode), scoped to boards */
  kind: 'key' | 'user' | 'display';
  /** key name, username or display token name */
  name: string;
  /** the first of `roles` (kept for older callers) */
  role?: string;
  /** a user's roles (a user may hold several; scopes are their union) */
  roles?: readonly string[];
  /** display token: its id (revocation closes its sockets by this id) */
  id?: string;
  /** display token: the boards it may read */
  boards?: readonly string[];
  scopes: ReadonlySet<Scope>;
}

/**
 * ingest: send events; read: raw export and report APIs; metrics: /metrics; admin: manage users and keys;
 * live: live data and boards (read); directory: edit sites, queues, teams, agents, boards and display tokens;
 * recordings: read call recordings (metadata, audio, peaks) of every call; qa: evaluate calls, manage
 * scorecards, sampling rules and calibration sessions; qa_read: search calls and read evaluations
 * and QA reports of every agent; own: an agent's own calls, evaluations (acknowledge, dispute) and comments;
 * reports: history reports and staffing for people (API keys use `read`).
 */
export type Scope = 'ingest' | 'read' | 'metrics' | 'admin' | 'live' | 'directory' | 'recordings' | 'qa' | 'qa_read' | 'own' | 'reports';
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'metrics', 'admin', 'live', 'directory', 'recordings', 'qa', 'qa_read', 'own', 'reports'];
/** Scopes an API key may be given (`directory` is for people: users' roles grant it). */
export const KEY_SCOPES: readonly Scope[] = ['ingest', 'read', 'metrics', 'admin', 'live', 'recordings'];

export interface Credentials {
  authorization: string;
  cookie: string;
  /** `?key=` (WebSocket clients that cannot set headers) */
  queryKey?: string | undefined;
  /** `?token=`: a display token (TV mode: browsers cannot set headers on a WebSocket or a page load) */
  queryToken?: string | undefined;
}

export interface Authenticator {
  authenticate(creds: Credentials): Promise<Principal | null>;
}
