import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../../platform/log.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { registerBoardRoutes } from './board-routes.ts';
import { registerDirectoryRoutes } from './directory-routes.ts';
import { registerDisplayTokenRoutes } from './display-token-routes.ts';

/** Settings and directory: sites, queues, teams, agents, boards, display tokens. */
export function registerSettingsRoutes(app: TemplatedApp, auth: AuthService, directory: DirectoryService, log: Logger): void {
  registerDirectoryRoutes(app, auth, directory, log);
  registerBoardRoutes(app, auth, directory, log);
  registerDisplayTokenRoutes(app, auth, directory, log);
}
