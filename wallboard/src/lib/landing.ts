/**
 * Where signing in lands each role (DESIGN.md "The apps", contract "Roles"). Decided here:
 * the first role in LANDING_ORDER wins. An admin lands on the wallboard, not on settings,
 * because the acceptance path is "a new user (the bootstrap admin) signs in and
 * lands on the wallboard"; Settings is one click away. Manager → history and qa → /qa/ land
 * on the wallboard until those views exist; agent → own figures lands on My account until then.
 */
import type { Role } from '$ui/session.svelte.ts';

export const LANDING_ORDER: readonly Role[] = ['supervisor', 'admin', 'manager', 'qa', 'agent'];

const LANDING: Record<Role, string> = {
  supervisor: '/boards',
  admin: '/boards',
  manager: '/boards',
  qa: '/boards',
  agent: '/account',
};

export function landingFor(roles: readonly Role[]): string {
  for (const r of LANDING_ORDER) if (roles.includes(r)) return LANDING[r];
  return '/account';
}

/** Who sees live boards (contract scope `live`). */
export const canSeeLive = (roles: readonly Role[]) => roles.some((r) => r === 'admin' || r === 'supervisor' || r === 'manager' || r === 'qa');
/** Who edits boards and the directory (contract scope `directory`). */
export const canEditDirectory = (roles: readonly Role[]) => roles.some((r) => r === 'admin' || r === 'supervisor');
