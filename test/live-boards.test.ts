/**
 * Live push with boards and display tokens (issue 8): a board subscription gets the board
 * with its snapshot and `{"type":"board"}` when it changes; a TV display token sees only its
 * boards and is closed with 4401 when revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient } from './helpers/live-client.ts';
import { removeDir, ServerProcess, tempDataDir } from './helpers/server-process.ts';

const dir = tempDataDir('live-boards');
let server: ServerProcess;
let admin: string;

beforeAll(async () => {
  server = await ServerProcess.start(dir);
  admin = await server.login();
});
afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

const api = async (method: string, path: string, body?: unknown) => {
  const init: RequestInit = { method, headers: { cookie: admin, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const r = await fetch(`${server.url}${path}`, init);
  return { status: r.status, json: (await r.json().catch(() => null)) as Record<string, unknown> };
};

describe('board subscriptions', () => {
  it('sends the board with the snapshot, and the board again when its ticker changes', async () => {
    const boards = (await api('GET', '/v1/boards')).json.boards as { id: string; name: string }[];
    expect(boards.length).toBeGreaterThan(0);
    const board = boards[0]!;
    const c = await LiveClient.open(server.url, { cookie: admin });
    c.subscribe({ board: board.id });
    const snap = await c.next((f) => f.type === 'snapshot');
    expect((snap.board as { id: string }).id).toBe(board.id);
    const full = (await api('GET', `/v1/boards/${board.id}`)).json;
    const put = await api('PUT', `/v1/boards/${board.id}`, { ...full, ticker: 'Storm warning: expect high volume' });
    expect(put.status).toBe(200);
    const f = await c.next((x) => x.type === 'board', 3000);
    expect((f.board as { ticker: string }).ticker).toBe('Storm warning: expect high volume');
    c.subscribe({ board: 'no-such-board' });
    expect((await c.next((x) => x.type === 'error')).error).toMatch(/unknown board/);
    c.close();
  });

  it('lets a display token show its boards only, and closes it with 4401 when revoked', async () => {
    const boards = (await api('GET', '/v1/boards')).json.boards as { id: string }[];
    const board = boards[0]!.id;
    const made = await api('POST', '/v1/display-tokens', { name: 'lobby tv', boards: [board] });
    expect(made.status).toBeLessThan(300);
    const token = made.json.token as string;
    const c = await LiveClient.open(server.url, { token });
    c.subscribe({});
    expect((await c.next((f) => f.type === 'error')).error).toMatch(/display token/);
    c.subscribe({ board: 'some-other-board' });
    expect((await c.next((f) => f.type === 'error' && /may not show/.test(String(f.error)))).error).toMatch(/may not show/);
    c.subscribe({ board });
    await c.next((f) => f.type === 'snapshot');
    const snap = await fetch(`${server.url}/v1/live/snapshot?token=${encodeURIComponent(token)}`);
    expect(snap.status).toBe(200);
    expect((await api('DELETE', `/v1/display-tokens/${made.json.id as string}`)).status).toBeLessThan(300);
    for (let i = 0; i < 50 && c.closeCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(c.closeCode).toBe(4401);
    await expect(LiveClient.open(server.url, { token })).rejects.toThrow(/401/);
  });
});
