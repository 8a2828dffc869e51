/**
 * Where signing in lands each role (DESIGN.md "The apps", contract "Roles"). Decided here:
 * the first role in LANDING_ORDER wins. An admin lands on the wallboard, not on settings,
 * because the acceptance path is "a new user (the bootstrap admin) signs in and
 * lands on the wallboard"; Settings is one click away. Manager → History (reports); qa and
 * agent → the QA app.
 */
import type { Role } from '$ui/session.svelte.ts';

/** The QA app: a landing outside this app (a page load, not a hash route); it routes by role itself. */
export const QA_APP = '/qa/';

/** Whether a landing is another app's URL rather than one of this app's hash routes. */
export const isOtherApp = (landing: string) => landing.startsWith('/qa/');

export const LANDING_ORDER: readonly Role[] = ['supervisor', 'admin', 'manager', 'qa', 'agent'];

const LANDING: Record<Role, string> = {
  supervisor: '/boards',
  admin: '/boards',
  manager: '/history',
  qa: QA_APP,
  agent: QA_APP,
};

export function landingFor(roles: readonly Role[]): string {
  for (const r of LANDING_ORDER) if (roles.includes(r)) return LANDING[r];
  return '/account';
}

/** Who sees live boards (contract scope `live`). */
export const canSeeLive = (roles: readonly Role[]) => roles.some((r) => r === 'admin' || r === 'supervisor' || r === 'manager' || r === 'qa');
/** Who reads history reports (contract scope `reports`). */
export const canSeeReports = (roles: readonly Role[]) => roles.some((r) => r === 'admin' || r === 'manager' || r === 'supervisor');
/** Who edits boards and the directory (contract scope `directory`). */
export const canEditDirectory = (roles: readonly Role[]) => roles.some((r) => r === 'admin' || r === 'supervisor');
/** Who sees the QA app (contract scopes `qa`, `qa_read`, `own`: every role but none). */
export const canSeeQa = (scopes: readonly string[]) => scopes.some((s) => s === 'qa' || s === 'qa_read' || s === 'own');
