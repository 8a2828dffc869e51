/**
 * The JSON API client of the apps. Errors come back as `ApiError` carrying the status and,
 * when the server's message starts with `field: reason` (the contract's error format), the
 * field it names, so forms can show the message next to that field.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** the field the server named, if any */
    readonly field: string | null,
    /** the message without the `field: ` prefix */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** `{"error":"name: must not be empty"}` → field `name`, reason `must not be empty`. */
export function parseError(status: number, message: string): ApiError {
  const m = /^([A-Za-z_][\w.[\]]*): (.+)$/s.exec(message);
  return new ApiError(status, message, m ? (m[1] ?? null) : null, m ? (m[2] ?? message) : message);
}

export interface ApiOptions {
  /** display token for TV mode: sent as `?token=` (no session there) */
  token?: string | null;
  signal?: AbortSignal;
}

/** Called when any request answers 401 with a session (not a display token): the shell sends the user to sign in. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

function withToken(path: string, token: string | null | undefined): string {
  if (!token) return path;
  return path + (path.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

/** A request to the callboard API; resolves with the parsed JSON body. */
export async function api<T>(method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<T> {
  let r: Response;
  try {
    r = await fetch(withToken(path, opts.token), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', null, 'network');
  }
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!r.ok) {
    if (r.status === 401 && !opts.token) onUnauthorized?.();
    const msg = json && typeof json === 'object' && 'error' in json ? String((json as { error: unknown }).error) : `${r.status} ${r.statusText}`;
    throw parseError(r.status, msg);
  }
  return json as T;
}

export const get = <T>(path: string, opts?: ApiOptions) => api<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body: unknown, opts?: ApiOptions) => api<T>('POST', path, body, opts);
export const put = <T>(path: string, body: unknown, opts?: ApiOptions) => api<T>('PUT', path, body, opts);
export const patch = <T>(path: string, body: unknown, opts?: ApiOptions) => api<T>('PATCH', path, body, opts);
export const del = <T>(path: string, opts?: ApiOptions) => api<T>('DELETE', path, undefined, opts);

/** Path segment encoding for ids in URLs. */
export const seg = (id: string) => encodeURIComponent(id);
