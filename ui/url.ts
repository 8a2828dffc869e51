/** URL helpers kept out of reactive modules (plain values, built and thrown away). */

/** A query string from the entries that have a value, with a leading "?" (or "" when none). */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** `#/path?query` → path and parsed query. */
export function parseHash(hash: string): { path: string; query: URLSearchParams } {
  const h = hash.replace(/^#/, '') || '/';
  const [path = '/', q = ''] = h.split('?', 2);
  return { path: path.startsWith('/') ? path : '/' + path, query: new URLSearchParams(q) };
}

/** The current URL with one query parameter set, in the hash query for `#/…?` routes, else in the search. */
export function withParam(href: string, key: string, value: string): string {
  const u = new URL(href);
  if (u.hash.startsWith('#/')) {
    const [path, q = ''] = u.hash.slice(1).split('?', 2);
    const query = new URLSearchParams(q);
    query.set(key, value);
    u.hash = `#${path}?${query}`;
  } else u.searchParams.set(key, value);
  return u.toString();
}
