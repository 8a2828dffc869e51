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

  it('redirects / to the login page, refuses a wrong password, signs in and out', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('wrong username or password');

    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#who').textContent()).toBe('admin');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'cb_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // The session survives a reload and opens the API to the page.
    await page.reload();
    await expect.poll(() => page.locator('#role').textContent()).toBe('admin');
    expect(await page.evaluate(async () => (await fetch('/v1/auth/me')).status)).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.evaluate(async () => (await fetch('/v1/auth/me')).status)).toBe(401);
  });
});
