import type { Scope } from '../../platform/auth.ts';

export const ROLES = ['admin', 'manager', 'supervisor', 'qa', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do; the role-specific apps (wallboard, QA, reports) extend this. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['read', 'metrics', 'admin'],
  manager: [],
  supervisor: [],
  qa: [],
  agent: [],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
