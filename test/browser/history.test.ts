/**
 * The manager's History view (issue 10 item 3) in Chromium against the real server: two weeks
 * of calls in two queues go in through `POST /v1/events`; a manager lands on History, picks
 * last week and a custom range, sees the queue table (with its Total row) and the charts,
 * compares with the week before (Δ), downloads CSV, sees a refused query's message and the
 * progress bar, uses the staffing tab and the Erlang calculator, reads it all in Chinese with
 * no untranslated text, and prints (print media hides the navigation and shows the header
 * block). The calls carry numbers, IVR steps, wrap-up codes and surveys, with self-service and
 * IVR-abandoned calls beside them, for the call list, volume and reasons, abandons and heatmap
 * tabs. Screenshots go to tmp-scratch/history-shots/ (SCREENSHOT_DIR).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppsBuilt } from '../../server/static-apps.ts';
import { intervalAllowed, pickInterval, previousPeriod, weekOf } from '../../wallboard/src/history/periods.ts';
import { addDays, isoWithOffset, localDate, startOfDate, ymdString } from '../../wallboard/src/history/zone-time.ts';
import { browserAvailable, launchChromium, untranslatedText } from '../helpers/browser.ts';
import { removeDir, ServerProcess, tempDataDir, TEST_INGEST_KEY } from '../helpers/server-process.ts';

/** WCAG contrast of two computed `rgb(…)` colours. */
function contrastOf(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = process.env.SCREENSHOT_DIR ?? join(ROOT, 'tmp-scratch', 'history-shots');
const ZONE = 'Asia/Shanghai';

describe('report periods', () => {
  it('finds a week from any day in it (Monday weeks, as the server)', () => {
    for (const d of [23, 25, 29]) expect(ymdString(weekOf({ y: 2026, m: 11, d }).from)).toBe('2026-11-23');
    expect(ymdString(weekOf({ y: 2026, m: 11, d: 30 }).from)).toBe('2026-11-30');
  });
  it('compares with the same length immediately before, whole months with months', () => {
    const p = previousPeriod({ from: { y: 2026, m: 11, d: 23 }, to: { y: 2026, m: 11, d: 30 } });
    expect([ymdString(p.from), ymdString(p.to)]).toEqual(['2026-11-16', '2026-11-23']);
    const m = previousPeriod({ from: { y: 2026, m: 3, d: 1 }, to: { y: 2026, m: 4, d: 1 } });
    expect([ymdString(m.from), ymdString(m.to)]).toEqual(['2026-02-01', '2026-03-01']);
  });
  it('allows sub-day intervals under 3 days, days and weeks under 35, and picks a valid one', () => {
    expect(intervalAllowed('15m', 2)).toBe(true);
    expect(intervalAllowed('1h', 7)).toBe(false);
    expect(intervalAllowed('1d', 34)).toBe(true);
    expect(intervalAllowed('1d', 40)).toBe(false);
    expect(pickInterval('15m', 7)).toBe('1d');
    expect(pickInterval(null, 1)).toBe('1h');
    expect(pickInterval('1d', 90)).toBe('1M');
  });
  it('starts local days at the zone offset', () => {
    const t = startOfDate(ZONE, { y: 2026, m: 11, d: 23 });
    expect(isoWithOffset(t, ZONE)).toBe('2026-11-23T00:00:00+08:00');
    expect(isoWithOffset(startOfDate('Europe/Berlin', { y: 2026, m: 3, d: 29 }), 'Europe/Berlin')).toBe('2026-03-29T00:00:00+01:00');
  });
});

describe.skipIf(!browserAvailable)('History view in Chromium against the server', () => {
  const dir = tempDataDir('browser-history');
  let server: ServerProcess;
  let browser: Browser;
  let manager: string;
  // last week and the week before, Monday-based, in the site's zone
  const lastWeek = weekOf(addDays(localDate(ZONE, Date.now()), -7));
  const weekBefore = weekOf(addDays(lastWeek.from, -7));

  /** The caller number of call `n` on day `d` (unique over the two weeks: 14 days have 14 days of the month). */
  const numberOf = (day: { d: number }, n: number) => `1380013${String(day.d).padStart(2, '0')}${n}`;
  /** Ten wrap-up codes (more than the 8 the reasons chart draws one by one). */
  const CODES = ['billing_question', 'payment', 'card_lost', 'address_change', 'complaint', 'plan_change', 'roaming', 'refund', 'password_reset', 'new_line'];

  /**
   * A few calls a day: billing 2 answered + 1 abandoned, support 1 answered (last week one more
   * billing call a day), each through the IVR menu, with a wrap-up code and a survey; plus 2
   * self-service calls and 1 abandoned in the IVR (never queued: the queue figures stay).
   */
  function dayOfCalls(day: { y: number; m: number; d: number }, extra: boolean): Record<string, unknown>[] {
    const base = startOfDate(ZONE, day) + 10 * 3_600_000; // 10:00 local
    const tag = ymdString(day);
    const out: Record<string, unknown>[] = [];
    const offered = (call: string, n: number, t0: number, nodes: string[]) => {
      out.push({ id: `${call}-o`, type: 'call.offered', ts: t0 - 30_000, call, direction: 'inbound', from: numberOf(day, n), to: '95588', site: 'hq' });
      nodes.forEach((node, i) => out.push({ id: `${call}-i${i}`, type: 'call.ivr', ts: t0 - 20_000 + i * 5_000, call, node, site: 'hq' }));
    };
    const answered = (n: number, queue: string, wait: number, talk: number) => {
      const call = `h-${tag}-${queue}-${n}`;
      const t0 = base + n * 600_000;
      const k = n + day.d;
      offered(call, n, t0, ['main_menu', queue === 'billing' ? 'billing_menu' : 'support_menu']);
      out.push(
        { id: `${call}-q`, type: 'call.queued', ts: t0, call, queue, site: 'hq' },
        { id: `${call}-a`, type: 'call.answered', ts: t0 + wait * 1000, call, queue, agent: `a${n}`, site: 'hq' },
        { id: `${call}-e`, type: 'call.ended', ts: t0 + (wait + talk) * 1000, call, by: 'caller', site: 'hq' },
        { id: `${call}-w`, type: 'call.wrapup', ts: t0 + (wait + talk + 20) * 1000, call, agent: `a${n}`, code: CODES[k % CODES.length], site: 'hq' },
        { id: `${call}-s`, type: 'call.survey', ts: t0 + (wait + talk + 60) * 1000, call, score: 1 + (k % 5), resolved: k % 3 !== 0, site: 'hq' },
      );
    };
    const abandoned = (n: number, queue: string) => {
      const call = `h-${tag}-${queue}-${n}`;
      const t0 = base + n * 600_000;
      // waits over the buckets (5 s … 400 s); on the 3rd of the week the caller gives up while an agent rings
      const wait = [5, 15, 25, 45, 90, 200, 400][day.d % 7]!;
      const ringing = day.d % 7 === 3;
      offered(call, n, t0, ['main_menu']);
      out.push(
        { id: `${call}-q`, type: 'call.queued', ts: t0, call, queue, site: 'hq' },
        ...(ringing ? [{ id: `${call}-r`, type: 'call.ringing', ts: t0 + (wait - 3) * 1000, call, queue, agent: 'a3', site: 'hq' }] : []),
        { id: `${call}-x`, type: 'call.abandoned', ts: t0 + wait * 1000, call, queue, stage: ringing ? 'ringing' : 'queue', site: 'hq' },
        { id: `${call}-e`, type: 'call.ended', ts: t0 + wait * 1000, call, by: 'caller', site: 'hq' },
      );
    };
    // IVR only, at other hours (the heatmap): two look-ups that end there, one caller who hangs up in the menu
    const ivrOnly = (n: number, hour: number, nodes: string[], gaveUp: boolean) => {
      const call = `h-${tag}-ivr-${n}`;
      const t0 = startOfDate(ZONE, day) + hour * 3_600_000 + n * 60_000;
      offered(call, n, t0, nodes);
      if (gaveUp) out.push({ id: `${call}-x`, type: 'call.abandoned', ts: t0, call, stage: 'ivr', site: 'hq' });
      out.push({ id: `${call}-e`, type: 'call.ended', ts: t0 + 1000, call, by: gaveUp ? 'caller' : 'system', site: 'hq' });
    };
    ivrOnly(6, 8 + (day.d % 2), ['main_menu', 'balance'], false);
    ivrOnly(7, 14 + (day.d % 4), ['main_menu', 'opening_hours'], false);
    ivrOnly(8, 19, ['main_menu'], true);
    // two agents sign in at 09:00, take a 15-minute break at noon and sign out at 17:00
    for (const agent of ['a1', 'a2']) {
      const at = (h: number, m = 0) => startOfDate(ZONE, day) + h * 3_600_000 + m * 60_000;
      out.push(
        { id: `${tag}-${agent}-in`, type: 'agent.state', ts: at(9), agent, state: 'available', site: 'hq' },
        { id: `${tag}-${agent}-br`, type: 'agent.state', ts: at(12), agent, state: 'not_ready', reason: 'break', site: 'hq' },
        { id: `${tag}-${agent}-back`, type: 'agent.state', ts: at(12, 15), agent, state: 'available', site: 'hq' },
        { id: `${tag}-${agent}-out`, type: 'agent.state', ts: at(17), agent, state: 'logged_out', site: 'hq' },
      );
    }
    answered(1, 'billing', 8, 180);
    answered(2, 'billing', 35, 240);
    abandoned(3, 'billing');
    answered(4, 'support', 12, 300);
    if (extra) answered(5, 'billing', 5, 150);
    return out;
  }

  const reportUrl = (p: { from: { y: number; m: number; d: number }; to: { y: number; m: number; d: number } }) =>
    `/v1/reports/queues?from=${encodeURIComponent(isoWithOffset(startOfDate(ZONE, p.from), ZONE))}&to=${encodeURIComponent(isoWithOffset(startOfDate(ZONE, p.to), ZONE))}&tz=${encodeURIComponent(ZONE)}&interval=1d`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await ensureAppsBuilt(() => undefined, { root: ROOT });
    server = await ServerProcess.start(dir, { DEFAULT_TIME_ZONE: ZONE });
    browser = await launchChromium();
    const admin = await server.login();
    const r = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { cookie: admin }, body: JSON.stringify({ username: 'boss', password: 'boss-password-1', roles: ['manager'] }) });
    expect(r.status).toBe(201);
    manager = await server.login('boss', 'boss-password-1');
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 7; i++) {
      events.push(...dayOfCalls(addDays(lastWeek.from, i), true));
      events.push(...dayOfCalls(addDays(weekBefore.from, i), false));
    }
    const ing = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` }, body: JSON.stringify(events) });
    expect(ing.status).toBe(200);
    expect(((await ing.json()) as { accepted: number }).accepted).toBe(events.length);
    // the server derives history a few seconds after the ingest
    for (const [p, offered] of [[lastWeek, 35], [weekBefore, 28]] as const) {
      const deadline = Date.now() + 30_000;
      let seen: number | undefined;
      while ((seen = ((await (await fetch(`${server.url}${reportUrl(p)}`, { headers: { cookie: manager } })).json()) as { totals?: { offered: number } }).totals?.offered) !== offered) {
        if (Date.now() > deadline) throw new Error(`the report shows ${seen} calls offered, not ${offered}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    removeDir(dir);
  });

  async function open(locale: 'en' | 'zh-CN' = 'en', viewport = { width: 1440, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Berlin' });
    const [name, value] = manager.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return { context, page };
  }

  /** A full-page screenshot from the top (the shell's header is sticky). */
  async function shot(page: Page, name: string): Promise<void> {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** Uncaught errors in any page: none expected. */
  const pageErrors: string[] = [];
  afterAll(() => expect(pageErrors).toEqual([]));

  const tableRows = (page: Page, testid = 'queue-table') => page.locator(`[data-testid="${testid}"] tbody tr`);

  it('lands a manager on History, shows last week as a table and charts, compares, downloads CSV', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/wallboard/`);
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/history/);
    expect(await page.getByTestId('nav-history').getAttribute('aria-current')).toBe('page');
    await page.getByTestId('preset').selectOption('last_week');
    // 7 days × 2 queues
    await expect.poll(() => tableRows(page).count(), { timeout: 15_000 }).toBe(14);
    expect(await page.getByTestId('total-row').textContent()).toContain('Total');
    expect(await page.getByTestId('total-row').locator('td').nth(1).textContent()).toBe('35');
    expect(await page.getByTestId('report-zone').textContent()).toContain('UTC+08:00');
    await expect.poll(() => page.locator('[data-testid="chart-volume"] canvas').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="chart-volume"] [role="img"]').getAttribute('aria-label')).toMatch(/35 offered/);
    // a week allows days and weeks, not 15 minutes
    expect(await page.locator('[data-testid="interval"] option[value="15m"]').isDisabled()).toBe(true);
    expect(await page.getByTestId('interval').inputValue()).toBe('1d');
    // sortable headers
    await page.locator('[data-testid="queue-table"] thead th').nth(2).locator('button').click();
    expect(await page.locator('[data-testid="queue-table"] thead th').nth(2).getAttribute('aria-sort')).toBe('ascending');
    // comparison with the week before: Δ cards and columns
    await page.getByTestId('compare').check();
    await page.getByTestId('kpi-delta').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('kpi-delta').first().textContent()).toContain('▲ +7 (+25.0%)');
    await expect.poll(() => page.locator('[data-testid="queue-table"] thead th', { hasText: 'Δ' }).count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="kpi-delta"]').nth(3).textContent()).toMatch(/pp/);
    await shot(page, 'queues-compare-1440x900-en');
    // the URL keeps the report: a reload shows the same one
    expect(new URL(page.url()).hash).toContain('compare=1');
    await page.reload();
    await page.getByTestId('kpi-delta').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('compare').isChecked()).toBe(true);
    // CSV through the server
    const href = await page.getByTestId('csv-link').getAttribute('href');
    expect(href).toContain('format=csv');
    const csv = await fetch(new URL(href!, server.url), { headers: { cookie: manager } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('billing');
    // the History link again keeps the report in the URL
    await page.getByTestId('nav-history').click();
    await expect.poll(() => new URL(page.url()).hash).toContain('preset=last_week');
    expect(await tableRows(page).count()).toBe(14);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('reports a custom range and a week found from any day in it', async () => {
    const { context, page } = await open('en', { width: 1920, height: 1080 });
    await page.goto(`${server.url}/wallboard/#/history`);
    await page.getByTestId('preset').selectOption('custom');
    await page.getByTestId('custom-from').fill(ymdString(addDays(lastWeek.from, 1)));
    await page.getByTestId('custom-to').fill(ymdString(addDays(lastWeek.from, 1)));
    // one day: hourly, and one row per queue with calls
    await expect.poll(() => page.getByTestId('interval').inputValue()).toBe('1h');
    await expect.poll(() => tableRows(page).count(), { timeout: 15_000 }).toBe(2);
    await shot(page, 'custom-day-1h-1920x1080-en');
    await page.getByTestId('preset').selectOption('week');
    await page.getByTestId('week-day').fill(ymdString(addDays(weekBefore.from, 3)));
    await expect.poll(() => page.getByTestId('total-row').locator('td').nth(1).textContent(), { timeout: 15_000 }).toBe('28');
    expect(await tableRows(page).count()).toBe(14);
    expect(await page.getByTestId('range-label').textContent()).toContain(String(weekBefore.from.d));
    await page.getByTestId('tab-caller').click();
    await expect.poll(() => tableRows(page, 'caller-table').count()).toBeGreaterThan(0);
    await page.getByTestId('tab-queues').click();
    await page.getByTestId('preset').selectOption('last_week');
    await page.getByTestId('compare').check();
    await page.getByTestId('kpi-delta').first().waitFor({ timeout: 15_000 });
    await shot(page, 'queues-compare-1920x1080-en');
    await context.close();
  });

  it('shows a refused query’s message and a progress bar while a query runs', async () => {
    const { context, page } = await open();
    await page.route('**/v1/reports/queues?*', async (route) => {
      if (route.request().url().includes('interval=1h')) {
        await route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'interval: 1h is not allowed here' }) });
      } else {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      }
    });
    await page.goto(`${server.url}/wallboard/#/history?preset=last_week`);
    await page.getByTestId('progress').waitFor({ timeout: 5000 });
    await expect.poll(() => tableRows(page).count(), { timeout: 15_000 }).toBe(14);
    await page.getByTestId('preset').selectOption('yesterday');
    await page.getByTestId('report-error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('report-error').textContent()).toContain('interval: 1h is not allowed here');
    await context.close();
  });

  it('sizes staffing per interval and runs the Erlang calculator', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/wallboard/#/history?preset=last_week`);
    await page.getByTestId('tab-staffing').click();
    await expect.poll(() => tableRows(page, 'staffing-table').count(), { timeout: 15_000 }).toBe(7);
    await expect.poll(() => page.locator('[data-testid="chart-staffing"] canvas').isVisible()).toBe(true);
    expect(Number(await page.getByTestId('peak-required').textContent())).toBeGreaterThanOrEqual(1);
    await page.getByTestId('erlang-calls').fill('200');
    await page.getByTestId('erlang-run').click();
    await page.getByTestId('erlang-result').waitFor();
    expect(await page.getByTestId('erlang-result').textContent()).toMatch(/Required agents\s*\d+/);
    // logged-in agents beside the requirement, from the agent report
    expect(await page.locator('[data-testid="staffing-table"] thead').textContent()).toContain('Logged in');
    await shot(page, 'staffing-1440x900-en');
    await context.close();
  });

  it('reports agents per agent and per interval, with their state time', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/wallboard/#/history?preset=last_week&compare=1`);
    await page.getByTestId('tab-agents').click();
    await expect.poll(() => tableRows(page, 'agent-table').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="agent-table"] tbody').textContent()).toContain('a1');
    // 8 hours a day for 7 days
    expect(await page.locator('[data-testid="agent-table"] tbody tr', { hasText: 'a1' }).first().textContent()).toContain('56:00:00');
    expect(await page.getByTestId('total-row').textContent()).toContain('Total');
    await expect.poll(() => page.locator('[data-testid="chart-agent-states"] canvas').isVisible()).toBe(true);
    expect(await page.getByTestId('csv-link').getAttribute('href')).toMatch(/^\/v1\/reports\/agents\?.*format=csv/);
    await page.getByTestId('agent-mode-intervals').check();
    await expect.poll(() => tableRows(page, 'agent-table').count()).toBeGreaterThanOrEqual(14);
    await shot(page, 'agents-1440x900-en');
    await context.close();
  });

  /** `href` through the server: 200, text/csv, and the body. */
  async function csvOf(href: string | null): Promise<string> {
    expect(href).toContain('format=csv');
    const r = await fetch(new URL(href!, server.url), { headers: { cookie: manager } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    return r.text();
  }
  const twoWeeks = () => `preset=custom&from=${ymdString(weekBefore.from)}&to=${ymdString(addDays(lastWeek.to, -1))}`;

  it('lists calls with filters, pages and CSV, each linked to the QA player', async () => {
    const { context, page } = await open();
    // two weeks: 49 + 56 calls, more than a page
    await page.goto(`${server.url}/wallboard/#/history?tab=calls&${twoWeeks()}`);
    await expect.poll(() => tableRows(page, 'call-table').count(), { timeout: 15_000 }).toBe(100);
    expect(await page.getByTestId('call-range').textContent()).toBe('1–100 of 105');
    expect(await page.locator('[data-testid="call-table"] thead th').allTextContents()).toEqual(
      expect.arrayContaining(['Number', 'Start', 'Duration (m:ss)', 'Outcome', 'Wait (m:ss)', 'Talk (m:ss)', 'Agent', 'Queue path', 'Wrap-up code', 'Survey (1–5)']),
    );
    // text and icon for the outcome
    const answeredCell = page.locator('[data-testid="call-table"] td', { hasText: 'Answered' }).first();
    expect(await answeredCell.locator('svg').count()).toBe(1);
    // the manager reads QA: each row opens the call in the player
    expect(await page.locator('[data-testid="call-table"] a[href^="/qa/#/calls/h-"]').count()).toBe(100);
    await page.getByTestId('call-next').click();
    await expect.poll(() => page.getByTestId('call-range').textContent(), { timeout: 15_000 }).toBe('101–105 of 105');
    expect(new URL(page.url()).hash).toContain('offset=100');
    await page.getByTestId('call-prev').click();
    await expect.poll(() => page.getByTestId('call-range').textContent(), { timeout: 15_000 }).toBe('1–100 of 105');
    await shot(page, 'calls-1440x900-en');
    // outcome: the abandoned calls of both weeks (one a day)
    await page.getByTestId('call-outcome').selectOption('abandoned');
    await expect.poll(() => page.getByTestId('call-range').textContent(), { timeout: 15_000 }).toBe('1–14 of 14');
    for (const row of await tableRows(page, 'call-table').allTextContents()) expect(row).toContain('Abandoned');
    // a caller's number
    await page.getByTestId('call-outcome').selectOption('');
    const number = numberOf(addDays(lastWeek.from, 2), 1);
    await page.getByTestId('call-caller').fill(number);
    await page.getByTestId('call-search').click();
    await expect.poll(() => tableRows(page, 'call-table').count(), { timeout: 15_000 }).toBe(1);
    expect(await tableRows(page, 'call-table').first().textContent()).toContain(number);
    // a wrap-up code, offered from the period's codes
    await page.getByTestId('call-caller').fill('');
    await page.getByTestId('call-search').click();
    await expect.poll(() => page.locator('[data-testid="call-disposition"] option').count(), { timeout: 15_000 }).toBe(CODES.length + 1);
    await page.getByTestId('call-disposition').selectOption('refund');
    await expect.poll(async () => (await tableRows(page, 'call-table').allTextContents()).every((r) => r.includes('refund')), { timeout: 15_000 }).toBe(true);
    expect(await tableRows(page, 'call-table').count()).toBeGreaterThan(0);
    // the CSV of the current filters
    const csv = await csvOf(await page.getByTestId('csv-link').getAttribute('href'));
    expect(csv).toContain('refund');
    expect(csv).not.toContain('billing_question');
    await context.close();
  });

  it('shows volume with call reasons, IVR look-ups and surveys', async () => {
    for (const [locale, viewport] of [['en', { width: 1440, height: 900 }], ['en', { width: 1920, height: 1080 }]] as const) {
      const { context, page } = await open(locale, viewport);
      await page.goto(`${server.url}/wallboard/#/history?preset=last_week&tab=volume`);
      await expect.poll(() => tableRows(page, 'volume-table').count(), { timeout: 15_000 }).toBe(7);
      // 8 calls a day: 4 answered, 1 abandoned in a queue, 2 self-service, 1 abandoned in the IVR
      expect(await page.getByTestId('vol-calls').textContent()).toBe('56');
      const total = page.getByTestId('total-row').locator('td');
      expect(await total.nth(0).textContent()).toBe('56');
      expect(await total.nth(1).textContent()).toBe('28');
      expect(await total.nth(2).textContent()).toBe('14');
      expect(await total.nth(3).textContent()).toBe('14');
      for (const id of ['chart-vol', 'chart-reasons', 'chart-reasons-time', 'chart-ivr', 'chart-surveys']) {
        await expect.poll(() => page.locator(`[data-testid="${id}"] canvas`).isVisible()).toBe(true);
      }
      expect(await page.locator('[data-testid="chart-reasons"] [role="img"]').getAttribute('aria-label')).toMatch(/10 wrap-up codes/);
      expect(await page.locator('[data-testid="chart-reasons-time"] h3').textContent()).toContain('top 8 and other');
      // 2 of the 8 IVR calls a day end there
      expect(await page.locator('[data-testid="chart-ivr"] h3').textContent()).toContain('25.0%');
      await shot(page, `volume-${viewport.width}x${viewport.height}-${locale}`);
      if (viewport.width === 1440) expect(await csvOf(await page.getByTestId('csv-link').getAttribute('href'))).toContain('interval_start');
      await context.close();
    }
  });

  it('shows abandons by wait and stage, and the numbers to call back', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
      const { context, page } = await open('en', viewport);
      await page.goto(`${server.url}/wallboard/#/history?preset=last_week&tab=abandons`);
      // a queue (or ringing) abandon and an IVR abandon a day
      await expect.poll(() => page.getByTestId('abandon-total').textContent(), { timeout: 15_000 }).toBe('14');
      await expect.poll(() => page.locator('[data-testid="chart-abandons"] canvas').isVisible()).toBe(true);
      // the call-back list: queue and IVR abandons (14)
      await expect.poll(() => tableRows(page, 'abandon-table').count(), { timeout: 15_000 }).toBe(14);
      for (const row of await tableRows(page, 'abandon-table').allTextContents()) expect(row).toMatch(/1380013\d{3}/);
      expect(await page.getByTestId('call-range').textContent()).toBe('1–14 of 14');
      await shot(page, `abandons-${viewport.width}x${viewport.height}-en`);
      if (viewport.width === 1440) {
        expect(await csvOf(await page.getByTestId('csv-link').getAttribute('href'))).toContain('wait_bucket');
        const list = await csvOf(await page.getByTestId('abandon-table-csv').getAttribute('href'));
        expect(list).toContain('outcome');
        expect(list.match(/abandoned/g)?.length).toBeGreaterThanOrEqual(14);
      }
      await context.close();
    }
  });

  it('shows the weekday × hour heatmap with numbers, a legend and a table', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
      const { context, page } = await open('en', viewport);
      await page.goto(`${server.url}/wallboard/#/history?preset=last_week&tab=heatmap`);
      const grid = page.getByTestId('heat-grid');
      await grid.waitFor({ timeout: 15_000 });
      const rows = grid.locator('tbody tr');
      expect(await rows.count()).toBe(7);
      expect(await rows.first().locator('th').textContent()).toBe('Mon');
      expect(await grid.locator('tfoot td').last().textContent()).toBe('56');
      // 10:00 on Monday: answered calls at 10:10, 10:20, 10:40, 10:50 and the abandoned one at 10:30
      const cell = rows.first().locator('td').nth(10);
      expect(await cell.textContent()).toBe('5');
      expect(await cell.getAttribute('title')).toMatch(/Monday 10:00–11:00: 5 calls, answer rate 80\.0%/);
      // the printed number contrasts with its fill
      const [fg, bg] = (await page.evaluate(
        `(() => { const el = document.querySelector('[data-testid="heat-grid"] tbody tr td'); const s = el && getComputedStyle(el.parentElement.children[11]); return [s.color, s.backgroundColor]; })()`,
      )) as [string, string];
      expect(contrastOf(fg, bg)).toBeGreaterThanOrEqual(4.5);
      expect(await page.getByTestId('heat-legend').textContent()).toContain('Calls per hour');
      await shot(page, `heatmap-${viewport.width}x${viewport.height}-en`);
      if (viewport.width === 1440) {
        await page.getByTestId('heat-toggle').click();
        await expect.poll(() => tableRows(page, 'heat-table').count()).toBeGreaterThan(7);
        expect(await csvOf(await page.getByTestId('csv-link').getAttribute('href'))).toContain('weekday');
      }
      await context.close();
    }
  });

  it('has no untranslated text in Chinese', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
      const { context, page } = await open('zh-CN', viewport);
      await page.goto(`${server.url}/wallboard/#/history?preset=last_week&compare=1`);
      await page.getByTestId('kpi-delta').first().waitFor({ timeout: 15_000 });
      await expect.poll(() => tableRows(page).count(), { timeout: 15_000 }).toBe(14);
      expect(await page.getByTestId('total-row').textContent()).toContain('合计');
      expect(await page.locator('[data-testid="kpi-delta"]').nth(3).textContent()).toMatch(/个百分点/);
      await page.waitForTimeout(300);
      expect(await untranslatedText(page)).toEqual([]);
      await shot(page, `queues-compare-${viewport.width}x${viewport.height}-zh`);
      if (viewport.width === 1440) {
        await page.getByTestId('tab-caller').click();
        await expect.poll(() => tableRows(page, 'caller-table').count()).toBeGreaterThan(0);
        expect(await untranslatedText(page)).toEqual([]);
        await shot(page, 'caller-1440x900-zh');
        await page.getByTestId('tab-agents').click();
        await expect.poll(() => tableRows(page, 'agent-table').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
        expect(await untranslatedText(page)).toEqual([]);
        await shot(page, 'agents-1440x900-zh');
        await page.getByTestId('tab-staffing').click();
        await expect.poll(() => tableRows(page, 'staffing-table').count(), { timeout: 15_000 }).toBe(7);
        await page.getByTestId('erlang-run').click();
        await page.getByTestId('erlang-result').waitFor();
        expect(await untranslatedText(page)).toEqual([]);
        await shot(page, 'staffing-1440x900-zh');
        for (const [tab, ready] of [
          ['calls', () => tableRows(page, 'call-table').count()],
          ['volume', () => tableRows(page, 'volume-table').count()],
          ['abandons', () => tableRows(page, 'abandon-table').count()],
          ['heatmap', () => page.locator('[data-testid="heat-grid"] tbody tr').count()],
        ] as const) {
          await page.getByTestId(`tab-${tab}`).click();
          await expect.poll(ready, { timeout: 15_000 }).toBeGreaterThan(0);
          await page.waitForTimeout(300);
          expect(await untranslatedText(page)).toEqual([]);
          await shot(page, `${tab}-1440x900-zh`);
        }
        expect(await page.getByTestId('heat-legend').textContent()).toContain('每小时来电量');
        await page.getByTestId('heat-toggle').click();
        await expect.poll(() => tableRows(page, 'heat-table').count()).toBeGreaterThan(0);
        expect(await untranslatedText(page)).toEqual([]);
      }
      await context.close();
    }
  });

  it('prints: navigation and filters hidden, a header block with period, zone and who printed it', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/wallboard/#/history?preset=last_week&compare=1`);
    await page.getByTestId('kpi-delta').first().waitFor({ timeout: 15_000 });
    await page.emulateMedia({ media: 'print' });
    await expect.poll(() => page.locator('nav[aria-label="Main navigation"]').isVisible()).toBe(false);
    expect(await page.getByTestId('preset').isVisible()).toBe(false);
    const head = page.getByTestId('print-head');
    expect(await head.isVisible()).toBe(true);
    const text = (await head.textContent()) ?? '';
    expect(text).toContain('Queue report');
    expect(text).toContain('UTC+08:00');
    expect(text).toContain('boss');
    expect(await page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).toBe('rgb(255, 255, 255)');
    await shot(page, 'print-media-1440');
    // the paper's width: A4 landscape less 12 mm margins is about 1032 CSS px
    await page.setViewportSize({ width: 1032, height: 730 });
    await page.evaluate("dispatchEvent(new Event('beforeprint'))");
    await shot(page, 'print-a4-landscape');
    await page.pdf({ path: join(SHOTS, 'print.pdf'), landscape: true, format: 'A4', printBackground: true, preferCSSPageSize: true });
    // the new tabs print with their own title, without the interval they do not use
    for (const [tab, title, ready] of [
      ['heatmap', 'Calls by weekday and hour', '[data-testid="heat-grid"]'],
      ['volume', 'Volume and call reasons', '[data-testid="volume-table"]'],
      ['calls', 'Call detail', '[data-testid="call-table"] tbody tr'],
    ] as const) {
      await page.goto(`${server.url}/wallboard/#/history?preset=last_week&tab=${tab}`);
      await page.reload();
      await page.locator(ready).first().waitFor({ timeout: 15_000 });
      expect(await head.textContent()).toContain(title);
      expect(await page.getByTestId('call-outcome').isVisible()).toBe(false);
      await shot(page, `print-${tab}`);
    }
    await context.close();
  });
});
