/**
 * What the signed-in user may do in the QA app, from the scopes of `GET /v1/auth/me`:
 * `qa` evaluates and manages (qa and admin roles), `qa_read` reads every agent's calls and
 * evaluations (supervisor, manager), `own` is an agent's own calls and evaluations.
 */
import type { Me } from '$ui/session.svelte.ts';

export interface Access {
  evaluate: boolean;
  readAll: boolean;
  own: boolean;
  /** sees live boards: the wallboard link */
  wallboard: boolean;
}

export function accessOf(me: Me | null): Access {
  const s = new Set(me?.scopes ?? []);
  return { evaluate: s.has('qa'), readAll: s.has('qa') || s.has('qa_read'), own: s.has('own'), wallboard: s.has('live') };
}

/** The QA app's landing page: evaluators their work queue, readers the search, agents their evaluations. */
export function qaLanding(a: Access): string {
  if (a.evaluate) return '/queue';
  if (a.readAll) return '/search';
  if (a.own) return '/mine';
  return '/none';
}
