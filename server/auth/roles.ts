import type { Scope } from '../../platform/auth.ts';

export const ROLES = ['admin', 'manager', 'supervisor', 'qa', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role may do; a user holding several roles has the union. `live`: see live data
 * and boards; `directory`: edit sites, queues, teams, agents, boards and display tokens (sites
 * and users need `admin`); `recordings`: read call recordings; `qa`: evaluate and run QA (scorecards, sampling, calibration);
 * `qa_read`: read every agent's evaluations and QA reports; `own`: an agent's own calls and evaluations;
 * `reports`: history reports and staffing.
 * An agent user's username is the agent id the PBX sends (agents sign in with their own ID).
 */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['read', 'metrics', 'admin', 'live', 'directory', 'recordings', 'qa', 'qa_read', 'reports'],
  manager: ['live', 'recordings', 'qa_read', 'reports'],
  supervisor: ['live', 'directory', 'recordings', 'qa_read', 'reports'],
  qa: ['live', 'recordings', 'qa', 'qa_read'],
  agent: ['own'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The known roles of a list, in its order, without repeats. */
export function normalizeRoles(roles: readonly unknown[]): Role[] {
  const out: Role[] = [];
  for (const r of roles) if (isRole(r) && !out.includes(r)) out.push(r);
  return out;
}

/** The union of the roles' scopes. */
export function scopesOf(roles: readonly Role[]): Set<Scope> {
  const out = new Set<Scope>();
  for (const r of roles) for (const s of ROLE_SCOPES[r] ?? []) out.add(s);
  return out;
}
