/** The QA API (`/v1/qa/…`): evaluations side (scorecards, evaluations, comments, calibration) and calls side (search, call view, sampling and work queues, reports). */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import type { QaDeps } from '../qa/deps.ts';
import { registerQaCallRoutes } from './qa-call-routes.ts';
import { registerQaEvaluationRoutes } from './qa-evaluation-routes.ts';

export async function registerQaRoutes(app: TemplatedApp, auth: Authenticator, deps: QaDeps): Promise<void> {
  await registerQaEvaluationRoutes(app, auth, deps);
  await registerQaCallRoutes(app, auth, deps);
}
