import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator } from '../../platform/auth.ts';
import type { QaDeps } from '../qa/deps.ts';

export async function registerQaCallRoutes(_app: TemplatedApp, _auth: Authenticator, _deps: QaDeps): Promise<void> {}
