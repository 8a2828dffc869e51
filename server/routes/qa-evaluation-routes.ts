import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import type { QaDeps } from '../qa/deps.ts';

export async function registerQaEvaluationRoutes(_app: TemplatedApp, _auth: Authenticator, _deps: QaDeps): Promise<void> {}
