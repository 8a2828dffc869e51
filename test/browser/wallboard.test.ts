/**
 * The wallboard app end to end in Chromium against the real server (issue 8, point 5):
 * a board value changes within 1 s of an ingested event, a threshold breach turns a tile red,
 * the editor saves a board that survives a reload, TV mode works with a display token and no
 * session, a server restart shows the stale marker and then recovers, and the Chinese UI has
 * no untranslated strings. Screenshots go to test-results/wallboard/ (SCREENSHOT_DIR).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppsBuilt } from '../../server/static-apps.ts';
import { browserAvailable, launchChromium, untranslatedText } from '../helpers/browser.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_ADMIN_PASSWORD, TEST_INGEST_KEY } from '../helpers/server-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = process.env.SCREENSHOT_DIR ?? join(ROOT, 'test-results', 'wallboard');

let seq = 0;
const uid = (p: string) => `wbt-${p}-${process.pid}-${++seq}`;

describe.skipIf(!browserAvailable)('wallboard app in Chromium against the server', () => {
  const dir = tempDataDir('browser-wallboard');
  let server: ServerProcess;
  let browser: Browser;
  let cookie: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureAppsBuilt(() => undefined, { root: ROOT });
    server = await ServerProcess.start(dir);
    browser = await launchChromium();
    cookie = await server.login();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dir);
  });

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { cookie, 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(`${server.url}${path}`, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function ingest(events: Record<string, unknown>[]): Promise<void> {
    const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
    const body = (await r.json()) as { accepted: number };
    expect(r.status).toBe(200);
    expect(body.accepted).toBe(events.length);
  }

  /** A call entering `queue` now (it stays waiting). */
  const queued = (queue: string) => {
    const call = uid('call');
    const now = Date.now();
    return [
      { id: `${call}-o`, type: 'call.offered', ts: now, call, direction: 'inbound' },
      { id: `${call}-q`, type: 'call.queued', ts: now + 1, call, queue },
    ];
  };

  async function signedIn(locale: 'en' | 'zh-CN' = 'en', viewport = { width: 1440, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    return { context, page };
  }

  async function makeBoard(name: string, widgets: Record<string, unknown>[], filter = { sites: [], queues: [], teams: [] }): Promise<string> {
    const { id } = await api<{ id: string }>('POST', '/v1/boards', { name, filter, rotate_s: 30, ticker: '', pages: [{ title: 'Main', widgets }] });
    return id;
  }

  const tileValue = (page: Page, metric: string) => page.locator(`[data-testid="tile"][data-metric="${metric}"] [data-testid="tile-value"]`).first().textContent();

  it('signs in through /login and lands on the wallboard with the default board', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/wallboard/');
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/boards/);
    await page.getByTestId('tile').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'real-landing.png') });
    await context.close();
  });

  it('shows a value that changes within 1 s after an event is ingested', async () => {
    const queue = uid('q');
    await ingest(queued(queue)); // the queue exists before the board is opened
    const id = await makeBoard('Latency', [{ id: 'w1', kind: 'tile', x: 0, y: 0, w: 6, h: 3, metric: 'waiting', scope: { queue } }]);
    const { context, page } = await signedIn();
    await page.goto(`${server.url}/wallboard/#/boards/${id}`);
    await expect.poll(() => tileValue(page, 'waiting')).toBe('1');
    const before = Date.now();
    await ingest(queued(queue));
    const ackedAt = Date.now();
    await expect.poll(() => tileValue(page, 'waiting'), { timeout: 1000, interval: 20 }).toBe('2');
    expect(Date.now() - ackedAt).toBeLessThan(1000);
    expect(Date.now() - before).toBeLessThan(1000 + (ackedAt - before));
    await context.close();
  });

  it('turns a tile red when its threshold is breached', async () => {
    const queue = uid('q');
    await ingest(queued(queue));
    const id = await makeBoard('Breach', [
      { id: 'w1', kind: 'tile', x: 0, y: 0, w: 6, h: 3, metric: 'waiting', scope: { queue }, thresholds: { warn: 2, alert: 3, direction: 'above' }, flash: true, sound: false },
    ]);
    const { context, page } = await signedIn();
    await page.goto(`${server.url}/wallboard/#/boards/${id}`);
    const tile = page.locator('[data-testid="tile"][data-metric="waiting"]');
    await expect.poll(() => tile.getAttribute('data-level')).toBe('ok');
    await ingest(queued(queue));
    await expect.poll(() => tile.getAttribute('data-level')).toBe('warn');
    await ingest(queued(queue));
    await expect.poll(() => tile.getAttribute('data-level')).toBe('alert');
    expect(await tile.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe('rgb(213, 94, 0)');
    expect(await tile.textContent()).toContain('Breach');
    await page.screenshot({ path: join(SHOTS, 'real-breach.png') });
    await context.close();
  });

  it('creates a board in the editor, moves a widget, and it survives a reload', async () => {
    const { context, page } = await signedIn();
    await page.goto(`${server.url}/wallboard/#/boards/new`);
    await page.getByTestId('board-name').fill('Editor board');
    await page.getByTestId('add-queue_table').click();
    const handles = page.getByTestId('widget-handle');
    const count = await handles.count();
    // drag the first tile 2 columns right with the pointer
    const first = handles.first();
    await page.evaluate('window.scrollTo(0, 0)'); // adding a widget scrolled the page down to it
    const box = (await first.boundingBox())!;
    const stage = (await page.locator('.stage').boundingBox())!;
    const col = (stage.width + 16) / 24;
    await page.mouse.move(box.x + 30, box.y + 30);
    await page.mouse.down();
    await page.mouse.move(box.x + 30 + 2 * col, box.y + 30, { steps: 6 });
    await page.mouse.up();
    await page.getByTestId('save-board').click();
    await page.getByTestId('save-status').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('save-status').textContent()).toBe('Saved');
    await expect.poll(() => page.url()).toMatch(/#\/boards\/[^/]+\/edit$/);
    const id = decodeURIComponent(/#\/boards\/([^/]+)\/edit/.exec(page.url())![1]!);
    await page.reload();
    await expect.poll(() => page.getByTestId('board-name').inputValue()).toBe('Editor board');
    expect(await page.getByTestId('widget-handle').count()).toBe(count);
    const saved = await api<{ name: string; pages: { widgets: { kind: string; x: number }[] }[] }>('GET', `/v1/boards/${encodeURIComponent(id)}`);
    expect(saved.name).toBe('Editor board');
    expect(saved.pages[0]!.widgets[0]!.x).toBe(2);
    expect(saved.pages[0]!.widgets.some((w) => w.kind === 'queue_table')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'real-editor.png') });
    await context.close();
  });

  it('opens TV mode with a display token and no session', async () => {
    const queue = uid('q');
    await ingest(queued(queue));
    const boardId = await makeBoard('TV', [
      { id: 'w1', kind: 'tile', x: 0, y: 0, w: 6, h: 3, metric: 'waiting', scope: {} },
      { id: 'w2', kind: 'agent_grid', x: 0, y: 3, w: 24, h: 9, hide_logged_out: true },
    ]);
    const { token, id } = await api<{ id: string; token: string }>('POST', '/v1/display-tokens', { name: 'Wall 1', boards: [boardId] });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard/tv?token=${encodeURIComponent(token)}&board=${encodeURIComponent(boardId)}`);
    await page.getByTestId('tile').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/wallboard/tv');
    expect(await context.cookies()).toEqual([]);
    await expect.poll(() => page.getByTestId('live-marker').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'real-tv.png') });
    // revoked: the screen says so at once and stops retrying
    await api('DELETE', `/v1/display-tokens/${encodeURIComponent(id)}`);
    await expect.poll(() => page.getByTestId('revoked-banner').isVisible(), { timeout: 5000 }).toBe(true);
    await context.close();
  });

  it('shows the stale marker while the server restarts, then recovers', async () => {
    const boardId = await makeBoard('Restart', [{ id: 'w1', kind: 'tile', x: 0, y: 0, w: 6, h: 3, metric: 'waiting', scope: {} }]);
    const { token } = await api<{ token: string }>('POST', '/v1/display-tokens', { name: 'Wall 2', boards: [boardId] });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard/tv?token=${encodeURIComponent(token)}&board=${encodeURIComponent(boardId)}`);
    await page.getByTestId('live-marker').waitFor();
    await server.stop();
    await expect.poll(() => page.getByTestId('stale-marker').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByTestId('stale-marker').textContent()).toMatch(/Updated \d\d:\d\d:\d\d/);
    await page.screenshot({ path: join(SHOTS, 'real-stale.png') });
    await server.start();
    cookie = await server.login();
    await expect.poll(() => page.getByTestId('live-marker').isVisible(), { timeout: 45_000 }).toBe(true);
    expect(await page.getByTestId('stale-marker').count()).toBe(0);
    await context.close();
  }, 120_000);

  it('has no untranslated strings in the Chinese UI', async () => {
    const { context, page } = await signedIn('zh-CN');
    const scan = () => untranslatedText(page);
    const pages: [string, string][] = [
      ['#/boards', '[data-testid="tile"]'],
      ['#/boards/new', '[data-testid="widget-handle"]'],
      ['#/settings/sites', 'table.data'],
      ['#/settings/queues', 'table.data'],
      ['#/settings/teams', 'table.data'],
      ['#/settings/agents', 'table.data'],
      ['#/settings/users', 'table.data'],
      ['#/settings/keys', 'table.data'],
      ['#/settings/displays', 'table.data'],
      ['#/account', '#pw-current'],
    ];
    for (const [hash, ready] of pages) {
      await page.goto(`${server.url}/wallboard/${hash}`);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(200);
      expect(await scan(), hash).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `real-zh-${hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '')}.png`) });
    }
    await context.close();
  });
});
