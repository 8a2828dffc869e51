import type { Authenticator, Principal, Scope } from '../auth.ts';
import { sendError, type Reply } from './uws.ts';

/** Resolves the caller and checks one scope; answers 401/403 itself and returns null then. */
export async function authorize(
  reply: Reply,
  auth: Authenticator,
  creds: { authorization: string; cookie: string; queryKey?: string | undefined },
  scope: Scope,
): Promise<Principal | null> {
  const principal = await auth.authenticate(creds);
  if (!principal) {
    sendError(reply, 401, 'missing or invalid credentials', { 'WWW-Authenticate': 'Bearer' });
    return null;
  }
  if (!principal.scopes.has(scope)) {
    sendError(reply, 403, `requires the ${scope} permission`);
    return null;
  }
  return principal;
}
