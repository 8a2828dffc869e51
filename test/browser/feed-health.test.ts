/**
 * The admin's feed-health page in Chromium: it lists each source with its status, the planted
 * lifecycle problem with its count, example and advice, in English and Chinese; only admins
 * see it in the settings menu.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, untranslatedText } from '../helpers/browser.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from '../helpers/server-process.ts';

describe.skipIf(!browserAvailable)('feed health page in Chromium', () => {
  const dir = tempDataDir('browser-feed-health');
  let server: ServerProcess;
  let browser: Browser;
  let adminCookie = '';
  let supervisorCookie = '';

  async function send(key: string, events: unknown[]): Promise<void> {
    const r = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
    expect(r.status, await r.clone().text()).toBe(200);
  }

  beforeAll(async () => {
    server = await ServerProcess.start(dir);
    browser = await launchChromium();
    adminCookie = await server.login();
    const key = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: { cookie: adminCookie }, body: JSON.stringify({ name: 'pbx-b', scopes: ['ingest'] }) });
    const pbxB = ((await key.json()) as { key: string }).key;
    await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: adminCookie }, body: JSON.stringify({ username: 'sup', password: 'sup-password-12', roles: ['supervisor'] }) });
    supervisorCookie = await server.login('sup', 'sup-password-12');
    const t = Date.now() - 120_000;
    await send(TEST_INGEST_KEY, [
      { id: 'a1', type: 'call.offered', ts: t, call: 'good-1', direction: 'inbound' },
      { id: 'a2', type: 'call.abandoned', ts: t + 5000, call: 'good-1', stage: 'ivr' },
      { id: 'a3', type: 'call.ended', ts: t + 5000, call: 'good-1', by: 'caller' },
    ]);
    await send(pbxB, [
      { id: 'b1', type: 'call.offered', ts: t, call: 'bad-1', direction: 'inbound' },
      { id: 'b2', type: 'call.queued', ts: t + 1000, call: 'bad-1', queue: 'support' },
      { id: 'b3', type: 'call.ended', ts: t + 30_000, call: 'bad-1', by: 'caller' },
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dir);
  });

  async function open(cookie: string, locale: 'en' | 'zh-CN'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard/#/settings/feed-health`);
    return { context, page };
  }

  const source = (page: Page, name: string) => page.locator(`[data-testid="feed-source"][data-source="${name}"]`);

  it('lists each source with its status and the planted problem with count, example and advice', async () => {
    const { context, page } = await open(adminCookie, 'en');
    await expect.poll(() => source(page, 'pbx-b').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByRole('heading', { name: 'Feed health' }).isVisible()).toBe(true);
    expect(await page.getByTestId('settings-feed-health').getAttribute('aria-current')).toBe('page');

    const good = source(page, 'INGEST_KEY');
    expect(await good.getByTestId('feed-status').textContent()).toContain('OK');
    expect(await good.textContent()).toContain('No problems found.');

    const bad = source(page, 'pbx-b');
    expect(await bad.getByTestId('feed-status').textContent()).toContain('Errors');
    const row = bad.locator('[data-testid="feed-problem"][data-code="queued_never_closed"]');
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('Error');
    expect(cells[1]).toContain('Call ended while still queued');
    expect(cells[2]).toBe('1');
    expect(cells[3]).toContain('b2, b3');
    expect(cells[3]).toContain('call bad-1: ended while its visit of support was never closed');
    expect(cells[4]).toContain('Close every call.queued');
    expect(await page.getByTestId('feed-checked').textContent()).toMatch(/Refreshes every 30 s/);
    await context.close();
  });

  it('speaks Chinese, with nothing left untranslated', async () => {
    const { context, page } = await open(adminCookie, 'zh-CN');
    await expect.poll(() => source(page, 'pbx-b').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByRole('heading', { name: '数据源健康' }).isVisible()).toBe(true);
    expect(await source(page, 'pbx-b').getByTestId('feed-status').textContent()).toContain('有错误');
    const row = source(page, 'pbx-b').locator('[data-testid="feed-problem"][data-code="queued_never_closed"]');
    expect(await row.locator('td').nth(1).textContent()).toContain('通话结束时仍在队列中');
    expect(await untranslatedText(page)).toEqual([]);
    await context.close();
  });

  it('is not in a supervisor\u2019s settings menu', async () => {
    const { context, page } = await open(supervisorCookie, 'en');
    await expect.poll(() => page.getByTestId('settings-queues').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('settings-feed-health').count()).toBe(0);
    expect(await page.locator('[data-testid="feed-source"]').count()).toBe(0);
    await context.close();
  });
});
