import type { Authenticator, Credentials, Principal, Scope } from '../auth.ts';
import { sendError, type Reply } from './uws.ts';

/**
 * Resolves the caller and checks the scope (or any one of several); answers 401/403 itself and returns null then.
 * Given the request's `query` (as `RequestInfo` has it), a `?token=` display token is read from it.
 */
export async function authorize(
  reply: Reply,
  auth: Authenticator,
  creds: Credentials & { query?: URLSearchParams },
  scope: Scope | readonly Scope[],
): Promise<Principal | null> {
  const queryToken = creds.queryToken ?? creds.query?.get('token') ?? undefined;
  const principal = await auth.authenticate({ authorization: creds.authorization, cookie: creds.cookie, queryKey: creds.queryKey, queryToken });
  if (!principal) {
    sendError(reply, 401, 'missing or invalid credentials', { 'WWW-Authenticate': 'Bearer' });
    return null;
  }
  const anyOf: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
  if (!anyOf.some((s) => principal.scopes.has(s))) {
    sendError(reply, 403, `requires the ${anyOf.join(' or ')} permission`);
    return null;
  }
  return principal;
}
