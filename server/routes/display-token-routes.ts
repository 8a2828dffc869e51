import { Type } from '@sinclair/typebox';
import type { TemplatedApp } from 'uWebSockets.js';
import { sendError, sendJson } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import { sha256, type AuthService } from '../auth/auth-service.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { jsonBody } from './request-body.ts';
import { registerRoute } from './route-kit.ts';

const createBody = jsonBody(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    boards: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 }),
  }),
);

/** Display tokens for TV mode: `directory` scope (admin, supervisor). The token is in the answer, once. */
export function registerDisplayTokenRoutes(app: TemplatedApp, auth: AuthService, directory: DirectoryService, log: Logger): void {
  const route = registerRoute.bind(null, app, auth, log);

  route('get', '/v1/display-tokens', { scope: 'directory' }, async ({ reply }) => {
    sendJson(reply, 200, { tokens: await auth.displayTokens.list() });
  });
  route('post', '/v1/display-tokens', { scope: 'directory' }, async ({ reply, who, body }) => {
    const { name, boards } = await createBody(body);
    const unique = [...new Set(boards)];
    for (const [i, b] of unique.entries()) {
      if (!directory.board(b)) return sendError(reply, 400, `boards[${i}]: no board ${JSON.stringify(b)}`);
    }
    const created = await auth.displayTokens.create(name, unique, who.name, sha256);
    sendJson(reply, 201, { ...created, name, boards: unique });
  });
  route('del', '/v1/display-tokens/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params }) => {
    const id = params[0]!;
    if (!(await auth.displayTokens.revoke(id, who.name))) return sendError(reply, 404, `id: no display token ${JSON.stringify(id)}`);
    sendJson(reply, 200, { id, revoked: true });
  });
}
