/** Who may see and do what with QA data, from the caller's scopes and roles (server/auth/roles.ts). */
import type { Principal } from '../../../platform/auth.ts';

/** `qa`: evaluates, runs QA (qa and admin roles). */
export const isQa = (who: Principal): boolean => who.scopes.has('qa');
/** `qa` or `qa_read`: reads every agent's evaluations. */
export const readsAll = (who: Principal): boolean => who.scopes.has('qa') || who.scopes.has('qa_read');
/** `own` scope: an agent; the username is the agent id in events. */
export const isOwn = (who: Principal): boolean => who.scopes.has('own');
export const isAdmin = (who: Principal): boolean => who.kind === 'user' && (who.roles ?? (who.role ? [who.role] : [])).includes('admin');
