import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator, Principal } from '../../platform/auth.ts';
import { sendError, sendJson } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import { RequestBodyError } from './request-body.ts';
import { registerRoute } from './route-kit.ts';

/** Whether the caller may read this board: anyone with `live`, but a display token only its boards. */
export function mayReadBoard(who: Principal, id: string): boolean {
  return who.scopes.has('live') && (who.kind !== 'display' || (who.boards ?? []).includes(id));
}

async function json(body: Promise<Buffer>): Promise<unknown> {
  try {
    return JSON.parse((await body).toString('utf8')) as unknown;
  } catch {
    throw new RequestBodyError('body: must be JSON');
  }
}

/**
 * Boards (saved layouts). Read: `live` (a display token: its boards only). Write: `directory`
 * (admin, supervisor). Bodies are the contract's Board shape; errors name the path.
 */
export function registerBoardRoutes(app: TemplatedApp, auth: Authenticator, directory: DirectoryService, log: Logger): void {
  const route = registerRoute.bind(null, app, auth, log);

  route('get', '/v1/boards', { scope: 'live' }, async ({ reply, who }) => {
    sendJson(reply, 200, { boards: directory.listBoards().filter((b) => mayReadBoard(who, b.id)) });
  });
  route('get', '/v1/boards/:id', { scope: 'live', params: ['id'] }, async ({ reply, who, params }) => {
    const id = params[0]!;
    if (!mayReadBoard(who, id)) return sendError(reply, 403, `id: this display token may not read board ${JSON.stringify(id)}`);
    const board = directory.board(id);
    if (!board) return sendError(reply, 404, `id: no board ${JSON.stringify(id)}`);
    sendJson(reply, 200, board);
  });
  route('post', '/v1/boards', { scope: 'directory' }, async ({ reply, who, body }) => {
    const board = await directory.createBoard(await json(body), who.name);
    sendJson(reply, 201, board);
  });
  route('put', '/v1/boards/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params, body }) => {
    sendJson(reply, 200, await directory.putBoard(params[0]!, await json(body), who.name));
  });
  route('del', '/v1/boards/:id', { scope: 'directory', params: ['id'] }, async ({ reply, who, params }) => {
    await directory.deleteBoard(params[0]!, who.name);
    sendJson(reply, 200, { id: params[0], deleted: true });
  });
}
