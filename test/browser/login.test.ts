import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../helpers/browser.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_ADMIN_PASSWORD } from '../helpers/server-process.ts';

describe.skipIf(!browserAvailable)('login page in Chromium', () => {
  const dir = tempDataDir('browser-login');
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    server = await ServerProcess.start(dir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dir);
  });

  it('sends / through the app to sign-in, refuses a wrong password, lands on the wallboard, signs out', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('wrong username or password');

    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/wallboard/');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'cb_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // The session survives a reload and opens the API to the page; /login with a session goes on to the app.
    await page.reload();
    expect(await page.evaluate(async () => (await fetch('/v1/auth/me')).status)).toBe(200);
    await page.goto(`${server.url}/login`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/wallboard/');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    expect(await page.evaluate(async () => (await fetch('/v1/auth/me')).status)).toBe(401);
  });

  it('speaks Chinese to a Chinese browser, and never redirects off the server', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${server.url}/login?next=//evil.example/`);
    await expect.poll(() => page.getByRole('button', { name: '登录' }).isVisible()).toBe(true);
    expect(await page.getByText('用户名').isVisible()).toBe(true);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill('wrong-password-1');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('用户名或密码错误');
    await page.getByLabel('密码').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => new URL(page.url()).host).toBe(new URL(server.url).host);
    await context.close();
  });
});
